//! A search worker: one thread's current and best solutions, its random
//! stream and reusable buffers, and the iteration step (simulated
//! annealing over ruin-and-recreate, or fleet minimisation first for the
//! hierarchical objective).

use super::context::Ctx;
use super::fleet_min::FleetMin;
use super::route::RouteState;
use super::solution::Sol;
use super::{HARVEST_CAP, UNASSIGNED_RETRY};
use crate::eval::Scratch;
use crate::rng::Rng;

/// The part of the solution a worker may change during a decomposition
/// epoch: the routes in its region (and its spare slots for new ones) and
/// the requests they serve or that were handed to it unassigned.
#[derive(Clone, Debug, Default)]
pub(crate) struct Region {
    /// `slot_ok[slot]`: the worker may change the route in the slot.
    pub slot_ok: Vec<bool>,
    /// `req_ok[r]`: request `r` belongs to the worker's part.
    pub req_ok: Vec<bool>,
    /// The requests of the part (seeds for removals).
    pub requests: Vec<u32>,
}

pub(crate) struct Worker<'c, 'a> {
    pub ctx: &'c Ctx<'a>,
    pub rng: Rng,
    pub sc: Scratch,
    pub qv: Vec<i32>,
    /// Insertion candidates `(relaxed delta, slot, i, j)`.
    pub cands: Vec<(f64, usize, usize, usize)>,
    /// Candidate slots of the insertion under way.
    pub slots: Vec<u32>,
    /// Per-slot and per-request marks (compared with `stamp`) so that no
    /// buffer sized to the problem is cleared inside an iteration.
    pub seen: Vec<u32>,
    pub stamp: u32,
    pub marked: Vec<u32>,
    pub mark: u32,
    pub cur: Sol,
    pub best: Sol,
    pub iter: u64,
    pub t0: f64,
    pub fm: Option<FleetMin>,
    pub fm_done: bool,
    /// New routes of accepted solutions since the last synchronisation.
    pub harvest: Vec<RouteState>,
    /// Vehicles of each type this worker may have in use: the fleet, or in
    /// a decomposition epoch the worker's share of it.
    pub vt_cap: Vec<usize>,
    /// The part of the solution this worker may change (`None`: all).
    pub region: Option<Region>,
}

/// Lexicographic comparison used for "best": fewer unassigned requests and
/// vehicles first (hierarchical objective), then cost.
pub(crate) fn better(ctx: &Ctx, a: &Sol, b: &Sol) -> bool {
    if ctx.hier {
        let ka = (a.unassigned.len(), a.n_used);
        let kb = (b.unassigned.len(), b.n_used);
        if ka != kb {
            return ka < kb;
        }
    }
    a.cost < b.cost - 1e-9
}

impl<'c, 'a> Worker<'c, 'a> {
    pub(crate) fn new(ctx: &'c Ctx<'a>, seed: u64) -> Worker<'c, 'a> {
        Worker::with_requests(ctx, seed, ctx.p.nreq)
    }

    /// A worker whose solutions are sized for `nreq` requests (0 for a
    /// worker that only evaluates single routes, see [`crate::kernels`]).
    pub(crate) fn with_requests(ctx: &'c Ctx<'a>, seed: u64, nreq: usize) -> Worker<'c, 'a> {
        let empty = if nreq == 0 {
            Sol::placeholder()
        } else {
            ctx.new_sol()
        };
        Worker {
            ctx,
            rng: Rng::new(seed),
            sc: Scratch::default(),
            qv: Vec::new(),
            cands: Vec::new(),
            slots: Vec::new(),
            seen: Vec::new(),
            stamp: 0,
            marked: vec![0; nreq],
            mark: 0,
            cur: empty.clone(),
            best: empty,
            iter: 0,
            t0: 1.0,
            fm: None,
            fm_done: false,
            harvest: Vec::new(),
            vt_cap: ctx.p.inst.vehicle_types.iter().map(|v| v.count).collect(),
            region: None,
        }
    }

    /// Whether this worker may change the route in `slot`.
    #[inline]
    pub(crate) fn may_change(&self, slot: usize) -> bool {
        if slot < self.ctx.n_fixed {
            return false;
        }
        match &self.region {
            None => true,
            Some(g) => g.slot_ok.get(slot).copied().unwrap_or(false),
        }
    }

    /// Whether request `r` belongs to this worker's part.
    #[inline]
    pub(crate) fn owns(&self, r: usize) -> bool {
        match &self.region {
            None => true,
            Some(g) => g.req_ok[r],
        }
    }

    /// A new mark for `marked` (requests).
    pub(crate) fn next_mark(&mut self) -> u32 {
        self.mark = self.mark.wrapping_add(1);
        if self.mark == 0 {
            self.marked.iter_mut().for_each(|m| *m = 0);
            self.mark = 1;
        }
        self.mark
    }

