//! `senroute pool`: the cross-borough pooling study on input files, on
//! generated cohorts (`--sweep`, `--study`), locally or over the service
//! (`--via`).

use crate::commands::{load_boroughs, load_problem, load_roads, InputArgs};
use crate::durations::{count_up_to, parse_time_per_pupil};
use crate::{Failure, Output};
use anyhow::Context;
use clap::Args;
use senroute_model::{Problem, Session, Settings, TravelTimes};
use senroute_planner::{fill_boroughs, travel_times};
use senroute_pooling::{output, run_study_with, LocalSolver, Study, StudyError, StudyOptions};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `senroute pool`.
#[derive(Args, Debug)]
pub struct PoolArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Road network: a file from `senroute prepare`, or an `.osm.pbf` extract.
    #[arg(long)]
    roads: Option<PathBuf>,
    /// Borough boundaries (GeoJSON) to fill blank borough codes; borough
    /// names on the page come from it (default: the bundled London file).
    #[arg(long)]
    boundaries: Option<PathBuf>,
    /// Search time per pupil of each (sub)problem, the same alone and pooled.
    /// At most 60 s.
    #[arg(long, value_parser = parse_time_per_pupil, default_value = "0.2s")]
    time_limit_per_pupil: Duration,
    /// Iterations per pupil and thread instead of a time limit (exactly reproducible; at most 10^9).
    #[arg(long, value_parser = count_up_to(1_000_000_000))]
    iterations_per_pupil: Option<u64>,
    /// First random seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Independent runs of the whole study, with seeds seed, seed+1, … (at
    /// most 1000): figures are means over the runs with a 95 % percentile
    /// bootstrap interval.
    #[arg(long, default_value_t = 3, value_parser = count_up_to(1000))]
    seeds: u64,
    /// Exact Shapley value up to this many boroughs (1 to 12: exact costs
    /// every one of the 2^n − 1 groups of boroughs, per seed), sampled over
    /// random orders beyond, with its sampling error.
    #[arg(long, default_value_t = 6, value_parser = count_up_to(12))]
    exact_shapley_max: u64,
    /// Random orders for the sampled Shapley value (2 to 100000).
    #[arg(long, default_value_t = 200, value_parser = count_from_to(2, 100_000))]
    shapley_permutations: u64,
    /// School days per year for the £/year figures.
    #[arg(long, default_value_t = 190, value_parser = count_up_to(366))]
    school_days: u64,
    /// Maximum distance from a home, school or depot to the nearest road, metres.
    #[arg(long, default_value_t = senroute_roads::DEFAULT_MAX_SNAP_M)]
    max_snap: f64,
    /// Vary one parameter over generated cohorts on the bundled roads instead of
    /// reading input files: PARAMETER=V1,V2,… with PARAMETER one of
    /// cross_borough_share, wheelchair_share, max_ride_minutes, boroughs.
    #[arg(long, conflicts_with_all = ["pupils", "problem", "study"])]
    sweep: Option<String>,
    /// Pupils per borough of each sweep cohort.
    #[arg(long, default_value_t = 30)]
    pupils_per_borough: u32,
    /// The reproducible study: generate a cohort for every borough the
    /// bundled roads cover at a realistic size (see crates/synth/README.md),
    /// run the study at each time budget of --budgets, and write the report
    /// of the largest budget with a saving-against-budget table.
    #[arg(long, conflicts_with_all = ["pupils", "problem", "via"])]
    study: bool,
    /// With --study: the time budgets per pupil to compare, in seconds
    /// (e.g. 0.05,0.1).
    #[arg(long, requires = "study", default_value = "0.05,0.1")]
    budgets: String,
    /// With --study: fraction of the realistic cohort size to generate (0 to
    /// 1], to keep runs modest on a loaded machine.
    #[arg(long, requires = "study", default_value_t = 1.0)]
    scale: f64,
    /// Solver threads per search (default 1: the searches run side by side).
    /// The plans of an iteration-limited study depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Searches run at once on this machine (default: one per core).
    #[arg(long, value_parser = count_up_to(1024))]
    jobs: Option<u64>,
    /// Do not start each group's search from its members' own plans (the
    /// service has no warm start, so --via implies it).
    #[arg(long)]
    no_warm_start: bool,
    /// Solve every coalition as a job of a senroute service:
    /// grpc://HOST:PORT (grpcs:// for TLS). Needs --key.
    #[arg(long, value_name = "URL", requires = "key", conflicts_with = "sweep")]
    via: Option<String>,
    /// The borough API key for --via.
    #[arg(long, requires = "via")]
    key: Option<String>,
    /// With --via: jobs in flight at once.
    #[arg(long, default_value_t = 16)]
    via_jobs: usize,
    /// Output directory.
    #[arg(long)]
    out: PathBuf,
}

