//! Writing a [`Problem`] as the coordinators' three CSV files
//! (`pupils.csv`, `schools.csv`, `fleet.csv`) that
//! [`crate::read_problem_files`] reads back: the schema's other half, next
//! to the reader, so that a new column is added in one crate.

use crate::problem::{Phase, Problem, Sessions};
use crate::time::TimeOfDay;

/// Header of `pupils.csv`, in the order written (the columns of
/// [`crate::csv_in::PUPIL_COLUMNS`] plus the home coordinates).
pub const PUPILS_HEADER: [&str; 19] = [
    "id",
    "home_lat",
    "home_lon",
    "school",
    "sessions",
    "borough",
    "phase",
    "wheelchair",
    "tail_lift",
    "passenger_assistant",
    "travel_alone",
    "must_not_travel_with",
    "extra_boarding_minutes",
    "max_ride_minutes",
    "earliest_pickup",
    "vehicle_types",
    "not_vehicle_types",
    "earliest_dropoff",
    "latest_dropoff",
];

/// Header of `schools.csv`, in the order written (the columns of
/// [`crate::csv_in::SCHOOL_COLUMNS`] plus the coordinates).
pub const SCHOOLS_HEADER: [&str; 11] = [
    "id",
    "name",
    "lat",
    "lon",
    "borough",
    "phase",
    "am_arrival_open",
    "am_arrival_close",
    "pm_departure_open",
    "pm_departure_close",
    "dwell_minutes",
];

/// Header of `fleet.csv`, in the order written (the columns of
/// [`crate::csv_in::FLEET_COLUMNS`] plus the depot coordinates).
pub const FLEET_HEADER: [&str; 20] = [
    "id",
    "count",
    "depot_lat",
    "depot_lon",
    "seats",
    "wheelchair_spaces",
    "seats_per_wheelchair_space",
    "tail_lift",
    "passenger_assistant",
    "fixed_cost_per_day",
    "cost_per_km",
    "cost_per_hour",
    "assistant_cost_per_day",
    "max_duty_minutes",
    "shift_start",
    "shift_end",
    "borough",
    "max_schools_per_run",
    "pm_shift_start",
    "pm_shift_end",
];

fn yes(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

fn phase(p: Phase) -> String {
    match p {
        Phase::Primary => "primary",
        Phase::Secondary => "secondary",
        Phase::AllThrough => "all-through",
    }
    .to_string()
}

fn sessions(s: Sessions) -> String {
    match s {
        Sessions::Am => "am",
        Sessions::Pm => "pm",
        Sessions::Both => "both",
    }
    .to_string()
}

fn time(t: Option<TimeOfDay>) -> String {
    t.map(|t| t.to_string()).unwrap_or_default()
}

fn table(header: &[&str], rows: Vec<Vec<String>>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail.
    w.write_record(header).expect("write to memory");
    for r in rows {
        w.write_record(&r).expect("write to memory");
    }
    w.into_inner().expect("flush to memory")
}

/// The problem's three input files as bytes: `[("pupils.csv", …),
/// ("schools.csv", …), ("fleet.csv", …)]`. Numbers are written in their
/// shortest exact form, so the bytes depend only on the problem. Settings,
/// session and matrices are not part of these files.
pub fn write_problem(p: &Problem) -> [(&'static str, Vec<u8>); 3] {
    let pupils = p
        .pupils
        .iter()
        .map(|x| {
            let n = &x.needs;
            vec![
                x.id.clone(),
                x.home.lat.to_string(),
                x.home.lon.to_string(),
                x.school.clone(),
                sessions(x.sessions),
                x.borough.clone().unwrap_or_default(),
                x.phase.map(phase).unwrap_or_default(),
                yes(n.wheelchair),
                yes(n.tail_lift),
                yes(n.passenger_assistant),
                yes(n.travel_alone),
                n.must_not_travel_with.join(";"),
                n.extra_boarding_minutes.to_string(),
                n.max_ride_minutes
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
                time(n.earliest_pickup),
                n.vehicle_types.join(";"),
                n.not_vehicle_types.join(";"),
                time(n.earliest_dropoff),
                time(n.latest_dropoff),
            ]
        })
        .collect();
    let schools = p
        .schools
        .iter()
        .map(|s| {
            vec![
                s.id.clone(),
                s.name.clone(),
                s.location.lat.to_string(),
                s.location.lon.to_string(),
                s.borough.clone().unwrap_or_default(),
                phase(s.phase),
                s.am_arrival.open.to_string(),
                s.am_arrival.close.to_string(),
                s.pm_departure.open.to_string(),
                s.pm_departure.close.to_string(),
                s.dwell_minutes.to_string(),
            ]
        })
        .collect();
    let fleet = p
        .fleet
        .iter()
        .map(|v| {
            vec![
                v.id.clone(),
                v.count.to_string(),
                v.depot.lat.to_string(),
                v.depot.lon.to_string(),
                v.seats.to_string(),
                v.wheelchair_spaces.to_string(),
                v.seats_per_wheelchair_space.to_string(),
                yes(v.tail_lift),
                yes(v.passenger_assistant),
                v.fixed_cost_per_day.to_string(),
                v.cost_per_km.to_string(),
                v.cost_per_hour.to_string(),
                v.assistant_cost_per_day.to_string(),
                v.max_duty_minutes.to_string(),
                v.shift.open.to_string(),
                v.shift.close.to_string(),
                v.borough.clone().unwrap_or_default(),
                v.max_schools_per_run
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
                time(v.pm_shift.map(|w| w.open)),
                time(v.pm_shift.map(|w| w.close)),
            ]
        })
        .collect();
    [
        ("pupils.csv", table(&PUPILS_HEADER, pupils)),
        ("schools.csv", table(&SCHOOLS_HEADER, schools)),
        ("fleet.csv", table(&FLEET_HEADER, fleet)),
    ]
}
