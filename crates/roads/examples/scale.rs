//! Scaling experiment on synthetic grids (same code path as a PBF after parsing):
//!
//! ```text
//! cargo run --release -p senroute-roads --example scale -- SIDE [SIDE...]
//! ```
//!
//! For each `SIDE`, builds a `SIDE × SIDE` junction grid (plus one geometry
//! point per block edge), then snaps 2,000 random points and computes the
//! 2000² matrix. Prints one JSON line per grid: nodes, edges, shortcuts,
//! preprocessing wall and CPU seconds, matrix wall and CPU seconds.

use std::time::Instant;

use senroute_roads::{matrix_report::process_cpu_seconds, synthetic, SpeedProfile};

fn main() {
    let sides: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("grid side as an integer"))
        .collect();
    for side in sides {
        let cpu_build0 = process_cpu_seconds();
        let t = Instant::now();
        let (net, report) = synthetic::grid(side, side, 80.0, &SpeedProfile::default());
        let build = t.elapsed().as_secs_f64();
        let build_cpu = process_cpu_seconds() - cpu_build0;
        let b = net.bbox();
        let mut x: u64 = 0x1234_5678_9abc_def1;
        let mut unit = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        let pts: Vec<(String, f64, f64)> = (0..2000)
            .map(|i| {
                let lat = b[0] + unit() * (b[2] - b[0]);
                let lon = b[1] + unit() * (b[3] - b[1]);
                (format!("g{i}"), lat, lon)
            })
            .collect();
        let snaps = net.snap_all(&pts).expect("grid points are near roads");
        let cpu0 = process_cpu_seconds();
        let t = Instant::now();
        let m = net.matrix(&snaps);
        let wall = t.elapsed().as_secs_f64();
        let cpu = process_cpu_seconds() - cpu0;
        let sum: f64 = m.durations_s.iter().filter(|d| d.is_finite()).sum();
        println!(
            "{{\"side\":{side},\"graph_nodes\":{},\"graph_edges\":{},\"ch_shortcuts\":{},\
             \"build_seconds\":{build:.2},\"build_cpu_seconds\":{build_cpu:.2},\"graph_seconds\":{:.2},\"ch_seconds\":{:.2},\
             \"matrix_wall_seconds\":{wall:.3},\"matrix_cpu_seconds\":{cpu:.3},\"sum_durations_s\":{sum:.0}}}",
            report.graph_nodes,
            report.graph_edges,
            report.ch_shortcuts,
            report.graph_seconds,
            report.ch_seconds,
        );
    }
}
