//! CSV outputs for operators: one row per stop (`routes.csv`) and one row per
//! pupil (`pupils.csv`). Both read back into the same row types (extra
//! columns are ignored when reading). Also the problem's own input files
//! ([`write_problem`]).
//!
//! Passthrough fields ([`crate::Pupil::extra`]) follow the fixed columns as
//! `x_<name>` columns, one per name used by any pupil, in alphabetical order
//! ([`passthrough_names`]): in `pupils.csv` each pupil's own values; in
//! `routes.csv` on the rows of home stops, the values of the pupils boarding
//! or alighting there, joined by `;` when several.

mod problem;
pub use problem::{write_problem, FLEET_HEADER, PUPILS_HEADER, SCHOOLS_HEADER};

use crate::csv_in::PASSTHROUGH_PREFIX;
use crate::day::DayPlan;
use crate::plan::{Plan, Stop};
use crate::problem::{LocationKey, Problem};
use crate::time::format_clock;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};

/// One stop of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StopRow {
    /// `am` or `pm`.
    pub session: String,
    /// Vehicle label, e.g. `MINIBUS-16 #2`.
    pub vehicle: String,
    /// Run number (1-based index of the route in the plan).
    pub run: usize,
    /// Stop number within the run (0 = leaving the depot).
    pub stop: usize,
    /// `depot`, `pickup` or `drop`.
    pub kind: String,
    /// Pupil ids boarding or alighting, separated by `;`.
    pub pupils: String,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Arrival time, HH:MM:SS.
    pub arrival: String,
    /// Departure time, HH:MM:SS.
    pub departure: String,
    /// Pupils in seats after the stop.
    pub seated: u32,
    /// Pupils in wheelchair spaces after the stop.
    pub wheelchair: u32,
    /// At a school: the school's id (empty elsewhere).
    #[serde(default)]
    pub school_id: String,
    /// At a school: the school's name (empty elsewhere).
    #[serde(default)]
    pub school_name: String,
}

/// One pupil's journey, or why they have none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PupilRow {
    /// `am` or `pm`.
    pub session: String,
    /// Pupil id.
    pub pupil: String,
    /// Vehicle label, empty when unassigned.
    pub vehicle: String,
    /// Run number, empty when unassigned.
    pub run: Option<usize>,
    /// Pick-up time, HH:MM:SS.
    pub pickup: String,
    /// Hand-over time at the destination (school in the AM, home in the PM).
    pub drop: String,
    /// Ride minutes.
    pub ride_minutes: Option<f64>,
    /// The pupil's cap in minutes.
    pub max_ride_minutes: Option<f64>,
    /// Unassigned reason code, empty when placed.
    pub unassigned_reason: String,
    /// Unassigned explanation.
    pub detail: String,
}

/// The school a stop is at, if it is at one.
pub fn stop_school<'a>(problem: &'a Problem, stop: &Stop) -> Option<&'a crate::School> {
    match &stop.location_key {
        LocationKey::School(id) => problem.school(id),
        _ => None,
    }
}

/// The stop rows of a plan; school stops name the school.
pub fn stop_rows(problem: &Problem, plan: &Plan) -> Vec<StopRow> {
    let mut rows = Vec::new();
    for (ri, r) in plan.routes.iter().enumerate() {
        for (si, s) in r.stops.iter().enumerate() {
            let school = stop_school(problem, s);
            rows.push(StopRow {
                session: plan.session.to_string(),
                vehicle: r.label(),
                run: ri + 1,
                stop: si,
                kind: s.kind.to_string(),
                pupils: s.pupils.join(";"),
                lat: (s.location.lat * 1e6).round() / 1e6,
                lon: (s.location.lon * 1e6).round() / 1e6,
                arrival: format_clock(s.arrival_s),
                departure: format_clock(s.departure_s),
                seated: s.load.seated,
                wheelchair: s.load.wheelchair,
                school_id: school.map(|x| x.id.clone()).unwrap_or_default(),
                school_name: school.map(|x| x.name.clone()).unwrap_or_default(),
            });
        }
    }
    rows
}

/// The pupil rows of a plan: placed pupils first, then unassigned ones.
pub fn pupil_rows(problem: &Problem, plan: &Plan) -> Vec<PupilRow> {
    let mut rows: Vec<PupilRow> = plan
        .rides
        .iter()
        .map(|ride| PupilRow {
            session: plan.session.to_string(),
            pupil: ride.pupil.clone(),
            vehicle: plan
                .routes
                .get(ride.route)
                .map(|r| r.label())
                .unwrap_or_default(),
            run: Some(ride.route + 1),
            pickup: format_clock(ride.pickup_s),
            drop: format_clock(ride.drop_s),
            ride_minutes: Some((ride.ride_s / 6.0).round() / 10.0),
            max_ride_minutes: Some((ride.max_ride_s / 6.0).round() / 10.0),
            unassigned_reason: String::new(),
            detail: String::new(),
        })
        .collect();
    rows.extend(plan.unassigned.iter().map(|u| {
        PupilRow {
            session: plan.session.to_string(),
            pupil: u.pupil.clone(),
            vehicle: String::new(),
            run: None,
            pickup: String::new(),
            drop: String::new(),
            ride_minutes: None,
            max_ride_minutes: problem
                .pupil(&u.pupil)
                .and_then(|p| problem.max_ride_seconds(p))
                .map(|s| s / 60.0),
            unassigned_reason: u.reason.code().to_string(),
            detail: u.reason.detail().to_string(),
        }
    }));
    rows
}

