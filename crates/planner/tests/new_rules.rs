//! The coordinators' newer rules end to end, each on a tiny problem where
//! breaking the rule is the only cheaper plan: the brute-force optimum of
//! the mapped engine instance (every run, vehicle type and visit order,
//! each judged by the engine's independent checker) is strictly cheaper
//! without the rule; with it, the planner finds that optimum, the
//! independent validator accepts the plan, and the validator rejects the
//! plan made without the rule.

use senroute_model::*;
use senroute_planner::{build_instance, plan, PlanOptions};
use senroute_solver::checker::route_feasible;
use senroute_solver::{Instance, Visit, VisitKind};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

// ------------------------------------------------------------ brute force

/// Cheapest feasible order of the requests in `set` on type `vt` (route
/// cost without duration or ride-time costs, which the problems here set
/// to zero).
fn best_route(i: &Instance, vt: usize, set: &[usize]) -> Option<f64> {
    let visits: Vec<Visit> = set
        .iter()
        .flat_map(|&r| {
            [VisitKind::Pickup, VisitKind::Delivery].map(|kind| Visit { request: r, kind })
        })
        .collect();
    fn rec(
        i: &Instance,
        vt: usize,
        visits: &[Visit],
        used: &mut [bool],
        seq: &mut Vec<Visit>,
        best: &mut Option<f64>,
    ) {
        if seq.len() == visits.len() {
            if let Some(d) = route_feasible(i, vt, seq) {
                let c = i.vehicle_types[vt].route_cost(d, 0.0);
                if best.is_none_or(|b| c < b) {
                    *best = Some(c);
                }
            }
            return;
        }
        for k in 0..visits.len() {
            let v = visits[k];
            let pickup_pending = v.kind == VisitKind::Delivery
                && visits.iter().enumerate().any(|(q, w)| {
                    w.request == v.request && w.kind == VisitKind::Pickup && !used[q]
                });
            if used[k] || pickup_pending {
                continue;
            }
            used[k] = true;
            seq.push(v);
            rec(i, vt, visits, used, seq, best);
            seq.pop();
            used[k] = false;
        }
    }
    let mut best = None;
    let mut used = vec![false; visits.len()];
    rec(i, vt, &visits, &mut used, &mut Vec::new(), &mut best);
    best
}

/// Optimal cost with every request placed: the cheapest set of disjoint
/// runs covering all requests within the fleet (`None` if there is none).
fn brute_force(i: &Instance) -> Option<f64> {
    let n = i.requests.len();
    let full = (1usize << n) - 1;
    let rc: Vec<Vec<Option<f64>>> = (0..i.vehicle_types.len())
        .map(|vt| {
            (0..=full)
                .map(|mask| {
                    let set: Vec<usize> = (0..n).filter(|b| mask >> b & 1 == 1).collect();
                    (mask > 0).then(|| best_route(i, vt, &set)).flatten()
                })
                .collect()
        })
        .collect();
    fn rec(rc: &[Vec<Option<f64>>], free: usize, left: &mut [usize], acc: f64, best: &mut f64) {
        if free == 0 {
            *best = best.min(acc);
            return;
        }
        let low = free & free.wrapping_neg();
        let mut sub = free;
        while sub > 0 {
            if sub & low != 0 {
                for vt in 0..rc.len() {
                    if let (true, Some(c)) = (left[vt] > 0, rc[vt][sub]) {
                        left[vt] -= 1;
                        rec(rc, free & !sub, left, acc + c, best);
                        left[vt] += 1;
                    }
                }
            }
            sub = (sub - 1) & free;
        }
    }
    let mut left: Vec<usize> = i.vehicle_types.iter().map(|v| v.count).collect();
    let mut best = f64::INFINITY;
    rec(&rc, full, &mut left, 0.0, &mut best);
    best.is_finite().then_some(best)
}

// ---------------------------------------------------------------- problems

fn school() -> School {
    School {
        id: "S1".into(),
        name: "School".into(),
        location: Location::new(51.50, -0.10),
        borough: None,
        phase: Phase::Secondary,
        am_arrival: TimeWindow::new(TimeOfDay::hm(8, 30), TimeOfDay::hm(8, 50)),
        pm_departure: TimeWindow::new(TimeOfDay::hm(15, 0), TimeOfDay::hm(15, 20)),
        dwell_minutes: 1,
    }
}

