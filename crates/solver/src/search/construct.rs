//! First solutions: cheapest insertion, and the *greedy* baseline that
//! coordinators' rules of thumb follow (per destination, the farthest
//! passenger first, then the nearest compatible neighbours while the run
//! stays feasible). The search starts from the better of the two, so it
//! never starts worse than the greedy.

use super::route::RouteState;
use super::solution::Sol;
use super::worker::{better, Worker};
use crate::eval::Prep;
use std::collections::HashMap;

/// Candidates tried, nearest first, before a greedy run is closed.
const GREEDY_TRIES: usize = 8;

impl<'c, 'a> Worker<'c, 'a> {
    /// Cheapest insertion of every active request, hardest (earliest
    /// deadline) first.
    pub(crate) fn insertion_solution(&mut self) -> Sol {
        let ctx = self.ctx;
        let mut s = ctx.new_sol();
        let mut todo = ctx.active.clone();
        todo.sort_by(|a, b| ctx.tw_close[*a].total_cmp(&ctx.tw_close[*b]));
        for r in todo {
            match self.best_insertion(&s, r, usize::MAX, false) {
                Some((ins, built)) => self.apply(&mut s, ins, built),
                None => s.add_unassigned(r),
            }
        }
        s.refresh_cost();
        s.forget_changes();
        s
    }

    /// The greedy baseline: requests are grouped by their shared end (the
    /// school: the delivery in the morning, the pickup in the afternoon);
    /// in each group a run starts with the request whose other end is
    /// farthest away, on the available vehicle type with the fewest special
    /// features and then the most room,
    /// and takes the nearest remaining requests of the group (each at its
    /// cheapest feasible position) until none of the [`GREEDY_TRIES`]
    /// nearest fits. A request for which no vehicle is left goes into the
    /// cheapest place on any run. `None` when no request has a shared end.
    pub(crate) fn greedy_solution(&mut self) -> Option<Sol> {
        let ctx = self.ctx;
        let p = &ctx.p;
        let groups = groups(p, &ctx.active)?;
        let mut s = ctx.new_sol();
        let mut leftover = Vec::new();
        for (anchor, mut members) in groups {
            // (distance from the anchor to the far end, request)
            members.sort_by(|a, b| {
                far(p, *b, anchor)
                    .total_cmp(&far(p, *a, anchor))
                    .then(a.cmp(b))
            });
            let mut left: Vec<usize> = members;
            while !left.is_empty() {
                let seed = left.remove(0);
                let Some(slot) = self.greedy_open(&mut s, seed) else {
                    leftover.push(seed);
                    continue;
                };
                let mut last = seed;
                loop {
                    // the nearest remaining requests to the last one taken
                    let from = other_end(p, last, anchor);
                    let mut near: Vec<(f64, usize)> = left
                        .iter()
                        .enumerate()
                        .map(|(k, &r)| (p.d(from, other_end(p, r, anchor)), k))
                        .collect();
                    let take = GREEDY_TRIES.min(near.len());
                    if take == 0 {
                        break;
                    }
                    near.select_nth_unstable_by(take - 1, |a, b| a.0.total_cmp(&b.0));
                    near.truncate(take);
                    near.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                    let mut added = None;
                    for &(_, k) in &near {
                        let r = left[k];
                        if let Some(st) = self.insert_into(&s.routes[slot], r) {
                            s.set_route(slot, st);
                            added = Some(k);
                            break;
                        }
                    }
                    match added {
                        Some(k) => last = left.remove(k),
                        None => break,
                    }
                }
            }
        }
        // requests with one end only (none in SEN problems), and those no
        // vehicle was left for, by cheapest insertion into any run
        leftover.extend(
            ctx.active
                .iter()
                .copied()
                .filter(|&r| !(p.has_p[r] && p.has_d[r])),
        );
        for r in leftover {
            match self.best_insertion(&s, r, usize::MAX, false) {
                Some((ins, built)) => self.apply(&mut s, ins, built),
                None => s.add_unassigned(r),
            }
        }
        s.refresh_cost();
        s.forget_changes();
        Some(s)
    }