/// Names of the passthrough fields any pupil of `problem` carries, in
/// alphabetical order (without the `x_` prefix).
pub fn passthrough_names(problem: &Problem) -> Vec<String> {
    let names: std::collections::BTreeSet<&String> =
        problem.pupils.iter().flat_map(|p| p.extra.keys()).collect();
    names.into_iter().cloned().collect()
}

/// The passthrough values of the pupils at a home stop, per name of
/// `names`, joined by `;` when several pupils have one; empty at schools
/// and depots.
pub fn stop_passthrough(problem: &Problem, stop: &Stop, names: &[String]) -> Vec<String> {
    if !matches!(stop.location_key, LocationKey::Home(_)) {
        return vec![String::new(); names.len()];
    }
    names
        .iter()
        .map(|n| {
            let values: Vec<&str> = stop
                .pupils
                .iter()
                .filter_map(|id| problem.pupil(id)?.extra.get(n))
                .map(String::as_str)
                .collect();
            values.join(";")
        })
        .collect()
}

/// Writes `routes.csv`: the stop rows of `plan` ([`stop_rows`]) followed by
/// the passthrough columns.
pub fn write_routes_csv<W: Write>(
    problem: &Problem,
    plan: &Plan,
    out: W,
) -> Result<(), csv::Error> {
    write_routes(problem, &[plan], out)
}

/// Writes a day's `routes.csv`: the AM runs' rows, then the PM runs' (each
/// session's runs numbered from 1, column `session`).
pub fn write_day_routes_csv<W: Write>(
    problem: &Problem,
    day: &DayPlan,
    out: W,
) -> Result<(), csv::Error> {
    write_routes(problem, &day.plans(), out)
}

fn write_routes<W: Write>(problem: &Problem, plans: &[&Plan], out: W) -> Result<(), csv::Error> {
    let names = passthrough_names(problem);
    let extra: Vec<Vec<String>> = plans
        .iter()
        .flat_map(|p| &p.routes)
        .flat_map(|r| &r.stops)
        .map(|s| stop_passthrough(problem, s, &names))
        .collect();
    let rows: Vec<StopRow> = plans.iter().flat_map(|p| stop_rows(problem, p)).collect();
    write_rows_with(&rows, &names, &extra, out)
}

/// Writes `pupils.csv`: the pupil rows ([`pupil_rows`]) followed by each
/// pupil's passthrough columns.
pub fn write_pupils_csv<W: Write>(
    problem: &Problem,
    plan: &Plan,
    out: W,
) -> Result<(), csv::Error> {
    write_pupils(problem, &[plan], out)
}

/// Writes a day's `pupils.csv`: one row per pupil and session travelled,
/// AM first (column `session`).
pub fn write_day_pupils_csv<W: Write>(
    problem: &Problem,
    day: &DayPlan,
    out: W,
) -> Result<(), csv::Error> {
    write_pupils(problem, &day.plans(), out)
}

fn write_pupils<W: Write>(problem: &Problem, plans: &[&Plan], out: W) -> Result<(), csv::Error> {
    let names = passthrough_names(problem);
    let rows: Vec<PupilRow> = plans.iter().flat_map(|p| pupil_rows(problem, p)).collect();
    let extra: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let extra = problem.pupil(&r.pupil).map(|p| &p.extra);
            names
                .iter()
                .map(|n| extra.and_then(|e| e.get(n)).cloned().unwrap_or_default())
                .collect()
        })
        .collect();
    write_rows_with(&rows, &names, &extra, out)
}

/// Writes rows as CSV with a header, each row followed by its `extra`
/// values under the columns `x_<name>` of `names`.
fn write_rows_with<T: Serialize, W: Write>(
    rows: &[T],
    names: &[String],
    extra: &[Vec<String>],
    out: W,
) -> Result<(), csv::Error> {
    if names.is_empty() {
        return write_rows(rows, out);
    }
    // The fixed columns come from serde (one definition of names and
    // formats); the passthrough columns are appended record by record.
    let mut fixed = Vec::new();
    write_rows(rows, &mut fixed)?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&fixed[..]);
    let mut w = csv::Writer::from_writer(out);
    for (i, rec) in rdr.records().enumerate() {
        let mut rec = rec?;
        if i == 0 {
            for n in names {
                rec.push_field(&format!("{PASSTHROUGH_PREFIX}{n}"));
            }
        } else {
            for v in &extra[i - 1] {
                rec.push_field(v);
            }
        }
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(())
}

/// Writes rows as CSV with a header.
pub fn write_rows<T: Serialize, W: Write>(rows: &[T], out: W) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    for r in rows {
        w.serialize(r)?;
    }
    w.flush()?;
    Ok(())
}

/// Reads rows written by [`write_rows`].
pub fn read_rows<T: for<'de> Deserialize<'de>, R: Read>(input: R) -> Result<Vec<T>, csv::Error> {
    csv::Reader::from_reader(input).deserialize().collect()
}
