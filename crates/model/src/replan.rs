//! Re-planning from a previous plan: which runs are locked (kept exactly:
//! vehicle, pupils, order), and what changed for each pupil between the
//! previous plan and the new one (`changes.csv`).
//!
//! A run is named as in `routes.csv` and the manifests: its number within
//! its session (`3`, or `am:3` / `pm:3` when the plan is a day plan), or by
//! its vehicle (`MINIBUS#2`, every run of that vehicle).
//!
//! A pupil *changed* when they are placed in one plan and not the other,
//! ride another vehicle, or their time at home (AM pick-up, PM drop-off)
//! moves by more than [`HOME_TIME_TOLERANCE_S`].

use crate::day::AnyPlan;
use crate::issues::{InputErrors, InputIssue};
use crate::plan::Plan;
use crate::problem::Session;
use crate::time::format_clock;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// A home time that moves by no more than this (seconds) is not a change:
/// families are told a time to the nearest few minutes.
pub const HOME_TIME_TOLERANCE_S: f64 = 300.0;

/// One run of a plan: its session and its number there (1-based, the
/// position in [`Plan::routes`] plus one, as `routes.csv` numbers runs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct RunRef {
    /// `am` or `pm`.
    pub session: Session,
    /// Run number within the session, from 1.
    pub number: usize,
}

impl RunRef {
    /// `AM 3`, as the manifests name runs.
    pub fn label(&self) -> String {
        format!("{} {}", self.session.label(), self.number)
    }

    /// Index into the session plan's routes.
    pub fn index(&self) -> usize {
        self.number - 1
    }
}

/// Parses `--lock` (comma-separated runs: `3`, `am:3`, `pm:3`, or a
/// vehicle `TYPE#K`) against the previous plan `previous`. Every item must
/// name a run the plan has; a bare number is refused for a day plan (say
/// which session). `source` names the option or field in errors.
pub fn parse_locks(
    source: &str,
    text: &str,
    previous: &AnyPlan,
) -> Result<Vec<RunRef>, InputErrors> {
    let mut errors = InputErrors::default();
    let mut runs = BTreeSet::new();
    let fail = |value: &str, message: String, hint: &str| InputIssue {
        source: source.to_string(),
        line: None,
        field: Some(source.to_string()),
        value: Some(value.to_string()),
        message,
        hint: hint.to_string(),
    };
    let plans = previous.plans();
    for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if let Some((vtype, k)) = item.split_once('#') {
            let vtype = vtype.trim();
            let Ok(k) = k.trim().parse::<u32>() else {
                errors.push(fail(
                    item,
                    "not a vehicle number after #".into(),
                    "write a vehicle as TYPE#K, e.g. MINIBUS#2",
                ));
                continue;
            };
            let found: Vec<RunRef> = plans
                .iter()
                .flat_map(|p| {
                    p.routes.iter().enumerate().filter_map(move |(i, r)| {
                        (r.vehicle_type == vtype && r.vehicle_index + 1 == k).then_some(RunRef {
                            session: p.session,
                            number: i + 1,
                        })
                    })
                })
                .collect();
            if found.is_empty() {
                errors.push(fail(
                    item,
                    format!("vehicle {vtype} #{k} drives no run in the previous plan"),
                    "name a vehicle that drives a run in the plan given with --from",
                ));
            }
            runs.extend(found);
            continue;
        }
        let (session, number) = match item.split_once(':') {
            Some((s, n)) => {
                let session = match s.trim().to_ascii_lowercase().as_str() {
                    "am" => Session::Am,
                    "pm" => Session::Pm,
                    _ => {
                        errors.push(fail(
                            item,
                            "not a session (am or pm) before ':'".into(),
                            "write am:N or pm:N",
                        ));
                        continue;
                    }
                };
                (Some(session), n.trim())
            }
            None => (None, item),
        };
        let Ok(number) = number.parse::<usize>() else {
            errors.push(fail(
                item,
                "not a run: expected a run number, am:N, pm:N or a vehicle TYPE#K".into(),
                "use the run numbers of routes.csv or the manifests",
            ));
            continue;
        };
        let session = match (session, previous) {
            (Some(s), _) => s,
            (None, AnyPlan::Session(p)) => p.session,
            (None, AnyPlan::Day(_)) => {
                errors.push(fail(
                    item,
                    "the previous plan is a day plan: a run number alone does not say which session".into(),
                    "write am:N or pm:N",
                ));
                continue;
            }
        };
        let Some(plan) = plans.iter().find(|p| p.session == session) else {
            errors.push(fail(
                item,
                format!("the previous plan has no {session} session"),
                "lock runs of the plan's own session",
            ));
            continue;
        };
        if number == 0 || number > plan.routes.len() {
            errors.push(fail(
                item,
                format!(
                    "the previous plan's {} session has runs 1 to {}",
                    session.label(),
                    plan.routes.len()
                ),
                "use the run numbers of routes.csv or the manifests",
            ));
            continue;
        }
        runs.insert(RunRef { session, number });
    }
    errors.into_result(runs.into_iter().collect())
}

