//! `retime`: a plan written out as `routes.csv` (vehicles and stop order,
//! no times) and read back gets exactly the times, figures and rides the
//! planner gave it, on random non-metric problems; a run edited so that it
//! breaks a rule is still timed, for the validator to measure.

mod common;

use common::*;
use rand::rngs::StdRng;
use rand::SeedableRng;
use senroute_model::*;
use senroute_planner::{plan, retime, PlanOptions};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

fn solve(problem: &Problem, travel: &TravelTimes, seed: u64) -> Plan {
    let options = PlanOptions {
        time_limit: None,
        iteration_limit: Some(200),
        seed,
        threads: 1,
        cancel: Arc::new(AtomicBool::new(false)),
    };
    plan(problem, travel, &options, &|_| {}).plan
}

fn read_back(problem: &Problem, plan: &Plan) -> AnyPlan {
    let mut csv = Vec::new();
    senroute_model::csv_out::write_routes_csv(problem, plan, &mut csv).unwrap();
    read_routes_csv("routes.csv", csv.as_slice(), problem).unwrap()
}

#[test]
fn a_plan_read_back_from_routes_csv_gets_the_planners_times() {
    let mut rng = StdRng::seed_from_u64(23);
    let mut runs = 0;
    for i in 0..40 {
        let session = if i % 2 == 1 { Session::Pm } else { Session::Am };
        let (problem, _) = random_problem(&mut rng, session);
        let travel = TravelTimes::from_matrices(problem.matrices.as_ref().unwrap()).unwrap();
        let planned = solve(&problem, &travel, i);
        if planned.routes.is_empty() {
            continue;
        }
        let AnyPlan::Session(untimed) = read_back(&problem, &planned) else {
            panic!("a session plan")
        };
        assert!(untimed.routes.iter().all(|r| r.duration_s == 0.0));
        let AnyPlan::Session(timed) = retime(&problem, &travel, &AnyPlan::Session(untimed)) else {
            panic!("a session plan")
        };
        assert_eq!(timed.routes.len(), planned.routes.len());
        for (a, b) in timed.routes.iter().zip(&planned.routes) {
            assert_eq!(a.label(), b.label(), "instance {i}");
            assert_eq!(a.stops.len(), b.stops.len(), "instance {i}");
            for (x, y) in a.stops.iter().zip(&b.stops) {
                assert_eq!(x.pupils, y.pupils, "instance {i}");
                assert!((x.arrival_s - y.arrival_s).abs() < 1e-6, "instance {i}");
                assert!((x.departure_s - y.departure_s).abs() < 1e-6, "instance {i}");
                assert_eq!(x.load, y.load, "instance {i}");
            }
            assert!((a.cost - b.cost).abs() < 1e-6, "instance {i}");
            runs += 1;
        }
        assert_eq!(timed.rides.len(), planned.rides.len(), "instance {i}");
        assert!((timed.totals.cost - planned.totals.cost).abs() < 1e-6);
        let v = validate(&problem, &travel, &timed);
        assert!(v.is_empty(), "instance {i}: {v:#?}");
    }
    assert!(runs > 40, "{runs} runs");
}

#[test]
fn a_run_whose_stops_are_reversed_is_timed_and_found_wanting() {
    let mut rng = StdRng::seed_from_u64(5);
    let mut found = 0;
    for i in 0..20 {
        let (problem, _) = random_problem(&mut rng, Session::Am);
        let travel = TravelTimes::from_matrices(problem.matrices.as_ref().unwrap()).unwrap();
        let planned = solve(&problem, &travel, i);
        if planned.routes.is_empty() {
            continue;
        }
        let AnyPlan::Session(mut untimed) = read_back(&problem, &planned) else {
            panic!("a session plan")
        };
        let Some(r) = untimed.routes.first_mut() else {
            continue;
        };
        // Drops first, then pick-ups: every pupil alights before boarding.
        let n = r.stops.len();
        r.stops[1..n - 1].reverse();
        let timed = retime(&problem, &travel, &AnyPlan::Session(untimed));
        let AnyPlan::Session(timed) = &timed else {
            panic!("a session plan")
        };
        let run = &timed.routes[0];
        assert!(run.duration_s > 0.0, "instance {i}: the run is timed");
        for w in run.stops.windows(2) {
            assert!(w[1].arrival_s >= w[0].departure_s - 1e-6, "instance {i}");
        }
        let v = validate(&problem, &travel, timed);
        assert!(
            v.iter()
                .any(|v| v.rule == Rule::Precedence && v.route == Some(0)),
            "instance {i}: {v:#?}"
        );
        // Nothing but the order is wrong with the times.
        assert!(
            !v.iter().any(|v| v.rule == Rule::Timing),
            "instance {i}: {v:#?}"
        );
        found += 1;
    }
    assert!(found > 10);
}
