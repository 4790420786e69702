//! A solution inside the search, changed only through [`Sol::set_route`]
//! so that its bookkeeping (which route serves each request, vehicles used
//! per type, cost) is updated incrementally, in time proportional to the
//! routes that change, never to the size of the problem.
//!
//! Routes live in *slots*: a slot keeps its index while the route in it
//! changes, and an emptied slot is reused for the next new vehicle. Two
//! mechanisms make iterations local:
//!
//! * a **transaction** ([`Sol::begin`], [`Sol::commit`], [`Sol::rollback`])
//!   keeps the old state of every slot it changes, so a rejected
//!   ruin-and-recreate step is undone without copying the solution;
//! * **change tracking**: slots changed since the last [`Sol::copy_changes_to`]
//!   are remembered, so the worker's best solution is brought up to date by
//!   copying only those.

use super::route::RouteState;
use super::NONE;
use std::sync::Arc;

/// Which shared place (a school) each node is at, for the index of the
/// routes calling there: `anchor[node]`, or [`NO_ANCHOR`].
pub(crate) type Anchors = Arc<Vec<u32>>;

/// A node at a place no other request uses.
pub(crate) const NO_ANCHOR: u32 = u32::MAX;

/// Undo log of an open transaction.
#[derive(Clone, Debug, Default)]
struct Txn {
    open: bool,
    /// Number of the transaction, to mark slots saved in it.
    id: u64,
    /// Old state of each slot changed in the transaction, in order.
    saved: Vec<(u32, RouteState)>,
    unassigned: Vec<usize>,
    cost: f64,
}

/// A (partial) solution.
#[derive(Clone, Debug)]
pub(crate) struct Sol {
    /// Route slots; a slot whose route has no stops is free.
    pub routes: Vec<RouteState>,
    /// Slot serving each request (`NONE` if unassigned or inactive).
    pub route_of: Vec<u32>,
    /// Requests the search tried to place and could not.
    pub unassigned: Vec<usize>,
    /// Sum of route costs plus the penalty of each unassigned request.
    pub cost: f64,
    /// Non-empty routes per vehicle type.
    pub used: Vec<usize>,
    /// Non-empty routes.
    pub n_used: usize,
    /// Candidates for free slots (lazily cleaned: may hold slots in use
    /// again), each listed at most once (`in_free`).
    free: Vec<u32>,
    in_free: Vec<bool>,
    /// Slots changed since the last copy to another solution.
    dirty: Vec<u32>,
    is_dirty: Vec<bool>,
    txn: Txn,
    /// `saved_in[slot] == txn.id` when the slot's old state is saved.
    saved_in: Vec<u64>,
    penalty: f64,
    growable: bool,
    /// Stops on all routes.
    pub n_nodes: usize,
    anchor: Anchors,
    /// `routes_at[a]`: the slots of the routes calling at shared place `a`.
    routes_at: Vec<Vec<u32>>,
}

impl Sol {
    /// A solution with no routes and nothing unassigned, indexing the
    /// routes calling at each of `n_anchors` shared places.
    pub(crate) fn new(
        nreq: usize,
        nvt: usize,
        penalty: f64,
        anchor: Anchors,
        n_anchors: usize,
    ) -> Sol {
        Sol {
            routes: Vec::new(),
            route_of: vec![NONE; nreq],
            unassigned: Vec::new(),
            cost: 0.0,
            used: vec![0; nvt],
            n_used: 0,
            free: Vec::new(),
            in_free: Vec::new(),
            dirty: Vec::new(),
            is_dirty: Vec::new(),
            txn: Txn::default(),
            saved_in: Vec::new(),
            penalty,
            growable: true,
            n_nodes: 0,
            anchor,
            routes_at: vec![Vec::new(); n_anchors],
        }
    }

    /// A stand-in holding nothing, for moving a solution out of a struct.
    pub(crate) fn placeholder() -> Sol {
        Sol::new(0, 0, 0.0, Anchors::default(), 0)
    }

