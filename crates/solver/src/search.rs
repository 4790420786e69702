//! Ruin-and-recreate search (SISR-style string removals, greedy insertion
//! with blinks, simulated annealing) with a fleet-minimisation phase for the
//! hierarchical objective, run on several threads that share their best
//! solution at deterministic synchronisation points.

use crate::eval::{evaluate, evaluate_schedule, node_of, schedule_from, Prep, Scratch, INF};
use crate::rng::Rng;
use crate::spp::Pool;
use crate::{
    Instance, Progress, Route, Solution, SolverConfig, UnassignedReason, Violation, Visit,
    VisitKind,
};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

const NONE: u32 = u32::MAX;
/// Average number of requests removed per ruin (SISR's c-bar).
const CBAR: f64 = 10.0;
/// Maximum string length (SISR's L-max).
const LMAX: f64 = 10.0;
/// Blink rate of greedy insertion.
const BLINK: f64 = 0.01;
/// Iterations between synchronisation points.
const EPOCH: u64 = 250;
/// Epochs between set-partitioning recombinations.
const SPP_EVERY: u64 = 20;
/// Time limit of one set-partitioning solve when the search has no time
/// limit (iteration-limited runs).
const SPP_CAP: Duration = Duration::from_secs(2);
/// Smallest time budget worth starting a set-partitioning solve with.
const SPP_MIN: Duration = Duration::from_millis(20);
/// Maximum number of routes in the set-partitioning pool.
const POOL_CAP: usize = 1000;
/// Maximum number of routes a worker harvests per epoch.
const HARVEST_CAP: usize = 400;
/// Share of the budget given to fleet minimisation (hierarchical objective).
const FLEET_FRAC: f64 = 0.25;
/// Neighbours per request in the local search's granular neighbourhood.
const LS_NEIGH: usize = 12;
/// Maximum descent rounds of one local search.
const LS_ROUNDS: usize = 5;
/// Initial annealing temperature as a fraction of the initial solution's
/// average cost per served request (final temperature: 1/100 of it).
const T0_FACTOR: f64 = 1.0;

/// Cached data of one route position.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pos {
    loc: usize,
    /// Earliest start of service (forward pass).
    early: f64,
    /// Service time.
    serv: f64,
    /// Latest start of service keeping the remainder window-feasible.
    late: f64,
    /// Requests on board after the position.
    onboard: u16,
    /// A travel-alone request is on board after the position.
    alone: bool,
    /// Smallest ride-time slack (limit minus travel and service time from
    /// pickup departure to delivery arrival) of the requests on board on
    /// the edge to the next position; INF if none (or not needed).
    ride_slack: f64,
}

/// Cached per-route data for O(1) / O(route length) insertion checks.
///
/// The insertion scans stop at the first position from which a stop's
/// window can no longer be met; under the triangle inequality on durations
/// (Euclidean or shortest-path matrices) later positions cannot meet it
/// either. Without it some feasible positions may be skipped, but an
/// infeasible insertion is never accepted.
#[derive(Clone, Debug)]
pub(crate) struct RouteState {
    pub vt: usize,
    pub nodes: Vec<u32>,
    /// Per-position summaries (0 = start depot, m+1 = end depot).
    pos: Vec<Pos>,
    /// Capacity-rule values after each position: `rv[k * nr + rule]`.
    rv: Vec<i32>,
    /// Maximum duty minus the route's travel and service time (INF if no
    /// limit or not needed).
    dur_slack: f64,
    pub cost: f64,
    /// Built since the worker last harvested routes for the pool.
    pub fresh: bool,
}

impl RouteState {
    /// The one constructor of a route state: runs the exact evaluation of
    /// the whole sequence and refuses the route if any rule is broken, so a
    /// solution can only ever hold routes that the exact check accepts
    /// (whatever the travel-time matrix: nothing here assumes the triangle
    /// inequality). Then builds the insertion caches.
    pub(crate) fn build(
        p: &Prep,
        vt: usize,
        nodes: Vec<u32>,
        sc: &mut Scratch,
    ) -> Result<RouteState, Violation> {
        let cost = if nodes.is_empty() {
            0.0
        } else {
            let ev = evaluate(p, vt, &nodes, sc);
            if let Some(v) = ev.violation {
                return Err(v);
            }
            ev.cost
        };
        let v = &p.inst.vehicle_types[vt];
        let m = nodes.len();
        let np = m + 2;
        let nr = v.capacity.len();
        // (location, open, close, service) of position k
        let at = |k: usize| -> (usize, f64, f64, f64) {
            if k == 0 {
                (v.start_location, v.shift_open, v.shift_close, 0.0)
            } else if k == np - 1 {
                (v.end_location, v.shift_open, v.shift_close, 0.0)
            } else {
                let n = nodes[k - 1] as usize;
                (
                    p.node_loc[n],
                    p.node_open[n],
                    p.node_close[n],
                    p.node_serv[n],
                )
            }
        };
        let mut pos = Vec::with_capacity(np);
        for k in 0..np {
            let (loc, open, _, serv) = at(k);
            let early = if k == 0 {
                v.shift_open
            } else {
                let prev: &Pos = &pos[k - 1];
                let a = prev.early + prev.serv + p.t(prev.loc, loc);
                if a > open {
                    a
                } else {
                    open
                }
            };
            pos.push(Pos {
                loc,
                early,
                serv,
                late: 0.0,
                onboard: 0,
                alone: false,
                ride_slack: INF,
            });
        }
        pos[np - 1].late = v.shift_close;
        for k in (0..np - 1).rev() {
            let close = at(k).2;
            let l = pos[k + 1].late - p.t(pos[k].loc, pos[k + 1].loc) - pos[k].serv;
            pos[k].late = if l < close { l } else { close };
        }
        let mut rv = vec![0; np * nr];
        let mut cur = [0i32; 16];
        assert!(nr <= 16, "at most 16 capacity rules per vehicle type");
        let cur = &mut cur[..nr];
        let mut ob = 0i32;
        let mut al = 0i32;
        for &n in &nodes {
            let n = n as usize;
            let r = n / 2;
            if n % 2 == 1 && !p.has_p[r] {
                for (x, c) in cur.iter_mut().enumerate() {
                    *c += p.qrule[vt][x * p.nreq + r];
                }
                ob += 1;
                al += p.alone[r] as i32;
            }
        }
        for k in 0..np {
            if k > 0 && k <= m {
                let n = nodes[k - 1] as usize;
                let r = n / 2;
                let s = if n % 2 == 0 { 1 } else { -1 };
                for (x, c) in cur.iter_mut().enumerate() {
                    *c += s * p.qrule[vt][x * p.nreq + r];
                }
                ob += s;
                if p.alone[r] {
                    al += s;
                }
            }
            rv[k * nr..(k + 1) * nr].copy_from_slice(cur);
            pos[k].onboard = ob.max(0) as u16;
            pos[k].alone = al > 0;
        }
        // ride and duty lower bounds (travel + service, no waiting)
        let mut dur_slack = INF;
        if p.complex && m > 0 {
            let mut cum = Vec::with_capacity(np);
            cum.push(0.0);
            for k in 1..np {
                let c = cum[k - 1] + pos[k - 1].serv + p.t(pos[k - 1].loc, pos[k].loc);
                cum.push(c);
            }
            if let Some(md) = v.max_duration {
                dur_slack = md - cum[np - 1];
            }
            if p.ride_sched {
                for (b, &n) in nodes.iter().enumerate() {
                    let r = n as usize / 2;
                    if n % 2 == 0 || !p.has_p[r] || p.max_ride[r] == INF {
                        continue;
                    }
                    let b = b + 1;
                    let Some(a) = nodes.iter().position(|&x| x as usize == 2 * r) else {
                        continue;
                    };
                    let a = a + 1;
                    let slack = p.max_ride[r] - (cum[b] - cum[a] - pos[a].serv);
                    for ps in &mut pos[a..b] {
                        if slack < ps.ride_slack {
                            ps.ride_slack = slack;
                        }
                    }
                }
            }
        }
        Ok(RouteState {
            vt,
            nodes,
            pos,
            rv,
            dur_slack,
            cost,
            fresh: true,
        })
    }

    #[inline]
    fn fits(&self, k: usize, q: &[i32], lim: &[i32]) -> bool {
        let nr = q.len();
        let row = &self.rv[k * nr..(k + 1) * nr];
        row.iter().zip(q).zip(lim).all(|((a, b), l)| a + b <= *l)
    }
}

/// A (partial) solution inside the search.
#[derive(Clone, Debug)]
pub(crate) struct Sol {
    pub routes: Vec<RouteState>,
    pub unassigned: Vec<usize>,
    pub route_of: Vec<u32>,
    pub cost: f64,
}

