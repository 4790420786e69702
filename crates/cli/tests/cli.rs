//! End to end through the `senroute` binary on bundled data.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn senroute() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_senroute"));
    c.current_dir(root());
    c
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("senroute-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn solve_writes_every_output_and_they_hold_together() {
    let out = tmp("solve");
    let o = senroute()
        .args([
            "solve",
            "--pupils",
            "data/example/pupils.csv",
            "--schools",
            "data/example/schools.csv",
            "--fleet",
            "data/example/fleet.csv",
        ])
        .args([
            "--roads",
            "data/osm/london_camden_westminster_city_drive_mixed.osm.pbf",
            "--boundaries",
            "data/boundaries/london_boroughs_gla_wgs84.geojson",
        ])
        .args(["--time-limit", "3s", "--seed", "2", "--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    // Exit 0 means the independent validator accepted the plan.
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let plan: senroute_model::Plan =
        serde_json::from_str(&std::fs::read_to_string(out.join("plan.json")).unwrap()).unwrap();
    assert!(!plan.routes.is_empty());

    // GeoJSON: one LineString per run.
    let gj: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("routes.geojson")).unwrap())
            .unwrap();
    let lines = gj["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["geometry"]["type"] == "LineString")
        .count();
    assert_eq!(lines, plan.routes.len());

    // HTML names every run.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for r in &plan.routes {
        assert!(html.contains(&r.label()), "report.html lacks {}", r.label());
    }

    // CSVs round-trip.
    use senroute_model::csv_out::{read_rows, stop_rows, PupilRow, StopRow};
    let stops: Vec<StopRow> =
        read_rows(std::fs::File::open(out.join("routes.csv")).unwrap()).unwrap();
    let problem = senroute_model::read_problem_files(
        &root().join("data/example/pupils.csv"),
        &root().join("data/example/schools.csv"),
        &root().join("data/example/fleet.csv"),
        senroute_model::Session::Am,
        senroute_model::Settings::default(),
    )
    .unwrap();
    assert_eq!(stops, stop_rows(&problem, &plan));
    // Drop rows (AM: at school) name the school.
    for s in stops.iter().filter(|s| s.kind == "drop") {
        let school = problem.school(&s.school_id).unwrap();
        assert_eq!(s.school_name, school.name);
    }
    let pupils: Vec<PupilRow> =
        read_rows(std::fs::File::open(out.join("pupils.csv")).unwrap()).unwrap();
    assert_eq!(pupils.len(), plan.rides.len() + plan.unassigned.len());
    let png = std::fs::read(out.join("map.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    std::fs::remove_dir_all(&out).ok();
}

/// Every malformed-input fixture exits with code 2 and names the problem.
#[test]
fn malformed_inputs_exit_2_with_the_message() {
    let cases = [
        ("pupils_missing_column.csv", "school: missing required column"),
        ("pupils_extra_column.csv", "nickname: unknown column"),
        ("fleet_bad_number.csv", ":3: seats = \"twelve\": not a whole number"),
        ("pupils_duplicate_id.csv", ":4: id = \"P002\": duplicate pupil id"),
        ("pupils_unknown_school.csv", ":6: school = \"999999\": unknown school id"),
        ("pupils_unknown_must_not_travel_with.csv", "unknown pupil id in must-not-travel-with"),
        ("schools_inverted_window.csv", ":3: am_arrival_close = \"08:30\": AM arrival window ends at 08:30 before it starts at 09:00"),
        ("pupils_outside_uk.csv", ":8: home_lat"),
        ("fleet_empty.csv", "the fleet is empty"),
        ("schools_bad_time.csv", "not a time of day"),
        ("pupils_impossible_pickup.csv", "earliest pick-up is after the school's AM arrival window closes"),
        ("pupils_missing_phase.csv", "is all-through"),
        ("pupils_short_row.csv", "row has 5 fields but the header has 15 columns"),
    ];
    for (fixture, message) in cases {
        let kind = fixture.split('_').next().unwrap();
        let path = |k: &str| {
            if k == kind {
                format!("tests/fixtures/input/{fixture}")
            } else {
                format!("data/example/{k}.csv")
            }
        };
        let o = senroute()
            .args([
                "validate",
                "--pupils",
                &path("pupils"),
                "--schools",
                &path("schools"),
                "--fleet",
                &path("fleet"),
            ])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{fixture}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains(message),
            "{fixture}: stderr lacks {message:?}:\n{err}"
        );
        assert!(
            err.contains(&format!("{fixture}:")) || kind == "fleet" && fixture == "fleet_empty.csv",
            "{fixture}: names the file:\n{err}"
        );
    }
}

#[test]
fn missing_roads_and_bad_pbf_are_input_errors() {
    let out = tmp("noroads");
    let o = senroute()
        .args([
            "solve",
            "--pupils",
            "data/example/pupils.csv",
            "--schools",
            "data/example/schools.csv",
            "--fleet",
            "data/example/fleet.csv",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("give --roads"));
    let o = senroute()
        .args([
            "prepare",
            "--osm",
            "tests/fixtures/roads/truncated.osm.pbf",
            "--out",
        ])
        .arg(out.join("r.bin"))
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("truncated.osm.pbf"));
}

#[test]
fn every_subcommand_has_help() {
    for sub in [
        "demo", "prepare", "solve", "validate", "matrix", "bench", "pool", "generate", "serve",
        "mint-key",
    ] {
        let o = senroute().args([sub, "--help"]).output().unwrap();
        assert!(o.status.success(), "{sub} --help");
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("Usage: senroute"),
            "{sub}"
        );
    }
}

