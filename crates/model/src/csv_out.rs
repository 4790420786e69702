//! CSV outputs for operators: one row per stop (`routes.csv`) and one row per
//! pupil (`pupils.csv`). Both read back into the same row types. Also the
//! problem's own input files ([`write_problem`]).

mod problem;
pub use problem::{write_problem, FLEET_HEADER, PUPILS_HEADER, SCHOOLS_HEADER};

use crate::plan::Plan;
use crate::problem::Problem;
use crate::time::format_clock;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};

/// One stop of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StopRow {
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
}

/// One pupil's journey, or why they have none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PupilRow {
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

/// The stop rows of a plan.
pub fn stop_rows(plan: &Plan) -> Vec<StopRow> {
    let mut rows = Vec::new();
    for (ri, r) in plan.routes.iter().enumerate() {
        for (si, s) in r.stops.iter().enumerate() {
            rows.push(StopRow {
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