impl Sol {
    fn recompute(&mut self, ctx: &Ctx) {
        self.route_of.iter_mut().for_each(|x| *x = NONE);
        for (i, rt) in self.routes.iter().enumerate() {
            for &n in &rt.nodes {
                self.route_of[n as usize / 2] = i as u32;
            }
        }
        self.cost = self.routes.iter().map(|r| r.cost).sum::<f64>()
            + ctx.penalty * self.unassigned.len() as f64;
    }

    fn used(&self, nvt: usize) -> Vec<usize> {
        let mut u = vec![0; nvt];
        for r in &self.routes {
            u[r.vt] += 1;
        }
        u
    }
}

/// Read-only search context shared by all workers.
pub(crate) struct Ctx<'a> {
    pub p: Prep<'a>,
    pub penalty: f64,
    pub hier: bool,
    /// Extra cost used when deciding to open a route (hierarchical mode).
    pub open_penalty: f64,
    /// Requests the search may insert.
    pub active: Vec<usize>,
    /// Related requests per request, nearest first.
    pub neigh: Vec<Vec<u32>>,
    pub demand: Vec<f64>,
    pub depot_dist: Vec<f64>,
    pub tw_close: Vec<f64>,
    pub vehicles_lb: usize,
    pub empty: Vec<RouteState>,
    pub fleet_frac: f64,
}

/// Lexicographic comparison used for "best" (hierarchical) or plain cost.
/// A lower bound on the number of vehicles serving all of `active`, for
/// any fleet mix: delivery-only requests are all on board when a vehicle
/// leaves the depot (pickup-only ones when it returns), so for each load
/// dimension their total must fit into the vehicles used, taken largest
/// first. A vehicle type carries at most `limit / coef` of a dimension under
/// each of its capacity rules (rules with a negative coefficient are
/// ignored, which only loosens the bound). Requests with both a pickup and a
/// delivery reuse capacity and count only towards "at least one vehicle".
pub(crate) fn vehicles_lower_bound(p: &Prep, active: &[usize]) -> usize {
    let inst = p.inst;
    if active.is_empty() {
        return 0;
    }
    let ndim = inst
        .requests
        .iter()
        .map(|r| r.load.len())
        .max()
        .unwrap_or(0);
    let carry = |vt: &crate::VehicleType, d: usize| -> Option<i64> {
        vt.capacity
            .iter()
            .filter(|rule| rule.coef.iter().all(|&c| c >= 0))
            .filter_map(|rule| {
                let c = *rule.coef.get(d).unwrap_or(&0);
                (c > 0).then(|| (rule.limit.max(0) / c) as i64)
            })
            .min()
    };
    let mut lb = 1;
    for delivery_only in [true, false] {
        for d in 0..ndim {
            let need: i64 = active
                .iter()
                .filter(|&&r| {
                    if delivery_only {
                        p.has_d[r] && !p.has_p[r]
                    } else {
                        p.has_p[r] && !p.has_d[r]
                    }
                })
                .map(|&r| *inst.requests[r].load.get(d).unwrap_or(&0) as i64)
                .filter(|&q| q > 0)
                .sum();
            if need == 0 {
                continue;
            }
            // (units per vehicle, vehicles), largest first; None = unlimited
            let mut caps: Vec<(Option<i64>, usize)> = inst
                .vehicle_types
                .iter()
                .filter(|vt| vt.count > 0)
                .map(|vt| (carry(vt, d), vt.count))
                .collect();
            caps.sort_by(|a, b| match (a.0, b.0) {
                (None, None) => std::cmp::Ordering::Equal,
                (None, _) => std::cmp::Ordering::Less,
                (_, None) => std::cmp::Ordering::Greater,
                (Some(x), Some(y)) => y.cmp(&x),
            });
            let (mut got, mut k) = (0i64, 0usize);
            for (cap, count) in caps {
                let Some(cap) = cap else {
                    k += 1; // one vehicle without a limit carries it all
                    break;
                };
                if cap <= 0 {
                    break;
                }
                let take = (((need - got) + cap - 1) / cap).min(count as i64);
                k += take as usize;
                got += take * cap;
                if got >= need {
                    break;
                }
            }
            // if the fleet cannot carry it all, any bound up to the fleet
            // size is still valid (the plan leaves requests out)
            lb = lb.max(k);
        }
    }
    lb
}

/// Whether cutting `nodes` before index `i` (head `nodes[..i]`, tail
/// `nodes[i..]`) keeps every pickup–delivery pair on one side.
fn closed_cut(p: &Prep, nodes: &[u32], i: usize) -> bool {
    let open = nodes[..i]
        .iter()
        .filter(|&&n| n % 2 == 0 && p.has_d[n as usize / 2])
        .count();
    let closed = nodes[..i]
        .iter()
        .filter(|&&n| n % 2 == 1 && p.has_p[n as usize / 2])
        .count();
    open == closed
}

fn better(ctx: &Ctx, a: &Sol, b: &Sol) -> bool {
    if ctx.hier {
        let ka = (a.unassigned.len(), a.routes.len());
        let kb = (b.unassigned.len(), b.routes.len());
        if ka != kb {
            return ka < kb;
        }
    }
    a.cost < b.cost - 1e-9
}

#[derive(Clone, Copy, Debug)]
struct Ins {
    route: usize, // usize::MAX - vt for an empty route of type vt
    i: usize,
    j: usize,
    delta: f64,
}

pub(crate) struct Worker<'c, 'a> {
    ctx: &'c Ctx<'a>,
    rng: Rng,
    sc: Scratch,
    qv: Vec<i32>,
    cands: Vec<(f64, usize, usize, usize)>,
    cur: Sol,
    best: Sol,
    iter: u64,
    t0: f64,
    fm: Option<FleetMin>,
    fm_done: bool,
    /// New routes of accepted solutions since the last synchronisation.
    harvest: Vec<RouteState>,
}

struct FleetMin {
    cur: Sol,
    absent: Vec<u32>,
    cap: usize,
}

