//! The subcommands.

use crate::durations::{count_up_to, parse_seconds, parse_time_limit};
use crate::progress::{ctrl_c_flag, SolveProgress};
use crate::{Failure, Output};
use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use senroute_model::{
    limits, problem_from_json_with, read_problem_files_with, AnyPlan, BoroughCodes, Continuity,
    Problem, Session, Settings, TravelTimes,
};
use senroute_planner::{fill_boroughs, travel_for, PlanOptions, RoadTravel};
use senroute_roads::{Boroughs, RoadNetwork, SpeedProfile};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Bundled data used by `demo`, relative to the repository root.
const DEMO_ROADS: &str = "data/osm/london_camden_westminster_city_drive_mixed.osm.pbf";
const DEMO_BOUNDARIES: &str = "data/boundaries/london_boroughs_gla_wgs84.geojson";
const DEMO_INPUT: &str = "data/demo";

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Plan the day (AM and PM) for the bundled cohort on the bundled roads
    /// and write every output to ./senroute-demo/.
    Demo(DemoArgs),
    /// Build the road network from an OpenStreetMap PBF extract once, for
    /// fast loading later.
    Prepare(PrepareArgs),
    /// Plan routes for pupils, schools and a fleet.
    Solve(SolveArgs),
    /// Check input files only and print every problem at once.
    Validate(ValidateArgs),
    /// Check a plan (plan.json or routes.csv, perhaps edited by hand)
    /// against every rule: exit 0 when it keeps them all, 3 when it breaks
    /// one (each violation printed), 2 when it cannot be read.
    Check(Box<crate::check::CheckArgs>),
    /// Many-to-many travel-time matrix for a points file; prints one JSON line.
    Matrix(MatrixArgs),
    /// Run standard VRP benchmarks (Solomon, Li & Lim, Cordeau DARP); one JSON line per instance.
    Bench(BenchArgs),
    /// Cross-borough pooling study: each borough alone vs pooled, with a fair split of the pooled cost.
    Pool(Box<crate::pool::PoolArgs>),
    /// Generate a realistic synthetic cohort (pupils, schools, fleet) on the bundled roads.
    Generate(Box<crate::generate::GenerateArgs>),
    /// Serve the gRPC API for boroughs (senroute.v1.RoutingService).
    Serve(crate::serve::ServeArgs),
    /// Mint an API key for a borough (its hash goes into the keys file; the key is printed once).
    MintKey(crate::serve::MintKeyArgs),
    /// The web app for coordinators on this computer: upload, plan, map,
    /// downloads (bundled roads, no keys, loopback only); prints the URL.
    App(crate::app::AppArgs),
}

/// Runs a subcommand.
pub fn run(cmd: Command, out: Output) -> Result<(), Failure> {
    match cmd {
        Command::Demo(a) => demo(a, out),
        Command::Prepare(a) => prepare(a, out),
        Command::Solve(a) => solve(a, out),
        Command::Validate(a) => validate_inputs(a, out),
        Command::Check(a) => crate::check::check(*a, out),
        Command::Matrix(a) => matrix(a),
        Command::Bench(a) => bench(a, out),
        Command::Pool(a) => crate::pool::pool(*a, out),
        Command::Generate(a) => crate::generate::generate(*a, out),
        Command::Serve(a) => crate::serve::serve(a),
        Command::MintKey(a) => crate::serve::mint_key(a),
        Command::App(a) => crate::app::app(a),
    }
}

/// Where the problem comes from.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Pupils CSV (see the README for columns).
    #[arg(long, requires_all = ["schools", "fleet"], conflicts_with = "problem")]
    pub pupils: Option<PathBuf>,
    /// Schools CSV.
    #[arg(long)]
    pub schools: Option<PathBuf>,
    /// Fleet CSV.
    #[arg(long)]
    pub fleet: Option<PathBuf>,
    /// The whole problem as JSON (may carry its own travel matrices).
    #[arg(long)]
    pub problem: Option<PathBuf>,
    /// Session to plan: am, pm or day (both, each vehicle's day rate once).
    /// CSV input; a JSON problem names its own unless this is given.
    #[arg(long, value_enum)]
    pub session: Option<SessionArg>,
}

