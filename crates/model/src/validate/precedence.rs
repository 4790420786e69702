//! Precedence: each pupil is picked up once, by one vehicle, and dropped by
//! the same vehicle afterwards.

use super::walk::RunFacts;
use super::{Rule, Violation};
use std::collections::HashMap;

/// Drops of pupils not on board, and pupils never dropped.
pub(super) fn check_run(run: &RunFacts, out: &mut Vec<Violation>) {
    for (si, facts) in run.stops.iter().enumerate() {
        for p in &facts.not_on_board {
            out.push(
                run.at(si, Rule::Precedence, "dropped but not on board")
                    .pupil(&p.id)
                    .fix("pick the pupil up earlier on the same run"),
            );
        }
    }
    for p in &run.never_dropped {
        out.push(
            run.violation(Rule::Precedence, "picked up but never dropped")
                .pupil(&p.id)
                .fix("add the pupil's drop to the run"),
        );
    }
}

/// No pupil is picked up twice, on one run or two.
pub(super) fn check_plan(runs: &[RunFacts], out: &mut Vec<Violation>) {
    let mut picked: HashMap<&str, usize> = HashMap::new();
    for run in runs {
        for (si, facts) in run.stops.iter().enumerate() {
            for s in &facts.boarding {
                if let Some(prev) = picked.insert(&s.pupil.id, run.index) {
                    out.push(
                        run.at(
                            si,
                            Rule::Precedence,
                            format!(
                                "picked up again (already on run {}, routes[{prev}])",
                                prev + 1
                            ),
                        )
                        .pupil(&s.pupil.id)
                        .fix("keep one pick-up of the pupil"),
                    );
                }
            }
        }
    }
}