impl<'c, 'a> Worker<'c, 'a> {
    // ------------------------------------------------------------ insertion
    /// Best insertion of request `r` into `rt` (route index `ri`), updating
    /// `best`. With `collect`, relaxed-feasible candidates are collected in
    /// `self.cands` instead.
    fn scan_route(
        &mut self,
        r: usize,
        ri: usize,
        rt: &RouteState,
        best: &mut Option<Ins>,
        blink: bool,
        collect: bool,
    ) {
        let p = &self.ctx.p;
        let vt = rt.vt;
        let v = &p.inst.vehicle_types[vt];
        let nr = v.capacity.len();
        self.qv.clear();
        for x in 0..nr {
            self.qv.push(p.qrule[vt][x * p.nreq + r]);
        }
        let q = &self.qv[..];
        let lim = &p.limits[vt][..];
        let m = rt.nodes.len();
        let (pn, dn) = (2 * r, 2 * r + 1);
        let alone_r = p.alone[r];
        let cpd = v.cost_per_distance;
        let extra = if m == 0 {
            v.fixed_cost + self.ctx.open_penalty
        } else {
            0.0
        };
        let complex = p.complex;
        let mut consider =
            |delta: f64,
             i: usize,
             j: usize,
             rng: &mut Rng,
             cands: &mut Vec<(f64, usize, usize, usize)>| {
                let dl = delta * cpd + extra;
                if collect {
                    cands.push((dl, ri, i, j));
                    return;
                }
                if best.is_none_or(|b| dl < b.delta) {
                    if blink && rng.f64() < BLINK {
                        return;
                    }
                    *best = Some(Ins {
                        route: ri,
                        i,
                        j,
                        delta: dl,
                    });
                }
            };
        let rng = &mut self.rng;
        let cands = &mut self.cands;
        match (p.has_p[r], p.has_d[r]) {
            (true, true) => {
                let (pl, dlc) = (p.node_loc[pn], p.node_loc[dn]);
                let (po, pc, ps) = (p.node_open[pn], p.node_close[pn], p.node_serv[pn]);
                let (d_o, d_c, d_s) = (p.node_open[dn], p.node_close[dn], p.node_serv[dn]);
                for i in 0..=m {
                    if !rt.fits(i, q, lim) {
                        continue;
                    }
                    if alone_r {
                        if rt.pos[i].onboard != 0 {
                            continue;
                        }
                    } else if rt.pos[i].alone {
                        continue;
                    }
                    let li = rt.pos[i].loc;
                    let a = rt.pos[i].early + rt.pos[i].serv + p.t(li, pl);
                    let tp = if a > po { a } else { po };
                    if tp > pc {
                        break; // later positions arrive later (triangle inequality)
                    }
                    let dep_p = tp + ps;
                    let ln = rt.pos[i + 1].loc;
                    // delivery right after the pickup
                    {
                        let a = dep_p + p.t(pl, dlc);
                        let td = if a > d_o { a } else { d_o };
                        if td <= d_c {
                            let a2 = td + d_s + p.t(dlc, ln);
                            let tn = if a2 > rt.pos[i + 1].early {
                                a2
                            } else {
                                rt.pos[i + 1].early
                            };
                            let ok = tn <= rt.pos[i + 1].late
                                && (!complex || {
                                    let det = p.t(li, pl) + ps + p.t(pl, dlc) + d_s + p.t(dlc, ln)
                                        - p.t(li, ln);
                                    det <= rt.pos[i].ride_slack + 1e-9 && det <= rt.dur_slack + 1e-9
                                });
                            if ok {
                                let delta = p.d(li, pl) + p.d(pl, dlc) + p.d(dlc, ln) - p.d(li, ln);
                                consider(delta, i, i, rng, cands);
                            }
                        }
                    }
                    if alone_r {
                        continue;
                    }
                    let dp = p.d(li, pl) + p.d(pl, ln) - p.d(li, ln);
                    let dpt = if complex {
                        p.t(li, pl) + ps + p.t(pl, ln) - p.t(li, ln)
                    } else {
                        0.0
                    };
                    if dpt > rt.pos[i].ride_slack + 1e-9 || dpt > rt.dur_slack + 1e-9 {
                        continue;
                    }
                    let mut prev_loc = pl;
                    let mut prev_dep = dep_p;
                    // ride time lower bound (travel and service, no waiting)
                    let max_ride = p.max_ride[r];
                    let mut nowait = 0.0;
                    for j in i + 1..=m {
                        if !rt.fits(j, q, lim) || rt.pos[j].alone {
                            break;
                        }
                        let lj = rt.pos[j].loc;
                        let a = prev_dep + p.t(prev_loc, lj);
                        let tj = if a > rt.pos[j].early {
                            a
                        } else {
                            rt.pos[j].early
                        };
                        if tj > rt.pos[j].late {
                            break;
                        }
                        nowait += p.t(prev_loc, lj) + rt.pos[j].serv;
                        if nowait + p.t(lj, dlc) > max_ride && nowait > max_ride {
                            break;
                        }
                        prev_loc = lj;
                        prev_dep = tj + rt.pos[j].serv;
                        if nowait + p.t(lj, dlc) > max_ride {
                            continue;
                        }
                        let a = prev_dep + p.t(lj, dlc);
                        let td = if a > d_o { a } else { d_o };
                        if td > d_c {
                            break;
                        }
                        let ln = rt.pos[j + 1].loc;
                        let a2 = td + d_s + p.t(dlc, ln);
                        let tn = if a2 > rt.pos[j + 1].early {
                            a2
                        } else {
                            rt.pos[j + 1].early
                        };
                        if tn > rt.pos[j + 1].late {
                            continue;
                        }
                        if complex {
                            let ddt = p.t(lj, dlc) + d_s + p.t(dlc, ln) - p.t(lj, ln);
                            if ddt > rt.pos[j].ride_slack + 1e-9 || dpt + ddt > rt.dur_slack + 1e-9
                            {
                                continue;
                            }
                        }
                        let delta = dp + p.d(lj, dlc) + p.d(dlc, ln) - p.d(lj, ln);
                        consider(delta, i, j, rng, cands);
                    }
                }
            }
            (false, true) => {
                let dlc = p.node_loc[dn];
                let (d_o, d_c, d_s) = (p.node_open[dn], p.node_close[dn], p.node_serv[dn]);
                for j in 0..=m {
                    if !rt.fits(j, q, lim) {
                        break;
                    }
                    if alone_r {
                        if rt.pos[j].onboard != 0 || j > 0 {
                            break;
                        }
                    } else if rt.pos[j].alone {
                        break;
                    }
                    let lj = rt.pos[j].loc;
                    let a = rt.pos[j].early + rt.pos[j].serv + p.t(lj, dlc);
                    let td = if a > d_o { a } else { d_o };
                    if td > d_c {
                        break;
                    }
                    let ln = rt.pos[j + 1].loc;
                    let a2 = td + d_s + p.t(dlc, ln);
                    let tn = if a2 > rt.pos[j + 1].early {
                        a2
                    } else {
                        rt.pos[j + 1].early
                    };
                    if tn > rt.pos[j + 1].late {
                        continue;
                    }
                    let delta = p.d(lj, dlc) + p.d(dlc, ln) - p.d(lj, ln);
                    consider(delta, j, j, rng, cands);
                }
            }
            (true, false) => {
                let pl = p.node_loc[pn];
                let (po, pc, ps) = (p.node_open[pn], p.node_close[pn], p.node_serv[pn]);
                // suffix feasibility of capacity / alone rules
                let mut ok_from = vec![true; m + 2];
                for k in (0..=m).rev() {
                    let ok = rt.fits(k, q, lim)
                        && if alone_r {
                            rt.pos[k].onboard == 0 && k == m
                        } else {
                            !rt.pos[k].alone
                        };
                    ok_from[k] = ok && ok_from[k + 1];
                }
                for i in 0..=m {
                    if !ok_from[i] {
                        continue;
                    }
                    let li = rt.pos[i].loc;
                    let a = rt.pos[i].early + rt.pos[i].serv + p.t(li, pl);
                    let tp = if a > po { a } else { po };
                    if tp > pc {
                        break;
                    }
                    let ln = rt.pos[i + 1].loc;
                    let a2 = tp + ps + p.t(pl, ln);
                    let tn = if a2 > rt.pos[i + 1].early {
                        a2
                    } else {
                        rt.pos[i + 1].early
                    };
                    if tn > rt.pos[i + 1].late {
                        continue;
                    }
                    let delta = p.d(li, pl) + p.d(pl, ln) - p.d(li, ln);
                    consider(delta, i, i, rng, cands);
                }
            }
            (false, false) => {}
        }
    }

    /// Cheapest insertion delta of `r` into a single route (no blinks).
    pub(crate) fn best_insertion_into(&mut self, rt: &RouteState, r: usize) -> Option<f64> {
        self.best_position_in(rt, r).map(|(d, _, _)| d)
    }

    /// Cheapest feasible insertion of `r` into `rt`: `(delta, i, j)` with
    /// the positions of [`Self::new_nodes`]. Compatibility is checked, the
    /// must-not-travel-together rule is left to the caller.
    fn best_position_in(&mut self, rt: &RouteState, r: usize) -> Option<(f64, usize, usize)> {
        let p = &self.ctx.p;
        if !p.compat[r * p.nvt() + rt.vt] {
            return None;
        }
        let mut best = None;
        self.cands.clear();
        self.scan_route(r, 0, rt, &mut best, false, p.complex);
        if !p.complex {
            return best.map(|b| (b.delta, b.i, b.j));
        }
        let old = rt.cost;
        let mut cands = std::mem::take(&mut self.cands);
        cands.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut out: Option<(f64, usize, usize)> = None;
        let mut feasible = 0;
        for (k, &(_, _, i, j)) in cands.iter().enumerate() {
            if feasible >= 3 || (k >= 40 && feasible >= 1) {
                break;
            }
            let nodes = self.new_nodes(r, rt, i, j);
            let ev = evaluate(p, rt.vt, &nodes, &mut self.sc);
            if ev.violation.is_none() {
                feasible += 1;
                let d = ev.cost - old;
                if out.is_none_or(|o| d < o.0) {
                    out = Some((d, i, j));
                }
            }
        }
        self.cands = cands;
        out
    }

    /// Cost of `nodes` on vehicle type `vt` if feasible (0 for no nodes).
    fn route_cost(&mut self, vt: usize, nodes: &[u32]) -> Option<f64> {
        if nodes.is_empty() {
            return Some(0.0);
        }
        let ev = evaluate(&self.ctx.p, vt, nodes, &mut self.sc);
        ev.violation.is_none().then_some(ev.cost)
    }

    /// Relocate-pair move: removal saving from `from` plus cheapest insertion
    /// into `to`.
    pub(crate) fn relocate_delta(
        &mut self,
        from: &RouteState,
        to: &RouteState,
        r: usize,
    ) -> Option<f64> {
        let nodes = self.without(from, r);
        let removed_cost = self.removal_cost(from.vt, nodes);
        let (ins, _, _) = self.best_position_in(to, r)?;
        Some(removed_cost - from.cost + ins)
    }

    /// Cost of a route after a removal: `+∞` if the shortened route breaks
    /// a rule (which happens when travel times are not metric: skipping a
    /// stop can make the drive longer).
    fn removal_cost(&mut self, vt: usize, nodes: Vec<u32>) -> f64 {
        if nodes.is_empty() {
            0.0
        } else {
            evaluate(&self.ctx.p, vt, &nodes, &mut self.sc).cost
        }
    }

