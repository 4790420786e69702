//! London boroughs from the GLA boundary GeoJSON.

use std::path::Path;

use geo::{BoundingRect, Contains, Distance, Euclidean, MultiPolygon, Point, Rect};
use serde::Serialize;

use crate::RoadsError;

/// One borough: its GSS code (e.g. `E09000007`) and name (e.g. `Camden`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Borough {
    /// ONS GSS code (`GSS_CODE` property).
    pub gss: String,
    /// Borough name (`NAME` property).
    pub name: String,
}

/// Borough polygons, for locating points.
#[derive(Debug, Clone)]
pub struct Boroughs {
    items: Vec<(Borough, MultiPolygon<f64>, Rect<f64>)>,
    /// The polygons with longitudes scaled by `cos(lat0)`, for distances.
    scaled: Vec<MultiPolygon<f64>>,
    /// `cos` of the boroughs' mean latitude.
    k: f64,
}

impl Boroughs {
    /// Reads a GeoJSON FeatureCollection of (multi)polygons with `NAME` and
    /// `GSS_CODE` properties in WGS84 (lon, lat).
    pub fn from_geojson(path: impl AsRef<Path>) -> Result<Boroughs, RoadsError> {
        let path = path.as_ref();
        let bad = |detail: String| RoadsError::Boundaries {
            path: path.to_path_buf(),
            detail,
        };
        let text = std::fs::read_to_string(path).map_err(|e| RoadsError::io("read", path, e))?;
        let fc: geojson::FeatureCollection = text
            .parse()
            .map_err(|e| bad(format!("not a GeoJSON FeatureCollection: {e}")))?;
        let mut items = Vec::new();
        for (i, f) in fc.features.iter().enumerate() {
            let prop = |k: &str| {
                f.property(k)
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
                    .ok_or_else(|| bad(format!("feature {i} has no string property {k}")))
            };
            let b = Borough {
                gss: prop("GSS_CODE")?,
                name: prop("NAME")?,
            };
            let Some(g) = &f.geometry else {
                return Err(bad(format!("feature {i} ({}) has no geometry", b.name)));
            };
            let geom: geo::Geometry<f64> = g
                .try_into()
                .map_err(|e| bad(format!("feature {i} ({}): {e}", b.name)))?;
            let mp = match geom {
                geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
                geo::Geometry::MultiPolygon(mp) => mp,
                _ => return Err(bad(format!("feature {i} ({}) is not a polygon", b.name))),
            };
            let Some(rect) = mp.bounding_rect() else {
                return Err(bad(format!("feature {i} ({}) is empty", b.name)));
            };
            items.push((b, mp, rect));
        }
        if items.is_empty() {
            return Err(bad("no borough polygon in the file".into()));
        }
        let lat0 = items
            .iter()
            .map(|(_, _, r)| (r.min().y + r.max().y) / 2.0)
            .sum::<f64>()
            / items.len() as f64;
        let k = lat0.to_radians().cos();
        let scaled = items
            .iter()
            .map(|(_, mp, _)| {
                use geo::MapCoords;
                mp.map_coords(|c| geo::coord! { x: c.x * k, y: c.y })
            })
            .collect();
        Ok(Boroughs { items, scaled, k })
    }

    /// All boroughs, in file order.
    pub fn iter(&self) -> impl Iterator<Item = &Borough> {
        self.items.iter().map(|(b, _, _)| b)
    }

    /// The borough containing the point, or `None` if it lies outside all of them.
    pub fn containing(&self, lat: f64, lon: f64) -> Option<&Borough> {
        let p = Point::new(lon, lat);
        self.items
            .iter()
            .find(|(_, mp, r)| r.contains(&p) && mp.contains(&p))
            .map(|(b, _, _)| b)
    }

    /// The borough of a point: the one containing it, else (river, bridges,
    /// just outside London) the nearest one. `None` only for NaN coordinates.
    pub fn locate(&self, lat: f64, lon: f64) -> Option<&Borough> {
        if !(lat.is_finite() && lon.is_finite()) {
            return None;
        }
        if let Some(b) = self.containing(lat, lon) {
            return Some(b);
        }
        // Nearest in a locally scaled plane (longitude shrunk by cos(lat)).
        let p = Point::new(lon * self.k, lat);
        self.items
            .iter()
            .zip(&self.scaled)
            .map(|((b, _, _), mp)| (b, Euclidean.distance(&p, mp)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(b, _)| b)
    }
}
