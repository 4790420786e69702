//! The error type of the crate.

use std::path::PathBuf;

/// Everything that can go wrong while building, loading, snapping or routing.
///
/// Every message names the file or the point concerned and says what to do,
/// so that a coordinator running the CLI can act on it without reading code.
#[derive(Debug, thiserror::Error)]
pub enum RoadsError {
    /// A file could not be opened, read or written.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done ("read", "write", "create").
        action: &'static str,
        /// The file concerned.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The OpenStreetMap PBF file is truncated, corrupt or not a PBF at all.
    #[error(
        "cannot read OpenStreetMap PBF {path}: {detail}; the file is truncated, corrupt or not \
         an .osm.pbf file: download or extract it again"
    )]
    Pbf {
        /// The PBF file.
        path: PathBuf,
        /// What the decoder reported.
        detail: String,
    },
    /// The PBF file decoded but holds no car-drivable road.
    #[error(
        "OpenStreetMap PBF {path} contains no car-drivable road ({detail}); use an extract that \
         covers the area's streets (highway=motorway..residential/service)"
    )]
    NoRoads {
        /// The PBF file.
        path: PathBuf,
        /// Counts explaining what was found instead.
        detail: String,
    },
    /// A prepared network file was written by another program or another format version.
    #[error(
        "{path} is not a usable senroute road network file: {detail}; rebuild it from the \
         .osm.pbf with `senroute prepare --osm FILE.osm.pbf --out FILE` \
         (senroute_roads::RoadNetwork::from_pbf then save)"
    )]
    BadNetworkFile {
        /// The prepared file.
        path: PathBuf,
        /// Why it was rejected (magic, version, profile hash, decoding).
        detail: String,
    },
    /// A point has a NaN, infinite or out-of-range coordinate.
    #[error(
        "point {label} has an invalid coordinate (lat {lat}, lon {lon}); latitudes must be in \
         -90..=90 and longitudes in -180..=180, as decimal degrees (WGS84)"
    )]
    InvalidCoordinate {
        /// The caller's label of the point (pupil or school id, or file row).
        label: String,
        /// The latitude given.
        lat: f64,
        /// The longitude given.
        lon: f64,
    },
    /// The nearest road is farther than the maximum snap distance.
    #[error(
        "point {label} is {distance_m:.0} m from the nearest road of the network (maximum \
         {max_m:.0} m); check its coordinates (lat/lon swapped?) or use a road file that covers it"
    )]
    SnapTooFar {
        /// The caller's label of the point.
        label: String,
        /// Distance to the nearest road segment, metres.
        distance_m: f64,
        /// The maximum allowed, metres.
        max_m: f64,
    },
    /// A points CSV file is empty or malformed.
    #[error("points file {path}: {detail}")]
    Points {
        /// The points file.
        path: PathBuf,
        /// What is wrong and where.
        detail: String,
    },
    /// The borough boundary GeoJSON is unreadable or holds no polygon.
    #[error("borough boundaries {path}: {detail}")]
    Boundaries {
        /// The GeoJSON file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// A speed profile is invalid (non-positive speed or factor).
    #[error("invalid speed profile: {0}")]
    Profile(String),
}

impl RoadsError {
    pub(crate) fn io(action: &'static str, path: &std::path::Path, source: std::io::Error) -> Self {
        RoadsError::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}
