//! Compatibility: the vehicle has what each pupil it carries needs
//! (wheelchair space, tail-lift, passenger assistant, a seat).

use super::walk::RunFacts;
use super::{Rule, Violation};
use crate::problem::incompatibility;

/// Every pupil boarding a run can be carried by its vehicle type.
pub(super) fn check(run: &RunFacts, out: &mut Vec<Violation>) {
    for (si, facts) in run.stops.iter().enumerate() {
        for s in &facts.boarding {
            if let Some(reason) = incompatibility(s.pupil, run.vt) {
                out.push(
                    run.at(
                        si,
                        Rule::Compatibility,
                        format!("{} cannot carry the pupil: {reason}", run.vt.id),
                    )
                    .pupil(&s.pupil.id)
                    .fix("move the pupil to a vehicle type that has what they need"),
                );
            }
        }
    }
}
