//! # senroute-planner
//!
//! The thin outer API that the CLI and the gRPC service share: from a
//! [`Problem`] and a road network (or the problem's own matrices) to
//! [`TravelTimes`], then through the routing engine to a [`Plan`] that the
//! independent validator accepts.
//!
//! * [`travel_times`] snaps every home, school and depot to the road network
//!   and computes the many-to-many matrices;
//! * [`build_instance`] maps the SEN problem onto the engine's flat
//!   pickup-and-delivery [`Instance`](senroute_solver::Instance);
//! * [`plan`] runs the search and maps its solution back to a [`Plan`], with a
//!   specific reason for every pupil left out.

#![warn(missing_docs)]

mod instance;
mod travel;

pub use instance::{
    build_instance, plan, plan_with_instance, InstanceMap, PlanOptions, PlanRun, UNASSIGNED_PENALTY,
};
pub use travel::{fill_boroughs, travel_times, RoadTravel};

pub use senroute_model::{Plan, Problem, TravelTimes};
/// A progress report of the search (elapsed time, iterations, best cost), so
/// front ends need not depend on the solver crate.
pub use senroute_solver::Progress;
