//! Measures a matrix run like `senroute matrix` will:
//!
//! ```text
//! cargo run --release -p senroute-roads --example matrix -- NETWORK POINTS.csv [OUT.json]
//! cargo run --release -p senroute-roads --example matrix -- --random N PBF OUT_POINTS.csv
//! cargo run --release -p senroute-roads --example matrix -- --prepare PBF OUT.bin
//! cargo run --release -p senroute-roads --example matrix -- --factors PBF POINTS.csv 0.5 0.8 1.0
//! ```
//!
//! The first form prints the [`senroute_roads::matrix_report::MatrixReport`]
//! as one JSON line. `--random` writes N random points on the roads of the
//! PBF (deterministic seed) as a `lat,lon` CSV, `--prepare` saves the
//! prepared network, `--factors` prints the mean duration, distance and
//! speed of the points' matrix under each urban factor.

use std::io::Write;
use std::path::Path;

use senroute_roads::{RoadNetwork, SpeedProfile};

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--random") if args.len() == 4 => {
            let n: usize = args[1].parse()?;
            let (net, _) = RoadNetwork::from_pbf(&args[2], &SpeedProfile::default())?;
            let mut f = std::io::BufWriter::new(std::fs::File::create(&args[3])?);
            writeln!(f, "lat,lon")?;
            let segs: Vec<_> = net.road_segments().collect();
            let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
            for _ in 0..n {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let s = &segs[(x % segs.len() as u64) as usize];
                let p = s.points[(x >> 32) as usize % s.points.len()];
                // Up to ~50 m off the road.
                let jitter = |k: u64| ((k % 1000) as f64 / 1000.0 - 0.5) * 0.0007;
                writeln!(
                    f,
                    "{:.6},{:.6}",
                    p[0] + jitter(x >> 8),
                    p[1] + jitter(x >> 20)
                )?;
            }
        }
        Some("--factors") if args.len() >= 4 => {
            // Mean duration and speed of the same matrix under several urban factors.
            let pts = senroute_roads::matrix_report::read_points(Path::new(&args[2]))?;
            for f in &args[3..] {
                let profile = SpeedProfile {
                    urban_factor: f.parse()?,
                    ..SpeedProfile::default()
                };
                let (net, _) = RoadNetwork::from_pbf(&args[1], &profile)?;
                let snaps = net.snap_all(&pts)?;
                let m = net.matrix(&snaps);
                let n = m.durations_s.len() as f64;
                let (dur, dist): (f64, f64) = (
                    m.durations_s.iter().sum::<f64>() / n,
                    m.distances_m.iter().sum::<f64>() / n,
                );
                println!(
                    "{{\"urban_factor\":{f},\"mean_duration_s\":{dur:.1},\"mean_distance_m\":{dist:.0},\"mean_speed_kmh\":{:.2}}}",
                    dist / dur * 3.6
                );
            }
        }
        Some("--prepare") if args.len() == 3 => {
            let (net, report) = RoadNetwork::from_pbf(&args[1], &SpeedProfile::default())?;
            net.save(&args[2])?;
            println!("{}", serde_json::to_string(&report)?);
        }
        Some(_) if args.len() == 2 || args.len() == 3 => {
            let out = args.get(2).map(Path::new);
            let r =
                senroute_roads::matrix_report::run(Path::new(&args[0]), Path::new(&args[1]), out)?;
            println!("{}", serde_json::to_string(&r)?);
        }
        _ => {
            eprintln!(
                "usage: matrix NETWORK POINTS.csv [OUT.json] | --random N PBF OUT.csv | \
                 --prepare PBF OUT.bin | --factors PBF POINTS.csv F..."
            );
            std::process::exit(2);
        }
    }
    Ok(())
}
