//! `senroute pool --study`: the reproducible pooling study. Generates a
//! cohort for every borough the bundled roads cover, at a realistic size
//! scaled to the part of the borough the roads cover (see the synth
//! README), runs the study at each time budget and writes the report of the
//! largest budget with the saving against the budget.

use crate::{Failure, Output};
use anyhow::Context;
use senroute_planner::travel_times;
use senroute_pooling::{
    output, run_study_with, BudgetPoint, LocalSolver, StudyError, StudyOptions,
};
use senroute_roads::{Boroughs, RoadNetwork, SpeedProfile};
use senroute_synth::{
    sizes, CohortParams, SchoolCatalogue, DEFAULT_BOUNDARIES, DEFAULT_OSM_SCHOOLS, DEFAULT_ROADS,
    DEFAULT_SPECIAL_SCHOOLS,
};
use std::collections::HashMap;
use std::path::Path;

/// Budgets a study compares at most.
const MAX_BUDGETS: usize = 6;

/// Parses `0.05,0.1` (seconds per pupil, each above 0 and at most 60).
fn parse_budgets(spec: &str) -> Result<Vec<f64>, Failure> {
    let mut out = Vec::new();
    for v in spec.split(',') {
        let b: f64 = v.trim().parse().map_err(|_| {
            Failure::Input(format!(
                "--budgets: {:?} is not a number of seconds per pupil",
                v.trim()
            ))
        })?;
        if !(b > 0.0 && b <= 60.0) {
            return Err(Failure::Input(format!(
                "--budgets: {b} is out of range; give seconds per pupil above 0 and at most 60"
            )));
        }
        out.push(b);
    }
    if out.len() > MAX_BUDGETS {
        return Err(Failure::Input(format!(
            "--budgets: at most {MAX_BUDGETS} budgets, {} given",
            out.len()
        )));
    }
    out.sort_by(f64::total_cmp);
    out.dedup();
    Ok(out)
}

/// Hectares of each borough (the boundary file's `HECTARES` property).
fn hectares(path: &str) -> Result<HashMap<String, f64>, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Input(format!("{path}: cannot read the file: {e}")))?;
    let v: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Failure::Input(format!("{path}: not GeoJSON: {e}")))?;
    Ok(v["features"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| {
            let p = &f["properties"];
            Some((p["GSS_CODE"].as_str()?.to_string(), p["HECTARES"].as_f64()?))
        })
        .collect())
}

/// Pupils per borough: realistic size × covered share × `scale`, at least 2.
fn cohort_sizes(
    codes: &[String],
    network: &RoadNetwork,
    boroughs: &Boroughs,
    scale: f64,
) -> Result<Vec<(u32, f64)>, Failure> {
    let ha = hectares(DEFAULT_BOUNDARIES)?;
    let mut points: HashMap<String, Vec<[f64; 2]>> = HashMap::new();
    for seg in network.road_segments() {
        for &[lat, lon] in seg.points {
            if let Some(b) = boroughs.containing(lat, lon) {
                points.entry(b.gss.clone()).or_default().push([lat, lon]);
            }
        }
    }
    codes
        .iter()
        .map(|c| {
            let whole = sizes::transported_pupils(c).ok_or_else(|| {
                Failure::Input(format!(
                    "borough {c} has no realistic size in senroute_synth::sizes::EHC_PLANS"
                ))
            })?;
            let share = sizes::covered_share(
                points.get(c).into_iter().flatten().copied(),
                ha.get(c).copied().unwrap_or(0.0),
            );
            let n = (f64::from(whole) * share * scale).round().max(2.0) as u32;
            Ok((n, share))
        })
        .collect()
}

