//! # senroute-pooling
//!
//! The cross-borough pooling study: how much do boroughs save by sharing
//! vehicles, and who pays what?
//!
//! [`run_study`] plans each borough alone with its own fleet and all boroughs
//! pooled with the combined fleet, on the same travel times, rules, seeds and
//! time budget per pupil. The pooled cost is split between boroughs in
//! proportion to stand-alone cost and by the Shapley value (exact over every
//! coalition up to a configurable number of boroughs, sampled beyond), and
//! both splits are checked against the core.
//!
//! A coalition can always run its members' own plans side by side, so its
//! cost is the better of its own search and that union: pooling is never
//! reported worse than planning alone.

#![warn(missing_docs)]

pub mod game;
pub mod output;
mod study;

pub use study::{
    restrict, run_study, run_study_with, union, BoroughRow, Co2Factors, CoalitionCost,
    CoalitionSolver, LocalSolver, Outcome, PoolingReport, SolveRequest, Study, StudyError,
    StudyOptions,
};
