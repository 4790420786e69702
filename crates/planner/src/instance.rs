//! Mapping a SEN [`Problem`] onto the engine's flat pickup-and-delivery
//! instance, and the engine's solution back onto a [`Plan`].

use senroute_model::{
    incompatibility, Load, LocationKey, Plan, Problem, Pupil, PupilRide, Route, Session, Stop,
    StopKind, Totals, TravelTimes, Unassigned, UnassignedReason,
};
use senroute_solver as engine;
use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

/// Vehicle feature bit: the vehicle has a tail-lift.
pub const FEATURE_TAIL_LIFT: u32 = 1;
/// Vehicle feature bit: the vehicle carries a passenger assistant.
pub const FEATURE_ASSISTANT: u32 = 2;

/// Cost (£) of leaving one pupil without transport: far above any vehicle's
/// daily cost, so the search places every pupil it feasibly can.
pub const UNASSIGNED_PENALTY: f64 = 100_000.0;

/// How the problem's pupils and vehicle types map onto engine indices.
#[derive(Debug, Clone)]
pub struct InstanceMap {
    /// Pupil index in `problem.pupils` for each engine request.
    pub request_pupil: Vec<usize>,
    /// Vehicle type index in `problem.fleet` for each engine vehicle type.
    pub vehicle_fleet: Vec<usize>,
    /// The vehicles (indices within their fleet type) of each engine
    /// vehicle type: its routes get them in this order.
    pub vehicle_indices: Vec<Vec<u32>>,
    /// Pupils left out before the search, with the reason.
    pub excluded: Vec<(usize, UnassignedReason)>,
}

impl InstanceMap {
    /// The engine request of each pupil index (of `problem.pupils`).
    pub fn pupil_requests(&self) -> HashMap<usize, usize> {
        self.request_pupil
            .iter()
            .enumerate()
            .map(|(r, &p)| (p, r))
            .collect()
    }

    /// The engine vehicle type that holds vehicle `index` of fleet type
    /// `fleet`, if any.
    pub fn engine_type_of(&self, fleet: usize, index: u32) -> Option<usize> {
        (0..self.vehicle_fleet.len())
            .find(|&e| self.vehicle_fleet[e] == fleet && self.vehicle_indices[e].contains(&index))
    }
}

/// A group of physical vehicles of one fleet type that the engine sees as
/// one vehicle type: a whole fleet type, or (day plans, re-plans) single
/// vehicles with their own cost and shift.
#[derive(Debug, Clone, PartialEq)]
pub struct VehicleGroup {
    /// Index into `problem.fleet`.
    pub fleet: usize,
    /// The vehicles of the group (0-based indices within the fleet type).
    pub indices: Vec<u32>,
    /// Fixed cost of using one of them in the engine's objective (the day
    /// rate, or 0 for a vehicle whose day rate the other session pays).
    pub fixed_cost: f64,
    /// Earliest depot departure and latest return, seconds.
    pub shift: (f64, f64),
}

impl VehicleGroup {
    /// Every vehicle of every fleet type, one group per type, on the
    /// problem session's shifts at the full day rate.
    pub fn whole_fleet(problem: &Problem) -> Vec<VehicleGroup> {
        problem
            .fleet
            .iter()
            .enumerate()
            .filter(|(_, v)| v.count > 0)
            .map(|(fi, v)| VehicleGroup::of(problem, fi, (0..v.count).collect()))
            .collect()
    }

    /// Vehicles `indices` of fleet type `fleet`, on the problem session's
    /// shift at the full day rate.
    pub fn of(problem: &Problem, fleet: usize, indices: Vec<u32>) -> VehicleGroup {
        let v = &problem.fleet[fleet];
        let shift = v.shift_for(problem.session);
        VehicleGroup {
            fleet,
            indices,
            fixed_cost: v.daily_fixed_cost(),
            shift: (shift.open.secs_f64(), shift.close.secs_f64()),
        }
    }
}

