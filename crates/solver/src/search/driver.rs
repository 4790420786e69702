//! The search driver: first solution, epochs of iterations on every worker
//! thread, sharing of the best solution (or, for large problems, a
//! decomposition into regions whose results are merged), set-partitioning
//! recombination, and the final exact re-evaluation.

use super::context::{build_ctx_on, Ctx};
use super::decompose;
use super::route::RouteState;
use super::solution::Sol;
use super::worker::{better, Worker};
use super::{
    DECOMPOSE_MIN, EPOCH, EPOCH_MAX, POOL_CAP, SPP_CAP, SPP_EVERY, SPP_MAX_REQUESTS, SPP_MIN,
    T0_FACTOR,
};
use crate::eval::{evaluate_schedule, node_of, schedule_from, Scratch};
use crate::rng::Rng;
use crate::spp::Pool;
use crate::{
    Instance, Progress, Route, SearchStats, Solution, SolverConfig, UnassignedReason, Visit,
    VisitKind,
};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Solves `inst` with ruin-and-recreate. See the crate docs for the
/// scheduling procedure and [`SolverConfig`] for reproducibility: with an
/// iteration limit (and no binding time limit or cancellation) the result is
/// identical for the same seed and thread count; with a time limit the
/// number of iterations, and hence the result, depends on machine speed.
///
/// `progress` is called from the calling thread at every synchronisation
/// point (every few hundred iterations per thread).
pub fn solve(
    inst: &Instance,
    cfg: &SolverConfig,
    progress: &(dyn Fn(Progress) + Sync),
) -> Solution {
    let started = Instant::now();
    let (ctx, excluded) = build_ctx_on(inst, cfg.threads.max(1));
    search(&ctx, excluded, cfg, progress, started)
}

