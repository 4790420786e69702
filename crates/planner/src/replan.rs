//! Re-planning from a previous plan: locked runs are kept exactly (vehicle,
//! pupils, order; only their times are recomputed within the rules), new
//! pupils are placed, pupils no longer on the list are dropped, and the
//! other runs may change at a cost per pupil who changes vehicle.

use crate::basis::{plan_session, Basis, LockBroken};
use crate::day::{plan_day_on, DayBasis};
use crate::instance::PlanOptions;
use crate::pipeline::Outcome;
use senroute_model::{
    changes, validate_any, AnyPlan, Change, InputErrors, InputIssue, Plan, Problem, RunRef,
    Session, TravelTimes,
};
use senroute_solver as engine;

/// Default £ per pupil who rides another vehicle than in the previous plan
/// (as [`senroute_model::DEFAULT_CONTINUITY_COST`]: a change a family
/// notices is worth about as much as a change of crew within a day).
pub const DEFAULT_CHANGE_COST: f64 = 20.0;

/// A re-plan: the previous plan, the runs of it to keep and the cost of a
/// pupil changing vehicle.
#[derive(Debug, Clone)]
pub struct Replan {
    /// The previous plan (a session or a day).
    pub previous: AnyPlan,
    /// Runs kept exactly (from [`senroute_model::parse_locks`]).
    pub locked: Vec<RunRef>,
    /// £ per pupil of the previous plan who rides another vehicle.
    pub change_cost: f64,
    /// Where the previous plan came from (e.g. `plan.json`), for errors.
    pub source: String,
}

impl Replan {
    /// The previous plan of `session`, if it has one.
    fn previous_of(&self, session: Session) -> Option<&Plan> {
        self.previous
            .plans()
            .into_iter()
            .find(|p| p.session == session)
    }

    /// Indices of the locked runs of `session`.
    fn locked_of(&self, session: Session) -> Vec<usize> {
        self.locked
            .iter()
            .filter(|r| r.session == session)
            .map(RunRef::index)
            .collect()
    }

    fn issue(&self, field: &str, value: Option<String>, message: String, hint: &str) -> InputIssue {
        InputIssue {
            source: self.source.clone(),
            line: None,
            field: Some(field.to_string()),
            value,
            message,
            hint: hint.to_string(),
        }
    }

    /// Checks the re-plan against `problem` before any search: the previous
    /// plan has a session the problem plans, every locked run is in a
    /// session planned and its vehicle is still in the fleet.
    pub fn check(&self, problem: &Problem) -> Result<(), InputErrors> {
        let mut errors = InputErrors::default();
        let planned: &[Session] = match problem.session {
            Session::Day => &[Session::Am, Session::Pm],
            Session::Am => &[Session::Am],
            Session::Pm => &[Session::Pm],
        };
        if !planned.iter().any(|s| self.previous_of(*s).is_some()) {
            errors.push(self.issue(
                "session",
                Some(self.previous.session().to_string()),
                format!(
                    "the previous plan is for the {} session, the problem plans {}",
                    self.previous.session(),
                    problem.session
                ),
                "re-plan the session the previous plan is for (--session)",
            ));
        }
        for lock in &self.locked {
            if !planned.contains(&lock.session) {
                errors.push(self.issue(
                    "--lock",
                    Some(lock.label()),
                    format!(
                        "run {} is not in a session being planned ({})",
                        lock.label(),
                        problem.session
                    ),
                    "lock runs of the session being planned",
                ));
                continue;
            }
            let Some(route) = self
                .previous_of(lock.session)
                .and_then(|p| p.routes.get(lock.index()))
            else {
                errors.push(self.issue(
                    "--lock",
                    Some(lock.label()),
                    format!("the previous plan has no run {}", lock.label()),
                    "use the run numbers of routes.csv or the manifests",
                ));
                continue;
            };
            match problem.vehicle_type(&route.vehicle_type) {
                None => errors.push(self.issue(
                    &format!("{}.routes[{}].vehicle_type", lock.session, lock.index()),
                    Some(route.vehicle_type.clone()),
                    format!("locked run {} is on vehicle type {}, which the fleet no longer has", lock.label(), route.vehicle_type),
                    "add the vehicle type back to fleet.csv, or unlock the run",
                )),
                Some(vt) if route.vehicle_index >= vt.count => errors.push(self.issue(
                    &format!("{}.routes[{}].vehicle_index", lock.session, lock.index()),
                    Some(route.label()),
                    format!(
                        "locked run {} is on {}, but the fleet has {} vehicle(s) of type {}: no vehicle left for it",
                        lock.label(),
                        route.label(),
                        vt.count,
                        vt.id
                    ),
                    "raise the type's count in fleet.csv, or unlock the run",
                )),
                Some(_) => {}
            }
        }
        errors.into_result(())
    }

    fn broken(&self, broken: &[(Session, LockBroken)]) -> Result<(), InputErrors> {
        let mut errors = InputErrors::default();
        for (session, b) in broken {
            let run = RunRef {
                session: *session,
                number: b.route + 1,
            };
            errors.push(self.issue(
                "--lock",
                Some(run.label()),
                format!("locked run {} cannot be kept: {}", run.label(), b.why),
                "unlock the run (leave it out of --lock) so that its pupils are re-planned, or correct the inputs",
            ));
        }
        errors.into_result(())
    }
}

/// What [`replan`] produced: the outcome of the pipeline and what changed
/// for each pupil.
#[derive(Debug, Clone)]
pub struct Replanned {
    /// The plan, validated, as [`crate::run`] gives it.
    pub outcome: Outcome,
    /// Every pupil whose placement changed, session by session.
    pub changes: Vec<Change>,
}

/// Re-plans `problem` from `replan` (see the module docs) and checks the
/// plan with the independent validator. Errors: a previous plan or lock that
/// does not fit the problem, or a locked run that breaks a rule on the new
/// inputs.
pub fn replan(
    problem: &Problem,
    travel: &TravelTimes,
    replan: &Replan,
    options: &PlanOptions,
    progress: &(dyn Fn(engine::Progress) + Sync),
) -> Result<Replanned, InputErrors> {
    replan.check(problem)?;
    let (plan, objective, iterations) = match problem.session {
        Session::Day => {
            let (am, pm) = (replan.locked_of(Session::Am), replan.locked_of(Session::Pm));
            let basis = DayBasis {
                previous_am: replan.previous_of(Session::Am),
                previous_pm: replan.previous_of(Session::Pm),
                locked_am: &am,
                locked_pm: &pm,
                change_cost: replan.change_cost,
            };
            let (r, broken) = plan_day_on(problem, travel, &basis, options, progress);
            replan.broken(&broken)?;
            (AnyPlan::Day(Box::new(r.plan)), r.objective, r.iterations)
        }
        session @ (Session::Am | Session::Pm) => {
            let locked = replan.locked_of(session);
            let basis = Basis {
                previous: replan.previous_of(session),
                locked: &locked,
                change_cost: replan.change_cost,
                ..Basis::default()
            };
            let (r, broken) = plan_session(problem, travel, &basis, options, progress);
            replan.broken(&broken.into_iter().map(|b| (session, b)).collect::<Vec<_>>())?;
            (AnyPlan::Session(r.plan), r.objective, r.iterations)
        }
    };
    let violations = validate_any(problem, travel, &plan);
    let changes = changes(&replan.previous, &plan, &|p| problem.pupil(p).is_some());
    Ok(Replanned {
        outcome: Outcome {
            plan,
            objective,
            iterations,
            violations,
        },
        changes,
    })
}
