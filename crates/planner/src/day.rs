//! Day plans: the AM and PM sessions planned together, each vehicle's day
//! rate paid once, pupils kept on their vehicle as the continuity setting
//! asks.
//!
//! Each physical vehicle (fleet type and index) is one engine vehicle type
//! of count 1 once the other session uses it. The search runs in phases:
//!
//! 1. the AM alone, on the whole fleet;
//! 2. the PM given the AM: each vehicle the AM uses is a vehicle of its own
//!    at no fixed cost (its day rate is paid), leaving the depot only after
//!    its AM run is back; the unused vehicles of each type keep their day
//!    rate. A pupil prefers (penalty `continuity_cost_per_pupil`) or is
//!    restricted to (`hard`) the vehicle that took them in the morning;
//! 3. (not with `hard`) the AM again given the PM the same way, starting
//!    from the first AM plan, so the morning can use vehicles the afternoon
//!    added. The better day of (1, 2) and (3, 2) is kept.
//!
//! The search time is split 45 % / 40 % / 15 % (55 % / 45 % with `hard`).

use crate::instance::{
    build_instance_with, plan, plan_with_instance, requests_by_pupil, route_visits, PlanOptions,
    PlanRun, VehicleGroup, UNASSIGNED_PENALTY,
};
use senroute_model::{
    vehicle_of_pupils, Continuity, DayPlan, Plan, Problem, Session, TravelTimes, UnassignedReason,
};
use senroute_solver as engine;
use std::collections::HashMap;
use std::time::Duration;

/// A finished day planning run.
#[derive(Debug, Clone)]
pub struct DayRun {
    /// The day plan.
    pub plan: DayPlan,
    /// The day's objective ([`day_objective`]).
    pub objective: f64,
    /// Search iterations over all phases, summed over threads.
    pub iterations: u64,
}

/// The objective of a day: its cost (each day rate once), the ride-time
/// weight, the continuity cost of each pupil whose vehicle changes (with
/// `preferred`) and [`UNASSIGNED_PENALTY`] per journey not placed.
pub fn day_objective(problem: &Problem, day: &DayPlan) -> f64 {
    let t = &day.totals;
    let s = &problem.settings;
    let changed = changed_vehicle(day);
    let continuity = match s.continuity {
        Continuity::Preferred => s.continuity_cost_per_pupil * changed as f64,
        Continuity::Hard | Continuity::None => 0.0,
    };
    t.cost
        + s.ride_time_cost_per_minute * t.ride_s / 60.0
        + continuity
        + UNASSIGNED_PENALTY * t.unassigned as f64
}

/// Pupils placed in both sessions on different vehicles.
pub fn changed_vehicle(day: &DayPlan) -> usize {
    let am = vehicle_of_pupils(&day.am);
    vehicle_of_pupils(&day.pm)
        .iter()
        .filter(|(p, v)| am.get(*p).is_some_and(|a| a != *v))
        .count()
}

/// `options` with a share of the time and iteration budget.
fn share(options: &PlanOptions, f: f64) -> PlanOptions {
    let mut o = options.clone();
    o.time_limit = options.time_limit.map(|t| t.mul_f64(f));
    o.iteration_limit = options
        .iteration_limit
        .map(|n| ((n as f64 * f).ceil() as u64).max(1));
    o
}

/// Plans the day of `problem` (its session should be [`Session::Day`]; the
/// AM and PM are planned whatever it says).
pub fn plan_day(
    problem: &Problem,
    travel: &TravelTimes,
    options: &PlanOptions,
    progress: &(dyn Fn(engine::Progress) + Sync),
) -> DayRun {
    let am_problem = problem.for_session(Session::Am);
    let pm_problem = problem.for_session(Session::Pm);
    let hard = problem.settings.continuity == Continuity::Hard;
    let shares: &[f64] = if hard {
        &[0.55, 0.45]
    } else {
        &[0.45, 0.40, 0.15]
    };
    let started = std::time::Instant::now();
    let offset = std::sync::Mutex::new(Duration::ZERO);
    let report = |p: engine::Progress| {
        let o = *offset.lock().unwrap_or_else(|e| e.into_inner());
        progress(engine::Progress {
            elapsed: o + p.elapsed,
            ..p
        });
    };
    let next_phase = || {
        *offset.lock().unwrap_or_else(|e| e.into_inner()) = started.elapsed();
    };

    let am1 = plan(&am_problem, travel, &share(options, shares[0]), &report);
    next_phase();
    let pm = plan_given(
        &pm_problem,
        travel,
        &am1.plan,
        None,
        &share(options, shares[1]),
        &report,
    );
    let mut iterations = am1.iterations + pm.iterations;
    let mut best = DayPlan::new(problem, am1.plan, pm.plan);
    let mut objective = day_objective(problem, &best);
    if let Some(&f) = shares.get(2) {
        next_phase();
        let am2 = plan_given(
            &am_problem,
            travel,
            &best.pm,
            Some(&best.am),
            &share(options, f),
            &report,
        );
        iterations += am2.iterations;
        let day = DayPlan::new(problem, am2.plan, best.pm.clone());
        let o = day_objective(problem, &day);
        if o < objective {
            (best, objective) = (day, o);
        }
    }
    DayRun {
        plan: best,
        objective,
        iterations,
    }
}