/// The engine's vehicle types (indices into `groups`) pupil `p` may ride
/// in, when the pupil restricts them (`vehicle_types`,
/// `not_vehicle_types`); `None` for any.
fn allowed_types(problem: &Problem, groups: &[&VehicleGroup], p: &Pupil) -> Option<Vec<usize>> {
    let n = &p.needs;
    if n.vehicle_types.is_empty() && n.not_vehicle_types.is_empty() {
        return None;
    }
    let ok = |id: &String| {
        (n.vehicle_types.is_empty() || n.vehicle_types.contains(id))
            && !n.not_vehicle_types.contains(id)
    };
    Some(
        groups
            .iter()
            .enumerate()
            .filter(|(_, g)| ok(&problem.fleet[g.fleet].id))
            .map(|(k, _)| k)
            .collect(),
    )
}

/// Builds the engine instance for `problem` over `travel`, with the whole
/// fleet.
pub fn build_instance(problem: &Problem, travel: &TravelTimes) -> (engine::Instance, InstanceMap) {
    build_instance_with(problem, travel, &VehicleGroup::whole_fleet(problem))
}

/// Builds the engine instance for `problem` over `travel` with the
/// vehicles in `groups` (empty groups are left out).
pub fn build_instance_with(
    problem: &Problem,
    travel: &TravelTimes,
    groups: &[VehicleGroup],
) -> (engine::Instance, InstanceMap) {
    let idx = |k: &LocationKey| {
        travel
            .index_of(k)
            .expect("travel times cover every problem location")
    };
    let session = problem.session;
    debug_assert!(session != Session::Day, "an instance is for one session");
    let groups: Vec<&VehicleGroup> = groups.iter().filter(|g| !g.indices.is_empty()).collect();

    let mut request_pupil = Vec::new();
    let mut excluded = Vec::new();
    let mut requests = Vec::new();
    let travelling: Vec<(usize, &Pupil)> = problem
        .pupils
        .iter()
        .enumerate()
        .filter(|(_, p)| p.sessions.includes(session))
        .collect();
    for &(pi, p) in &travelling {
        let Some(school) = problem.school(&p.school) else {
            continue;
        };
        let home = idx(&LocationKey::Home(p.id.clone()));
        let sch = idx(&LocationKey::School(school.id.clone()));
        let (from, to) = match session {
            Session::Am | Session::Day => (home, sch),
            Session::Pm => (sch, home),
        };
        if !travel.duration_by_index(from, to).is_finite() {
            excluded.push((
                pi,
                UnassignedReason::Unreachable {
                    detail: format!(
                        "no road route between the home and school {} on the road network",
                        school.id
                    ),
                },
            ));
            continue;
        }
        let day = 24.0 * 3600.0;
        let home_service = problem.home_service_seconds(p);
        let school_service = problem.school_service_seconds(p);
        let (pickup, delivery) = match session {
            Session::Am | Session::Day => (
                engine::Stop {
                    location: home,
                    tw_open: p.needs.earliest_pickup.map_or(0.0, |t| t.secs_f64()),
                    tw_close: school.am_arrival.close.secs_f64(),
                    service: home_service,
                },
                engine::Stop {
                    location: sch,
                    tw_open: school.am_arrival.open.secs_f64(),
                    tw_close: school.am_arrival.close.secs_f64(),
                    service: school_service,
                },
            ),
            Session::Pm => (
                engine::Stop {
                    location: sch,
                    tw_open: school.pm_departure.open.secs_f64(),
                    tw_close: school.pm_departure.close.secs_f64(),
                    service: school_service,
                },
                engine::Stop {
                    location: home,
                    // the pupil's own drop-off window, within the day
                    tw_open: p
                        .needs
                        .earliest_dropoff
                        .map_or(0.0, |t| t.secs_f64())
                        .max(school.pm_departure.open.secs_f64()),
                    tw_close: p.needs.latest_dropoff.map_or(day, |t| t.secs_f64()),
                    service: home_service,
                },
            ),
        };
        let mut features = 0;
        if p.needs.tail_lift {
            features |= FEATURE_TAIL_LIFT;
        }
        if p.needs.passenger_assistant {
            features |= FEATURE_ASSISTANT;
        }
        request_pupil.push(pi);
        requests.push(engine::Request {
            pickup: Some(pickup),
            delivery: Some(delivery),
            load: if p.needs.wheelchair {
                vec![0, 1]
            } else {
                vec![1, 0]
            },
            max_ride: problem.max_ride_seconds(p),
            required_features: features,
            travel_alone: p.needs.travel_alone,
            conflicts: Vec::new(),
            ride_time_weight: None,
            vehicle_types: allowed_types(problem, &groups, p),
            preference: None,
            // the school, for the vehicle types' `max_schools_per_run`
            group: problem.schools.iter().position(|s| s.id == p.school),
        });
    }
    // Conflicts by request index.
    let req_of: HashMap<&str, usize> = request_pupil
        .iter()
        .enumerate()
        .map(|(r, &pi)| (problem.pupils[pi].id.as_str(), r))
        .collect();
    for (r, &pi) in request_pupil.iter().enumerate() {
        requests[r].conflicts = problem.pupils[pi]
            .needs
            .must_not_travel_with
            .iter()
            .filter_map(|id| req_of.get(id.as_str()).copied())
            .collect();
    }
    let mut vehicle_fleet = Vec::new();
    let mut vehicle_indices = Vec::new();
    let vehicle_types = groups
        .iter()
        .map(|g| {
            let v = &problem.fleet[g.fleet];
            vehicle_fleet.push(g.fleet);
            vehicle_indices.push(g.indices.clone());
            let depot = idx(&LocationKey::Depot(v.id.clone()));
            let mut features = 0;
            if v.tail_lift {
                features |= FEATURE_TAIL_LIFT;
            }
            if v.passenger_assistant {
                features |= FEATURE_ASSISTANT;
            }
            engine::VehicleType {
                count: g.indices.len(),
                start_location: depot,
                end_location: depot,
                capacity: vec![
                    engine::CapacityRule {
                        coef: vec![1, v.seats_per_wheelchair_space as i32],
                        limit: v.seats as i32,
                    },
                    engine::CapacityRule {
                        coef: vec![0, 1],
                        limit: v.wheelchair_spaces as i32,
                    },
                ],
                features,
                fixed_cost: g.fixed_cost,
                cost_per_distance: v.cost_per_km / 1000.0,
                cost_per_duration: v.cost_per_hour / 3600.0,
                shift_open: g.shift.0,
                shift_close: g.shift.1,
                max_duration: Some(f64::from(v.max_duty_minutes) * 60.0),
                max_groups: v.max_schools_per_run.map(|m| m as usize),
            }
        })
        .collect();
    let inst = engine::Instance {
        // the travel times' own matrix, shared: unreachable pairs stay
        // infinite (the engine counts them as far beyond any window)
        matrix: travel.matrix().clone(),
        fixed_routes: Vec::new(),
        initial_routes: Vec::new(),
        requests,
        vehicle_types,
        objective: engine::ObjectiveWeights {
            ride_time: problem.settings.ride_time_cost_per_minute / 60.0,
            unassigned_penalty: UNASSIGNED_PENALTY,
            minimise_vehicles: false,
        },
    };
    (
        inst,
        InstanceMap {
            request_pupil,
            vehicle_fleet,
            vehicle_indices,
            excluded,
        },
    )
}

