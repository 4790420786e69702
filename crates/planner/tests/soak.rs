//! Soak check: many random instances with non-metric travel times, short
//! solves, every plan checked by the validator and by the brute-force
//! check of `common`. Ignored by default (about a minute); CI runs it:
//!
//! ```sh
//! cargo test -p senroute-planner --test soak -- --ignored --nocapture
//! ```
//!
//! `SENROUTE_SOAK_INSTANCES` sets the number of instances (default 400).

mod common;

use common::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use senroute_model::*;
use senroute_planner::{plan, PlanOptions};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

#[test]
#[ignore = "soak: run explicitly (CI does)"]
fn soak_random_non_metric_instances() {
    let instances: u64 = std::env::var("SENROUTE_SOAK_INSTANCES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400);
    let mut rng = StdRng::seed_from_u64(20261201);
    let (mut pupils, mut placed, mut runs, mut empty_fleets) = (0, 0, 0, 0);
    let mut tightest: f64 = 0.0; // largest ride / cap seen
    let started = std::time::Instant::now();
    for i in 0..instances {
        let session = if rng.random_bool(0.5) {
            Session::Am
        } else {
            Session::Pm
        };
        let shape = Shape {
            pupils: rng.random_range(1..=40),
            schools: rng.random_range(1..=3),
            vehicle_types: rng.random_range(1..=3),
            perturbation: [0.0, 0.1, 0.2, 0.3][rng.random_range(0..4)],
            same_home: [0.0, 0.2][rng.random_range(0..2)],
            conflicts: [0.0, 0.1][rng.random_range(0..2)],
        };
        let (mut problem, _) = random_problem_of(&mut rng, session, &shape);
        if rng.random_bool(0.03) {
            for v in &mut problem.fleet {
                v.count = 0;
            }
            empty_fleets += 1;
        }
        let travel = TravelTimes::from_matrices(problem.matrices.as_ref().unwrap()).unwrap();
        let options = PlanOptions {
            time_limit: None,
            iteration_limit: Some(rng.random_range(50..=1500)),
            seed: i,
            threads: rng.random_range(1..=2),
            cancel: Arc::new(AtomicBool::new(false)),
        };
        let run = plan(&problem, &travel, &options, &|_| {});
        let violations = validate(&problem, &travel, &run.plan);
        assert!(
            violations.is_empty(),
            "instance {i}: {}\n{}",
            violations
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
            serde_json::to_string(&problem).unwrap()
        );
        for route in &run.plan.routes {
            let vt = problem.vehicle_type(&route.vehicle_type).unwrap();
            let (events, times) = events_of(&problem, route);
            let exact = constraints(&problem, &travel, vt, &events, 0.0);
            assert!(
                satisfies(&exact, &times),
                "instance {i}: times break a constraint"
            );
            runs += 1;
        }
        for ride in &run.plan.rides {
            assert!(
                ride.ride_s <= ride.max_ride_s + TOL,
                "instance {i}: {ride:?}"
            );
            tightest = tightest.max(ride.ride_s / ride.max_ride_s);
        }
        pupils += problem.pupils.len();
        placed += run.plan.rides.len();
    }
    eprintln!(
        "soak: {instances} instances ({empty_fleets} with an empty fleet), {pupils} pupils, \
         {placed} placed on {runs} runs, every plan valid; longest ride {:.1} % of its cap; {:.1} s",
        tightest * 100.0,
        started.elapsed().as_secs_f64()
    );
    assert!(placed > pupils / 2);
}
