//! Shared by the property tests and the soak: random SEN problems with
//! non-metric travel times, and an independent brute-force check of a run's
//! time rules as difference constraints.

#![allow(dead_code)]

use rand::rngs::StdRng;
use rand::Rng;
use senroute_model::*;
use std::collections::HashMap;

pub const TOL: f64 = TIME_TOLERANCE_S;

/// The rules about time; the others (capacity, features, ...) are not what
/// these tests exercise.
pub fn is_time_rule(r: Rule) -> bool {
    matches!(r, Rule::Timing | Rule::Window | Rule::RideTime | Rule::Duty)
}

fn coords(rng: &mut StdRng) -> (f64, f64) {
    (rng.random_range(0.0..6000.0), rng.random_range(0.0..6000.0))
}

fn location((x, y): (f64, f64)) -> Location {
    // ~111 km per degree of latitude, ~69 km per degree of longitude in London
    Location::new(51.50 + y / 111_000.0, -0.15 + x / 69_000.0)
}

/// Sizes and awkwardness of a random problem.
pub struct Shape {
    /// Pupils.
    pub pupils: usize,
    /// Schools.
    pub schools: usize,
    /// Vehicle types.
    pub vehicle_types: usize,
    /// Each travel time and distance is the true one times a factor in
    /// `[1 - perturbation, 1 + perturbation]`.
    pub perturbation: f64,
    /// Probability that a pupil lives at the same point as the previous one
    /// (ties: zero-length legs between different homes).
    pub same_home: f64,
    /// Probability of a must-not-travel-with pair per pupil.
    pub conflicts: f64,
}

/// A small problem: 3-8 pupils, 1-2 schools, 1-2 vehicle types, ±20 %.
pub fn small_shape(rng: &mut StdRng) -> Shape {
    Shape {
        pupils: rng.random_range(3..=8),
        schools: rng.random_range(1..=2),
        vehicle_types: rng.random_range(1..=2),
        perturbation: 0.2,
        same_home: 0.0,
        conflicts: 0.0,
    }
}

/// A random SEN problem of [`small_shape`].
pub fn random_problem(rng: &mut StdRng, session: Session) -> (Problem, usize) {
    let shape = small_shape(rng);
    random_problem_of(rng, session, &shape)
}