/// Options of a planning run.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// Wall-clock budget.
    pub time_limit: Option<Duration>,
    /// Iterations per thread (exactly reproducible when set).
    pub iteration_limit: Option<u64>,
    /// Random seed.
    pub seed: u64,
    /// Worker threads.
    pub threads: usize,
    /// Set to stop the search early; the best plan found is returned.
    pub cancel: Arc<AtomicBool>,
}

impl PlanOptions {
    /// Options from the problem's settings (time limit and seed), on every core.
    pub fn from_problem(problem: &Problem) -> Self {
        PlanOptions {
            // (validation bounds it; clamped here too so that no value,
            // NaN included, can make the conversion panic)
            time_limit: Some(Duration::from_secs_f64(
                match problem.settings.time_limit_seconds {
                    t if t.is_nan() => 0.0,
                    t => t.clamp(0.0, senroute_model::limits::MAX_TIME_LIMIT_SECONDS),
                },
            )),
            iteration_limit: None,
            seed: problem.settings.seed,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cancel: Arc::new(AtomicBool::new(false)),
        }
    }
}

/// A finished planning run.
#[derive(Debug, Clone)]
pub struct PlanRun {
    /// The plan.
    pub plan: Plan,
    /// The engine's objective value (cost plus weighted ride time and penalties).
    pub objective: f64,
    /// Search iterations, summed over threads.
    pub iterations: u64,
    /// How the search started: time to its first complete plan, that plan's
    /// objective and the greedy baseline's.
    pub stats: engine::SearchStats,
}

