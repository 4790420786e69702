//! `senroute check`: does a plan keep every rule? The plan is a
//! `plan.json` or a `routes.csv` written by `senroute solve`, perhaps
//! edited by hand; the problem is given as to `solve`.
//!
//! Exit 0 when every rule holds, 3 when the plan breaks a rule (every
//! violation printed: run, pupil, rule, by how much and what to change), 2
//! when the plan or the problem cannot be read.

use crate::commands::{load_settled_problem, load_travel, DayArgs, InputArgs};
use crate::{Failure, Output};
use anyhow::Context;
use clap::Args;
use senroute_model::{AnyPlan, Problem, Session, Settings, Unit, Violation};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// `senroute check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Road network: a file from `senroute prepare`, or an `.osm.pbf` extract.
    #[arg(long)]
    roads: Option<PathBuf>,
    /// Borough boundaries (GeoJSON) to fill blank borough codes.
    #[arg(long)]
    boundaries: Option<PathBuf>,
    /// Maximum distance from a home, school or depot to the nearest road, metres.
    #[arg(long, default_value_t = senroute_roads::DEFAULT_MAX_SNAP_M)]
    max_snap: f64,
    #[command(flatten)]
    day: DayArgs,
    /// The plan to check: a `plan.json` or a `routes.csv` that `senroute
    /// solve` wrote, perhaps edited by hand. A routes.csv gives each run's
    /// vehicle and stop order; its times are worked out as the planner
    /// works them out. A plan.json is checked with its own times.
    #[arg(long)]
    plan: PathBuf,
    /// Work out the times of a plan.json from its vehicles and stop order
    /// too, instead of checking the times it gives.
    #[arg(long)]
    retime: bool,
}

/// Whether a file is a routes.csv (else a plan.json), by its name, else by
/// its first character.
fn is_csv(path: &Path, text: &str) -> bool {
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("csv") => true,
        Some(e) if e.eq_ignore_ascii_case("json") => false,
        _ => !text.trim_start().starts_with('{'),
    }
}

/// Reads the plan file (bounded as [`crate::commands::read_bounded_text`]) for
/// `problem`; returns the plan and whether it came without times.
fn read_plan(path: &Path, problem: &Problem) -> Result<(AnyPlan, bool), Failure> {
    let name = path.display().to_string();
    let text = crate::commands::read_bounded_text(path, "")?;
    if is_csv(path, &text) {
        let plan = senroute_model::read_routes_csv(&name, text.as_bytes(), problem)?;
        Ok((plan, true))
    } else {
        Ok((
            senroute_model::read_plan_json(&name, &text, problem)?,
            false,
        ))
    }
}

/// "AM run 3 (TAXI #2)": the session (in a day plan) and the run's number
/// as `routes.csv` numbers runs (from 1), with its vehicle.
fn run_name(v: &Violation) -> Option<String> {
    let session = v.session.map(|s| format!("{} ", s.label()));
    match (v.route, &v.run) {
        (Some(r), Some(label)) => Some(format!(
            "{}run {} ({label})",
            session.unwrap_or_default(),
            r + 1
        )),
        (Some(r), None) => Some(format!("{}run {}", session.unwrap_or_default(), r + 1)),
        _ => v.session.map(|s| format!("{} session", s.label())),
    }
}

/// An amount as a person reads it: `12 min 5 s`, `2 seats`, `£4.20`.
pub(crate) fn amount_text(value: f64, unit: Unit) -> String {
    let count = |one: &str, many: &str| {
        let n = value.round();
        format!("{n} {}", if n == 1.0 { one } else { many })
    };
    match unit {
        Unit::Seconds => {
            let s = value.round() as u64;
            match (s / 60, s % 60) {
                (0, s) => format!("{s} s"),
                (m, 0) => format!("{m} min"),
                (m, s) => format!("{m} min {s} s"),
            }
        }
        Unit::Seats => count("seat", "seats"),
        Unit::WheelchairSpaces => count("wheelchair space", "wheelchair spaces"),
        Unit::Pupils => count("pupil", "pupils"),
        Unit::Vehicles => count("vehicle", "vehicles"),
        Unit::Schools => count("school", "schools"),
        Unit::Metres => format!("{value:.0} m"),
        Unit::Pounds => format!("£{value:.2}"),
    }
}

