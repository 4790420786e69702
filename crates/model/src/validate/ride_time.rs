//! Ride time: from the end of a pupil's own boarding to the start of their
//! own alighting, no longer than their maximum ride time.

use super::walk::RunFacts;
use super::{clock_time, Rule, Unit, Violation, EPS_T};
use crate::problem::Problem;

/// Every ride completed on a run is within the pupil's cap.
pub(super) fn check(problem: &Problem, run: &RunFacts, out: &mut Vec<Violation>) {
    for ride in &run.rides {
        let Some(cap) = problem.max_ride_seconds(ride.pupil) else {
            continue;
        };
        let length = ride.alight_start - ride.board_end;
        if length > cap + EPS_T {
            out.push(
                run.at(
                    ride.stop,
                    Rule::RideTime,
                    format!(
                        "rides {:.1} min ({:.0} s, from the end of boarding at {} to the start of alighting at {}), over the cap of {:.0} min by {:.0} s",
                        length / 60.0,
                        length,
                        clock_time(ride.board_end),
                        clock_time(ride.alight_start),
                        cap / 60.0,
                        (length - cap).ceil()
                    ),
                )
                .pupil(&ride.pupil.id)
                .by(length - cap, Unit::Seconds)
                .fix("shorten the run or move the pupil to another run"),
            );
        }
    }
}
