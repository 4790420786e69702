//! The search's evaluation kernels behind a small public API, for
//! micro-benchmarks (`benches/solver.rs`) and for adapters that want to
//! price or check a single route without running a search.

use crate::eval::{evaluate, node_of, Scratch};
use crate::search::{build_ctx, Ctx, RouteState, Worker};
use crate::{Instance, Violation, Visit};

/// Prepared evaluation context for one [`Instance`].
pub struct Kernels<'a> {
    ctx: Ctx<'a>,
    sc: Scratch,
}

/// A route with its cached insertion summaries (forward earliest times,
/// backward latest times, per-rule loads), built once and queried many times.
pub struct CachedRoute {
    state: RouteState,
}

impl<'a> Kernels<'a> {
    /// Preprocesses `inst` (matrices are borrowed, not copied).
    pub fn new(inst: &'a Instance) -> Kernels<'a> {
        Kernels {
            ctx: build_ctx(inst).0,
            sc: Scratch::default(),
        }
    }

    fn nodes(visits: &[Visit]) -> Vec<u32> {
        visits.iter().map(|v| node_of(v.request, v.kind)).collect()
    }

    /// Full evaluation of a fixed sequence on a vehicle type: exact
    /// feasibility (see the crate docs) and the route's cost.
    pub fn route_cost(&mut self, vehicle_type: usize, visits: &[Visit]) -> Result<f64, Violation> {
        let nodes = Self::nodes(visits);
        let ev = evaluate(&self.ctx.p, vehicle_type, &nodes, &mut self.sc);
        match ev.violation {
            None => Ok(ev.cost),
            Some(v) => Err(v),
        }
    }

    /// Builds the cached summaries of a route, after the exact check of
    /// [`Kernels::route_cost`]: an infeasible route is refused with the rule
    /// it breaks.
    pub fn cache_route(
        &mut self,
        vehicle_type: usize,
        visits: &[Visit],
    ) -> Result<CachedRoute, Violation> {
        let nodes = Self::nodes(visits);
        let state = RouteState::build(&self.ctx.p, vehicle_type, nodes, &mut self.sc)?;
        Ok(CachedRoute { state })
    }

    /// Cost increase of the cheapest feasible insertion of `request` into
    /// the route (no blinks), or `None` if it fits nowhere.
    pub fn insertion_delta(&mut self, route: &CachedRoute, request: usize) -> Option<f64> {
        let mut w = Worker::with_requests(&self.ctx, 0, 0);
        w.best_insertion_into(&route.state, request)
    }

    /// Cost change of relocating `request` (both its stops) from route
    /// `from` to its cheapest position in route `to`, or `None` if it fits
    /// nowhere in `to`. This is the pair-relocate local-search move.
    pub fn relocate_delta(
        &mut self,
        from: &CachedRoute,
        to: &CachedRoute,
        request: usize,
    ) -> Option<f64> {
        let mut w = Worker::with_requests(&self.ctx, 0, 0);
        w.relocate_delta(&from.state, &to.state, request)
    }
}