    // ------------------------------------------------------------ local search
    /// Descent with two classic moves over a granular neighbourhood (the
    /// [`LS_NEIGH`] nearest requests of each request): *pair relocate* (move
    /// a request, both its stops, to the route of a neighbour), *pair
    /// exchange* (a request and a neighbour swap routes) and *2-opt\**
    /// (swap the tails of two routes so that a stop is followed by a
    /// neighbour's stop; only at cuts that split no pickup–delivery pair),
    /// plus a change of vehicle type for whole routes. First improvement; repeats until no move improves or `max_rounds`.
    /// Route states of changed routes are rebuilt, so `sol` stays consistent.
    fn local_search(&mut self, sol: &mut Sol, max_rounds: usize) {
        let ctx = self.ctx;
        let eps = 1e-7;
        let mut order: Vec<usize> = ctx.active.clone();
        for _ in 0..max_rounds {
            let mut improved = false;
            self.rng.shuffle(&mut order);
            for &r in &order {
                if self.try_relocate(sol, r, eps) {
                    improved = true;
                }
            }
            for &r in &order {
                if self.try_exchange(sol, r, eps) {
                    improved = true;
                }
            }
            for &r in &order {
                if self.try_two_opt_star(sol, r, eps) {
                    improved = true;
                }
            }
            if self.try_vehicle_swaps(sol, eps) {
                improved = true;
            }
            if !improved {
                break;
            }
        }
        sol.routes.retain(|r| !r.nodes.is_empty());
        sol.recompute(ctx);
    }

    /// Pair relocate of `r` to the route of one of its neighbours; applies
    /// the first improving move.
    fn try_relocate(&mut self, sol: &mut Sol, r: usize, eps: f64) -> bool {
        let ctx = self.ctx;
        let a = sol.route_of[r];
        if a == NONE {
            return false;
        }
        let a = a as usize;
        // route a without r, built on first need (None inside: infeasible)
        let mut rest: Option<Option<RouteState>> = None;
        let mut tried = [NONE; LS_NEIGH];
        for (k, &c) in ctx.neigh[r].iter().take(LS_NEIGH).enumerate() {
            let b = sol.route_of[c as usize];
            if b == NONE || b as usize == a || tried[..k].contains(&b) {
                continue;
            }
            tried[k] = b;
            let b = b as usize;
            if ctx.p.conflicts[r]
                .iter()
                .any(|&x| sol.route_of[x] == b as u32)
            {
                continue;
            }
            let rest = rest.get_or_insert_with(|| {
                let nodes = self.without(&sol.routes[a], r);
                RouteState::build(&ctx.p, sol.routes[a].vt, nodes, &mut self.sc).ok()
            });
            // Taking r out breaks route a (non-metric travel times): no
            // relocation of r is possible.
            let Some(rest) = rest.as_ref() else {
                return false;
            };
            let gain = sol.routes[a].cost - rest.cost;
            let Some((ins, i, j)) = self.best_position_in(&sol.routes[b], r) else {
                continue;
            };
            if ins - gain < -eps {
                let nodes = self.new_nodes(r, &sol.routes[b], i, j);
                let vb = sol.routes[b].vt;
                let Ok(new_b) = RouteState::build(&ctx.p, vb, nodes, &mut self.sc) else {
                    continue;
                };
                sol.routes[b] = new_b;
                sol.routes[a] = rest.clone();
                sol.route_of[r] = b as u32;
                return true;
            }
        }
        false
    }

    /// Moves whole routes to a cheaper vehicle type that is still available
    /// (heterogeneous fleets: a taxi instead of a minibus for a short run).
    fn try_vehicle_swaps(&mut self, sol: &mut Sol, eps: f64) -> bool {
        let p = &self.ctx.p;
        let nvt = p.nvt();
        if nvt < 2 {
            return false;
        }
        let mut used = sol.used(nvt);
        let mut improved = false;
        for ri in 0..sol.routes.len() {
            let (vt, cost) = (sol.routes[ri].vt, sol.routes[ri].cost);
            if sol.routes[ri].nodes.is_empty() {
                continue;
            }
            let mut best: Option<(usize, f64)> = None;
            for alt in (0..nvt).filter(|&t| t != vt && used[t] < p.inst.vehicle_types[t].count) {
                let nodes = &sol.routes[ri].nodes;
                if nodes
                    .iter()
                    .any(|&n| !p.compat[(n as usize / 2) * nvt + alt])
                {
                    continue;
                }
                let nodes = nodes.clone();
                if let Some(c) = self.route_cost(alt, &nodes) {
                    if c < cost - eps && best.is_none_or(|b| c < b.1) {
                        best = Some((alt, c));
                    }
                }
            }
            if let Some((alt, _)) = best {
                let nodes = sol.routes[ri].nodes.clone();
                if let Ok(st) = RouteState::build(p, alt, nodes, &mut self.sc) {
                    sol.routes[ri] = st;
                    used[vt] -= 1;
                    used[alt] += 1;
                    improved = true;
                }
            }
        }
        improved
    }

    /// Pair exchange: `r` and a neighbour `c` on another route swap routes,
    /// each going to its cheapest position in the other route. Applies the
    /// first improving move.
    fn try_exchange(&mut self, sol: &mut Sol, r: usize, eps: f64) -> bool {
        let ctx = self.ctx;
        let p = &ctx.p;
        let a = sol.route_of[r];
        let holds_only =
            |ri: usize, x: usize| sol.routes[ri].nodes.iter().all(|&n| n as usize / 2 == x);
        if a == NONE || holds_only(a as usize, r) {
            return false;
        }
        let a = a as usize;
        let mut a_minus: Option<RouteState> = None;
        for &c in ctx.neigh[r].iter().take(LS_NEIGH) {
            let c = c as usize;
            let b = sol.route_of[c];
            if b == NONE || b as usize == a || holds_only(b as usize, c) {
                continue;
            }
            let b = b as usize;
            let clash = |x: usize, route: usize, partner: usize| {
                p.conflicts[x]
                    .iter()
                    .any(|&y| y != partner && sol.route_of[y] == route as u32)
            };
            if clash(r, b, c) || clash(c, a, r) {
                continue;
            }
            if !p.compat[r * p.nvt() + sol.routes[b].vt]
                || !p.compat[c * p.nvt() + sol.routes[a].vt]
            {
                continue;
            }
            let am = match a_minus.take() {
                Some(am) => am,
                None => {
                    let nodes = self.without(&sol.routes[a], r);
                    match RouteState::build(p, sol.routes[a].vt, nodes, &mut self.sc) {
                        Ok(am) => am,
                        // taking r out breaks route a (non-metric times)
                        Err(_) => return false,
                    }
                }
            };
            let nodes = self.without(&sol.routes[b], c);
            let Ok(bm) = RouteState::build(p, sol.routes[b].vt, nodes, &mut self.sc) else {
                a_minus = Some(am);
                continue;
            };
            let old = sol.routes[a].cost + sol.routes[b].cost;
            let found = self.best_position_in(&am, c).and_then(|(dc, ic, jc)| {
                let base = am.cost + bm.cost + dc;
                if base - old > -eps {
                    return None; // inserting r never has a negative cost
                }
                let (dr, ir, jr) = self.best_position_in(&bm, r)?;
                (base + dr - old < -eps).then_some((ic, jc, ir, jr))
            });
            if let Some((ic, jc, ir, jr)) = found {
                let na = self.new_nodes(c, &am, ic, jc);
                let nb = self.new_nodes(r, &bm, ir, jr);
                if let (Ok(new_a), Ok(new_b)) = (
                    RouteState::build(p, am.vt, na, &mut self.sc),
                    RouteState::build(p, bm.vt, nb, &mut self.sc),
                ) {
                    sol.routes[a] = new_a;
                    sol.routes[b] = new_b;
                    sol.route_of[r] = b as u32;
                    sol.route_of[c] = a as u32;
                    return true;
                }
            }
            a_minus = Some(am);
        }
        false
    }

    fn without(&self, rt: &RouteState, r: usize) -> Vec<u32> {
        rt.nodes
            .iter()
            .copied()
            .filter(|&n| n as usize / 2 != r)
            .collect()
    }

