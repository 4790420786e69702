//! `senroute bench --scale`: how the planner scales with the number of
//! pupils, on cohorts generated like `senroute generate` on the bundled
//! roads. One row per size: time to the first complete plan, search
//! iterations per second, objective per pupil after each time budget (a
//! separate solve per budget, since the annealing schedule follows the
//! budget), the greedy baseline's, the plan's vehicle cost per pupil and
//! the peak memory.
//!
//! Each size runs in a child process (`--scale-one`), so that its peak
//! resident memory (`VmHWM`) is its own.

use crate::{Failure, Output};
use senroute_model::{validate, Session};
use senroute_planner::{plan, travel_times, PlanOptions, UNASSIGNED_PENALTY};
use senroute_roads::{Boroughs, RoadNetwork, SpeedProfile};
use senroute_synth::{
    generate as synthesise, CohortParams, SchoolCatalogue, DEFAULT_BOUNDARIES, DEFAULT_OSM_SCHOOLS,
    DEFAULT_ROADS, DEFAULT_SPECIAL_SCHOOLS,
};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Settings of a scale run.
#[derive(Debug, Clone)]
pub struct ScaleSettings {
    /// Pupils per cohort (split over the three bundled boroughs).
    pub sizes: Vec<usize>,
    /// Search time budgets, seconds.
    pub budgets: Vec<f64>,
    /// Seed of the cohorts and the searches.
    pub seed: u64,
    /// Search threads.
    pub threads: usize,
}

/// One size's measurements.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScaleRow {
    /// Pupils travelling in the morning.
    pub pupils: usize,
    /// Vehicles in the fleet.
    pub fleet: u64,
    /// Seconds to compute the road matrix.
    pub matrix_s: f64,
    /// Seconds from the start of the search to its first complete plan.
    pub first_plan_s: f64,
    /// Pupils the first plan left unplaced.
    pub first_unplaced: usize,
    /// Objective per placed pupil of the greedy baseline, and the pupils it
    /// could not place.
    pub greedy: Option<(f64, usize)>,
    /// Per budget: (seconds, objective per placed pupil, pupils unplaced,
    /// iterations per second, vehicle cost per placed pupil, vehicles).
    pub budgets: Vec<(f64, f64, usize, f64, f64, usize)>,
    /// Peak resident memory of the process, MB.
    pub peak_rss_mb: f64,
}

/// The parent: runs each size in a child process and prints the table.
pub fn scale(s: &ScaleSettings, out: Output) -> Result<(), Failure> {
    let exe = std::env::current_exe().map_err(|e| Failure::Internal(e.into()))?;
    let budgets: Vec<String> = s.budgets.iter().map(|b| b.to_string()).collect();
    let mut rows = Vec::new();
    for &size in &s.sizes {
        if !out.quiet {
            eprintln!("scale: {size} pupils …");
        }
        let child = std::process::Command::new(&exe)
            .args(["--quiet", "bench", "--scale-one", &size.to_string()])
            .args(["--budgets", &budgets.join(",")])
            .args(["--seed", &s.seed.to_string()])
            .args(["--threads", &s.threads.to_string()])
            .output()
            .map_err(|e| Failure::Internal(e.into()))?;
        if !child.status.success() {
            return Err(Failure::Internal(anyhow::anyhow!(
                "the {size}-pupil run failed: {}",
                String::from_utf8_lossy(&child.stderr)
            )));
        }
        let line = String::from_utf8_lossy(&child.stdout);
        let row: ScaleRow = serde_json::from_str(line.trim())
            .map_err(|e| Failure::Internal(anyhow::anyhow!("{e}: {line}")))?;
        if out.json {
            println!("{}", line.trim());
        }
        rows.push(row);
    }
    if !out.json {
        print!("{}", table(&rows, &s.budgets));
    }
    Ok(())
}