#[test]
fn bench_prints_one_checked_json_line_per_instance() {
    let o = senroute()
        .args([
            "bench",
            "--format",
            "solomon",
            "--seconds",
            "1",
            "--iterations",
            "200",
            "--threads",
            "1",
            "--routes",
            "data/instances/solomon/txt/C101.txt",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let line: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&o.stdout).trim()).unwrap();
    assert_eq!(line["instance"], "C101");
    assert_eq!(line["feasible"], true);
    let served: usize = line["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_array().unwrap().len())
        .sum();
    assert_eq!(served, 100);
}

#[test]
fn pool_writes_the_study_with_maps() {
    let out = tmp("pool");
    let o = senroute()
        .args([
            "pool",
            "--pupils",
            "data/demo/pupils.csv",
            "--schools",
            "data/demo/schools.csv",
            "--fleet",
            "data/demo/fleet.csv",
        ])
        .args([
            "--roads",
            "data/osm/london_camden_westminster_city_drive_mixed.osm.pbf",
            "--iterations-per-pupil",
            "3",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("pooling.json")).unwrap()).unwrap();
    assert_eq!(r["boroughs"].as_array().unwrap().len(), 3);
    assert!(
        r["saving"]["mean"].as_f64().unwrap() >= -1e-6,
        "pooling is never worse than alone"
    );
    assert_eq!(
        r["inputs"].as_array().unwrap().len(),
        4,
        "pupils, schools, fleet and roads are hashed"
    );
    let html = std::fs::read_to_string(out.join("pooling.html")).unwrap();
    assert_eq!(html.matches("<svg").count(), 3, "the chart and two maps");
    assert!(
        html.contains("Camden") && html.contains("Westminster") && !html.contains("E0900"),
        "borough names, not codes"
    );
    std::fs::remove_dir_all(&out).ok();
}

#[test]
fn pool_sweep_writes_a_table_and_a_plot() {
    let out = tmp("sweep");
    let o = senroute()
        .args([
            "pool",
            "--sweep",
            "wheelchair_share=0.0,0.2",
            "--pupils-per-borough",
            "8",
            "--iterations-per-pupil",
            "2",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows: Vec<serde_json::Value> = csv::Reader::from_path(out.join("sweep.csv"))
        .unwrap()
        .deserialize()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert!(std::fs::read_to_string(out.join("sweep.html"))
        .unwrap()
        .contains("<polyline"));
    let bad = senroute()
        .args(["pool", "--sweep", "colour=1", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown parameter \"colour\""));
    std::fs::remove_dir_all(&out).ok();
}

/// `pool --via`: every coalition search as a job of a `senroute serve`
/// (SQLite here; the store does not matter), with the same report as the
/// local run for the same seeds, iteration limits and threads.
#[test]
fn pool_via_the_service_matches_the_local_run() {
    let dir = tmp("via");
    std::fs::create_dir_all(&dir).unwrap();
    let keys = dir.join("keys.jsonl");
    let o = senroute()
        .args(["mint-key", "--borough", "E09000007", "--keys-file"])
        .arg(&keys)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let key = String::from_utf8(o.stdout).unwrap().trim().to_string();
    let log = dir.join("serve.log");
    let mut server = senroute()
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--workers",
            "2",
            "--data-dir",
        ])
        .arg(dir.join("data"))
        .arg("--keys-file")
        .arg(&keys)
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let t0 = std::time::Instant::now();
    let addr = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if let Some(rest) = text.split("listening on ").nth(1) {
            break rest.split_whitespace().next().unwrap().to_string();
        }
        assert!(t0.elapsed().as_secs() < 60, "server did not start: {text}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let run = |out: &Path, via: bool| {
        let mut c = senroute();
        c.args([
            "pool",
            "--pupils",
            "data/demo/pupils.csv",
            "--schools",
            "data/demo/schools.csv",
            "--fleet",
            "data/demo/fleet.csv",
            "--roads",
            "data/osm/london_camden_westminster_city_drive_mixed.osm.pbf",
            "--iterations-per-pupil",
            "3",
            "--seeds",
            "2",
            "--threads",
            "1",
            "--quiet",
            "--out",
        ])
        .arg(out);
        // The service has no warm start (--via implies --no-warm-start).
        c.arg("--no-warm-start");
        if via {
            c.args(["--via", &format!("grpc://{addr}"), "--key", &key]);
        }
        let o = c.output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let r: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("pooling.json")).unwrap())
                .unwrap();
        r
    };
    let local = run(&dir.join("local"), false);
    let remote = run(&dir.join("via"), true);
    let _ = server.kill();
    let _ = server.wait();
    let served = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        served.matches(" succeeded (attempt ").count(),
        2 * 7,
        "2 seeds x 7 coalitions of 3 boroughs, each a job: {served}"
    );
    assert_eq!(local, remote, "the same report through the service");
    std::fs::remove_dir_all(&dir).ok();
}