/// A random SEN problem with its own non-metric matrices. Returns the
/// problem and how many (i, j, k) triples break the triangle inequality.
pub fn random_problem_of(rng: &mut StdRng, session: Session, shape: &Shape) -> (Problem, usize) {
    let n_schools = shape.schools;
    let n_pupils = shape.pupils;
    let n_types = shape.vehicle_types;
    let mut last_home = coords(rng);
    let mut xy: HashMap<LocationKey, (f64, f64)> = HashMap::new();
    let schools: Vec<School> = (0..n_schools)
        .map(|s| {
            let c = coords(rng);
            let id = format!("S{s}");
            xy.insert(LocationKey::School(id.clone()), c);
            let open = 8 * 60 + 20 + rng.random_range(0..30);
            let pm = 15 * 60 + rng.random_range(0..30);
            School {
                id,
                name: format!("School {s}"),
                location: location(c),
                borough: None,
                phase: Phase::Secondary,
                am_arrival: TimeWindow::new(
                    TimeOfDay::hm(open / 60, open % 60),
                    TimeOfDay::hm((open + 20) / 60, (open + 20) % 60),
                ),
                pm_departure: TimeWindow::new(
                    TimeOfDay::hm(pm / 60, pm % 60),
                    TimeOfDay::hm((pm + 20) / 60, (pm + 20) % 60),
                ),
                dwell_minutes: rng.random_range(0..=3),
            }
        })
        .collect();
    let mut pupils: Vec<Pupil> = (0..n_pupils)
        .map(|i| {
            let c = if rng.random_bool(shape.same_home) {
                last_home
            } else {
                coords(rng)
            };
            last_home = c;
            let id = format!("P{i}");
            xy.insert(LocationKey::Home(id.clone()), c);
            let school = format!("S{}", rng.random_range(0..n_schools));
            let s = xy[&LocationKey::School(school.clone())];
            let direct_min = ((c.0 - s.0).hypot(c.1 - s.1) / 20_000.0 * 60.0).ceil() as u32;
            let mut needs = Needs {
                wheelchair: rng.random_bool(0.15),
                travel_alone: rng.random_bool(0.08),
                extra_boarding_minutes: rng.random_range(0..=2),
                // tight caps: 1.1–2.2 times the direct journey, plus boarding
                max_ride_minutes: Some(
                    (f64::from(direct_min) * rng.random_range(1.1..2.2)).ceil() as u32 + 3,
                ),
                ..Needs::default()
            };
            if session == Session::Am && rng.random_bool(0.2) {
                let t = 7 * 60 + 30 + rng.random_range(0..50);
                needs.earliest_pickup = Some(TimeOfDay::hm(t / 60, t % 60));
            }
            needs.passenger_assistant = rng.random_bool(0.2);
            Pupil {
                id,
                home: location(c),
                school,
                sessions: Sessions::Both,
                borough: None,
                phase: None,
                needs,
                extra: Default::default(),
            }
        })
        .collect();
    for i in 0..n_pupils {
        if n_pupils > 1 && rng.random_bool(shape.conflicts) {
            let other = (i + rng.random_range(1..n_pupils)) % n_pupils;
            let id = pupils[other].id.clone();
            pupils[i].needs.must_not_travel_with.push(id);
        }
    }
    let fleet: Vec<VehicleType> = (0..n_types)
        .map(|v| {
            let c = coords(rng);
            let id = format!("V{v}");
            xy.insert(LocationKey::Depot(id.clone()), c);
            let wheelchair_spaces = rng.random_range(0..=1);
            VehicleType {
                id,
                count: rng.random_range(1..=(n_pupils as u32 / 3).max(3)),
                depot: location(c),
                seats: rng.random_range(2..=6),
                wheelchair_spaces,
                seats_per_wheelchair_space: rng.random_range(0..=1),
                tail_lift: wheelchair_spaces > 0,
                passenger_assistant: rng.random_bool(0.6),
                fixed_cost_per_day: 100.0,
                cost_per_km: 1.0,
                cost_per_hour: rng.random_range(0.0..20.0),
                assistant_cost_per_day: 40.0,
                max_duty_minutes: rng.random_range(60..=180),
                shift: match session {
                    Session::Pm => TimeWindow::new(TimeOfDay::hm(14, 0), TimeOfDay::hm(18, 0)),
                    Session::Am | Session::Day => {
                        TimeWindow::new(TimeOfDay::hm(6, 30), TimeOfDay::hm(10, 30))
                    }
                },
                pm_shift: None,
                borough: None,
                max_schools_per_run: None,
            }
        })
        .collect();
    let mut problem = Problem {
        pupils,
        schools,
        fleet,
        session,
        settings: Settings::default(),
        matrices: None,
    };
    // Non-metric matrices: the true metric (20 km/h) times a factor in
    // [0.8, 1.2], independently per ordered pair.
    let keys: Vec<LocationKey> = problem.locations().into_iter().map(|(k, _)| k).collect();
    let n = keys.len();
    let mut durations = vec![vec![0.0; n]; n];
    let mut distances = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..n {
            if i != j {
                let (a, b) = (xy[&keys[i]], xy[&keys[j]]);
                let d = (a.0 - b.0).hypot(a.1 - b.1);
                let (lo, hi) = (1.0 - shape.perturbation, 1.0 + shape.perturbation);
                let mut factor = || {
                    if hi > lo {
                        rng.random_range(lo..hi)
                    } else {
                        1.0
                    }
                };
                distances[i][j] = (d * factor()).round();
                durations[i][j] = (d / 20_000.0 * 3600.0 * factor()).round();
            }
        }
    }
    let mut broken = 0;
    for i in 0..n {
        for j in 0..n {
            for k in 0..n {
                if i != j && j != k && i != k && durations[i][j] + durations[j][k] < durations[i][k]
                {
                    broken += 1;
                }
            }
        }
    }
    problem.matrices = Some(Matrices {
        locations: keys,
        durations_s: durations,
        distances_m: distances,
    });
    (problem, broken)
}

/// One pupil served at one place: the unit of a run's timetable.
#[derive(Clone, Debug)]
pub struct Event {
    pub pupil: String,
    pub kind: StopKind,
    pub key: LocationKey,
    pub service: f64,
    /// Bounds on the start of the pupil's own service.
    pub open: f64,
    pub close: f64,
}

