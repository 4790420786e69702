//! Conflicts: pupils who must not travel together are never on the same run.

use super::walk::RunFacts;
use super::{Rule, Violation};

/// No two pupils boarding a run conflict.
pub(super) fn check(run: &RunFacts, out: &mut Vec<Violation>) {
    let on_run = &run.carried;
    for (i, a) in on_run.iter().enumerate() {
        for b in &on_run[i + 1..] {
            if a.needs.must_not_travel_with.contains(&b.id)
                || b.needs.must_not_travel_with.contains(&a.id)
            {
                out.push(
                    run.violation(
                        Rule::MustNotTravelTogether,
                        format!("on the same run as {}", b.id),
                    )
                    .pupil(&a.id)
                    .fix(format!("move {} or {} to another run", a.id, b.id)),
                );
            }
        }
    }
}