/// One violation as lines for a person: where (run, stop, pupil), the
/// rule, by how much, what is wrong and what to change.
fn violation_text(v: &Violation) -> String {
    let mut place = Vec::new();
    if let Some(r) = run_name(v) {
        place.push(r);
    }
    if let Some(s) = v.stop {
        place.push(format!("stop {s}"));
    }
    if let Some(p) = &v.pupil {
        place.push(format!("pupil {p}"));
    }
    let mut line = format!("{}: {}", v.rule.code(), place.join(", "));
    if place.is_empty() {
        line.push_str("the plan");
    }
    if let Some(a) = v.amount {
        line.push_str(&format!(" — by {}", amount_text(a.value, a.unit)));
    }
    line.push_str(&format!("\n    {}", v.message));
    if !v.fix.is_empty() {
        line.push_str(&format!("\n    to change: {}", v.fix));
    }
    line
}

/// Runs, pupils placed (distinct) and cost of a plan, for the summary.
fn figures(plan: &AnyPlan) -> (usize, usize, f64) {
    let plans = plan.plans();
    let runs = plans.iter().map(|p| p.routes.len()).sum();
    let pupils: HashSet<&str> = plans
        .iter()
        .flat_map(|p| &p.routes)
        .flat_map(|r| &r.stops)
        .flat_map(|s| s.pupils.iter().map(String::as_str))
        .collect();
    (runs, pupils.len(), plan.cost())
}

/// `senroute check`.
pub fn check(a: CheckArgs, out: Output) -> Result<(), Failure> {
    let settle = |s: &mut Settings| a.day.apply(s);
    let (mut problem, boroughs) = load_settled_problem(&a.input, a.boundaries.as_deref(), &settle)?;
    // Read the plan before the (slower) roads: a plan that cannot be read
    // is reported at once.
    let (plan, untimed) = read_plan(&a.plan, &problem)?;
    let (travel, _, _) = load_travel(
        &mut problem,
        a.roads.as_deref(),
        boroughs.as_ref(),
        a.max_snap,
        out,
    )?;
    let checked = senroute_planner::check_plan(&problem, &travel, plan, untimed || a.retime);
    let (plan, violations, retimed) = (checked.plan, checked.violations, checked.retimed);
    let (runs, pupils, cost) = figures(&plan);
    let unassigned = plan.unassigned();
    let per = match problem.session {
        Session::Day => "per day",
        _ => "for the session",
    };
    if out.json {
        let list: Vec<serde_json::Value> = violations
            .iter()
            .map(|v| {
                let mut j = serde_json::to_value(v).unwrap_or_default();
                if let Some(o) = j.as_object_mut() {
                    o.insert("run_number".into(), v.route.map(|r| r + 1).into());
                    o.insert(
                        "amount_text".into(),
                        v.amount.map(|x| amount_text(x.value, x.unit)).into(),
                    );
                }
                j
            })
            .collect();
        let j = serde_json::json!({
            "valid": violations.is_empty(), "plan": a.plan, "session": problem.session,
            "runs": runs, "pupils": pupils, "unassigned": unassigned, "cost": cost,
            "retimed": retimed, "violations": list,
        });
        println!(
            "{}",
            serde_json::to_string(&j).context("encoding the violations")?
        );
    } else if violations.is_empty() {
        if !out.quiet {
            println!(
                "plan is valid: {runs} runs, {pupils} pupils placed ({unassigned} journeys unassigned), cost £{cost:.2} {per}"
            );
        }
    } else {
        for v in &violations {
            println!("{}", violation_text(v));
        }
    }
    if violations.is_empty() {
        return Ok(());
    }
    let rules: HashSet<&str> = violations.iter().map(|v| v.rule.code()).collect();
    let mut rules: Vec<&str> = rules.into_iter().collect();
    rules.sort_unstable();
    Err(Failure::Rules(format!(
        "{} breaks {} rule(s) ({}) in {} place(s); {runs} runs, {pupils} pupils placed, cost £{cost:.2} {per}",
        a.plan.display(),
        rules.len(),
        rules.join(", "),
        violations.len()
    )))
}
