//! `timetables`: a given sequence is timed the way the search times its own
//! routes, and a sequence that breaks a rule still gets a timetable.

use senroute_solver::{
    solve, timetables, CapacityRule, FixedRoute, Instance, ObjectiveWeights, Request, SolverConfig,
    Stop, TravelMatrix, VehicleType, Violation, Visit, VisitKind,
};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// Depot at 0, two homes at 10 and 30, a school at 100 (on a line); the
/// school's window is [200, 220]; rides at most `max_ride`; `seats` seats.
fn instance(max_ride: f64, seats: i32) -> Instance {
    let coords = [(0.0, 0.0), (10.0, 0.0), (30.0, 0.0), (100.0, 0.0)];
    let m = Instance::euclidean_matrices(&coords);
    let req = |home: usize| Request {
        pickup: Some(Stop {
            location: home,
            tw_open: 0.0,
            tw_close: 220.0,
            service: 5.0,
        }),
        delivery: Some(Stop {
            location: 3,
            tw_open: 200.0,
            tw_close: 220.0,
            service: 2.0,
        }),
        load: vec![1],
        max_ride: Some(max_ride),
        required_features: 0,
        travel_alone: false,
        conflicts: vec![],
        ride_time_weight: None,
        vehicle_types: None,
        preference: None,
        group: None,
    };
    Instance {
        matrix: TravelMatrix::dense(4, m.clone(), m).unwrap().into(),
        fixed_routes: Vec::new(),
        initial_routes: Vec::new(),
        requests: vec![req(1), req(2)],
        vehicle_types: vec![VehicleType {
            count: 1,
            start_location: 0,
            end_location: 0,
            capacity: vec![CapacityRule {
                coef: vec![1],
                limit: seats,
            }],
            features: 0,
            fixed_cost: 10.0,
            cost_per_distance: 1.0,
            cost_per_duration: 0.1,
            shift_open: 0.0,
            shift_close: 1000.0,
            max_duration: None,
            max_groups: None,
        }],
        objective: ObjectiveWeights::default(),
    }
}

fn v(request: usize, kind: VisitKind) -> Visit {
    Visit { request, kind }
}

fn both_on_one_run() -> FixedRoute {
    FixedRoute {
        vehicle_type: 0,
        visits: vec![
            v(0, VisitKind::Pickup),
            v(1, VisitKind::Pickup),
            v(0, VisitKind::Delivery),
            v(1, VisitKind::Delivery),
        ],
    }
}

#[test]
fn a_feasible_sequence_gets_the_search_timetable() {
    let mut inst = instance(150.0, 4);
    let t = timetables(&inst, &[both_on_one_run()]).remove(0).unwrap();
    assert_eq!(t.violation, None);
    // The search keeps the same route as given and times it the same way.
    inst.fixed_routes = vec![both_on_one_run()];
    let cfg = SolverConfig {
        time_limit: None,
        iteration_limit: Some(10),
        seed: 1,
        threads: 1,
        cancel: Arc::new(AtomicBool::new(false)),
    };
    let sol = solve(&inst, &cfg, &|_| {});
    assert_eq!(sol.routes.len(), 1);
    assert_eq!(sol.routes[0].visits, t.route.visits);
    assert_eq!(sol.routes[0].schedule, t.route.schedule);
    // Delayed departure: the school is reached no earlier than its window
    // opens, without waiting there with pupils on board.
    assert!(t.route.schedule.stops[2].arrival >= 200.0 - 1e-9);
    assert!((t.route.distance - 200.0).abs() < 1e-9);
}

#[test]
fn a_sequence_breaking_a_rule_is_still_timed() {
    // Ride at most 60: the first pupil rides 30 - 10 + 70 + 5 (boarding of the
    // second) = 95 at least.
    let inst = instance(60.0, 4);
    let t = timetables(&inst, &[both_on_one_run()]).remove(0).unwrap();
    assert_eq!(t.violation, Some(Violation::RideTime));
    let s = &t.route.schedule;
    let ride = s.stops[2].start - s.stops[0].departure;
    assert!(ride > 60.0, "ride {ride}");
    // Times are consistent: each arrival is the previous departure plus travel.
    assert!((s.stops[1].arrival - (s.stops[0].departure + 20.0)).abs() < 1e-9);
    // One seat: capacity, timed all the same.
    let inst = instance(150.0, 1);
    let t = timetables(&inst, &[both_on_one_run()]).remove(0).unwrap();
    assert_eq!(t.violation, Some(Violation::Capacity));
    assert!(t.route.schedule.stops[2].arrival >= 200.0 - 1e-9);
}

#[test]
fn a_repeated_or_unknown_visit_has_no_timetable() {
    let inst = instance(150.0, 4);
    let mut twice = both_on_one_run();
    twice.visits.push(v(0, VisitKind::Pickup));
    let unknown = FixedRoute {
        vehicle_type: 0,
        visits: vec![v(7, VisitKind::Pickup)],
    };
    let no_type = FixedRoute {
        vehicle_type: 3,
        ..both_on_one_run()
    };
    let r = timetables(&inst, &[twice, unknown, no_type]);
    assert!(r.iter().all(Option::is_none));
}
