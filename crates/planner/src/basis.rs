//! Planning one session on a basis of other plans: the other session of
//! the day (its vehicles paid for and busy during their run there; pupils
//! keep their crew as the continuity setting asks), a previous plan of this
//! session (its locked runs kept exactly, its other runs the starting
//! point, each pupil preferring their old vehicle) and a plan to start
//! from.

use crate::instance::{
    build_instance_with, plan_with_instance, requests_by_pupil, route_visits, InstanceMap,
    PlanOptions, PlanRun, VehicleGroup,
};
use senroute_model::{
    vehicle_of_pupils, Continuity, Plan, Problem, Route, Session, TravelTimes, UnassignedReason,
    VehicleKey,
};
use senroute_solver as engine;
use std::collections::{HashMap, HashSet};

/// What a session is planned on. All parts are optional; the default plans
/// the session from scratch on the whole fleet.
#[derive(Debug, Clone, Copy, Default)]
pub struct Basis<'a> {
    /// The plan of the day's other session.
    pub other: Option<&'a Plan>,
    /// A plan of this session to start the search from.
    pub start: Option<&'a Plan>,
    /// A previous plan of this session (re-planning): its vehicles keep
    /// their identity, its pupils prefer their vehicle there.
    pub previous: Option<&'a Plan>,
    /// Indices into `previous.routes` of the runs kept exactly.
    pub locked: &'a [usize],
    /// £ per pupil of `previous` who rides another vehicle.
    pub change_cost: f64,
}

/// A locked run the new problem cannot keep.
#[derive(Debug, Clone, PartialEq)]
pub struct LockBroken {
    /// Index into the previous plan's routes.
    pub route: usize,
    /// Why, in words.
    pub why: String,
}

/// The vehicles of `problem`'s fleet grouped for the engine: the vehicles
/// busy in the other session and those of the previous plan each on their
/// own, the rest of each type together.
fn vehicle_groups(problem: &Problem, basis: &Basis) -> Vec<VehicleGroup> {
    let session = problem.session;
    // The other session's run of each vehicle: (fleet index, vehicle index)
    // → (depot departure, depot return).
    let fleet_index = |id: &str| problem.fleet.iter().position(|v| v.id == id);
    let mut busy: HashMap<(usize, u32), (f64, f64)> = HashMap::new();
    for r in basis.other.iter().flat_map(|p| &p.routes) {
        let Some(fi) = fleet_index(&r.vehicle_type) else {
            continue;
        };
        if let (Some(a), Some(b)) = (r.stops.first(), r.stops.last()) {
            busy.insert((fi, r.vehicle_index), (a.departure_s, b.arrival_s));
        }
    }
    let own: HashSet<(usize, u32)> = basis
        .previous
        .iter()
        .flat_map(|p| &p.routes)
        .filter_map(|r| Some((fleet_index(&r.vehicle_type)?, r.vehicle_index)))
        .collect();
    let mut groups = Vec::new();
    for (fi, v) in problem.fleet.iter().enumerate() {
        let whole = VehicleGroup::of(problem, fi, (0..v.count).collect());
        let (alone, rest): (Vec<u32>, Vec<u32>) = whole
            .indices
            .iter()
            .copied()
            .partition(|&i| busy.contains_key(&(fi, i)) || own.contains(&(fi, i)));
        for i in alone {
            let (open, close) = whole.shift;
            let (fixed_cost, shift) = match (busy.get(&(fi, i)), session) {
                (Some(&(_, back)), Session::Pm) => (0.0, (open.max(back), close)),
                (Some(&(leave, _)), Session::Am | Session::Day) => (0.0, (open, close.min(leave))),
                (None, _) => (whole.fixed_cost, whole.shift),
            };
            groups.push(VehicleGroup {
                fleet: fi,
                indices: vec![i],
                fixed_cost,
                shift,
            });
        }
        groups.push(VehicleGroup {
            indices: rest,
            ..whole
        });
    }
    groups
}

/// The engine route of a plan's run, leaving out pupils the session does not
/// plan (no longer on the list, or not travelling); `None` when its vehicle
/// is not in the instance.
fn engine_route(
    problem: &Problem,
    map: &InstanceMap,
    request_of: &HashMap<&str, usize>,
    r: &Route,
) -> Option<engine::FixedRoute> {
    let fi = problem.fleet.iter().position(|v| v.id == r.vehicle_type)?;
    let vehicle_type = map.engine_type_of(fi, r.vehicle_index)?;
    let mut kept = r.clone();
    for s in &mut kept.stops {
        s.pupils.retain(|p| request_of.contains_key(p.as_str()));
    }
    Some(engine::FixedRoute {
        vehicle_type,
        visits: route_visits(&kept, request_of).ok()?,
    })
}