fn search(
    ctx: &Ctx,
    excluded: Vec<(usize, UnassignedReason)>,
    cfg: &SolverConfig,
    progress: &(dyn Fn(Progress) + Sync),
    started: Instant,
) -> Solution {
    let threads = cfg.threads.max(1);
    let mut workers: Vec<Worker> = (0..threads)
        .map(|t| {
            let seed = cfg.seed.wrapping_mul(0x9E37_79B9);
            Worker::new(ctx, seed.wrapping_add(t as u64 * 7919 + 1))
        })
        .collect();
    // ---- first solution (deterministic)
    let (mut first, greedy) = workers[0].first_solution();
    // local search on the whole first solution (vehicle swaps included)
    let all: Vec<usize> = first.iter_routes().map(|(s, _)| s).collect();
    workers[0].local_search(&mut first, &all);
    first.refresh_cost();
    first.forget_changes();
    let served = ctx.active.len() - first.unassigned.len();
    let t0 = if served > 0 {
        T0_FACTOR * first.iter_routes().map(|(_, r)| r.cost).sum::<f64>() / served as f64
    } else {
        1.0
    };
    for w in workers.iter_mut() {
        w.adopt(&first);
        w.t0 = t0.max(1e-6);
    }
    let stats = SearchStats {
        first_solution: started.elapsed(),
        first_cost: first.cost,
        first_unassigned: first.unassigned.len(),
        greedy_cost: greedy.map(|g| g.0),
        greedy_unassigned: greedy.map_or(0, |g| g.1),
        fixed_rejected: ctx.fixed_rejected.clone(),
    };
    // ---- epochs
    let deadline = cfg.time_limit.map(|d| started + d);
    let limit = cfg.iteration_limit;
    let frac_of = |iter: u64| -> f64 {
        let mut f: f64 = 0.0;
        if let Some(l) = limit {
            f = f.max(iter as f64 / l.max(1) as f64);
        }
        if let Some(d) = cfg.time_limit {
            f = f.max(started.elapsed().as_secs_f64() / d.as_secs_f64().max(1e-9));
        }
        if limit.is_none() && cfg.time_limit.is_none() {
            f = 0.5;
        }
        f
    };
    let stop = |iter: u64| -> bool {
        cfg.cancel.load(Ordering::Relaxed)
            || deadline.is_some_and(|d| Instant::now() >= d)
            || limit.is_some_and(|l| iter >= l)
    };
    let mut gbest = first;
    let mut pool = Pool::new(POOL_CAP);
    let mut epochs = 0u64;
    // Large problems: each epoch, every worker improves its own region.
    let decompose = threads >= 2 && !ctx.hier && ctx.active.len() >= DECOMPOSE_MIN;
    let epoch_len = (ctx.active.len() as u64 / 4).clamp(EPOCH, EPOCH_MAX);
    let mut split_rng = Rng::new(cfg.seed ^ 0x5EED_F5EA);
    // Set partitioning gets at most a quarter of the time spent so far (and
    // never more than what is left before the deadline); without a time
    // limit, each solve gets SPP_CAP.
    let mut spp_spent = Duration::ZERO;
    let report = |g: &Sol, iters: u64| {
        progress(Progress {
            elapsed: started.elapsed(),
            best_cost: g.cost,
            vehicles: g.n_used,
            unassigned: g.unassigned.len() + excluded.len(),
            iteration: iters,
        })
    };
    report(&gbest, 0);
    if !ctx.active.is_empty() {
        loop {
            if stop(workers[0].iter) {
                break;
            }
            let parts = if decompose {
                decompose::split(ctx, &mut gbest, threads, &mut split_rng)
            } else {
                None
            };
            if let Some(parts) = &parts {
                for (w, part) in workers.iter_mut().zip(parts) {
                    w.adopt(&gbest);
                    w.cur.set_growable(false);
                    w.cur.set_free(&part.spare);
                    w.region = Some(part.region.clone());
                    w.vt_cap = part.vt_cap.clone();
                }
            }
            std::thread::scope(|s| {
                for w in workers.iter_mut() {
                    let stop = &stop;
                    let frac_of = &frac_of;
                    s.spawn(move || {
                        for _ in 0..epoch_len {
                            if stop(w.iter) {
                                break;
                            }
                            let f = frac_of(w.iter);
                            w.step(f);
                        }
                    });
                }
            });
            if parts.is_some() {
                let results: Vec<(&Sol, &super::worker::Region)> = workers
                    .iter()
                    .map(|w| (&w.best, w.region.as_ref().expect("set above")))
                    .collect();
                decompose::merge(&mut gbest, &results);
                for w in workers.iter_mut() {
                    w.region = None;
                    w.vt_cap = ctx.p.inst.vehicle_types.iter().map(|v| v.count).collect();
                    w.harvest.clear();
                    w.adopt(&gbest);
                }
            } else {
                // deterministic sharing: lowest-index best wins ties
                let mut bi = 0;
                for i in 1..workers.len() {
                    if better(ctx, &workers[i].best, &workers[bi].best) {
                        bi = i;
                    }
                }
                if better(ctx, &workers[bi].best, &gbest) {
                    gbest = workers[bi].best.clone();
                    gbest.forget_changes();
                }
            }
            // route pool and periodic set-partitioning recombination
            // (not with fixed routes: they would need their own columns)
            let spp = !decompose && ctx.n_fixed == 0 && ctx.active.len() <= SPP_MAX_REQUESTS;
            if spp {
                for w in workers.iter_mut() {
                    for (_, rt) in w.best.iter_routes() {
                        pool.add(rt);
                    }
                    for rt in &w.harvest {
                        pool.add(rt);
                    }
                    w.harvest.clear();
                }
            }
            epochs += 1;
            let spp_budget = match deadline {
                Some(d) => (started.elapsed() / 4)
                    .saturating_sub(spp_spent)
                    .min(d.saturating_duration_since(Instant::now())),
                None => SPP_CAP,
            };
            if spp
                && epochs % SPP_EVERY == 0
                && spp_budget >= SPP_MIN
                && !stop(workers[0].iter)
                && gbest.unassigned.is_empty()
            {
                let max_routes = if ctx.hier {
                    gbest.n_used
                } else {
                    usize::MAX / 2
                };
                let spp_started = Instant::now();
                let incumbent: Vec<(usize, &[u32])> = gbest
                    .iter_routes()
                    .map(|(_, r)| (r.vt, r.nodes.as_slice()))
                    .collect();
                let chosen = pool.solve(ctx, max_routes, spp_budget, &incumbent);
                spp_spent += spp_started.elapsed();
                if let Some(s) = chosen.and_then(|c| recombined(ctx, c)) {
                    if better(ctx, &s, &gbest) {
                        gbest = s;
                    }
                }
            }
            gbest.refresh_cost();
            for w in workers.iter_mut() {
                if better(ctx, &gbest, &w.best) {
                    w.adopt(&gbest);
                }
            }
            let iters: u64 = workers.iter().map(|w| w.iter).sum();
            report(&gbest, iters);
        }
    }
    let iterations: u64 = workers.iter().map(|w| w.iter).sum();
    drop(workers);
    to_solution(ctx, &gbest, excluded, iterations, stats)
}

