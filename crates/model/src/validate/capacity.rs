//! Capacity: seats and wheelchair spaces are enough after every stop, a
//! wheelchair space taking `seats_per_wheelchair_space` seats.

use super::walk::RunFacts;
use super::{Rule, Unit, Violation};

/// The load after every stop of a run fits the vehicle.
pub(super) fn check(run: &RunFacts, out: &mut Vec<Violation>) {
    let vt = run.vt;
    for (si, facts) in run.stops.iter().enumerate() {
        let load = facts.load;
        // The last pupil to board here is the one with no room.
        let named = |v: Violation| match facts.boarding.last() {
            Some(s) => v.pupil(&s.pupil.id),
            None => v,
        };
        if load.wheelchair > vt.wheelchair_spaces {
            out.push(named(
                run.at(
                    si,
                    Rule::Capacity,
                    format!(
                        "{} wheelchairs on board, {} spaces",
                        load.wheelchair, vt.wheelchair_spaces
                    ),
                )
                .by(
                    f64::from(load.wheelchair - vt.wheelchair_spaces),
                    Unit::WheelchairSpaces,
                )
                .fix("move a wheelchair user to another run or a larger vehicle"),
            ));
        }
        let seat_use = load.seated + vt.seats_per_wheelchair_space * load.wheelchair;
        if seat_use > vt.seats {
            out.push(named(
                run.at(
                    si,
                    Rule::Capacity,
                    format!(
                        "{} seats needed ({} seated, {} wheelchairs × {} seats), {} available",
                        seat_use,
                        load.seated,
                        load.wheelchair,
                        vt.seats_per_wheelchair_space,
                        vt.seats
                    ),
                )
                .by(f64::from(seat_use - vt.seats), Unit::Seats)
                .fix("move pupils to another run or a larger vehicle"),
            ));
        }
    }
}