/// `am`, `pm` or `day`.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionArg {
    /// Morning, home to school.
    Am,
    /// Afternoon, school to home.
    Pm,
    /// Both sessions of the day, planned together.
    Day,
}

impl From<SessionArg> for Session {
    fn from(s: SessionArg) -> Self {
        match s {
            SessionArg::Am => Session::Am,
            SessionArg::Pm => Session::Pm,
            SessionArg::Day => Session::Day,
        }
    }
}

/// Crew continuity of a day plan.
#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum ContinuityArg {
    /// A pupil's PM run is on their AM vehicle (or they are not placed).
    Hard,
    /// A cost per pupil whose vehicle changes (--continuity-cost).
    Preferred,
    /// Vehicles may change freely.
    None,
}

impl From<ContinuityArg> for Continuity {
    fn from(c: ContinuityArg) -> Self {
        match c {
            ContinuityArg::Hard => Continuity::Hard,
            ContinuityArg::Preferred => Continuity::Preferred,
            ContinuityArg::None => Continuity::None,
        }
    }
}

/// Day-plan settings of `solve` and `demo`.
#[derive(Args, Debug, Clone)]
pub struct DayArgs {
    /// Crew continuity of a day plan (default preferred).
    #[arg(long, value_enum)]
    pub continuity: Option<ContinuityArg>,
    /// With --continuity preferred: £ per pupil whose PM vehicle is not their
    /// AM vehicle (default 20).
    #[arg(long, value_parser = parse_pounds)]
    pub continuity_cost: Option<f64>,
}

impl DayArgs {
    /// Puts the flags given into `settings`.
    pub(crate) fn apply(&self, settings: &mut Settings) {
        if let Some(c) = self.continuity {
            settings.continuity = c.into();
        }
        if let Some(c) = self.continuity_cost {
            settings.continuity_cost_per_pupil = c;
        }
    }
}

/// An amount in pounds from 0 to [`limits::MAX_COST`].
fn parse_pounds(s: &str) -> Result<f64, String> {
    match s.trim().trim_start_matches('£').parse::<f64>() {
        Ok(x) if x.is_finite() && (0.0..=limits::MAX_COST).contains(&x) => Ok(x),
        _ => Err(format!(
            "expected an amount in pounds from 0 to {}",
            limits::MAX_COST
        )),
    }
}

/// Reads borough boundaries, if given, and the borough codes an input may
/// use: the boundaries' GSS codes, else London's (`E09000001`–`E09000033`).
pub(crate) fn load_boroughs(
    path: Option<&Path>,
) -> Result<(Option<Boroughs>, BoroughCodes), Failure> {
    let Some(path) = path else {
        return Ok((None, BoroughCodes::London));
    };
    let b = Boroughs::from_geojson(path).map_err(|e| Failure::Input(e.to_string()))?;
    let codes = BoroughCodes::Known(b.iter().map(|x| x.gss.clone()).collect());
    Ok((Some(b), codes))
}