    /// 2-opt\* between the route of `r` and the routes of its neighbours:
    /// after a stop of `r`, continue with a neighbour's stop and the rest of
    /// its route. Applies the first improving move.
    fn try_two_opt_star(&mut self, sol: &mut Sol, r: usize, eps: f64) -> bool {
        let ctx = self.ctx;
        let p = &ctx.p;
        let a = sol.route_of[r];
        if a == NONE {
            return false;
        }
        let a = a as usize;
        // cut points of route a right after a stop of r
        let na = &sol.routes[a].nodes;
        let cuts_a: Vec<usize> = (0..na.len())
            .filter(|&k| na[k] as usize / 2 == r)
            .map(|k| k + 1)
            .filter(|&i| closed_cut(p, na, i))
            .collect();
        if cuts_a.is_empty() {
            return false;
        }
        for &c in ctx.neigh[r].iter().take(LS_NEIGH) {
            let c = c as usize;
            let b = sol.route_of[c];
            if b == NONE || b as usize == a {
                continue;
            }
            let b = b as usize;
            let rb = &sol.routes[b];
            let old = sol.routes[a].cost + rb.cost;
            let cuts_b: Vec<usize> = (0..rb.nodes.len())
                .filter(|&k| rb.nodes[k] as usize / 2 == c && closed_cut(p, &rb.nodes, k))
                .collect();
            for j in cuts_b {
                for &i in &cuts_a {
                    let (ra, rb) = (&sol.routes[a], &sol.routes[b]);
                    let mut new_a: Vec<u32> = ra.nodes[..i].to_vec();
                    new_a.extend_from_slice(&rb.nodes[j..]);
                    let mut new_b: Vec<u32> = rb.nodes[..j].to_vec();
                    new_b.extend_from_slice(&ra.nodes[i..]);
                    let (va, vb) = (ra.vt, rb.vt);
                    let Some(ca) = self.route_cost(va, &new_a) else {
                        continue;
                    };
                    if ca - old > -eps {
                        continue; // route costs are never negative
                    }
                    let Some(cb) = self.route_cost(vb, &new_b) else {
                        continue;
                    };
                    if ca + cb - old < -eps {
                        let (Ok(sa), Ok(sb)) = (
                            RouteState::build(p, va, new_a, &mut self.sc),
                            RouteState::build(p, vb, new_b, &mut self.sc),
                        ) else {
                            continue;
                        };
                        sol.routes[a] = sa;
                        sol.routes[b] = sb;
                        for (ri, rt) in [(a, &sol.routes[a]), (b, &sol.routes[b])] {
                            for &n in &rt.nodes {
                                sol.route_of[n as usize / 2] = ri as u32;
                            }
                        }
                        return true;
                    }
                }
            }
        }
        false
    }

    fn new_nodes(&self, r: usize, rt: &RouteState, i: usize, j: usize) -> Vec<u32> {
        let p = &self.ctx.p;
        let mut v = Vec::with_capacity(rt.nodes.len() + 2);
        let (pn, dn) = ((2 * r) as u32, (2 * r + 1) as u32);
        match (p.has_p[r], p.has_d[r]) {
            (true, true) => {
                v.extend_from_slice(&rt.nodes[..i]);
                v.push(pn);
                v.extend_from_slice(&rt.nodes[i..j]);
                v.push(dn);
                v.extend_from_slice(&rt.nodes[j..]);
            }
            (false, true) => {
                v.extend_from_slice(&rt.nodes[..j]);
                v.push(dn);
                v.extend_from_slice(&rt.nodes[j..]);
            }
            _ => {
                v.extend_from_slice(&rt.nodes[..i]);
                v.push(pn);
                v.extend_from_slice(&rt.nodes[i..]);
            }
        }
        v
    }

    /// Finds the cheapest feasible insertion of `r` into `sol` (existing
    /// routes, plus one empty route per available vehicle type if the route
    /// count is below `cap`), with the changed route already built (and so
    /// exactly checked).
    fn best_insertion(
        &mut self,
        sol: &Sol,
        r: usize,
        cap: usize,
        blink: bool,
    ) -> Option<(Ins, RouteState)> {
        let p = &self.ctx.p;
        if !p.complex {
            // The cached scan is exact for windows, capacity and
            // travel-alone, which are all the rules of a simple instance;
            // the build re-checks it. Should the check ever disagree, the
            // candidates are evaluated one by one instead.
            if let Some(best) = self.scan_routes(sol, r, cap, blink, false) {
                let rt = self.target(sol, best.route);
                let nodes = self.new_nodes(r, rt, best.i, best.j);
                if let Ok(st) = RouteState::build(p, rt.vt, nodes, &mut self.sc) {
                    return Some((best, st));
                }
            }
            if self.cands.is_empty() {
                self.scan_routes(sol, r, cap, blink, true);
            }
        } else {
            self.scan_routes(sol, r, cap, blink, true);
        }
        self.best_candidate(sol, r, blink)
    }

