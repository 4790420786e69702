//! What the page's map draws, computed on the server from the road
//! network: each run's line along the roads, the roads around the plan as
//! background, schools and depots, and what the page shows of each pupil.
//!
//! Coordinates are metres on a local flat projection (x east, y south, from
//! `origin`), so the page draws them into an SVG without any map library:
//! `x = (lon − lon0)·kx`, `y = (lat0 − lat)·ky`.

use super::api::{visible_plan, visible_problem};
use super::{caller, ApiError, AppState};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use senroute_model::{AnyPlan, LocationKey, Plan, Problem, Session, Stop};
use senroute_report::{route_colour, Geometry};
use senroute_roads::{RoadClass, RoadNetwork};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::fmt::Write;

/// A plan with the stops that have no coordinates (other boroughs'
/// pupils' homes, redacted) left out: lines go from the stop before to the
/// stop after, never near the hidden home.
fn located(plan: &Plan) -> Plan {
    let mut p = plan.clone();
    for r in &mut p.routes {
        r.stops.retain(|s| s.location.is_finite());
    }
    p
}

/// `plan` with the stops [`located`] keeps, in each session.
pub(super) fn located_any(plan: &AnyPlan) -> AnyPlan {
    match plan {
        AnyPlan::Session(p) => AnyPlan::Session(located(p)),
        AnyPlan::Day(d) => {
            let mut d = d.clone();
            d.am = located(&d.am);
            d.pm = located(&d.pm);
            AnyPlan::Day(d)
        }
    }
}

/// Road geometry for the stops of `plans`: each location snapped to the
/// network (a lookup per location), or straight lines without a network.
pub(super) fn geometry<'a>(
    network: Option<&'a RoadNetwork>,
    plans: &[&Plan],
    max_snap_m: f64,
) -> Geometry<'a> {
    let Some(network) = network else {
        return Geometry::Straight;
    };
    let mut snaps = HashMap::new();
    for stop in plans.iter().flat_map(|p| &p.routes).flat_map(|r| &r.stops) {
        if snaps.contains_key(&stop.location_key) {
            continue;
        }
        if let Ok(s) = network.snap("stop", stop.location.lat, stop.location.lon, max_snap_m) {
            snaps.insert(stop.location_key.clone(), s);
        }
    }
    Geometry::Roads { network, snaps }
}

/// The flat projection around a centre point.
#[derive(Debug, Clone, Copy)]
struct Flat {
    lat0: f64,
    lon0: f64,
    kx: f64,
    ky: f64,
}

impl Flat {
    fn new(lat0: f64, lon0: f64) -> Self {
        Flat {
            lat0,
            lon0,
            kx: 111_320.0 * lat0.to_radians().cos(),
            ky: 110_574.0,
        }
    }

    fn xy(&self, lat: f64, lon: f64) -> (f64, f64) {
        ((lon - self.lon0) * self.kx, (self.lat0 - lat) * self.ky)
    }
}

/// Drawing tier of a road class: 2 main roads, 1 secondary and tertiary,
/// 0 streets; service roads are not drawn.
fn tier(class: RoadClass) -> Option<usize> {
    use RoadClass::*;
    match class {
        Motorway | MotorwayLink | Trunk | TrunkLink | Primary | PrimaryLink => Some(2),
        Secondary | SecondaryLink | Tertiary | TertiaryLink => Some(1),
        Unclassified | Residential | LivingStreet => Some(0),
        Service => None,
    }
}

