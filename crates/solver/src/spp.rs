//! Set-partitioning recombination (good_lp with the pure-Rust microlp
//! backend): a pool of distinct good routes collected from the workers'
//! solutions, periodically recombined into the cheapest exact cover of all
//! requests (within the fleet and, for the hierarchical objective, the best
//! vehicle count). Routes from different solutions that were never together
//! can combine into a better solution than any worker holds.
//!
//! Every solve has a time limit and is warm-started from the incumbent (the
//! current best solution's routes, which are always in the pool): a solve
//! that runs out of time after the root relaxation still returns a cover at
//! least as good as the incumbent; one that runs out before returns nothing
//! and the search keeps its best.

use crate::search::{Ctx, RouteState};
use good_lp::{
    constraint, microlp, variable, variables, Expression, Solution, SolverModel,
    WithInitialSolution, WithTimeLimit,
};
use std::collections::HashMap;
use std::time::Duration;

struct Col {
    vt: usize,
    nodes: Vec<u32>,
    reqs: Vec<u32>,
    cost: f64,
    stamp: u64,
}

/// Pool of distinct routes (one per vehicle type and request set: the
/// cheapest sequence seen).
pub(crate) struct Pool {
    cols: Vec<Col>,
    index: HashMap<(usize, Vec<u32>), usize>,
    cap: usize,
    clock: u64,
}

impl Pool {
    pub(crate) fn new(cap: usize) -> Pool {
        Pool {
            cols: Vec::new(),
            index: HashMap::new(),
            cap,
            clock: 0,
        }
    }

    /// Adds (or refreshes) a route.
    pub(crate) fn add(&mut self, rt: &RouteState) {
        if rt.nodes.is_empty() {
            return;
        }
        self.clock += 1;
        let mut reqs: Vec<u32> = rt.nodes.iter().map(|&n| n / 2).collect();
        reqs.sort_unstable();
        reqs.dedup();
        let key = (rt.vt, reqs);
        if let Some(&i) = self.index.get(&key) {
            let c = &mut self.cols[i];
            c.stamp = self.clock;
            if rt.cost < c.cost - 1e-9 {
                c.cost = rt.cost;
                c.nodes = rt.nodes.clone();
            }
            return;
        }
        self.index.insert(key.clone(), self.cols.len());
        self.cols.push(Col {
            vt: rt.vt,
            nodes: rt.nodes.clone(),
            reqs: key.1,
            cost: rt.cost,
            stamp: self.clock,
        });
        if self.cols.len() > self.cap {
            // drop the least recently seen quarter
            let mut stamps: Vec<u64> = self.cols.iter().map(|c| c.stamp).collect();
            stamps.sort_unstable();
            let cut = stamps[self.cols.len() / 4];
            self.cols.retain(|c| c.stamp > cut);
            self.index.clear();
            for (i, c) in self.cols.iter().enumerate() {
                self.index.insert((c.vt, c.reqs.clone()), i);
            }
        }
    }

