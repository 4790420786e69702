//! # senroute-pooling
//!
//! The cross-borough pooling study: how much do boroughs save by sharing
//! vehicles, and who pays what?
//!
//! [`run_study`] plans each borough alone with its own fleet and groups of
//! boroughs pooled with their combined fleet, on the same travel times,
//! rules and time budget per pupil, once per seed (each seed an independent
//! run). Every plan passes `senroute_model::validate` before its cost is
//! used. A coalition's cost is the cheapest valid plan among its own search
//! (warm-started from its members' own plans) and the unions of its
//! sub-coalitions' plans, so pooling is never reported worse than planning
//! alone and a larger group is never costed above a combination of smaller
//! ones. The pooled cost is split in proportion to stand-alone cost, by the
//! Shapley value (exact over every coalition up to a configurable number of
//! boroughs, sampled over random orders beyond, with its sampling error)
//! and by the least core ([`core`]); figures come with a percentile
//! bootstrap interval over the seeds ([`stats`]).

#![warn(missing_docs)]

mod coalition;
pub mod core;
pub mod game;
pub mod output;
mod run;
mod solve;
pub mod stats;
mod study;

pub use coalition::Coalition;
pub use run::{run_study, run_study_with, StudyError, MAX_BOROUGHS};
pub use solve::{initial_routes, solve_locally, CoalitionSolver, LocalSolver, SolveRequest};
pub use stats::Estimate;
pub use study::{
    restrict, union, BoroughRow, BudgetPoint, Co2Factors, CoalitionCost, CoreFinding, Outcome,
    PoolingReport, SeedRun, Study, StudyOptions,
};
