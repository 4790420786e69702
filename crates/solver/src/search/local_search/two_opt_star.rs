//! 2-opt\*: two routes swap tails, so that after a stop of a request the
//! vehicle continues with a neighbour's stop and the rest of its route;
//! only at cuts that split no pickup–delivery pair.

use super::super::route::RouteState;
use super::super::solution::Sol;
use super::super::worker::Worker;
use super::super::{LS_NEIGH, NONE};
use super::LS_EPS;
use crate::eval::Prep;

/// Whether cutting `nodes` before index `i` (head `nodes[..i]`, tail
/// `nodes[i..]`) keeps every pickup–delivery pair on one side.
pub(crate) fn closed_cut(p: &Prep, nodes: &[u32], i: usize) -> bool {
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

impl<'c, 'a> Worker<'c, 'a> {
    /// Applies the first improving 2-opt\* between the route of `r` and the
    /// routes of its neighbours; returns the two changed slots.
    pub(crate) fn try_two_opt_star(&mut self, sol: &mut Sol, r: usize) -> Option<(usize, usize)> {
        let ctx = self.ctx;
        let p = &ctx.p;
        let a = sol.route_of[r];
        if a == NONE || !self.may_change(a as usize) {
            return None;
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
            return None;
        }
        for &c in ctx.neigh[r].iter().take(LS_NEIGH) {
            let c = c as usize;
            let b = sol.route_of[c];
            if b == NONE || b as usize == a || !self.may_change(b as usize) {
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
                    if ca - old > -LS_EPS {
                        continue; // route costs are never negative
                    }
                    let Some(cb) = self.route_cost(vb, &new_b) else {
                        continue;
                    };
                    if ca + cb - old < -LS_EPS {
                        let (Ok(sa), Ok(sb)) = (
                            RouteState::build(p, va, new_a, &mut self.sc),
                            RouteState::build(p, vb, new_b, &mut self.sc),
                        ) else {
                            continue;
                        };
                        sol.set_route(a, sa);
                        sol.set_route(b, sb);
                        return Some((a, b));
                    }
                }
            }
        }
        None
    }
}
