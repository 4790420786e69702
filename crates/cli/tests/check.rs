//! `senroute check`: the plan `solve` writes passes; the same plan broken
//! by hand (a pupil moved, stops swapped, a run added, a time or figure
//! changed, or the problem's limits tightened under it) fails with exit 3
//! naming the rule, the run and the pupil; a plan that cannot be read fails
//! with exit 2 naming the file, line and field.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn senroute() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_senroute"));
    c.current_dir(root());
    c
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("senroute-check-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

const ROADS: &str = "data/osm/london_camden_westminster_city_drive_mixed.osm.pbf";
const BOUNDARIES: &str = "data/boundaries/london_boroughs_gla_wgs84.geojson";

/// The day plan of `data/example`, solved once for every test.
fn solved() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let out = tmp("solved");
        let o = senroute()
            .args(["solve", "--pupils", "data/example/pupils.csv"])
            .args(["--schools", "data/example/schools.csv"])
            .args(["--fleet", "data/example/fleet.csv", "--session", "day"])
            .args(["--roads", ROADS, "--boundaries", BOUNDARIES])
            .args(["--time-limit", "2s", "--seed", "3", "--quiet", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        out
    })
}

/// `senroute check` of `plan` on `data/example` (the day), with `fleet`
/// instead of the example's and `extra` arguments.
fn check_with(plan: &Path, fleet: Option<&Path>, extra: &[&str]) -> Output {
    let mut c = senroute();
    c.args(["check", "--pupils", "data/example/pupils.csv"])
        .args(["--schools", "data/example/schools.csv", "--fleet"])
        .arg(fleet.unwrap_or(Path::new("data/example/fleet.csv")))
        .args([
            "--session",
            "day",
            "--roads",
            ROADS,
            "--boundaries",
            BOUNDARIES,
        ])
        .args(extra)
        .arg("--plan")
        .arg(plan);
    c.output().unwrap()
}

