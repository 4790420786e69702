//! Arithmetic: the figures a plan reports (loads, distances, durations,
//! costs, ride entries and totals) are the ones its stops and the travel
//! times give.

use super::walk::RunFacts;
use super::{close, Rule, Unit, Violation};
use crate::plan::Plan;
use std::collections::{HashMap, HashSet};

/// What only the plan's producer can fix.
const FIX: &str = "recompute the plan's figures from its stops";

/// Loads after each stop, the run's distance, duration and cost.
pub(super) fn check_run(run: &RunFacts, out: &mut Vec<Violation>) {
    for (si, facts) in run.stops.iter().enumerate() {
        if facts.stop.load != facts.load {
            out.push(
                run.at(
                    si,
                    Rule::Arithmetic,
                    format!(
                        "reported load {:?} but {:?} on board",
                        facts.stop.load, facts.load
                    ),
                )
                .fix(FIX),
            );
        }
    }
    let route = run.route;
    if !close(route.distance_m, run.distance) {
        out.push(
            run.violation(
                Rule::Arithmetic,
                format!(
                    "distance reported {:.1} m, travel matrix gives {:.1} m",
                    route.distance_m, run.distance
                ),
            )
            .by((route.distance_m - run.distance).abs(), Unit::Metres)
            .fix(FIX),
        );
    }
    let duration = run.duration();
    if !close(route.duration_s, duration) {
        out.push(
            run.violation(
                Rule::Arithmetic,
                format!(
                    "duration reported {:.1} s, stops give {:.1} s",
                    route.duration_s, duration
                ),
            )
            .by((route.duration_s - duration).abs(), Unit::Seconds)
            .fix(FIX),
        );
    }
    let cost = run.vt.route_cost(run.distance, duration);
    if !close(route.cost, cost) {
        out.push(
            run.violation(
                Rule::Arithmetic,
                format!("cost reported £{:.2}, rates give £{:.2}", route.cost, cost),
            )
            .by((route.cost - cost).abs(), Unit::Pounds)
            .fix(FIX),
        );
    }
}

/// Ride entries match the stops, one per carried pupil; totals add up.
pub(super) fn check_plan(plan: &Plan, runs: &[RunFacts], out: &mut Vec<Violation>) {
    // Ride measured per pupil, the latest boarding anywhere winning:
    // (route, end of boarding, start of alighting or NaN).
    let mut measured: HashMap<&str, (usize, f64, f64)> = HashMap::new();
    for run in runs {
        for (si, facts) in run.stops.iter().enumerate() {
            for s in &facts.boarding {
                measured.insert(&s.pupil.id, (run.index, s.end, f64::NAN));
            }
            for ride in run.rides.iter().filter(|r| r.stop == si) {
                if let Some(m) = measured.get_mut(ride.pupil.id.as_str()) {
                    m.2 = ride.alight_start;
                }
            }
        }
    }
    let mut seen = HashSet::new();
    for ride in &plan.rides {
        let pupil = ride.pupil.as_str();
        if !seen.insert(pupil) {
            out.push(
                Violation::new(Rule::Arithmetic, "two ride entries")
                    .pupil(pupil)
                    .fix(FIX),
            );
        }
        match measured.get(pupil) {
            Some(&(route, pick, drop)) if !drop.is_nan() => {
                if ride.route != route
                    || !close(ride.pickup_s, pick)
                    || !close(ride.drop_s, drop)
                    || !close(ride.ride_s, drop - pick)
                {
                    let mut v = Violation::new(Rule::Arithmetic, format!(
                        "ride entry (route {}, {:.0}–{:.0} s, {:.0} s) does not match the stops (route {route}, {pick:.0}–{drop:.0} s)",
                        ride.route, ride.pickup_s, ride.drop_s, ride.ride_s))
                    .pupil(pupil)
                    .fix(FIX);
                    v.route = Some(route);
                    v.run = plan.routes.get(route).map(|r| r.label());
                    out.push(v);
                }
            }
            _ => out.push(
                Violation::new(
                    Rule::Arithmetic,
                    "ride entry for a pupil who is not carried",
                )
                .pupil(pupil)
                .fix(FIX),
            ),
        }
    }
    let mut missing: Vec<(&str, usize)> = measured
        .iter()
        .filter(|(pid, m)| !m.2.is_nan() && !seen.contains(**pid))
        .map(|(pid, m)| (*pid, m.0))
        .collect();
    missing.sort_unstable();
    for (pid, route) in missing {
        let label = plan.routes[route].label();
        out.push(
            Violation::new(Rule::Arithmetic, "carried but has no ride entry")
                .on_run(route, label)
                .pupil(pid)
                .fix(FIX),
        );
    }

    let mut expect = plan.clone();
    expect.compute_totals();
    let (a, b) = (&plan.totals, &expect.totals);
    if a.vehicles != b.vehicles
        || a.assigned != b.assigned
        || a.unassigned != b.unassigned
        || !close(a.cost, b.cost)
        || !close(a.distance_m, b.distance_m)
        || !close(a.duration_s, b.duration_s)
        || !close(a.ride_s, b.ride_s)
    {
        out.push(
            Violation::new(
                Rule::Arithmetic,
                format!("totals {a:?} do not add up to {b:?}"),
            )
            .fix(FIX),
        );
    }
}
