//! The engine of `senroute matrix --osm FILE --points points.csv [--out m.json]`.

use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::{Matrix, RoadNetwork, RoadsError, Snap, SpeedProfile, DEFAULT_MAX_SNAP_M};

/// One JSON line describing a matrix run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatrixReport {
    /// The road file given (`.osm.pbf` built on the fly, anything else loaded
    /// as a prepared network).
    pub network: String,
    /// `"pbf"` if the network was built from OpenStreetMap, `"prepared"` if loaded.
    pub network_kind: String,
    /// The points file.
    pub points: String,
    /// Number of points (the matrix is `n × n`).
    pub n: usize,
    /// Graph nodes of the network.
    pub graph_nodes: usize,
    /// Wall seconds to build (PBF) or load (prepared file) the network.
    pub prepare_seconds: f64,
    /// Wall seconds to snap the points.
    pub snap_seconds: f64,
    /// Wall seconds of the matrix computation.
    pub matrix_wall_seconds: f64,
    /// CPU seconds (user + system, all threads) of the matrix computation.
    pub matrix_cpu_seconds: f64,
    /// Threads available to the computation.
    pub threads: usize,
    /// Sum of all finite durations, seconds (a checksum of the matrix).
    pub sum_durations_s: f64,
    /// Number of unreachable pairs.
    pub unreachable: usize,
    /// Largest snap distance, metres.
    pub max_snap_m: f64,
}

/// The matrix file written with `--out`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MatrixFile {
    /// Number of points.
    pub n: usize,
    /// Row-major `n × n` durations, seconds (`null` = unreachable).
    pub durations_s: Vec<f64>,
    /// Row-major `n × n` distances, metres (`null` = unreachable).
    pub distances_m: Vec<f64>,
    /// The snapped points, in input order.
    pub snaps: Vec<Snap>,
}

/// CPU seconds (user + system) used by this process so far.
pub fn process_cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes into the zeroed struct we pass.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    if rc != 0 {
        return f64::NAN;
    }
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// Reads a points CSV: one `lat,lon` pair per row, an optional `lat,lon`
/// header, extra columns ignored. Labels are `row N` (1-based line number).
/// Most points of one matrix: the `senroute_model::limits::MAX_LOCATIONS`
/// of a planning problem (22,500; a dense matrix of about 16 GB at its peak).
pub const MAX_POINTS: usize = 22_500;

/// Reads the points file: `lat,lon` rows, at most [`MAX_POINTS`].
pub fn read_points(path: &Path) -> Result<Vec<(String, f64, f64)>, RoadsError> {
    let bad = |detail: String| RoadsError::Points {
        path: path.to_path_buf(),
        detail,
    };
    let text = std::fs::read_to_string(path).map_err(|e| RoadsError::io("read", path, e))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut cols = line.split(',').map(str::trim);
        let (a, b) = (cols.next().unwrap_or(""), cols.next().unwrap_or(""));
        if out.is_empty() && a.eq_ignore_ascii_case("lat") && b.eq_ignore_ascii_case("lon") {
            continue;
        }
        let parse = |s: &str| s.parse::<f64>().ok();
        if out.len() == MAX_POINTS {
            return Err(bad(format!(
                "more than {MAX_POINTS} points (line {}): a matrix that large would not fit in memory; split the points",
                i + 1
            )));
        }
        match (parse(a), parse(b)) {
            (Some(lat), Some(lon)) => out.push((format!("row {}", i + 1), lat, lon)),
            _ => {
                let shown: String = line.chars().take(80).collect();
                return Err(bad(format!(
                    "line {} is not `lat,lon` decimal degrees: {shown:?}{}",
                    i + 1,
                    if shown.len() < line.len() { " …" } else { "" }
                )));
            }
        }
    }
    if out.is_empty() {
        return Err(bad(
            "no points: expected rows of `lat,lon` (decimal degrees), optionally under a \
             `lat,lon` header"
                .into(),
        ));
    }
    Ok(out)
}

/// Builds (`.pbf`, default [`SpeedProfile`]) or loads (any profile) the
/// network, snaps the points, computes the `n × n` matrix and reports
/// timings; writes the matrix to `out` if given.
pub fn run(network: &Path, points: &Path, out: Option<&Path>) -> Result<MatrixReport, RoadsError> {
    run_inner(network, points, out, None)
}

/// As [`run`] with an explicit speed profile: a PBF is built with it, and a
/// prepared file built with another profile is rejected as stale.
pub fn run_with_profile(
    network: &Path,
    points: &Path,
    out: Option<&Path>,
    profile: &SpeedProfile,
) -> Result<MatrixReport, RoadsError> {
    run_inner(network, points, out, Some(profile))
}

fn run_inner(
    network: &Path,
    points: &Path,
    out: Option<&Path>,
    profile: Option<&SpeedProfile>,
) -> Result<MatrixReport, RoadsError> {
    let pts = read_points(points)?;
    let t = Instant::now();
    let is_pbf = network.to_string_lossy().ends_with(".pbf");
    let default = SpeedProfile::default();
    let net = match (is_pbf, profile) {
        (true, p) => RoadNetwork::from_pbf(network, p.unwrap_or(&default))?.0,
        (false, None) => RoadNetwork::load(network)?,
        (false, Some(p)) => RoadNetwork::load_with_profile(network, p)?,
    };
    let prepare_seconds = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let snaps = net.snap_all_within(&pts, DEFAULT_MAX_SNAP_M)?;
    let snap_seconds = t.elapsed().as_secs_f64();
    let cpu0 = process_cpu_seconds();
    let t = Instant::now();
    let m: Matrix = net.matrix(&snaps);
    let matrix_wall_seconds = t.elapsed().as_secs_f64();
    let matrix_cpu_seconds = process_cpu_seconds() - cpu0;
    let report = MatrixReport {
        network: network.display().to_string(),
        network_kind: if is_pbf { "pbf" } else { "prepared" }.into(),
        points: points.display().to_string(),
        n: snaps.len(),
        graph_nodes: net.node_count(),
        prepare_seconds,
        snap_seconds,
        matrix_wall_seconds,
        matrix_cpu_seconds,
        threads: rayon::current_num_threads(),
        sum_durations_s: m.durations_s.iter().filter(|d| d.is_finite()).sum(),
        unreachable: m.durations_s.iter().filter(|d| !d.is_finite()).count(),
        max_snap_m: snaps.iter().map(|s| s.distance_m).fold(0.0, f64::max),
    };
    if let Some(out) = out {
        let file = MatrixFile {
            n: snaps.len(),
            durations_s: m.durations_s,
            distances_m: m.distances_m,
            snaps,
        };
        let json = serde_json::to_vec(&file).expect("a matrix always serialises");
        std::fs::write(out, json).map_err(|e| RoadsError::io("write", out, e))?;
    }
    Ok(report)
}