    /// Slots of the routes calling at the shared place of `node`.
    pub(crate) fn routes_at(&self, node: usize) -> &[u32] {
        match self.anchor.get(node) {
            Some(&a) if a != NO_ANCHOR => &self.routes_at[a as usize],
            _ => &[],
        }
    }

    fn unindex(&mut self, slot: usize, nodes: &[u32]) {
        for &n in nodes {
            let a = self.anchor[n as usize];
            if a != NO_ANCHOR {
                let list = &mut self.routes_at[a as usize];
                if let Some(k) = list.iter().position(|&s| s == slot as u32) {
                    list.swap_remove(k);
                }
            }
        }
    }

    fn index(&mut self, slot: usize) {
        for k in 0..self.routes[slot].nodes.len() {
            let a = self.anchor[self.routes[slot].nodes[k] as usize];
            if a != NO_ANCHOR {
                let list = &mut self.routes_at[a as usize];
                if !list.contains(&(slot as u32)) {
                    list.push(slot as u32);
                }
            }
        }
    }

    /// Non-empty routes with their slots.
    pub(crate) fn iter_routes(&self) -> impl Iterator<Item = (usize, &RouteState)> {
        self.routes
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.is_empty())
    }

    /// A free slot for a new route, to be filled at once with
    /// [`Sol::set_route`]; `None` when the solution may not grow and has no
    /// free slot.
    pub(crate) fn free_slot(&mut self) -> Option<usize> {
        while let Some(s) = self.free.pop() {
            self.in_free[s as usize] = false;
            if self.routes[s as usize].is_empty() {
                return Some(s as usize);
            }
        }
        if !self.growable {
            return None;
        }
        self.grow(self.routes.len() + 1);
        Some(self.routes.len() - 1)
    }

    /// Whether [`Sol::free_slot`] would give a slot.
    pub(crate) fn can_open(&self) -> bool {
        self.growable
            || self
                .free
                .iter()
                .any(|&s| self.routes[s as usize].is_empty())
    }

    /// Fixes whether new slots may be added (decomposition: each worker
    /// only uses the spare slots it was given).
    pub(crate) fn set_growable(&mut self, growable: bool) {
        self.growable = growable;
    }

    fn list_free(&mut self, slot: usize) {
        if !self.in_free[slot] {
            self.in_free[slot] = true;
            self.free.push(slot as u32);
        }
    }

    /// Makes the solution hold at least `slots` slots.
    pub(crate) fn grow(&mut self, slots: usize) {
        while self.routes.len() < slots {
            self.routes.push(RouteState::vacant());
            self.is_dirty.push(false);
            self.saved_in.push(0);
            self.in_free.push(false);
        }
    }

    /// Replaces the route in `slot`, keeping `route_of`, the vehicle counts
    /// and the cost up to date, saving the old route when a transaction is
    /// open and marking the slot as changed.
    pub(crate) fn set_route(&mut self, slot: usize, st: RouteState) {
        let old = std::mem::replace(&mut self.routes[slot], st);
        if !self.anchor.is_empty() {
            self.unindex(slot, &old.nodes);
            self.index(slot);
        }
        for &n in &old.nodes {
            let r = n as usize / 2;
            if self.route_of[r] == slot as u32 {
                self.route_of[r] = NONE;
            }
        }
        let new = &self.routes[slot];
        for &n in &new.nodes {
            self.route_of[n as usize / 2] = slot as u32;
        }
        self.cost += new.cost - old.cost;
        self.n_nodes = self.n_nodes + new.nodes.len() - old.nodes.len();
        match (old.is_empty(), new.is_empty()) {
            (true, false) => {
                self.used[new.vt] += 1;
                self.n_used += 1;
            }
            (false, true) => {
                self.used[old.vt] -= 1;
                self.n_used -= 1;
                self.list_free(slot);
            }
            (false, false) if old.vt != new.vt => {
                self.used[old.vt] -= 1;
                self.used[new.vt] += 1;
            }
            _ => {}
        }
        if !self.is_dirty[slot] {
            self.is_dirty[slot] = true;
            self.dirty.push(slot as u32);
        }
        if self.txn.open && self.saved_in[slot] != self.txn.id {
            self.saved_in[slot] = self.txn.id;
            self.txn.saved.push((slot as u32, old));
        }
    }

    /// Lists `r` as unassigned.
    pub(crate) fn add_unassigned(&mut self, r: usize) {
        self.unassigned.push(r);
        self.cost += self.penalty;
    }

    /// Takes the unassigned request at `index` off the list.
    pub(crate) fn take_unassigned(&mut self, index: usize) -> usize {
        self.cost -= self.penalty;
        self.unassigned.swap_remove(index)
    }

    /// Opens a transaction.
    pub(crate) fn begin(&mut self) {
        debug_assert!(!self.txn.open);
        self.txn.open = true;
        self.txn.id += 1;
        self.txn.saved.clear();
        self.txn.unassigned.clear();
        self.txn.unassigned.extend_from_slice(&self.unassigned);
        self.txn.cost = self.cost;
    }

    /// Slots changed in the open transaction.
    pub(crate) fn touched(&self) -> impl Iterator<Item = usize> + '_ {
        let saved: &[(u32, RouteState)] = if self.txn.open { &self.txn.saved } else { &[] };
        saved.iter().map(|(s, _)| *s as usize)
    }

    /// Keeps the changes of the open transaction.
    pub(crate) fn commit(&mut self) {
        self.txn.open = false;
    }

    /// Undoes every change of the open transaction.
    pub(crate) fn rollback(&mut self) {
        self.txn.open = false;
        let saved = std::mem::take(&mut self.txn.saved);
        for (slot, old) in saved.into_iter().rev() {
            self.set_route(slot as usize, old);
        }
        std::mem::swap(&mut self.unassigned, &mut self.txn.unassigned);
        self.cost = self.txn.cost;
    }

    /// Brings `other`, a copy of this solution at the last call (or at the
    /// clone), up to date by copying the slots changed since.
    pub(crate) fn copy_changes_to(&mut self, other: &mut Sol) {
        other.grow(self.routes.len());
        for slot in self.dirty.drain(..) {
            let slot = slot as usize;
            self.is_dirty[slot] = false;
            other.set_route(slot, self.routes[slot].clone());
        }
        other.unassigned.clear();
        other.unassigned.extend_from_slice(&self.unassigned);
        other.cost = self.cost;
        other.forget_changes();
    }

    /// Forgets which slots changed (after a full copy).
    pub(crate) fn forget_changes(&mut self) {
        for &s in &self.dirty {
            self.is_dirty[s as usize] = false;
        }
        self.dirty.clear();
    }

    /// Replaces the free-slot list (decomposition hands each worker its own
    /// spare slots).
    pub(crate) fn set_free(&mut self, slots: &[u32]) {
        for s in self.free.drain(..) {
            self.in_free[s as usize] = false;
        }
        for &s in slots {
            self.list_free(s as usize);
        }
    }

    /// Recomputes the cost from scratch (incremental updates accumulate
    /// rounding) and checks the bookkeeping in debug builds.
    pub(crate) fn refresh_cost(&mut self) {
        self.cost = self.routes.iter().map(|r| r.cost).sum::<f64>()
            + self.penalty * self.unassigned.len() as f64;
        #[cfg(debug_assertions)]
        {
            let mut used = vec![0; self.used.len()];
            for (s, r) in self.iter_routes() {
                used[r.vt] += 1;
                for &n in &r.nodes {
                    debug_assert_eq!(self.route_of[n as usize / 2], s as u32);
                }
            }
            debug_assert_eq!(used, self.used);
            debug_assert_eq!(self.n_used, used.iter().sum::<usize>());
        }
    }
}
