//! # senroute-report
//!
//! Turns a [`Plan`] into what a transport coordinator looks at:
//!
//! - [`Kpis::from_plan`]: vehicles, cost per day, vehicle-km, mean and worst
//!   ride time, pupils over their ride cap, unassigned pupils;
//! - [`routes_geojson`]: runs as LineStrings along the roads and stops as
//!   Points (`routes.geojson`, opens in QGIS and GeoJSON viewers);
//! - [`map_svg`]: the plan as an SVG map (roads, schools, depots, coloured
//!   runs, legend, scale bar), embeddable in other reports;
//! - [`report_html`]: one self-contained HTML page (KPIs, map, a table per
//!   run, unassigned pupils with reasons);
//! - [`map_png`]: the same map as a PNG (resvg, fonts shipped in the binary);
//! - [`text_summary`]: a one-screen summary for the terminal;
//! - [`plan_xlsx`]: the plan as a spreadsheet (sheets runs, stops, pupils,
//!   unassigned);
//! - [`manifests_html`]: a printable A4 page per run for the driver and the
//!   passenger assistant (stops, times, schools, pupils' needs, passthrough
//!   fields);
//! - [`write_outputs`]: all of the files above plus `routes.csv`,
//!   `pupils.csv` (both with the passthrough columns) and `plan.json` into
//!   one directory;
//! - [`render_output`]: any one of those files by name, in memory (what
//!   the web app serves as downloads; the writers above use it too).
//!
//! Route lines come from a [`Geometry`]: along a road network's fastest
//! paths, or straight between stops when the problem carried its own
//! matrices. With the planner's `RoadTravel` (keys and snaps in the same
//! order) that is
//! `Geometry::roads(&network, travel.times.keys(), &travel.snaps)`.
//!
//! ```
//! use senroute_model::{Plan, Problem, Session, Settings, Totals};
//! use senroute_report::{map_svg, text_summary, Geometry, Kpis, MapOptions};
//!
//! let problem = Problem {
//!     pupils: vec![],
//!     schools: vec![],
//!     fleet: vec![],
//!     session: Session::Am,
//!     settings: Settings::default(),
//!     matrices: None,
//! };
//! let plan = Plan {
//!     session: Session::Am,
//!     routes: vec![],
//!     rides: vec![],
//!     unassigned: vec![],
//!     totals: Totals::default(),
//! };
//! assert_eq!(Kpis::from_plan(&problem, &plan).vehicles, 0);
//! assert!(text_summary(&problem, &plan).starts_with("Plan (am session): 0 vehicles"));
//! let svg = map_svg(&problem, &plan, &Geometry::Straight, &MapOptions::default());
//! assert!(svg.starts_with("<svg"));
//! ```

#![warn(missing_docs)]

mod escape;
mod files;
mod geojson_out;
mod geometry;
mod html;
mod kpi;
mod manifests;
mod map;
mod png;
mod summary;
mod xlsx;

pub use escape::escape;
pub use files::{
    output_content_type, output_draws_places, output_names, render_output, DAY_PM_MAP, OUTPUT_FILES,
};
pub use geojson_out::{day_routes_geojson, routes_geojson};
pub use geometry::Geometry;
pub use html::{day_report_html, report_html};
pub use kpi::{format_pounds, Kpis, OVER_CAP_TOLERANCE_S};
pub use manifests::{manifests_html, manifests_html_sessions, needs_words, stop_label};
pub use map::{
    map_svg, plan_bbox, route_colour, route_dash, route_swatch, union_bbox, view_bbox, MapOptions,
    Projection, DASHES, PALETTE,
};
pub use png::{map_png, svg_to_png};
pub use summary::{day_text_summary, text_summary, SUMMARY_UNASSIGNED_LINES};
pub use xlsx::{plan_xlsx, plans_xlsx};

use senroute_model::{AnyPlan, DayPlan, Plan, Problem};
use std::path::{Path, PathBuf};

/// Scale of `map.png` relative to the SVG map's pixel size: 2 gives a
/// 2000 × 1500 image that stays sharp when zoomed or printed.
pub const PNG_SCALE: f32 = 2.0;

/// A report output could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file or the directory could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A CSV file could not be written.
    #[error("cannot write {path}: {source}")]
    Csv {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: csv::Error,
    },
    /// The plan could not be serialised to JSON.
    #[error("cannot serialise {what} to JSON: {source}")]
    Json {
        /// Which output.
        what: &'static str,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// The spreadsheet could not be built.
    #[error("cannot build plan.xlsx: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// The SVG map could not be rasterised.
    #[error("cannot render the map image: {0}")]
    Svg(String),
}

