//! Day plans: the morning and afternoon plans of one day, with each
//! vehicle's day rate counted once and the crew continuity achieved.
//!
//! A vehicle is its type and index (`Route::vehicle_type`,
//! `Route::vehicle_index`): the run of `MINIBUS-12 #2` in the morning and the
//! one in the afternoon are the same vehicle, driver and passenger
//! assistant. [`DayTotals::of`] is the one place day figures are computed.

use crate::plan::{Plan, TIME_TOLERANCE_S};
use crate::problem::{Continuity, Problem, Session, Sessions};
use crate::travel::TravelTimes;
use crate::validate::{validate, Rule, Unit, Violation};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The plans of a day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayPlan {
    /// The morning plan (its runs' `cost` include the day rate, as a plan of
    /// the session alone would).
    pub am: Plan,
    /// The afternoon plan.
    pub pm: Plan,
    /// The crew-continuity setting the day was planned with.
    pub continuity: Continuity,
    /// Day figures: [`DayTotals::of`].
    pub totals: DayTotals,
}

/// Figures of a day plan.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DayTotals {
    /// Vehicles used in either session, each counted once.
    pub vehicles: usize,
    /// Cost of the day (£): `day_rates + am_running_cost + pm_running_cost`.
    pub cost: f64,
    /// Each vehicle used: its day rate plus its passenger assistant's, once.
    pub day_rates: f64,
    /// Per km and per hour of the morning runs.
    pub am_running_cost: f64,
    /// Per km and per hour of the afternoon runs.
    pub pm_running_cost: f64,
    /// Metres driven in the day.
    pub distance_m: f64,
    /// Vehicle seconds on duty in the day.
    pub duration_s: f64,
    /// Sum of pupil ride seconds in the day.
    pub ride_s: f64,
    /// Pupil journeys placed (a pupil travelling both sessions counts twice).
    pub assigned: usize,
    /// Pupil journeys not placed.
    pub unassigned: usize,
    /// Pupils who travel in both sessions.
    pub both_sessions: usize,
    /// Of those, pupils on the same vehicle in the morning and afternoon.
    pub same_vehicle: usize,
    /// `same_vehicle / both_sessions`; `None` when no pupil travels twice.
    pub continuity: Option<f64>,
}

/// A vehicle: type id and index.
pub type VehicleKey = (String, u32);

/// The vehicle carrying each placed pupil of a plan.
pub fn vehicle_of_pupils(plan: &Plan) -> HashMap<&str, VehicleKey> {
    plan.rides
        .iter()
        .filter_map(|r| {
            let route = plan.routes.get(r.route)?;
            Some((
                r.pupil.as_str(),
                (route.vehicle_type.clone(), route.vehicle_index),
            ))
        })
        .collect()
}

impl DayTotals {
    /// The day's figures. A vehicle's day rate (with its assistant) is
    /// counted once whether it runs in one session or both; every run adds
    /// its running cost ([`VehicleType::running_cost`]).
    ///
    /// [`VehicleType::running_cost`]: crate::VehicleType::running_cost
    pub fn of(problem: &Problem, am: &Plan, pm: &Plan) -> DayTotals {
        let mut t = DayTotals::default();
        let mut vehicles: BTreeMap<VehicleKey, f64> = BTreeMap::new();
        for (plan, running) in [(am, &mut t.am_running_cost), (pm, &mut t.pm_running_cost)] {
            for r in &plan.routes {
                let Some(vt) = problem.vehicle_type(&r.vehicle_type) else {
                    continue;
                };
                vehicles.insert(
                    (r.vehicle_type.clone(), r.vehicle_index),
                    vt.daily_fixed_cost(),
                );
                *running += vt.running_cost(r.distance_m, r.duration_s);
            }
            t.distance_m += plan.routes.iter().map(|r| r.distance_m).sum::<f64>();
            t.duration_s += plan.routes.iter().map(|r| r.duration_s).sum::<f64>();
            t.ride_s += plan.rides.iter().map(|r| r.ride_s).sum::<f64>();
        }
        t.vehicles = vehicles.len();
        t.day_rates = vehicles.values().sum();
        t.cost = t.day_rates + t.am_running_cost + t.pm_running_cost;
        t.assigned = am.rides.len() + pm.rides.len();
        t.unassigned = am.unassigned.len() + pm.unassigned.len();
        let (in_am, in_pm) = (vehicle_of_pupils(am), vehicle_of_pupils(pm));
        for p in problem
            .pupils
            .iter()
            .filter(|p| p.sessions == Sessions::Both)
        {
            t.both_sessions += 1;
            if let (Some(a), Some(b)) = (in_am.get(p.id.as_str()), in_pm.get(p.id.as_str())) {
                t.same_vehicle += usize::from(a == b);
            }
        }
        t.continuity =
            (t.both_sessions > 0).then(|| t.same_vehicle as f64 / t.both_sessions as f64);
        t
    }
}

