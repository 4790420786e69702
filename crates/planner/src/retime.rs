//! Times for a plan that has only its sequence: a `routes.csv` read back
//! (perhaps edited by hand — a pupil moved, two stops swapped) names each
//! run's vehicle and stop order but its times are to be worked out. They
//! are worked out exactly as the planner times its own runs (the engine's
//! scheduling: earliest start, then the depot departure and each pick-up
//! delayed within their slack to shorten waits and rides), so a run the
//! planner wrote reads back with the times it had, and a run that breaks a
//! rule gets the times that measure by how much.

use crate::instance::{build_instance, requests_by_pupil, route_visits, to_plan};
use senroute_model::{
    AnyPlan, DayPlan, LocationKey, Plan, Problem, Session, Sessions, TravelTimes,
};
use senroute_solver as engine;
use std::collections::HashSet;

/// `plan` with every run's times, distance, duration, cost, rides and
/// totals worked out from its vehicle and stop order over `travel`. Stops
/// of one kind at one place served one after another are one stop, as the
/// planner writes them. The unassigned list is kept as given.
///
/// A pupil placed in a session they do not travel in is timed as if they
/// did (when the travel times know their home), for the validator to report
/// them on a run with sensible times. A run that cannot be timed (a pupil on
/// it who cannot reach school by road, a pupil listed twice, a vehicle type
/// the fleet does not have) is kept as given, for the validator to report
/// what is wrong with it.
pub fn retime(problem: &Problem, travel: &TravelTimes, plan: &AnyPlan) -> AnyPlan {
    match plan {
        AnyPlan::Session(p) => {
            let sp = match problem.session {
                Session::Day => problem.for_session(p.session),
                _ => problem.clone(),
            };
            AnyPlan::Session(retime_session(&sp, travel, p))
        }
        AnyPlan::Day(d) => {
            let am = retime_session(&problem.for_session(Session::Am), travel, &d.am);
            let pm = retime_session(&problem.for_session(Session::Pm), travel, &d.pm);
            AnyPlan::Day(Box::new(DayPlan::new(problem, am, pm)))
        }
    }
}

/// [`retime`] for one session's plan; `problem` is of that session.
fn retime_session(problem: &Problem, travel: &TravelTimes, plan: &Plan) -> Plan {
    let placed: HashSet<&str> = plan
        .routes
        .iter()
        .flat_map(|r| &r.stops)
        .flat_map(|s| s.pupils.iter().map(String::as_str))
        .collect();
    let mut timed_problem = problem.clone();
    for p in &mut timed_problem.pupils {
        if placed.contains(p.id.as_str())
            && !p.sessions.includes(problem.session)
            && travel.index_of(&LocationKey::Home(p.id.clone())).is_some()
        {
            p.sessions = Sessions::Both;
        }
    }
    let problem = &timed_problem;
    let (inst, map) = build_instance(problem, travel);
    let request_of = requests_by_pupil(problem, &map);
    let given: Vec<Option<engine::FixedRoute>> = plan
        .routes
        .iter()
        .map(|r| {
            let fleet = problem.fleet.iter().position(|v| v.id == r.vehicle_type)?;
            let vehicle_type = map.engine_type_of(fleet, r.vehicle_index)?;
            let visits = route_visits(r, &request_of).ok()?;
            Some(engine::FixedRoute {
                vehicle_type,
                visits,
            })
        })
        .collect();
    let wanted: Vec<engine::FixedRoute> = given.iter().flatten().cloned().collect();
    let mut timed = engine::timetables(&inst, &wanted).into_iter();
    // Index in `plan.routes` of each timed run, in order.
    let mut timed_at = Vec::new();
    let mut routes = Vec::new();
    for (i, g) in given.iter().enumerate() {
        if g.is_some() {
            if let Some(t) = timed.next().flatten() {
                timed_at.push(i);
                routes.push(t.route);
            }
        }
    }
    let solution = engine::Solution {
        routes,
        unassigned: Vec::new(),
        cost: 0.0,
        iterations: 0,
        stats: engine::SearchStats::default(),
    };
    let made = to_plan(problem, travel, &map, &solution);
    let mut out_routes = plan.routes.clone();
    for (route, &i) in made.routes.into_iter().zip(&timed_at) {
        out_routes[i] = senroute_model::Route {
            // The engine numbers a type's vehicles in route order: keep the
            // run's own vehicle.
            vehicle_index: plan.routes[i].vehicle_index,
            ..route
        };
    }
    let mut rides: Vec<_> = made
        .rides
        .into_iter()
        .map(|mut r| {
            r.route = timed_at[r.route];
            r
        })
        .collect();
    rides.extend(
        plan.rides
            .iter()
            .filter(|r| !timed_at.contains(&r.route))
            .cloned(),
    );
    rides.sort_by_key(|r| r.route);
    let mut out = Plan {
        session: plan.session,
        routes: out_routes,
        rides,
        unassigned: plan.unassigned.clone(),
        totals: plan.totals.clone(),
    };
    out.compute_totals();
    out
}
