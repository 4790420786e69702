//! Travel alone: a pupil who must travel alone shares the vehicle with
//! nobody at any moment.

use super::walk::RunFacts;
use super::{Rule, Unit, Violation};

/// After every stop, a travel-alone pupil on board is the only one.
pub(super) fn check(run: &RunFacts, out: &mut Vec<Violation>) {
    for (si, facts) in run.stops.iter().enumerate() {
        let n = facts.on_board.len();
        if n > 1 {
            for p in facts.on_board.iter().filter(|p| p.needs.travel_alone) {
                out.push(
                    run.at(
                        si,
                        Rule::TravelAlone,
                        format!("travels alone but {} others are on board", n - 1),
                    )
                    .pupil(&p.id)
                    .by((n - 1) as f64, Unit::Pupils)
                    .fix("give the pupil a run of their own"),
                );
            }
        }
    }
}
