//! Standard benchmark loaders (Solomon / Homberger VRPTW, Li & Lim PDPTW,
//! Cordeau 2006 DARP) and the benchmark runner behind `senroute bench`.
//!
//! Conventions: Euclidean distances in double precision, travel time equal
//! to distance; hierarchical objective (vehicles, then distance) for Solomon
//! and Li & Lim; total distance for Cordeau.

use crate::checker::{self, Format};
use crate::{
    CapacityRule, Instance, ObjectiveWeights, Request, Solution, SolverConfig, Stop, TravelMatrix,
    VehicleType, VisitKind,
};
use std::path::Path;
use std::time::{Duration, Instant};

/// A benchmark instance mapped onto the solver's [`Instance`].
#[derive(Clone, Debug)]
pub struct BenchInstance {
    /// File stem, e.g. `C101`.
    pub name: String,
    /// File format.
    pub format: Format,
    /// The solver instance.
    pub instance: Instance,
    /// Per request: (pickup node number, delivery node number) in the file
    /// (0 when absent; Solomon customers have only a delivery).
    pub node_numbers: Vec<(usize, usize)>,
}

fn rows(text: &str) -> Vec<Vec<f64>> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut v = Vec::new();
        let mut ok = true;
        for tok in line.split_whitespace() {
            match tok.parse::<f64>() {
                Ok(x) => v.push(x),
                Err(_) => {
                    ok = false;
                    break;
                }
            }
        }
        if ok && !v.is_empty() {
            out.push(v);
        }
    }
    out
}

fn stop(location: usize, open: f64, close: f64, service: f64) -> Stop {
    Stop {
        location,
        tw_open: open,
        tw_close: close,
        service,
    }
}

fn request(
    pickup: Option<Stop>,
    delivery: Option<Stop>,
    load: i32,
    max_ride: Option<f64>,
) -> Request {
    Request {
        pickup,
        delivery,
        load: vec![load],
        max_ride,
        required_features: 0,
        travel_alone: false,
        conflicts: Vec::new(),
        ride_time_weight: None,
        vehicle_types: None,
        preference: None,
        group: None,
    }
}

fn vehicle(
    count: usize,
    start: usize,
    end: usize,
    cap: i32,
    open: f64,
    close: f64,
    max_duration: Option<f64>,
) -> VehicleType {
    VehicleType {
        count,
        start_location: start,
        end_location: end,
        capacity: vec![CapacityRule {
            coef: vec![1],
            limit: cap,
        }],
        features: 0,
        fixed_cost: 0.0,
        cost_per_distance: 1.0,
        cost_per_duration: 0.0,
        shift_open: open,
        shift_close: close,
        max_duration,
        max_groups: None,
    }
}

fn make(coords: &[(f64, f64)], requests: Vec<Request>, vt: VehicleType, hier: bool) -> Instance {
    let m = Instance::euclidean_matrices(coords);
    Instance {
        matrix: TravelMatrix::dense(coords.len(), m.clone(), m)
            .expect("square, non-negative matrices")
            .into(),
        fixed_routes: Vec::new(),
        initial_routes: Vec::new(),
        requests,
        vehicle_types: vec![vt],
        objective: ObjectiveWeights {
            ride_time: 0.0,
            unassigned_penalty: 1e7,
            minimise_vehicles: hier,
        },
    }
}

/// Parses a Solomon / Homberger VRPTW file (customers become delivery-only
/// requests; location index = customer number).
pub fn parse_solomon(name: &str, text: &str) -> Result<BenchInstance, String> {
    let rs = rows(text);
    let head = rs
        .iter()
        .find(|r| r.len() == 2)
        .ok_or("missing VEHICLE section")?;
    let nodes: Vec<&Vec<f64>> = rs.iter().filter(|r| r.len() == 7).collect();
    if nodes.len() < 2 {
        return Err("no customers".into());
    }
    let coords: Vec<(f64, f64)> = nodes.iter().map(|r| (r[1], r[2])).collect();
    let requests = nodes[1..]
        .iter()
        .enumerate()
        .map(|(i, r)| request(None, Some(stop(i + 1, r[4], r[5], r[6])), r[3] as i32, None))
        .collect();
    let d = nodes[0];
    let vt = vehicle(head[0] as usize, 0, 0, head[1] as i32, d[4], d[5], None);
    Ok(BenchInstance {
        name: name.into(),
        format: Format::Solomon,
        instance: make(&coords, requests, vt, true),
        node_numbers: (1..nodes.len()).map(|i| (0, i)).collect(),
    })
}

