//! Pair exchange: a request and a neighbour on another route swap routes,
//! each going to its cheapest position in the other route.

use super::super::route::RouteState;
use super::super::solution::Sol;
use super::super::worker::Worker;
use super::super::{LS_NEIGH, NONE};
use super::LS_EPS;
use crate::rules;

impl<'c, 'a> Worker<'c, 'a> {
    /// Applies the first improving exchange of `r`; returns the two changed
    /// slots.
    pub(crate) fn try_exchange(&mut self, sol: &mut Sol, r: usize) -> Option<(usize, usize)> {
        let ctx = self.ctx;
        let p = &ctx.p;
        let a = sol.route_of[r];
        let holds_only =
            |ri: usize, x: usize| sol.routes[ri].nodes.iter().all(|&n| n as usize / 2 == x);
        if a == NONE || holds_only(a as usize, r) || !self.may_change(a as usize) {
            return None;
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
            if !self.may_change(b) {
                continue;
            }
            // r joins route b as c leaves it, and c joins route a as r leaves
            let route_of = &sol.route_of;
            let on = |route: usize| move |y: usize| route_of[y] == route as u32;
            if !rules::admits(p, r, &sol.routes[b], Some(c), on(b))
                || !rules::admits(p, c, &sol.routes[a], Some(r), on(a))
            {
                continue;
            }
            let am = match a_minus.take() {
                Some(am) => am,
                None => {
                    let nodes = self.without(&sol.routes[a], r);
                    // taking r out breaks route a (non-metric times): no
                    // exchange of r is possible
                    RouteState::build(p, sol.routes[a].vt, nodes, &mut self.sc).ok()?
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
                if base - old > -LS_EPS {
                    return None; // inserting r never has a negative cost
                }
                let (dr, ir, jr) = self.best_position_in(&bm, r)?;
                (base + dr - old < -LS_EPS).then_some((ic, jc, ir, jr))
            });
            if let Some((ic, jc, ir, jr)) = found {
                let na = self.new_nodes(c, &am, ic, jc);
                let nb = self.new_nodes(r, &bm, ir, jr);
                if let (Ok(new_a), Ok(new_b)) = (
                    RouteState::build(p, am.vt, na, &mut self.sc),
                    RouteState::build(p, bm.vt, nb, &mut self.sc),
                ) {
                    sol.set_route(a, new_a);
                    sol.set_route(b, new_b);
                    return Some((a, b));
                }
            }
            a_minus = Some(am);
        }
        None
    }
}
