//! The timetable of a route given in advance, whether or not it keeps the
//! rules: for checking a plan edited by hand, whose stop order and vehicle
//! are given but whose times are to be worked out the way the search works
//! them out.

use crate::eval::{evaluate_timetable, node_of, schedule_from, Prep, Scratch};
use crate::{FixedRoute, Instance, Route, Violation};

/// A given route with its timetable.
#[derive(Clone, Debug, PartialEq)]
pub struct Timed {
    /// The route with the timetable the engine's own scheduling gives its
    /// sequence (earliest start, then the depot departure and each pick-up
    /// delayed within their slack to shorten waits and rides). Its `cost`
    /// is the vehicle type's route cost of its distance and duration.
    pub route: Route,
    /// The first hard rule the route breaks, if any (then the timetable is
    /// the one those steps give regardless, for measuring by how much).
    pub violation: Option<Violation>,
}

/// Works out the timetable of each of `routes` on `inst` independently (the
/// fleet size is not considered). A route is `None` when it cannot be
/// timed: an unknown vehicle type or request, no visits, or a visit given
/// twice.
pub fn timetables(inst: &Instance, routes: &[FixedRoute]) -> Vec<Option<Timed>> {
    let p = Prep::new(inst);
    let mut sc = Scratch::default();
    routes
        .iter()
        .map(|f| {
            let v = inst.vehicle_types.get(f.vehicle_type)?;
            if f.visits.is_empty() || f.visits.iter().any(|x| x.request >= p.nreq) {
                return None;
            }
            let nodes: Vec<u32> = f
                .visits
                .iter()
                .map(|x| node_of(x.request, x.kind))
                .collect();
            let mut seen = nodes.clone();
            seen.sort_unstable();
            if seen.windows(2).any(|w| w[0] == w[1]) {
                return None;
            }
            let ev = evaluate_timetable(&p, f.vehicle_type, &nodes, &mut sc);
            Some(Timed {
                route: Route {
                    vehicle_type: f.vehicle_type,
                    visits: f.visits.clone(),
                    schedule: schedule_from(&sc, nodes.len()),
                    distance: ev.distance,
                    duration: ev.duration,
                    ride_time: ev.ride,
                    cost: v.route_cost(ev.distance, ev.duration),
                },
                violation: ev.violation,
            })
        })
        .collect()
}
