//! Coverage: the plan is for the problem's session, lists only known pupils
//! who travel in it, and places every travelling pupil once or lists them
//! unassigned, never both or neither.

use super::walk::RunFacts;
use super::{Rule, Violation};
use crate::plan::Plan;
use crate::problem::Problem;
use std::collections::HashSet;

/// The plan is for the problem's session.
pub(super) fn check_session(problem: &Problem, plan: &Plan, out: &mut Vec<Violation>) {
    if plan.session != problem.session {
        out.push(
            Violation::new(
                Rule::Coverage,
                format!(
                    "plan is for the {} session, problem for {}",
                    plan.session, problem.session
                ),
            )
            .fix("check the plan against the problem of its own session"),
        );
    }
}

/// Pupils on a run are known and travel in the session.
pub(super) fn check_run(problem: &Problem, run: &RunFacts, out: &mut Vec<Violation>) {
    let session = problem.session;
    for (si, facts) in run.stops.iter().enumerate() {
        for pid in &facts.unknown {
            out.push(
                run.at(si, Rule::Coverage, "unknown pupil")
                    .pupil(*pid)
                    .fix("remove the pupil from the run or add them to the pupils"),
            );
        }
        for pid in &facts.stop.pupils {
            if let Some(p) = problem.pupil(pid) {
                if !p.sessions.includes(session) {
                    out.push(
                        run.at(
                            si,
                            Rule::Coverage,
                            format!("pupil does not travel in the {session} session"),
                        )
                        .pupil(pid)
                        .fix("remove the pupil from the run or correct their sessions"),
                    );
                }
            }
        }
    }
}

/// Every travelling pupil is placed or listed unassigned, exactly once.
pub(super) fn check_plan(
    problem: &Problem,
    plan: &Plan,
    runs: &[RunFacts],
    out: &mut Vec<Violation>,
) {
    let placed: HashSet<&str> = runs
        .iter()
        .flat_map(|r| r.carried.iter().map(|p| p.id.as_str()))
        .collect();
    let mut unassigned = HashSet::new();
    for u in &plan.unassigned {
        let v = |m: &str, fix: &str| Violation::new(Rule::Coverage, m).pupil(&u.pupil).fix(fix);
        if problem.pupil(&u.pupil).is_none() {
            out.push(v(
                "unknown pupil listed as unassigned",
                "remove the entry or add the pupil",
            ));
        }
        if !unassigned.insert(u.pupil.as_str()) {
            out.push(v("listed as unassigned twice", "list the pupil once"));
        }
        if placed.contains(u.pupil.as_str()) {
            out.push(v(
                "listed as unassigned but placed on a run",
                "either place the pupil or list them unassigned",
            ));
        }
    }
    for p in problem.travelling_pupils() {
        if !placed.contains(p.id.as_str()) && !unassigned.contains(p.id.as_str()) {
            out.push(
                Violation::new(Rule::Coverage, "neither placed nor listed as unassigned")
                    .pupil(&p.id)
                    .fix("place the pupil on a run or list them unassigned with a reason"),
            );
        }
    }
}
