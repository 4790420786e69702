//! The independent plan validator: checks every rule of a plan against the
//! problem and travel times, separately from any solver.
//!
//! One module per rule. `walk` reads each run once into the facts the
//! rules need (who boards and alights where and when, who is on board after
//! each stop); each rule module then reports its own [`Violation`]s, with
//! the run, stop and pupil concerned, by how much the rule is broken and
//! what to change.

mod arithmetic;
mod capacity;
mod conflicts;
mod coverage;
mod duty;
mod features;
mod fleet;
mod precedence;
mod ride_time;
mod schools;
mod stops;
mod timing;
mod travel_alone;
mod walk;
mod windows;

use crate::plan::{Plan, TIME_TOLERANCE_S};
use crate::problem::Problem;
use crate::travel::TravelTimes;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which rule a plan breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Every travelling pupil is placed exactly once or listed unassigned.
    Coverage,
    /// Picked up before dropped, by one vehicle, at most once.
    Precedence,
    /// Stops are at the right place (depot, home, school).
    StopLocation,
    /// Arrival times respect travel times and service times.
    Timing,
    /// School windows and earliest pick-up times.
    Window,
    /// Maximum ride time per pupil.
    RideTime,
    /// Shift window and maximum duty per vehicle.
    Duty,
    /// Seats and wheelchair spaces at every moment.
    Capacity,
    /// Vehicle features match pupil needs.
    Compatibility,
    /// Travel-alone pupils ride with nobody else.
    TravelAlone,
    /// Pupils who must not travel together are on different runs.
    MustNotTravelTogether,
    /// No more schools on a run than its vehicle type allows.
    SchoolsPerRun,
    /// No more vehicles of a type than the fleet has.
    FleetSize,
    /// Reported distances, durations, loads, ride times, costs and totals add up.
    Arithmetic,
}

/// The unit of a [`Violation::amount`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Seconds (times, rides, duty).
    Seconds,
    /// Seats.
    Seats,
    /// Wheelchair spaces.
    WheelchairSpaces,
    /// Pupils (e.g. others on board with a travel-alone pupil).
    Pupils,
    /// Vehicles or runs.
    Vehicles,
    /// Schools.
    Schools,
    /// Metres.
    Metres,
    /// Pounds sterling.
    Pounds,
}

/// By how much a rule is broken: the excess over the limit, or the
/// difference between a reported and the true figure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Amount {
    /// How much, always positive.
    pub value: f64,
    /// In what.
    pub unit: Unit,
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Violation {
    /// The rule.
    pub rule: Rule,
    /// Route (run) index into [`Plan::routes`], if the violation is on a run.
    pub route: Option<usize>,
    /// The run's label, e.g. `MINIBUS-16 #2`, when the violation is on a run.
    #[serde(default)]
    pub run: Option<String>,
    /// Stop index in the route.
    pub stop: Option<usize>,
    /// Pupil concerned.
    pub pupil: Option<String>,
    /// By how much the rule is broken, when it is a matter of degree.
    #[serde(default)]
    pub amount: Option<Amount>,
    /// What is wrong, with the numbers.
    pub message: String,
    /// What to change to mend it, in a few words (empty when the plan's
    /// own arithmetic is wrong and only the producer can fix it).
    #[serde(default)]
    pub fix: String,
}

impl Violation {
    /// A violation of `rule` described by `message`, not yet tied to a run,
    /// stop or pupil.
    pub fn new(rule: Rule, message: impl Into<String>) -> Self {
        Violation {
            rule,
            route: None,
            run: None,
            stop: None,
            pupil: None,
            amount: None,
            message: message.into(),
            fix: String::new(),
        }
    }

    /// On run `index` of the plan, labelled `label`.
    pub fn on_run(mut self, index: usize, label: impl Into<String>) -> Self {
        self.route = Some(index);
        self.run = Some(label.into());
        self
    }

    /// At stop `index` of its run.
    pub fn at_stop(mut self, index: usize) -> Self {
        self.stop = Some(index);
        self
    }

    /// Concerning pupil `id`.
    pub fn pupil(mut self, id: impl Into<String>) -> Self {
        self.pupil = Some(id.into());
        self
    }

    /// Broken by `value` `unit`s.
    pub fn by(mut self, value: f64, unit: Unit) -> Self {
        self.amount = Some(Amount { value, unit });
        self
    }

    /// With a suggestion of what to change.
    pub fn fix(mut self, what: impl Into<String>) -> Self {
        self.fix = what.into();
        self
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{:?}]", self.rule)?;
        match (&self.run, self.route) {
            (Some(label), Some(r)) => write!(f, " route {r} ({label})")?,
            (None, Some(r)) => write!(f, " route {r}")?,
            _ => {}
        }
        if let Some(s) = self.stop {
            write!(f, " stop {s}")?;
        }
        if let Some(p) = &self.pupil {
            write!(f, " pupil {p}")?;
        }
        write!(f, ": {}", self.message)?;
        if !self.fix.is_empty() {
            write!(f, "; {}", self.fix)?;
        }
        Ok(())
    }
}

/// Tolerance on times (seconds): rounding only, the same as the engine's.
const EPS_T: f64 = TIME_TOLERANCE_S;

/// `hh:mm:ss` (with fractions of a second when there are any) for messages.
fn clock_time(s: f64) -> String {
    if !s.is_finite() {
        return format!("{s}");
    }
    let whole = s.floor();
    let frac = s - whole;
    let w = whole as i64;
    let base = format!("{:02}:{:02}:{:02}", w / 3600, (w / 60) % 60, w % 60);
    if frac > 1e-3 {
        format!("{base}.{:03}", ((frac * 1000.0).floor() as i64).min(999))
    } else {
        base
    }
}

/// Reported and recomputed figures agree up to a cent, centimetre or
/// hundredth of a second.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 0.01 + 1e-6 * a.abs().max(b.abs())
}

/// Checks every rule of `plan` for `problem` under `travel`, independently of
/// how the plan was made. An empty result means the plan is valid.
pub fn validate(problem: &Problem, travel: &TravelTimes, plan: &Plan) -> Vec<Violation> {
    let mut out = Vec::new();
    coverage::check_session(problem, plan, &mut out);
    let mut runs = Vec::new();
    for (index, route) in plan.routes.iter().enumerate() {
        let Some(vt) = fleet::check_type(problem, index, route, &mut out) else {
            continue;
        };
        if !stops::check_shape(index, route, &mut out) {
            continue;
        }
        runs.push(walk::walk(problem, travel, index, route, vt));
    }
    fleet::check(problem, plan, &mut out);
    for run in &runs {
        coverage::check_run(problem, run, &mut out);
        stops::check(problem, run, &mut out);
        precedence::check_run(run, &mut out);
        timing::check(run, &mut out);
        windows::check(problem, run, &mut out);
        ride_time::check(problem, run, &mut out);
        capacity::check(run, &mut out);
        features::check(run, &mut out);
        travel_alone::check(run, &mut out);
        conflicts::check(run, &mut out);
        schools::check(run, &mut out);
        duty::check(run, &mut out);
        arithmetic::check_run(run, &mut out);
    }
    precedence::check_plan(&runs, &mut out);
    coverage::check_plan(problem, plan, &runs, &mut out);
    arithmetic::check_plan(plan, &runs, &mut out);
    out
}