/// `senroute demo` plans the day: the day's cost is one day rate (with the
/// assistant) per vehicle used in either session plus the running costs of
/// the AM and the PM runs.
#[test]
fn demo_plans_the_day_and_pays_each_day_rate_once() {
    let out = tmp("demo-day");
    let o = senroute()
        .args(["demo", "--time-limit", "6s", "--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    // Exit 0: the independent validator accepted both session plans and
    // the day's totals.
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let day: senroute_model::DayPlan =
        serde_json::from_str(&std::fs::read_to_string(out.join("plan.json")).unwrap()).unwrap();
    let problem = senroute_model::read_problem_files(
        &root().join("data/demo/pupils.csv"),
        &root().join("data/demo/schools.csv"),
        &root().join("data/demo/fleet.csv"),
        senroute_model::Session::Day,
        senroute_model::Settings::default(),
    )
    .unwrap();
    let mut rates = std::collections::BTreeMap::new();
    let mut running = [0.0, 0.0];
    for (k, plan) in [&day.am, &day.pm].into_iter().enumerate() {
        assert!(!plan.routes.is_empty());
        for r in &plan.routes {
            let v = problem.vehicle_type(&r.vehicle_type).unwrap();
            let assistant = if v.passenger_assistant {
                v.assistant_cost_per_day
            } else {
                0.0
            };
            rates.insert(
                (r.vehicle_type.clone(), r.vehicle_index),
                v.fixed_cost_per_day + assistant,
            );
            running[k] +=
                v.cost_per_km * r.distance_m / 1000.0 + v.cost_per_hour * r.duration_s / 3600.0;
        }
    }
    let expected = rates.values().sum::<f64>() + running[0] + running[1];
    assert!(
        (day.totals.cost - expected).abs() < 0.01,
        "day cost {} vs {expected}",
        day.totals.cost
    );
    assert_eq!(day.totals.vehicles, rates.len());
    assert!((day.totals.am_running_cost - running[0]).abs() < 0.01);
    assert!((day.totals.pm_running_cost - running[1]).abs() < 0.01);
    assert!(day.totals.cost < day.am.totals.cost + day.pm.totals.cost);
    assert!(day.totals.continuity.is_some());
    // The operator files carry both sessions.
    let routes = std::fs::read_to_string(out.join("routes.csv")).unwrap();
    assert!(routes.starts_with("session,"));
    assert!(routes.contains("\nam,") && routes.contains("\npm,"));
    assert!(out.join("map-pm.png").exists());
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Same vehicle AM and PM"));
    std::fs::remove_dir_all(&out).ok();
}

/// A fleet file from before PM shifts still plans the morning; `validate`
/// refuses the afternoon, which nobody could be collected in.
#[test]
fn validate_reports_a_session_no_shift_covers() {
    let dir = tmp("old-fleet");
    std::fs::create_dir_all(&dir).unwrap();
    let fleet = std::fs::read_to_string(root().join("data/example/fleet.csv")).unwrap();
    let old: String = fleet
        .lines()
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            cells[..cells.len() - 2].join(",") + "\n"
        })
        .collect();
    std::fs::write(dir.join("fleet.csv"), old).unwrap();
    let validate = |session: &str| {
        senroute()
            .args([
                "validate",
                "--pupils",
                "data/example/pupils.csv",
                "--schools",
                "data/example/schools.csv",
                "--session",
                session,
                "--fleet",
            ])
            .arg(dir.join("fleet.csv"))
            .output()
            .unwrap()
    };
    assert!(validate("am").status.success());
    for s in ["pm", "day"] {
        let o = validate(s);
        assert_eq!(o.status.code(), Some(2), "{s}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("no vehicle's shift covers the PM session"),
            "{err}"
        );
    }
    // The bundled fleets have PM shifts.
    for d in ["data/example", "data/demo"] {
        let o = senroute()
            .args(["validate", "--session", "day", "--pupils"])
            .arg(format!("{d}/pupils.csv"))
            .arg("--schools")
            .arg(format!("{d}/schools.csv"))
            .arg("--fleet")
            .arg(format!("{d}/fleet.csv"))
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{d}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}
