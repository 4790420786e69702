//! `routes.geojson`: each run as a LineString along its legs and each stop as
//! a Point, in one FeatureCollection (coordinates `[lon, lat]`, WGS84).

use crate::geometry::Geometry;
use crate::map::route_colour;
use geojson::{Feature, FeatureCollection, JsonObject, JsonValue, Position};
use senroute_model::time::format_clock;
use senroute_model::Plan;

fn props(pairs: Vec<(&str, JsonValue)>) -> JsonObject {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// The plan as GeoJSON features: first one LineString per run (in run
/// order), then one Point per stop of each run.
///
/// LineString properties: `feature` (`"run"`), `session` (`am`/`pm`),
/// `run` (1-based within the session), `vehicle`
/// (label), `vehicle_type`, `stops`, `pupils`, `distance_km`,
/// `duration_min`, `cost`, `stroke` (the run's map colour). Point
/// properties: `feature` (`"stop"`), `session`, `run`, `vehicle`, `stop` (0 = leaving
/// the depot), `kind`, `location`, `pupils` (array of ids), `arrival`,
/// `departure` (`HH:MM:SS`), `load`, `marker-color`.
pub fn routes_geojson(plan: &Plan, geometry: &Geometry) -> FeatureCollection {
    let mut features = Vec::new();
    for (i, r) in plan.routes.iter().enumerate() {
        let mut coords: Vec<Position> = geometry
            .route_line(r)
            .into_iter()
            .map(|(lat, lon)| Position::from([lon, lat]))
            .collect();
        if coords.len() == 1 {
            // A LineString needs two positions; a run that never moves is
            // drawn as a zero-length line.
            coords.push(coords[0].clone());
        }
        let pupils: usize = r
            .stops
            .iter()
            .filter(|s| s.kind == senroute_model::StopKind::Pickup)
            .map(|s| s.pupils.len())
            .sum();
        features.push(Feature {
            bbox: None,
            geometry: (!coords.is_empty()).then(|| geojson::Geometry::new_line_string(coords)),
            id: None,
            properties: Some(props(vec![
                ("feature", "run".into()),
                ("session", plan.session.to_string().into()),
                ("run", (i + 1).into()),
                ("vehicle", r.label().into()),
                ("vehicle_type", r.vehicle_type.clone().into()),
                ("stops", r.stops.len().into()),
                ("pupils", pupils.into()),
                ("distance_km", round(r.distance_m / 1000.0, 3).into()),
                ("duration_min", round(r.duration_s / 60.0, 1).into()),
                ("cost", round(r.cost, 2).into()),
                ("stroke", route_colour(i).into()),
            ])),
            foreign_members: None,
        });
    }
    for (i, r) in plan.routes.iter().enumerate() {
        for (n, s) in r.stops.iter().enumerate() {
            features.push(Feature {
                bbox: None,
                geometry: Some(geojson::Geometry::new_point([
                    s.location.lon,
                    s.location.lat,
                ])),
                id: None,
                properties: Some(props(vec![
                    ("feature", "stop".into()),
                    ("session", plan.session.to_string().into()),
                    ("run", (i + 1).into()),
                    ("vehicle", r.label().into()),
                    ("stop", n.into()),
                    ("kind", s.kind.to_string().into()),
                    ("location", s.location_key.to_string().into()),
                    ("pupils", s.pupils.clone().into()),
                    ("arrival", format_clock(s.arrival_s).into()),
                    ("departure", format_clock(s.departure_s).into()),
                    ("load", s.load.pupils().into()),
                    ("marker-color", route_colour(i).into()),
                ])),
                foreign_members: None,
            });
        }
    }
    FeatureCollection {
        bbox: None,
        features,
        foreign_members: None,
    }
}

/// A day's runs and stops: the AM plan's features, then the PM plan's
/// (each feature says its `session`).
pub fn day_routes_geojson(day: &senroute_model::DayPlan, geometry: &Geometry) -> FeatureCollection {
    let mut out = routes_geojson(&day.am, geometry);
    out.features
        .extend(routes_geojson(&day.pm, geometry).features);
    out
}

/// Rounds to `digits` decimals. Non-finite values pass through unchanged
/// (and serialise as `null`).
fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}