/// `first..=last` as a whole number.
fn count_from_to(first: u64, last: u64) -> impl Fn(&str) -> Result<u64, String> + Clone {
    move |s: &str| match s.trim().parse::<u64>() {
        Ok(v) if (first..=last).contains(&v) => Ok(v),
        _ => Err(format!(
            "{:?} is not a whole number from {first} to {last}",
            s.trim().chars().take(40).collect::<String>()
        )),
    }
}

/// `count` seeds from `first`, stopping at `u64::MAX`.
fn seeds(first: u64, count: u64) -> Vec<u64> {
    (0..count.max(1))
        .map_while(|i| first.checked_add(i))
        .collect()
}

/// The study's options from the flags.
fn options(a: &PoolArgs) -> StudyOptions {
    let mut o = StudyOptions {
        seconds_per_pupil: a.time_limit_per_pupil.as_secs_f64(),
        iterations_per_pupil: a.iterations_per_pupil,
        seeds: seeds(a.seed, a.seeds),
        exact_shapley_max_boroughs: a.exact_shapley_max as usize,
        shapley_permutations: a.shapley_permutations as usize,
        school_days_per_year: a.school_days as f64,
        threads: a.threads.unwrap_or(1).max(1),
        warm_start: !a.no_warm_start && a.via.is_none(),
        ..StudyOptions::default()
    };
    if a.threads.is_none() && a.via.is_none() && a.jobs == Some(1) {
        o.threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    }
    o
}

/// The local solver from the flags.
fn local(a: &PoolArgs) -> LocalSolver {
    LocalSolver {
        jobs: a.jobs.map_or_else(
            || std::thread::available_parallelism().map_or(1, |n| n.get()),
            |j| j as usize,
        ),
    }
}

/// Borough names by GSS code, from the given boundaries or the bundled file.
pub(crate) fn borough_names(boundaries: Option<&Path>) -> Vec<(String, String)> {
    let path = boundaries.unwrap_or(Path::new(senroute_synth::DEFAULT_BOUNDARIES));
    senroute_roads::Boroughs::from_geojson(path)
        .map(|b| b.iter().map(|x| (x.gss.clone(), x.name.clone())).collect())
        .unwrap_or_default()
}

pub(crate) fn pool(a: PoolArgs, out: Output) -> Result<(), Failure> {
    if let Some(spec) = &a.sweep {
        let options = options(&a);
        return crate::sweep::run(spec, a.pupils_per_borough, a.seed, &options, &a.out, out);
    }
    if a.study {
        return crate::pool_study::run(&a.budgets, a.scale, options(&a), local(&a), &a.out, out);
    }
    let (boroughs, codes) = load_boroughs(a.boundaries.as_deref())?;
    let mut problem = load_problem(&a.input, Settings::default(), &codes)?;
    if problem.session == Session::Day {
        return Err(Failure::Input(
            "the pooling study compares one session at a time: give --session am or pm".into(),
        ));
    }
    if let Some(b) = &boroughs {
        fill_boroughs(&mut problem, b);
    }
    let (travel, network, road_travel) = match (&a.roads, &problem.matrices) {
        (Some(r), _) => {
            let net = load_roads(r)?;
            let rt = travel_times(&problem, &net, a.max_snap)?;
            (rt.times.clone(), Some(net), Some(rt))
        }
        (None, Some(m)) => (
            TravelTimes::from_matrices(m).map_err(|e| Failure::Input(format!("matrices: {e}")))?,
            None,
            None,
        ),
        (None, None) => {
            return Err(Failure::Input(
                "no travel times: give --roads, or a --problem JSON that carries matrices".into(),
            ))
        }
    };
    let options = options(&a);
    let chatty = !out.quiet && !out.json;
    let progress = |line: &str| {
        if chatty {
            eprintln!("  {line}");
        }
    };
    let result = match (&a.via, &a.key) {
        (Some(via), Some(key)) => {
            let solver = crate::via::ServiceSolver {
                endpoint: crate::via::endpoint(via).map_err(Failure::Input)?,
                key: key.clone(),
                in_flight: a.via_jobs,
                study_id: format!(
                    "pool-{}-{}",
                    std::process::id(),
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.as_nanos())
                ),
                chatty,
                submitted: std::sync::atomic::AtomicUsize::new(0),
            };
            run_study_with(&problem, &travel, &options, &progress, &solver)
        }
        _ => run_study_with(&problem, &travel, &options, &progress, &local(&a)),
    };
    let mut study = match result {
        Ok(s) => s,
        Err(StudyError::Input(e)) => return Err(e.into()),
        Err(StudyError::Solver(e)) => return Err(Failure::Internal(anyhow::anyhow!(e))),
    };
    let names = borough_names(a.boundaries.as_deref());
    study
        .report
        .set_names(names.iter().map(|(c, n)| (c.as_str(), n.as_str())));
    let mut files: Vec<&PathBuf> = [
        &a.input.pupils,
        &a.input.schools,
        &a.input.fleet,
        &a.input.problem,
        &a.roads,
        &a.boundaries,
    ]
    .into_iter()
    .flatten()
    .collect();
    files.dedup();
    for f in files {
        let h = output::sha256_file(f).with_context(|| format!("hashing {}", f.display()))?;
        study.report.inputs.push((f.display().to_string(), h));
    }
    let geometry = match (&network, &road_travel) {
        (Some(net), Some(rt)) => senroute_report::Geometry::roads(net, rt.times.keys(), &rt.snaps),
        _ => senroute_report::Geometry::Straight,
    };
    let maps = pooling_maps(&problem, &study, &geometry);
    let written = output::write(&a.out, &study, &maps)
        .with_context(|| format!("writing to {}", a.out.display()))?;
    summary(&study, &written, out)
}

