//! Local search on new best solutions, over a granular neighbourhood (the
//! [`LS_NEIGH`](super::LS_NEIGH) nearest requests of each request) and only
//! where the solution changed: the requests on the routes the last step
//! changed are queued, and every route an improving move changes queues its
//! requests again. Moves (one file each): pair relocate, pair
//! exchange, 2-opt\* and a change of vehicle type for whole routes. First
//! improvement; a move budget bounds the work.

mod exchange;
mod relocate;
mod two_opt_star;
mod vehicle_swap;

#[cfg(test)]
pub(crate) use two_opt_star::closed_cut;

use super::route::RouteState;
use super::solution::Sol;
use super::worker::Worker;
use super::LS_BUDGET;

/// Improvement a move must bring to count (guards against cycling on
/// rounding).
pub(crate) const LS_EPS: f64 = 1e-7;

impl<'c, 'a> Worker<'c, 'a> {
    /// Descent starting from the routes in `seeds` (the routes the last step
    /// changed). Changed routes are rebuilt (and so exactly checked) through
    /// [`Sol::set_route`], so `sol` stays consistent.
    pub(crate) fn local_search(&mut self, sol: &mut Sol, seeds: &[usize]) {
        let p = &self.ctx.p;
        let mark = self.next_mark();
        let mut queue: Vec<usize> = Vec::new();
        let changed: Vec<usize> = seeds.to_vec();
        for &s in &changed {
            for r in sol.routes[s].requests(p) {
                if self.marked[r] != mark {
                    self.marked[r] = mark;
                    queue.push(r);
                }
            }
        }
        self.rng.shuffle(&mut queue);
        let mut budget = LS_BUDGET * (queue.len() + 1);
        let mut slots_changed: Vec<usize> = changed;
        while let Some(r) = queue.pop() {
            self.marked[r] = 0;
            if budget == 0 {
                break;
            }
            budget -= 1;
            if !self.owns(r) {
                continue;
            }
            let moved = self
                .try_relocate(sol, r)
                .or_else(|| self.try_exchange(sol, r))
                .or_else(|| self.try_two_opt_star(sol, r));
            if let Some((a, b)) = moved {
                for s in [a, b] {
                    slots_changed.push(s);
                    for x in sol.routes[s].requests(p) {
                        if self.marked[x] != mark {
                            self.marked[x] = mark;
                            queue.push(x);
                        }
                    }
                }
            }
        }
        self.try_vehicle_swaps(sol, &slots_changed);
    }

    /// The stops of `rt` without request `r`.
    pub(crate) fn without(&self, rt: &RouteState, r: usize) -> Vec<u32> {
        rt.nodes
            .iter()
            .copied()
            .filter(|&n| n as usize / 2 != r)
            .collect()
    }
}
