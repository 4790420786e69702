//! Vehicle change: a whole route moves to a cheaper vehicle type that is
//! still available (heterogeneous fleets: a taxi instead of a minibus for a
//! short run).

use super::super::route::RouteState;
use super::super::solution::Sol;
use super::super::worker::Worker;
use super::LS_EPS;
use crate::rules;

impl<'c, 'a> Worker<'c, 'a> {
    /// Moves each route in `slots` to the cheapest vehicle type that can
    /// run it, if cheaper. Returns whether any route changed.
    pub(crate) fn try_vehicle_swaps(&mut self, sol: &mut Sol, slots: &[usize]) -> bool {
        let p = &self.ctx.p;
        let nvt = p.nvt();
        if nvt < 2 {
            return false;
        }
        let mut improved = false;
        let mark = self.next_mark();
        for &s in slots {
            // (slots may repeat; `marked` is per request, so mark the route's
            // first request instead of the slot)
            let Some(&first) = sol.routes[s].nodes.first() else {
                continue;
            };
            if self.marked[first as usize / 2] == mark || !self.may_change(s) {
                continue;
            }
            self.marked[first as usize / 2] = mark;
            let (vt, cost) = (sol.routes[s].vt, sol.routes[s].cost);
            let mut best: Option<(usize, f64)> = None;
            for alt in 0..nvt {
                if alt == vt || sol.used[alt] >= self.vt_cap[alt] {
                    continue;
                }
                let nodes = &sol.routes[s].nodes;
                if nodes
                    .iter()
                    .any(|&n| !rules::features::admits(p, n as usize / 2, alt))
                {
                    continue;
                }
                let nodes = nodes.clone();
                if let Some(c) = self.route_cost(alt, &nodes) {
                    if c < cost - LS_EPS && best.is_none_or(|b| c < b.1) {
                        best = Some((alt, c));
                    }
                }
            }
            if let Some((alt, _)) = best {
                let nodes = sol.routes[s].nodes.clone();
                if let Ok(st) = RouteState::build(p, alt, nodes, &mut self.sc) {
                    sol.set_route(s, st);
                    improved = true;
                }
            }
        }
        improved
    }
}
