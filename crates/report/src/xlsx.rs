//! `plan.xlsx`: the plan as a spreadsheet with four sheets — `runs` (one row
//! per run), `stops` (one row per stop, as `routes.csv`), `pupils` (one row
//! per placed pupil) and `unassigned` (one row per pupil not placed, with
//! the reason) — each with a bold header row frozen at the top and the
//! passthrough columns last. Written by `rust_xlsxwriter`.

use crate::manifests::needs_words;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use senroute_model::csv_out::{passthrough_names, pupil_rows, stop_passthrough, stop_rows};
use senroute_model::time::format_clock;
use senroute_model::{Plan, Problem, StopKind, PASSTHROUGH_PREFIX};

/// A cell: text or a number.
enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s)
        }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::from(s.to_string())
    }
}

impl From<f64> for Cell {
    fn from(x: f64) -> Self {
        Cell::Number(x)
    }
}

impl From<usize> for Cell {
    fn from(x: usize) -> Self {
        Cell::Number(x as f64)
    }
}

impl From<u32> for Cell {
    fn from(x: u32) -> Self {
        Cell::Number(f64::from(x))
    }
}

impl From<Option<f64>> for Cell {
    fn from(x: Option<f64>) -> Self {
        x.map_or(Cell::Empty, Cell::Number)
    }
}

fn sheet(
    ws: &mut Worksheet,
    name: &str,
    header: &[String],
    rows: Vec<Vec<Cell>>,
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    let bold = Format::new().set_bold();
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(s) => {
                    ws.write_string(r, c, s)?;
                }
                Cell::Number(x) if x.is_finite() => {
                    ws.write_number(r, c, *x)?;
                }
                _ => {}
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofit();
    Ok(())
}

fn header(fixed: &[&str], names: &[String]) -> Vec<String> {
    fixed
        .iter()
        .map(|s| s.to_string())
        .chain(names.iter().map(|n| format!("{PASSTHROUGH_PREFIX}{n}")))
        .collect()
}

