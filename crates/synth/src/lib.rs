//! # senroute-synth
//!
//! Realistic synthetic cohorts of pupils with special educational needs
//! (SEN) who get home-to-school transport in London boroughs. Real pupil
//! data is confidential; researchers, tests and the demo plan these instead.
//!
//! A cohort is a [`senroute_model::Problem`] (AM session) written as the
//! coordinators' `pupils.csv`, `schools.csv` and `fleet.csv`:
//!
//! - **homes** on residential roads of the [`RoadNetwork`](senroute_roads::RoadNetwork) inside each
//!   requested borough (living streets and unclassified roads too where
//!   residential roads are scarce), 5–15 m off the road like a house front,
//!   at most [`HOME_MAX_SNAP_M`] from a road;
//! - **schools** from a [`SchoolCatalogue`]: the bundled real London special
//!   schools (EduBase) and OpenStreetMap schools, those within
//!   [`CohortParams::max_school_snap_m`] of a road; a share of pupils at
//!   special schools, a share crossing a borough line, nearer schools more
//!   likely; staggered bell times (AM arrival opening 08:25–08:45 for 15–20
//!   minutes, PM departure opening 15:00–15:30 for 15 minutes);
//! - **needs**: wheelchair users (half needing a tail-lift, all with a
//!   passenger assistant), passenger assistants, solo travellers,
//!   must-not-travel-together pairs at the same school, AM- or PM-only
//!   pupils, earliest pick-up times, 45/75-minute ride caps by phase;
//! - **fleet**: each borough owns taxis, minibuses with an assistant and
//!   wheelchair-accessible vehicles (WAV) at a depot on its roads, sized for
//!   its morning pupils (one vehicle per solo traveller, shared runs of 3 per
//!   taxi and 5 per minibus but never more than one per school and kind, a
//!   WAV per school with wheelchair users, one per 2 of them) times [`CohortParams::fleet_slack`]; `tests/feasible.rs`
//!   plans each borough alone with its own fleet and leaves no pupil out.
//!
//! Shares are met as exact quotas (rounded), so a 300-pupil cohort with the
//! default 7 % wheelchair share has 21 wheelchair users; only the
//! borough-crossing share can exceed its target, when some pupils have no
//! school of their kind in their own borough. Randomness is a ChaCha8
//! generator seeded with [`CohortParams::seed`] (a portable stream), and
//! nothing depends on hash-map order or the clock: the same inputs give
//! byte-identical files. (Across CPU architectures a last-bit difference in
//! the platform's `exp`/`cos` could in principle tip one choice; within one
//! platform and build the output is exact.)
//!
//! ```no_run
//! use senroute_roads::{Boroughs, RoadNetwork, SpeedProfile};
//! use senroute_synth::{generate, CohortParams, SchoolCatalogue};
//! use senroute_synth::{DEFAULT_BOUNDARIES, DEFAULT_OSM_SCHOOLS, DEFAULT_ROADS, DEFAULT_SPECIAL_SCHOOLS};
//! use std::path::Path;
//!
//! let (network, _) = RoadNetwork::from_pbf(DEFAULT_ROADS, &SpeedProfile::default())?;
//! let boroughs = Boroughs::from_geojson(DEFAULT_BOUNDARIES)?;
//! let schools =
//!     SchoolCatalogue::load(Path::new(DEFAULT_SPECIAL_SCHOOLS), Path::new(DEFAULT_OSM_SCHOOLS))?;
//! let cohort = generate(&CohortParams::default(), &network, &boroughs, &schools)?;
//! print!("{}", cohort.stats);
//! cohort.write_csv(Path::new("out"))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

mod catalogue;
mod error;
mod generate;
mod output;
mod params;
pub mod sizes;
mod stats;

pub use catalogue::{osm_phase, phase_from_ages, CatalogueSchool, SchoolCatalogue, SAME_SITE_M};
pub use error::SynthError;
pub use generate::{
    generate, Cohort, HOME_MAX_SNAP_M, MINIBUS_SEATS, SCARCE_RESIDENTIAL_M, TAXI_SEATS, WAV_SEATS,
    WAV_SPACES,
};
pub use params::CohortParams;
pub use senroute_model::csv_out::{FLEET_HEADER, PUPILS_HEADER, SCHOOLS_HEADER};
pub use stats::{BoroughStats, CohortStats};

/// The bundled list of real London special schools (EduBase 2017), relative
/// to the repository root: the default of `senroute generate --special-schools`.
pub const DEFAULT_SPECIAL_SCHOOLS: &str =
    "data/schools/edubase_2017_london_special_partial_geocoded.csv";
/// The bundled OpenStreetMap schools, relative to the repository root.
pub const DEFAULT_OSM_SCHOOLS: &str = "data/schools/osm_schools_london_extracts.csv";
/// The bundled GLA borough boundaries, relative to the repository root.
pub const DEFAULT_BOUNDARIES: &str = "data/boundaries/london_boroughs_gla_wgs84.geojson";
/// The bundled road file covering the default boroughs (Camden, Westminster,
/// City of London and their fringes), relative to the repository root.
pub const DEFAULT_ROADS: &str = "data/osm/london_camden_westminster_city_drive_mixed.osm.pbf";