/// The roads inside `bbox` (x0, y0, x1, y1 in metres) as one SVG path per
/// tier, points thinned to one per `step` metres. Streets are left out of
/// views wider than 25 km.
fn roads_paths(net: &RoadNetwork, flat: Flat, bbox: [f64; 4]) -> Vec<Value> {
    let wide = (bbox[2] - bbox[0]).max(bbox[3] - bbox[1]) > 25_000.0;
    let step = if wide { 40.0 } else { 12.0 };
    let mut d = [String::new(), String::new(), String::new()];
    for seg in net.road_segments() {
        let Some(t) = tier(seg.class) else { continue };
        if wide && t == 0 {
            continue;
        }
        let pts: Vec<(f64, f64)> = seg.points.iter().map(|p| flat.xy(p[0], p[1])).collect();
        let inside = pts
            .iter()
            .any(|&(x, y)| x >= bbox[0] && x <= bbox[2] && y >= bbox[1] && y <= bbox[3]);
        if !inside || pts.len() < 2 {
            continue;
        }
        let mut last = pts[0];
        let _ = write!(d[t], "M{:.0} {:.0}", last.0, last.1);
        let end = pts.len() - 1;
        for (i, &p) in pts.iter().enumerate().skip(1) {
            if i == end || (p.0 - last.0).hypot(p.1 - last.1) >= step {
                let _ = write!(d[t], "L{:.0} {:.0}", p.0, p.1);
                last = p;
            }
        }
    }
    let names = ["street", "secondary", "main"];
    d.iter()
        .enumerate()
        .filter(|(_, d)| !d.is_empty())
        .map(|(t, d)| json!({ "tier": names[t], "d": d }))
        .collect()
}

fn place_name(problem: &Problem, key: &LocationKey) -> String {
    match key {
        LocationKey::Home(id) => format!("home of {id}"),
        LocationKey::School(id) => problem
            .school(id)
            .map_or_else(|| format!("school {id}"), |s| s.name.clone()),
        LocationKey::Depot(id) => format!("depot of {id}"),
    }
}

fn needs_of(p: &senroute_model::Pupil) -> Vec<String> {
    let n = &p.needs;
    let mut out = Vec::new();
    if n.wheelchair {
        out.push("wheelchair".to_string());
    }
    if n.tail_lift {
        out.push("tail-lift".into());
    }
    if n.passenger_assistant {
        out.push("passenger assistant".into());
    }
    if n.travel_alone {
        out.push("travels alone".into());
    }
    if !n.must_not_travel_with.is_empty() {
        out.push(format!("never with {}", n.must_not_travel_with.join(", ")));
    }
    if n.extra_boarding_minutes > 0 {
        out.push(format!(
            "{} extra boarding minutes",
            n.extra_boarding_minutes
        ));
    }
    if let Some(t) = n.earliest_pickup {
        out.push(format!("pick-up not before {t}"));
    }
    out
}

