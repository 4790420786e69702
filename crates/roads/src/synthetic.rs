//! Synthetic grid networks for scaling experiments.
//!
//! The grid goes through the same code path as a parsed PBF (ways → graph →
//! compression → SCC → contraction hierarchy → spatial index), only the
//! reading is replaced.

use std::collections::HashMap;

use crate::osm::CarWay;
use crate::{BuildReport, RoadClass, RoadNetwork, SpeedProfile};

/// Builds a `rows × cols` street grid around central London with `spacing_m`
/// between junctions. Every 10th street is a two-way `primary` road, the
/// others are `residential` one-way streets alternating in direction (a
/// Manhattan-style grid), and each block edge carries one intermediate
/// geometry point (so that compression has work to do).
pub fn grid(
    rows: usize,
    cols: usize,
    spacing_m: f64,
    profile: &SpeedProfile,
) -> (RoadNetwork, BuildReport) {
    let (lat0, lon0): (f64, f64) = (51.3, -0.5);
    let dlat = spacing_m / 111_195.0;
    let dlon = dlat / lat0.to_radians().cos();
    let mut coords: HashMap<i64, (i32, i32)> = HashMap::new();
    let to_e7 = |v: f64| (v * 1e7).round() as i32;
    // Junction (r, c) has id r*cols + c + 1; midpoints get ids beyond.
    let jid = |r: usize, c: usize| (r * cols + c + 1) as i64;
    for r in 0..rows {
        for c in 0..cols {
            let lat = lat0 + r as f64 * dlat;
            let lon = lon0 + c as f64 * dlon;
            coords.insert(jid(r, c), (to_e7(lat), to_e7(lon)));
        }
    }
    let mut next_id = (rows * cols + 1) as i64;
    let mut mid = |coords: &mut HashMap<i64, (i32, i32)>, lat: f64, lon: f64| {
        next_id += 1;
        coords.insert(next_id, (to_e7(lat), to_e7(lon)));
        next_id
    };
    let mut ways = Vec::new();
    let speed = |class| profile.speed_kmh(class, None);
    let mut way_id = 0i64;
    let mut street = |nodes: Vec<i64>, k: usize| {
        way_id += 1;
        let arterial = k % 10 == 0;
        let class = if arterial {
            RoadClass::Primary
        } else {
            RoadClass::Residential
        };
        let dir = k % 2 == 0;
        CarWay {
            id: way_id,
            class,
            nodes,
            fwd: arterial || dir,
            bwd: arterial || !dir,
            speed_kmh: speed(class),
        }
    };
    for r in 0..rows {
        let mut nodes = Vec::with_capacity(2 * cols);
        for c in 0..cols {
            if c > 0 {
                let lat = lat0 + r as f64 * dlat;
                let lon = lon0 + (c as f64 - 0.5) * dlon;
                nodes.push(mid(&mut coords, lat, lon));
            }
            nodes.push(jid(r, c));
        }
        ways.push(street(nodes, r));
    }
    for c in 0..cols {
        let mut nodes = Vec::with_capacity(2 * rows);
        for r in 0..rows {
            if r > 0 {
                let lat = lat0 + (r as f64 - 0.5) * dlat;
                let lon = lon0 + c as f64 * dlon;
                nodes.push(mid(&mut coords, lat, lon));
            }
            nodes.push(jid(r, c));
        }
        ways.push(street(nodes, c));
    }
    let mut report = BuildReport {
        source: format!("synthetic grid {rows}x{cols}"),
        car_ways: ways.len(),
        ..BuildReport::default()
    };
    let net = RoadNetwork::from_ways(&ways, &coords, &[], profile, &mut report);
    (net, report)
}