    /// A slot for a new route (only asked for after [`Sol::can_open`]).
    pub(crate) fn new_slot(&mut self, sol: &mut Sol) -> usize {
        sol.free_slot()
            .expect("a new route is only considered when a slot is free")
    }

    /// A random request served by a route this worker may change.
    pub(crate) fn random_assigned(&mut self, sol: &Sol) -> Option<usize> {
        for _ in 0..64 {
            let r = match &self.region {
                None => {
                    if self.ctx.active.is_empty() {
                        return None;
                    }
                    self.ctx.active[self.rng.below(self.ctx.active.len())]
                }
                Some(g) => {
                    if g.requests.is_empty() {
                        return None;
                    }
                    g.requests[self.rng.below(g.requests.len())] as usize
                }
            };
            let s = sol.route_of[r];
            if s != super::NONE && self.may_change(s as usize) {
                return Some(r);
            }
        }
        None
    }

    /// Takes unassigned requests of this worker's part off `sol`'s list
    /// into `todo`: all of them when few, otherwise a random sample of
    /// [`UNASSIGNED_RETRY`], so that an iteration never sweeps a long list.
    pub(crate) fn take_unassigned(&mut self, sol: &mut Sol, todo: &mut Vec<usize>, all: bool) {
        if all || sol.unassigned.len() <= UNASSIGNED_RETRY {
            let mut k = 0;
            while k < sol.unassigned.len() {
                if self.owns(sol.unassigned[k]) {
                    todo.push(sol.take_unassigned(k));
                } else {
                    k += 1;
                }
            }
            return;
        }
        for _ in 0..UNASSIGNED_RETRY {
            if sol.unassigned.is_empty() {
                break;
            }
            let k = self.rng.below(sol.unassigned.len());
            if self.owns(sol.unassigned[k]) {
                todo.push(sol.take_unassigned(k));
            }
        }
    }

    pub(crate) fn temperature(&self, frac: f64) -> f64 {
        let tf = self.t0 / 100.0;
        self.t0 * (tf / self.t0).powf(frac.clamp(0.0, 1.0))
    }

    /// Most routes an insertion may open (hierarchical objective: never
    /// more than the best solution's).
    pub(crate) fn cap(&self) -> usize {
        if self.ctx.hier {
            self.best.n_used
        } else {
            usize::MAX
        }
    }

    /// One simulated-annealing ruin-and-recreate iteration on the current
    /// solution, changed in place and undone when rejected.
    pub(crate) fn step_distance(&mut self, frac: f64) {
        let ctx = self.ctx;
        let mut sol = std::mem::replace(&mut self.cur, Sol::placeholder());
        let (cost0, unassigned0) = (sol.cost, sol.unassigned.len());
        sol.begin();
        let mut todo = self.ruin(&mut sol);
        self.take_unassigned(&mut sol, &mut todo, ctx.hier);
        let cap = self.cap();
        self.recreate(&mut sol, todo, cap);
        if better(ctx, &sol, &self.best) {
            let touched: Vec<usize> = sol.touched().collect();
            self.local_search(&mut sol, &touched);
        }
        let t = self.temperature(frac);
        let u = self.rng.f64().max(1e-300);
        let accept = if ctx.hier && sol.unassigned.len() > unassigned0 {
            false
        } else {
            sol.cost < cost0 - t * u.ln()
        };
        if accept {
            let touched: Vec<usize> = sol.touched().collect();
            for s in touched {
                let rt = &mut sol.routes[s];
                if rt.fresh && !rt.is_empty() {
                    rt.fresh = false;
                    if self.harvest.len() < HARVEST_CAP {
                        self.harvest.push(rt.clone());
                    }
                }
            }
            sol.commit();
            if better(ctx, &sol, &self.best) {
                sol.copy_changes_to(&mut self.best);
            }
        } else {
            sol.rollback();
        }
        self.cur = sol;
    }

    pub(crate) fn step(&mut self, frac: f64) {
        self.iter += 1;
        if self.ctx.hier && !self.fm_done && frac < self.ctx.fleet_frac {
            self.step_fleet();
        } else {
            if self.fm.is_some() {
                self.fm = None;
                self.cur = self.best.clone();
                self.cur.forget_changes();
            }
            let f = if self.ctx.hier {
                (frac - self.ctx.fleet_frac) / (1.0 - self.ctx.fleet_frac)
            } else {
                frac
            };
            self.step_distance(f.max(0.0));
        }
    }

    /// Adopts `g` as the worker's best (and current) solution.
    pub(crate) fn adopt(&mut self, g: &Sol) {
        self.best = g.clone();
        self.best.forget_changes();
        self.cur = g.clone();
        self.cur.forget_changes();
        self.fm = None;
    }
}