/// A solution of the routes set partitioning chose, each re-checked on its
/// vehicle type; `None` if any fails.
fn recombined(ctx: &Ctx, chosen: Vec<(usize, Vec<u32>)>) -> Option<Sol> {
    let mut sc = Scratch::default();
    let mut s = ctx.new_sol();
    for (vt, nodes) in chosen {
        let st = RouteState::build(&ctx.p, vt, nodes, &mut sc).ok()?;
        let slot = s.free_slot()?;
        s.set_route(slot, st);
    }
    s.refresh_cost();
    s.forget_changes();
    Some(s)
}

fn to_solution(
    ctx: &Ctx,
    s: &Sol,
    excluded: Vec<(usize, UnassignedReason)>,
    iterations: u64,
    stats: SearchStats,
) -> Solution {
    let p = &ctx.p;
    let mut sc = Scratch::default();
    let nvt = p.nvt();
    let mut routes = Vec::new();
    let mut unassigned = excluded;
    for (_, rt) in s.iter_routes() {
        // The final, exact re-evaluation: the timetable written out is the
        // one of this check. Every route was checked when it was built, so
        // a failure here is a bug; its requests are then reported
        // unassigned rather than published on a route that breaks a rule.
        let ev = evaluate_schedule(p, rt.vt, &rt.nodes, &mut sc);
        if ev.violation.is_some() {
            let reqs: Vec<usize> = rt.requests(p).collect();
            unassigned.extend(reqs.into_iter().map(|r| (r, UnassignedReason::NotInserted)));
            continue;
        }
        let visits: Vec<Visit> = rt
            .nodes
            .iter()
            .map(|&n| Visit {
                request: n as usize / 2,
                kind: if n % 2 == 0 {
                    VisitKind::Pickup
                } else {
                    VisitKind::Delivery
                },
            })
            .collect();
        debug_assert!(visits
            .iter()
            .zip(&rt.nodes)
            .all(|(v, &n)| node_of(v.request, v.kind) == n));
        routes.push(Route {
            vehicle_type: rt.vt,
            schedule: schedule_from(&sc, rt.nodes.len()),
            visits,
            distance: ev.distance,
            duration: ev.duration,
            ride_time: ev.ride,
            cost: ev.cost,
        });
    }
    for &r in &s.unassigned {
        let exhausted = (0..nvt)
            .filter(|&v| p.compat[r * nvt + v])
            .all(|v| s.used[v] >= p.inst.vehicle_types[v].count);
        let reason = if exhausted {
            UnassignedReason::FleetExhausted
        } else {
            UnassignedReason::NotInserted
        };
        unassigned.push((r, reason));
    }
    unassigned.sort_by_key(|x| x.0);
    let cost = routes.iter().map(|r| r.cost).sum::<f64>() + ctx.penalty * unassigned.len() as f64;
    Solution {
        routes,
        unassigned,
        cost,
        iterations,
        stats,
    }
}