/// Runs the study and writes its report to `dir`.
pub fn run(
    budgets: &str,
    scale: f64,
    options: StudyOptions,
    solver: LocalSolver,
    dir: &Path,
    out: Output,
) -> Result<(), Failure> {
    let budgets = parse_budgets(budgets)?;
    if !(scale > 0.0 && scale <= 1.0) {
        return Err(Failure::Input(format!(
            "--scale {scale}: give a fraction above 0 and at most 1"
        )));
    }
    let input = |e: &dyn std::fmt::Display| Failure::Input(e.to_string());
    let network = RoadNetwork::from_pbf(DEFAULT_ROADS, &SpeedProfile::default())
        .map(|(n, _)| n)
        .map_err(|e| input(&e))?;
    let boroughs = Boroughs::from_geojson(DEFAULT_BOUNDARIES).map_err(|e| input(&e))?;
    let schools = SchoolCatalogue::load(
        Path::new(DEFAULT_SPECIAL_SCHOOLS),
        Path::new(DEFAULT_OSM_SCHOOLS),
    )
    .map_err(|e| input(&e))?;
    let mut params = CohortParams {
        seed: options.seeds.first().copied().unwrap_or(1),
        ..CohortParams::default()
    };
    let sizes = cohort_sizes(&params.boroughs, &network, &boroughs, scale)?;
    params.pupils_by_borough = sizes.iter().map(|(n, _)| *n).collect();
    let chatty = !out.quiet && !out.json;
    if chatty {
        for (c, (n, share)) in params.boroughs.iter().zip(&sizes) {
            eprintln!(
                "{c}: {n} pupils ({:.0} % of the borough covered by the roads, scale {scale})",
                share * 100.0
            );
        }
    }
    let cohort =
        senroute_synth::generate(&params, &network, &boroughs, &schools).map_err(|e| input(&e))?;
    let cohort_dir = dir.join("cohort");
    cohort
        .write_csv(&cohort_dir)
        .with_context(|| format!("writing the cohort to {}", cohort_dir.display()))?;
    let problem = cohort.problem;
    let rt = travel_times(&problem, &network, senroute_roads::DEFAULT_MAX_SNAP_M)?;
    let progress = |line: &str| {
        if chatty {
            eprintln!("  {line}");
        }
    };
    let mut curve = Vec::new();
    let mut last = None;
    for &b in &budgets {
        let opts = StudyOptions {
            seconds_per_pupil: b,
            iterations_per_pupil: None,
            ..options.clone()
        };
        let study = match run_study_with(&problem, &rt.times, &opts, &progress, &solver) {
            Ok(s) => s,
            Err(StudyError::Input(e)) => return Err(e.into()),
            Err(StudyError::Solver(e)) => return Err(Failure::Internal(anyhow::anyhow!(e))),
        };
        let r = &study.report;
        if chatty {
            eprintln!(
                "budget {b} s/pupil: saving £{:.2}/day (95 % CI £{:.2} to £{:.2}), {:.1} %",
                r.saving.mean, r.saving.low, r.saving.high, r.saving_pct.mean
            );
        }
        curve.push(BudgetPoint {
            seconds_per_pupil: b,
            saving: r.saving,
            saving_pct: r.saving_pct,
            alone_cost: r.alone_cost,
            pooled_cost: r.pooled_cost,
        });
        last = Some(study);
    }
    let mut study = last.ok_or_else(|| Failure::Input("--budgets: give at least one".into()))?;
    study.report.budget_curve = curve;
    study
        .report
        .set_names(boroughs.iter().map(|b| (b.gss.as_str(), b.name.as_str())));
    for f in cohort_dir
        .read_dir()
        .with_context(|| format!("listing {}", cohort_dir.display()))?
        .flatten()
    {
        let p = f.path();
        let h = output::sha256_file(&p).with_context(|| format!("hashing {}", p.display()))?;
        study.report.inputs.push((p.display().to_string(), h));
    }
    study.report.inputs.sort();
    let geometry = senroute_report::Geometry::roads(&network, rt.times.keys(), &rt.snaps);
    let maps = crate::pool::pooling_maps(&problem, &study, &geometry);
    let written = output::write(dir, &study, &maps)
        .with_context(|| format!("writing to {}", dir.display()))?;
    crate::pool::summary(&study, &written, out)
}
