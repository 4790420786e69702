//! The one-screen text summary printed to stdout after planning.

use crate::kpi::{format_pounds, Kpis};
use senroute_model::time::format_clock;
use senroute_model::{DayPlan, Plan, Problem, StopKind};
use std::fmt::Write as _;

/// Unplaced pupils listed by name in the summary before it says "and N more".
pub const SUMMARY_UNASSIGNED_LINES: usize = 8;

/// KPIs, one line per run (label, times, stops, pupils, km, cost) and the
/// first [`SUMMARY_UNASSIGNED_LINES`] unplaced pupils with their reasons.
pub fn text_summary(problem: &Problem, plan: &Plan) -> String {
    let k = Kpis::from_plan(problem, plan);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Plan ({} session): {} vehicles, {} per day, {:.1} vehicle-km",
        plan.session,
        k.vehicles,
        format_pounds(k.cost_per_day),
        k.vehicle_km
    );
    session_lines(&mut s, plan, &k);
    s
}

/// The day's figures (each vehicle's day rate once, crew continuity), then
/// each session's runs and unplaced pupils as in [`text_summary`].
pub fn day_text_summary(problem: &Problem, day: &DayPlan) -> String {
    let t = &day.totals;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Day plan: {} vehicles, {} per day (day rates {} + AM running {} + PM running {}), {:.1} vehicle-km",
        t.vehicles,
        format_pounds(t.cost),
        format_pounds(t.day_rates),
        format_pounds(t.am_running_cost),
        format_pounds(t.pm_running_cost),
        t.distance_m / 1000.0
    );
    let _ = match t.continuity {
        Some(c) => writeln!(
            s,
            "Crew continuity ({}): {} of {} pupils travelling both sessions on the same vehicle AM and PM ({:.1} %)",
            day.continuity,
            t.same_vehicle,
            t.both_sessions,
            c * 100.0
        ),
        None => writeln!(s, "Crew continuity ({}): no pupil travels in both sessions", day.continuity),
    };
    for plan in day.plans() {
        let session = problem.for_session(plan.session);
        let k = Kpis::from_plan(&session, plan);
        let running: f64 = plan
            .routes
            .iter()
            .filter_map(|r| {
                let vt = problem.vehicle_type(&r.vehicle_type)?;
                Some(vt.running_cost(r.distance_m, r.duration_s))
            })
            .sum();
        let _ = writeln!(
            s,
            "{}: {} runs, {} running cost, {:.1} vehicle-km",
            plan.session.label(),
            k.vehicles,
            format_pounds(running),
            k.vehicle_km
        );
        session_lines(&mut s, plan, &k);
    }
    s
}

/// Pupils, one line per run and the first unplaced pupils.
fn session_lines(s: &mut String, plan: &Plan, k: &Kpis) {
    let minutes = |m: Option<f64>| m.map_or_else(|| "–".to_string(), |m| format!("{m:.1} min"));
    let _ = writeln!(
        s,
        "Pupils: {} placed, {} unassigned; ride mean {}, worst {}; {} over their cap",
        k.assigned,
        k.unassigned,
        minutes(k.mean_ride_minutes),
        minutes(k.worst_ride_minutes),
        k.pupils_over_cap
    );
    let width = plan
        .routes
        .iter()
        .map(|r| r.label().chars().count())
        .max()
        .unwrap_or(0);
    for (i, r) in plan.routes.iter().enumerate() {
        let (start, end) = match (r.stops.first(), r.stops.last()) {
            (Some(a), Some(b)) => (format_clock(a.departure_s), format_clock(b.arrival_s)),
            _ => ("--:--:--".into(), "--:--:--".into()),
        };
        let pupils: usize = r
            .stops
            .iter()
            .filter(|s| s.kind == StopKind::Pickup)
            .map(|s| s.pupils.len())
            .sum();
        let _ = writeln!(
            s,
            "  run {:>3}  {:<width$}  {}–{}  {:>3} stops  {:>3} pupils  {:>6.1} km  {:>10}",
            i + 1,
            r.label(),
            &start[..5],
            &end[..5],
            r.stops.len(),
            pupils,
            r.distance_m / 1000.0,
            format_pounds(r.cost)
        );
    }
    for u in plan.unassigned.iter().take(SUMMARY_UNASSIGNED_LINES) {
        let _ = writeln!(s, "  unassigned {}: {}", u.pupil, u.reason);
    }
    if plan.unassigned.len() > SUMMARY_UNASSIGNED_LINES {
        let _ = writeln!(
            s,
            "  … and {} more unassigned (see pupils.csv)",
            plan.unassigned.len() - SUMMARY_UNASSIGNED_LINES
        );
    }
}