/// The session of `problem` planned given the plan of the other session
/// (`other`): the vehicles `other` uses are paid for and free only outside
/// their run there; pupils prefer, or with hard continuity must take, their
/// vehicle in `other`. `start` is a plan of this session to start from.
pub fn plan_given(
    problem: &Problem,
    travel: &TravelTimes,
    other: &Plan,
    start: Option<&Plan>,
    options: &PlanOptions,
    progress: &(dyn Fn(engine::Progress) + Sync),
) -> PlanRun {
    let session = problem.session;
    // The other session's run of each vehicle: (fleet index, vehicle index)
    // → (depot departure, depot return).
    let mut busy: HashMap<(usize, u32), (f64, f64)> = HashMap::new();
    for r in &other.routes {
        let Some(fi) = problem.fleet.iter().position(|v| v.id == r.vehicle_type) else {
            continue;
        };
        if let (Some(a), Some(b)) = (r.stops.first(), r.stops.last()) {
            busy.insert((fi, r.vehicle_index), (a.departure_s, b.arrival_s));
        }
    }
    let mut groups = Vec::new();
    for (fi, v) in problem.fleet.iter().enumerate() {
        let whole = VehicleGroup::of(problem, fi, (0..v.count).collect());
        let (mut taken, free): (Vec<u32>, Vec<u32>) = whole
            .indices
            .iter()
            .copied()
            .partition(|&i| busy.contains_key(&(fi, i)));
        taken.sort_unstable();
        for i in taken {
            let (leave, back) = busy[&(fi, i)];
            let (open, close) = whole.shift;
            let shift = match session {
                Session::Pm => (open.max(back), close),
                Session::Am | Session::Day => (open, close.min(leave)),
            };
            groups.push(VehicleGroup {
                fleet: fi,
                indices: vec![i],
                fixed_cost: 0.0,
                shift,
            });
        }
        groups.push(VehicleGroup {
            indices: free,
            ..whole
        });
    }
    let (mut inst, map) = build_instance_with(problem, travel, &groups);
    let continuity = problem.settings.continuity;
    let vehicle_in_other = vehicle_of_pupils(other);
    // Each pupil's engine type in the other session.
    let mut wants: HashMap<usize, usize> = HashMap::new();
    for (r, &pi) in map.request_pupil.iter().enumerate() {
        let Some((type_id, index)) = vehicle_in_other.get(problem.pupils[pi].id.as_str()) else {
            continue;
        };
        let Some(fi) = problem.fleet.iter().position(|v| &v.id == type_id) else {
            continue;
        };
        let Some(e) = map.engine_type_of(fi, *index) else {
            continue;
        };
        wants.insert(r, e);
        match continuity {
            Continuity::Hard => inst.requests[r].vehicle_types = Some(vec![e]),
            Continuity::Preferred => {
                inst.requests[r].preference = Some(engine::Preference {
                    vehicle_types: vec![e],
                    penalty: problem.settings.continuity_cost_per_pupil,
                })
            }
            Continuity::None => {}
        }
    }
    if let Some(start) = start {
        let request_of = requests_by_pupil(problem, &map);
        let fleet_of: HashMap<&str, usize> = problem
            .fleet
            .iter()
            .enumerate()
            .map(|(i, v)| (v.id.as_str(), i))
            .collect();
        inst.initial_routes = start
            .routes
            .iter()
            .filter_map(|r| {
                let e =
                    map.engine_type_of(*fleet_of.get(r.vehicle_type.as_str())?, r.vehicle_index)?;
                Some(engine::FixedRoute {
                    vehicle_type: e,
                    visits: route_visits(r, &request_of).ok()?,
                })
            })
            .collect();
    }
    let mut run = plan_with_instance(problem, travel, &inst, &map, options, progress);
    if continuity == Continuity::Hard {
        let request_of = requests_by_pupil(problem, &map);
        for u in &mut run.plan.unassigned {
            if matches!(u.reason, UnassignedReason::Unreachable { .. }) {
                continue;
            }
            let Some(e) = request_of.get(u.pupil.as_str()).and_then(|r| wants.get(r)) else {
                continue;
            };
            let vt = &problem.fleet[map.vehicle_fleet[*e]];
            let label = format!("{} #{}", vt.id, map.vehicle_indices[*e][0] + 1);
            let other_label = match session {
                Session::Pm => "AM",
                Session::Am | Session::Day => "PM",
            };
            u.reason = UnassignedReason::CrewContinuity {
                detail: format!(
                    "crew continuity is hard and {label}, which takes the pupil in the {other_label}, cannot take them in the {} ({})",
                    session.label(),
                    u.reason
                ),
            };
        }
    }
    run
}
