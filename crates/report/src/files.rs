//! Each output file of a plan, produced in memory by name: what
//! [`write_outputs`](crate::write_outputs) and
//! [`write_day_outputs`](crate::write_day_outputs) write into a directory,
//! and what a web app serves as downloads, byte for byte the same.

use crate::{
    day_report_html, day_routes_geojson, manifests_html, manifests_html_sessions, map_png,
    plan_xlsx, plans_xlsx, report_html, routes_geojson, Geometry, MapOptions, ReportError,
    PNG_SCALE,
};
use senroute_model::csv_out::{
    write_day_pupils_csv, write_day_routes_csv, write_pupils_csv, write_routes_csv,
};
use senroute_model::{AnyPlan, Problem, Session};
use std::path::PathBuf;

/// The outputs of every plan, in the order they are written.
pub const OUTPUT_FILES: [&str; 8] = [
    "routes.csv",
    "pupils.csv",
    "plan.json",
    "routes.geojson",
    "report.html",
    "map.png",
    "manifests.html",
    "plan.xlsx",
];

/// The extra output of a day plan: the map of its PM runs.
pub const DAY_PM_MAP: &str = "map-pm.png";

/// The names of the outputs of `plan`: [`OUTPUT_FILES`], and
/// [`DAY_PM_MAP`] for a day plan.
pub fn output_names(plan: &AnyPlan) -> Vec<&'static str> {
    let mut names = OUTPUT_FILES.to_vec();
    if matches!(plan, AnyPlan::Day(_)) {
        names.push(DAY_PM_MAP);
    }
    names
}

/// Whether output `name` draws the plan's stops on a map (`routes.geojson`,
/// `report.html`, the map images): a caller that hides some stops' places
/// leaves those stops out of the plan it passes for these.
pub fn output_draws_places(name: &str) -> bool {
    matches!(
        name,
        "routes.geojson" | "report.html" | "map.png" | DAY_PM_MAP
    )
}

/// The media type of output `name` (by its extension).
pub fn output_content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("csv") => "text/csv; charset=utf-8",
        Some("json") => "application/json",
        Some("geojson") => "application/geo+json",
        Some("html") => "text/html; charset=utf-8",
        Some("png") => "image/png",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}

fn csv_bytes(
    name: &str,
    write: impl FnOnce(&mut Vec<u8>) -> Result<(), csv::Error>,
) -> Result<Vec<u8>, ReportError> {
    let mut out = Vec::new();
    write(&mut out).map_err(|source| ReportError::Csv {
        path: PathBuf::from(name),
        source,
    })?;
    Ok(out)
}

/// Output `name` of `plan` (one of [`output_names`]), as the file's bytes;
/// `None` for a name that is not an output of this plan. `problem` is the
/// problem planned (of the whole day for a day plan).
pub fn render_output(
    name: &str,
    problem: &Problem,
    plan: &AnyPlan,
    geometry: &Geometry,
) -> Result<Option<Vec<u8>>, ReportError> {
    let bytes = match (name, plan) {
        ("routes.csv", AnyPlan::Session(p)) => {
            csv_bytes(name, |w| write_routes_csv(problem, p, w))?
        }
        ("routes.csv", AnyPlan::Day(d)) => {
            csv_bytes(name, |w| write_day_routes_csv(problem, d, w))?
        }
        ("pupils.csv", AnyPlan::Session(p)) => {
            csv_bytes(name, |w| write_pupils_csv(problem, p, w))?
        }
        ("pupils.csv", AnyPlan::Day(d)) => {
            csv_bytes(name, |w| write_day_pupils_csv(problem, d, w))?
        }
        ("plan.json", _) => {
            serde_json::to_vec_pretty(plan).map_err(|source| ReportError::Json {
                what: "the plan",
                source,
            })?
        }
        ("routes.geojson", AnyPlan::Session(p)) => {
            routes_geojson(p, geometry).to_string().into_bytes()
        }
        ("routes.geojson", AnyPlan::Day(d)) => {
            day_routes_geojson(d, geometry).to_string().into_bytes()
        }
        ("report.html", AnyPlan::Session(p)) => report_html(problem, p, geometry).into_bytes(),
        ("report.html", AnyPlan::Day(d)) => day_report_html(problem, d, geometry).into_bytes(),
        ("map.png", AnyPlan::Session(p)) => {
            map_png(problem, p, geometry, &MapOptions::default(), PNG_SCALE)?
        }
        ("map.png", AnyPlan::Day(d)) => map_png(
            &problem.for_session(Session::Am),
            &d.am,
            geometry,
            &MapOptions::default(),
            PNG_SCALE,
        )?,
        (DAY_PM_MAP, AnyPlan::Day(d)) => map_png(
            &problem.for_session(Session::Pm),
            &d.pm,
            geometry,
            &MapOptions::default(),
            PNG_SCALE,
        )?,
        ("manifests.html", AnyPlan::Session(p)) => manifests_html(problem, p).into_bytes(),
        ("manifests.html", AnyPlan::Day(d)) => {
            let (am, pm) = (
                problem.for_session(Session::Am),
                problem.for_session(Session::Pm),
            );
            manifests_html_sessions(&[(&am, &d.am), (&pm, &d.pm)]).into_bytes()
        }
        ("plan.xlsx", AnyPlan::Session(p)) => plan_xlsx(problem, p)?,
        ("plan.xlsx", AnyPlan::Day(d)) => plans_xlsx(problem, &d.plans())?,
        _ => return Ok(None),
    };
    Ok(Some(bytes))
}
