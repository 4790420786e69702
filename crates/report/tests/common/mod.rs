//! A small hand-built SEN problem in Camden/Westminster and a plan for it,
//! scheduled with any travel function (straight-line speed or the roads).
#![allow(dead_code)]

use senroute_model::*;
use std::path::PathBuf;

/// Path of a file under the repository root.
pub fn repo(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

/// The bundled mixed Camden + Westminster + City drive network.
pub const MIXED: &str = "data/osm/london_camden_westminster_city_drive_mixed.osm.pbf";

/// A school name that would run script if it were not escaped.
pub const EVIL_SCHOOL: &str = "<script>alert('x')</script> & Sons";

fn school(id: &str, name: &str, lat: f64, lon: f64) -> School {
    School {
        id: id.into(),
        name: name.into(),
        location: Location::new(lat, lon),
        borough: None,
        phase: Phase::Secondary,
        am_arrival: TimeWindow::new(TimeOfDay::hm(8, 30), TimeOfDay::hm(8, 50)),
        pm_departure: TimeWindow::new(TimeOfDay::hm(15, 0), TimeOfDay::hm(15, 20)),
        dwell_minutes: 2,
    }
}

fn pupil(id: &str, school: &str, lat: f64, lon: f64) -> Pupil {
    Pupil {
        id: id.into(),
        home: Location::new(lat, lon),
        school: school.into(),
        sessions: Sessions::Both,
        borough: None,
        phase: None,
        needs: Needs::default(),
        extra: Default::default(),
    }
}

fn vehicle(id: &str, count: u32, seats: u32, lat: f64, lon: f64) -> VehicleType {
    VehicleType {
        id: id.into(),
        count,
        depot: Location::new(lat, lon),
        seats,
        wheelchair_spaces: 0,
        seats_per_wheelchair_space: 0,
        tail_lift: false,
        passenger_assistant: false,
        fixed_cost_per_day: 100.0,
        cost_per_km: 1.0,
        cost_per_hour: 20.0,
        assistant_cost_per_day: 0.0,
        max_duty_minutes: 180,
        shift: TimeWindow::new(TimeOfDay::hm(6, 30), TimeOfDay::hm(11, 0)),
        pm_shift: None,
        borough: None,
        max_schools_per_run: None,
    }
}

/// Two schools (one with a hostile name), seven pupils (P6 needs a
/// wheelchair space nobody has, P7 is left for lack of vehicles), a bus and
/// a taxi type.
pub fn problem() -> Problem {
    let mut pupils = vec![
        pupil("P1", "S1", 51.5290, -0.1390),
        pupil("P2", "S1", 51.5255, -0.1330),
        pupil("P3", "S1", 51.5230, -0.1440),
        pupil("P4", "S2", 51.5120, -0.1500),
        pupil("P5", "S2", 51.5060, -0.1420),
        pupil("P6", "S1", 51.5180, -0.1250),
        pupil("P7<b>", "S2", 51.5010, -0.1300),
    ];
    pupils[5].needs.wheelchair = true;
    // A one-minute cap P3 cannot meet: the plan has one pupil over the cap.
    pupils[2].needs.max_ride_minutes = Some(1);
    Problem {
        pupils,
        schools: vec![
            school("S1", EVIL_SCHOOL, 51.5205, -0.1355),
            school("S2", "Westminster Learning Centre", 51.4985, -0.1390),
        ],
        fleet: vec![
            vehicle("BUS", 1, 8, 51.5320, -0.1240),
            vehicle("TAXI", 1, 3, 51.5140, -0.1620),
        ],
        session: Session::Am,
        settings: Settings::default(),
        matrices: None,
    }
}

/// A straight-line travel function: 20 km/h over the great-circle
/// distance. Returns (seconds, metres).
pub fn straight(a: Location, b: Location) -> (f64, f64) {
    let m = a.haversine_m(&b);
    (m / (20.0 / 3.6), m)
}

fn key_location(p: &Problem, key: &LocationKey) -> Location {
    match key {
        LocationKey::Home(id) => p.pupil(id).unwrap().home,
        LocationKey::School(id) => p.school(id).unwrap().location,
        LocationKey::Depot(id) => p.vehicle_type(id).unwrap().depot,
    }
}

/// Schedules a run visiting `pickups` (pupil ids, one stop each) and then
/// dropping them at their schools in order of first appearance, back to the
/// depot. Returns the route and its rides (route index `index`).
fn run(
    p: &Problem,
    travel: &dyn Fn(&LocationKey, &LocationKey) -> (f64, f64),
    vt: &str,
    depart: f64,
    pickups: &[&str],
    route_index: usize,
) -> (Route, Vec<PupilRide>) {
    let v = p.vehicle_type(vt).unwrap();
    let mut keys: Vec<(StopKind, LocationKey, Vec<String>)> =
        vec![(StopKind::Depot, LocationKey::Depot(vt.into()), vec![])];
    for id in pickups {
        keys.push((
            StopKind::Pickup,
            LocationKey::Home((*id).into()),
            vec![(*id).into()],
        ));
    }
    let mut schools: Vec<String> = Vec::new();
    for id in pickups {
        let s = p.pupil(id).unwrap().school.clone();
        if !schools.contains(&s) {
            schools.push(s);
        }
    }
    for s in &schools {
        let ids = pickups
            .iter()
            .filter(|id| &p.pupil(id).unwrap().school == s)
            .map(|id| (*id).to_string())
            .collect();
        keys.push((StopKind::Drop, LocationKey::School(s.clone()), ids));
    }
    keys.push((StopKind::Depot, LocationKey::Depot(vt.into()), vec![]));

    let mut stops: Vec<Stop> = Vec::new();
    let mut t = depart;
    let mut dist = 0.0;
    let mut load = Load::default();
    let mut picked_at = std::collections::HashMap::new();
    let mut rides = Vec::new();
    for (kind, key, ids) in keys {
        if let Some(prev) = stops.last() {
            let (dt, dm) = travel(&prev.location_key, &key);
            t = prev.departure_s + dt;
            dist += dm;
        }
        let arrival = t;
        let start = match (kind, &key) {
            (StopKind::Drop, LocationKey::School(id)) => {
                arrival.max(p.school(id).unwrap().am_arrival.open.secs_f64())
            }
            _ => arrival,
        };
        let service: f64 = ids
            .iter()
            .map(|id| {
                let pu = p.pupil(id).unwrap();
                if kind == StopKind::Pickup {
                    p.home_service_seconds(pu)
                } else {
                    p.school_service_seconds(pu)
                }
            })
            .sum();
        let departure = start + service;
        match kind {
            StopKind::Pickup => {
                load.seated += ids.len() as u32;
                for id in &ids {
                    picked_at.insert(id.clone(), departure);
                }
            }
            StopKind::Drop => {
                load.seated -= ids.len() as u32;
                for id in &ids {
                    let pu = p.pupil(id).unwrap();
                    let pickup_s = picked_at[id];
                    rides.push(PupilRide {
                        pupil: id.clone(),
                        route: route_index,
                        pickup_s,
                        drop_s: start,
                        ride_s: start - pickup_s,
                        max_ride_s: p.max_ride_seconds(pu).unwrap(),
                    });
                }
            }
            StopKind::Depot => {}
        }
        stops.push(Stop {
            kind,
            location: key_location(p, &key),
            location_key: key,
            pupils: ids,
            arrival_s: arrival,
            service_start_s: start,
            departure_s: departure,
            load,
        });
    }
    let duration_s = stops.last().unwrap().arrival_s - stops[0].departure_s;
    let cost = v.daily_fixed_cost()
        + dist / 1000.0 * v.cost_per_km
        + duration_s / 3600.0 * v.cost_per_hour;
    (
        Route {
            vehicle_type: vt.into(),
            vehicle_index: 0,
            stops,
            distance_m: dist,
            duration_s,
            cost,
        },
        rides,
    )
}

/// The plan: BUS #1 picks up P1–P3 for the school with the hostile name,
/// TAXI #1 picks up P4 and P5 for Westminster; P6 and P7 are unassigned.
pub fn plan(p: &Problem, travel: &dyn Fn(&LocationKey, &LocationKey) -> (f64, f64)) -> Plan {
    let (r1, mut rides) = run(
        p,
        travel,
        "BUS",
        7.0 * 3600.0 + 45.0 * 60.0,
        &["P1", "P2", "P3"],
        0,
    );
    let (r2, rides2) = run(
        p,
        travel,
        "TAXI",
        7.0 * 3600.0 + 50.0 * 60.0,
        &["P4", "P5"],
        1,
    );
    rides.extend(rides2);
    let mut plan = Plan {
        session: Session::Am,
        routes: vec![r1, r2],
        rides,
        unassigned: vec![
            Unassigned {
                pupil: "P6".into(),
                reason: UnassignedReason::NoCompatibleVehicle {
                    detail: "BUS: no wheelchair space; TAXI: no wheelchair space".into(),
                },
            },
            Unassigned {
                pupil: "P7<b>".into(),
                reason: UnassignedReason::FleetCapacity {
                    detail: "all 2 vehicles are full at 08:30".into(),
                },
            },
        ],
        totals: Totals::default(),
    };
    plan.compute_totals();
    plan
}

/// The plan scheduled with [`straight`] travel.
pub fn straight_plan(p: &Problem) -> Plan {
    plan(p, &|a, b| straight(key_location(p, a), key_location(p, b)))
}