fn hhmm(seconds: f64) -> String {
    let c = format_clock(seconds);
    c.get(..5).unwrap_or(&c).to_string()
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// `plan.xlsx` as bytes: sheets `runs`, `stops`, `pupils` and `unassigned`.
pub fn plan_xlsx(problem: &Problem, plan: &Plan) -> Result<Vec<u8>, XlsxError> {
    plans_xlsx(problem, &[plan])
}

/// [`plan_xlsx`] of several session plans (a day's AM and PM): each sheet
/// lists the first plan's rows, then the next's; column `session` says
/// which.
pub fn plans_xlsx(problem: &Problem, plans: &[&Plan]) -> Result<Vec<u8>, XlsxError> {
    let names = passthrough_names(problem);
    let mut wb = Workbook::new();

    let runs: Vec<Vec<Cell>> = plans
        .iter()
        .flat_map(|plan| {
            plan.routes
                .iter()
                .enumerate()
                .map(move |(i, r)| (plan.session, i, r))
        })
        .map(|(session, i, r)| {
            let pupils: usize = r
                .stops
                .iter()
                .filter(|s| s.kind == StopKind::Pickup)
                .map(|s| s.pupils.len())
                .sum();
            let (leave, back) = match (r.stops.first(), r.stops.last()) {
                (Some(a), Some(b)) => (hhmm(a.departure_s), hhmm(b.arrival_s)),
                _ => (String::new(), String::new()),
            };
            vec![
                Cell::from(session.to_string()),
                Cell::from(i + 1),
                r.label().into(),
                r.vehicle_type.as_str().into(),
                pupils.into(),
                r.stops.len().into(),
                leave.into(),
                back.into(),
                round1(r.distance_m / 1000.0).into(),
                round1(r.duration_s / 60.0).into(),
                ((r.cost * 100.0).round() / 100.0).into(),
            ]
        })
        .collect();
    sheet(
        wb.add_worksheet(),
        "runs",
        &header(
            &[
                "session",
                "run",
                "vehicle",
                "vehicle_type",
                "pupils",
                "stops",
                "leave",
                "return",
                "km",
                "minutes",
                "cost",
            ],
            &[],
        ),
        runs,
    )?;

    let extra = plans
        .iter()
        .flat_map(|p| &p.routes)
        .flat_map(|r| &r.stops)
        .map(|s| stop_passthrough(problem, s, &names));
    let stops: Vec<Vec<Cell>> = plans
        .iter()
        .flat_map(|p| stop_rows(problem, p))
        .zip(extra)
        .map(|(s, x)| {
            let mut row = vec![
                s.session.into(),
                s.vehicle.into(),
                s.run.into(),
                s.stop.into(),
                s.kind.into(),
                s.pupils.into(),
                s.school_id.into(),
                s.school_name.into(),
                s.lat.into(),
                s.lon.into(),
                s.arrival.into(),
                s.departure.into(),
                s.seated.into(),
                s.wheelchair.into(),
            ];
            row.extend(x.into_iter().map(Cell::from));
            row
        })
        .collect();
    sheet(
        wb.add_worksheet(),
        "stops",
        &header(
            &[
                "session",
                "vehicle",
                "run",
                "stop",
                "kind",
                "pupils",
                "school_id",
                "school_name",
                "lat",
                "lon",
                "arrival",
                "departure",
                "seated",
                "wheelchair",
            ],
            &names,
        ),
        stops,
    )?;

    let extra_of = |id: &str| -> Vec<Cell> {
        let p = problem.pupil(id);
        names
            .iter()
            .map(|n| {
                p.and_then(|p| p.extra.get(n))
                    .map_or(Cell::Empty, |v| Cell::from(v.as_str()))
            })
            .collect()
    };
    let school_of = |id: &str| -> (String, String) {
        problem
            .pupil(id)
            .map(|p| {
                let name = problem
                    .school(&p.school)
                    .map(|s| s.name.clone())
                    .unwrap_or_default();
                (p.school.clone(), name)
            })
            .unwrap_or_default()
    };
    let needs_of = |id: &str| -> String {
        problem
            .pupil(id)
            .map(|p| needs_words(p).join(", "))
            .unwrap_or_default()
    };
    let rows: Vec<_> = plans.iter().flat_map(|p| pupil_rows(problem, p)).collect();
    let placed: Vec<Vec<Cell>> = rows
        .iter()
        .filter(|r| r.run.is_some())
        .map(|r| {
            let (sid, sname) = school_of(&r.pupil);
            let mut row = vec![
                r.session.as_str().into(),
                r.pupil.as_str().into(),
                sid.into(),
                sname.into(),
                needs_of(&r.pupil).into(),
                r.vehicle.as_str().into(),
                r.run.map_or(Cell::Empty, Cell::from),
                r.pickup.as_str().into(),
                r.drop.as_str().into(),
                r.ride_minutes.into(),
                r.max_ride_minutes.into(),
            ];
            row.extend(extra_of(&r.pupil));
            row
        })
        .collect();
    sheet(
        wb.add_worksheet(),
        "pupils",
        &header(
            &[
                "session",
                "pupil",
                "school_id",
                "school_name",
                "needs",
                "vehicle",
                "run",
                "pickup",
                "drop",
                "ride_minutes",
                "max_ride_minutes",
            ],
            &names,
        ),
        placed,
    )?;

    let unassigned: Vec<Vec<Cell>> = rows
        .iter()
        .filter(|r| r.run.is_none())
        .map(|r| {
            let (sid, sname) = school_of(&r.pupil);
            let mut row = vec![
                r.session.as_str().into(),
                r.pupil.as_str().into(),
                sid.into(),
                sname.into(),
                needs_of(&r.pupil).into(),
                r.unassigned_reason.as_str().into(),
                r.detail.as_str().into(),
                r.max_ride_minutes.into(),
            ];
            row.extend(extra_of(&r.pupil));
            row
        })
        .collect();
    sheet(
        wb.add_worksheet(),
        "unassigned",
        &header(
            &[
                "session",
                "pupil",
                "school_id",
                "school_name",
                "needs",
                "reason",
                "detail",
                "max_ride_minutes",
            ],
            &names,
        ),
        unassigned,
    )?;
    wb.save_to_buffer()
}
