//! Recreate: greedy insertion with blinks (SISR).

use super::solution::Sol;
use super::worker::Worker;

impl<'c, 'a> Worker<'c, 'a> {
    /// Greedy insertion with blinks of `todo` (order chosen at random among
    /// SISR's sortings). Requests that fit nowhere join `sol.unassigned`.
    pub(crate) fn recreate(&mut self, sol: &mut Sol, mut todo: Vec<usize>, cap: usize) {
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
                Some((ins, built)) => self.apply(sol, ins, built),
                None => sol.add_unassigned(r),
            }
        }
    }
}
