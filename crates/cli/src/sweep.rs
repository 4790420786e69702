//! `senroute pool --sweep`: how the pooling saving moves with one parameter,
//! on `senroute generate` cohorts over the bundled roads.

use crate::{Failure, Output};
use senroute_model::Problem;
use senroute_planner::travel_times;
use senroute_pooling::{run_study, StudyOptions};
use senroute_roads::{Boroughs, RoadNetwork, SpeedProfile};
use senroute_synth::{
    CohortParams, SchoolCatalogue, DEFAULT_BOUNDARIES, DEFAULT_OSM_SCHOOLS, DEFAULT_ROADS,
    DEFAULT_SPECIAL_SCHOOLS,
};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::Path;

/// Parameters a sweep can vary.
pub const SWEEPABLE: &[&str] = &[
    "cross_borough_share",
    "wheelchair_share",
    "max_ride_minutes",
    "boroughs",
];

/// One point of a sweep.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SweepRow {
    /// The parameter varied.
    pub parameter: String,
    /// Its value.
    pub value: f64,
    /// Pupils in the cohort.
    pub pupils: usize,
    /// Daily cost with every borough alone, £ (mean over the seeds).
    pub cost_alone: f64,
    /// Daily cost pooled, £.
    pub cost_pooled: f64,
    /// Saving, £/day.
    pub saving: f64,
    /// Saving, %.
    pub saving_pct: f64,
    /// Vehicles alone.
    pub vehicles_alone: f64,
    /// Vehicles pooled.
    pub vehicles_pooled: f64,
}

/// Parses `name=v1,v2,…`.
pub fn parse_sweep(spec: &str) -> Result<(String, Vec<f64>), Failure> {
    let (name, values) = spec.split_once('=').ok_or_else(|| {
        Failure::Input(format!(
            "--sweep {spec:?}: write PARAMETER=V1,V2,… (parameters: {})",
            SWEEPABLE.join(", ")
        ))
    })?;
    let name = name.trim().replace('-', "_");
    if !SWEEPABLE.contains(&name.as_str()) {
        return Err(Failure::Input(format!(
            "--sweep: unknown parameter {name:?}; choose one of {}",
            SWEEPABLE.join(", ")
        )));
    }
    let values = values
        .split(',')
        .map(|v| {
            v.trim()
                .parse::<f64>()
                .map_err(|_| Failure::Input(format!("--sweep {name}: {v:?} is not a number")))
        })
        .collect::<Result<Vec<f64>, _>>()?;
    if values.is_empty() {
        return Err(Failure::Input(format!(
            "--sweep {name}: give at least one value"
        )));
    }
    Ok((name, values))
}

fn params_for(
    name: &str,
    value: f64,
    pupils_per_borough: u32,
    seed: u64,
) -> Result<CohortParams, Failure> {
    let mut p = CohortParams {
        pupils_per_borough,
        seed,
        ..CohortParams::default()
    };
    match name {
        "cross_borough_share" => p.cross_borough_share = value,
        "wheelchair_share" => p.wheelchair_share = value,
        "max_ride_minutes" => {
            p.primary_max_ride_minutes = value as u32;
            p.secondary_max_ride_minutes = value as u32;
        }
        "boroughs" => {
            let k = value as usize;
            if !(2..=p.boroughs.len()).contains(&k) {
                return Err(Failure::Input(format!("--sweep boroughs: {k} is out of range; the bundled roads cover 2 to {} boroughs", p.boroughs.len())));
            }
            p.boroughs.truncate(k);
        }
        _ => unreachable!("checked by parse_sweep"),
    }
    Ok(p)
}