fn map_json(state: &AppState, problem: &Problem, plan: &Plan) -> Value {
    let drawn = located(plan);
    let geometry = geometry(state.roads.as_deref(), &[&drawn], state.max_snap_m);
    let lines: Vec<Vec<(f64, f64)>> = drawn
        .routes
        .iter()
        .map(|r| geometry.route_line(r))
        .collect();
    let mut pts: Vec<(f64, f64)> = lines.iter().flatten().copied().collect();
    pts.extend(
        problem
            .schools
            .iter()
            .map(|s| (s.location.lat, s.location.lon)),
    );
    pts.extend(
        plan.unassigned
            .iter()
            .filter_map(|u| problem.pupil(&u.pupil))
            .map(|p| (p.home.lat, p.home.lon)),
    );
    pts.retain(|p| p.0.is_finite() && p.1.is_finite());
    let (mut lat0, mut lat1, mut lon0, mut lon1) = (90.0f64, -90.0f64, 180.0f64, -180.0f64);
    for &(lat, lon) in &pts {
        lat0 = lat0.min(lat);
        lat1 = lat1.max(lat);
        lon0 = lon0.min(lon);
        lon1 = lon1.max(lon);
    }
    if pts.is_empty() {
        (lat0, lat1, lon0, lon1) = (51.50, 51.52, -0.14, -0.12);
    }
    let flat = Flat::new((lat0 + lat1) / 2.0, (lon0 + lon1) / 2.0);
    let (x0, y1) = flat.xy(lat0, lon0);
    let (x1, y0) = flat.xy(lat1, lon1);
    let margin = 400.0;
    let bbox = [x0 - margin, y0 - margin, x1 + margin, y1 + margin];
    let roads = state
        .roads
        .as_deref()
        .map(|n| roads_paths(n, flat, bbox))
        .unwrap_or_default();
    let xy = |lat: f64, lon: f64| {
        let (x, y) = flat.xy(lat, lon);
        json!([(x * 10.0).round() / 10.0, (y * 10.0).round() / 10.0])
    };
    let runs: Vec<Value> = plan
        .routes
        .iter()
        .zip(&lines)
        .enumerate()
        .map(|(i, (r, line))| {
            let stops: Vec<Value> = r
                .stops
                .iter()
                .map(|s: &Stop| {
                    json!({
                        "at": if s.location.is_finite() { xy(s.location.lat, s.location.lon) } else { Value::Null },
                        "place": place_name(problem, &s.location_key),
                    })
                })
                .collect();
            json!({
                "run": i + 1,
                "colour": route_colour(i),
                "line": line.iter().map(|&(lat, lon)| xy(lat, lon)).collect::<Vec<_>>(),
                "stops": stops,
            })
        })
        .collect();
    let schools: Vec<Value> = problem
        .schools
        .iter()
        .map(|s| json!({ "id": s.id, "name": s.name, "at": xy(s.location.lat, s.location.lon) }))
        .collect();
    let mut depots: Vec<Value> = Vec::new();
    for v in &problem.fleet {
        depots.push(json!({ "id": v.id, "at": xy(v.depot.lat, v.depot.lon) }));
    }
    let pupils: serde_json::Map<String, Value> = problem
        .pupils
        .iter()
        .map(|p| {
            let school = problem.school(&p.school);
            (
                p.id.clone(),
                json!({
                    "school": p.school,
                    "school_name": school.map(|s| s.name.clone()),
                    "needs": needs_of(p),
                    "max_ride_minutes": problem.max_ride_seconds(p).map(|s| (s / 60.0).round()),
                    "home": xy(p.home.lat, p.home.lon),
                }),
            )
        })
        .collect();
    json!({
        "origin": { "lat": flat.lat0, "lon": flat.lon0, "kx": flat.kx, "ky": flat.ky },
        "bbox": bbox.map(|v| v.round()),
        "roads": roads,
        "runs": runs,
        "schools": schools,
        "depots": depots,
        "pupils": pupils,
    })
}

/// The query of the map: which session of a day plan to draw.
#[derive(Debug, Default, serde::Deserialize)]
pub struct MapQuery {
    /// `am` (the default) or `pm`; a session plan has only its own.
    session: Option<String>,
}

/// `GET /api/v1/jobs/{id}/map[?session=am|pm]`: the map of a succeeded
/// job's plan; of a day plan, the map of the session asked for (AM by
/// default).
pub async fn map(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<MapQuery>,
) -> Result<Json<Value>, ApiError> {
    let caller = caller(&state, &headers)?;
    let (_, plan) = visible_plan(&state, &caller, &id).await?;
    let problem = visible_problem(&state, &caller, &id, &plan).await?;
    let wanted = match q.session.as_deref() {
        None | Some("") => None,
        Some("am") => Some(Session::Am),
        Some("pm") => Some(Session::Pm),
        Some(other) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                format!(
                    "session {:?}: ask for session=am or session=pm",
                    senroute_model::limits::excerpt(other)
                ),
            ))
        }
    };
    let session_plan = match (plan, wanted) {
        (AnyPlan::Session(p), Some(w)) if w != p.session => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("this is a plan of the {} session only, not {w}", p.session),
            ))
        }
        (AnyPlan::Session(p), _) => p,
        (AnyPlan::Day(d), Some(Session::Pm)) => d.pm,
        (AnyPlan::Day(d), _) => d.am,
    };
    let problem = problem.for_session(session_plan.session);
    let state2 = state.clone();
    let value = tokio::task::spawn_blocking(move || map_json(&state2, &problem, &session_plan))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(Json(value))
}