    /// The route an insertion targets (an empty route for a new vehicle).
    fn target<'s>(&self, sol: &'s Sol, route: usize) -> &'s RouteState
    where
        'c: 's,
    {
        let nvt = self.ctx.p.nvt();
        if route >= usize::MAX - nvt {
            &self.ctx.empty[usize::MAX - route]
        } else {
            &sol.routes[route]
        }
    }

    /// Scans every compatible route of `sol` (and an empty route of each
    /// available vehicle type) for insertions of `r`. With `collect`, every
    /// candidate passing the cached pre-filters goes to `self.cands` for
    /// exact evaluation; otherwise the cheapest is returned.
    fn scan_routes(
        &mut self,
        sol: &Sol,
        r: usize,
        cap: usize,
        blink: bool,
        collect: bool,
    ) -> Option<Ins> {
        let ctx = self.ctx;
        let p = &ctx.p;
        let nvt = p.nvt();
        let mut best: Option<Ins> = None;
        self.cands.clear();
        'routes: for (ri, rt) in sol.routes.iter().enumerate() {
            if !p.compat[r * nvt + rt.vt] {
                continue;
            }
            for &c in &p.conflicts[r] {
                if sol.route_of[c] == ri as u32 {
                    continue 'routes;
                }
            }
            self.scan_route(r, ri, rt, &mut best, blink, collect);
        }
        if sol.routes.len() < cap {
            let used = sol.used(nvt);
            for vt in 0..nvt {
                if used[vt] < p.inst.vehicle_types[vt].count && p.compat[r * nvt + vt] {
                    let e = &ctx.empty[vt];
                    self.scan_route(r, usize::MAX - vt, e, &mut best, false, collect);
                }
            }
        }
        best
    }

    /// Exact evaluation of the most promising candidates in `self.cands`;
    /// the cheapest feasible one (with blinks) is built and returned.
    fn best_candidate(&mut self, sol: &Sol, r: usize, blink: bool) -> Option<(Ins, RouteState)> {
        let ctx = self.ctx;
        let p = &ctx.p;
        let mut cands = std::mem::take(&mut self.cands);
        cands.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut best: Option<(Ins, Vec<u32>)> = None;
        let mut feasible = 0;
        for (k, &(_, ri, i, j)) in cands.iter().enumerate() {
            if feasible >= 3 || (k >= 40 && feasible >= 1) {
                break;
            }
            let rt = self.target(sol, ri);
            let old = rt.cost;
            let nodes = self.new_nodes(r, rt, i, j);
            let ev = evaluate(p, rt.vt, &nodes, &mut self.sc);
            if ev.violation.is_some() {
                continue;
            }
            feasible += 1;
            let extra = if rt.nodes.is_empty() {
                ctx.open_penalty
            } else {
                0.0
            };
            let delta = ev.cost - old + extra;
            if blink && best.is_some() && self.rng.f64() < BLINK {
                continue;
            }
            if best.as_ref().is_none_or(|b| delta < b.0.delta) {
                let ins = Ins {
                    route: ri,
                    i,
                    j,
                    delta,
                };
                best = Some((ins, nodes));
            }
        }
        self.cands = cands;
        let (ins, nodes) = best?;
        let vt = self.target(sol, ins.route).vt;
        // evaluated feasible above; the build checks it once more
        let st = RouteState::build(p, vt, nodes, &mut self.sc).ok()?;
        Some((ins, st))
    }

    fn apply(&mut self, sol: &mut Sol, r: usize, ins: Ins, st: RouteState) {
        let nvt = self.ctx.p.nvt();
        let ri = if ins.route >= usize::MAX - nvt {
            sol.routes
                .push(self.ctx.empty[usize::MAX - ins.route].clone());
            sol.routes.len() - 1
        } else {
            ins.route
        };
        sol.cost += st.cost - sol.routes[ri].cost;
        sol.routes[ri] = st;
        sol.route_of[r] = ri as u32;
    }

    /// Greedy insertion with blinks of `todo` (order chosen at random among
    /// SISR's sortings). Requests that fit nowhere join `sol.unassigned`.
    fn recreate(&mut self, sol: &mut Sol, mut todo: Vec<usize>, cap: usize) {
        let ctx = self.ctx;
        let k = self.rng.below(13);
        match k {
            0..=3 => self.rng.shuffle(&mut todo),
            4..=7 => {
                self.rng.shuffle(&mut todo);
                todo.sort_by(|a, b| ctx.demand[*b].total_cmp(&ctx.demand[*a]))
            }
            8..=9 => todo.sort_by(|a, b| ctx.depot_dist[*b].total_cmp(&ctx.depot_dist[*a])),
            10 => todo.sort_by(|a, b| ctx.depot_dist[*a].total_cmp(&ctx.depot_dist[*b])),
            _ => todo.sort_by(|a, b| ctx.tw_close[*a].total_cmp(&ctx.tw_close[*b])),
        }
        for r in todo {
            match self.best_insertion(sol, r, cap, true) {
                Some((ins, built)) => self.apply(sol, r, ins, built),
                None => {
                    sol.unassigned.push(r);
                    sol.cost += ctx.penalty;
                }
            }
        }
    }

    // ------------------------------------------------------------ ruin
    /// SISR adjacent string removal (or, sometimes, random removal). Returns
    /// the removed requests; `sol` keeps consistent route states.
    fn ruin(&mut self, sol: &mut Sol) -> Vec<usize> {
        let ctx = self.ctx;
        let p = &ctx.p;
        let mut removed: Vec<usize> = Vec::new();
        let assigned: usize = sol.routes.iter().map(|r| r.nodes.len()).sum();
        if sol.routes.is_empty() || assigned == 0 {
            return removed;
        }
        let mut is_removed = vec![false; p.nreq];
        let mut touched = vec![false; sol.routes.len()];
        if self.rng.f64() < 0.1 {
            let k = self.rng.range(1, (2.0 * CBAR) as usize);
            for _ in 0..k {
                let ri = self.rng.below(sol.routes.len());
                let rt = &sol.routes[ri];
                if rt.nodes.is_empty() {
                    continue;
                }
                let r = rt.nodes[self.rng.below(rt.nodes.len())] as usize / 2;
                if !is_removed[r] {
                    is_removed[r] = true;
                    removed.push(r);
                    touched[ri] = true;
                }
            }
        } else {
            let avg = assigned as f64 / sol.routes.len() as f64;
            let ls_max = LMAX.min(avg);
            let ks_max = 4.0 * CBAR / (1.0 + ls_max) - 1.0;
            let ks = (1.0 + self.rng.f64() * ks_max).floor().max(1.0) as usize;
            // seed: random assigned request
            let ri0 = self.rng.below(sol.routes.len());
            let rt0 = &sol.routes[ri0];
            if rt0.nodes.is_empty() {
                return removed;
            }
            let seed = rt0.nodes[self.rng.below(rt0.nodes.len())] as usize / 2;
            let mut ruined = 0;
            for &c in std::iter::once(&(seed as u32)).chain(ctx.neigh[seed].iter()) {
                if ruined >= ks {
                    break;
                }
                let c = c as usize;
                let ri = sol.route_of[c];
                if ri == NONE || touched[ri as usize] || is_removed[c] {
                    continue;
                }
                let ri = ri as usize;
                let rt = &sol.routes[ri];
                let m = rt.nodes.len();
                let lmax_t = (ls_max.min(m as f64)).floor().max(1.0) as usize;
                let lt = self.rng.range(1, lmax_t);
                let pos = rt
                    .nodes
                    .iter()
                    .position(|&n| n as usize / 2 == c)
                    .unwrap_or(0);
                let lo = pos.saturating_sub(self.rng.below(lt)).min(m - lt);
                for &n in &rt.nodes[lo..lo + lt] {
                    let r = n as usize / 2;
                    if !is_removed[r] {
                        is_removed[r] = true;
                        removed.push(r);
                    }
                }
                touched[ri] = true;
                ruined += 1;
            }
        }
        // Rebuild touched routes. Without the triangle inequality a shorter
        // sequence can take longer to drive and break a ride time, window or
        // duty limit; such a route keeps the stops it had (its removals are
        // undone), so every route stays exactly feasible.
        for (ri, t) in touched.iter().enumerate() {
            if !*t {
                continue;
            }
            let rt = &sol.routes[ri];
            let nodes: Vec<u32> = rt
                .nodes
                .iter()
                .copied()
                .filter(|&n| !is_removed[n as usize / 2])
                .collect();
            match RouteState::build(p, rt.vt, nodes, &mut self.sc) {
                Ok(st) => sol.routes[ri] = st,
                Err(_) => {
                    for &n in &sol.routes[ri].nodes {
                        is_removed[n as usize / 2] = false;
                    }
                }
            }
        }
        removed.retain(|&r| is_removed[r]);
        sol.routes.retain(|r| !r.nodes.is_empty());
        sol.recompute(ctx);
        removed
    }

    // ------------------------------------------------------------ iterations
    fn temperature(&self, frac: f64) -> f64 {
        let tf = self.t0 / 100.0;
        self.t0 * (tf / self.t0).powf(frac.clamp(0.0, 1.0))
    }

    fn cap(&self) -> usize {
        if self.ctx.hier {
            self.best.routes.len()
        } else {
            usize::MAX
        }
    }

    /// One simulated-annealing ruin-and-recreate iteration on `cur`.
    fn step_distance(&mut self, frac: f64) {
        let mut cand = self.cur.clone();
        let mut todo = self.ruin(&mut cand);
        let prev = cand.unassigned.len();
        todo.append(&mut cand.unassigned);
        cand.cost -= self.ctx.penalty * prev as f64;
        let cap = self.cap();
        self.recreate(&mut cand, todo, cap);
        if better(self.ctx, &cand, &self.best) {
            self.local_search(&mut cand, LS_ROUNDS);
        }
        let t = self.temperature(frac);
        let u = self.rng.f64().max(1e-300);
        let accept = if self.ctx.hier && cand.unassigned.len() > self.cur.unassigned.len() {
            false
        } else {
            cand.cost < self.cur.cost - t * u.ln()
        };
        if accept {
            for rt in cand.routes.iter_mut() {
                if rt.fresh {
                    rt.fresh = false;
                    if self.harvest.len() < HARVEST_CAP {
                        self.harvest.push(rt.clone());
                    }
                }
            }
            self.cur = cand;
            if better(self.ctx, &self.cur, &self.best) {
                self.best = self.cur.clone();
            }
        }
    }

    fn start_fleet_min(&mut self) -> bool {
        let ctx = self.ctx;
        let base = &self.best;
        if !base.unassigned.is_empty() || base.routes.len() <= ctx.vehicles_lb.max(1) {
            return false;
        }
        let mut s = base.clone();
        // remove the route with the fewest requests (ties: random)
        let minlen = s.routes.iter().map(|r| r.nodes.len()).min().unwrap_or(0);
        let idx: Vec<usize> = (0..s.routes.len())
            .filter(|&i| s.routes[i].nodes.len() <= minlen + 1)
            .collect();
        let ri = idx[self.rng.below(idx.len())];
        let rt = s.routes.swap_remove(ri);
        for &n in &rt.nodes {
            if n % 2 == 1 || !ctx.p.has_d[n as usize / 2] {
                s.unassigned.push(n as usize / 2);
            }
        }
        s.recompute(ctx);
        let cap = s.routes.len();
        let todo = std::mem::take(&mut s.unassigned);
        s.cost -= ctx.penalty * todo.len() as f64;
        self.recreate(&mut s, todo, cap);
        self.fm = Some(FleetMin {
            cur: s,
            absent: vec![0; ctx.p.nreq],
            cap,
        });
        self.check_fm_success();
        true
    }

    fn check_fm_success(&mut self) {
        let done = self
            .fm
            .as_ref()
            .is_some_and(|f| f.cur.unassigned.is_empty());
        if done {
            let f = self.fm.take().unwrap();
            self.best = f.cur.clone();
            self.cur = f.cur;
        }
    }

    /// One fleet-minimisation iteration (SISR: accept fewer absent requests
    /// or a lower sum of absence counters).
    fn step_fleet(&mut self) {
        if self.fm.is_none() && !self.start_fleet_min() {
            self.fm_done = true;
            return;
        }
        let Some(mut fm) = self.fm.take() else { return };
        let mut cand = fm.cur.clone();
        let mut todo = self.ruin(&mut cand);
        let prev = cand.unassigned.len();
        todo.append(&mut cand.unassigned);
        cand.cost -= self.ctx.penalty * prev as f64;
        self.recreate(&mut cand, todo, fm.cap);
        let sum = |s: &Sol| {
            s.unassigned
                .iter()
                .map(|&r| fm.absent[r] as u64)
                .sum::<u64>()
        };
        if cand.unassigned.len() < fm.cur.unassigned.len() || sum(&cand) < sum(&fm.cur) {
            fm.cur = cand;
        }
        for &r in &fm.cur.unassigned {
            fm.absent[r] += 1;
        }
        self.fm = Some(fm);
        self.check_fm_success();
    }

    fn step(&mut self, frac: f64) {
        self.iter += 1;
        if self.ctx.hier && !self.fm_done && frac < self.ctx.fleet_frac {
            self.step_fleet();
        } else {
            if self.fm.is_some() {
                self.fm = None;
                self.cur = self.best.clone();
            }
            let f = if self.ctx.hier {
                (frac - self.ctx.fleet_frac) / (1.0 - self.ctx.fleet_frac)
            } else {
                frac
            };
            self.step_distance(f.max(0.0));
        }
    }

    /// Adopts `g` as the worker's best (and current) solution.
    fn adopt(&mut self, g: &Sol) {
        self.best = g.clone();
        self.cur = g.clone();
        self.fm = None;
    }
}

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
    let (ctx, excluded) = build_ctx(inst);
    search(&ctx, excluded, cfg, progress, started)
}