/// Prints the study's summary (or its JSON).
pub(crate) fn summary(study: &Study, written: &[PathBuf], out: Output) -> Result<(), Failure> {
    let r = &study.report;
    if out.json {
        println!(
            "{}",
            serde_json::to_string(r).context("encoding the report")?
        );
        return Ok(());
    }
    if out.quiet {
        return Ok(());
    }
    let ci = |e: &senroute_pooling::Estimate| {
        if e.runs > 1 {
            format!(" (95 % CI £{:.2} to £{:.2})", e.low, e.high)
        } else {
            String::new()
        }
    };
    println!(
        "alone £{:.2}/day ({} vehicles, {} unassigned), pooled £{:.2}/day ({} vehicles, {} unassigned): saving £{:.2}/day{}, {:.1} %, over {} runs",
        r.alone_cost.mean,
        r.alone_total.vehicles.round(),
        r.alone_total.unassigned,
        r.pooled_cost.mean,
        r.pooled_total.vehicles.round(),
        r.pooled_total.unassigned,
        r.saving.mean,
        ci(&r.saving),
        r.saving_pct.mean,
        r.runs.len()
    );
    println!(
        "cost split (coalition costs count £{:.0} per unplaced pupil):",
        r.options.unassigned_penalty
    );
    for b in &r.boroughs {
        println!(
            "  {}: alone £{:.2}, pooled share £{:.2}{} Shapley (± {:.2} sampling) / £{:.2} proportional / £{:.2} least core",
            b.name,
            b.alone_cost.mean,
            b.shapley.mean,
            ci(&b.shapley),
            b.shapley_sampling_error,
            b.proportional_share,
            b.least_core_share
        );
    }
    println!(
        "{}; Shapley split {}; proportional split {}",
        if r.core.empty {
            format!(
                "the core is EMPTY: some group pays at least £{:.2}/day more than alone under any split",
                r.core.epsilon
            )
        } else {
            "the core is not empty".to_string()
        },
        if r.shapley_core_violations.is_empty() {
            "is in the core"
        } else {
            "is NOT in the core"
        },
        if r.proportional_core_violations.is_empty() {
            "is in the core"
        } else {
            "is NOT in the core"
        }
    );
    println!(
        "wrote {}",
        written
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

/// The alone plans side by side with the pooled plan, on one view and scale.
pub(crate) fn pooling_maps(
    problem: &Problem,
    study: &Study,
    geometry: &senroute_report::Geometry,
) -> String {
    use senroute_report::{map_svg, union_bbox, view_bbox, MapOptions};
    let alone = senroute_pooling::union(
        problem.session,
        &study.alone.iter().map(|(_, _, p)| p).collect::<Vec<_>>(),
    );
    let view = match (
        view_bbox(problem, &alone, geometry),
        view_bbox(problem, &study.pooled, geometry),
    ) {
        (Some(a), Some(b)) => Some(union_bbox(a, b)),
        (a, b) => a.or(b),
    };
    let options = MapOptions {
        width: 540,
        height: 460,
        view,
        ..MapOptions::default()
    };
    format!(
        "<figure><figcaption>Each borough on its own: {} vehicles</figcaption>{}</figure><figure><figcaption>Together: {} vehicles</figcaption>{}</figure>",
        alone.totals.vehicles,
        map_svg(problem, &alone, geometry, &options),
        study.pooled.totals.vehicles,
        map_svg(problem, &study.pooled, geometry, &options)
    )
}