impl DayPlan {
    /// A day plan of two session plans, with its totals.
    pub fn new(problem: &Problem, am: Plan, pm: Plan) -> DayPlan {
        let totals = DayTotals::of(problem, &am, &pm);
        DayPlan {
            am,
            pm,
            continuity: problem.settings.continuity,
            totals,
        }
    }

    /// The plan of `session` (`Am` or `Pm`).
    pub fn session(&self, session: Session) -> &Plan {
        match session {
            Session::Pm => &self.pm,
            Session::Am | Session::Day => &self.am,
        }
    }

    /// Both plans, morning first.
    pub fn plans(&self) -> [&Plan; 2] {
        [&self.am, &self.pm]
    }
}

/// Checks every rule of a day plan: each session plan as
/// [`validate()`] does (violations carry their session), a vehicle's PM run
/// starting after its AM run has returned, hard crew continuity when the
/// problem asks for it, and the day totals.
pub fn validate_day(problem: &Problem, travel: &TravelTimes, day: &DayPlan) -> Vec<Violation> {
    let mut out = Vec::new();
    for (session, plan) in [(Session::Am, &day.am), (Session::Pm, &day.pm)] {
        if plan.session != session {
            out.push(
                Violation::new(
                    Rule::Coverage,
                    format!(
                        "the {} plan is for the {} session",
                        session.label(),
                        plan.session
                    ),
                )
                .in_session(session)
                .fix("give each session's plan in its place (am, pm)"),
            );
            continue;
        }
        out.extend(
            validate(&problem.for_session(session), travel, plan)
                .into_iter()
                .map(|v| v.in_session(session)),
        );
    }
    // One vehicle cannot be in two places: its PM run leaves after its AM
    // run is back.
    let am_runs: HashMap<VehicleKey, usize> = day
        .am
        .routes
        .iter()
        .enumerate()
        .map(|(i, r)| ((r.vehicle_type.clone(), r.vehicle_index), i))
        .collect();
    for (pi, r) in day.pm.routes.iter().enumerate() {
        let Some(&ai) = am_runs.get(&(r.vehicle_type.clone(), r.vehicle_index)) else {
            continue;
        };
        let a = &day.am.routes[ai];
        if let (Some(back), Some(leave)) = (a.stops.last(), r.stops.first()) {
            if leave.departure_s + TIME_TOLERANCE_S < back.arrival_s {
                out.push(
                    Violation::new(
                        Rule::Duty,
                        format!(
                            "{} leaves for its PM run before its AM run (AM run {}) is back at the depot",
                            r.label(),
                            ai + 1
                        ),
                    )
                    .in_session(Session::Pm)
                    .on_run(pi, r.label())
                    .by(back.arrival_s - leave.departure_s, Unit::Seconds)
                    .fix("start the PM run later, or give it to another vehicle"),
                );
            }
        }
    }
    if problem.settings.continuity == Continuity::Hard {
        let in_am = vehicle_of_pupils(&day.am);
        for ride in &day.pm.rides {
            let Some(route) = day.pm.routes.get(ride.route) else {
                continue;
            };
            if let Some(v) = in_am.get(ride.pupil.as_str()) {
                if (&v.0, v.1) != (&route.vehicle_type, route.vehicle_index) {
                    out.push(
                        Violation::new(
                            Rule::Continuity,
                            format!(
                                "goes home on {} but came on {} #{} (crew continuity is hard)",
                                route.label(),
                                v.0,
                                v.1 + 1
                            ),
                        )
                        .in_session(Session::Pm)
                        .on_run(ride.route, route.label())
                        .pupil(ride.pupil.clone())
                        .fix(format!(
                            "put the pupil on {} #{} in the PM too",
                            v.0,
                            v.1 + 1
                        )),
                    );
                }
            }
        }
    }
    let expect = DayTotals::of(problem, &day.am, &day.pm);
    let t = &day.totals;
    let near = |a: f64, b: f64| (a - b).abs() <= 0.01 + 1e-6 * a.abs().max(b.abs());
    let same_ratio = match (t.continuity, expect.continuity) {
        (Some(a), Some(b)) => near(a, b),
        (a, b) => a.is_none() && b.is_none(),
    };
    if t.vehicles != expect.vehicles
        || t.assigned != expect.assigned
        || t.unassigned != expect.unassigned
        || t.both_sessions != expect.both_sessions
        || t.same_vehicle != expect.same_vehicle
        || !same_ratio
        || !near(t.cost, expect.cost)
        || !near(t.day_rates, expect.day_rates)
        || !near(t.am_running_cost, expect.am_running_cost)
        || !near(t.pm_running_cost, expect.pm_running_cost)
        || !near(t.distance_m, expect.distance_m)
        || !near(t.duration_s, expect.duration_s)
        || !near(t.ride_s, expect.ride_s)
    {
        out.push(
            Violation::new(
                Rule::Arithmetic,
                format!("day totals {t:?} do not add up to {expect:?}"),
            )
            .by((t.cost - expect.cost).abs(), Unit::Pounds)
            .fix("recompute the day's totals from its runs"),
        );
    }
    out
}

