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
//!   specific reason for every pupil left out;
//! * [`plan_day`] plans both sessions of a day with each vehicle's day rate
//!   paid once and crew continuity;
//! * [`retime`] works out the times of a plan read back with only its
//!   vehicles and stop order (a hand-edited `routes.csv`), and
//!   [`check_plan`] checks a given plan against every rule;
//! * [`run`] is the pipeline the CLI and the service share: a session or a
//!   day, planned and checked by the independent validator;
//! * [`replan`] re-plans from a previous plan with locked runs and lists
//!   what changed for each pupil.

#![warn(missing_docs)]

mod basis;
mod day;
mod instance;
mod pipeline;
mod replan;
mod retime;
mod travel;

pub use basis::{keep_run_order, plan_session, Basis, LockBroken};
pub use day::{
    changed_vehicle, day_objective, plan_day, plan_day_on, plan_given, DayBasis, DayRun,
};
pub use instance::{
    build_instance, build_instance_with, plan, plan_with_instance, requests_by_pupil, route_visits,
    InstanceMap, PlanOptions, PlanRun, VehicleGroup, UNASSIGNED_PENALTY,
};
pub use pipeline::{run, Outcome};
pub use replan::{replan, Replan, Replanned, DEFAULT_CHANGE_COST};
pub use retime::{check_plan, retime, Checked};
pub use travel::{fill_boroughs, travel_for, travel_times, RoadTravel};

pub use senroute_model::{AnyPlan, DayPlan, Plan, Problem, TravelTimes};
/// A progress report of the search (elapsed time, iterations, best cost), so
/// front ends need not depend on the solver crate.
pub use senroute_solver::Progress;
