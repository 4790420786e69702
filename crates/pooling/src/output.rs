//! Writing the study: `pooling.csv`, `pooling.json` and `pooling.html`.

use crate::study::{PoolingReport, Study};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

/// sha256 of a file, hex.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let bytes = std::fs::read(path)?;
    Ok(hex::encode(Sha256::digest(&bytes)))
}

/// One row of `pooling.csv`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PoolingRow {
    /// Borough GSS code, or `TOTAL`.
    pub borough: String,
    /// Pupils.
    pub pupils: usize,
    /// Vehicles alone.
    pub vehicles_alone: f64,
    /// Vehicles pooled (a borough's share of shared runs).
    pub vehicles_pooled: f64,
    /// Cost alone, £/day.
    pub cost_alone: f64,
    /// Pooled cost, proportional split.
    pub cost_pooled_proportional: f64,
    /// Pooled cost, Shapley split.
    pub cost_pooled_shapley: f64,
    /// Saving (Shapley), £/day.
    pub saving: f64,
    /// Saving (Shapley), %.
    pub saving_pct: f64,
    /// Vehicle-km alone.
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
    /// Pupils over their cap alone.
    pub over_cap_alone: usize,
    /// Pupils over their cap pooled.
    pub over_cap_pooled: usize,
    /// Unassigned alone.
    pub unassigned_alone: usize,
    /// Unassigned pooled.
    pub unassigned_pooled: usize,
}

/// The rows of `pooling.csv`: one per borough, then the total.
pub fn rows(r: &PoolingReport) -> Vec<PoolingRow> {
    let mut out: Vec<PoolingRow> = r
        .boroughs
        .iter()
        .map(|b| PoolingRow {
            borough: b.borough.clone(),
            pupils: b.alone.pupils,
            vehicles_alone: b.alone.vehicles,
            vehicles_pooled: round2(b.pooled.vehicles),
            cost_alone: round2(b.alone.cost),
            cost_pooled_proportional: round2(b.proportional_share),
            cost_pooled_shapley: round2(b.shapley_share),
            saving: round2(b.saving),
            saving_pct: round2(b.saving_pct),
            km_alone: round2(b.alone.vehicle_km),
            km_pooled: round2(b.pooled.vehicle_km),
            co2_kg_alone: round2(b.alone.co2_kg),
            co2_kg_pooled: round2(b.pooled.co2_kg),
            mean_ride_alone: round2(b.alone.mean_ride_min),
            mean_ride_pooled: round2(b.pooled.mean_ride_min),
            worst_ride_alone: round2(b.alone.worst_ride_min),
            worst_ride_pooled: round2(b.pooled.worst_ride_min),
            over_cap_alone: b.alone.over_cap,
            over_cap_pooled: b.pooled.over_cap,
            unassigned_alone: b.alone.unassigned,
            unassigned_pooled: b.pooled.unassigned,
        })
        .collect();
    let (a, p) = (&r.alone_total, &r.pooled_total);
    out.push(PoolingRow {
        borough: "TOTAL".into(),
        pupils: a.pupils,
        vehicles_alone: a.vehicles,
        vehicles_pooled: p.vehicles,
        cost_alone: round2(a.cost),
        cost_pooled_proportional: round2(p.cost),
        cost_pooled_shapley: round2(p.cost),
        saving: round2(a.cost - p.cost),
        saving_pct: round2(if a.cost > 0.0 {
            100.0 * (a.cost - p.cost) / a.cost
        } else {
            0.0
        }),
        km_alone: round2(a.vehicle_km),
        km_pooled: round2(p.vehicle_km),
        co2_kg_alone: round2(a.co2_kg),
        co2_kg_pooled: round2(p.co2_kg),
        mean_ride_alone: round2(a.mean_ride_min),
        mean_ride_pooled: round2(p.mean_ride_min),
        worst_ride_alone: round2(a.worst_ride_min),
        worst_ride_pooled: round2(p.worst_ride_min),
        over_cap_alone: a.over_cap,
        over_cap_pooled: p.over_cap,
        unassigned_alone: a.unassigned,
        unassigned_pooled: p.unassigned,
    });
    out
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn esc(s: &str) -> String {
    html_escape::encode_quoted_attribute(s).into_owned()
}

/// An SVG bar chart: per borough, cost alone, proportional share and Shapley share.
pub fn chart_svg(r: &PoolingReport) -> String {
    let (w, h, left, bottom) = (720.0, 320.0, 70.0, 50.0);
    let max = r
        .boroughs
        .iter()
        .map(|b| b.alone.cost.max(b.shapley_share).max(b.proportional_share))
        .fold(1.0, f64::max)
        * 1.1;
    let group = (w - left - 20.0) / r.boroughs.len().max(1) as f64;
    let bar = group / 4.0;
    let y = |v: f64| (h - bottom) - (h - bottom - 20.0) * v / max;
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = write!(
        s,
        r##"<line x1="{left}" y1="{}" x2="{}" y2="{}" stroke="#333"/>"##,
        h - bottom,
        w - 10.0,
        h - bottom
    );
    for k in 0..=4 {
        let v = max * k as f64 / 4.0;
        let _ = write!(
            s,
            r##"<line x1="{left}" y1="{0:.1}" x2="{1}" y2="{0:.1}" stroke="#ddd"/><text x="{2}" y="{3:.1}" text-anchor="end">£{4:.0}</text>"##,
            y(v),
            w - 10.0,
            left - 6.0,
            y(v) + 4.0,
            v
        );
    }
    let colours = [
        ("#8c8c8c", "alone"),
        ("#4e79a7", "pooled, proportional"),
        ("#f28e2b", "pooled, Shapley"),
    ];
    for (i, b) in r.boroughs.iter().enumerate() {
        let x0 = left + group * i as f64 + bar / 2.0;
        for (j, v) in [b.alone.cost, b.proportional_share, b.shapley_share]
            .into_iter()
            .enumerate()
        {
            let x = x0 + bar * j as f64;
            let _ = write!(
                s,
                r#"<rect x="{x:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{} {}: £{v:.2}</title></rect>"#,
                y(v),
                bar * 0.9,
                (h - bottom) - y(v),
                colours[j].0,
                esc(&b.borough),
                colours[j].1
            );
        }
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
            x0 + bar * 1.5,
            h - bottom + 18.0,
            esc(&b.borough)
        );
    }
    for (j, (c, label)) in colours.iter().enumerate() {
        let x = left + 10.0 + 190.0 * j as f64;
        let _ = write!(
            s,
            r#"<rect x="{x}" y="{}" width="12" height="12" fill="{c}"/><text x="{}" y="{}">{label}</text>"#,
            h - 22.0,
            x + 16.0,
            h - 12.0
        );
    }
    s.push_str("</svg>");
    s
}