/// Runs the sweep and writes `sweep.csv`, `sweep.json` and `sweep.html` (with an SVG plot).
pub fn run(
    spec: &str,
    pupils_per_borough: u32,
    seed: u64,
    options: &StudyOptions,
    dir: &Path,
    out: Output,
) -> Result<(), Failure> {
    let (name, values) = parse_sweep(spec)?;
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
    let mut rows = Vec::new();
    for &v in &values {
        let params = params_for(&name, v, pupils_per_borough, seed)?;
        let cohort = senroute_synth::generate(&params, &network, &boroughs, &schools)
            .map_err(|e| input(&e))?;
        let problem: Problem = cohort.problem;
        let travel = travel_times(&problem, &network, senroute_roads::DEFAULT_MAX_SNAP_M)?;
        let study = run_study(&problem, &travel.times, options, &|_| {})?;
        let r = &study.report;
        let row = SweepRow {
            parameter: name.clone(),
            value: v,
            pupils: r.alone_total.pupils,
            cost_alone: r.alone_cost.mean,
            cost_pooled: r.pooled_cost.mean,
            saving: r.saving.mean,
            saving_pct: r.saving_pct.mean,
            vehicles_alone: r.alone_total.vehicles,
            vehicles_pooled: r.pooled_total.vehicles,
        };
        if !out.quiet && !out.json {
            println!(
                "{name} = {v}: alone £{:.2}, pooled £{:.2}, saving {:.1} %",
                row.cost_alone, row.cost_pooled, row.saving_pct
            );
        }
        rows.push(row);
    }
    std::fs::create_dir_all(dir).map_err(|e| Failure::Internal(e.into()))?;
    let mut w =
        csv::Writer::from_path(dir.join("sweep.csv")).map_err(|e| Failure::Internal(e.into()))?;
    for r in &rows {
        w.serialize(r).map_err(|e| Failure::Internal(e.into()))?;
    }
    w.flush().map_err(|e| Failure::Internal(e.into()))?;
    let json = serde_json::to_string_pretty(&serde_json::json!({"parameter": name, "pupils_per_borough": pupils_per_borough, "seed": seed, "options": options, "rows": rows}))
        .map_err(|e| Failure::Internal(e.into()))?;
    std::fs::write(dir.join("sweep.json"), &json).map_err(|e| Failure::Internal(e.into()))?;
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>senroute pooling sweep: {name}</title></head><body style=\"font-family:sans-serif\"><h1>Pooling saving against {name}</h1>{}<p>{} pupils per borough, seed {seed}, {} s search per pupil. Data: sweep.csv.</p></body></html>",
        plot_svg(&name, &rows),
        pupils_per_borough,
        options.seconds_per_pupil
    );
    std::fs::write(dir.join("sweep.html"), html).map_err(|e| Failure::Internal(e.into()))?;
    if out.json {
        println!(
            "{}",
            serde_json::to_string(&rows).map_err(|e| Failure::Internal(e.into()))?
        );
    } else if !out.quiet {
        println!(
            "wrote sweep.csv, sweep.json and sweep.html to {}",
            dir.display()
        );
    }
    Ok(())
}

/// A line plot of saving (%) against the parameter.
pub fn plot_svg(name: &str, rows: &[SweepRow]) -> String {
    let (w, h, l, b) = (640.0, 360.0, 60.0, 50.0);
    let xs: Vec<f64> = rows.iter().map(|r| r.value).collect();
    let (x0, x1) = (
        xs.iter().cloned().fold(f64::INFINITY, f64::min),
        xs.iter().cloned().fold(f64::NEG_INFINITY, f64::max),
    );
    let ymax = rows.iter().map(|r| r.saving_pct).fold(1.0, f64::max) * 1.15;
    let ymin = rows.iter().map(|r| r.saving_pct).fold(0.0, f64::min);
    let px = |x: f64| {
        if x1 > x0 {
            l + (w - l - 20.0) * (x - x0) / (x1 - x0)
        } else {
            (w + l) / 2.0
        }
    };
    let py = |y: f64| (h - b) - (h - b - 20.0) * (y - ymin) / (ymax - ymin);
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">"#
    );
    for k in 0..=4 {
        let y = ymin + (ymax - ymin) * k as f64 / 4.0;
        let _ = write!(
            s,
            r##"<line x1="{l}" x2="{x2}" y1="{yy:.1}" y2="{yy:.1}" stroke="#ddd"/><text x="{tx}" y="{ty:.1}" text-anchor="end">{y:.1} %</text>"##,
            x2 = w - 20.0,
            yy = py(y),
            tx = l - 6.0,
            ty = py(y) + 4.0
        );
    }
    let pts: Vec<String> = rows
        .iter()
        .map(|r| format!("{:.1},{:.1}", px(r.value), py(r.saving_pct)))
        .collect();
    let _ = write!(
        s,
        r##"<polyline points="{}" fill="none" stroke="#4e79a7" stroke-width="2"/>"##,
        pts.join(" ")
    );
    for r in rows {
        let _ = write!(
            s,
            r##"<circle cx="{:.1}" cy="{:.1}" r="4" fill="#4e79a7"><title>{} = {}: {:.1} %</title></circle><text x="{0:.1}" y="{}" text-anchor="middle">{}</text>"##,
            px(r.value),
            py(r.saving_pct),
            name,
            r.value,
            r.saving_pct,
            h - b + 18.0,
            r.value
        );
    }
    let _ = write!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle">{name}</text><text x="14" y="{}" transform="rotate(-90 14 {})" text-anchor="middle">saving, % of cost alone</text></svg>"#,
        (w + l) / 2.0,
        h - 8.0,
        h / 2.0,
        h / 2.0
    );
    s
}
