//! The read-only search context shared by all workers: the prepared
//! instance, the requests the search may place, each request's granular
//! neighbourhood and sort keys.

use super::route::RouteState;
use super::solution::{Anchors, Sol, NO_ANCHOR};
use crate::eval::node_of;
use crate::eval::{evaluate, Prep, Scratch, INF};
use crate::{FixedRoute, Instance, UnassignedReason, Violation};

/// Read-only search context shared by all workers.
pub(crate) struct Ctx<'a> {
    pub p: Prep<'a>,
    pub penalty: f64,
    pub hier: bool,
    /// Extra cost used when deciding to open a route (hierarchical mode).
    pub open_penalty: f64,
    /// Requests the search may insert.
    pub active: Vec<usize>,
    /// Related requests per request, nearest first ([`NEIGHBOURS`] at most).
    pub neigh: Vec<Vec<u32>>,
    pub demand: Vec<f64>,
    pub depot_dist: Vec<f64>,
    pub tw_close: Vec<f64>,
    pub vehicles_lb: usize,
    /// An empty route of each vehicle type.
    pub empty: Vec<RouteState>,
    pub fleet_frac: f64,
    /// Shared place (anchor) of each node, for the routes-at index.
    pub anchor: Anchors,
    pub n_anchors: usize,
    /// The fixed routes kept; they occupy slots `0..n_fixed` of every
    /// solution and are never changed.
    pub fixed: Vec<RouteState>,
    pub n_fixed: usize,
    /// Fixed routes not kept, with the rule each breaks.
    pub fixed_rejected: Vec<(usize, Violation)>,
    /// Feasible initial routes (a start for the search).
    pub initial: Vec<RouteState>,
}

impl Ctx<'_> {
    /// An empty solution of this problem.
    pub(crate) fn new_sol(&self) -> Sol {
        Sol::new(
            self.p.nreq,
            self.p.nvt(),
            self.penalty,
            self.anchor.clone(),
            self.n_anchors,
        )
    }
}

/// Numbers the places that stops of two or more active requests share
/// (schools); `None` when there are none.
fn anchors(p: &Prep, active: &[usize]) -> (Anchors, usize) {
    let mut uses: std::collections::HashMap<usize, u32> = Default::default();
    for &r in active {
        for n in [2 * r, 2 * r + 1] {
            let has = if n % 2 == 0 { p.has_p[r] } else { p.has_d[r] };
            if has {
                *uses.entry(p.node_loc[n]).or_default() += 1;
            }
        }
    }
    let mut id: std::collections::HashMap<usize, u32> = Default::default();
    let mut shared: Vec<usize> = uses
        .into_iter()
        .filter(|&(_, k)| k >= 2)
        .map(|(l, _)| l)
        .collect();
    if shared.is_empty() {
        return (Anchors::default(), 0);
    }
    shared.sort_unstable();
    for (k, &l) in shared.iter().enumerate() {
        id.insert(l, k as u32);
    }
    let mut anchor = vec![NO_ANCHOR; 2 * p.nreq];
    for &r in active {
        for n in [2 * r, 2 * r + 1] {
            if let Some(&a) = id.get(&p.node_loc[n]) {
                anchor[n] = a;
            }
        }
    }
    (std::sync::Arc::new(anchor), shared.len())
}

/// Neighbours kept per request.
pub(crate) const NEIGHBOURS: usize = 60;

pub(crate) fn build_ctx(inst: &Instance) -> (Ctx<'_>, Vec<(usize, UnassignedReason)>) {
    build_ctx_on(inst, 1)
}

