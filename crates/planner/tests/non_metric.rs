//! Property tests on travel times that break the triangle inequality.
//!
//! Each random instance places homes, schools and depots in a 6 km square
//! and perturbs every travel time and distance of the true (Euclidean)
//! metric by an independent factor in [0.8, 1.2], so the matrices are
//! asymmetric and non-metric, as road matrices from snapped points, one-way
//! streets and turn restrictions are. Then:
//!
//! 1. every plan the planner returns passes the validator, and every one of
//!    its runs passes an independent brute-force check written here: the
//!    run's time rules as a system of difference constraints (Bellman–Ford)
//!    admit a schedule, and the plan's own times satisfy every constraint;
//! 2. on random visiting sequences the validator agrees with that
//!    brute-force check: when a schedule exists, the validator accepts the
//!    least one; when none exists, the validator rejects the earliest one;
//! 3. shifting the times of a run's tail by a random amount, the validator
//!    reports a time rule exactly when the plan's times break a constraint.

mod common;

use common::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use senroute_model::*;
use senroute_planner::{plan, PlanOptions};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

fn solve(problem: &Problem, travel: &TravelTimes, seed: u64) -> Plan {
    let options = PlanOptions {
        time_limit: None,
        iteration_limit: Some(300),
        seed,
        threads: 1,
        cancel: Arc::new(AtomicBool::new(false)),
    };
    plan(problem, travel, &options, &|_| {}).plan
}

#[test]
fn plans_on_non_metric_matrices_are_valid_and_agree_with_brute_force() {
    let mut rng = StdRng::seed_from_u64(11);
    let (mut instances, mut routes, mut broken_total, mut placed) = (0, 0, 0, 0);
    for i in 0..120 {
        let session = if i % 3 == 2 { Session::Pm } else { Session::Am };
        let (problem, broken) = random_problem(&mut rng, session);
        broken_total += usize::from(broken > 0);
        let travel = TravelTimes::from_matrices(problem.matrices.as_ref().unwrap()).unwrap();
        let plan = solve(&problem, &travel, i);
        let v = validate(&problem, &travel, &plan);
        assert!(v.is_empty(), "instance {i}: {v:#?}\n{problem:#?}");
        for route in &plan.routes {
            let vt = problem.vehicle_type(&route.vehicle_type).unwrap();
            let (events, times) = events_of(&problem, route);
            let exact = constraints(&problem, &travel, vt, &events, 0.0);
            assert!(
                satisfies(&exact, &times),
                "instance {i}: plan times break a constraint"
            );
            assert!(
                least_schedule(&exact).is_some(),
                "instance {i}: no schedule exists"
            );
            routes += 1;
        }
        placed += plan.rides.len();
        instances += 1;
    }
    eprintln!(
        "{instances} instances ({broken_total} non-metric), {routes} runs, {placed} pupils placed"
    );
    assert_eq!(
        broken_total, instances,
        "every instance breaks the triangle inequality"
    );
    assert!(
        placed > 3 * instances,
        "the instances are not trivially infeasible"
    );
}

