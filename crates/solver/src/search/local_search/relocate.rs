//! Pair relocate: a request (both its stops) moves to its cheapest position
//! in the route of one of its neighbours.

use super::super::route::RouteState;
use super::super::solution::Sol;
use super::super::worker::Worker;
use super::super::{LS_NEIGH, NONE};
use super::LS_EPS;
use crate::rules;

impl<'c, 'a> Worker<'c, 'a> {
    /// Applies the first improving relocation of `r`; returns the two
    /// changed slots.
    pub(crate) fn try_relocate(&mut self, sol: &mut Sol, r: usize) -> Option<(usize, usize)> {
        let ctx = self.ctx;
        let a = sol.route_of[r];
        if a == NONE || !self.may_change(a as usize) {
            return None;
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
            if !self.may_change(b)
                || !rules::conflicts::admits(&ctx.p, r, None, |x| sol.route_of[x] == b as u32)
            {
                continue;
            }
            let rest = rest.get_or_insert_with(|| {
                let nodes = self.without(&sol.routes[a], r);
                RouteState::build(&ctx.p, sol.routes[a].vt, nodes, &mut self.sc).ok()
            });
            // Taking r out breaks route a (non-metric travel times): no
            // relocation of r is possible.
            let rest = rest.as_ref()?;
            let gain = sol.routes[a].cost - rest.cost;
            let Some((ins, i, j)) = self.best_position_in(&sol.routes[b], r) else {
                continue;
            };
            if ins - gain < -LS_EPS {
                let nodes = self.new_nodes(r, &sol.routes[b], i, j);
                let vb = sol.routes[b].vt;
                let Ok(new_b) = RouteState::build(&ctx.p, vb, nodes, &mut self.sc) else {
                    continue;
                };
                let rest = rest.clone();
                sol.set_route(b, new_b);
                sol.set_route(a, rest);
                return Some((a, b));
            }
        }
        None
    }
}
