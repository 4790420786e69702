//! The one planning pipeline of the CLI and the gRPC service: a problem of
//! one session or a day, travel times and options in; a plan, the search's
//! figures and the independent validator's verdict out.

use crate::day::plan_day;
use crate::instance::{plan, PlanOptions};
use senroute_model::{validate_any, AnyPlan, Problem, Session, TravelTimes, Violation};
use senroute_solver as engine;

/// What [`run`] produced.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The plan (a day plan for [`Session::Day`]).
    pub plan: AnyPlan,
    /// The search's objective value.
    pub objective: f64,
    /// Search iterations, summed over threads (and phases of a day).
    pub iterations: u64,
    /// What the independent validator found; empty for a valid plan.
    pub violations: Vec<Violation>,
}

/// Plans `problem` (its session, or both sessions of a day) over `travel`
/// and checks the plan with the independent validator.
pub fn run(
    problem: &Problem,
    travel: &TravelTimes,
    options: &PlanOptions,
    progress: &(dyn Fn(engine::Progress) + Sync),
) -> Outcome {
    let (plan, objective, iterations) = match problem.session {
        Session::Day => {
            let r = plan_day(problem, travel, options, progress);
            (AnyPlan::Day(Box::new(r.plan)), r.objective, r.iterations)
        }
        Session::Am | Session::Pm => {
            let r = plan(problem, travel, options, progress);
            (AnyPlan::Session(r.plan), r.objective, r.iterations)
        }
    };
    let violations = validate_any(problem, travel, &plan);
    Outcome {
        plan,
        objective,
        iterations,
        violations,
    }
}