/// Parses a Li & Lim PDPTW file (`id x y demand e l service pickup delivery`).
pub fn parse_lilim(name: &str, text: &str) -> Result<BenchInstance, String> {
    let rs = rows(text);
    if rs.is_empty() || rs[0].len() != 3 {
        return Err("bad header".into());
    }
    let nodes: Vec<&Vec<f64>> = rs[1..].iter().filter(|r| r.len() == 9).collect();
    if nodes.is_empty() {
        return Err("no nodes".into());
    }
    let coords: Vec<(f64, f64)> = nodes.iter().map(|r| (r[1], r[2])).collect();
    let mut requests = Vec::new();
    let mut numbers = Vec::new();
    for (i, r) in nodes.iter().enumerate().skip(1) {
        let dsib = r[8] as usize;
        if dsib > 0 {
            let dn = nodes.get(dsib).ok_or("bad delivery sibling")?;
            requests.push(request(
                Some(stop(i, r[4], r[5], r[6])),
                Some(stop(dsib, dn[4], dn[5], dn[6])),
                r[3] as i32,
                None,
            ));
            numbers.push((i, dsib));
        }
    }
    let d = nodes[0];
    let vt = vehicle(rs[0][0] as usize, 0, 0, rs[0][1] as i32, d[4], d[5], None);
    Ok(BenchInstance {
        name: name.into(),
        format: Format::LiLim,
        instance: make(&coords, requests, vt, true),
        node_numbers: numbers,
    })
}

/// Parses a Cordeau (2006) DARP file (`K n T Q L`, then
/// `id x y service load e l` for nodes 0..=2n+1).
pub fn parse_cordeau(name: &str, text: &str) -> Result<BenchInstance, String> {
    let rs = rows(text);
    if rs.is_empty() || rs[0].len() != 5 {
        return Err("bad header".into());
    }
    let h = &rs[0];
    let n = h[1] as usize;
    let nodes: Vec<&Vec<f64>> = rs[1..].iter().filter(|r| r.len() == 7).collect();
    if nodes.len() < 2 * n + 2 {
        return Err("too few nodes".into());
    }
    let coords: Vec<(f64, f64)> = nodes[..2 * n + 2].iter().map(|r| (r[1], r[2])).collect();
    let requests = (1..=n)
        .map(|i| {
            let p = nodes[i];
            let d = nodes[n + i];
            request(
                Some(stop(i, p[5], p[6], p[3])),
                Some(stop(n + i, d[5], d[6], d[3])),
                p[4] as i32,
                Some(h[4]),
            )
        })
        .collect();
    let (s, e) = (nodes[0], nodes[2 * n + 1]);
    let vt = vehicle(
        h[0] as usize,
        0,
        2 * n + 1,
        h[3] as i32,
        s[5],
        e[6],
        Some(h[2]),
    );
    Ok(BenchInstance {
        name: name.into(),
        format: Format::Cordeau,
        instance: make(&coords, requests, vt, false),
        node_numbers: (1..=n).map(|i| (i, n + i)).collect(),
    })
}

/// Loads a benchmark file of the given format.
pub fn load(format: Format, path: &Path) -> Result<BenchInstance, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    match format {
        Format::Solomon => parse_solomon(&name, &text),
        Format::LiLim => parse_lilim(&name, &text),
        Format::Cordeau => parse_cordeau(&name, &text),
    }
}

/// Parses `solomon`, `lilim` or `cordeau`.
pub fn parse_format(s: &str) -> Option<Format> {
    match s.to_ascii_lowercase().as_str() {
        "solomon" | "homberger" => Some(Format::Solomon),
        "lilim" | "li-lim" | "pdptw" => Some(Format::LiLim),
        "cordeau" | "darp" => Some(Format::Cordeau),
        _ => None,
    }
}