/// Preprocesses the instance and classifies requests that can never be
/// served.
pub(crate) fn build_ctx(inst: &Instance) -> (Ctx<'_>, Vec<(usize, UnassignedReason)>) {
    let p = Prep::new(inst);
    let nreq = p.nreq;
    let nvt = p.nvt();
    let mut sc = Scratch::default();
    // ---- classify requests that can never be served
    let mut excluded: Vec<(usize, UnassignedReason)> = Vec::new();
    let mut active = Vec::new();
    for r in 0..nreq {
        if !(0..nvt).any(|v| p.compat[r * nvt + v]) {
            let features_ok = (0..nvt).any(|v| p.feat_ok[r * nvt + v]);
            excluded.push((r, UnassignedReason::NoCompatibleVehicle { features_ok }));
            continue;
        }
        let mut nodes = Vec::new();
        if p.has_p[r] {
            nodes.push((2 * r) as u32);
        }
        if p.has_d[r] {
            nodes.push((2 * r + 1) as u32);
        }
        let mut first_viol = None;
        let mut ok = false;
        for v in 0..nvt {
            if !p.compat[r * nvt + v] {
                continue;
            }
            let ev = evaluate(&p, v, &nodes, &mut sc);
            match ev.violation {
                None => {
                    ok = true;
                    break;
                }
                Some(x) => {
                    first_viol.get_or_insert(x);
                }
            }
        }
        if ok {
            active.push(r);
        } else {
            excluded.push((r, UnassignedReason::InfeasibleAlone(first_viol.unwrap())));
        }
    }
    // ---- neighbourhoods and sort keys
    let stops = |r: usize| -> Vec<usize> {
        let mut v = Vec::new();
        if p.has_p[r] {
            v.push(p.node_loc[2 * r]);
        }
        if p.has_d[r] {
            v.push(p.node_loc[2 * r + 1]);
        }
        v
    };
    let st: Vec<Vec<usize>> = (0..nreq).map(stops).collect();
    let kn = 60.min(active.len().saturating_sub(1));
    let mut neigh = vec![Vec::new(); nreq];
    for &a in &active {
        let mut v: Vec<(f64, u32)> = active
            .iter()
            .filter(|&&b| b != a)
            .map(|&b| {
                let mut best = INF;
                for &x in &st[a] {
                    for &y in &st[b] {
                        best = best.min(p.d(x, y).min(p.d(y, x)));
                    }
                }
                (best, b as u32)
            })
            .collect();
        v.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
        v.truncate(kn);
        neigh[a] = v.into_iter().map(|x| x.1).collect();
    }
    let depot = inst
        .vehicle_types
        .first()
        .map(|v| v.start_location)
        .unwrap_or(0);
    let demand: Vec<f64> = inst
        .requests
        .iter()
        .map(|r| r.load.iter().map(|&x| x as f64).sum())
        .collect();
    let depot_dist: Vec<f64> = (0..nreq)
        .map(|r| st[r].iter().map(|&l| p.d(depot, l)).fold(0.0, f64::max))
        .collect();
    let tw_close: Vec<f64> = (0..nreq)
        .map(|r| {
            let n = if p.has_p[r] { 2 * r } else { 2 * r + 1 };
            p.node_close[n]
        })
        .collect();
    let maxd = inst.distance.iter().copied().fold(0.0, f64::max);
    let hier = inst.objective.minimise_vehicles;
    let vehicles_lb = vehicles_lower_bound(&p, &active);
    let empty: Vec<RouteState> = (0..nvt)
        .map(|v| RouteState::build(&p, v, Vec::new(), &mut sc).expect("an empty route is feasible"))
        .collect();
    let ctx = Ctx {
        penalty: inst.objective.unassigned_penalty,
        hier,
        open_penalty: if hier { 4.0 * maxd } else { 0.0 },
        active,
        neigh,
        demand,
        depot_dist,
        tw_close,
        vehicles_lb,
        empty,
        p,
        fleet_frac: FLEET_FRAC,
    };
    (ctx, excluded)
}

impl<'c, 'a> Worker<'c, 'a> {
    pub(crate) fn new(ctx: &'c Ctx<'a>, seed: u64) -> Worker<'c, 'a> {
        Worker::with_requests(ctx, seed, ctx.p.nreq)
    }

    /// A worker whose solutions are sized for `nreq` requests (0 for a
    /// worker that only evaluates single routes, see [`crate::kernels`]).
    pub(crate) fn with_requests(ctx: &'c Ctx<'a>, seed: u64, nreq: usize) -> Worker<'c, 'a> {
        let empty = Sol {
            routes: Vec::new(),
            unassigned: Vec::new(),
            route_of: vec![NONE; nreq],
            cost: 0.0,
        };
        Worker {
            ctx,
            rng: Rng::new(seed),
            sc: Scratch::default(),
            qv: Vec::new(),
            cands: Vec::new(),
            cur: empty.clone(),
            best: empty,
            iter: 0,
            t0: 1.0,
            fm: None,
            fm_done: false,
            harvest: Vec::new(),
        }
    }
}

