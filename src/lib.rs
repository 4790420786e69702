//! # senroute
//!
//! Home-to-school transport planning for pupils with special educational needs
//! (SEN) in London, with cross-borough pooling.
//!
//! This root crate re-exports the workspace's public crates:
//!
//! - [`model`]: the domain (pupils, schools, fleet, problems, plans), coordinator
//!   file formats, input validation and the independent plan validator;
//! - [`roads`]: the OpenStreetMap road network, snapping and travel-time matrices;
//! - [`solver`]: the pickup-and-delivery routing engine.

pub use senroute_model as model;
pub use senroute_roads as roads;
pub use senroute_solver as solver;
