//! Timing: arrivals respect travel times, service starts no earlier than
//! arrival, and the vehicle leaves no earlier than the end of the service of
//! every pupil at the stop.

use super::walk::{Leg, RunFacts};
use super::{clock_time, Rule, Unit, EPS_T};

/// Every stop of a run is timed consistently with the travel times.
pub(super) fn check(run: &RunFacts, out: &mut Vec<super::Violation>) {
    for (si, facts) in run.stops.iter().enumerate() {
        let stop = facts.stop;
        if let Leg::Known { duration: t, .. } = facts.leg {
            let prev = run.stops[si - 1].stop;
            if !t.is_finite() {
                out.push(
                    run.at(
                        si,
                        Rule::Timing,
                        format!(
                            "{} is unreachable from {}",
                            stop.location_key, prev.location_key
                        ),
                    )
                    .fix("check the travel matrix or the road network between the two"),
                );
            } else if stop.arrival_s + EPS_T < prev.departure_s + t {
                let due = prev.departure_s + t;
                out.push(
                    run.at(si, Rule::Timing, format!(
                        "arrives at {:.0} s but leaving the previous stop at {:.0} s and driving {:.0} s arrives at {:.0} s",
                        stop.arrival_s, prev.departure_s, t, due))
                    .by(due - stop.arrival_s, Unit::Seconds)
                    .fix("recompute the run's times from the travel times"),
                );
            }
        }
        if stop.service_start_s + EPS_T < stop.arrival_s {
            out.push(
                run.at(
                    si,
                    Rule::Timing,
                    format!(
                        "service starts at {:.0} s before arrival at {:.0} s",
                        stop.service_start_s, stop.arrival_s
                    ),
                )
                .by(stop.arrival_s - stop.service_start_s, Unit::Seconds)
                .fix("start the service on or after arrival"),
            );
        }
        if stop.departure_s + EPS_T < facts.service_end {
            out.push(
                run.at(si, Rule::Timing, format!(
                    "leaves at {} but the service of its {} pupil(s), one after another from {}, ends at {}",
                    clock_time(stop.departure_s),
                    stop.pupils.len(),
                    clock_time(stop.service_start_s),
                    clock_time(facts.service_end)
                ))
                .by(facts.service_end - stop.departure_s, Unit::Seconds)
                .fix("leave after every pupil has boarded or alighted"),
            );
        }
    }
}
