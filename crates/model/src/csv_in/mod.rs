//! Reading coordinators' CSV files: `pupils.csv`, `schools.csv`, `fleet.csv`.
//!
//! Every problem is collected and reported at once, each naming the file,
//! line, column, value and what to do. Column names are case-insensitive;
//! locations are WGS84 `*_lat`/`*_lon` or British National Grid
//! `*_easting`/`*_northing`.

use crate::bounds::BoroughCodes;
use crate::check_input::{check_problem_with, Entity, Field, Locator};
use crate::issues::InputErrors;
use crate::limits;
use crate::problem::{
    Needs, Phase, Problem, Pupil, School, Session, Sessions, Settings, VehicleType,
};
use crate::time::TimeWindow;
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::Path;

mod row;
mod table;

use row::Row;
use table::{issue, read_table, Table, FLEET, PUPILS, SCHOOLS};
pub use table::{FLEET_COLUMNS, PASSTHROUGH_PREFIX, PUPIL_COLUMNS, SCHOOL_COLUMNS};

/// A row's id as read, whether or not the row was accepted.
struct Seen {
    id: String,
    line: u64,
    rejected: bool,
}

fn duplicate_ids(seen: &[Seen], source: &str, what: &str, errors: &mut InputErrors) {
    let mut first: HashMap<&str, u64> = HashMap::new();
    for s in seen.iter().filter(|s| !s.id.is_empty()) {
        if let Some(&line) = first.get(s.id.as_str()) {
            errors.push(issue(
                source,
                Some(s.line),
                Some("id"),
                Some(&s.id),
                format!("duplicate {what} id (first used on line {line})"),
                "ids must be unique; rename one of them",
            ));
        } else {
            first.insert(&s.id, s.line);
        }
    }
}

/// Line numbers of each record, for locating problems found after parsing.
struct CsvLocator {
    pupils: (String, Vec<u64>),
    schools: (String, Vec<u64>),
    fleet: (String, Vec<u64>),
}

impl Locator for CsvLocator {
    fn locate(&self, entity: Entity, index: usize, field: Field) -> (String, Option<u64>, String) {
        let (src, lines) = match entity {
            Entity::Pupil => &self.pupils,
            Entity::School => &self.schools,
            Entity::Vehicle | Entity::Problem if field.column == "fleet" => {
                return (self.fleet.0.clone(), None, "count".into())
            }
            Entity::Problem if field.column.ends_with("shift_start") => {
                return (self.fleet.0.clone(), None, field.column.to_string())
            }
            Entity::Problem if field.column == "schools" => {
                return (self.schools.0.clone(), None, "id".into())
            }
            Entity::Problem => return (self.pupils.0.clone(), None, field.column.to_string()),
            Entity::Vehicle => &self.fleet,
        };
        (
            src.clone(),
            lines.get(index).copied(),
            field.column.to_string(),
        )
    }

    fn locate_path(&self, path: &str) -> (String, Option<u64>, String) {
        // Only settings are problem-level fields of a CSV input; they come
        // from the command line or the caller, not from a file.
        ("settings".into(), None, path.to_string())
    }
}

/// Reads every row of a table with `record`, which returns the row's id (as
/// written, for duplicate and reference checks) and the record when its
/// fields parsed. Rows with any problem are reported, not returned.
fn parse_rows<T>(
    t: &Table,
    errors: &mut InputErrors,
    seen: &mut Vec<Seen>,
    record: impl Fn(&mut Row) -> (String, Option<T>),
) -> (Vec<T>, Vec<u64>) {
    let mut out = Vec::new();
    let mut lines = Vec::new();
    for (line, rec) in &t.rows {
        let mut r = Row {
            table: t,
            line: *line,
            rec,
            errors,
            bad: false,
        };
        let (id, item) = record(&mut r);
        seen.push(Seen {
            id,
            line: *line,
            rejected: r.bad,
        });
        if let (false, Some(item)) = (r.bad, item) {
            out.push(item);
            lines.push(*line);
        }
    }
    (out, lines)
}