/// Where [`write_outputs`] put each file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputPaths {
    /// One row per stop (`routes.csv`).
    pub routes_csv: PathBuf,
    /// One row per pupil, placed or not (`pupils.csv`).
    pub pupils_csv: PathBuf,
    /// The plan as pretty JSON (`plan.json`).
    pub plan_json: PathBuf,
    /// Runs and stops as GeoJSON (`routes.geojson`).
    pub routes_geojson: PathBuf,
    /// The self-contained report page (`report.html`).
    pub report_html: PathBuf,
    /// The map image (`map.png`; of the AM in a day).
    pub map_png: PathBuf,
    /// A printable A4 page per run for drivers and assistants
    /// (`manifests.html`; a day's AM runs, then its PM runs).
    pub manifests_html: PathBuf,
    /// The plan as a spreadsheet: sheets runs, stops, pupils, unassigned
    /// (`plan.xlsx`).
    pub plan_xlsx: PathBuf,
    /// A day's PM map (`map-pm.png`).
    pub map_pm_png: Option<PathBuf>,
}

impl OutputPaths {
    fn in_dir(dir: &Path) -> OutputPaths {
        OutputPaths {
            routes_csv: dir.join("routes.csv"),
            pupils_csv: dir.join("pupils.csv"),
            plan_json: dir.join("plan.json"),
            routes_geojson: dir.join("routes.geojson"),
            report_html: dir.join("report.html"),
            map_png: dir.join("map.png"),
            manifests_html: dir.join("manifests.html"),
            plan_xlsx: dir.join("plan.xlsx"),
            map_pm_png: None,
        }
    }

    /// All paths, in the order written.
    pub fn all(&self) -> Vec<&Path> {
        let mut all: Vec<&Path> = vec![
            &self.routes_csv,
            &self.pupils_csv,
            &self.plan_json,
            &self.routes_geojson,
            &self.report_html,
            &self.map_png,
            &self.manifests_html,
            &self.plan_xlsx,
        ];
        all.extend(self.map_pm_png.as_deref());
        all
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    std::fs::write(path, bytes).map_err(|source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes each of [`output_names`] of `plan` into `dir` (created if
/// missing) with [`render_output`].
fn write_all(
    dir: &Path,
    problem: &Problem,
    plan: &AnyPlan,
    geometry: &Geometry,
) -> Result<(), ReportError> {
    std::fs::create_dir_all(dir).map_err(|source| ReportError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for name in output_names(plan) {
        let bytes = render_output(name, problem, plan, geometry)?
            .expect("every name of output_names renders");
        write_file(&dir.join(name), &bytes)?;
    }
    Ok(())
}

/// Writes every output into `dir` (created if missing): `routes.csv`,
/// `pupils.csv`, `plan.json`, `routes.geojson`, `report.html`, `map.png`
/// `manifests.html` and `plan.xlsx` (each as [`render_output`] makes it).
/// Existing files of those names are replaced.
pub fn write_outputs(
    dir: impl AsRef<Path>,
    problem: &Problem,
    plan: &Plan,
    geometry: &Geometry,
) -> Result<OutputPaths, ReportError> {
    let dir = dir.as_ref();
    write_all(dir, problem, &AnyPlan::Session(plan.clone()), geometry)?;
    Ok(OutputPaths::in_dir(dir))
}

/// Writes every output of a day plan into `dir`: `routes.csv` and
/// `pupils.csv` with the AM rows then the PM rows (column `session`),
/// `plan.json` (the [`DayPlan`]), `routes.geojson` (both sessions),
/// `report.html` (the day's figures, then each session), the maps of the
/// AM (`map.png`) and the PM (`map-pm.png`), `manifests.html` (the AM runs'
/// pages, then the PM runs') and `plan.xlsx` (both sessions, column
/// `session`), each as [`render_output`] makes it.
pub fn write_day_outputs(
    dir: impl AsRef<Path>,
    problem: &Problem,
    day: &DayPlan,
    geometry: &Geometry,
) -> Result<OutputPaths, ReportError> {
    let dir = dir.as_ref();
    write_all(dir, problem, &AnyPlan::Day(Box::new(day.clone())), geometry)?;
    let mut paths = OutputPaths::in_dir(dir);
    paths.map_pm_png = Some(dir.join(DAY_PM_MAP));
    Ok(paths)
}

/// [`write_outputs`] or [`write_day_outputs`], as the plan is.
pub fn write_any_outputs(
    dir: impl AsRef<Path>,
    problem: &Problem,
    plan: &AnyPlan,
    geometry: &Geometry,
) -> Result<OutputPaths, ReportError> {
    match plan {
        AnyPlan::Day(d) => write_day_outputs(dir, problem, d, geometry),
        AnyPlan::Session(p) => write_outputs(dir, problem, p, geometry),
    }
}
