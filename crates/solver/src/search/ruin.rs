//! Ruin: SISR adjacent string removal around a random seed request (or,
//! sometimes, a few random requests), touching only the routes it removes
//! from.

use super::route::RouteState;
use super::solution::Sol;
use super::worker::Worker;
use super::{CBAR, LMAX, NONE};

impl<'c, 'a> Worker<'c, 'a> {
    /// Removes requests from routes this worker may change and returns
    /// them. A route that a removal would break (possible without the
    /// triangle inequality: a shorter sequence can take longer to drive)
    /// keeps the stops it had.
    pub(crate) fn ruin(&mut self, sol: &mut Sol) -> Vec<usize> {
        let ctx = self.ctx;
        let mut removed: Vec<usize> = Vec::new();
        if sol.n_used == 0 {
            return removed;
        }
        let mark = self.next_mark();
        self.stamp = self.stamp.wrapping_add(1);
        let stamp = self.stamp;
        if self.seen.len() < sol.routes.len() {
            self.seen.resize(sol.routes.len(), 0);
        }
        let mut touched: Vec<usize> = Vec::new();
        if self.rng.f64() < 0.1 {
            let k = self.rng.range(1, (2.0 * CBAR) as usize);
            for _ in 0..k {
                let Some(r) = self.random_assigned(sol) else {
                    break;
                };
                if self.marked[r] != mark {
                    self.marked[r] = mark;
                    removed.push(r);
                    let s = sol.route_of[r] as usize;
                    if self.seen[s] != stamp {
                        self.seen[s] = stamp;
                        touched.push(s);
                    }
                }
            }
        } else {
            let avg = sol.n_nodes as f64 / sol.n_used as f64;
            let ls_max = LMAX.min(avg);
            let ks_max = 4.0 * CBAR / (1.0 + ls_max) - 1.0;
            let ks = (1.0 + self.rng.f64() * ks_max).floor().max(1.0) as usize;
            let Some(seed) = self.random_assigned(sol) else {
                return removed;
            };
            let mut ruined = 0;
            for &c in std::iter::once(&(seed as u32)).chain(ctx.neigh[seed].iter()) {
                if ruined >= ks {
                    break;
                }
                let c = c as usize;
                let s = sol.route_of[c];
                if s == NONE
                    || self.seen[s as usize] == stamp
                    || self.marked[c] == mark
                    || !self.may_change(s as usize)
                {
                    continue;
                }
                let s = s as usize;
                let rt = &sol.routes[s];
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
                    if self.marked[r] != mark {
                        self.marked[r] = mark;
                        removed.push(r);
                    }
                }
                self.seen[s] = stamp;
                touched.push(s);
                ruined += 1;
            }
        }
        for s in touched {
            let rt = &sol.routes[s];
            let nodes: Vec<u32> = rt
                .nodes
                .iter()
                .copied()
                .filter(|&n| self.marked[n as usize / 2] != mark)
                .collect();
            match RouteState::build(&ctx.p, rt.vt, nodes, &mut self.sc) {
                Ok(st) => sol.set_route(s, st),
                Err(_) => {
                    // undo this route's removals
                    for &n in &sol.routes[s].nodes {
                        self.marked[n as usize / 2] = 0;
                    }
                }
            }
        }
        removed.retain(|&r| self.marked[r] == mark);
        removed
    }
}