/// [`build_ctx`] computing the neighbourhoods on `threads` threads.
pub(crate) fn build_ctx_on(
    inst: &Instance,
    threads: usize,
) -> (Ctx<'_>, Vec<(usize, UnassignedReason)>) {
    let p = Prep::new(inst);
    let nreq = p.nreq;
    let nvt = p.nvt();
    let mut sc = Scratch::default();
    // ---- fixed routes: kept as given when they pass the exact check
    let mut placed = vec![false; nreq];
    let mut used = vec![0usize; nvt];
    let (fixed, fixed_rejected) =
        given_routes(&p, &inst.fixed_routes, &mut placed, &mut used, &mut sc);
    // ---- classify requests that can never be served
    let mut excluded: Vec<(usize, UnassignedReason)> = Vec::new();
    let mut active = Vec::new();
    for r in 0..nreq {
        if placed[r] {
            continue;
        }
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
    let neigh = neighbours(&p, &active, &st, threads);
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
    let hier = inst.objective.minimise_vehicles;
    // (a scan of the whole matrix, only for the benchmarks' objective)
    let maxd = if hier {
        inst.matrix.max_distance()
    } else {
        0.0
    };
    let vehicles_lb = vehicles_lower_bound(&p, &active);
    let empty: Vec<RouteState> = (0..nvt)
        .map(|v| RouteState::build(&p, v, Vec::new(), &mut sc).expect("an empty route is feasible"))
        .collect();
    let (anchor, n_anchors) = anchors(&p, &active);
    // ---- initial routes: a start for the search, over active requests only
    let mut not_active = vec![true; nreq];
    for &r in &active {
        not_active[r] = false;
    }
    let (initial, _) = given_routes(
        &p,
        &inst.initial_routes,
        &mut not_active,
        &mut used,
        &mut sc,
    );
    let ctx = Ctx {
        n_fixed: fixed.len(),
        fixed,
        fixed_rejected,
        initial,
        anchor,
        n_anchors,
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
        fleet_frac: super::FLEET_FRAC,
    };
    (ctx, excluded)
}

/// Builds the given routes that pass the exact check and use no request
/// marked in `taken` (marking theirs), within the fleet; the others are
/// returned with the rule they break ([`Violation::Precedence`] for unknown
/// or repeated requests, [`Violation::FleetSize`] beyond the fleet, counting
/// the vehicles in `used`).
fn given_routes(
    p: &Prep,
    routes: &[FixedRoute],
    taken: &mut [bool],
    used: &mut [usize],
    sc: &mut Scratch,
) -> (Vec<RouteState>, Vec<(usize, Violation)>) {
    let nvt = p.nvt();
    let (mut kept, mut rejected) = (Vec::new(), Vec::new());
    for (k, f) in routes.iter().enumerate() {
        let mut reqs: Vec<usize> = f.visits.iter().map(|v| v.request).collect();
        reqs.sort_unstable();
        reqs.dedup();
        if f.vehicle_type >= nvt
            || f.visits.is_empty()
            || reqs.iter().any(|&r| r >= p.nreq || taken[r])
        {
            rejected.push((k, Violation::Precedence));
            continue;
        }
        if used[f.vehicle_type] >= p.inst.vehicle_types[f.vehicle_type].count {
            rejected.push((k, Violation::FleetSize));
            continue;
        }
        let nodes: Vec<u32> = f
            .visits
            .iter()
            .map(|v| node_of(v.request, v.kind))
            .collect();
        match RouteState::build(p, f.vehicle_type, nodes, sc) {
            Ok(st) => {
                for &r in &reqs {
                    taken[r] = true;
                }
                used[f.vehicle_type] += 1;
                kept.push(st);
            }
            Err(v) => rejected.push((k, v)),
        }
    }
    (kept, rejected)
}

/// How related request `b` is to request `a` (smaller is closer), for
/// granular neighbourhoods and string removals: for two pickup–delivery
/// requests the distance between their pickups plus the distance between
/// their deliveries (Shaw relatedness: pupils of one school living close
/// together), otherwise the shortest distance from a stop of `a` to a stop
/// of `b`.
fn relatedness(p: &Prep, st: &[Vec<usize>], a: usize, b: usize) -> f64 {
    if p.has_p[a] && p.has_d[a] && p.has_p[b] && p.has_d[b] {
        return p.d(p.node_loc[2 * a], p.node_loc[2 * b])
            + p.d(p.node_loc[2 * a + 1], p.node_loc[2 * b + 1]);
    }
    let mut best = INF;
    for &x in &st[a] {
        for &y in &st[b] {
            best = best.min(p.d(x, y));
        }
    }
    best
}

/// The [`NEIGHBOURS`] most related active requests of each active request,
/// nearest first (ties by index). Quadratic in the number of requests but
/// with a linear selection per request (no full sort), split over
/// `threads`.
fn neighbours(p: &Prep, active: &[usize], st: &[Vec<usize>], threads: usize) -> Vec<Vec<u32>> {
    let kn = NEIGHBOURS.min(active.len().saturating_sub(1));
    let mut neigh = vec![Vec::new(); p.nreq];
    if kn == 0 {
        return neigh;
    }
    let one = |a: usize, buf: &mut Vec<(f64, u32)>| -> Vec<u32> {
        buf.clear();
        buf.extend(
            active
                .iter()
                .filter(|&&b| b != a)
                .map(|&b| (relatedness(p, st, a, b), b as u32)),
        );
        let cmp = |x: &(f64, u32), y: &(f64, u32)| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1));
        if buf.len() > kn {
            buf.select_nth_unstable_by(kn - 1, cmp);
            buf.truncate(kn);
        }
        buf.sort_unstable_by(cmp);
        buf.iter().map(|x| x.1).collect()
    };
    let threads = threads.clamp(1, 16).min(active.len().div_ceil(256).max(1));
    let chunk = active.len().div_ceil(threads);
    let lists: Vec<Vec<(usize, Vec<u32>)>> = std::thread::scope(|s| {
        let handles: Vec<_> = active
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    let mut buf = Vec::new();
                    part.iter().map(|&a| (a, one(a, &mut buf))).collect()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("neighbourhood thread"))
            .collect()
    });
    for (a, l) in lists.into_iter().flatten() {
        neigh[a] = l;
    }
    neigh
}

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