/// Reads a previous `plan.json` (a session plan or a day plan) without
/// checking it against a problem: pupils no longer on the list are allowed
/// (a re-plan drops them).
pub fn read_previous_plan(source: &str, text: &str) -> Result<AnyPlan, InputErrors> {
    let issue = |line: Option<u64>, message: String| -> InputErrors {
        InputIssue {
            source: source.to_string(),
            line,
            field: None,
            value: None,
            message,
            hint: "give the plan.json that senroute solve wrote".into(),
        }
        .into()
    };
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| issue(Some(e.line() as u64), format!("not JSON: {e}")))?;
    if value.get("am").is_some() || value.get("pm").is_some() {
        serde_json::from_value(value).map(|d| AnyPlan::Day(Box::new(d)))
    } else {
        serde_json::from_value(value).map(AnyPlan::Session)
    }
    .map_err(|e| issue(None, format!("not a senroute plan: {e}")))
}

/// Where and when one pupil travels in one session of a plan.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Placement {
    /// Vehicle label (`MINIBUS #2`).
    pub vehicle: String,
    /// Run number in the session.
    pub run: usize,
    /// Time at home: AM pick-up (end of boarding), PM drop-off (start of
    /// alighting), seconds since midnight.
    pub home_time_s: f64,
}

/// What happened to one pupil in one session between two plans.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    /// Pupil id.
    pub pupil: String,
    /// `am` or `pm`.
    pub session: Session,
    /// In the previous plan, if placed.
    pub old: Option<Placement>,
    /// In the new plan, if placed.
    pub new: Option<Placement>,
    /// Why, in words.
    pub why: String,
}

fn placements(plan: &Plan) -> HashMap<&str, Placement> {
    plan.rides
        .iter()
        .filter_map(|r| {
            let route = plan.routes.get(r.route)?;
            Some((
                r.pupil.as_str(),
                Placement {
                    vehicle: route.label(),
                    run: r.route + 1,
                    home_time_s: match plan.session {
                        Session::Pm => r.drop_s,
                        Session::Am | Session::Day => r.pickup_s,
                    },
                },
            ))
        })
        .collect()
}

