//! Road-network benchmarks: build from PBF, load the prepared file, snap
//! 10k points, 100² and 1000² matrices on the bundled mixed London file.
//!
//! `cargo bench --bench roads` (criterion). The 2000² CPU-time figures of
//! the README come from `crates/roads/examples/matrix.rs`, which reports CPU
//! seconds as `senroute matrix` will.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use senroute::roads::{RoadNetwork, Snap, SpeedProfile};

fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

const MIXED: &str = "data/osm/london_camden_westminster_city_drive_mixed.osm.pbf";

/// `n` deterministic pseudo-random points inside the network's bounding box
/// that snap within 300 m.
fn points(net: &RoadNetwork, n: usize) -> Vec<(String, f64, f64)> {
    let b = net.bbox();
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut unit = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let lat = b[0] + unit() * (b[2] - b[0]);
        let lon = b[1] + unit() * (b[3] - b[1]);
        if net.snap("probe", lat, lon, 300.0).is_ok() {
            out.push((format!("p{}", out.len()), lat, lon));
        }
    }
    out
}

fn benches(c: &mut Criterion) {
    let pbf = data(MIXED);
    let profile = SpeedProfile::default();
    let mut g = c.benchmark_group("roads");
    g.sample_size(10);
    g.bench_function("build_from_pbf_mixed", |b| {
        b.iter(|| RoadNetwork::from_pbf(&pbf, &profile).unwrap())
    });
    let (net, _) = RoadNetwork::from_pbf(&pbf, &profile).unwrap();
    let bin = std::env::temp_dir().join(format!("senroute-bench-{}.bin", std::process::id()));
    net.save(&bin).unwrap();
    g.bench_function("load_prepared_mixed", |b| {
        b.iter(|| RoadNetwork::load(&bin).unwrap())
    });
    let pts = points(&net, 10_000);
    g.bench_function("snap_10k", |b| b.iter(|| net.snap_all(&pts).unwrap()));
    let snaps: Vec<Snap> = net.snap_all(&pts).unwrap();
    g.bench_function("matrix_100", |b| b.iter(|| net.matrix(&snaps[..100])));
    g.bench_function("matrix_1000", |b| b.iter(|| net.matrix(&snaps[..1000])));
    g.finish();
    let _ = std::fs::remove_file(&bin);
}

criterion_group!(roads, benches);
criterion_main!(roads);