/// Plans `problem` over `travel`, reporting progress.
pub fn plan(
    problem: &Problem,
    travel: &TravelTimes,
    options: &PlanOptions,
    progress: &(dyn Fn(engine::Progress) + Sync),
) -> PlanRun {
    let (inst, map) = build_instance(problem, travel);
    plan_with_instance(problem, travel, &inst, &map, options, progress)
}

/// As [`plan`], with an instance already built by [`build_instance`].
pub fn plan_with_instance(
    problem: &Problem,
    travel: &TravelTimes,
    inst: &engine::Instance,
    map: &InstanceMap,
    options: &PlanOptions,
    progress: &(dyn Fn(engine::Progress) + Sync),
) -> PlanRun {
    let cfg = engine::SolverConfig {
        time_limit: options.time_limit,
        iteration_limit: options.iteration_limit,
        seed: options.seed,
        threads: options.threads.max(1),
        cancel: options.cancel.clone(),
    };
    let solution = if inst.requests.is_empty() {
        engine::Solution {
            routes: vec![],
            unassigned: vec![],
            cost: 0.0,
            iterations: 0,
            stats: engine::SearchStats::default(),
        }
    } else {
        engine::solve(inst, &cfg, progress)
    };
    PlanRun {
        plan: to_plan(problem, travel, map, &solution),
        objective: solution.cost,
        iterations: solution.iterations,
        stats: solution.stats.clone(),
    }
}

fn reason(
    problem: &Problem,
    pupil: &Pupil,
    r: engine::UnassignedReason,
    travel: &TravelTimes,
) -> UnassignedReason {
    use engine::UnassignedReason as E;
    use engine::Violation as V;
    match r {
        E::NoCompatibleVehicle { .. } => {
            let detail = problem
                .fleet
                .iter()
                .map(|v| format!("{}: {}", v.id, incompatibility(pupil, v).unwrap_or("fleet has none of this type")))
                .collect::<Vec<_>>()
                .join("; ");
            UnassignedReason::NoCompatibleVehicle { detail }
        }
        E::InfeasibleAlone(v) => {
            let school = problem.school(&pupil.school);
            let direct = travel
                .duration(&LocationKey::Home(pupil.id.clone()), &LocationKey::School(pupil.school.clone()))
                .unwrap_or(f64::INFINITY);
            let cap = problem.max_ride_seconds(pupil).unwrap_or(f64::INFINITY);
            match v {
                V::RideTime => UnassignedReason::RideTimeInfeasible {
                    detail: format!("direct journey {:.0} min plus boarding exceeds the {:.0} min cap", direct / 60.0, cap / 60.0),
                },
                V::Duty | V::Shift => UnassignedReason::DutyInfeasible {
                    detail: format!("even alone the run does not fit any compatible vehicle's shift or duty limit (direct journey {:.0} min)", direct / 60.0),
                },
                V::Capacity | V::Features => UnassignedReason::NoCompatibleVehicle {
                    detail: format!(
                        "even alone no vehicle type can carry the pupil ({}): {}",
                        if v == V::Capacity { "capacity" } else { "vehicle features or allowed types" },
                        problem
                            .fleet
                            .iter()
                            .map(|t| format!("{}: {}", t.id, incompatibility(pupil, t).unwrap_or("no room for the pupil's load")))
                            .collect::<Vec<_>>()
                            .join("; ")
                    ),
                },
                // A run with only this pupil shares with nobody, conflicts with
                // nobody, is in order and adds one vehicle: the engine does not
                // report these for a pupil alone, but if it ever does the pupil
                // is still unplaced for want of a run that can take them.
                V::TravelAlone | V::Conflict | V::Precedence | V::FleetSize | V::Groups => UnassignedReason::FleetCapacity {
                    detail: format!("no run could take the pupil even alone (the engine reported {v:?}); add a vehicle or check the pupil's rules"),
                },
                V::PickupWindow | V::DeliveryWindow => UnassignedReason::WindowInfeasible {
                    detail: match (problem.session, school) {
                        (Session::Am, Some(s)) => format!(
                            "cannot reach school {} inside its arrival window {} even alone (direct journey {:.0} min{})",
                            s.id,
                            s.am_arrival,
                            direct / 60.0,
                            pupil.needs.earliest_pickup.map(|t| format!(", earliest pick-up {t}")).unwrap_or_default()
                        ),
                        (Session::Pm, Some(s)) => format!(
                            "cannot be collected from school {} inside its departure window {}{} by any compatible vehicle's shift",
                            s.id,
                            s.pm_departure,
                            match (pupil.needs.earliest_dropoff, pupil.needs.latest_dropoff) {
                                (None, None) => String::new(),
                                (a, b) => format!(
                                    " and dropped at home between {} and {}",
                                    a.map_or("any time".into(), |t| t.to_string()),
                                    b.map_or("any time".into(), |t| t.to_string())
                                ),
                            }
                        ),
                        _ => format!("time windows cannot be met even alone ({v:?})"),
                    },
                },
            }
        }
        E::FleetExhausted => UnassignedReason::FleetCapacity {
            detail: "every compatible vehicle is in use and none of their runs has room at the right time".into(),
        },
        E::NotInserted => UnassignedReason::FleetCapacity {
            detail: "no feasible place on any run was found in the time given; add vehicles or allow a longer search".into(),
        },
    }
}