/// Options of one benchmark run.
#[derive(Clone, Debug)]
pub struct BenchOptions {
    /// Time limit per instance in seconds.
    pub seconds: f64,
    /// Optional iteration limit per thread (reproducible runs).
    pub iterations: Option<u64>,
    /// Random seed.
    pub seed: u64,
    /// Worker threads.
    pub threads: usize,
    /// Include the routes in the output.
    pub routes: bool,
}

/// Result of one benchmark run; `vehicles`, `distance` and `feasible` come
/// from the independent [`checker`] re-reading the instance file.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchResult {
    /// Instance name.
    pub instance: String,
    /// Vehicles used.
    pub vehicles: usize,
    /// Total distance.
    pub distance: f64,
    /// Wall-clock seconds spent.
    pub seconds: f64,
    /// Verdict of the independent checker.
    pub feasible: bool,
    /// Routes as node numbers of the file (Solomon: customer numbers), if
    /// requested.
    pub routes: Option<Vec<Vec<usize>>>,
    /// Search iterations (summed over threads); not part of the JSON line.
    pub iterations: u64,
    /// Problems found by the checker (and unassigned requests); not part of
    /// the JSON line.
    pub errors: Vec<String>,
}

impl BenchResult {
    /// One JSON line:
    /// `{"instance","vehicles","distance","seconds","feasible"[,"routes"]}`.
    pub fn to_json(&self) -> String {
        let name: String = self
            .instance
            .chars()
            .flat_map(|c| match c {
                '"' => vec!['\\', '"'],
                '\\' => vec!['\\', '\\'],
                c => vec![c],
            })
            .collect();
        let mut s = format!(
            "{{\"instance\":\"{}\",\"vehicles\":{},\"distance\":{:.4},\"seconds\":{:.3},\"feasible\":{}",
            name, self.vehicles, self.distance, self.seconds, self.feasible
        );
        if let Some(routes) = &self.routes {
            let rs: Vec<String> = routes
                .iter()
                .map(|r| {
                    let v: Vec<String> = r.iter().map(|x| x.to_string()).collect();
                    format!("[{}]", v.join(","))
                })
                .collect();
            s.push_str(&format!(",\"routes\":[{}]", rs.join(",")));
        }
        s.push('}');
        s
    }
}

/// Maps a solution's routes to the file's node numbers.
pub fn routes_as_node_numbers(b: &BenchInstance, sol: &Solution) -> Vec<Vec<usize>> {
    sol.routes
        .iter()
        .map(|r| {
            r.visits
                .iter()
                .map(|v| match v.kind {
                    VisitKind::Pickup => b.node_numbers[v.request].0,
                    VisitKind::Delivery => b.node_numbers[v.request].1,
                })
                .collect()
        })
        .collect()
}

/// Loads, solves and independently checks one benchmark file. This is the
/// library function behind `senroute bench`.
pub fn run_bench(format: Format, path: &Path, opts: &BenchOptions) -> Result<BenchResult, String> {
    let b = load(format, path)?;
    let started = Instant::now();
    let cfg = SolverConfig {
        time_limit: Some(Duration::from_secs_f64(opts.seconds.max(0.0))),
        iteration_limit: opts.iterations,
        seed: opts.seed,
        threads: opts.threads.max(1),
        ..SolverConfig::default()
    };
    let sol = crate::solve(&b.instance, &cfg, &|_| {});
    let seconds = started.elapsed().as_secs_f64();
    let routes = routes_as_node_numbers(&b, &sol);
    let report = checker::check_file(format, path, &routes)?;
    Ok(BenchResult {
        instance: b.name,
        vehicles: report.vehicles,
        distance: report.distance,
        seconds,
        feasible: report.feasible && sol.unassigned.is_empty(),
        routes: opts.routes.then_some(routes),
        iterations: sol.iterations,
        errors: report
            .errors
            .into_iter()
            .chain(sol.unassigned.iter().map(|u| format!("unassigned {u:?}")))
            .collect(),
    })
}