/// A plan of one session or of a day: what planning a [`Problem`] gives.
/// In JSON a day plan is an object with `am` and `pm` plans, a session plan
/// the [`Plan`] object itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AnyPlan {
    /// Both sessions of a day.
    Day(Box<DayPlan>),
    /// One session.
    Session(Plan),
}

impl AnyPlan {
    /// `am`, `pm` or `day`.
    pub fn session(&self) -> Session {
        match self {
            AnyPlan::Day(_) => Session::Day,
            AnyPlan::Session(p) => p.session,
        }
    }

    /// The session plans, AM first.
    pub fn plans(&self) -> Vec<&Plan> {
        match self {
            AnyPlan::Day(d) => d.plans().to_vec(),
            AnyPlan::Session(p) => vec![p],
        }
    }

    /// The session plans, AM first, to change.
    pub fn plans_mut(&mut self) -> Vec<&mut Plan> {
        match self {
            AnyPlan::Day(d) => vec![&mut d.am, &mut d.pm],
            AnyPlan::Session(p) => vec![p],
        }
    }

    /// Cost per day (£), each vehicle's day rate counted once.
    pub fn cost(&self) -> f64 {
        match self {
            AnyPlan::Day(d) => d.totals.cost,
            AnyPlan::Session(p) => p.totals.cost,
        }
    }

    /// Vehicles used (in a day: in either session, each once).
    pub fn vehicles(&self) -> usize {
        match self {
            AnyPlan::Day(d) => d.totals.vehicles,
            AnyPlan::Session(p) => p.totals.vehicles,
        }
    }

    /// Pupil journeys not placed.
    pub fn unassigned(&self) -> usize {
        match self {
            AnyPlan::Day(d) => d.totals.unassigned,
            AnyPlan::Session(p) => p.totals.unassigned,
        }
    }

    /// Recomputes the totals from the runs (after a change to them).
    pub fn compute_totals(&mut self, problem: &Problem) {
        for p in self.plans_mut() {
            p.compute_totals();
        }
        if let AnyPlan::Day(d) = self {
            d.totals = DayTotals::of(problem, &d.am, &d.pm);
        }
    }
}

/// Checks every rule of a session or day plan: [`validate()`] or
/// [`validate_day`].
pub fn validate_any(problem: &Problem, travel: &TravelTimes, plan: &AnyPlan) -> Vec<Violation> {
    match plan {
        AnyPlan::Day(d) => validate_day(problem, travel, d),
        AnyPlan::Session(p) => validate(problem, travel, p),
    }
}