pub fn event(problem: &Problem, pupil: &Pupil, kind: StopKind) -> Event {
    let school = problem.school(&pupil.school).unwrap();
    let at_school = matches!(
        (kind, problem.session),
        (StopKind::Drop, Session::Am) | (StopKind::Pickup, Session::Pm)
    );
    let (key, service) = if at_school {
        (
            LocationKey::School(school.id.clone()),
            problem.school_service_seconds(pupil),
        )
    } else {
        (
            LocationKey::Home(pupil.id.clone()),
            problem.home_service_seconds(pupil),
        )
    };
    let (open, close) = match (kind, problem.session) {
        (StopKind::Drop, Session::Am) => (
            school.am_arrival.open.secs_f64(),
            school.am_arrival.close.secs_f64(),
        ),
        (StopKind::Pickup, Session::Pm) => (
            school.pm_departure.open.secs_f64(),
            school.pm_departure.close.secs_f64(),
        ),
        (StopKind::Pickup, Session::Am) => (
            pupil.needs.earliest_pickup.map_or(0.0, |t| t.secs_f64()),
            f64::INFINITY,
        ),
        _ => (0.0, f64::INFINITY),
    };
    Event {
        pupil: pupil.id.clone(),
        kind,
        key,
        service,
        open,
        close,
    }
}