fn check(plan: &Path) -> Output {
    check_with(plan, None, &[])
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Exit 3, and a violation line naming `rule`, `run` (e.g. `AM run 5
/// (TAXI #3)`) and, if given, `pupil`.
fn assert_broken(o: &Output, rule: &str, run: &str, pupil: Option<&str>) {
    let all = text(o);
    assert_eq!(o.status.code(), Some(3), "{all}");
    let found = all.lines().any(|l| {
        l.starts_with(&format!("{rule}: "))
            && l.contains(run)
            && pupil.is_none_or(|p| l.contains(&format!("pupil {p}")))
    });
    assert!(
        found,
        "no {rule} violation on {run} for {pupil:?} in:\n{all}"
    );
    assert!(all.contains("to change:"), "{all}");
    assert!(all.contains("breaks"), "{all}");
}

/// A run: session, vehicle, stops as (kind, pupils).
type Run = (String, String, Vec<(String, Vec<String>)>);

/// A `routes.csv` as runs of stops, to edit as a coordinator would.
#[derive(Clone)]
struct Routes {
    runs: Vec<Run>,
}

impl Routes {
    fn read(path: &Path) -> Routes {
        let mut rdr = csv::Reader::from_path(path).unwrap();
        let h = rdr.headers().unwrap().clone();
        let col = |n: &str| h.iter().position(|c| c == n).unwrap();
        let (cs, cv, cr, ck, cp) = (
            col("session"),
            col("vehicle"),
            col("run"),
            col("kind"),
            col("pupils"),
        );
        let mut runs: Vec<Run> = Vec::new();
        let mut last = (String::new(), String::new());
        for rec in rdr.records() {
            let rec = rec.unwrap();
            let key = (rec[cs].to_string(), rec[cr].to_string());
            if key != last {
                runs.push((rec[cs].to_string(), rec[cv].to_string(), Vec::new()));
                last = key;
            }
            let pupils = rec[cp]
                .split(';')
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect();
            runs.last_mut()
                .unwrap()
                .2
                .push((rec[ck].to_string(), pupils));
        }
        Routes { runs }
    }

    /// Takes `pupil` off every run of `session` (dropping stops left empty).
    fn remove(&mut self, session: &str, pupil: &str) -> &mut Self {
        for (s, _, stops) in &mut self.runs {
            if s != session {
                continue;
            }
            for (_, pupils) in stops.iter_mut() {
                pupils.retain(|p| p != pupil);
            }
            stops.retain(|(k, p)| k == "depot" || !p.is_empty());
        }
        self.runs
            .retain(|(_, _, stops)| stops.iter().any(|(k, _)| k != "depot"));
        self
    }

    /// A vehicle of `vehicle_type` driving no run in `session`.
    fn free(&self, session: &str, vehicle_type: &str) -> String {
        (1..)
            .map(|i| format!("{vehicle_type} #{i}"))
            .find(|v| !self.runs.iter().any(|(s, w, _)| s == session && w == v))
            .unwrap()
    }

    /// Adds a run on `vehicle` in `session` with `stops` (`pickup P001`,
    /// `drop P001;P002`), after taking its pupils off their runs; returns
    /// its name as `check` prints it (`AM run 5 (TAXI #3)`).
    fn add(&mut self, session: &str, vehicle: &str, stops: &[&str]) -> String {
        let stops: Vec<(String, Vec<String>)> = stops
            .iter()
            .map(|s| {
                let (k, p) = s.split_once(' ').unwrap();
                (k.to_string(), p.split(';').map(str::to_string).collect())
            })
            .collect();
        for (_, pupils) in &stops {
            for p in pupils {
                self.remove(session, p);
            }
        }
        let mut all = vec![("depot".to_string(), vec![])];
        all.extend(stops);
        all.push(("depot".to_string(), vec![]));
        self.runs
            .push((session.to_string(), vehicle.to_string(), all));
        let n = self.runs.iter().filter(|(s, _, _)| s == session).count();
        format!("{} run {n} ({vehicle})", session.to_uppercase())
    }

    fn write(&self, path: &Path) {
        let mut w = csv::Writer::from_path(path).unwrap();
        w.write_record(["session", "vehicle", "run", "stop", "kind", "pupils"])
            .unwrap();
        for session in ["am", "pm"] {
            let runs = self.runs.iter().filter(|(s, _, _)| s == session);
            for (n, (_, vehicle, stops)) in runs.enumerate() {
                for (k, (kind, pupils)) in stops.iter().enumerate() {
                    w.write_record([
                        session,
                        vehicle,
                        &(n + 1).to_string(),
                        &k.to_string(),
                        kind,
                        &pupils.join(";"),
                    ])
                    .unwrap();
                }
            }
        }
        w.flush().unwrap();
    }
}

/// The solved routes.csv, edited by `edit`, written to a file of its own;
/// returns the file and what `edit` returned.
fn edited<T>(name: &str, edit: impl FnOnce(&mut Routes) -> T) -> (PathBuf, T) {
    let mut r = Routes::read(&solved().join("routes.csv"));
    let t = edit(&mut r);
    let path = tmp(name).join("routes.csv");
    r.write(&path);
    (path, t)
}

/// A copy of the example fleet with `column` of `vehicle_type` set to `value`
/// (the column added if need be).
fn fleet_with(name: &str, vehicle_type: &str, column: &str, value: &str) -> PathBuf {
    let mut rdr = csv::Reader::from_path(root().join("data/example/fleet.csv")).unwrap();
    let mut h: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    let at = h.iter().position(|c| c == column).unwrap_or_else(|| {
        h.push(column.to_string());
        h.len() - 1
    });
    let path = tmp(name).join("fleet.csv");
    let mut w = csv::Writer::from_path(&path).unwrap();
    w.write_record(&h).unwrap();
    for rec in rdr.records() {
        let mut row: Vec<String> = rec.unwrap().iter().map(str::to_string).collect();
        row.resize(h.len(), String::new());
        if row[0] == vehicle_type {
            row[at] = value.to_string();
        }
        w.write_record(&row).unwrap();
    }
    w.flush().unwrap();
    path
}

#[test]
fn the_plan_solve_wrote_passes_as_plan_json_and_as_routes_csv() {
    for file in ["plan.json", "routes.csv"] {
        let o = check(&solved().join(file));
        let all = text(&o);
        assert_eq!(o.status.code(), Some(0), "{file}: {all}");
        let summary = String::from_utf8_lossy(&o.stdout);
        assert!(summary.starts_with("plan is valid: "), "{summary}");
        assert!(summary.contains(" runs, 16 pupils placed"), "{summary}");
        assert!(summary.contains("£"), "{summary}");
    }
    // The routes.csv, timed as the planner times it, costs what plan.json says.
    let cost = |file: &str| {
        let o = check_with(&solved().join(file), None, &["--json"]);
        let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(j["valid"], true);
        j["cost"].as_f64().unwrap()
    };
    let (a, b) = (cost("plan.json"), cost("routes.csv"));
    assert!((a - b).abs() < 0.01, "plan.json £{a}, routes.csv £{b}");
}

#[test]
fn a_pupil_moved_to_a_taxi_of_their_own_still_passes() {
    let (path, _) = edited("moved", |r| {
        let v = r.free("am", "TAXI");
        r.add("am", &v, &["pickup P001", "drop P001"])
    });
    let o = check(&path);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn capacity_five_pupils_in_a_four_seat_taxi() {
    let (path, run) = edited("capacity", |r| {
        let v = r.free("am", "TAXI");
        r.add(
            "am",
            &v,
            &[
                "pickup P013",
                "pickup P011",
                "pickup P009",
                "pickup P001",
                "pickup P005",
                "drop P009;P011;P013",
                "drop P001;P005",
            ],
        )
    });
    let o = check(&path);
    assert_broken(&o, "capacity", &run, Some("P005"));
    assert!(text(&o).contains("by 1 seat"), "{}", text(&o));
}

#[test]
fn compatibility_a_wheelchair_user_in_a_taxi() {
    let (path, run) = edited("compat", |r| {
        let v = r.free("am", "TAXI");
        r.add("am", &v, &["pickup P003", "drop P003"])
    });
    assert_broken(&check(&path), "compatibility", &run, Some("P003"));
}

#[test]
fn travel_alone_a_pupil_who_travels_alone_shares_a_taxi() {
    let (path, run) = edited("alone", |r| {
        let v = r.free("am", "TAXI");
        r.add("am", &v, &["pickup P007", "pickup P008", "drop P007;P008"])
    });
    let o = check(&path);
    assert_broken(&o, "travel_alone", &run, Some("P007"));
    assert!(text(&o).contains("by 1 pupil"), "{}", text(&o));
}

#[test]
fn must_not_travel_together_two_pupils_on_one_run() {
    let (path, run) = edited("conflict", |r| {
        let v = r.free("am", "TAXI");
        r.add("am", &v, &["pickup P004", "pickup P005", "drop P004;P005"])
    });
    assert_broken(
        &check(&path),
        "must_not_travel_together",
        &run,
        Some("P004"),
    );
}

#[test]
fn ride_time_a_long_detour_over_the_pupils_cap() {
    // P008 may ride 60 minutes: from the north-west, round by the City.
    let (path, run) = edited("ride", |r| {
        let v = r.free("am", "TAXI");
        r.add(
            "am",
            &v,
            &[
                "pickup P008",
                "pickup P016",
                "pickup P009",
                "drop P009;P016",
                "drop P008",
            ],
        )
    });
    let o = check(&path);
    assert_broken(&o, "ride_time", &run, Some("P008"));
    assert!(text(&o).contains(" min"), "{}", text(&o));
}

#[test]
fn window_collected_from_a_school_after_it_closes() {
    // Fairley House opens at 15:30, Gloucester House closes at 15:20.
    let (path, run) = edited("window", |r| {
        let v = r.free("pm", "TAXI");
        r.add(
            "pm",
            &v,
            &["pickup P013", "pickup P015", "drop P015", "drop P013"],
        )
    });
    assert_broken(&check(&path), "window", &run, Some("P015"));
}

#[test]
fn precedence_two_stops_swapped_so_a_pupil_is_dropped_before_boarding() {
    let (path, run) = edited("swapped", |r| {
        let v = r.free("am", "TAXI");
        r.add("am", &v, &["drop P001", "pickup P001"])
    });
    assert_broken(&check(&path), "precedence", &run, Some("P001"));
}

#[test]
fn coverage_a_pupil_placed_in_a_session_they_do_not_travel_in() {
    // P014 goes home in the afternoon only.
    let (path, run) = edited("coverage", |r| {
        let v = r.free("am", "TAXI");
        r.add("am", &v, &["pickup P014", "drop P014"])
    });
    let o = check(&path);
    assert_broken(&o, "coverage", &run, Some("P014"));
    // Timed as if they travelled: nothing else is wrong with the run.
    let all = text(&o);
    assert!(all.contains("does not travel in the am session"), "{all}");
    assert!(
        all.lines()
            .filter(|l| l.contains(&run))
            .all(|l| l.starts_with("coverage: ")),
        "{all}"
    );
}

#[test]
fn precedence_a_pupil_on_two_runs() {
    let (path, run) = edited("twice", |r| {
        let v = r.free("am", "TAXI");
        r.add("am", &v, &["pickup P001", "drop P001"]);
        let v = r.free("am", "TAXI");
        r.runs.push((
            "am".into(),
            v.clone(),
            vec![
                ("depot".into(), vec![]),
                ("pickup".into(), vec!["P001".into()]),
                ("drop".into(), vec!["P001".into()]),
                ("depot".into(), vec![]),
            ],
        ));
        let n = r.runs.iter().filter(|(s, _, _)| s == "am").count();
        format!("AM run {n} ({v})")
    });
    let o = check(&path);
    assert_broken(&o, "precedence", &run, Some("P001"));
    assert!(
        text(&o).contains("picked up again (already on run "),
        "{}",
        text(&o)
    );
}

#[test]
fn continuity_hard_a_pupil_goes_home_on_another_vehicle() {
    let (path, run) = edited("continuity", |r| {
        // A taxi neither session uses.
        let v = (1..)
            .map(|i| format!("TAXI #{i}"))
            .find(|v| !r.runs.iter().any(|(_, w, _)| w == v))
            .unwrap();
        r.add("pm", &v, &["pickup P001", "drop P001"])
    });
    // With preferred continuity (the default) the change is allowed.
    assert_eq!(check(&path).status.code(), Some(0));
    let o = check_with(&path, None, &["--continuity", "hard"]);
    assert_broken(&o, "continuity", &run, Some("P001"));
}

#[test]
fn duty_a_run_longer_than_the_taxis_duty_limit() {
    let fleet = fleet_with("duty-fleet", "TAXI", "max_duty_minutes", "10");
    let (path, run) = edited("duty", |r| {
        let v = r.free("am", "TAXI");
        r.add("am", &v, &["pickup P001", "drop P001"])
    });
    let o = check_with(&path, Some(&fleet), &[]);
    assert_broken(&o, "duty", &run, None);
    assert!(text(&o).contains("exceeds 10 min"), "{}", text(&o));
}

#[test]
fn schools_per_run_a_minibus_allowed_one_school_serves_two() {
    let fleet = fleet_with("schools-fleet", "MINIBUS-12", "max_schools_per_run", "1");
    let (path, run) = edited("schools", |r| {
        let v = r.free("am", "MINIBUS-12");
        r.add(
            "am",
            &v,
            &["pickup P013", "pickup P001", "drop P013", "drop P001"],
        )
    });
    let o = check_with(&path, Some(&fleet), &[]);
    assert_broken(&o, "schools_per_run", &run, None);
    assert!(text(&o).contains("by 1 school"), "{}", text(&o));
}

/// The solved plan.json changed by `edit`.
fn json_edited(name: &str, edit: impl FnOnce(&mut serde_json::Value)) -> PathBuf {
    let mut j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(solved().join("plan.json")).unwrap())
            .unwrap();
    edit(&mut j);
    let path = tmp(name).join("plan.json");
    std::fs::write(&path, serde_json::to_string(&j).unwrap()).unwrap();
    path
}

fn label(j: &serde_json::Value, session: &str, route: usize) -> String {
    let r = &j[session]["routes"][route];
    format!(
        "{} run {} ({} #{})",
        session.to_uppercase(),
        route + 1,
        r["vehicle_type"].as_str().unwrap(),
        r["vehicle_index"].as_u64().unwrap() + 1
    )
}

#[test]
fn timing_an_arrival_earlier_than_the_drive_allows() {
    let mut run = String::new();
    let path = json_edited("timing", |j| {
        run = label(j, "am", 0);
        let stop = &mut j["am"]["routes"][0]["stops"][1];
        for f in ["arrival_s", "service_start_s", "departure_s"] {
            stop[f] = (stop[f].as_f64().unwrap() - 600.0).into();
        }
    });
    let o = check(&path);
    assert_broken(&o, "timing", &run, None);
    // Worked out again from the order, the times are right.
    let o = check_with(&path, None, &["--retime"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn arithmetic_a_run_cost_that_does_not_add_up() {
    let mut run = String::new();
    let path = json_edited("arithmetic", |j| {
        run = label(j, "pm", 0);
        let r = &mut j["pm"]["routes"][0];
        r["cost"] = (r["cost"].as_f64().unwrap() + 50.0).into();
    });
    assert_broken(&check(&path), "arithmetic", &run, None);
}

#[test]
fn stop_location_a_pick_up_at_another_pupils_home() {
    let mut run = String::new();
    let mut pupil = String::new();
    let path = json_edited("location", |j| {
        run = label(j, "am", 0);
        let stop = &mut j["am"]["routes"][0]["stops"][1];
        pupil = stop["pupils"][0].as_str().unwrap().to_string();
        let other = if pupil == "P001" { "P002" } else { "P001" };
        stop["location_key"]["id"] = other.into();
    });
    assert_broken(&check(&path), "stop_location", &run, Some(&pupil));
}

#[test]
fn json_lists_each_violation_with_rule_run_pupil_and_amount() {
    let (path, _) = edited("json", |r| {
        let v = r.free("am", "TAXI");
        r.add("am", &v, &["pickup P007", "pickup P008", "drop P007;P008"])
    });
    let o = check_with(&path, None, &["--json"]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["valid"], false);
    let v = j["violations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["rule"] == "travel_alone")
        .unwrap();
    assert_eq!(v["pupil"], "P007");
    assert_eq!(v["session"], "am");
    assert!(v["run_number"].as_u64().unwrap() >= 1);
    assert_eq!(v["amount"]["unit"], "pupils");
    assert_eq!(v["amount"]["value"], 1.0);
    assert!(!v["fix"].as_str().unwrap().is_empty());
}

/// Exit 2 with an error naming `file`, `line` and `field`.
fn assert_unreadable(o: &Output, file: &Path, line: u64, field: &str) {
    let all = text(o);
    assert_eq!(o.status.code(), Some(2), "{all}");
    let at = format!("{}:{line}: {field}", file.display());
    assert!(all.contains(&at), "expected {at} in:\n{all}");
}

#[test]
fn a_routes_csv_naming_an_unknown_pupil_is_unreadable() {
    let src = std::fs::read_to_string(solved().join("routes.csv")).unwrap();
    let mut lines: Vec<String> = src.lines().map(str::to_string).collect();
    // Line 3 is the first pick-up of the first run.
    let row: Vec<&str> = lines[2].split(',').collect();
    assert_eq!(row[4], "pickup", "{}", lines[2]);
    let pupil = row[5].split(';').next().unwrap().to_string();
    lines[2] = lines[2].replacen(&pupil, "P999", 1);
    let path = tmp("unknown").join("routes.csv");
    std::fs::write(&path, lines.join("\n")).unwrap();
    let o = check(&path);
    assert_unreadable(&o, &path, 3, "pupils");
    assert!(text(&o).contains("unknown pupil"), "{}", text(&o));
}

#[test]
fn a_stop_order_that_is_not_a_sequence_is_unreadable() {
    // Stop numbers 0, 1, 3: no stop 2.
    let (path, _) = edited("sequence", |r| {
        let v = r.free("am", "TAXI");
        r.add("am", &v, &["pickup P001", "drop P001"])
    });
    let src = std::fs::read_to_string(&path).unwrap();
    let n = src.lines().count();
    let mut lines: Vec<String> = src.lines().map(str::to_string).collect();
    // The last AM row is the depot of the added run: renumber it 4.
    let last_am = (0..n).rev().find(|&i| lines[i].starts_with("am,")).unwrap();
    lines[last_am] = lines[last_am].replace(",3,depot,", ",4,depot,");
    std::fs::write(&path, lines.join("\n")).unwrap();
    assert_unreadable(&check(&path), &path, last_am as u64 + 1, "stop");
}

#[test]
fn a_run_on_a_vehicle_the_fleet_does_not_have_is_unreadable() {
    let (path, _) = edited("novehicle", |r| {
        r.add("am", "WAV-6 #3", &["pickup P001", "drop P001"]);
    });
    let src = std::fs::read_to_string(&path).unwrap();
    let line = src.lines().position(|l| l.contains("WAV-6 #3")).unwrap() + 1;
    let o = check(&path);
    assert_unreadable(&o, &path, line as u64, "vehicle");
    assert!(text(&o).contains("WAV-6 has 2 vehicle(s)"), "{}", text(&o));
}

#[test]
fn a_run_on_a_vehicle_type_with_no_vehicles_left_is_unreadable() {
    // Both WAV-6s drive AM runs of the solved plan or of the ones added.
    let (path, _) = edited("nowav", |r| {
        for v in ["WAV-6 #1", "WAV-6 #2"] {
            if r.free("am", "WAV-6") == v {
                r.add("am", v, &["pickup P001", "drop P001"]);
            }
        }
        r.add("am", "WAV-6", &["pickup P005", "drop P005"]);
    });
    let src = std::fs::read_to_string(&path).unwrap();
    let line = src
        .lines()
        .position(|l| l.starts_with("am,WAV-6,"))
        .unwrap()
        + 1;
    let o = check(&path);
    assert_unreadable(&o, &path, line as u64, "vehicle");
    assert!(text(&o).contains("no vehicles left"), "{}", text(&o));
}

#[test]
fn a_plan_json_naming_an_unknown_pupil_is_unreadable() {
    let path = json_edited("unknown-json", |j| {
        j["pm"]["routes"][0]["stops"][1]["pupils"][0] = "P999".into();
    });
    let o = check(&path);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("pm.routes[0].stops[1].pupils[0] = \"P999\": unknown pupil"),
        "{}",
        text(&o)
    );
}