    /// Opens a greedy run for `r` on an available compatible vehicle type
    /// (fewest special features, then most room, then cheapest); its slot.
    fn greedy_open(&mut self, s: &mut Sol, r: usize) -> Option<usize> {
        let ctx = self.ctx;
        let p = &ctx.p;
        let nvt = p.nvt();
        let mut types: Vec<usize> = (0..nvt)
            .filter(|&v| p.compat[r * nvt + v] && s.used[v] < self.vt_cap[v])
            .collect();
        // vehicles with fewer special features first (a wheelchair
        // accessible vehicle is kept for those who need one), then the most
        // room, then the cheaper
        let vts = &p.inst.vehicle_types;
        let room = |v: usize| p.limits[v].iter().copied().max().unwrap_or(0);
        types.sort_by(|&a, &b| {
            vts[a]
                .features
                .count_ones()
                .cmp(&vts[b].features.count_ones())
                .then(room(b).cmp(&room(a)))
                .then(vts[a].fixed_cost.total_cmp(&vts[b].fixed_cost))
        });
        for v in types {
            if let Some(st) = self.insert_into(&ctx.empty[v], r) {
                let slot = s.free_slot()?;
                s.set_route(slot, st);
                return Some(slot);
            }
        }
        None
    }

    /// `rt` with `r` at its cheapest feasible position, built.
    fn insert_into(&mut self, rt: &RouteState, r: usize) -> Option<RouteState> {
        let (_, i, j) = self.best_position_in(rt, r)?;
        let nodes = self.new_nodes(r, rt, i, j);
        RouteState::build(&self.ctx.p, rt.vt, nodes, &mut self.sc).ok()
    }

    /// The fixed routes (in slots `0..n_fixed`) and the initial routes,
    /// completed by cheapest insertion.
    fn seeded_solution(&mut self) -> Sol {
        let ctx = self.ctx;
        let mut s = ctx.new_sol();
        for st in ctx.fixed.iter().chain(&ctx.initial) {
            let slot = s.free_slot().expect("a new solution grows");
            s.set_route(slot, st.clone());
        }
        let mut todo: Vec<usize> = ctx
            .active
            .iter()
            .copied()
            .filter(|&r| s.route_of[r] == super::NONE)
            .collect();
        todo.sort_by(|a, b| ctx.tw_close[*a].total_cmp(&ctx.tw_close[*b]));
        for r in todo {
            match self.best_insertion(&s, r, usize::MAX, false) {
                Some((ins, built)) => self.apply(&mut s, ins, built),
                None => s.add_unassigned(r),
            }
        }
        s.refresh_cost();
        s.forget_changes();
        s
    }

    /// The first solution of the search: the better of cheapest insertion
    /// and the greedy baseline, with the greedy's cost; with fixed or
    /// initial routes, those completed by cheapest insertion.
    pub(crate) fn first_solution(&mut self) -> (Sol, Option<(f64, usize)>) {
        if !self.ctx.fixed.is_empty() || !self.ctx.initial.is_empty() {
            return (self.seeded_solution(), None);
        }
        let ins = self.insertion_solution();
        match self.greedy_solution() {
            Some(g) => {
                let greedy = (g.cost, g.unassigned.len());
                if better(self.ctx, &g, &ins) {
                    (g, Some(greedy))
                } else {
                    (ins, Some(greedy))
                }
            }
            None => (ins, None),
        }
    }
}

/// The end of pickup–delivery request `r` that is not `anchor` (the home).
fn other_end(p: &Prep, r: usize, anchor: usize) -> usize {
    let (a, b) = (p.node_loc[2 * r], p.node_loc[2 * r + 1]);
    if a == anchor {
        b
    } else {
        a
    }
}

/// Distance between the anchor and the far end of `r`.
fn far(p: &Prep, r: usize, anchor: usize) -> f64 {
    let other = other_end(p, r, anchor);
    p.d(anchor, other).max(p.d(other, anchor))
}

/// Requests grouped by their shared end: for each pickup–delivery request,
/// whichever of its two locations more requests share (the school). `None`
/// when no request has both ends (nothing to share).
fn groups(p: &Prep, active: &[usize]) -> Option<Vec<(usize, Vec<usize>)>> {
    let mut count: HashMap<usize, usize> = HashMap::new();
    for &r in active {
        if p.has_p[r] && p.has_d[r] {
            *count.entry(p.node_loc[2 * r]).or_default() += 1;
            *count.entry(p.node_loc[2 * r + 1]).or_default() += 1;
        }
    }
    if count.is_empty() {
        return None;
    }
    let mut by_anchor: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut order: Vec<usize> = Vec::new();
    for &r in active {
        if !(p.has_p[r] && p.has_d[r]) {
            continue;
        }
        let (a, b) = (p.node_loc[2 * r], p.node_loc[2 * r + 1]);
        let anchor = if count[&b] >= count[&a] { b } else { a };
        let e = by_anchor.entry(anchor).or_insert_with(|| {
            order.push(anchor);
            Vec::new()
        });
        e.push(r);
    }
    Some(
        order
            .into_iter()
            .map(|a| {
                let m = by_anchor.remove(&a).unwrap_or_default();
                (a, m)
            })
            .collect(),
    )
}
