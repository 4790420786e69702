//! Re-planning from a previous plan: locked runs kept exactly, new pupils
//! placed, dropped pupils gone, every change reported, bad locks refused.

use senroute_model::*;
use senroute_planner::{plan_day, replan, PlanOptions, Replan};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

fn demo(session: Session) -> Problem {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/demo");
    read_problem_files(
        &d.join("pupils.csv"),
        &d.join("schools.csv"),
        &d.join("fleet.csv"),
        session,
        Settings::default(),
    )
    .unwrap()
}

fn options(iterations: u64) -> PlanOptions {
    PlanOptions {
        time_limit: None,
        iteration_limit: Some(iterations),
        seed: 3,
        threads: 2,
        cancel: Arc::new(AtomicBool::new(false)),
    }
}

/// Each run's pupils in stop order, by vehicle.
fn sequence(r: &Route) -> Vec<(StopKind, Vec<String>)> {
    r.stops
        .iter()
        .filter(|s| s.kind != StopKind::Depot)
        .map(|s| (s.kind, s.pupils.clone()))
        .collect()
}

/// The demo with three pupils added (near existing ones, same school) and
/// one dropped; returns the problem, the added ids and the dropped id.
fn changed_demo(session: Session) -> (Problem, Vec<String>, String) {
    let mut p = demo(session);
    let mut added = Vec::new();
    for (k, src) in [5usize, 40, 77].into_iter().enumerate() {
        let mut q = p.pupils[src].clone();
        q.id = format!("NEW{k}");
        q.home = Location::new(q.home.lat + 0.002, q.home.lon - 0.002);
        added.push(q.id.clone());
        p.pupils.push(q);
    }
    let dropped = p.pupils.remove(11).id;
    (p, added, dropped)
}

#[test]
fn day_replan_keeps_locked_runs_and_reports_changes() {
    let before = demo(Session::Day);
    let t0 = TravelTimes::straight_line(&before, 18.0, 1.35);
    let first = plan_day(&before, &t0, &options(600), &|_| {}).plan;
    assert!(validate_day(&before, &t0, &first).is_empty());
    let previous = AnyPlan::Day(Box::new(first.clone()));
    // Lock every other run of each session.
    let locks: Vec<String> = (1..=first.am.routes.len())
        .step_by(2)
        .map(|n| format!("am:{n}"))
        .chain(
            (1..=first.pm.routes.len())
                .step_by(2)
                .map(|n| format!("pm:{n}")),
        )
        .collect();
    let locked = parse_locks("--lock", &locks.join(","), &previous).unwrap();
    assert_eq!(locked.len(), locks.len());

    let (after, added, dropped) = changed_demo(Session::Day);
    let t1 = TravelTimes::straight_line(&after, 18.0, 1.35);
    let r = Replan {
        previous,
        locked: locked.clone(),
        change_cost: 20.0,
        source: "plan.json".into(),
    };
    let done = replan(&after, &t1, &r, &options(600), &|_| {}).unwrap();
    assert!(
        done.outcome.violations.is_empty(),
        "{:?}",
        done.outcome.violations
    );
    let AnyPlan::Day(day) = &done.outcome.plan else {
        panic!("a day re-plan gives a day plan")
    };
    for lock in &locked {
        let old = &first.session(lock.session).routes[lock.index()];
        let new = day
            .session(lock.session)
            .routes
            .iter()
            .find(|n| (&n.vehicle_type, n.vehicle_index) == (&old.vehicle_type, old.vehicle_index))
            .unwrap_or_else(|| panic!("locked run {} is gone", lock.label()));
        let mut want = sequence(old);
        for (_, ps) in &mut want {
            ps.retain(|p| *p != dropped);
        }
        want.retain(|(_, ps)| !ps.is_empty());
        // Stops are merged only when nothing separates them, so compare
        // the pupils' order of boarding and alighting.
        let flat = |s: Vec<(StopKind, Vec<String>)>| {
            s.into_iter()
                .flat_map(|(k, ps)| ps.into_iter().map(move |p| (k, p)))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            flat(sequence(new)),
            flat(want),
            "locked run {}",
            lock.label()
        );
    }
    let changes = &done.changes;
    for id in &added {
        let c: Vec<&Change> = changes.iter().filter(|c| &c.pupil == id).collect();
        assert!(!c.is_empty(), "{id} is new");
        assert!(c.iter().all(|c| c.why.starts_with("new pupil")), "{c:?}");
        assert!(
            day.am.rides.iter().any(|r| &r.pupil == id),
            "{id} placed in the AM"
        );
    }
    assert!(changes
        .iter()
        .any(|c| c.pupil == dropped && c.why == "no longer on the pupil list"));
    assert!(day
        .am
        .rides
        .iter()
        .chain(&day.pm.rides)
        .all(|r| r.pupil != dropped));
    let n = pupils_changed(changes);
    eprintln!("{n} pupils changed of {}", after.pupils.len());
    assert!(n >= 4);
    // Locked runs' pupils do not change (their runs are kept), so at most
    // the unlocked half of the pupils can.
    assert!(n < after.pupils.len() * 3 / 4, "{n} pupils changed");
}