/// The table, in Markdown.
pub fn table(rows: &[ScaleRow], budgets: &[f64]) -> String {
    let mut t = String::from("| pupils | fleet | matrix | first plan | iterations/s");
    for b in budgets {
        t += &format!(" | £/pupil {b:.0} s");
    }
    t += " | greedy £/pupil | vehicle £/pupil (last) | vehicles | peak RSS |\n|---|---|---|---|---";
    for _ in budgets {
        t += "|---";
    }
    t += "|---|---|---|---|\n";
    for r in rows {
        let last = r.budgets.last();
        t += &format!(
            "| {} | {} | {:.1} s | {:.1} s{} | {:.0}",
            r.pupils,
            r.fleet,
            r.matrix_s,
            r.first_plan_s,
            if r.first_unplaced > 0 {
                format!(" ({} unplaced)", r.first_unplaced)
            } else {
                String::new()
            },
            last.map_or(0.0, |b| b.3)
        );
        for b in &r.budgets {
            let un = if b.2 > 0 {
                format!(" ({} unplaced)", b.2)
            } else {
                String::new()
            };
            t += &format!(" | {:.2}{un}", b.1);
        }
        t += &format!(
            " | {} | {} | {} | {:.0} MB |\n",
            r.greedy.map_or("–".into(), |(g, u)| if u > 0 {
                format!("{g:.2} ({u} unplaced)")
            } else {
                format!("{g:.2}")
            }),
            last.map_or("–".into(), |b| format!("{:.2}", b.4)),
            last.map_or(0, |b| b.5),
            r.peak_rss_mb
        );
    }
    t
}

fn input(e: &dyn std::fmt::Display) -> Failure {
    Failure::Input(e.to_string())
}

/// The child: one size, printed as one JSON line.
pub fn scale_one(size: usize, s: &ScaleSettings) -> Result<(), Failure> {
    let roads = Path::new(DEFAULT_ROADS);
    let (network, _) =
        RoadNetwork::from_pbf(roads, &SpeedProfile::default()).map_err(|e| input(&e))?;
    let boroughs = Boroughs::from_geojson(Path::new(DEFAULT_BOUNDARIES)).map_err(|e| input(&e))?;
    let schools = SchoolCatalogue::load(
        Path::new(DEFAULT_SPECIAL_SCHOOLS),
        Path::new(DEFAULT_OSM_SCHOOLS),
    )
    .map_err(|e| input(&e))?;
    let mut params = CohortParams::default();
    let per = size.div_ceil(params.boroughs.len().max(1));
    params.pupils_per_borough = u32::try_from(per).map_err(|e| input(&e))?;
    params.seed = s.seed;
    let cohort = synthesise(&params, &network, &boroughs, &schools).map_err(|e| input(&e))?;
    let mut problem = cohort.problem;
    problem.session = Session::Am;
    let fleet: u64 = problem.fleet.iter().map(|v| u64::from(v.count)).sum();
    let started = Instant::now();
    let travel = travel_times(&problem, &network, 300.0)
        .map_err(|e| input(&e))?
        .times;
    let matrix_s = started.elapsed().as_secs_f64();
    drop(network);
    let pupils = problem.travelling_pupils().count();
    let mut row = ScaleRow {
        pupils,
        fleet,
        matrix_s,
        first_plan_s: 0.0,
        first_unplaced: 0,
        greedy: None,
        budgets: Vec::new(),
        peak_rss_mb: 0.0,
    };
    for &b in &s.budgets {
        let options = PlanOptions {
            time_limit: Some(Duration::from_secs_f64(b)),
            iteration_limit: None,
            seed: s.seed,
            threads: s.threads,
            cancel: Arc::new(AtomicBool::new(false)),
        };
        let t = Instant::now();
        let run = plan(&problem, &travel, &options, &|_| {});
        let solve_s = t.elapsed().as_secs_f64();
        let violations = validate(&problem, &travel, &run.plan);
        if !violations.is_empty() {
            return Err(Failure::Internal(anyhow::anyhow!(
                "the {pupils}-pupil plan failed validation: {}",
                violations[0]
            )));
        }
        row.first_plan_s = run.stats.first_solution.as_secs_f64();
        row.first_unplaced = run.stats.first_unassigned;
        // objectives without the penalties of unplaced pupils, per placed
        let per_placed = |objective: f64, unplaced: usize| {
            (objective - UNASSIGNED_PENALTY * unplaced as f64) / (pupils - unplaced).max(1) as f64
        };
        row.greedy = run.stats.greedy_cost.map(|g| {
            let u = run.stats.greedy_unassigned;
            (per_placed(g, u), u)
        });
        let totals = &run.plan.totals;
        row.budgets.push((
            b,
            per_placed(run.objective, totals.unassigned),
            totals.unassigned,
            run.iterations as f64 / solve_s.max(1e-9),
            totals.cost / totals.assigned.max(1) as f64,
            totals.vehicles,
        ));
    }
    row.peak_rss_mb = peak_rss_mb();
    println!(
        "{}",
        serde_json::to_string(&row).map_err(|e| Failure::Internal(e.into()))?
    );
    Ok(())
}

/// Peak resident set size of this process (Linux `VmHWM`), MB; 0 elsewhere.
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}