fn pupil(id: &str, lat: f64, lon: f64) -> Pupil {
    Pupil {
        id: id.into(),
        home: Location::new(lat, lon),
        school: "S1".into(),
        sessions: Sessions::Both,
        borough: None,
        phase: None,
        needs: Needs::default(),
        extra: Default::default(),
    }
}

fn vehicle(id: &str, count: u32, seats: u32, fixed: f64) -> VehicleType {
    VehicleType {
        id: id.into(),
        count,
        depot: Location::new(51.50, -0.11),
        seats,
        wheelchair_spaces: 0,
        seats_per_wheelchair_space: 0,
        tail_lift: false,
        passenger_assistant: false,
        fixed_cost_per_day: fixed,
        cost_per_km: 1.0,
        cost_per_hour: 0.0,
        assistant_cost_per_day: 0.0,
        max_duty_minutes: 240,
        shift: TimeWindow::new(TimeOfDay::hm(6, 30), TimeOfDay::hm(18, 0)),
        pm_shift: None,
        borough: None,
        max_schools_per_run: None,
    }
}

/// Three pupils living close together north of the school; a minibus for
/// all of them, or two-seat taxis (two cost more than the minibus).
fn problem(session: Session) -> Problem {
    Problem {
        pupils: vec![
            pupil("A", 51.530, -0.100),
            pupil("B", 51.532, -0.098),
            pupil("C", 51.534, -0.102),
        ],
        schools: vec![school()],
        fleet: vec![vehicle("MINIBUS", 1, 8, 100.0), vehicle("TAXI", 3, 2, 60.0)],
        session,
        settings: Settings {
            ride_time_cost_per_minute: 0.0,
            ..Settings::default()
        },
        matrices: None,
    }
}

fn options() -> PlanOptions {
    PlanOptions {
        time_limit: None,
        iteration_limit: Some(400),
        seed: 3,
        threads: 1,
        cancel: Arc::new(AtomicBool::new(false)),
    }
}

/// `free` is `with` without the rule. Checks the property of the module
/// docs and returns the plans without and with the rule and the
/// validator's findings on the plan without it.
fn rule_binds(free: &Problem, with: &Problem) -> (Plan, Plan, Vec<Violation>) {
    let travel = TravelTimes::straight_line(free, 18.0, 1.35);
    let optimum = |p: &Problem| brute_force(&build_instance(p, &travel).0).expect("feasible");
    let (cheap, dear) = (optimum(free), optimum(with));
    assert!(cheap < dear - 1e-6, "the rule must bind: {cheap} vs {dear}");
    let without = plan(free, &travel, &options(), &|_| {}).plan;
    assert!(validate(free, &travel, &without).is_empty());
    assert!(
        (without.totals.cost - cheap).abs() < 1e-6,
        "{} vs {cheap}",
        without.totals.cost
    );
    let found = validate(with, &travel, &without);
    assert!(
        !found.is_empty(),
        "the validator must reject the plan without the rule"
    );
    let run = plan(with, &travel, &options(), &|_| {});
    let v = validate(with, &travel, &run.plan);
    assert!(v.is_empty(), "{v:#?}");
    assert!(run.plan.unassigned.is_empty(), "{:?}", run.plan.unassigned);
    assert!(
        (run.plan.totals.cost - dear).abs() < 1e-6,
        "planner {} vs brute force {dear}",
        run.plan.totals.cost
    );
    (without, run.plan, found)
}

fn riding<'a>(plan: &'a Plan, pupil: &str) -> &'a Route {
    plan.routes
        .iter()
        .find(|r| r.stops.iter().any(|s| s.pupils.iter().any(|p| p == pupil)))
        .expect("placed")
}

#[test]
fn not_vehicle_types_keeps_a_pupil_off_a_type() {
    let free = problem(Session::Am);
    let mut with = free.clone();
    with.pupils[0].needs.not_vehicle_types = vec!["MINIBUS".into()];
    let (_, plan, found) = rule_binds(&free, &with);
    assert_eq!(riding(&plan, "A").vehicle_type, "TAXI");
    assert!(found.iter().any(|x| x.rule == Rule::Compatibility
        && x.pupil.as_deref() == Some("A")
        && x.message.contains("must not ride in")));
}

#[test]
fn vehicle_types_keeps_a_pupil_on_its_types() {
    let free = problem(Session::Am);
    let mut with = free.clone();
    with.pupils[1].needs.vehicle_types = vec!["TAXI".into()];
    let (_, plan, found) = rule_binds(&free, &with);
    assert_eq!(riding(&plan, "B").vehicle_type, "TAXI");
    assert!(found
        .iter()
        .any(|x| x.rule == Rule::Compatibility && x.pupil.as_deref() == Some("B")));
}

