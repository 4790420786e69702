//! Insertion of a request into routes: the cached scan of every position
//! pair (exact for windows, capacity and travel-alone; a relaxation for
//! ride and duty limits, which exact evaluation then decides), and the
//! cheapest insertion over the routes near the request (granular: the
//! routes serving its nearest neighbours, or every route of a small
//! solution) and a new vehicle of each available type.

use super::route::RouteState;
use super::solution::Sol;
use super::worker::Worker;
use super::{ANCHOR_ROUTES, BLINK, FULL_SCAN_ROUTES, INSERTION_NEIGHBOURS, NONE};
use crate::eval::evaluate;
use crate::rng::Rng;
use crate::rules;

/// An insertion: positions `i` (pickup) and `j` (delivery) of
/// [`Worker::new_nodes`] in the route in slot `route`, or in a new route of
/// vehicle type `vt` when `route == usize::MAX - vt`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ins {
    pub route: usize,
    pub i: usize,
    pub j: usize,
    pub delta: f64,
}

impl<'c, 'a> Worker<'c, 'a> {
    /// Best insertion of request `r` into `rt` (route index `ri`), updating
    /// `best`. With `collect`, relaxed-feasible candidates are collected in
    /// `self.cands` instead.
    pub(crate) fn scan_route(
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
        let extra = p.type_pen[r * p.nvt() + vt]
            + if m == 0 {
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
                // (legs of the route itself are cached in its positions; the
                // lookups from and to the new stops are made once each)
                let max_ride = p.max_ride[r];
                let t_pd = p.t(pl, dlc);
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
                    let t_ip = p.t(li, pl);
                    let a = rt.pos[i].early + rt.pos[i].serv + t_ip;
                    let tp = if a > po { a } else { po };
                    if tp > pc {
                        break; // later positions arrive later (triangle inequality)
                    }
                    let dep_p = tp + ps;
                    let ln = rt.pos[i + 1].loc;
                    let (t_in, d_in) = (rt.pos[i].t_next, rt.pos[i].d_next);
                    let d_ip = p.d(li, pl);
                    // delivery right after the pickup
                    {
                        let a = dep_p + t_pd;
                        let td = if a > d_o { a } else { d_o };
                        if td <= d_c {
                            let t_dn = p.t(dlc, ln);
                            let a2 = td + d_s + t_dn;
                            let tn = if a2 > rt.pos[i + 1].early {
                                a2
                            } else {
                                rt.pos[i + 1].early
                            };
                            let ok = tn <= rt.pos[i + 1].late
                                && (!complex || {
                                    let det = t_ip + ps + t_pd + d_s + t_dn - t_in;
                                    det <= rt.pos[i].ride_slack + 1e-9 && det <= rt.dur_slack + 1e-9
                                });
                            if ok {
                                let delta = d_ip + p.d(pl, dlc) + p.d(dlc, ln) - d_in;
                                consider(delta, i, i, rng, cands);
                            }
                        }
                    }
                    if alone_r {
                        continue;
                    }
                    let t_pn = p.t(pl, ln);
                    let dp = d_ip + p.d(pl, ln) - d_in;
                    let dpt = if complex {
                        t_ip + ps + t_pn - t_in
                    } else {
                        0.0
                    };
                    if dpt > rt.pos[i].ride_slack + 1e-9 || dpt > rt.dur_slack + 1e-9 {
                        continue;
                    }
                    let mut prev_dep = dep_p;
                    // travel from the previous stop: the new pickup first,
                    // then the route's own legs
                    let mut leg = t_pn;
                    // ride time lower bound (travel and service, no waiting)
                    let mut nowait = 0.0;
                    for j in i + 1..=m {
                        if !rt.fits(j, q, lim) || rt.pos[j].alone {
                            break;
                        }
                        let lj = rt.pos[j].loc;
                        let a = prev_dep + leg;
                        let tj = if a > rt.pos[j].early {
                            a
                        } else {
                            rt.pos[j].early
                        };
                        if tj > rt.pos[j].late {
                            break;
                        }
                        nowait += leg + rt.pos[j].serv;
                        leg = rt.pos[j].t_next;
                        let t_jd = p.t(lj, dlc);
                        if nowait + t_jd > max_ride && nowait > max_ride {
                            break;
                        }
                        prev_dep = tj + rt.pos[j].serv;
                        if nowait + t_jd > max_ride {
                            continue;
                        }
                        let a = prev_dep + t_jd;
                        let td = if a > d_o { a } else { d_o };
                        if td > d_c {
                            break;
                        }
                        let ln = rt.pos[j + 1].loc;
                        let t_dn = p.t(dlc, ln);
                        let a2 = td + d_s + t_dn;
                        let tn = if a2 > rt.pos[j + 1].early {
                            a2
                        } else {
                            rt.pos[j + 1].early
                        };
                        if tn > rt.pos[j + 1].late {
                            continue;
                        }
                        if complex {
                            let ddt = t_jd + d_s + t_dn - rt.pos[j].t_next;
                            if ddt > rt.pos[j].ride_slack + 1e-9 || dpt + ddt > rt.dur_slack + 1e-9
                            {
                                continue;
                            }
                        }
                        let delta = dp + p.d(lj, dlc) + p.d(dlc, ln) - rt.pos[j].d_next;
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
                    let delta = p.d(lj, dlc) + p.d(dlc, ln) - rt.pos[j].d_next;
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
                    let delta = p.d(li, pl) + p.d(pl, ln) - rt.pos[i].d_next;
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
    pub(crate) fn best_position_in(
        &mut self,
        rt: &RouteState,
        r: usize,
    ) -> Option<(f64, usize, usize)> {
        let p = &self.ctx.p;
        if !rules::features::admits(p, r, rt.vt) || !rules::groups::admits(p, &rt.groups, rt.vt, r)
        {
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
    pub(crate) fn route_cost(&mut self, vt: usize, nodes: &[u32]) -> Option<f64> {
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
    pub(crate) fn removal_cost(&mut self, vt: usize, nodes: Vec<u32>) -> f64 {
        if nodes.is_empty() {
            0.0
        } else {
            evaluate(&self.ctx.p, vt, &nodes, &mut self.sc).cost
        }
    }

    pub(crate) fn new_nodes(&self, r: usize, rt: &RouteState, i: usize, j: usize) -> Vec<u32> {
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

    /// Finds the cheapest feasible insertion of `r` into `sol` (the routes
    /// near `r`, plus one empty route per available vehicle type if the
    /// route count is below `cap`), with the changed route already built
    /// (and so exactly checked).
    pub(crate) fn best_insertion(
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
    pub(crate) fn target<'s>(&self, sol: &'s Sol, route: usize) -> &'s RouteState
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

    /// Fills `self.slots` with the slots worth trying for `r`: every route
    /// this worker may change when the solution has few routes, otherwise
    /// the routes serving the nearest neighbours of `r` (each once).
    pub(crate) fn candidate_slots(&mut self, sol: &Sol, r: usize) {
        self.slots.clear();
        if sol.n_used <= FULL_SCAN_ROUTES {
            for (s, _) in sol.iter_routes() {
                if self.may_change(s) {
                    self.slots.push(s as u32);
                }
            }
            return;
        }
        self.stamp = self.stamp.wrapping_add(1);
        if self.seen.len() < sol.routes.len() {
            self.seen.resize(sol.routes.len(), 0);
        }
        // the routes changed in this iteration (those the ruin took
        // requests from, whose neighbours are often removed too) ...
        for s in sol.touched() {
            if !sol.routes[s].is_empty() && self.seen[s] != self.stamp && self.may_change(s) {
                self.seen[s] = self.stamp;
                self.slots.push(s as u32);
            }
        }
        // ... the routes calling at the request's shared places (its
        // school) ...
        let p = &self.ctx.p;
        let k = ANCHOR_ROUTES;
        for n in [2 * r, 2 * r + 1] {
            let at = sol.routes_at(n);
            if at.len() <= k {
                for &s in at {
                    if self.seen[s as usize] != self.stamp && self.may_change(s as usize) {
                        self.seen[s as usize] = self.stamp;
                        self.slots.push(s);
                    }
                }
                continue;
            }
            // a large school: the routes calling there whose stops come
            // nearest the request's other end (its home)
            let other = p.node_loc[n ^ 1];
            let mut near: Vec<(f64, u32)> = at
                .iter()
                .filter(|&&s| self.seen[s as usize] != self.stamp && self.may_change(s as usize))
                .map(|&s| {
                    // a sample of at most four stops per route; from the
                    // home, so the lookups stay in one matrix row
                    let nodes = &sol.routes[s as usize].nodes;
                    let step = (nodes.len() / 4).max(1);
                    let d = nodes
                        .iter()
                        .step_by(step)
                        .map(|&m| p.t(other, p.node_loc[m as usize]))
                        .fold(f64::INFINITY, f64::min);
                    (d, s)
                })
                .collect();
            if near.len() > k {
                near.select_nth_unstable_by(k - 1, |a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                near.truncate(k);
            }
            for (_, s) in near {
                self.seen[s as usize] = self.stamp;
                self.slots.push(s);
            }
        }
        // ... and the routes of the nearest neighbours
        for &c in self.ctx.neigh[r].iter().take(INSERTION_NEIGHBOURS) {
            let s = sol.route_of[c as usize];
            if s == NONE || self.seen[s as usize] == self.stamp || !self.may_change(s as usize) {
                continue;
            }
            self.seen[s as usize] = self.stamp;
            self.slots.push(s);
        }
    }

    /// Scans the candidate routes of `r` (and an empty route of each
    /// vehicle type still available) for insertions. With `collect`, every
    /// candidate passing the cached pre-filters goes to `self.cands` for
    /// exact evaluation; otherwise the cheapest is returned.
    pub(crate) fn scan_routes(
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
        self.candidate_slots(sol, r);
        let slots = std::mem::take(&mut self.slots);
        for &s in &slots {
            let s = s as usize;
            let rt = &sol.routes[s];
            if !rules::admits(p, r, rt, None, |c| sol.route_of[c] == s as u32) {
                continue;
            }
            self.scan_route(r, s, rt, &mut best, blink, collect);
        }
        self.slots = slots;
        if sol.n_used < cap && sol.can_open() {
            for vt in 0..nvt {
                if sol.used[vt] < self.vt_cap[vt] && rules::features::admits(p, r, vt) {
                    let e = &ctx.empty[vt];
                    self.scan_route(r, usize::MAX - vt, e, &mut best, false, collect);
                }
            }
        }
        best
    }

    /// Exact evaluation of the most promising candidates in `self.cands`;
    /// the cheapest feasible one (with blinks) is built and returned.
    pub(crate) fn best_candidate(
        &mut self,
        sol: &Sol,
        r: usize,
        blink: bool,
    ) -> Option<(Ins, RouteState)> {
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

    /// Puts the built route of insertion `ins` of `r` into `sol` (a free
    /// slot for a new vehicle).
    pub(crate) fn apply(&mut self, sol: &mut Sol, ins: Ins, st: RouteState) {
        let nvt = self.ctx.p.nvt();
        let slot = if ins.route >= usize::MAX - nvt {
            self.new_slot(sol)
        } else {
            ins.route
        };
        sol.set_route(slot, st);
    }
}
