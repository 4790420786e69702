//! One reading of a run: who boards and alights at each stop and when, who
//! is on board after it, the legs driven and the rides measured. The rule
//! modules judge these facts; the walk itself judges nothing.

use super::Violation;
use crate::plan::{Load, Route, Stop, StopKind};
use crate::problem::{LocationKey, Problem, Pupil, Session, VehicleType};
use crate::travel::TravelTimes;

/// A pupil's own boarding or alighting at a stop.
pub(super) struct Service<'a> {
    /// Who.
    pub pupil: &'a Pupil,
    /// When their own service starts (seconds since midnight).
    pub start: f64,
    /// When it ends.
    pub end: f64,
}

/// The drive to a stop from the one before.
pub(super) enum Leg {
    /// The first stop: no leg.
    None,
    /// One of the two locations has no travel times.
    Unknown,
    /// Travel time of the leg.
    Known { duration: f64 },
}

/// One stop of a run, read.
pub(super) struct StopFacts<'a> {
    /// The stop as the plan gives it.
    pub stop: &'a Stop,
    /// The drive here.
    pub leg: Leg,
    /// Pupil ids listed here that the problem does not know.
    pub unknown: Vec<&'a str>,
    /// Known pupils listed at a pickup, in service order.
    pub boarding: Vec<Service<'a>>,
    /// Known pupils listed at a drop, in service order.
    pub alighting: Vec<Service<'a>>,
    /// Pupils alighting here who were not on board.
    pub not_on_board: Vec<&'a Pupil>,
    /// When the last listed pupil's service ends.
    pub service_end: f64,
    /// On board after the stop, per capacity dimension.
    pub load: Load,
    /// On board after the stop.
    pub on_board: Vec<&'a Pupil>,
}

/// A ride measured from the stops.
pub(super) struct Ride<'a> {
    /// Who.
    pub pupil: &'a Pupil,
    /// The stop where the pupil alights.
    pub stop: usize,
    /// End of the pupil's own boarding: the ride starts.
    pub board_end: f64,
    /// Start of the pupil's own alighting: the ride ends.
    pub alight_start: f64,
}

/// A run of the plan, read.
pub(super) struct RunFacts<'a> {
    /// Index into the plan's routes.
    pub index: usize,
    /// The run as the plan gives it.
    pub route: &'a Route,
    /// Its vehicle type.
    pub vt: &'a VehicleType,
    /// Its label for messages.
    pub label: String,
    /// Its stops, read.
    pub stops: Vec<StopFacts<'a>>,
    /// Every pupil boarding on the run, in boarding order.
    pub carried: Vec<&'a Pupil>,
    /// The rides completed on the run.
    pub rides: Vec<Ride<'a>>,
    /// On board at the end of the run.
    pub never_dropped: Vec<&'a Pupil>,
    /// Metres driven over the legs with known travel.
    pub distance: f64,
    /// Departure from the depot.
    pub start: f64,
    /// Return to the depot.
    pub end: f64,
}

impl RunFacts<'_> {
    /// A violation of `rule` on this run.
    pub fn violation(&self, rule: super::Rule, message: impl Into<String>) -> Violation {
        Violation::new(rule, message).on_run(self.index, self.label.clone())
    }

    /// A violation of `rule` at stop `stop` of this run.
    pub fn at(&self, stop: usize, rule: super::Rule, message: impl Into<String>) -> Violation {
        self.violation(rule, message).at_stop(stop)
    }

    /// Seconds from leaving to returning to the depot.
    pub fn duration(&self) -> f64 {
        self.end - self.start
    }
}

/// Where a pupil boards and alights in a session.
pub(super) fn expected_keys(p: &Pupil, session: Session) -> (LocationKey, LocationKey) {
    let home = LocationKey::Home(p.id.clone());
    let school = LocationKey::School(p.school.clone());
    match session {
        Session::Pm => (school, home),
        Session::Am | Session::Day => (home, school),
    }
}

/// Reads `route` (which starts and ends at a depot) stop by stop.
pub(super) fn walk<'a>(
    problem: &'a Problem,
    travel: &TravelTimes,
    index: usize,
    route: &'a Route,
    vt: &'a VehicleType,
) -> RunFacts<'a> {
    let mut stops = Vec::with_capacity(route.stops.len());
    let mut on_board: Vec<&Pupil> = Vec::new();
    let mut board_end: Vec<(&str, f64)> = Vec::new();
    let mut carried = Vec::new();
    let mut rides = Vec::new();
    let mut load = Load::default();
    let mut distance = 0.0;
    for (si, stop) in route.stops.iter().enumerate() {
        let leg = if si == 0 {
            Leg::None
        } else {
            let prev = &route.stops[si - 1];
            match (
                travel.index_of(&prev.location_key),
                travel.index_of(&stop.location_key),
            ) {
                (Some(a), Some(b)) => {
                    let d = travel.distance_by_index(a, b);
                    distance += d;
                    Leg::Known {
                        duration: travel.duration_by_index(a, b),
                    }
                }
                _ => Leg::Unknown,
            }
        };
        let at_home = matches!(stop.location_key, LocationKey::Home(_));
        let mut facts = StopFacts {
            stop,
            leg,
            unknown: Vec::new(),
            boarding: Vec::new(),
            alighting: Vec::new(),
            not_on_board: Vec::new(),
            service_end: stop.service_start_s,
            load,
            on_board: Vec::new(),
        };
        // Pupils are served one after another in the listed order (see the
        // timing definitions in `plan`).
        let mut clock = stop.service_start_s;
        for pid in &stop.pupils {
            let Some(p) = problem.pupil(pid) else {
                facts.unknown.push(pid.as_str());
                continue;
            };
            let start = clock;
            clock += if at_home {
                problem.home_service_seconds(p)
            } else {
                problem.school_service_seconds(p)
            };
            let service = Service {
                pupil: p,
                start,
                end: clock,
            };
            match stop.kind {
                StopKind::Pickup => {
                    if p.needs.wheelchair {
                        load.wheelchair += 1
                    } else {
                        load.seated += 1
                    }
                    on_board.push(p);
                    carried.push(p);
                    board_end.retain(|&(id, _)| id != p.id.as_str());
                    board_end.push((p.id.as_str(), clock));
                    facts.boarding.push(service);
                }
                StopKind::Drop => {
                    match on_board.iter().position(|q| q.id == p.id) {
                        None => facts.not_on_board.push(p),
                        Some(k) => {
                            on_board.remove(k);
                            if p.needs.wheelchair {
                                load.wheelchair = load.wheelchair.saturating_sub(1)
                            } else {
                                load.seated = load.seated.saturating_sub(1)
                            }
                            if let Some(&(_, boarded)) =
                                board_end.iter().find(|&&(id, _)| id == p.id.as_str())
                            {
                                rides.push(Ride {
                                    pupil: p,
                                    stop: si,
                                    board_end: boarded,
                                    alight_start: start,
                                });
                            }
                        }
                    }
                    facts.alighting.push(service);
                }
                StopKind::Depot => {}
            }
        }
        facts.service_end = clock;
        facts.load = load;
        facts.on_board = on_board.clone();
        stops.push(facts);
    }
    let last = route.stops.len() - 1;
    RunFacts {
        index,
        route,
        vt,
        label: route.label(),
        stops,
        carried,
        rides,
        never_dropped: on_board,
        distance,
        start: route.stops[0].departure_s,
        end: route.stops[last].arrival_s,
    }
}