#[test]
fn a_pupil_with_no_allowed_type_is_unassigned_with_the_reason() {
    let mut p = problem(Session::Am);
    p.pupils[2].needs.vehicle_types = vec!["MINIBUS".into()];
    p.pupils[2].needs.not_vehicle_types = vec!["MINIBUS".into()];
    let travel = TravelTimes::straight_line(&p, 18.0, 1.35);
    let run = plan(&p, &travel, &options(), &|_| {});
    assert!(validate(&p, &travel, &run.plan).is_empty());
    let u = &run.plan.unassigned;
    assert_eq!(u.len(), 1, "{u:?}");
    assert_eq!(u[0].pupil, "C");
    assert_eq!(u[0].reason.code(), "no_compatible_vehicle");
    assert!(u[0]
        .reason
        .detail()
        .contains("MINIBUS: a vehicle type the pupil must not ride in"));
}

#[test]
fn pm_dropoff_window_is_kept() {
    // Without the rule the minibus takes all three home by about 15:30. A is
    // not to be home before 16:30: the minibus cannot wait that long within
    // its 90-minute duty, so the cheapest plan changes (a taxi that waits
    // for A, or the minibus without A — the brute force decides).
    let mut free = problem(Session::Pm);
    free.fleet[0].max_duty_minutes = 90;
    free.fleet[1].max_duty_minutes = 600;
    free.pupils[0].needs.max_ride_minutes = Some(120);
    let mut with = free.clone();
    with.pupils[0].needs.earliest_dropoff = Some(TimeOfDay::hm(16, 30));
    let (_, plan, found) = rule_binds(&free, &with);
    assert!(found.iter().all(|x| x.rule == Rule::Window), "{found:#?}");
    assert!(found
        .iter()
        .any(|x| x.pupil.as_deref() == Some("A") && x.message.contains("earliest drop-off")));
    let a_drop = riding(&plan, "A")
        .stops
        .iter()
        .find(|s| s.kind == StopKind::Drop && s.pupils.iter().any(|p| p == "A"))
        .unwrap()
        .clone();
    assert!(a_drop.service_start_s >= 16.5 * 3600.0 - 1e-6);
}

#[test]
fn latest_dropoff_is_checked_by_the_validator() {
    let mut p = problem(Session::Pm);
    let travel = TravelTimes::straight_line(&p, 18.0, 1.35);
    let run = plan(&p, &travel, &options(), &|_| {});
    assert!(validate(&p, &travel, &run.plan).is_empty());
    let route = riding(&run.plan, "C");
    let drop = route
        .stops
        .iter()
        .find(|s| s.kind == StopKind::Drop && s.pupils.iter().any(|x| x == "C"))
        .unwrap();
    // one minute before C's own alighting starts (C may not be first)
    let t = (drop.service_start_s / 60.0).floor() as u32 - 1;
    p.pupils[2].needs.latest_dropoff = Some(TimeOfDay::hm(t / 60, t % 60));
    let v = validate(&p, &travel, &run.plan);
    assert_eq!(v.len(), 1, "{v:#?}");
    assert_eq!(v[0].rule, Rule::Window);
    assert_eq!(v[0].pupil.as_deref(), Some("C"));
    assert!(v[0].message.contains("latest drop-off"), "{}", v[0]);
}

#[test]
fn max_schools_per_run_caps_mixed_school_runs() {
    // Three pupils of three neighbouring schools: one minibus takes them
    // all; capped at two schools per run it cannot.
    let mut free = problem(Session::Am);
    free.schools = (0..3)
        .map(|k| School {
            id: format!("S{}", k + 1),
            location: Location::new(51.500 + 0.001 * k as f64, -0.100),
            ..school()
        })
        .collect();
    for (k, p) in free.pupils.iter_mut().enumerate() {
        p.school = format!("S{}", k + 1);
    }
    // minibuses only: every merge of runs saves a day rate, so the search
    // (which starts from one run per school) finds the shared run
    free.fleet = vec![vehicle("MINIBUS", 3, 8, 100.0)];
    let mut with = free.clone();
    with.fleet[0].max_schools_per_run = Some(2);
    let (without, plan, found) = rule_binds(&free, &with);
    assert_eq!(without.routes.len(), 1);
    assert!(found
        .iter()
        .any(|x| x.rule == Rule::SchoolsPerRun && x.message.contains("serves 3 schools")));
    assert!(plan.routes.len() >= 2);
}
