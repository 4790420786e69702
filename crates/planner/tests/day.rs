//! Day plans: both sessions planned together, each vehicle's day rate
//! counted once, crew continuity as set, every session plan valid.

use senroute_model::*;
use senroute_planner::{changed_vehicle, plan_day, run, PlanOptions};
use std::collections::BTreeMap;
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

fn options(iterations: u64) -> PlanOptions {
    PlanOptions {
        time_limit: None,
        iteration_limit: Some(iterations),
        seed: 5,
        threads: 2,
        cancel: Arc::new(AtomicBool::new(false)),
    }
}

fn assert_valid(problem: &Problem, travel: &TravelTimes, day: &DayPlan) {
    let v = validate_day(problem, travel, day);
    assert!(
        v.is_empty(),
        "validator found:\n{}",
        v.iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The day's cost from first principles: one day rate (with the assistant)
/// per vehicle used in either session, plus every run's km and hours.
fn expected_cost(problem: &Problem, day: &DayPlan) -> (f64, usize) {
    let mut rates = BTreeMap::new();
    let mut running = 0.0;
    for r in day.am.routes.iter().chain(&day.pm.routes) {
        let v = problem.vehicle_type(&r.vehicle_type).unwrap();
        let assistant = if v.passenger_assistant {
            v.assistant_cost_per_day
        } else {
            0.0
        };
        rates.insert(
            (r.vehicle_type.clone(), r.vehicle_index),
            v.fixed_cost_per_day + assistant,
        );
        running += v.cost_per_km * r.distance_m / 1000.0 + v.cost_per_hour * r.duration_s / 3600.0;
    }
    (rates.values().sum::<f64>() + running, rates.len())
}

#[test]
fn example_day_counts_each_day_rate_once() {
    let p = example(Session::Day);
    let t = TravelTimes::straight_line(&p, 18.0, 1.35);
    let out = run(&p, &t, &options(300), &|_| {});
    assert!(out.violations.is_empty(), "{:?}", out.violations);
    let AnyPlan::Day(day) = out.plan else {
        panic!("a day problem gives a day plan")
    };
    assert_valid(&p, &t, &day);
    assert_eq!(day.am.session, Session::Am);
    assert_eq!(day.pm.session, Session::Pm);
    let (cost, vehicles) = expected_cost(&p, &day);
    assert!(
        (day.totals.cost - cost).abs() < 1e-6,
        "{} vs {cost}",
        day.totals.cost
    );
    assert_eq!(day.totals.vehicles, vehicles);
    // Adding the two session plans would pay the shared vehicles twice.
    let shared =
        day.pm
            .routes
            .iter()
            .filter(|r| {
                day.am.routes.iter().any(|a| {
                    (&a.vehicle_type, a.vehicle_index) == (&r.vehicle_type, r.vehicle_index)
                })
            })
            .count();
    assert!(shared > 0, "the afternoon reuses the morning's vehicles");
    assert!(day.totals.cost < day.am.totals.cost + day.pm.totals.cost - 1.0);
    // P004 travels in the morning only (and P014 in the afternoon only).
    let am_only: Vec<&str> = p
        .pupils
        .iter()
        .filter(|x| x.sessions == Sessions::Am)
        .map(|x| x.id.as_str())
        .collect();
    assert!(!am_only.is_empty());
    for id in am_only {
        assert!(day.pm.rides.iter().all(|r| r.pupil != id));
        assert!(day.pm.unassigned.iter().all(|u| u.pupil != id));
    }
    assert_eq!(
        day.totals.both_sessions,
        p.pupils
            .iter()
            .filter(|x| x.sessions == Sessions::Both)
            .count()
    );
    assert_eq!(
        day.totals.unassigned, 0,
        "{:?} {:?}",
        day.am.unassigned, day.pm.unassigned
    );
}

#[test]
fn hard_continuity_keeps_every_pupil_on_their_vehicle() {
    let mut p = example(Session::Day);
    p.settings.continuity = Continuity::Hard;
    let t = TravelTimes::straight_line(&p, 18.0, 1.35);
    let day = plan_day(&p, &t, &options(300), &|_| {}).plan;
    // validate_day checks hard continuity itself.
    assert_valid(&p, &t, &day);
    assert_eq!(changed_vehicle(&day), 0);
    let placed_both = vehicle_of_pupils(&day.pm)
        .keys()
        .filter(|id| vehicle_of_pupils(&day.am).contains_key(*id))
        .count();
    assert_eq!(day.totals.same_vehicle, placed_both);
    assert_eq!(day.continuity, Continuity::Hard);
    // A pupil the AM vehicle cannot take home is not placed, with a reason
    // saying so.
    for u in &day.pm.unassigned {
        assert_eq!(u.reason.code(), "crew_continuity", "{u:?}");
    }
}

#[test]
fn continuity_none_and_preferred_are_reported() {
    let mut hard = example(Session::Day);
    hard.settings.continuity = Continuity::Hard;
    let t = TravelTimes::straight_line(&hard, 18.0, 1.35);
    let kept_apart = plan_day(&hard, &t, &options(300), &|_| {})
        .plan
        .pm
        .unassigned
        .len();
    for c in [Continuity::None, Continuity::Preferred] {
        let mut p = example(Session::Day);
        p.settings.continuity = c;
        p.settings.continuity_cost_per_pupil = 500.0;
        let t = TravelTimes::straight_line(&p, 18.0, 1.35);
        let day = plan_day(&p, &t, &options(300), &|_| {}).plan;
        assert_valid(&p, &t, &day);
        let rate = day.totals.continuity.unwrap();
        assert!((0.0..=1.0).contains(&rate));
        if c == Continuity::Preferred {
            // At £500 a change, keeping the crew always pays where the AM
            // vehicle can take the pupil home at all.
            assert!(changed_vehicle(&day) <= kept_apart, "{:?}", day.totals);
            assert_eq!(day.totals.unassigned, 0);
        }
    }
}

#[test]
fn one_shift_for_the_whole_day_keeps_each_vehicle_in_one_place() {
    // No PM shift: the vehicles work 06:00–19:00 in both sessions, so the
    // planner itself must start each vehicle's PM run after its AM run.
    let mut p = example(Session::Day);
    for v in &mut p.fleet {
        v.shift = TimeWindow::new(TimeOfDay::hm(6, 0), TimeOfDay::hm(19, 0));
        v.pm_shift = None;
        v.max_duty_minutes = 600;
    }
    let t = TravelTimes::straight_line(&p, 18.0, 1.35);
    let day = plan_day(&p, &t, &options(200), &|_| {}).plan;
    assert_valid(&p, &t, &day);
    for r in &day.pm.routes {
        if let Some(a) = day
            .am
            .routes
            .iter()
            .find(|a| (&a.vehicle_type, a.vehicle_index) == (&r.vehicle_type, r.vehicle_index))
        {
            assert!(r.stops[0].departure_s >= a.stops.last().unwrap().arrival_s - 1e-6);
        }
    }
}

#[test]
fn a_session_no_shift_covers_is_an_input_error() {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/example");
    let fleet = std::fs::read_to_string(d.join("fleet.csv")).unwrap();
    // The fleet file as it was before PM shifts: 06:30–10:30 only.
    let old: String = fleet
        .lines()
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            cells[..cells.len() - 2].join(",") + "\n"
        })
        .collect();
    let read = |session| {
        read_problem(
            CsvSource::text(
                "pupils.csv",
                &std::fs::read_to_string(d.join("pupils.csv")).unwrap(),
            ),
            CsvSource::text(
                "schools.csv",
                &std::fs::read_to_string(d.join("schools.csv")).unwrap(),
            ),
            CsvSource::text("fleet.csv", &old),
            session,
            Settings::default(),
        )
    };
    // The morning still plans from the old file …
    assert!(read(Session::Am).is_ok());
    // … but nobody could be collected in the afternoon.
    for s in [Session::Pm, Session::Day] {
        let e = read(s).unwrap_err().to_string();
        assert!(
            e.contains("no vehicle's shift covers the PM session") && e.contains("pm_shift_start"),
            "{e}"
        );
    }
}