#[test]
fn validator_agrees_with_brute_force_on_random_sequences() {
    let mut rng = StdRng::seed_from_u64(12);
    let (mut feasible, mut infeasible) = (0, 0);
    for i in 0..400 {
        let session = if i % 2 == 0 { Session::Am } else { Session::Pm };
        let (problem, _) = random_problem(&mut rng, session);
        let travel = TravelTimes::from_matrices(problem.matrices.as_ref().unwrap()).unwrap();
        let vt = &problem.fleet[rng.random_range(0..problem.fleet.len())];
        // a random interleaving of 1-4 pupils' pick-ups and drops
        let k = rng.random_range(1..=4.min(problem.pupils.len()));
        let mut chosen: Vec<&Pupil> = problem.pupils.iter().collect();
        for j in 0..k {
            let s = rng.random_range(j..chosen.len());
            chosen.swap(j, s);
        }
        chosen.truncate(k);
        let mut waiting: Vec<&Pupil> = chosen.clone();
        let mut on_board: Vec<&Pupil> = Vec::new();
        let mut events = Vec::new();
        while !waiting.is_empty() || !on_board.is_empty() {
            let board = !waiting.is_empty() && (on_board.is_empty() || rng.random_bool(0.5));
            if board {
                let p = waiting.swap_remove(rng.random_range(0..waiting.len()));
                events.push(event(&problem, p, StopKind::Pickup));
                on_board.push(p);
            } else {
                let p = on_board.swap_remove(rng.random_range(0..on_board.len()));
                events.push(event(&problem, p, StopKind::Drop));
            }
        }
        let exact = constraints(&problem, &travel, vt, &events, 0.0);
        let relaxed = constraints(&problem, &travel, vt, &events, TOL);
        if let Some(y) = least_schedule(&exact) {
            let (route, rides) = route_with_times(&problem, &travel, vt, &events, &y);
            let found = time_findings(&problem, &travel, route, rides);
            assert!(
                found.is_empty(),
                "sequence {i}: a schedule exists but {found:#?}"
            );
            feasible += 1;
        } else if least_schedule(&relaxed).is_none() {
            // No schedule exists: the earliest timetable must be rejected.
            let mut y = vec![vt.shift.open.secs_f64()];
            for (j, e) in events.iter().enumerate() {
                let prev_key = if j == 0 {
                    LocationKey::Depot(vt.id.clone())
                } else {
                    events[j - 1].key.clone()
                };
                let prev_service = if j == 0 { 0.0 } else { events[j - 1].service };
                let reach = y[j] + prev_service + travel.duration(&prev_key, &e.key).unwrap();
                y.push(reach.max(e.open));
            }
            let last = events.last().unwrap();
            y.push(
                y[events.len()]
                    + last.service
                    + travel
                        .duration(&last.key, &LocationKey::Depot(vt.id.clone()))
                        .unwrap(),
            );
            assert!(!satisfies(&exact, &y));
            let (route, rides) = route_with_times(&problem, &travel, vt, &events, &y);
            let found = time_findings(&problem, &travel, route, rides);
            assert!(
                !found.is_empty(),
                "sequence {i}: no schedule exists but the validator accepts"
            );
            infeasible += 1;
        }
    }
    eprintln!("{feasible} feasible and {infeasible} infeasible sequences agreed");
    assert!(
        feasible >= 50 && infeasible >= 50,
        "{feasible} / {infeasible}"
    );
}

#[test]
fn shifted_times_are_caught_exactly_when_they_break_a_constraint() {
    let mut rng = StdRng::seed_from_u64(13);
    let (mut broken, mut fine) = (0, 0);
    for i in 0..60 {
        let session = if i % 2 == 0 { Session::Am } else { Session::Pm };
        let (problem, _) = random_problem(&mut rng, session);
        let travel = TravelTimes::from_matrices(problem.matrices.as_ref().unwrap()).unwrap();
        let plan = solve(&problem, &travel, i);
        for (ri, route) in plan.routes.iter().enumerate() {
            let vt = problem.vehicle_type(&route.vehicle_type).unwrap();
            for _ in 0..6 {
                let mut shifted = plan.clone();
                let stops = &mut shifted.routes[ri].stops;
                let from = rng.random_range(1..stops.len());
                let delta =
                    [-120.0, -30.0, -1.0, 1.0, 30.0, 120.0, 600.0, 1800.0][rng.random_range(0..8)];
                // The vehicle still arrives at the first shifted stop when
                // it can (it waits there longer, or is claimed to start
                // before it could have arrived); later stops shift whole.
                let arrived = stops[from].arrival_s;
                for s in &mut stops[from..] {
                    s.arrival_s += delta;
                    s.service_start_s += delta;
                    s.departure_s += delta;
                }
                stops[from].arrival_s = arrived.min(stops[from].service_start_s);
                let (events, times) = events_of(&problem, &shifted.routes[ri]);
                let exact = constraints(&problem, &travel, vt, &events, 0.0);
                let ok = satisfies(&exact, &times);
                let found: Vec<Violation> = validate(&problem, &travel, &shifted)
                    .into_iter()
                    .filter(|v| is_time_rule(v.rule) && v.route == Some(ri))
                    .collect();
                assert_eq!(
                    found.is_empty(),
                    ok,
                    "instance {i} run {ri}: shifted from stop {from} by {delta} s: {found:#?}"
                );
                if ok {
                    fine += 1;
                } else {
                    broken += 1;
                }
            }
        }
    }
    eprintln!("{broken} shifted runs broke a rule, {fine} did not; the validator agreed on all");
    assert!(broken >= 50 && fine >= 20, "{broken} / {fine}");
}
