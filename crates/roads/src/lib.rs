//! # senroute-roads
//!
//! The in-process road network of senroute, built from OpenStreetMap PBF:
//!
//! - [`RoadNetwork::from_pbf`] keeps car-drivable ways (access, one-ways,
//!   UK `maxspeed`, an urban [`SpeedProfile`]), compresses chains of
//!   pass-through nodes (keeping their geometry), keeps the largest strongly
//!   connected component and builds a contraction hierarchy and a spatial
//!   index; [`BuildReport`] says what was dropped and why;
//! - [`RoadNetwork::save`] / [`RoadNetwork::load`] store the prepared network
//!   in a versioned binary file;
//! - [`RoadNetwork::snap`] puts a point on the nearest road *segment*;
//! - [`RoadNetwork::matrix`] computes exact many-to-many duration/distance
//!   matrices (bucket many-to-many on the contraction hierarchy, all cores);
//! - [`RoadNetwork::path_geometry`] draws a route along the roads;
//! - [`Boroughs`] tells the London borough of a point;
//! - [`matrix_report::run`] is the `senroute matrix` command's engine.
//!
//! ```no_run
//! use senroute_roads::{Boroughs, RoadNetwork, SpeedProfile};
//!
//! # fn main() -> Result<(), senroute_roads::RoadsError> {
//! let (net, report) =
//!     RoadNetwork::from_pbf("data/osm/london_camden.osm.pbf", &SpeedProfile::default())?;
//! println!("{} nodes, {} dropped by the SCC filter", report.graph_nodes, report.graph_nodes_dropped_scc);
//! net.save("camden.roads")?;
//! let net = RoadNetwork::load("camden.roads")?;
//! let snaps = net.snap_all(&[("pupil-1", 51.5194, -0.1270), ("school-9", 51.5246, -0.1340)])?;
//! let m = net.matrix(&snaps);
//! println!("{:.0} s, {:.0} m", m.duration(0, 1), m.distance(0, 1));
//! let polyline: Vec<(f64, f64)> = net.path_geometry(&snaps[0], &snaps[1]);
//! let boroughs = Boroughs::from_geojson("data/boundaries/london_boroughs_gla_wgs84.geojson")?;
//! assert_eq!(boroughs.locate(51.5194, -0.1270).map(|b| b.name.as_str()), Some("Camden"));
//! # let _ = polyline;
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

mod boroughs;
mod build;
mod ch;
mod error;
pub mod geo_util;
mod many_to_many;
pub mod matrix_report;
mod network;
mod osm;
pub mod profile;
mod restrictions;
mod storage;
pub mod synthetic;
pub mod weight;

pub use boroughs::{Borough, Boroughs};
pub use error::RoadsError;
pub use many_to_many::COMPACT_FROM;
pub use network::{BuildReport, Matrix, RoadNetwork, RoadSegment, Snap, DEFAULT_MAX_SNAP_M};
pub use osm::MaxspeedStats;
pub use profile::{RoadClass, SpeedProfile};
pub use restrictions::RestrictionStats;
pub use storage::{FORMAT_VERSION, MAGIC};