/// The engine's solution as a [`Plan`] of `problem`'s session.
pub(crate) fn to_plan(
    problem: &Problem,
    travel: &TravelTimes,
    map: &InstanceMap,
    sol: &engine::Solution,
) -> Plan {
    let session = problem.session;
    let mut used: HashMap<usize, usize> = HashMap::new();
    let mut routes = Vec::new();
    let mut rides = Vec::new();
    for r in &sol.routes {
        let vt = &problem.fleet[map.vehicle_fleet[r.vehicle_type]];
        let k = used.entry(r.vehicle_type).or_default();
        let vehicle_index = map.vehicle_indices[r.vehicle_type][*k];
        *k += 1;
        let depot_key = LocationKey::Depot(vt.id.clone());
        let depot = |t: f64, load: Load| Stop {
            kind: StopKind::Depot,
            location_key: depot_key.clone(),
            location: vt.depot,
            pupils: vec![],
            arrival_s: t,
            service_start_s: t,
            departure_s: t,
            load,
        };
        let mut stops = vec![depot(r.schedule.start, Load::default())];
        let mut load = Load::default();
        let route_index = routes.len();
        let mut picked: HashMap<usize, f64> = HashMap::new(); // pupil -> end of boarding
        for (visit, times) in r.visits.iter().zip(&r.schedule.stops) {
            let pi = map.request_pupil[visit.request];
            let p = &problem.pupils[pi];
            let (kind, key) = match (visit.kind, session) {
                (engine::VisitKind::Pickup, Session::Am | Session::Day) => {
                    (StopKind::Pickup, LocationKey::Home(p.id.clone()))
                }
                (engine::VisitKind::Pickup, Session::Pm) => {
                    (StopKind::Pickup, LocationKey::School(p.school.clone()))
                }
                (engine::VisitKind::Delivery, Session::Am | Session::Day) => {
                    (StopKind::Drop, LocationKey::School(p.school.clone()))
                }
                (engine::VisitKind::Delivery, Session::Pm) => {
                    (StopKind::Drop, LocationKey::Home(p.id.clone()))
                }
            };
            let slot = if p.needs.wheelchair {
                &mut load.wheelchair
            } else {
                &mut load.seated
            };
            if kind == StopKind::Pickup {
                *slot += 1;
            } else {
                *slot = slot.saturating_sub(1);
            }
            // Consecutive visits of the same kind at the same place are one
            // stop when they follow each other without a moment's travel or
            // waiting: the stop then serves its pupils one after another, as
            // the timing definitions of `senroute_model::plan` say. Any gap
            // (a wait for someone's window, travel on a non-zero diagonal)
            // makes a stop of its own, so no pupil's time is misstated.
            let last = stops.last_mut().expect("depot stop");
            let mergeable = last.kind == kind
                && last.location_key == key
                && times.arrival == last.departure_s
                && times.start == times.arrival;
            if mergeable {
                last.pupils.push(p.id.clone());
                last.departure_s = times.departure;
                last.load = load;
            } else {
                let location = match &key {
                    LocationKey::Home(_) => p.home,
                    _ => problem.school(&p.school).map_or(p.home, |s| s.location),
                };
                stops.push(Stop {
                    kind,
                    location_key: key,
                    location,
                    pupils: vec![p.id.clone()],
                    arrival_s: times.arrival,
                    service_start_s: times.start,
                    departure_s: times.departure,
                    load,
                });
            }
            // The ride runs from the end of the pupil's own boarding to the
            // start of their own alighting.
            if kind == StopKind::Pickup {
                picked.insert(pi, times.departure);
            } else if let Some(&boarded) = picked.get(&pi) {
                rides.push((pi, route_index, boarded, times.start));
            }
        }
        stops.push(depot(r.schedule.end, load));
        // Distance from the stops (merged stops add nothing).
        let distance_m: f64 = stops
            .windows(2)
            .map(|w| {
                let a = travel.index_of(&w[0].location_key).expect("known location");
                let b = travel.index_of(&w[1].location_key).expect("known location");
                travel.distance_by_index(a, b)
            })
            .sum();
        let duration_s = r.schedule.end - r.schedule.start;
        let cost = vt.route_cost(distance_m, duration_s);
        routes.push(Route {
            vehicle_type: vt.id.clone(),
            vehicle_index,
            stops,
            distance_m,
            duration_s,
            cost,
        });
    }
    let rides = rides
        .into_iter()
        .map(|(pi, ri, pickup_s, drop_s)| {
            let p = &problem.pupils[pi];
            PupilRide {
                pupil: p.id.clone(),
                route: ri,
                pickup_s,
                drop_s,
                ride_s: drop_s - pickup_s,
                max_ride_s: problem.max_ride_seconds(p).unwrap_or(f64::INFINITY),
            }
        })
        .collect();
    let mut unassigned: Vec<Unassigned> = map
        .excluded
        .iter()
        .map(|(pi, r)| Unassigned {
            pupil: problem.pupils[*pi].id.clone(),
            reason: r.clone(),
        })
        .collect();
    for &(req, r) in &sol.unassigned {
        let p = &problem.pupils[map.request_pupil[req]];
        unassigned.push(Unassigned {
            pupil: p.id.clone(),
            reason: reason(problem, p, r, travel),
        });
    }
    let mut plan = Plan {
        session,
        routes,
        rides,
        unassigned,
        totals: Totals::default(),
    };
    plan.compute_totals();
    plan
}

/// The engine visits of a plan's run, in order: each pupil listed at a
/// pick-up stop boards, each one at a drop alights. `request_of` maps pupil
/// ids to engine requests; a pupil without one is an error naming them.
pub fn route_visits(
    route: &Route,
    request_of: &HashMap<&str, usize>,
) -> Result<Vec<engine::Visit>, String> {
    let mut visits = Vec::new();
    for stop in &route.stops {
        let kind = match stop.kind {
            StopKind::Pickup => engine::VisitKind::Pickup,
            StopKind::Drop => engine::VisitKind::Delivery,
            StopKind::Depot => continue,
        };
        for p in &stop.pupils {
            let &request = request_of
                .get(p.as_str())
                .ok_or_else(|| format!("pupil {p} is not planned in this session"))?;
            visits.push(engine::Visit { request, kind });
        }
    }
    Ok(visits)
}

/// Pupil id → engine request, for [`route_visits`].
pub fn requests_by_pupil<'a>(problem: &'a Problem, map: &InstanceMap) -> HashMap<&'a str, usize> {
    map.request_pupil
        .iter()
        .enumerate()
        .map(|(r, &pi)| (problem.pupils[pi].id.as_str(), r))
        .collect()
}