/// Difference constraints `y_v >= y_u + w` over a run's events: position 0
/// is the depot departure, 1..=m the events (start of each pupil's own
/// service), m+1 the depot return.
pub struct Constraints {
    pub n: usize,
    pub edges: Vec<(usize, usize, f64)>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

pub fn constraints(
    problem: &Problem,
    travel: &TravelTimes,
    vt: &VehicleType,
    events: &[Event],
    slack: f64,
) -> Constraints {
    let depot = LocationKey::Depot(vt.id.clone());
    let m = events.len();
    let n = m + 2;
    let key = |k: usize| {
        if k == 0 || k == m + 1 {
            &depot
        } else {
            &events[k - 1].key
        }
    };
    let service = |k: usize| {
        if k == 0 || k == m + 1 {
            0.0
        } else {
            events[k - 1].service
        }
    };
    let mut edges = Vec::new();
    for k in 0..n - 1 {
        let t = travel.duration(key(k), key(k + 1)).unwrap();
        edges.push((k, k + 1, service(k) + t));
    }
    let mut lower = vec![f64::NEG_INFINITY; n];
    let mut upper = vec![f64::INFINITY; n];
    lower[0] = vt.shift.open.secs_f64() - slack;
    upper[n - 1] = vt.shift.close.secs_f64() + slack;
    for (i, e) in events.iter().enumerate() {
        lower[i + 1] = e.open - slack;
        upper[i + 1] = e.close + slack;
        if e.kind == StopKind::Drop {
            let p = events
                .iter()
                .position(|x| x.pupil == e.pupil && x.kind == StopKind::Pickup)
                .unwrap();
            let cap = problem
                .max_ride_seconds(problem.pupil(&e.pupil).unwrap())
                .unwrap();
            // y_d - (y_p + s_p) <= cap  <=>  y_p >= y_d - cap - s_p
            edges.push((i + 1, p + 1, -(cap + slack + events[p].service)));
        }
    }
    // duty: y_end - y_0 <= D
    edges.push((n - 1, 0, -(f64::from(vt.max_duty_minutes) * 60.0 + slack)));
    Constraints {
        n,
        edges,
        lower,
        upper,
    }
}

/// The least schedule satisfying every constraint (Bellman–Ford, longest
/// paths), or `None` when none exists.
pub fn least_schedule(c: &Constraints) -> Option<Vec<f64>> {
    let mut y = c.lower.clone();
    for y0 in &mut y {
        if *y0 == f64::NEG_INFINITY {
            *y0 = 0.0;
        }
    }
    for _ in 0..=c.n + 1 {
        let mut changed = false;
        for &(u, v, w) in &c.edges {
            if y[u] + w > y[v] + 1e-9 {
                y[v] = y[u] + w;
                changed = true;
            }
        }
        if y.iter().zip(&c.upper).any(|(a, b)| a > b) {
            return None;
        }
        if !changed {
            return Some(y);
        }
    }
    None // a positive cycle: the ride and duty limits cannot all hold
}

/// Whether concrete times satisfy every constraint (to within `TOL`).
pub fn satisfies(c: &Constraints, y: &[f64]) -> bool {
    (0..c.n).all(|k| y[k] >= c.lower[k] - TOL && y[k] <= c.upper[k] + TOL)
        && c.edges.iter().all(|&(u, v, w)| y[v] >= y[u] + w - TOL)
}

/// The run's events and their concrete times (depot departure, each
/// pupil's own service start, depot return) from a plan's stops.
pub fn events_of(problem: &Problem, route: &Route) -> (Vec<Event>, Vec<f64>) {
    let mut events = Vec::new();
    let mut times = vec![route.stops[0].departure_s];
    for stop in &route.stops[1..route.stops.len() - 1] {
        let mut clock = stop.service_start_s;
        for id in &stop.pupils {
            let e = event(problem, problem.pupil(id).unwrap(), stop.kind);
            times.push(clock);
            clock += e.service;
            events.push(e);
        }
    }
    times.push(route.stops.last().unwrap().arrival_s);
    (events, times)
}

/// A run (one stop per event) with the given times, laid out as the
/// planner lays out its runs; costs and loads are filled in so that only
/// the rules under test can fail.
pub fn route_with_times(
    problem: &Problem,
    travel: &TravelTimes,
    vt: &VehicleType,
    events: &[Event],
    y: &[f64],
) -> (Route, Vec<PupilRide>) {
    let depot = LocationKey::Depot(vt.id.clone());
    let stop = |kind, key: LocationKey, pupils: Vec<String>, arr, start, dep, load| Stop {
        kind,
        location: vt.depot,
        location_key: key,
        pupils,
        arrival_s: arr,
        service_start_s: start,
        departure_s: dep,
        load,
    };
    let mut stops = vec![stop(
        StopKind::Depot,
        depot.clone(),
        vec![],
        y[0],
        y[0],
        y[0],
        Load::default(),
    )];
    let mut load = Load::default();
    let mut distance = 0.0;
    let mut boarded = HashMap::new();
    let mut rides = Vec::new();
    for (i, e) in events.iter().enumerate() {
        let prev = stops.last().unwrap();
        let arrival = prev.departure_s + travel.duration(&prev.location_key, &e.key).unwrap();
        distance += travel.distance(&prev.location_key, &e.key).unwrap();
        let wheelchair = problem.pupil(&e.pupil).unwrap().needs.wheelchair;
        let slot = if wheelchair {
            &mut load.wheelchair
        } else {
            &mut load.seated
        };
        let start = y[i + 1];
        if e.kind == StopKind::Pickup {
            *slot += 1;
            boarded.insert(e.pupil.clone(), start + e.service);
        } else {
            *slot = slot.saturating_sub(1);
            let from = boarded[&e.pupil];
            rides.push(PupilRide {
                pupil: e.pupil.clone(),
                route: 0,
                pickup_s: from,
                drop_s: start,
                ride_s: start - from,
                max_ride_s: problem
                    .max_ride_seconds(problem.pupil(&e.pupil).unwrap())
                    .unwrap(),
            });
        }
        stops.push(stop(
            e.kind,
            e.key.clone(),
            vec![e.pupil.clone()],
            arrival.min(start),
            start,
            start + e.service,
            load,
        ));
    }
    let last = stops.last().unwrap();
    distance += travel.distance(&last.location_key, &depot).unwrap();
    let end = *y.last().unwrap();
    stops.push(stop(StopKind::Depot, depot, vec![], end, end, end, load));
    let duration = end - y[0];
    let route = Route {
        vehicle_type: vt.id.clone(),
        vehicle_index: 0,
        stops,
        distance_m: distance,
        duration_s: duration,
        cost: vt.daily_fixed_cost()
            + vt.cost_per_km * distance / 1000.0
            + vt.cost_per_hour * duration / 3600.0,
    };
    (route, rides)
}

/// The validator's time-rule findings on a one-run plan.
pub fn time_findings(
    problem: &Problem,
    travel: &TravelTimes,
    route: Route,
    rides: Vec<PupilRide>,
) -> Vec<Violation> {
    let carried: Vec<&str> = rides.iter().map(|r| r.pupil.as_str()).collect();
    let unassigned = problem
        .travelling_pupils()
        .filter(|p| !carried.contains(&p.id.as_str()))
        .map(|p| Unassigned {
            pupil: p.id.clone(),
            reason: UnassignedReason::FleetCapacity {
                detail: "test".into(),
            },
        })
        .collect();
    let mut plan = Plan {
        session: problem.session,
        routes: vec![route],
        rides,
        unassigned,
        totals: Totals::default(),
    };
    plan.compute_totals();
    validate(problem, travel, &plan)
        .into_iter()
        .filter(|v| is_time_rule(v.rule))
        .collect()
}
