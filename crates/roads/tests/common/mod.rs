//! Shared helpers for the integration tests (networks are built once per test binary).
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

use senroute_roads::{BuildReport, RoadNetwork, Snap, SpeedProfile};

/// Path of a file under the repository root.
pub fn repo(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

pub const MIXED: &str = "data/osm/london_camden_westminster_city_drive_mixed.osm.pbf";
pub const CAMDEN: &str = "data/osm/london_camden.osm.pbf";

fn build(rel: &str) -> (RoadNetwork, BuildReport) {
    RoadNetwork::from_pbf(repo(rel), &SpeedProfile::default()).expect("bundled file builds")
}

pub fn mixed() -> &'static (RoadNetwork, BuildReport) {
    static N: OnceLock<(RoadNetwork, BuildReport)> = OnceLock::new();
    N.get_or_init(|| build(MIXED))
}

pub fn camden() -> &'static (RoadNetwork, BuildReport) {
    static N: OnceLock<(RoadNetwork, BuildReport)> = OnceLock::new();
    N.get_or_init(|| build(CAMDEN))
}

/// Deterministic xorshift generator.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `n` random snapped points on the network: positions part-way along
/// random segments, nudged up to ~20 m off the road.
pub fn random_snaps(net: &RoadNetwork, n: usize, seed: u64) -> Vec<Snap> {
    let segs: Vec<_> = net.road_segments().collect();
    let mut rng = Rng(seed);
    (0..n)
        .map(|i| {
            let s = &segs[(rng.next() % segs.len() as u64) as usize];
            let k = (rng.next() % (s.points.len() as u64 - 1)) as usize;
            let t = rng.unit();
            let (a, b) = (s.points[k], s.points[k + 1]);
            let lat = a[0] + t * (b[0] - a[0]) + (rng.unit() - 0.5) * 0.0003;
            let lon = a[1] + t * (b[1] - a[1]) + (rng.unit() - 0.5) * 0.0003;
            net.snap(&format!("p{i}"), lat, lon, 300.0)
                .expect("near a road")
        })
        .collect()
}
