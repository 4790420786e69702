//! Ruin-and-recreate search (SISR-style string removals, greedy insertion
//! with blinks, simulated annealing) with a fleet-minimisation phase for the
//! hierarchical objective, run on several threads.
//!
//! **Every iteration costs the same whatever the size of the problem.**
//! Solutions are changed in place and a rejected step is undone from a
//! journal ([`solution`]); insertion looks only at the routes serving a
//! request's nearest neighbours once a solution has more than
//! [`FULL_SCAN_ROUTES`] routes; local search runs only on routes changed
//! since the best solution was last updated; the best solution is updated by
//! copying only the routes that changed; route evaluation touches only the
//! route. Work proportional to the problem happens once per epoch (sharing
//! between threads), and epochs grow with the problem.
//!
//! Small problems: each thread searches the whole problem and the best
//! solution is shared at deterministic synchronisation points. Large
//! problems ([`DECOMPOSE_MIN`] requests or more, several threads): each
//! epoch splits the incumbent into one region of neighbouring routes per
//! thread ([`decompose`]); the threads' results are merged into one plan.
//!
//! One module per concept: [`context`] (preprocessing, neighbourhoods,
//! vehicle lower bound), [`route`], [`solution`], [`construct`] (first
//! solutions and the greedy baseline), [`insertion`], [`recreate`],
//! [`ruin`], [`local_search`] (one file per move), [`worker`] (acceptance
//! and the iteration step), [`fleet_min`], [`decompose`], [`driver`].

mod construct;
mod context;
mod decompose;
mod driver;
mod fleet_min;
mod insertion;
mod local_search;
mod recreate;
mod route;
mod ruin;
mod solution;
mod worker;

#[cfg(test)]
pub(crate) mod tests;

pub(crate) use context::{build_ctx, Ctx};
pub use driver::solve;
pub(crate) use route::RouteState;
pub(crate) use worker::Worker;

use std::time::Duration;

/// Marks "no route" in `route_of`.
pub(crate) const NONE: u32 = u32::MAX;
/// Average number of requests removed per ruin (SISR's c-bar).
const CBAR: f64 = 10.0;
/// Maximum string length (SISR's L-max).
const LMAX: f64 = 10.0;
/// Blink rate of greedy insertion.
const BLINK: f64 = 0.01;
/// Iterations between synchronisation points (at least; larger problems
/// get `requests / 4`, so that the per-epoch work stays a small share, up
/// to [`EPOCH_MAX`]).
const EPOCH: u64 = 250;
/// Most iterations between synchronisation points (progress reports).
const EPOCH_MAX: u64 = 2000;
/// Epochs between set-partitioning recombinations.
const SPP_EVERY: u64 = 20;
/// Time limit of one set-partitioning solve when the search has no time
/// limit (iteration-limited runs).
const SPP_CAP: Duration = Duration::from_secs(2);
/// Smallest time budget worth starting a set-partitioning solve with.
const SPP_MIN: Duration = Duration::from_millis(20);
/// Largest problem (requests) for set-partitioning recombination: its
/// model has one row per request.
const SPP_MAX_REQUESTS: usize = 1500;
/// Maximum number of routes in the set-partitioning pool.
const POOL_CAP: usize = 1000;
/// Maximum number of routes a worker harvests per epoch.
const HARVEST_CAP: usize = 400;
/// Share of the budget given to fleet minimisation (hierarchical objective).
const FLEET_FRAC: f64 = 0.25;
/// Neighbours per request in the local search's granular neighbourhood.
const LS_NEIGH: usize = 12;
/// Moves the local search may try per request it starts with.
const LS_BUDGET: usize = 5;
/// Initial annealing temperature as a fraction of the initial solution's
/// average cost per served request (final temperature: 1/100 of it).
const T0_FACTOR: f64 = 1.0;
/// Up to this many routes, insertion tries every route; beyond, only the
/// routes of the request's [`INSERTION_NEIGHBOURS`] nearest neighbours.
const FULL_SCAN_ROUTES: usize = 50;
/// Neighbours whose routes an insertion tries in a large solution.
const INSERTION_NEIGHBOURS: usize = 60;
/// Routes calling at a request's school that an insertion tries in a large
/// solution: all of them up to this many, else this many nearest to the
/// request's home (so that the work of an insertion does not grow with
/// the size of a school).
const ANCHOR_ROUTES: usize = 16;
/// Unassigned requests retried per iteration when there are more.
const UNASSIGNED_RETRY: usize = 64;
/// Requests from which a problem is decomposed into regions, one per thread.
const DECOMPOSE_MIN: usize = 1500;
