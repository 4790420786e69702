//! Fleet minimisation for the hierarchical objective (fewest vehicles
//! first, the Solomon / Li & Lim convention), after SISR: take the route
//! with the fewest requests out, then ruin and recreate with one vehicle
//! fewer, accepting a candidate with fewer requests left out or a lower sum
//! of their absence counters, until every request fits again.

use super::route::RouteState;
use super::solution::Sol;
use super::worker::Worker;

/// State of a fleet-minimisation attempt.
pub(crate) struct FleetMin {
    pub cur: Sol,
    /// How many iterations each request has spent unassigned.
    pub absent: Vec<u32>,
    /// Routes allowed (one fewer than the best solution's).
    pub cap: usize,
}

impl<'c, 'a> Worker<'c, 'a> {
    fn start_fleet_min(&mut self) -> bool {
        let ctx = self.ctx;
        let base = &self.best;
        if !base.unassigned.is_empty() || base.n_used <= ctx.vehicles_lb.max(1) {
            return false;
        }
        let mut s = base.clone();
        s.forget_changes();
        // remove a route with the fewest requests (ties: random)
        let n_fixed = ctx.n_fixed;
        let minlen = s
            .iter_routes()
            .filter(|(i, _)| *i >= n_fixed)
            .map(|(_, r)| r.nodes.len())
            .min();
        let Some(minlen) = minlen else {
            return false;
        };
        let idx: Vec<usize> = s
            .iter_routes()
            .filter(|(i, r)| *i >= n_fixed && r.nodes.len() <= minlen + 1)
            .map(|(i, _)| i)
            .collect();
        let slot = idx[self.rng.below(idx.len())];
        let reqs: Vec<usize> = s.routes[slot].requests(&ctx.p).collect();
        s.set_route(slot, RouteState::vacant());
        for r in reqs {
            s.add_unassigned(r);
        }
        let cap = s.n_used;
        let mut todo = Vec::new();
        self.take_unassigned(&mut s, &mut todo, true);
        self.recreate(&mut s, todo, cap);
        self.fm = Some(FleetMin {
            cur: s,
            absent: vec![0; ctx.p.nreq],
            cap,
        });
        self.check_fm_success();
        true
    }

    fn check_fm_success(&mut self) {
        let done = self
            .fm
            .as_ref()
            .is_some_and(|f| f.cur.unassigned.is_empty());
        if done {
            let f = self.fm.take().expect("checked above");
            self.adopt(&f.cur);
        }
    }

    /// One fleet-minimisation iteration.
    pub(crate) fn step_fleet(&mut self) {
        if self.fm.is_none() && !self.start_fleet_min() {
            self.fm_done = true;
            return;
        }
        let Some(mut fm) = self.fm.take() else { return };
        let sum = |s: &Sol, absent: &[u32]| {
            s.unassigned
                .iter()
                .map(|&r| u64::from(absent[r]))
                .sum::<u64>()
        };
        let (before, before_sum) = (fm.cur.unassigned.len(), sum(&fm.cur, &fm.absent));
        let mut sol = std::mem::replace(&mut fm.cur, Sol::placeholder());
        sol.begin();
        let mut todo = self.ruin(&mut sol);
        self.take_unassigned(&mut sol, &mut todo, true);
        self.recreate(&mut sol, todo, fm.cap);
        if sol.unassigned.len() < before || sum(&sol, &fm.absent) < before_sum {
            sol.commit();
        } else {
            sol.rollback();
        }
        for &r in &sol.unassigned {
            fm.absent[r] += 1;
        }
        fm.cur = sol;
        self.fm = Some(fm);
        self.check_fm_success();
    }
}