/// Ids separated by `;`, blanks dropped.
fn id_list(cell: Option<String>) -> Vec<String> {
    cell.map(|s| {
        s.split(';')
            .map(|x| x.trim().to_string())
            .filter(|x| !x.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

fn parse_pupils(
    t: &Table,
    errors: &mut InputErrors,
    seen: &mut Vec<Seen>,
) -> (Vec<Pupil>, Vec<u64>) {
    parse_rows(t, errors, seen, |r| {
        let id = r.text("id");
        let school = r.text("school");
        let home = r.location("home");
        let sessions = r
            .parse::<Sessions>("sessions", "am, pm or both", "write am, pm or both")
            .unwrap_or_default();
        let phase = r.parse::<Phase>("phase", "a phase", "write primary or secondary");
        let needs = Needs {
            wheelchair: r.flag("wheelchair"),
            tail_lift: r.flag("tail_lift"),
            passenger_assistant: r.flag("passenger_assistant"),
            travel_alone: r.flag("travel_alone"),
            must_not_travel_with: id_list(r.opt_text("must_not_travel_with")),
            extra_boarding_minutes: r.count("extra_boarding_minutes").unwrap_or(0),
            max_ride_minutes: r.count("max_ride_minutes"),
            earliest_pickup: r.time("earliest_pickup", false),
            vehicle_types: id_list(r.opt_text("vehicle_types")),
            not_vehicle_types: id_list(r.opt_text("not_vehicle_types")),
            earliest_dropoff: r.time("earliest_dropoff", false),
            latest_dropoff: r.time("latest_dropoff", false),
        };
        let borough = r.opt_text("borough");
        let extra = r.passthrough();
        let pupil = Pupil {
            id: id.clone(),
            home,
            school,
            sessions,
            borough,
            phase,
            needs,
            extra,
        };
        (id, Some(pupil))
    })
}

fn parse_schools(
    t: &Table,
    errors: &mut InputErrors,
    seen: &mut Vec<Seen>,
) -> (Vec<School>, Vec<u64>) {
    parse_rows(t, errors, seen, |r| {
        let id = r.text("id");
        let name = r.text("name");
        let location = r.location("");
        let phase = r.parse::<Phase>(
            "phase",
            "a phase",
            "write primary, secondary or all-through",
        );
        if phase.is_none() && r.raw("phase").is_some_and(str::is_empty) {
            r.fail(
                "phase",
                "",
                "value is required",
                "write primary, secondary or all-through",
            );
        }
        let times = [
            "am_arrival_open",
            "am_arrival_close",
            "pm_departure_open",
            "pm_departure_close",
        ]
        .map(|c| r.time(c, true));
        let dwell = r.count("dwell_minutes").unwrap_or(2);
        let borough = r.opt_text("borough");
        let school = match (phase, times) {
            (Some(phase), [Some(a), Some(b), Some(c), Some(d)]) => Some(School {
                id: id.clone(),
                name,
                location,
                borough,
                phase,
                am_arrival: TimeWindow::new(a, b),
                pm_departure: TimeWindow::new(c, d),
                dwell_minutes: dwell,
            }),
            _ => None,
        };
        (id, school)
    })
}

fn parse_fleet(
    t: &Table,
    errors: &mut InputErrors,
    seen: &mut Vec<Seen>,
) -> (Vec<VehicleType>, Vec<u64>) {
    parse_rows(t, errors, seen, |r| {
        let id = r.text("id");
        let count = r.req_count("count");
        let depot = r.location("depot");
        let seats = r.req_count("seats");
        let wheelchair_spaces = r.count("wheelchair_spaces").unwrap_or(0);
        let seats_per_wheelchair_space = r.count("seats_per_wheelchair_space").unwrap_or(0);
        let tail_lift = r.flag("tail_lift");
        let passenger_assistant = r.flag("passenger_assistant");
        let fixed_cost_per_day = r.money("fixed_cost_per_day", true);
        let cost_per_km = r.money("cost_per_km", true);
        let cost_per_hour = r.money("cost_per_hour", true);
        let assistant_cost_per_day = r.money("assistant_cost_per_day", false);
        let max_duty_minutes = r.req_count("max_duty_minutes");
        let shift = (r.time("shift_start", true), r.time("shift_end", true));
        let pm_shift = match (
            r.time("pm_shift_start", false),
            r.time("pm_shift_end", false),
        ) {
            (Some(a), Some(b)) => Some(TimeWindow::new(a, b)),
            (None, None) => None,
            (a, _) => {
                let (col, other) = if a.is_some() {
                    ("pm_shift_end", "pm_shift_start")
                } else {
                    ("pm_shift_start", "pm_shift_end")
                };
                if !r.bad {
                    r.fail(
                        col,
                        "",
                        format!("value is required with {other}"),
                        "give both ends of the PM shift, or leave both blank to work the AM shift in the PM too",
                    );
                }
                None
            }
        };
        let borough = r.opt_text("borough");
        let max_schools_per_run = r.count("max_schools_per_run");
        let vehicle = match shift {
            (Some(a), Some(b)) => Some(VehicleType {
                id: id.clone(),
                count,
                depot,
                seats,
                wheelchair_spaces,
                seats_per_wheelchair_space,
                tail_lift,
                passenger_assistant,
                fixed_cost_per_day,
                cost_per_km,
                cost_per_hour,
                assistant_cost_per_day,
                max_duty_minutes,
                shift: TimeWindow::new(a, b),
                pm_shift,
                borough,
                max_schools_per_run,
            }),
            _ => None,
        };
        (id, vehicle)
    })
}

/// One input file: its name for messages and its contents.
pub struct CsvSource<R> {
    /// Name used in messages, e.g. `pupils.csv`.
    pub name: String,
    /// The contents.
    pub reader: R,
}

impl<'a> CsvSource<&'a [u8]> {
    /// A source from text in memory (tests, the gRPC service).
    pub fn text(name: &str, text: &'a str) -> Self {
        CsvSource {
            name: name.to_string(),
            reader: text.as_bytes(),
        }
    }
}

/// Reads the three CSV files into a problem for `session`, checking
/// everything and reporting every problem at once; borough codes must be
/// London GSS codes (see [`read_problem_with`]).
pub fn read_problem<P: Read, S: Read, F: Read>(
    pupils: CsvSource<P>,
    schools: CsvSource<S>,
    fleet: CsvSource<F>,
    session: Session,
    settings: Settings,
) -> Result<Problem, InputErrors> {
    read_problem_with(
        pupils,
        schools,
        fleet,
        session,
        settings,
        &BoroughCodes::London,
    )
}

/// Reads the three CSV files into a problem for `session` and runs the one
/// validation ([`check_problem_with`], borough codes against `codes`),
/// reporting every problem at once. Each file is read up to
/// [`limits::MAX_CSV_BYTES`] and its record limit
/// ([`limits::MAX_PUPILS`], [`limits::MAX_SCHOOLS`],
/// [`limits::MAX_VEHICLE_TYPES`]) and no further.
pub fn read_problem_with<P: Read, S: Read, F: Read>(
    pupils: CsvSource<P>,
    schools: CsvSource<S>,
    fleet: CsvSource<F>,
    session: Session,
    settings: Settings,
    codes: &BoroughCodes,
) -> Result<Problem, InputErrors> {
    let mut errors = InputErrors::default();
    let bytes = limits::MAX_CSV_BYTES;
    let tp = read_table(
        &pupils.name,
        pupils.reader,
        &PUPILS,
        (bytes, limits::MAX_PUPILS),
        &mut errors,
    );
    let ts = read_table(
        &schools.name,
        schools.reader,
        &SCHOOLS,
        (bytes, limits::MAX_SCHOOLS),
        &mut errors,
    );
    let tf = read_table(
        &fleet.name,
        fleet.reader,
        &FLEET,
        (bytes, limits::MAX_VEHICLE_TYPES),
        &mut errors,
    );
    // Every row's id, rejected or not, per table.
    let (mut sp, mut ss, mut sf) = (Vec::new(), Vec::new(), Vec::new());
    let (pupil_rows, pupil_lines) = tp
        .as_ref()
        .map(|t| parse_pupils(t, &mut errors, &mut sp))
        .unwrap_or_default();
    let (school_rows, school_lines) = ts
        .as_ref()
        .map(|t| parse_schools(t, &mut errors, &mut ss))
        .unwrap_or_default();
    let (fleet_rows, fleet_lines) = tf
        .as_ref()
        .map(|t| parse_fleet(t, &mut errors, &mut sf))
        .unwrap_or_default();
    for (seen, name, what) in [
        (&sp, &pupils.name, "pupil"),
        (&ss, &schools.name, "school"),
        (&sf, &fleet.name, "vehicle type"),
    ] {
        duplicate_ids(seen, name, what, &mut errors);
    }
    let rejected: HashSet<&str> = sp
        .iter()
        .chain(&ss)
        .chain(&sf)
        .filter(|s| s.rejected)
        .map(|s| s.id.as_str())
        .collect();
    let any_rejected = !rejected.is_empty();
    let problem = Problem {
        pupils: pupil_rows,
        schools: school_rows,
        fleet: fleet_rows,
        session,
        settings,
        matrices: None,
    };
    // Cross-record checks need every table; if a table could not be read at
    // all, they would only repeat its problem.
    if tp.is_some() && ts.is_some() && tf.is_some() {
        let locator = CsvLocator {
            pupils: (pupils.name.clone(), pupil_lines),
            schools: (schools.name.clone(), school_lines),
            fleet: (fleet.name.clone(), fleet_lines),
        };
        let mut cross = check_problem_with(&problem, &locator, codes);
        // Duplicates were checked over every row above. A reference to a row
        // that was itself rejected is not "unknown", and a table is not
        // "empty" because its rows were rejected: those rows' own problems
        // are already reported.
        cross.0.retain(|i| {
            !(i.message.starts_with("duplicate")
                || (i.message.starts_with("unknown")
                    && i.value
                        .as_ref()
                        .is_some_and(|v| rejected.contains(v.as_str())))
                || (any_rejected
                    && i.line.is_none()
                    && (i.message.starts_with("the fleet is empty")
                        || i.message.starts_with("no pupil travels"))))
        });
        errors.extend(cross.0);
    }
    errors.into_result(problem)
}

/// Reads the three CSV files from disk (see [`read_problem`]).
pub fn read_problem_files(
    pupils: &Path,
    schools: &Path,
    fleet: &Path,
    session: Session,
    settings: Settings,
) -> Result<Problem, InputErrors> {
    read_problem_files_with(
        pupils,
        schools,
        fleet,
        session,
        settings,
        &BoroughCodes::London,
    )
}

/// Reads the three CSV files from disk (see [`read_problem_with`]).
pub fn read_problem_files_with(
    pupils: &Path,
    schools: &Path,
    fleet: &Path,
    session: Session,
    settings: Settings,
    codes: &BoroughCodes,
) -> Result<Problem, InputErrors> {
    let open = |p: &Path| -> Result<CsvSource<std::fs::File>, InputErrors> {
        std::fs::File::open(p)
            .map(|f| CsvSource {
                name: p.display().to_string(),
                reader: f,
            })
            .map_err(|e| {
                issue(
                    &p.display().to_string(),
                    None,
                    None,
                    None,
                    format!("cannot open the file: {e}"),
                    "check the path",
                )
                .into()
            })
    };
    let mut errors = InputErrors::default();
    let (p, s, f) = (open(pupils), open(schools), open(fleet));
    for r in [&p.as_ref().err(), &s.as_ref().err(), &f.as_ref().err()]
        .into_iter()
        .flatten()
    {
        errors.0.extend(r.0.iter().cloned());
    }
    match (p, s, f) {
        (Ok(p), Ok(s), Ok(f)) => read_problem_with(p, s, f, session, settings, codes),
        _ => Err(errors),
    }
}