/// Plans the session of `problem` on `basis`. Locked runs the engine could
/// not keep are returned with the reason (their pupils are then planned
/// like the others).
pub fn plan_session(
    problem: &Problem,
    travel: &TravelTimes,
    basis: &Basis,
    options: &PlanOptions,
    progress: &(dyn Fn(engine::Progress) + Sync),
) -> (PlanRun, Vec<LockBroken>) {
    let session = problem.session;
    let groups = vehicle_groups(problem, basis);
    let (mut inst, map) = build_instance_with(problem, travel, &groups);
    let request_of = requests_by_pupil(problem, &map);
    let continuity = problem.settings.continuity;
    let engine_type = |key: &VehicleKey| {
        let fi = problem.fleet.iter().position(|v| v.id == key.0)?;
        map.engine_type_of(fi, key.1)
    };
    // Crew continuity with the other session, then the previous vehicle.
    let in_other = basis.other.map(vehicle_of_pupils).unwrap_or_default();
    let in_previous = basis.previous.map(vehicle_of_pupils).unwrap_or_default();
    let mut wants: HashMap<usize, usize> = HashMap::new();
    for (r, &pi) in map.request_pupil.iter().enumerate() {
        let id = problem.pupils[pi].id.as_str();
        if let Some(e) = in_other.get(id).and_then(engine_type) {
            wants.insert(r, e);
            match continuity {
                Continuity::Hard => inst.requests[r].vehicle_types = Some(vec![e]),
                Continuity::Preferred => {
                    inst.requests[r].preference = Some(engine::Preference {
                        vehicle_types: vec![e],
                        penalty: problem.settings.continuity_cost_per_pupil,
                    });
                    continue;
                }
                Continuity::None => {}
            }
        }
        if let Some(e) = in_previous.get(id).and_then(engine_type) {
            if basis.change_cost > 0.0 {
                inst.requests[r].preference = Some(engine::Preference {
                    vehicle_types: vec![e],
                    penalty: basis.change_cost,
                });
            }
        }
    }
    let mut broken = Vec::new();
    let mut fixed_from = Vec::new();
    if let Some(prev) = basis.previous {
        for &ri in basis.locked {
            let Some(r) = prev.routes.get(ri) else {
                continue;
            };
            match engine_route(problem, &map, &request_of, r) {
                Some(f) if !f.visits.is_empty() => {
                    inst.fixed_routes.push(f);
                    fixed_from.push(ri);
                }
                Some(_) => {} // every pupil of the run left the list
                None => broken.push(LockBroken {
                    route: ri,
                    why: format!("its vehicle {} is not in the fleet any more", r.label()),
                }),
            }
        }
    }
    let start: Vec<&Route> = match (basis.start, basis.previous) {
        (Some(s), _) => s.routes.iter().collect(),
        (None, Some(prev)) => prev
            .routes
            .iter()
            .enumerate()
            .filter(|(i, _)| !basis.locked.contains(i))
            .map(|(_, r)| r)
            .collect(),
        (None, None) => Vec::new(),
    };
    inst.initial_routes = start
        .into_iter()
        .filter_map(|r| engine_route(problem, &map, &request_of, r))
        .filter(|f| !f.visits.is_empty())
        .collect();
    let mut run = plan_with_instance(problem, travel, &inst, &map, options, progress);
    for (k, v) in &run.stats.fixed_rejected {
        if let Some(&ri) = fixed_from.get(*k) {
            broken.push(LockBroken {
                route: ri,
                why: format!("it breaks a rule on the new inputs ({v:?})"),
            });
        }
    }
    if let Some(prev) = basis.previous {
        keep_run_order(&mut run.plan, prev);
    }
    if continuity == Continuity::Hard {
        for u in &mut run.plan.unassigned {
            if matches!(u.reason, UnassignedReason::Unreachable { .. }) {
                continue;
            }
            let Some(e) = request_of.get(u.pupil.as_str()).and_then(|r| wants.get(r)) else {
                continue;
            };
            let vt = &problem.fleet[map.vehicle_fleet[*e]];
            let label = format!("{} #{}", vt.id, map.vehicle_indices[*e][0] + 1);
            let other_label = match session {
                Session::Pm => "AM",
                Session::Am | Session::Day => "PM",
            };
            u.reason = UnassignedReason::CrewContinuity {
                detail: format!(
                    "crew continuity is hard and {label}, which takes the pupil in the {other_label}, cannot take them in the {} ({})",
                    session.label(),
                    u.reason
                ),
            };
        }
    }
    (run, broken)
}

/// Orders `plan`'s runs as their vehicles' runs were in `previous` (so run
/// numbers stay what the coordinator knows), runs on vehicles new to the
/// session last.
pub fn keep_run_order(plan: &mut Plan, previous: &Plan) {
    let rank: HashMap<(&str, u32), usize> = previous
        .routes
        .iter()
        .enumerate()
        .map(|(i, r)| ((r.vehicle_type.as_str(), r.vehicle_index), i))
        .collect();
    let mut order: Vec<usize> = (0..plan.routes.len()).collect();
    order.sort_by_key(|&i| {
        let r = &plan.routes[i];
        (
            rank.get(&(r.vehicle_type.as_str(), r.vehicle_index))
                .copied()
                .unwrap_or(usize::MAX),
            i,
        )
    });
    let mut new_index = vec![0; order.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    let mut routes: Vec<Option<Route>> = plan.routes.drain(..).map(Some).collect();
    plan.routes = order
        .iter()
        .map(|&i| routes[i].take().expect("each once"))
        .collect();
    for ride in &mut plan.rides {
        ride.route = new_index[ride.route];
    }
}
