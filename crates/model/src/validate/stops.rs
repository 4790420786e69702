//! Stop locations: a run goes depot to depot, picks each pupil up where they
//! board and drops them where they alight, between places with known travel.

use super::walk::{expected_keys, Leg, RunFacts};
use super::{Rule, Violation};
use crate::plan::{Route, StopKind};
use crate::problem::{LocationKey, Problem};

/// A run must start and end with a depot stop; a run that does not is not
/// checked further.
pub(super) fn check_shape(index: usize, route: &Route, out: &mut Vec<Violation>) -> bool {
    let stops = &route.stops;
    let ok = stops.len() >= 2
        && stops[0].kind == StopKind::Depot
        && stops[stops.len() - 1].kind == StopKind::Depot;
    if !ok {
        out.push(
            Violation::new(
                Rule::StopLocation,
                "a run must start and end with a depot stop",
            )
            .on_run(index, route.label())
            .fix("add the vehicle's depot as the first and last stop"),
        );
    }
    ok
}

/// Every stop of a run is at the right place.
pub(super) fn check(problem: &Problem, run: &RunFacts, out: &mut Vec<Violation>) {
    let depot = LocationKey::Depot(run.vt.id.clone());
    let last = run.stops.len() - 1;
    for (si, facts) in run.stops.iter().enumerate() {
        let stop = facts.stop;
        let is_end = si == 0 || si == last;
        if is_end != (stop.kind == StopKind::Depot) {
            out.push(
                run.at(
                    si,
                    Rule::StopLocation,
                    "depot stops may only start and end a run",
                )
                .fix("remove the depot stop from the middle of the run"),
            );
        }
        if stop.kind == StopKind::Depot && stop.location_key != depot {
            out.push(
                run.at(
                    si,
                    Rule::StopLocation,
                    format!(
                        "run of {} must use its depot, not {}",
                        run.vt.id, stop.location_key
                    ),
                )
                .fix(format!("start and end at {depot}")),
            );
        }
        if stop.kind == StopKind::Depot && !stop.pupils.is_empty() {
            out.push(
                run.at(si, Rule::StopLocation, "pupils listed at a depot stop")
                    .fix("board and drop pupils at home or school only"),
            );
        }
        if let Leg::Unknown = facts.leg {
            let prev = &run.stops[si - 1].stop.location_key;
            out.push(
                run.at(
                    si,
                    Rule::StopLocation,
                    format!("no travel time between {prev} and {}", stop.location_key),
                )
                .fix("add both places to the travel matrix"),
            );
        }
        for s in &facts.boarding {
            let (board, _) = expected_keys(s.pupil, problem.session);
            if stop.location_key != board {
                out.push(
                    run.at(
                        si,
                        Rule::StopLocation,
                        format!("picked up at {} instead of {board}", stop.location_key),
                    )
                    .pupil(&s.pupil.id)
                    .fix(format!("pick the pupil up at {board}")),
                );
            }
        }
        for s in &facts.alighting {
            let (_, alight) = expected_keys(s.pupil, problem.session);
            if stop.location_key != alight {
                out.push(
                    run.at(
                        si,
                        Rule::StopLocation,
                        format!("dropped at {} instead of {alight}", stop.location_key),
                    )
                    .pupil(&s.pupil.id)
                    .fix(format!("drop the pupil at {alight}")),
                );
            }
        }
    }
}