/// Every pupil whose placement changed from `old` to `new`, session by
/// session (sessions only one plan has are compared with nothing), sorted
/// by pupil then session. `on_list` tells whether a pupil is still on the
/// pupil list (a pupil who is not was dropped, not left out).
pub fn changes(old: &AnyPlan, new: &AnyPlan, on_list: &dyn Fn(&str) -> bool) -> Vec<Change> {
    let mut out = Vec::new();
    for session in [Session::Am, Session::Pm] {
        let (o, n) = (session_plan(old, session), session_plan(new, session));
        if o.is_none() && n.is_none() {
            continue;
        }
        let nothing = empty(session);
        let (o, n) = (o.unwrap_or(&nothing), n.unwrap_or(&nothing));
        let (po, pn) = (placements(o), placements(n));
        let unassigned_new: HashMap<&str, String> = n
            .unassigned
            .iter()
            .map(|u| (u.pupil.as_str(), u.reason.to_string()))
            .collect();
        let unassigned_old: BTreeSet<&str> =
            o.unassigned.iter().map(|u| u.pupil.as_str()).collect();
        let pupils: BTreeSet<&str> = po
            .keys()
            .chain(pn.keys())
            .chain(unassigned_new.keys())
            .copied()
            .chain(unassigned_old.iter().copied())
            .collect();
        for pupil in pupils {
            let (a, b) = (po.get(pupil), pn.get(pupil));
            let why = match (a, b) {
                (Some(a), Some(b)) if a.vehicle != b.vehicle => {
                    format!("moved from {} to {}", a.vehicle, b.vehicle)
                }
                (Some(a), Some(b))
                    if (a.home_time_s - b.home_time_s).abs() > HOME_TIME_TOLERANCE_S =>
                {
                    format!(
                        "same vehicle, {} time moves from {} to {}",
                        if session == Session::Pm {
                            "drop-off"
                        } else {
                            "pick-up"
                        },
                        format_clock(a.home_time_s),
                        format_clock(b.home_time_s)
                    )
                }
                (Some(_), Some(_)) => continue,
                (None, Some(_)) if unassigned_old.contains(pupil) => {
                    "placed now (was not placed)".into()
                }
                (None, Some(_)) => "new pupil, placed".into(),
                (Some(_), None) if !on_list(pupil) => "no longer on the pupil list".into(),
                (Some(_), None) => format!(
                    "no longer placed: {}",
                    unassigned_new
                        .get(pupil)
                        .cloned()
                        .unwrap_or_else(|| "not travelling in this session".into())
                ),
                (None, None) if unassigned_old.contains(pupil) => continue,
                (None, None) => format!(
                    "new pupil, not placed: {}",
                    unassigned_new.get(pupil).cloned().unwrap_or_default()
                ),
            };
            out.push(Change {
                pupil: pupil.to_string(),
                session,
                old: a.cloned(),
                new: b.cloned(),
                why,
            });
        }
    }
    out.sort_by(|a, b| a.pupil.cmp(&b.pupil).then(a.session.cmp(&b.session)));
    out
}

/// The number of distinct pupils in `changes` ("N pupils changed").
pub fn pupils_changed(changes: &[Change]) -> usize {
    changes
        .iter()
        .map(|c| c.pupil.as_str())
        .collect::<BTreeSet<_>>()
        .len()
}

fn session_plan(plan: &AnyPlan, session: Session) -> Option<&Plan> {
    plan.plans().into_iter().find(|q| q.session == session)
}

fn empty(session: Session) -> Plan {
    Plan {
        session,
        routes: vec![],
        rides: vec![],
        unassigned: vec![],
        totals: Default::default(),
    }
}

/// Writes `changes.csv`: `pupil, session, old_vehicle, old_run,
/// old_time, new_vehicle, new_run, new_time, why` (times `HH:MM`, empty
/// when not placed).
pub fn write_changes_csv<W: std::io::Write>(w: W, changes: &[Change]) -> csv::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record([
        "pupil",
        "session",
        "old_vehicle",
        "old_run",
        "old_time",
        "new_vehicle",
        "new_run",
        "new_time",
        "why",
    ])?;
    let cols = |p: &Option<Placement>| match p {
        Some(p) => [
            p.vehicle.clone(),
            p.run.to_string(),
            format_clock(p.home_time_s),
        ],
        None => [String::new(), String::new(), String::new()],
    };
    for c in changes {
        let [ov, or, ot] = cols(&c.old);
        let [nv, nr, nt] = cols(&c.new);
        out.write_record([
            c.pupil.as_str(),
            &c.session.to_string(),
            &ov,
            &or,
            &ot,
            &nv,
            &nr,
            &nt,
            &c.why,
        ])?;
    }
    out.flush()?;
    Ok(())
}