/// A self-contained HTML page: headline saving, the chart, the table, the
/// split and core check, provenance, and any extra HTML (maps) given.
pub fn html(r: &PoolingReport, maps: &str) -> String {
    let mut s = String::from("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>senroute pooling study</title><style>body{font-family:sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}.kpi{font-size:1.4em;margin:.3em 0}.maps{display:flex;gap:1em;flex-wrap:wrap}</style></head><body>");
    let _ = write!(s, "<h1>Cross-borough pooling study</h1><p class=\"kpi\">Pooling saves <b>£{:.2}/day ({:.1} %)</b>: £{:.2} alone vs £{:.2} pooled, {} → {} vehicles.</p>", r.saving, r.saving_pct, r.alone_total.cost, r.pooled_total.cost, r.alone_total.vehicles, r.pooled_total.vehicles);
    let _ = write!(s, "<h2>Cost per borough</h2>{}", chart_svg(r));
    s.push_str("<table><tr><th>borough</th><th>pupils</th><th>vehicles alone</th><th>vehicles pooled</th><th>£ alone</th><th>£ proportional</th><th>£ Shapley</th><th>saving</th><th>km alone</th><th>km pooled</th><th>kg CO2e alone</th><th>kg CO2e pooled</th><th>mean ride alone</th><th>mean ride pooled</th><th>worst ride alone</th><th>worst ride pooled</th><th>unassigned alone</th><th>unassigned pooled</th></tr>");
    for row in rows(r) {
        let _ = write!(s, "<tr><td>{}</td><td>{}</td><td>{:.0}</td><td>{:.2}</td><td>{:.2}</td><td>{:.2}</td><td>{:.2}</td><td>£{:.2} ({:.1} %)</td><td>{:.1}</td><td>{:.1}</td><td>{:.1}</td><td>{:.1}</td><td>{:.1}</td><td>{:.1}</td><td>{:.1}</td><td>{:.1}</td><td>{}</td><td>{}</td></tr>",
            esc(&row.borough), row.pupils, row.vehicles_alone, row.vehicles_pooled, row.cost_alone, row.cost_pooled_proportional, row.cost_pooled_shapley, row.saving, row.saving_pct, row.km_alone, row.km_pooled, row.co2_kg_alone, row.co2_kg_pooled, row.mean_ride_alone, row.mean_ride_pooled, row.worst_ride_alone, row.worst_ride_pooled, row.unassigned_alone, row.unassigned_pooled);
    }
    s.push_str("</table>");
    let core = |v: &[crate::game::CoreViolation]| {
        if v.is_empty() {
            "in the core: no borough or group of boroughs pays more than it would alone".to_string()
        } else {
            format!(
                "NOT in the core: {}",
                v.iter()
                    .map(|c| format!(
                        "boroughs {:?} would pay £{:.2} but £{:.2} alone",
                        c.players, c.charged, c.alone
                    ))
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        }
    };
    let _ = write!(
        s,
        "<h2>Cost split</h2><p>Shapley value: {}. Proportional split: {}. Shapley split: {}.</p>",
        esc(&serde_json::to_string(&r.shapley_method).unwrap_or_default()),
        esc(&core(&r.proportional_core_violations)),
        esc(&core(&r.shapley_core_violations))
    );
    s.push_str(
        "<table><tr><th>coalition</th><th>£/day (incl. unassigned penalty)</th><th>plan</th></tr>",
    );
    for c in &r.coalitions {
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{:.2}</td><td>{}</td></tr>",
            esc(&c.boroughs.join(" + ")),
            c.cost,
            esc(&c.source)
        );
    }
    s.push_str("</table>");
    if !maps.is_empty() {
        let _ = write!(s, "<h2>Maps</h2><div class=\"maps\">{maps}</div>");
    }
    let _ = write!(s, "<h2>Reproducibility</h2><p>senroute {}; session {}; seeds {:?}; {} s per pupil{}; pooled plan from {}.</p><ul>", esc(&r.version), r.session, r.options.seeds, r.options.seconds_per_pupil, r.options.iterations_per_pupil.map(|i| format!(" ({i} iterations per pupil and thread)")).unwrap_or_default(), esc(&r.pooled_source));
    for (f, h) in &r.inputs {
        let _ = write!(
            s,
            "<li><code>{}</code> sha256 <code>{}</code></li>",
            esc(f),
            esc(h)
        );
    }
    s.push_str("</ul></body></html>");
    s
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
