//! Travel times over the road network.

use senroute_model::{InputErrors, InputIssue, LocationKey, Problem, TravelTimes};
use senroute_roads::{Boroughs, RoadNetwork, RoadsError, Snap};

/// Travel times for a problem plus where each location snapped to the roads
/// (used to draw routes along the roads).
#[derive(Debug, Clone)]
pub struct RoadTravel {
    /// The matrices, keyed by problem location.
    pub times: TravelTimes,
    /// Snaps in the same order as `times.keys()`.
    pub snaps: Vec<Snap>,
}

fn label(key: &LocationKey) -> String {
    match key {
        LocationKey::Home(id) => format!("home of pupil {id}"),
        LocationKey::School(id) => format!("school {id}"),
        LocationKey::Depot(id) => format!("depot of vehicle type {id}"),
    }
}

/// Snaps every location of `problem` to `network` (at most `max_snap_m`
/// metres away) and computes exact shortest-path durations and distances
/// between all of them. Every location too far from a road is reported.
pub fn travel_times(
    problem: &Problem,
    network: &RoadNetwork,
    max_snap_m: f64,
) -> Result<RoadTravel, InputErrors> {
    let mut locations = problem.locations();
    // Numbered along a space-filling curve, nearby places get nearby rows
    // and columns: the compact matrix's tiles then hold the times between
    // places near each other, which the search looks up together.
    spatial_order(&mut locations);
    let mut errors = InputErrors::default();
    let mut snaps = Vec::with_capacity(locations.len());
    for (key, loc) in &locations {
        match network.snap(&label(key), loc.lat, loc.lon, max_snap_m) {
            Ok(s) => snaps.push(s),
            Err(e) => errors.push(snap_issue(key, e)),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let m = network.travel_matrix(&snaps);
    let keys = locations.into_iter().map(|(k, _)| k).collect();
    let times = TravelTimes::with_matrix(keys, std::sync::Arc::new(m))
        .expect("one road matrix row per location");
    Ok(RoadTravel { times, snaps })
}

/// Travel times for `problem`, by the one precedence every front end (CLI,
/// gRPC, web app) uses: the problem's own matrices when it carries them
/// (they are part of the problem: times the caller measured), else the road
/// network `roads` (with where each location snapped). Neither is an error
/// naming the `matrices` field.
pub fn travel_for(
    problem: &Problem,
    roads: Option<&RoadNetwork>,
    max_snap_m: f64,
) -> Result<(TravelTimes, Option<RoadTravel>), InputErrors> {
    let issue = |message: String, hint: &str| -> InputErrors {
        InputIssue {
            source: "problem".into(),
            line: None,
            field: Some("matrices".into()),
            value: None,
            message,
            hint: hint.into(),
        }
        .into()
    };
    match (&problem.matrices, roads) {
        (Some(m), _) => TravelTimes::from_matrices(m)
            .map(|t| (t, None))
            .map_err(|e| issue(format!("matrices: {e}"), "give one row and column per location, as the README describes")),
        (None, Some(net)) => {
            let rt = travel_times(problem, net, max_snap_m)?;
            Ok((rt.times.clone(), Some(rt)))
        }
        (None, None) => Err(issue(
            "no travel times: the problem carries no matrices and there is no road network".into(),
            "give --roads (a prepared network or an .osm.pbf file; a server: start it with one), or matrices in the problem",
        )),
    }
}

fn snap_issue(key: &LocationKey, e: RoadsError) -> InputIssue {
    let (source, field) = match key {
        LocationKey::Home(id) => ("pupils", format!("home of pupil {id}")),
        LocationKey::School(id) => ("schools", format!("location of school {id}")),
        LocationKey::Depot(id) => ("fleet", format!("depot of vehicle type {id}")),
    };
    InputIssue {
        source: source.to_string(),
        line: None,
        field: Some(field),
        value: None,
        message: e.to_string(),
        hint: "check the coordinates, or use a road file that covers this point".into(),
    }
}

/// Fills blank pupil, school and fleet boroughs from the boundaries; returns
/// how many were filled.
pub fn fill_boroughs(problem: &mut Problem, boroughs: &Boroughs) -> usize {
    let mut n = 0;
    let mut fill = |b: &mut Option<String>, lat: f64, lon: f64| {
        if b.as_deref().is_none_or(str::is_empty) {
            if let Some(found) = boroughs.locate(lat, lon) {
                *b = Some(found.gss.clone());
                n += 1;
            }
        }
    };
    for p in &mut problem.pupils {
        fill(&mut p.borough, p.home.lat, p.home.lon);
    }
    for s in &mut problem.schools {
        fill(&mut s.borough, s.location.lat, s.location.lon);
    }
    n
}

/// Sorts locations along a Z-order (Morton) curve over their bounding box.
fn spatial_order(locations: &mut [(LocationKey, senroute_model::Location)]) {
    if locations.len() < 2 {
        return;
    }
    let (mut lat0, mut lat1, mut lon0, mut lon1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (_, l) in locations.iter() {
        lat0 = lat0.min(l.lat);
        lat1 = lat1.max(l.lat);
        lon0 = lon0.min(l.lon);
        lon1 = lon1.max(l.lon);
    }
    let scale = |x: f64, lo: f64, hi: f64| -> u32 {
        if hi > lo {
            (((x - lo) / (hi - lo)) * 65_535.0)
                .round()
                .clamp(0.0, 65_535.0) as u32
        } else {
            0
        }
    };
    let spread = |mut v: u64| -> u64 {
        v &= 0xffff;
        v = (v | (v << 8)) & 0x00ff_00ff;
        v = (v | (v << 4)) & 0x0f0f_0f0f;
        v = (v | (v << 2)) & 0x3333_3333;
        (v | (v << 1)) & 0x5555_5555
    };
    locations.sort_by_cached_key(|(k, l)| {
        let (y, x) = (scale(l.lat, lat0, lat1), scale(l.lon, lon0, lon1));
        (spread(u64::from(y)) << 1 | spread(u64::from(x)), k.clone())
    });
}
