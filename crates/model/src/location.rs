//! Points on the map: WGS84 latitude/longitude, British National Grid input,
//! and distances.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Bounding box of Great Britain and Northern Ireland used to catch swapped or
/// mistyped coordinates (latitude 49.8–60.9, longitude −8.7–1.8).
pub const UK_LAT: (f64, f64) = (49.8, 60.9);
/// Longitude range of the UK check, see [`UK_LAT`].
pub const UK_LON: (f64, f64) = (-8.7, 1.8);

/// A WGS84 point in decimal degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Location {
    /// Latitude, degrees north.
    pub lat: f64,
    /// Longitude, degrees east.
    pub lon: f64,
}

impl Location {
    /// A point from latitude and longitude in degrees.
    pub const fn new(lat: f64, lon: f64) -> Self {
        Location { lat, lon }
    }

    /// Converts British National Grid (OSGB36 / EPSG:27700) easting and
    /// northing in metres, as council GIS exports use, to WGS84 with the
    /// Ordnance Survey's OSTN15 transformation (centimetre accuracy).
    pub fn from_bng(easting: f64, northing: f64) -> Result<Self, BngError> {
        // The OSTN15 grid's extent, checked here: lonlat_bng multiplies
        // cell indices in i32, which overflows (a panic in debug builds, a
        // wrong cell in release) for values far outside it (found by the
        // csv_input fuzz target).
        if !((0.0..=BNG_EASTING_MAX).contains(&easting)
            && (0.0..=BNG_NORTHING_MAX).contains(&northing))
        {
            return Err(BngError { easting, northing });
        }
        let (lon, lat) = lonlat_bng::convert_osgb36_to_ll(easting, northing)
            .map_err(|_| BngError { easting, northing })?;
        if !(lat.is_finite() && lon.is_finite()) {
            return Err(BngError { easting, northing });
        }
        Ok(Location { lat, lon })
    }

    /// True when both coordinates are finite numbers.
    pub fn is_finite(&self) -> bool {
        self.lat.is_finite() && self.lon.is_finite()
    }

    /// True when the point lies in the UK bounding box.
    pub fn in_uk(&self) -> bool {
        self.is_finite()
            && (UK_LAT.0..=UK_LAT.1).contains(&self.lat)
            && (UK_LON.0..=UK_LON.1).contains(&self.lon)
    }

    /// Great-circle distance in metres (haversine, mean Earth radius).
    pub fn haversine_m(&self, other: &Location) -> f64 {
        const R: f64 = 6_371_008.8;
        let (p1, p2) = (self.lat.to_radians(), other.lat.to_radians());
        let dp = p2 - p1;
        let dl = (other.lon - self.lon).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * R * a.sqrt().asin()
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.6},{:.6}", self.lat, self.lon)
    }
}

/// Largest easting of the OSTN15 grid, metres.
pub const BNG_EASTING_MAX: f64 = 700_000.0;
/// Largest northing of the OSTN15 grid, metres.
pub const BNG_NORTHING_MAX: f64 = 1_250_000.0;

/// A British National Grid coordinate that could not be converted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("easting {easting}, northing {northing} is not a British National Grid coordinate inside the OSTN15 grid (eastings 0–700000, northings 0–1250000 metres)")]
pub struct BngError {
    /// Easting in metres.
    pub easting: f64,
    /// Northing in metres.
    pub northing: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bng_far_outside_the_grid_is_an_error_not_an_overflow() {
        for (e, n) in [
            (5.555555555555556e90, 185129.4),
            (526560.5, -1e12),
            (3e9, 3e9),
            (-1.0, 0.0),
            (f64::NAN, 0.0),
        ] {
            assert!(Location::from_bng(e, n).is_err(), "{e}, {n}");
        }
        assert!(Location::from_bng(528476.2, 184518.4).is_ok());
    }

    #[test]
    fn bng_matches_published_school_coordinates() {
        // Camden Centre for Learning, EduBase: E 528476.2, N 184518.4,
        // lon -0.14865, lat 51.544945 (pyproj).
        let p = Location::from_bng(528476.2, 184518.4).unwrap();
        let expected = Location::new(51.544945, -0.14865);
        assert!(p.haversine_m(&expected) < 2.0, "{p} vs {expected}");
        assert!(p.in_uk());
        assert!(Location::from_bng(f64::NAN, 1.0).is_err());
        assert!(Location::from_bng(-5_000_000.0, 184518.4).is_err());
    }

    #[test]
    fn uk_box_catches_swapped_coordinates() {
        assert!(Location::new(51.5, -0.12).in_uk());
        assert!(!Location::new(-0.12, 51.5).in_uk());
        assert!(!Location::new(f64::NAN, 0.0).in_uk());
        let d = Location::new(51.5, -0.12).haversine_m(&Location::new(51.51, -0.12));
        assert!((d - 1112.0).abs() < 5.0, "{d}");
    }
}
