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

use crate::basis::{plan_session, Basis, LockBroken};
use crate::instance::{PlanOptions, PlanRun, UNASSIGNED_PENALTY};
use senroute_model::{vehicle_of_pupils, Continuity, DayPlan, Plan, Problem, Session, TravelTimes};
use senroute_solver as engine;
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

/// What a day is re-planned from: the previous plan of each session and
/// the runs of each to keep exactly (indices into its routes).
#[derive(Debug, Clone, Copy, Default)]
pub struct DayBasis<'a> {
    /// The previous AM plan.
    pub previous_am: Option<&'a Plan>,
    /// The previous PM plan.
    pub previous_pm: Option<&'a Plan>,
    /// Locked runs of the previous AM plan.
    pub locked_am: &'a [usize],
    /// Locked runs of the previous PM plan.
    pub locked_pm: &'a [usize],
    /// £ per pupil who rides another vehicle than in the previous plan.
    pub change_cost: f64,
}

impl<'a> DayBasis<'a> {
    fn session(
        &self,
        session: Session,
        other: Option<&'a Plan>,
        start: Option<&'a Plan>,
    ) -> Basis<'a> {
        let (previous, locked) = match session {
            Session::Pm => (self.previous_pm, self.locked_pm),
            Session::Am | Session::Day => (self.previous_am, self.locked_am),
        };
        Basis {
            other,
            start,
            previous,
            locked,
            change_cost: self.change_cost,
        }
    }
}

/// Plans the day of `problem` (its session should be [`Session::Day`]; the
/// AM and PM are planned whatever it says).
pub fn plan_day(
    problem: &Problem,
    travel: &TravelTimes,
    options: &PlanOptions,
    progress: &(dyn Fn(engine::Progress) + Sync),
) -> DayRun {
    plan_day_on(problem, travel, &DayBasis::default(), options, progress).0
}

/// As [`plan_day`], re-planning from `basis`: locked runs kept, pupils
/// preferring their previous vehicles. Also returns the locked runs that
/// could not be kept, with their session.
pub fn plan_day_on(
    problem: &Problem,
    travel: &TravelTimes,
    basis: &DayBasis,
    options: &PlanOptions,
    progress: &(dyn Fn(engine::Progress) + Sync),
) -> (DayRun, Vec<(Session, LockBroken)>) {
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
    let mut broken = Vec::new();
    let (am1, b) = plan_session(
        &am_problem,
        travel,
        &basis.session(Session::Am, None, None),
        &share(options, shares[0]),
        &report,
    );
    broken.extend(b.into_iter().map(|b| (Session::Am, b)));
    next_phase();
    let (pm, b) = plan_session(
        &pm_problem,
        travel,
        &basis.session(Session::Pm, Some(&am1.plan), None),
        &share(options, shares[1]),
        &report,
    );
    broken.extend(b.into_iter().map(|b| (Session::Pm, b)));
    let mut iterations = am1.iterations + pm.iterations;
    let mut best = DayPlan::new(problem, am1.plan, pm.plan);
    let mut objective = day_objective(problem, &best);
    if let Some(&f) = shares.get(2) {
        next_phase();
        let (am2, _) = plan_session(
            &am_problem,
            travel,
            &basis.session(Session::Am, Some(&best.pm), Some(&best.am)),
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
    (
        DayRun {
            plan: best,
            objective,
            iterations,
        },
        broken,
    )
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
    let basis = Basis {
        other: Some(other),
        start,
        ..Basis::default()
    };
    plan_session(problem, travel, &basis, options, progress).0
}
