//! Solving the study's coalitions: the [`CoalitionSolver`] abstraction, its
//! local implementation (parallel searches on this machine) and the warm
//! start of a coalition's search from its members' own plans.

use senroute_model::{Plan, Problem, StopKind, TravelTimes};
use senroute_planner::{build_instance, plan_with_instance, InstanceMap, PlanOptions};
use senroute_solver as engine;
use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

/// One search of a (sub)problem that a study needs: a coalition's problem
/// under one seed.
#[derive(Debug, Clone)]
pub struct SolveRequest {
    /// GSS codes of the coalition's boroughs.
    pub boroughs: Vec<String>,
    /// The coalition's problem ([`restrict`](crate::restrict)ed: no matrices
    /// of its own; its travel times are the study's).
    pub problem: Problem,
    /// Wall-clock budget, when no iteration limit is set.
    pub time_limit: Option<Duration>,
    /// Iterations per thread (exactly reproducible).
    pub iteration_limit: Option<u64>,
    /// Random seed.
    pub seed: u64,
    /// Solver threads.
    pub threads: usize,
    /// A valid plan for the coalition to start the search from (the union
    /// of its members' own plans), when the solver can use one.
    pub initial: Option<Plan>,
}

/// Plans the searches of a study: on this machine ([`LocalSolver`]) or
/// elsewhere (the CLI's `pool --via` sends each as a job to the service,
/// whose API has no warm start: there `initial` is not used, and the study's
/// comparison with the union of the members' plans keeps costs monotone).
pub trait CoalitionSolver {
    /// Plans every request over `travel` (which covers every location of
    /// every request), in any order or in parallel; plans come back in the
    /// order of `requests`.
    fn solve(&self, requests: &[SolveRequest], travel: &TravelTimes) -> Result<Vec<Plan>, String>;
}

/// [`CoalitionSolver`] on this machine: `jobs` searches at once (each with
/// its request's threads).
#[derive(Debug, Clone, Copy)]
pub struct LocalSolver {
    /// Searches run at the same time (at least one).
    pub jobs: usize,
}

impl Default for LocalSolver {
    /// One search at a time.
    fn default() -> Self {
        LocalSolver { jobs: 1 }
    }
}

/// The engine routes of `plan` for the instance built from `problem`: the
/// warm start of a search. Pupils or vehicle types the instance does not
/// know are left out (the search then places them itself).
pub fn initial_routes(
    problem: &Problem,
    map: &InstanceMap,
    plan: &Plan,
) -> Vec<engine::FixedRoute> {
    let request: HashMap<&str, usize> = map
        .request_pupil
        .iter()
        .enumerate()
        .map(|(r, &pi)| (problem.pupils[pi].id.as_str(), r))
        .collect();
    let vehicle: HashMap<&str, usize> = map
        .vehicle_fleet
        .iter()
        .enumerate()
        .map(|(v, &fi)| (problem.fleet[fi].id.as_str(), v))
        .collect();
    let request = &request;
    plan.routes
        .iter()
        .filter_map(|route| {
            let vehicle_type = *vehicle.get(route.vehicle_type.as_str())?;
            let visits: Vec<engine::Visit> = route
                .stops
                .iter()
                .filter_map(|s| match s.kind {
                    StopKind::Pickup => Some((s, engine::VisitKind::Pickup)),
                    StopKind::Drop => Some((s, engine::VisitKind::Delivery)),
                    StopKind::Depot => None,
                })
                .flat_map(|(s, kind)| {
                    s.pupils.iter().filter_map(move |id| {
                        request
                            .get(id.as_str())
                            .map(|&request| engine::Visit { request, kind })
                    })
                })
                .collect();
            (!visits.is_empty()).then_some(engine::FixedRoute {
                vehicle_type,
                visits,
            })
        })
        .collect()
}

/// Plans one request on this machine, warm-started from its initial plan.
pub fn solve_locally(r: &SolveRequest, travel: &TravelTimes) -> Plan {
    let opts = PlanOptions {
        time_limit: r.time_limit,
        iteration_limit: r.iteration_limit,
        seed: r.seed,
        threads: r.threads.max(1),
        cancel: Arc::new(AtomicBool::new(false)),
    };
    let (mut inst, map) = build_instance(&r.problem, travel);
    if let Some(start) = &r.initial {
        inst.initial_routes = initial_routes(&r.problem, &map, start);
    }
    plan_with_instance(&r.problem, travel, &inst, &map, &opts, &|_| {}).plan
}

impl CoalitionSolver for LocalSolver {
    fn solve(&self, requests: &[SolveRequest], travel: &TravelTimes) -> Result<Vec<Plan>, String> {
        let jobs = self.jobs.clamp(1, requests.len().max(1));
        if jobs == 1 {
            return Ok(requests.iter().map(|r| solve_locally(r, travel)).collect());
        }
        // A shared queue of request indices; each worker takes the next.
        let next = std::sync::atomic::AtomicUsize::new(0);
        let mut out: Vec<Option<Plan>> = vec![None; requests.len()];
        let results = std::sync::Mutex::new(&mut out);
        std::thread::scope(|scope| {
            for _ in 0..jobs {
                scope.spawn(|| loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(r) = requests.get(i) else { break };
                    let plan = solve_locally(r, travel);
                    if let Ok(mut slots) = results.lock() {
                        slots[i] = Some(plan);
                    }
                });
            }
        });
        out.into_iter()
            .enumerate()
            .map(|(i, p)| p.ok_or_else(|| format!("search {i} of the study did not finish")))
            .collect()
    }
}
