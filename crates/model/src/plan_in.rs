//! Reading a plan back: the `plan.json` that planning writes, or the
//! `routes.csv` (one row per stop) edited by hand. What is checked here is
//! the plan's *structure* — every pupil, vehicle and run it names exists,
//! each vehicle drives at most one run per session, stops are numbered as a
//! sequence — each problem reported with file, line and field. Whether the
//! plan keeps the rules is for the validator ([`crate::validate_any`]).

use crate::day::{AnyPlan, DayPlan};
use crate::issues::{InputErrors, InputIssue};
use crate::plan::{Load, Plan, Route, Stop, StopKind, Totals, Unassigned, UnassignedReason};
use crate::problem::{LocationKey, Problem, Session};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;

fn issue(
    source: &str,
    line: Option<u64>,
    field: &str,
    value: Option<&str>,
    message: String,
    hint: &str,
) -> InputIssue {
    InputIssue {
        source: source.to_string(),
        line,
        field: Some(field.to_string()),
        value: value.map(str::to_string),
        message,
        hint: hint.to_string(),
    }
}

/// Reads a `plan.json` written by `senroute solve` (a session plan, or a day
/// plan with `am` and `pm`) for `problem`, checking that every vehicle type,
/// vehicle and pupil it names exists and that no vehicle drives two runs of
/// a session. For a day problem the file must hold a day plan; for a session
/// problem a plan of that session (or a day plan, whose session is taken).
pub fn read_plan_json(source: &str, text: &str, problem: &Problem) -> Result<AnyPlan, InputErrors> {
    let fail = |line: Option<u64>, field: &str, message: String, hint: &str| -> InputErrors {
        issue(source, line, field, None, message, hint).into()
    };
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        fail(
            Some(e.line() as u64),
            "",
            format!("not JSON: {e}"),
            "give the plan.json that senroute solve wrote",
        )
    })?;
    let is_day = value.get("am").is_some() || value.get("pm").is_some();
    let plan: AnyPlan = if is_day {
        serde_json::from_value::<DayPlan>(value).map(|d| AnyPlan::Day(Box::new(d)))
    } else {
        serde_json::from_value::<Plan>(value).map(AnyPlan::Session)
    }
    .map_err(|e| {
        fail(
            None,
            "",
            format!("not a senroute plan: {e}"),
            "give the plan.json that senroute solve wrote",
        )
    })?;
    check_plan_structure(source, "", plan, problem)
}

/// Checks a plan given as data (not read from a file: e.g. a gRPC request)
/// as [`read_plan_json`] checks the plan it reads, for `problem`: every
/// vehicle type, vehicle and pupil it names exists and no vehicle drives two
/// runs of a session; a day plan for a session problem gives that session's
/// plan. Field paths start with `path` (e.g. `plan.` or `day_plan.`).
pub fn check_plan_structure(
    source: &str,
    path: &str,
    plan: AnyPlan,
    problem: &Problem,
) -> Result<AnyPlan, InputErrors> {
    let fail = |line: Option<u64>, field: &str, message: String, hint: &str| -> InputErrors {
        issue(source, line, &format!("{path}{field}"), None, message, hint).into()
    };
    let plan = match (problem.session, plan) {
        (Session::Day, AnyPlan::Session(p)) => {
            return Err(fail(
                None,
                "session",
                format!(
                    "the problem plans the day but the file holds a plan of the {} session only",
                    p.session
                ),
                "give a day plan (with am and pm), or plan one session with --session",
            ))
        }
        (Session::Day, p @ AnyPlan::Day(_)) => p,
        (s, AnyPlan::Day(d)) => AnyPlan::Session(d.session(s).clone()),
        (s, AnyPlan::Session(p)) if p.session != s => {
            return Err(fail(
                None,
                "session",
                format!(
                    "the plan is for the {} session, the problem for the {s} session",
                    p.session
                ),
                "give --session to match the plan",
            ))
        }
        (_, p) => p,
    };
    let mut errors = InputErrors::default();
    for plan in plan.plans() {
        let prefix = match problem.session {
            Session::Day => format!("{path}{}.", plan.session),
            _ => path.to_string(),
        };
        let mut taken: HashMap<(&str, u32), usize> = HashMap::new();
        for (ri, r) in plan.routes.iter().enumerate() {
            let path = format!("{prefix}routes[{ri}]");
            let Some(vt) = problem.vehicle_type(&r.vehicle_type) else {
                errors.push(issue(
                    source,
                    None,
                    &format!("{path}.vehicle_type"),
                    Some(&r.vehicle_type),
                    "unknown vehicle type".into(),
                    "use a vehicle type id from the fleet",
                ));
                continue;
            };
            if r.vehicle_index >= vt.count {
                errors.push(issue(
                    source,
                    None,
                    &format!("{path}.vehicle_index"),
                    Some(&r.vehicle_index.to_string()),
                    format!(
                        "{} has {} vehicle(s) (indices 0 to {}): no vehicle left for this run",
                        vt.id,
                        vt.count,
                        vt.count.saturating_sub(1)
                    ),
                    "put the run on a vehicle the fleet has",
                ));
            } else if let Some(other) = taken.insert((&r.vehicle_type, r.vehicle_index), ri) {
                errors.push(issue(
                    source,
                    None,
                    &format!("{path}.vehicle_index"),
                    Some(&r.vehicle_index.to_string()),
                    format!(
                        "{} already drives routes[{other}] in this session",
                        r.label()
                    ),
                    "give each run its own vehicle",
                ));
            }
            for (si, s) in r.stops.iter().enumerate() {
                for (k, p) in s.pupils.iter().enumerate() {
                    if problem.pupil(p).is_none() {
                        errors.push(issue(
                            source,
                            None,
                            &format!("{path}.stops[{si}].pupils[{k}]"),
                            Some(p),
                            "unknown pupil".into(),
                            "use pupil ids from the pupils file",
                        ));
                    }
                }
            }
        }
    }
    errors.into_result(plan)
}