/// Reads a text file of at most [`limits::MAX_PROBLEM_JSON_BYTES`] (larger
/// files are refused before reading them); `kind` completes the advice for
/// text that is not UTF-8 ("save the file as UTF-8{kind}").
pub(crate) fn read_bounded_text(path: &Path, kind: &str) -> Result<String, Failure> {
    use std::io::Read;
    let name = path.display().to_string();
    let cannot = |e: std::io::Error| Failure::Input(format!("{name}: cannot read the file: {e}"));
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut bytes = Vec::new();
    file.take(limits::MAX_PROBLEM_JSON_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > limits::MAX_PROBLEM_JSON_BYTES {
        let size = std::fs::metadata(path).map_or(bytes.len() as u64, |m| m.len());
        return Err(
            senroute_model::InputErrors::from(senroute_model::check_input::too_large(&name, size))
                .into(),
        );
    }
    String::from_utf8(bytes).map_err(|e| {
        Failure::Input(format!(
            "{name}: not UTF-8 text (invalid byte at offset {}); save the file as UTF-8{kind}",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// Reads a JSON problem file (bounded as [`read_bounded_text`]).
fn read_json_problem(path: &Path, codes: &BoroughCodes) -> Result<Problem, Failure> {
    let text = read_bounded_text(path, " JSON")?;
    Ok(problem_from_json_with(
        &path.display().to_string(),
        &text,
        codes,
    )?)
}

pub(crate) fn load_problem(
    a: &InputArgs,
    settings: Settings,
    codes: &BoroughCodes,
) -> Result<Problem, Failure> {
    match (&a.problem, &a.pupils, &a.schools, &a.fleet) {
        (Some(path), ..) => {
            let mut problem = read_json_problem(path, codes)?;
            if let Some(s) = a.session {
                problem.session = s.into();
                // The session decides which shifts must cover what.
                senroute_model::check_problem_with(
                    &problem,
                    &senroute_model::JsonLocator {
                        source: path.display().to_string(),
                    },
                    codes,
                )
                .into_result(())?;
            }
            Ok(problem)
        }
        (None, Some(p), Some(s), Some(f)) => Ok(read_problem_files_with(
            p,
            s,
            f,
            a.session.map_or(Session::Am, Session::from),
            settings,
            codes,
        )?),
        _ => Err(Failure::Input(
            "give --pupils, --schools and --fleet (CSV), or --problem (JSON)".into(),
        )),
    }
}

/// `senroute validate`.
#[derive(Args, Debug)]
pub struct ValidateArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Borough boundaries (GeoJSON): borough codes must then be its GSS codes
    /// (without it, London's E09000001–E09000033).
    #[arg(long)]
    boundaries: Option<PathBuf>,
}

fn validate_inputs(a: ValidateArgs, out: Output) -> Result<(), Failure> {
    let (_, codes) = load_boroughs(a.boundaries.as_deref())?;
    let p = load_problem(&a.input, Settings::default(), &codes)?;
    let travelling = |s: Session| p.pupils.iter().filter(|x| x.sessions.includes(s)).count();
    if out.json {
        println!(
            "{}",
            serde_json::json!({"valid": true, "session": p.session, "pupils": p.pupils.len(), "travelling": p.travelling_pupils().count(), "travelling_am": travelling(Session::Am), "travelling_pm": travelling(Session::Pm), "schools": p.schools.len(), "vehicle_types": p.fleet.len(), "vehicles": p.fleet.iter().map(|v| v.count).sum::<u32>()})
        );
    } else if !out.quiet {
        let who = match p.session {
            Session::Day => format!(
                "{} travel in the AM, {} in the PM",
                travelling(Session::Am),
                travelling(Session::Pm)
            ),
            s => format!("{} travel in the {s} session", travelling(s)),
        };
        println!(
            "input is valid: {} pupils ({who}), {} schools, {} vehicle types ({} vehicles)",
            p.pupils.len(),
            p.schools.len(),
            p.fleet.len(),
            p.fleet.iter().map(|v| v.count).sum::<u32>()
        );
    }
    Ok(())
}

/// `senroute prepare`.
#[derive(Args, Debug)]
pub struct PrepareArgs {
    /// OpenStreetMap PBF extract.
    #[arg(long)]
    osm: PathBuf,
    /// Where to write the prepared network.
    #[arg(long)]
    out: PathBuf,
}

fn prepare(a: PrepareArgs, out: Output) -> Result<(), Failure> {
    let t = Instant::now();
    let (net, report) = RoadNetwork::from_pbf(&a.osm, &SpeedProfile::default())
        .map_err(|e| Failure::Input(e.to_string()))?;
    net.save(&a.out).map_err(|e| Failure::Internal(e.into()))?;
    if out.json {
        println!(
            "{}",
            serde_json::to_string(&report).context("encoding the report")?
        );
    } else if !out.quiet {
        println!(
            "prepared {} in {:.1} s: {} nodes, {} edges → {}",
            a.osm.display(),
            t.elapsed().as_secs_f64(),
            net.node_count(),
            net.edge_count(),
            a.out.display()
        );
        println!(
            "{}",
            serde_json::to_string_pretty(&report).context("encoding the report")?
        );
    }
    Ok(())
}

/// Loads a prepared network, or builds one from a `.pbf`.
pub(crate) fn load_roads(path: &Path) -> Result<RoadNetwork, Failure> {
    let is_pbf = path
        .to_string_lossy()
        .to_ascii_lowercase()
        .ends_with(".pbf");
    let r = if is_pbf {
        RoadNetwork::from_pbf(path, &SpeedProfile::default()).map(|(n, _)| n)
    } else {
        RoadNetwork::load(path)
    };
    r.map_err(|e| Failure::Input(e.to_string()))
}

/// `senroute solve`.
#[derive(Args, Debug)]
pub struct SolveArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Road network: a file from `senroute prepare`, or an `.osm.pbf` extract.
    #[arg(long)]
    roads: Option<PathBuf>,
    /// Borough boundaries (GeoJSON) to fill blank borough codes.
    #[arg(long)]
    boundaries: Option<PathBuf>,
    /// Search time limit, e.g. 60s, 2m, 1h 30m or 90 (seconds); at most 24 h.
    #[arg(long, value_parser = parse_time_limit)]
    time_limit: Option<Duration>,
    /// Random seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Maximum distance from a home, school or depot to the nearest road, metres.
    #[arg(long, default_value_t = senroute_roads::DEFAULT_MAX_SNAP_M)]
    max_snap: f64,
    #[command(flatten)]
    day: DayArgs,
    #[command(flatten)]
    replan: crate::replan::ReplanArgs,
    /// Output directory.
    #[arg(long)]
    out: PathBuf,
}

/// What `solve` and `demo` have produced.
struct Solved {
    problem: Problem,
    plan: AnyPlan,
    network: Option<RoadNetwork>,
    road_travel: Option<RoadTravel>,
    seconds: f64,
    iterations: u64,
    violations: Vec<senroute_model::Violation>,
    /// With a re-plan: what changed for each pupil.
    changes: Option<Vec<senroute_model::Change>>,
}

/// Travel times for `problem` (its blank borough codes first filled from
/// `boroughs`): over the road network `roads`, else the problem's own
/// matrices. With roads, the network and the snapping are returned too.
pub(crate) fn load_travel(
    problem: &mut Problem,
    roads: Option<&Path>,
    boroughs: Option<&Boroughs>,
    max_snap: f64,
    out: Output,
) -> Result<(TravelTimes, Option<RoadNetwork>, Option<RoadTravel>), Failure> {
    if let Some(b) = boroughs {
        fill_boroughs(problem, b);
    }
    // The one precedence of every front end (senroute_planner::travel_for):
    // the problem's own matrices, else the roads.
    if problem.matrices.is_some() {
        if roads.is_some() && !out.quiet && !out.json {
            eprintln!("note: the problem carries its own travel matrices, which take precedence over --roads");
        }
        let (t, _) = travel_for(problem, None, max_snap)?;
        return Ok((t, None, None));
    }
    let net = match roads {
        Some(r) => {
            if !out.quiet && !out.json {
                eprintln!("loading roads from {} …", r.display());
            }
            Some(load_roads(r)?)
        }
        None => None,
    };
    let (t, rt) = travel_for(problem, net.as_ref(), max_snap)?;
    Ok((t, net, rt))
}

fn solve_problem(
    mut problem: Problem,
    roads: Option<&Path>,
    boroughs: Option<&Boroughs>,
    max_snap: f64,
    replan: Option<&senroute_planner::Replan>,
    out: Output,
) -> Result<Solved, Failure> {
    let (travel, network, road_travel) = load_travel(&mut problem, roads, boroughs, max_snap, out)?;
    let mut options = PlanOptions::from_problem(&problem);
    options.cancel = ctrl_c_flag();
    let bar = SolveProgress::new(out.quiet || out.json, options.time_limit);
    let started = Instant::now();
    let progress = |p| bar.update(p);
    let (run, changes) = match replan {
        Some(r) => {
            let done = senroute_planner::replan(&problem, &travel, r, &options, &progress);
            bar.finish();
            let done = done?;
            (done.outcome, Some(done.changes))
        }
        None => {
            let run = senroute_planner::run(&problem, &travel, &options, &progress);
            bar.finish();
            (run, None)
        }
    };
    Ok(Solved {
        changes,
        plan: run.plan,
        problem,
        network,
        road_travel,
        seconds: started.elapsed().as_secs_f64(),
        iterations: run.iterations,
        violations: run.violations,
    })
}

fn geometry(s: &Solved) -> senroute_report::Geometry<'_> {
    match (&s.network, &s.road_travel) {
        (Some(net), Some(rt)) => senroute_report::Geometry::roads(net, rt.times.keys(), &rt.snaps),
        _ => senroute_report::Geometry::Straight,
    }
}

fn write_outputs(dir: &Path, s: &Solved) -> Result<Vec<PathBuf>, Failure> {
    let paths = senroute_report::write_any_outputs(dir, &s.problem, &s.plan, &geometry(s))
        .map_err(|e| Failure::Internal(e.into()))?;
    Ok(paths.all().into_iter().map(Path::to_path_buf).collect())
}

fn finish(s: &Solved, dir: &Path, out: Output) -> Result<(), Failure> {
    let violations = &s.violations;
    let mut written = write_outputs(dir, s)?;
    if let Some(c) = &s.changes {
        written.push(crate::replan::write_changes(dir, c)?);
    }
    if out.json {
        let mut j = match &s.plan {
            AnyPlan::Day(d) => serde_json::json!({
                "session": "day", "totals": d.totals,
                "am": {"totals": d.am.totals, "unassigned": d.am.unassigned},
                "pm": {"totals": d.pm.totals, "unassigned": d.pm.unassigned},
            }),
            AnyPlan::Session(p) => serde_json::json!({
                "session": p.session, "totals": p.totals, "unassigned": p.unassigned,
            }),
        };
        let extra = serde_json::json!({
            "out": dir, "files": written, "seconds": s.seconds, "iterations": s.iterations,
            "valid": violations.is_empty(),
        });
        let extra = match (&s.changes, extra) {
            (Some(c), serde_json::Value::Object(mut e)) => {
                e.insert(
                    "pupils_changed".into(),
                    senroute_model::pupils_changed(c).into(),
                );
                e.insert(
                    "changes".into(),
                    serde_json::to_value(c).unwrap_or_default(),
                );
                serde_json::Value::Object(e)
            }
            (_, e) => e,
        };
        if let (Some(j), serde_json::Value::Object(e)) = (j.as_object_mut(), extra) {
            j.extend(e);
        }
        println!("{j}");
    } else if !out.quiet {
        match &s.plan {
            AnyPlan::Day(d) => print!("{}", senroute_report::day_text_summary(&s.problem, d)),
            AnyPlan::Session(p) => print!("{}", senroute_report::text_summary(&s.problem, p)),
        }
        if let Some(c) = &s.changes {
            println!(
                "{} pupils changed (see changes.csv)",
                senroute_model::pupils_changed(c)
            );
        }
        println!(
            "solved in {:.1} s ({} iterations); wrote {} files to {}",
            s.seconds,
            s.iterations,
            written.len(),
            dir.display()
        );
    }
    if !violations.is_empty() {
        let list: Vec<String> = violations.iter().map(|v| v.to_string()).collect();
        return Err(Failure::Internal(anyhow::anyhow!(
            "the plan failed independent validation:\n  {}",
            list.join("\n  ")
        )));
    }
    Ok(())
}

/// The problem of `input` with its settings changed by `settle` (for CSV
/// input, the defaults so changed; a JSON problem's own settings so
/// changed), and the borough boundaries of `boundaries` if given.
pub(crate) fn load_settled_problem(
    input: &InputArgs,
    boundaries: Option<&Path>,
    settle: &dyn Fn(&mut Settings),
) -> Result<(Problem, Option<Boroughs>), Failure> {
    let mut settings = Settings::default();
    settle(&mut settings);
    let (boroughs, codes) = load_boroughs(boundaries)?;
    let mut problem = load_problem(input, settings, &codes)?;
    if input.problem.is_some() {
        settle(&mut problem.settings);
    }
    Ok((problem, boroughs))
}

fn solve(a: SolveArgs, out: Output) -> Result<(), Failure> {
    let settle = |s: &mut Settings| {
        if let Some(t) = a.time_limit {
            s.time_limit_seconds = t.as_secs_f64();
        }
        if let Some(seed) = a.seed {
            s.seed = seed;
        }
        a.day.apply(s);
    };
    let (problem, boroughs) = load_settled_problem(&a.input, a.boundaries.as_deref(), &settle)?;
    let replan = a.replan.load()?;
    let s = solve_problem(
        problem,
        a.roads.as_deref(),
        boroughs.as_ref(),
        a.max_snap,
        replan.as_ref(),
        out,
    )?;
    finish(&s, &a.out, out)
}

/// `senroute demo`.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Search time limit (at most 24 h).
    #[arg(long, value_parser = parse_time_limit, default_value = "30s")]
    time_limit: Duration,
    /// Output directory.
    #[arg(long, default_value = "senroute-demo")]
    out: PathBuf,
    /// Repository root holding `data/` (default: the current directory).
    #[arg(long, default_value = ".")]
    data_root: PathBuf,
    /// Session to plan.
    #[arg(long, value_enum, default_value_t = SessionArg::Day)]
    session: SessionArg,
    #[command(flatten)]
    day: DayArgs,
}

fn demo(a: DemoArgs, out: Output) -> Result<(), Failure> {
    let root = &a.data_root;
    let roads = root.join(DEMO_ROADS);
    if !roads.exists() {
        return Err(Failure::Input(format!(
            "{} not found: run the demo from the repository root, or pass --data-root",
            roads.display()
        )));
    }
    let input = root.join(DEMO_INPUT);
    let mut settings = Settings {
        time_limit_seconds: a.time_limit.as_secs_f64(),
        ..Settings::default()
    };
    a.day.apply(&mut settings);
    let (boroughs, codes) = load_boroughs(Some(&root.join(DEMO_BOUNDARIES)))?;
    let problem = read_problem_files_with(
        &input.join("pupils.csv"),
        &input.join("schools.csv"),
        &input.join("fleet.csv"),
        a.session.into(),
        settings,
        &codes,
    )?;
    if !out.quiet && !out.json {
        let what = match problem.session {
            Session::Day => "the day (AM and PM runs)".to_string(),
            s => format!("the {} run", s.label()),
        };
        println!("senroute demo: planning {what} for the bundled cohort ({} pupils) on the Camden + Westminster + City roads", problem.travelling_pupils().count());
    }
    let s = solve_problem(
        problem,
        Some(&roads),
        boroughs.as_ref(),
        senroute_roads::DEFAULT_MAX_SNAP_M,
        None,
        out,
    )?;
    finish(&s, &a.out, out)?;
    if !out.quiet && !out.json {
        let d = a.out.display();
        let maps = if a.session == SessionArg::Day {
            format!("{d}/map.png (AM), {d}/map-pm.png (PM)")
        } else {
            format!("{d}/map.png")
        };
        println!("look at {d}/report.html (KPIs, map and a table per run), {maps}, {d}/routes.geojson (QGIS), {d}/routes.csv (stop by stop), {d}/pupils.csv (each pupil), {d}/manifests.html (a printable page per run for drivers and assistants), {d}/plan.xlsx and {d}/plan.json");
    }
    Ok(())
}

/// `senroute matrix`.
#[derive(Args, Debug)]
pub struct MatrixArgs {
    /// Road network: an `.osm.pbf` extract or a prepared file.
    #[arg(long)]
    osm: PathBuf,
    /// CSV of `lat,lon` rows.
    #[arg(long)]
    points: PathBuf,
    /// Also write the full matrix as JSON here.
    #[arg(long)]
    out: Option<PathBuf>,
}

fn matrix(a: MatrixArgs) -> Result<(), Failure> {
    let r = senroute_roads::matrix_report::run(&a.osm, &a.points, a.out.as_deref())
        .map_err(|e| Failure::Input(e.to_string()))?;
    println!(
        "{}",
        serde_json::to_string(&r).context("encoding the report")?
    );
    Ok(())
}

/// Benchmark file format.
#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum BenchFormat {
    /// Solomon / Gehring & Homberger VRPTW.
    Solomon,
    /// Li & Lim PDPTW.
    Lilim,
    /// Cordeau (2006) DARP.
    Cordeau,
}

/// `senroute bench`.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Instance file format.
    #[arg(long, value_enum, required_unless_present_any = ["scale", "scale_one"])]
    format: Option<BenchFormat>,
    /// Instead of instance files: the scale table on generated cohorts of
    /// `--sizes` pupils on the bundled roads (see the solver README).
    #[arg(long, conflicts_with_all = ["format", "files"])]
    scale: bool,
    /// Pupils per cohort of `--scale` (each at most 20,000).
    #[arg(long, value_delimiter = ',', default_value = "300,1000,3000,6000,20000",
          value_parser = count_up_to(senroute_model::limits::MAX_PUPILS as u64))]
    sizes: Vec<u64>,
    /// Search budgets of `--scale`, seconds (each solved separately).
    #[arg(long, value_delimiter = ',', default_value = "10,60,600", value_parser = parse_seconds)]
    budgets: Vec<f64>,
    /// One size of `--scale`, in a child process (internal).
    #[arg(long, hide = true)]
    scale_one: Option<u64>,
    /// Seconds per instance (at most 86400).
    #[arg(long, default_value_t = 60.0, value_parser = parse_seconds)]
    seconds: f64,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Iteration limit per thread (exactly reproducible runs).
    #[arg(long)]
    iterations: Option<u64>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Include each route as the instance file's node numbers.
    #[arg(long)]
    routes: bool,
    /// Instance files.
    #[arg(required_unless_present_any = ["scale", "scale_one"])]
    files: Vec<PathBuf>,
}

fn bench(a: BenchArgs, out: Output) -> Result<(), Failure> {
    use senroute_solver::bench::{run_bench, BenchOptions};
    use senroute_solver::checker::Format;
    let threads = a
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let scale = crate::scale::ScaleSettings {
        sizes: a.sizes.iter().map(|&n| n as usize).collect(),
        budgets: a.budgets.clone(),
        seed: a.seed,
        threads,
    };
    if let Some(n) = a.scale_one {
        return crate::scale::scale_one(n as usize, &scale);
    }
    if a.scale {
        return crate::scale::scale(&scale, out);
    }
    let format = match a.format.expect("required without --scale") {
        BenchFormat::Solomon => Format::Solomon,
        BenchFormat::Lilim => Format::LiLim,
        BenchFormat::Cordeau => Format::Cordeau,
    };
    let opts = BenchOptions {
        seconds: a.seconds,
        iterations: a.iterations,
        seed: a.seed,
        threads: a
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        routes: a.routes,
    };
    for f in &a.files {
        let r = run_bench(format, f, &opts)
            .map_err(|e| Failure::Input(format!("{}: {e}", f.display())))?;
        println!("{}", r.to_json());
    }
    Ok(())
}