fn search(
    ctx: &Ctx,
    excluded: Vec<(usize, UnassignedReason)>,
    cfg: &SolverConfig,
    progress: &(dyn Fn(Progress) + Sync),
    started: Instant,
) -> Solution {
    // ---- initial solution (deterministic)
    let threads = cfg.threads.max(1);
    let mut workers: Vec<Worker> = (0..threads)
        .map(|t| {
            let seed = cfg.seed.wrapping_mul(0x9E37_79B9);
            Worker::new(ctx, seed.wrapping_add(t as u64 * 7919 + 1))
        })
        .collect();
    {
        let w = &mut workers[0];
        let mut s = w.cur.clone();
        let mut todo = ctx.active.clone();
        // hardest first: demand, then earliest deadline
        todo.sort_by(|a, b| ctx.tw_close[*a].total_cmp(&ctx.tw_close[*b]));
        for r in todo {
            match w.best_insertion(&s, r, usize::MAX, false) {
                Some((ins, built)) => w.apply(&mut s, r, ins, built),
                None => {
                    s.unassigned.push(r);
                    s.cost += ctx.penalty;
                }
            }
        }
        s.recompute(ctx);
        let served = ctx.active.len() - s.unassigned.len();
        let t0 = if served > 0 {
            T0_FACTOR * s.routes.iter().map(|r| r.cost).sum::<f64>() / served as f64
        } else {
            1.0
        };
        for w in workers.iter_mut() {
            w.cur = s.clone();
            w.best = s.clone();
            w.t0 = t0.max(1e-6);
        }
    }
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
    let mut gbest = workers[0].best.clone();
    let mut pool = Pool::new(POOL_CAP);
    let mut epochs = 0u64;
    // Set partitioning gets at most a quarter of the time spent so far (and
    // never more than what is left before the deadline); without a time
    // limit, each solve gets SPP_CAP.
    let mut spp_spent = Duration::ZERO;
    let report = |g: &Sol, iters: u64| {
        progress(Progress {
            elapsed: started.elapsed(),
            best_cost: g.cost,
            vehicles: g.routes.len(),
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
            std::thread::scope(|s| {
                for w in workers.iter_mut() {
                    let stop = &stop;
                    let frac_of = &frac_of;
                    s.spawn(move || {
                        for _ in 0..EPOCH {
                            if stop(w.iter) {
                                break;
                            }
                            let f = frac_of(w.iter);
                            w.step(f);
                        }
                    });
                }
            });
            // deterministic sharing: lowest-index best wins ties
            let mut bi = 0;
            for i in 1..workers.len() {
                if better(ctx, &workers[i].best, &workers[bi].best) {
                    bi = i;
                }
            }
            if better(ctx, &workers[bi].best, &gbest) {
                gbest = workers[bi].best.clone();
            }
            // route pool and periodic set-partitioning recombination
            for w in workers.iter_mut() {
                for rt in w.best.routes.iter().chain(w.harvest.iter()) {
                    pool.add(rt);
                }
                w.harvest.clear();
            }
            epochs += 1;
            let spp_budget = match deadline {
                Some(d) => (started.elapsed() / 4)
                    .saturating_sub(spp_spent)
                    .min(d.saturating_duration_since(Instant::now())),
                None => SPP_CAP,
            };
            if epochs % SPP_EVERY == 0
                && spp_budget >= SPP_MIN
                && !stop(workers[0].iter)
                && gbest.unassigned.is_empty()
            {
                let max_routes = if ctx.hier {
                    gbest.routes.len()
                } else {
                    usize::MAX / 2
                };
                let spp_started = Instant::now();
                let incumbent: Vec<(usize, &[u32])> = gbest
                    .routes
                    .iter()
                    .map(|r| (r.vt, r.nodes.as_slice()))
                    .collect();
                let chosen = pool.solve(ctx, max_routes, spp_budget, &incumbent);
                spp_spent += spp_started.elapsed();
                let mut sc = Scratch::default();
                // every pooled route is re-checked on its vehicle type
                let routes = chosen.and_then(|chosen| {
                    chosen
                        .into_iter()
                        .map(|(vt, nodes)| RouteState::build(&ctx.p, vt, nodes, &mut sc))
                        .collect::<Result<Vec<_>, _>>()
                        .ok()
                });
                if let Some(routes) = routes {
                    let mut s = Sol {
                        routes,
                        unassigned: Vec::new(),
                        route_of: vec![NONE; ctx.p.nreq],
                        cost: 0.0,
                    };
                    s.recompute(ctx);
                    if better(ctx, &s, &gbest) {
                        gbest = s;
                    }
                }
            }
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
    to_solution(ctx, &gbest, excluded, iterations)
}

fn to_solution(
    ctx: &Ctx,
    s: &Sol,
    excluded: Vec<(usize, UnassignedReason)>,
    iterations: u64,
) -> Solution {
    let p = &ctx.p;
    let mut sc = Scratch::default();
    let nvt = p.nvt();
    let mut routes = Vec::new();
    let used = s.used(nvt);
    let mut unassigned = excluded;
    for rt in &s.routes {
        // The final, exact re-evaluation: the timetable written out is the
        // one of this check. Every route was checked when it was built, so
        // a failure here is a bug; its requests are then reported
        // unassigned rather than published on a route that breaks a rule.
        let ev = evaluate_schedule(p, rt.vt, &rt.nodes, &mut sc);
        if ev.violation.is_some() {
            let mut reqs: Vec<usize> = rt.nodes.iter().map(|&n| n as usize / 2).collect();
            reqs.sort_unstable();
            reqs.dedup();
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
            .all(|v| used[v] >= p.inst.vehicle_types[v].count);
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
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{CapacityRule, ObjectiveWeights, Request, Stop, VehicleType};

    /// Depot at the origin, requests 0 and 1 near x = 10, 2 and 3 near
    /// x = -10 (delivery-only, like Solomon customers).
    pub(crate) fn two_clusters(types: Vec<(usize, f64)>) -> Instance {
        let coords = [
            (0.0, 0.0),
            (10.0, 0.0),
            (11.0, 0.0),
            (-10.0, 0.0),
            (-11.0, 0.0),
        ];
        let m = Instance::euclidean_matrices(&coords);
        let req = |loc: usize| Request {
            pickup: None,
            delivery: Some(Stop {
                location: loc,
                tw_open: 0.0,
                tw_close: 1000.0,
                service: 0.0,
            }),
            load: vec![1],
            max_ride: None,
            required_features: 0,
            travel_alone: false,
            conflicts: vec![],
            ride_time_weight: None,
        };
        Instance {
            n_locations: 5,
            duration: m.clone(),
            distance: m,
            requests: (1..5).map(req).collect(),
            vehicle_types: types
                .into_iter()
                .map(|(count, fixed_cost)| VehicleType {
                    count,
                    start_location: 0,
                    end_location: 0,
                    capacity: vec![CapacityRule {
                        coef: vec![1],
                        limit: 2,
                    }],
                    features: 0,
                    fixed_cost,
                    cost_per_distance: 1.0,
                    cost_per_duration: 0.0,
                    shift_open: 0.0,
                    shift_close: 1000.0,
                    max_duration: None,
                })
                .collect(),
            objective: ObjectiveWeights::default(),
        }
    }

    fn sol_of(ctx: &Ctx, routes: &[(usize, Vec<u32>)]) -> Sol {
        let mut sc = Scratch::default();
        let mut s = Sol {
            routes: routes
                .iter()
                .map(|(vt, n)| RouteState::build(&ctx.p, *vt, n.clone(), &mut sc).unwrap())
                .collect(),
            unassigned: Vec::new(),
            route_of: vec![NONE; ctx.p.nreq],
            cost: 0.0,
        };
        s.recompute(ctx);
        s
    }

    fn assert_consistent(ctx: &Ctx, s: &Sol) {
        let mut sc = Scratch::default();
        let mut total = 0.0;
        for (ri, rt) in s.routes.iter().enumerate() {
            let ev = evaluate(&ctx.p, rt.vt, &rt.nodes, &mut sc);
            assert!(ev.violation.is_none(), "{:?}", ev.violation);
            assert!((ev.cost - rt.cost).abs() < 1e-9);
            total += ev.cost;
            for &n in &rt.nodes {
                assert_eq!(s.route_of[n as usize / 2], ri as u32);
            }
        }
        assert!((total - s.cost).abs() < 1e-9);
    }

    #[test]
    fn local_search_uncrosses_routes() {
        let inst = two_clusters(vec![(2, 100.0)]);
        let (ctx, _) = build_ctx(&inst);
        let mut w = Worker::new(&ctx, 1);
        // each route serves one customer of each cluster: 2 * (100 + 42)
        let mut s = sol_of(&ctx, &[(0, vec![1, 5]), (0, vec![3, 7])]);
        assert!((s.cost - 284.0).abs() < 1e-9);
        w.local_search(&mut s, LS_ROUNDS);
        assert_consistent(&ctx, &s);
        // one route per cluster: 2 * (100 + 22)
        assert!((s.cost - 244.0).abs() < 1e-9, "{}", s.cost);
    }

    #[test]
    fn local_search_moves_a_route_to_a_cheaper_vehicle_type() {
        let inst = two_clusters(vec![(2, 100.0), (1, 60.0)]);
        let (ctx, _) = build_ctx(&inst);
        let mut w = Worker::new(&ctx, 1);
        let mut s = sol_of(&ctx, &[(0, vec![1, 3]), (0, vec![5, 7])]);
        w.local_search(&mut s, LS_ROUNDS);
        assert_consistent(&ctx, &s);
        // only one vehicle of the cheap type exists
        let used = s.used(2);
        assert_eq!(used, vec![1, 1]);
        assert!((s.cost - (100.0 + 60.0 + 44.0)).abs() < 1e-9, "{}", s.cost);
    }

    #[test]
    fn vehicle_bound_takes_the_largest_vehicles_first() {
        // four customers of demand 1; one vehicle of capacity 2 (limit set
        // below) and plenty of capacity 1
        let mut inst = two_clusters(vec![(1, 100.0), (5, 100.0)]);
        inst.vehicle_types[1].capacity[0].limit = 1;
        let (ctx, _) = build_ctx(&inst);
        let all: Vec<usize> = (0..4).collect();
        assert_eq!(vehicles_lower_bound(&ctx.p, &all), 3);
        // a single type: ceil(4 / 2)
        let inst = two_clusters(vec![(4, 100.0)]);
        let (ctx, _) = build_ctx(&inst);
        assert_eq!(vehicles_lower_bound(&ctx.p, &all), 2);
        assert_eq!(vehicles_lower_bound(&ctx.p, &[]), 0);
    }

    #[test]
    fn vehicle_bound_ignores_pairs_that_reuse_capacity() {
        let mut inst = two_clusters(vec![(4, 100.0)]);
        for (k, r) in inst.requests.iter_mut().enumerate() {
            r.pickup = Some(Stop {
                location: k + 1,
                tw_open: 0.0,
                tw_close: 1000.0,
                service: 0.0,
            });
            r.delivery.as_mut().unwrap().location = 0;
            r.load = vec![2];
        }
        let (ctx, _) = build_ctx(&inst);
        // one vehicle of capacity 2 can serve the four pairs one by one
        assert_eq!(vehicles_lower_bound(&ctx.p, &[0, 1, 2, 3]), 1);
    }

    #[test]
    fn cuts_never_split_a_pickup_delivery_pair() {
        let mut inst = two_clusters(vec![(2, 100.0)]);
        // request 0 becomes a pickup at location 1 and delivery at 2
        inst.requests[0].pickup = Some(Stop {
            location: 1,
            tw_open: 0.0,
            tw_close: 1000.0,
            service: 0.0,
        });
        inst.requests[0].delivery.as_mut().unwrap().location = 2;
        let (ctx, _) = build_ctx(&inst);
        // nodes: pickup 0, delivery 1 of request 0, then request 1's delivery
        let nodes = [0u32, 1, 3];
        assert!(closed_cut(&ctx.p, &nodes, 0));
        assert!(!closed_cut(&ctx.p, &nodes, 1));
        assert!(closed_cut(&ctx.p, &nodes, 2));
        assert!(closed_cut(&ctx.p, &nodes, 3));
    }
}