/// Columns of `routes.csv` that [`read_routes_csv`] reads; other columns
/// (coordinates, times, loads, names) are ignored.
pub const ROUTES_CSV_COLUMNS: [&str; 6] = ["session", "vehicle", "run", "stop", "kind", "pupils"];

/// One stop row as read.
struct Row {
    line: u64,
    stop: usize,
    kind: StopKind,
    pupils: Vec<String>,
}

/// A run as read: its vehicle and rows.
struct RunRows {
    first_line: u64,
    vehicle: (String, Option<u32>),
    rows: Vec<Row>,
}

/// Reads a `routes.csv` (as `senroute solve` writes it, perhaps edited by
/// hand: pupils moved between stops or runs, stops reordered by their
/// `stop` numbers, runs moved to another vehicle) into a plan for
/// `problem`. Only the sequence is read: times, distances, loads, costs and
/// rides are left at zero for the caller to recompute. A `vehicle` of just
/// a type id (`TAXI`) takes the type's first vehicle not driving another run
/// of the session. Pupils of the session on no run are listed as
/// unassigned.
///
/// Problems are reported with line and column: an unknown pupil or vehicle
/// type, a vehicle the fleet does not have or that drives two runs, a run
/// whose rows name different vehicles, stop numbers that are not `0, 1, 2…`
/// within a run, a pick-up or drop row with no pupils.
pub fn read_routes_csv<R: Read>(
    source: &str,
    reader: R,
    problem: &Problem,
) -> Result<AnyPlan, InputErrors> {
    let mut errors = InputErrors::default();
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers: Vec<String> = match rdr.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_ascii_lowercase()).collect(),
        Err(e) => {
            return Err(issue(
                source,
                Some(1),
                "",
                None,
                format!("cannot read the header: {e}"),
                "give the routes.csv that senroute solve wrote",
            )
            .into())
        }
    };
    let col = |name: &str| headers.iter().position(|h| h == name);
    let mut missing = Vec::new();
    for c in ["vehicle", "run", "stop", "kind", "pupils"] {
        if col(c).is_none() {
            missing.push(c);
        }
    }
    if col("session").is_none() && problem.session == Session::Day {
        missing.push("session");
    }
    if !missing.is_empty() {
        return Err(issue(
            source,
            Some(1),
            missing[0],
            None,
            format!("missing column(s): {}", missing.join(", ")),
            "give the routes.csv that senroute solve wrote (columns session, vehicle, run, stop, kind, pupils)",
        )
        .into());
    }
    let get = |rec: &csv::StringRecord, name: &str| -> String {
        col(name)
            .and_then(|i| rec.get(i))
            .unwrap_or("")
            .trim()
            .to_string()
    };
    // (session, run number) → the run's rows, in file order.
    let mut runs: BTreeMap<(Session, u64), RunRows> = BTreeMap::new();
    for (k, rec) in rdr.records().enumerate() {
        let line = k as u64 + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(issue(
                    source,
                    Some(line),
                    "",
                    None,
                    format!("unreadable row: {e}"),
                    "check the quoting of the row",
                ));
                continue;
            }
        };
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut bad = false;
        let mut fail = |field: &str, value: &str, message: String, hint: &str| {
            bad = true;
            errors.push(issue(source, Some(line), field, Some(value), message, hint));
        };
        let session_text = get(&rec, "session");
        let session = if session_text.is_empty() {
            match problem.session {
                Session::Day => {
                    fail("session", "", "value is required".into(), "write am or pm");
                    Session::Am
                }
                s => s,
            }
        } else {
            match session_text.parse::<Session>() {
                Ok(s @ (Session::Am | Session::Pm)) if problem.session.parts().contains(&s) => s,
                Ok(s @ (Session::Am | Session::Pm)) => {
                    fail(
                        "session",
                        &session_text,
                        format!(
                            "a {s} run, but the {} session is being checked",
                            problem.session
                        ),
                        "give --session to match the plan",
                    );
                    s
                }
                _ => {
                    fail(
                        "session",
                        &session_text,
                        "not am or pm".into(),
                        "write am or pm",
                    );
                    Session::Am
                }
            }
        };
        let run_text = get(&rec, "run");
        let run = match run_text.parse::<u64>() {
            Ok(n) if n >= 1 => n,
            _ => {
                fail(
                    "run",
                    &run_text,
                    "not a run number (1, 2, …)".into(),
                    "number the runs from 1",
                );
                0
            }
        };
        let stop_text = get(&rec, "stop");
        let stop = match stop_text.parse::<usize>() {
            Ok(n) => n,
            Err(_) => {
                fail(
                    "stop",
                    &stop_text,
                    "not a stop number (0, 1, 2, …)".into(),
                    "number each run's stops from 0 (leaving the depot)",
                );
                0
            }
        };
        let kind_text = get(&rec, "kind");
        let kind = match kind_text.to_ascii_lowercase().as_str() {
            "depot" => StopKind::Depot,
            "pickup" => StopKind::Pickup,
            "drop" => StopKind::Drop,
            _ => {
                fail(
                    "kind",
                    &kind_text,
                    "not depot, pickup or drop".into(),
                    "write depot, pickup or drop",
                );
                StopKind::Depot
            }
        };
        let pupils_text = get(&rec, "pupils");
        let pupils: Vec<String> = pupils_text
            .split(';')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect();
        for p in &pupils {
            if problem.pupil(p).is_none() {
                fail(
                    "pupils",
                    p,
                    "unknown pupil".into(),
                    "use pupil ids from the pupils file, separated by ';'",
                );
            }
        }
        if kind != StopKind::Depot && pupils.is_empty() && !kind_text.is_empty() {
            fail(
                "pupils",
                "",
                format!("a {kind} stop with no pupils"),
                "list the pupils boarding or alighting, or delete the row",
            );
        }
        let vehicle_text = get(&rec, "vehicle");
        let parsed = match vehicle_text.rsplit_once('#') {
            Some((t, n)) => n
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|&n| n >= 1)
                .map(|n| (t.trim().to_string(), Some(n - 1))),
            None => Some((vehicle_text.clone(), None)),
        };
        let vehicle = parsed.clone().unwrap_or_default();
        match (parsed, problem.vehicle_type(&vehicle.0)) {
            _ if vehicle_text.is_empty() => fail(
                "vehicle",
                "",
                "value is required".into(),
                "write a vehicle such as TAXI #2",
            ),
            (None, _) => fail(
                "vehicle",
                &vehicle_text,
                "not a vehicle such as TAXI #2".into(),
                "write the vehicle type id, then # and the vehicle's number from 1",
            ),
            (Some(_), None) => fail(
                "vehicle",
                &vehicle_text,
                "unknown vehicle type".into(),
                "use a vehicle type id from the fleet (e.g. TAXI #2, or TAXI for any free one)",
            ),
            (Some((_, Some(i))), Some(vt)) if i >= vt.count => fail(
                "vehicle",
                &vehicle_text,
                format!(
                    "{} has {} vehicle(s): no vehicle #{} for this run",
                    vt.id,
                    vt.count,
                    i + 1
                ),
                "put the run on a vehicle the fleet has (or write just the type for any free one)",
            ),
            _ => {}
        }
        if bad {
            continue;
        }
        let entry = runs.entry((session, run)).or_insert_with(|| RunRows {
            first_line: line,
            vehicle: vehicle.clone(),
            rows: Vec::new(),
        });
        if entry.vehicle != vehicle {
            let first = entry.first_line;
            errors.push(issue(
                source,
                Some(line),
                "vehicle",
                Some(&vehicle_text),
                format!("run {run} is on another vehicle on line {first}"),
                "give every row of a run the same vehicle",
            ));
            continue;
        }
        entry.rows.push(Row {
            line,
            stop,
            kind,
            pupils,
        });
    }
    // Vehicles: each at most one run per session; a bare type takes the
    // first free one.
    let mut used: HashMap<(Session, String), HashSet<u32>> = HashMap::new();
    let mut driver: HashMap<(Session, String, u32), (u64, u64)> = HashMap::new();
    for ((session, run), rr) in &runs {
        if let (t, Some(i)) = &rr.vehicle {
            if let Some((other, line)) =
                driver.insert((*session, t.clone(), *i), (*run, rr.first_line))
            {
                errors.push(issue(
                    source,
                    Some(rr.first_line),
                    "vehicle",
                    Some(&format!("{t} #{}", i + 1)),
                    format!("{t} #{} already drives run {other} (line {line}) in the {session} session", i + 1),
                    "give each run of a session its own vehicle (write just the type for any free one)",
                ));
            }
            used.entry((*session, t.clone())).or_default().insert(*i);
        }
    }
    let mut plans: BTreeMap<Session, Vec<Route>> = BTreeMap::new();
    for &s in problem.session.parts() {
        plans.insert(s, Vec::new());
    }
    for ((session, run), mut rr) in runs {
        let Some(vt) = problem.vehicle_type(&rr.vehicle.0) else {
            continue;
        };
        let index = match rr.vehicle.1 {
            Some(i) => i,
            None => {
                let taken = used.entry((session, vt.id.clone())).or_default();
                match (0..vt.count).find(|i| !taken.contains(i)) {
                    Some(i) => {
                        taken.insert(i);
                        i
                    }
                    None => {
                        errors.push(issue(
                            source,
                            Some(rr.first_line),
                            "vehicle",
                            Some(&vt.id),
                            format!("run {run} is assigned to {}, which has no vehicles left in the {session} session (all {} drive other runs)", vt.id, vt.count),
                            "put the run on a vehicle type with vehicles to spare",
                        ));
                        continue;
                    }
                }
            }
        };
        // Stop numbers: 0, 1, 2, … each once.
        rr.rows.sort_by_key(|r| r.stop);
        let mut sequence_ok = true;
        for (k, w) in rr.rows.iter().enumerate() {
            if w.stop != k {
                let message = if k > 0 && rr.rows[k - 1].stop == w.stop {
                    format!(
                        "stop {} of run {run} appears twice (also on line {})",
                        w.stop,
                        rr.rows[k - 1].line
                    )
                } else {
                    format!("run {run} has no stop {k} (its stops must be numbered 0, 1, 2, … in order)")
                };
                errors.push(issue(
                    source,
                    Some(w.line),
                    "stop",
                    Some(&w.stop.to_string()),
                    message,
                    "renumber the run's stops 0, 1, 2, … in driving order",
                ));
                sequence_ok = false;
                break;
            }
        }
        if !sequence_ok {
            continue;
        }
        let stops = rr
            .rows
            .iter()
            .map(|row| {
                let first = row.pupils.first().and_then(|p| problem.pupil(p));
                let (key, location) = match (row.kind, first) {
                    (StopKind::Depot, _) | (_, None) => {
                        (LocationKey::Depot(vt.id.clone()), vt.depot)
                    }
                    (kind, Some(p)) => {
                        let at_home = (kind == StopKind::Pickup) == (session == Session::Am);
                        if at_home {
                            (LocationKey::Home(p.id.clone()), p.home)
                        } else {
                            let loc = problem.school(&p.school).map_or(p.home, |s| s.location);
                            (LocationKey::School(p.school.clone()), loc)
                        }
                    }
                };
                Stop {
                    kind: row.kind,
                    location_key: key,
                    location,
                    pupils: row.pupils.clone(),
                    arrival_s: 0.0,
                    service_start_s: 0.0,
                    departure_s: 0.0,
                    load: Load::default(),
                }
            })
            .collect();
        plans.entry(session).or_default().push(Route {
            vehicle_type: vt.id.clone(),
            vehicle_index: index,
            stops,
            distance_m: 0.0,
            duration_s: 0.0,
            cost: 0.0,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut session_plans: Vec<Plan> = plans
        .into_iter()
        .map(|(session, routes)| {
            let on_run: HashSet<&str> = routes
                .iter()
                .flat_map(|r| {
                    r.stops
                        .iter()
                        .flat_map(|s| s.pupils.iter().map(String::as_str))
                })
                .collect();
            let unassigned = problem
                .pupils
                .iter()
                .filter(|p| p.sessions.includes(session) && !on_run.contains(p.id.as_str()))
                .map(|p| Unassigned {
                    pupil: p.id.clone(),
                    reason: UnassignedReason::FleetCapacity {
                        detail: format!("on no run of the {session} session in {source}"),
                    },
                })
                .collect();
            Plan {
                session,
                routes,
                rides: Vec::new(),
                unassigned,
                totals: Totals::default(),
            }
        })
        .collect();
    Ok(match problem.session {
        Session::Day => {
            let pm = session_plans.pop().expect("two sessions");
            let am = session_plans.pop().expect("two sessions");
            AnyPlan::Day(Box::new(DayPlan::new(problem, am, pm)))
        }
        _ => AnyPlan::Session(session_plans.pop().expect("one session")),
    })
}
