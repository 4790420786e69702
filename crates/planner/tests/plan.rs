//! End to end through the planner: the plans it returns pass the independent
//! validator, unassigned pupils get the right reason, and runs are
//! reproducible.

use senroute_model::*;
use senroute_planner::{plan, PlanOptions};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

fn example(session: Session) -> Problem {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/example");
    read_problem_files(
        &d.join("pupils.csv"),
        &d.join("schools.csv"),
        &d.join("fleet.csv"),
        session,
        Settings::default(),
    )
    .unwrap()
}

fn options(iterations: u64, seed: u64) -> PlanOptions {
    PlanOptions {
        time_limit: None,
        iteration_limit: Some(iterations),
        seed,
        threads: 2,
        cancel: Arc::new(AtomicBool::new(false)),
    }
}

fn check(problem: &Problem, travel: &TravelTimes, plan: &Plan) {
    let v = validate(problem, travel, plan);
    assert!(
        v.is_empty(),
        "validator found:\n{}",
        v.iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn example_am_and_pm_plans_are_valid() {
    for session in [Session::Am, Session::Pm] {
        let mut p = example(session);
        if session == Session::Pm {
            for v in &mut p.fleet {
                v.shift = TimeWindow::new(TimeOfDay::hm(14, 0), TimeOfDay::hm(18, 0));
            }
        }
        let t = TravelTimes::straight_line(&p, 18.0, 1.35);
        let run = plan(&p, &t, &options(300, 7), &|_| {});
        check(&p, &t, &run.plan);
        assert_eq!(
            run.plan.totals.assigned + run.plan.totals.unassigned,
            p.travelling_pupils().count()
        );
        assert_eq!(run.plan.totals.unassigned, 0, "{:#?}", run.plan.unassigned);
        assert!(run.plan.totals.vehicles >= 2);
    }
}

#[test]
fn same_seed_same_plan() {
    let p = example(Session::Am);
    let t = TravelTimes::straight_line(&p, 18.0, 1.35);
    let a = plan(&p, &t, &options(200, 3), &|_| {});
    let b = plan(&p, &t, &options(200, 3), &|_| {});
    assert_eq!(a.plan, b.plan);
}

#[test]
fn unassigned_pupils_get_specific_reasons() {
    let mut p = example(Session::Am);
    // Nobody has a tail-lift any more: P003 (needs one) cannot be carried.
    for v in &mut p.fleet {
        v.tail_lift = false;
    }
    // P001 may ride one minute: impossible even alone.
    p.pupils[0].needs.max_ride_minutes = Some(1);
    // P009's earliest pick-up is after the school's window can be reached.
    p.pupils[8].needs.earliest_pickup = Some(TimeOfDay::hm(8, 49));
    let t = TravelTimes::straight_line(&p, 18.0, 1.35);
    let run = plan(&p, &t, &options(200, 1), &|_| {});
    check(&p, &t, &run.plan);
    let reason = |id: &str| {
        run.plan
            .unassigned
            .iter()
            .find(|u| u.pupil == id)
            .map(|u| u.reason.clone())
    };
    match reason("P003") {
        Some(UnassignedReason::NoCompatibleVehicle { detail }) => {
            assert!(detail.contains("WAV-6: no tail-lift"), "{detail}")
        }
        other => panic!("P003: {other:?}"),
    }
    assert!(
        matches!(
            reason("P001"),
            Some(UnassignedReason::RideTimeInfeasible { .. })
        ),
        "{:?}",
        reason("P001")
    );
    assert!(
        matches!(
            reason("P009"),
            Some(UnassignedReason::WindowInfeasible { .. })
        ),
        "{:?}",
        reason("P009")
    );
    assert_eq!(run.plan.unassigned.len(), 3, "{:#?}", run.plan.unassigned);
}

#[test]
fn fleet_too_small_is_a_capacity_reason() {
    let mut p = example(Session::Am);
    p.fleet.retain(|v| v.id == "TAXI");
    p.fleet[0].count = 1;
    for pu in &mut p.pupils {
        pu.needs = Needs::default();
    }
    let t = TravelTimes::straight_line(&p, 18.0, 1.35);
    let run = plan(&p, &t, &options(200, 1), &|_| {});
    check(&p, &t, &run.plan);
    assert!(!run.plan.unassigned.is_empty());
    assert!(
        run.plan
            .unassigned
            .iter()
            .all(|u| matches!(u.reason, UnassignedReason::FleetCapacity { .. })),
        "{:#?}",
        run.plan.unassigned
    );
}
