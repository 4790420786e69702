//! Writing the study: `pooling.csv`, `pooling.json` and `pooling.html`
//! (the page for a finance officer is in [`crate::output::page`]).

use crate::study::{PoolingReport, Study};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

pub mod page;
pub use page::html;

/// sha256 of a file, hex.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let bytes = std::fs::read(path)?;
    Ok(hex::encode(Sha256::digest(&bytes)))
}

/// One row of `pooling.csv`: £ figures are per school day, means over the
/// runs, with the 95 % percentile-bootstrap interval (`_low`, `_high`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PoolingRow {
    /// Borough GSS code, or `TOTAL`.
    pub borough: String,
    /// Borough name, or `All boroughs`.
    pub name: String,
    /// Pupils.
    pub pupils: usize,
    /// Vehicles alone (published run).
    pub vehicles_alone: usize,
    /// Vehicles pooled: the whole plan's in the total row, the borough's
    /// share of shared runs (pupils carried) otherwise.
    pub vehicles_pooled: f64,
    /// Cost alone, £/day.
    pub cost_alone: f64,
    /// Lower end of its interval.
    pub cost_alone_low: f64,
    /// Upper end.
    pub cost_alone_high: f64,
    /// Pooled cost, Shapley split, £/day.
    pub cost_pooled_shapley: f64,
    /// Lower end of its interval.
    pub cost_pooled_shapley_low: f64,
    /// Upper end.
    pub cost_pooled_shapley_high: f64,
    /// Standard error of the Shapley share from sampling orders (0 when exact).
    pub shapley_sampling_error: f64,
    /// Pooled cost, proportional split.
    pub cost_pooled_proportional: f64,
    /// Pooled cost, least-core split.
    pub cost_pooled_least_core: f64,
    /// Saving (Shapley), £/day.
    pub saving: f64,
    /// Lower end of its interval.
    pub saving_low: f64,
    /// Upper end.
    pub saving_high: f64,
    /// Saving (Shapley), £/year.
    pub saving_per_year: f64,
    /// Saving (Shapley), %.
    pub saving_pct: f64,
    /// Vehicle-km alone (published run).
    pub km_alone: f64,
    /// Vehicle-km pooled (share).
    pub km_pooled: f64,
    /// kg CO2e alone.
    pub co2_kg_alone: f64,
    /// kg CO2e pooled (share).
    pub co2_kg_pooled: f64,
    /// Mean ride minutes alone.
    pub mean_ride_alone: f64,
    /// Mean ride minutes pooled.
    pub mean_ride_pooled: f64,
    /// Worst ride minutes alone.
    pub worst_ride_alone: f64,
    /// Worst ride minutes pooled.
    pub worst_ride_pooled: f64,
    /// Unassigned alone.
    pub unassigned_alone: usize,
    /// Unassigned pooled.
    pub unassigned_pooled: usize,
}

/// The rows of `pooling.csv`: one per borough, then the total.
pub fn rows(r: &PoolingReport) -> Vec<PoolingRow> {
    let days = r.options.school_days_per_year;
    let mut out: Vec<PoolingRow> = r
        .boroughs
        .iter()
        .map(|b| PoolingRow {
            borough: b.borough.clone(),
            name: b.name.clone(),
            pupils: b.alone.pupils,
            vehicles_alone: b.alone.vehicles.round() as usize,
            vehicles_pooled: round2(b.pooled.vehicles),
            cost_alone: round2(b.alone_cost.mean),
            cost_alone_low: round2(b.alone_cost.low),
            cost_alone_high: round2(b.alone_cost.high),
            cost_pooled_shapley: round2(b.shapley.mean),
            cost_pooled_shapley_low: round2(b.shapley.low),
            cost_pooled_shapley_high: round2(b.shapley.high),
            shapley_sampling_error: round2(b.shapley_sampling_error),
            cost_pooled_proportional: round2(b.proportional_share),
            cost_pooled_least_core: round2(b.least_core_share),
            saving: round2(b.saving.mean),
            saving_low: round2(b.saving.low),
            saving_high: round2(b.saving.high),
            saving_per_year: round2(b.saving.mean * days),
            saving_pct: round2(b.saving_pct),
            km_alone: round2(b.alone.vehicle_km),
            km_pooled: round2(b.pooled.vehicle_km),
            co2_kg_alone: round2(b.alone.co2_kg),
            co2_kg_pooled: round2(b.pooled.co2_kg),
            mean_ride_alone: round2(b.alone.mean_ride_min),
            mean_ride_pooled: round2(b.pooled.mean_ride_min),
            worst_ride_alone: round2(b.alone.worst_ride_min),
            worst_ride_pooled: round2(b.pooled.worst_ride_min),
            unassigned_alone: b.alone.unassigned,
            unassigned_pooled: b.pooled.unassigned,
        })
        .collect();
    let (a, p) = (&r.alone_total, &r.pooled_total);
    out.push(PoolingRow {
        borough: "TOTAL".into(),
        name: "All boroughs".into(),
        pupils: a.pupils,
        vehicles_alone: a.vehicles.round() as usize,
        vehicles_pooled: p.vehicles.round(),
        cost_alone: round2(r.alone_cost.mean),
        cost_alone_low: round2(r.alone_cost.low),
        cost_alone_high: round2(r.alone_cost.high),
        cost_pooled_shapley: round2(r.pooled_cost.mean),
        cost_pooled_shapley_low: round2(r.pooled_cost.low),
        cost_pooled_shapley_high: round2(r.pooled_cost.high),
        shapley_sampling_error: 0.0,
        cost_pooled_proportional: round2(r.pooled_cost.mean),
        cost_pooled_least_core: round2(r.pooled_cost.mean),
        saving: round2(r.saving.mean),
        saving_low: round2(r.saving.low),
        saving_high: round2(r.saving.high),
        saving_per_year: round2(r.saving.mean * days),
        saving_pct: round2(r.saving_pct.mean),
        km_alone: round2(a.vehicle_km),
        km_pooled: round2(p.vehicle_km),
        co2_kg_alone: round2(a.co2_kg),
        co2_kg_pooled: round2(p.co2_kg),
        mean_ride_alone: round2(a.mean_ride_min),
        mean_ride_pooled: round2(p.mean_ride_min),
        worst_ride_alone: round2(a.worst_ride_min),
        worst_ride_pooled: round2(p.worst_ride_min),
        unassigned_alone: a.unassigned,
        unassigned_pooled: p.unassigned,
    });
    out
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Writes `pooling.csv`, `pooling.json` and `pooling.html` to `dir`.
pub fn write(dir: &Path, study: &Study, maps_html: &str) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let r = &study.report;
    let csv_path = dir.join("pooling.csv");
    let mut w = csv::Writer::from_path(&csv_path).map_err(std::io::Error::other)?;
    for row in rows(r) {
        w.serialize(row).map_err(std::io::Error::other)?;
    }
    w.flush()?;
    let json_path = dir.join("pooling.json");
    std::fs::write(
        &json_path,
        serde_json::to_string_pretty(r).map_err(std::io::Error::other)?,
    )?;
    let html_path = dir.join("pooling.html");
    std::fs::File::create(&html_path)?.write_all(html(r, maps_html).as_bytes())?;
    Ok(vec![csv_path, json_path, html_path])
}