#[test]
fn a_high_change_cost_keeps_every_pupil_on_their_vehicle() {
    let p = demo(Session::Am);
    let t = TravelTimes::straight_line(&p, 18.0, 1.35);
    let first_run = senroute_planner::plan(&p, &t, &options(800), &|_| {});
    let first = first_run.plan.clone();
    let run = |change_cost: f64| {
        let r = Replan {
            previous: AnyPlan::Session(first.clone()),
            locked: vec![],
            change_cost,
            source: "plan.json".into(),
        };
        let done = replan(&p, &t, &r, &options(300), &|_| {}).unwrap();
        assert!(done.outcome.violations.is_empty());
        let moved = done
            .changes
            .iter()
            .filter(|c| c.why.starts_with("moved"))
            .count();
        let AnyPlan::Session(new) = done.outcome.plan else {
            panic!("a session re-plan gives a session plan")
        };
        eprintln!(
            "change cost £{change_cost}: {} pupils changed, {moved} of them vehicle; cost £{:.2} (was £{:.2})",
            pupils_changed(&done.changes),
            new.totals.cost,
            first.totals.cost
        );
        (moved, done.outcome.objective)
    };
    // Nothing changed on the inputs: the previous plan is the start, and no
    // saving is worth £1,000 a pupil.
    // (objectives: cost, ride-time weight and penalties)
    let (moved, objective) = run(1000.0);
    assert_eq!(moved, 0);
    assert!(objective <= first_run.objective + 1e-6);
    // Free changes may move pupils, and never for a worse plan.
    let (_, objective) = run(0.0);
    assert!(objective <= first_run.objective + 1e-6);
}

#[test]
fn a_lock_the_new_inputs_break_is_refused() {
    let p = demo(Session::Am);
    let t = TravelTimes::straight_line(&p, 18.0, 1.35);
    let first = senroute_planner::plan(&p, &t, &options(300), &|_| {}).plan;
    let previous = AnyPlan::Session(first.clone());
    // A pupil of run 1 now has a one-minute ride cap.
    let victim = first.routes[0].stops[1].pupils[0].clone();
    let mut q = p.clone();
    q.pupils
        .iter_mut()
        .find(|x| x.id == victim)
        .unwrap()
        .needs
        .max_ride_minutes = Some(1);
    let r = Replan {
        previous: previous.clone(),
        locked: parse_locks("--lock", "1", &previous).unwrap(),
        change_cost: 20.0,
        source: "plan.json".into(),
    };
    let e = replan(&q, &t, &r, &options(100), &|_| {})
        .unwrap_err()
        .to_string();
    assert!(e.contains("locked run AM 1 cannot be kept"), "{e}");
    // A locked run on a vehicle the fleet no longer has.
    let mut q = p.clone();
    let vt = &first.routes[0].vehicle_type;
    q.fleet.iter_mut().find(|v| &v.id == vt).unwrap().count = first.routes[0].vehicle_index;
    let e = replan(&q, &t, &r, &options(100), &|_| {})
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("no vehicle left") || e.contains("no longer has"),
        "{e}"
    );
    assert!(e.contains("am.routes[0]"), "{e}");
}

#[test]
fn bad_locks_name_the_option_and_value() {
    let p = demo(Session::Am);
    let t = TravelTimes::straight_line(&p, 18.0, 1.35);
    let first = senroute_planner::plan(&p, &t, &options(100), &|_| {}).plan;
    let previous = AnyPlan::Session(first.clone());
    let n = first.routes.len();
    for bad in [
        format!("{}", n + 1),
        "0".into(),
        "pm:1".into(),
        "run3".into(),
        "NOSUCH#1".into(),
    ] {
        let e = parse_locks("--lock", &bad, &previous)
            .unwrap_err()
            .to_string();
        assert!(e.contains("--lock") && e.contains(&bad), "{bad}: {e}");
    }
    let day = AnyPlan::Day(Box::new(DayPlan::new(&p, first.clone(), first)));
    let e = parse_locks("--lock", "1", &day).unwrap_err().to_string();
    assert!(e.contains("am:N or pm:N"), "{e}");
}