    /// Cheapest exact cover of `ctx.active` by pool routes with at most
    /// `count` routes per vehicle type and `max_routes` in total. Returns
    /// the chosen routes' (vehicle type, nodes), or `None` if the model has
    /// no solution.
    /// The cheapest cover of all active requests by pool routes, with at
    /// most `max_routes` routes, within `time_limit`, warm-started from
    /// `incumbent` (routes as `(vehicle type, nodes)`; those not in the pool
    /// are ignored). `None` if no cover is found in time.
    pub(crate) fn solve(
        &self,
        ctx: &Ctx,
        max_routes: usize,
        time_limit: Duration,
        incumbent: &[(usize, &[u32])],
    ) -> Option<Vec<(usize, Vec<u32>)>> {
        let nreq = ctx.p.nreq;
        let mut vars = variables!();
        let xs: Vec<_> = self
            .cols
            .iter()
            .map(|_| vars.add(variable().binary()))
            .collect();
        let obj: Expression = self.cols.iter().zip(&xs).map(|(c, &x)| c.cost * x).sum();
        let mut start = vec![0.0; self.cols.len()];
        for (vt, nodes) in incumbent {
            let mut reqs: Vec<u32> = nodes.iter().map(|&n| n / 2).collect();
            reqs.sort_unstable();
            reqs.dedup();
            if let Some(&i) = self.index.get(&(*vt, reqs)) {
                start[i] = 1.0;
            }
        }
        let mut model = vars
            .minimise(obj)
            .using(microlp)
            .with_time_limit(time_limit.as_secs_f64())
            .with_initial_solution(xs.iter().copied().zip(start));
        let mut rows: Vec<Expression> = vec![Expression::from(0.0); nreq];
        let mut covered = vec![false; nreq];
        for (c, &x) in self.cols.iter().zip(&xs) {
            for &r in &c.reqs {
                rows[r as usize] += x;
                covered[r as usize] = true;
            }
        }
        for &r in &ctx.active {
            if !covered[r] {
                return None;
            }
            let e = std::mem::replace(&mut rows[r], Expression::from(0.0));
            model = model.with(constraint!(e == 1.0));
        }
        for (vt, v) in ctx.p.inst.vehicle_types.iter().enumerate() {
            let e: Expression = self
                .cols
                .iter()
                .zip(&xs)
                .filter(|(c, _)| c.vt == vt)
                .map(|(_, &x)| Expression::from(x))
                .sum();
            model = model.with(constraint!(e <= v.count as f64));
        }
        let all: Expression = xs.iter().map(|&x| Expression::from(x)).sum();
        model = model.with(constraint!(all <= max_routes as f64));
        let sol = model.solve().ok()?;
        Some(
            self.cols
                .iter()
                .zip(&xs)
                .filter(|(_, &x)| sol.value(x) > 0.5)
                .map(|(c, _)| (c.vt, c.nodes.clone()))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Scratch;
    use crate::search::build_ctx;
    use crate::search::tests::two_clusters;

    #[test]
    fn recombines_routes_from_different_solutions() {
        // depot at 0; requests 0,1 near x=10 and 2,3 near x=-10
        let mut inst = two_clusters(vec![(4, 100.0)]);
        inst.vehicle_types[0].capacity[0].limit = 4;
        let (ctx, _) = build_ctx(&inst);
        let mut sc = Scratch::default();
        let mut pool = Pool::new(100);
        // solution A: {0,1} {2} {3}; solution B: {0} {1} {2,3}
        for nodes in [
            vec![1u32, 3],
            vec![5],
            vec![7],
            vec![1],
            vec![3],
            vec![5, 7],
        ] {
            pool.add(&RouteState::build(&ctx.p, 0, nodes, &mut sc).unwrap());
        }
        let mut chosen = pool.solve(&ctx, 10, Duration::from_secs(10), &[]).unwrap();
        chosen.sort();
        assert_eq!(chosen, vec![(0, vec![1, 3]), (0, vec![5, 7])]);
        // with a single route allowed there is no cover in the pool
        assert!(pool.solve(&ctx, 1, Duration::from_secs(10), &[]).is_none());
    }

    #[test]
    fn a_solve_out_of_time_is_never_worse_than_the_incumbent() {
        let mut inst = two_clusters(vec![(4, 100.0)]);
        inst.vehicle_types[0].capacity[0].limit = 4;
        let (ctx, _) = build_ctx(&inst);
        let mut sc = Scratch::default();
        let mut pool = Pool::new(100);
        let incumbent = [vec![1u32, 5], vec![3, 7]];
        for nodes in incumbent.iter().chain(&[vec![1u32, 3], vec![5, 7]]) {
            pool.add(&RouteState::build(&ctx.p, 0, nodes.clone(), &mut sc).unwrap());
        }
        let inc: Vec<(usize, &[u32])> = incumbent.iter().map(|n| (0, n.as_slice())).collect();
        // no time at all: nothing, or nothing worse than the warm start
        // (microlp applies it once the root relaxation is solved)
        let chosen = pool
            .solve(&ctx, 10, Duration::ZERO, &inc)
            .unwrap_or_else(|| incumbent.iter().map(|n| (0, n.clone())).collect());
        let cost = |routes: &[(usize, Vec<u32>)]| -> f64 {
            routes
                .iter()
                .map(|(vt, n)| {
                    RouteState::build(&ctx.p, *vt, n.clone(), &mut Scratch::default())
                        .unwrap()
                        .cost
                })
                .sum()
        };
        let inc_owned: Vec<(usize, Vec<u32>)> = incumbent.iter().map(|n| (0, n.clone())).collect();
        assert!(cost(&chosen) <= cost(&inc_owned) + 1e-9);
        // with time, the optimum
        let mut best = pool.solve(&ctx, 10, Duration::from_secs(10), &inc).unwrap();
        best.sort();
        assert_eq!(best, vec![(0, vec![1, 3]), (0, vec![5, 7])]);
    }
}
