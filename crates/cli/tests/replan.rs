//! `senroute solve --from plan.json --lock RUNS` on the bundled demo: three
//! pupils join, one leaves; every locked run is kept, the changes are
//! written to changes.csv and counted.

use senroute_model::{DayPlan, Route, StopKind};
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
    let d = std::env::temp_dir().join(format!("senroute-replan-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A run's pupils in boarding and alighting order.
fn order(r: &Route) -> Vec<(StopKind, String)> {
    r.stops
        .iter()
        .flat_map(|s| s.pupils.iter().map(move |p| (s.kind, p.clone())))
        .collect()
}

fn read_day(dir: &Path) -> DayPlan {
    serde_json::from_str(&std::fs::read_to_string(dir.join("plan.json")).unwrap()).unwrap()
}

fn solve_day(pupils: &Path, extra: &[&str], out: &Path) -> std::process::Output {
    senroute()
        .args(["solve", "--session", "day", "--pupils"])
        .arg(pupils)
        .args([
            "--schools",
            "data/demo/schools.csv",
            "--fleet",
            "data/demo/fleet.csv",
            "--roads",
            "data/osm/london_camden_westminster_city_drive_mixed.osm.pbf",
            "--boundaries",
            "data/boundaries/london_boroughs_gla_wgs84.geojson",
            "--time-limit",
            "4s",
            "--seed",
            "3",
        ])
        .args(extra)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

#[test]
fn replan_after_three_pupils_join_keeps_every_locked_run() {
    let dir = tmp("demo");
    let first = dir.join("first");
    let o = solve_day(&root().join("data/demo/pupils.csv"), &["--quiet"], &first);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let before = read_day(&first);

    // Three pupils join (copies of existing rows a street away), P0012 leaves.
    let text = std::fs::read_to_string(root().join("data/demo/pupils.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for (k, src) in [6usize, 41, 78].into_iter().enumerate() {
        let mut cols: Vec<String> = lines[src].split(',').map(str::to_string).collect();
        cols[0] = format!("NEW{k}");
        let lat: f64 = cols[1].parse().unwrap();
        cols[1] = format!("{:.6}", lat + 0.0015);
        lines.push(cols.join(","));
    }
    lines.retain(|l| !l.starts_with("P0012,"));
    let pupils = dir.join("pupils.csv");
    std::fs::write(&pupils, lines.join("\n") + "\n").unwrap();

    let second = dir.join("second");
    let from = first.join("plan.json");
    let o = solve_day(
        &pupils,
        &["--from", from.to_str().unwrap(), "--lock", "am:1,am:2,pm:1"],
        &second,
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout.contains(" pupils changed"), "{stdout}");
    let after = read_day(&second);
    for (old, new) in [
        (&before.am.routes[0], &after.am.routes[0]),
        (&before.am.routes[1], &after.am.routes[1]),
        (&before.pm.routes[0], &after.pm.routes[0]),
    ] {
        assert_eq!(
            (&old.vehicle_type, old.vehicle_index),
            (&new.vehicle_type, new.vehicle_index)
        );
        let mut want = order(old);
        want.retain(|(_, p)| p != "P0012");
        assert_eq!(order(new), want);
    }
    let changes = std::fs::read_to_string(second.join("changes.csv")).unwrap();
    assert!(changes.starts_with(
        "pupil,session,old_vehicle,old_run,old_time,new_vehicle,new_run,new_time,why\n"
    ));
    for id in ["NEW0", "NEW1", "NEW2"] {
        assert!(
            changes
                .lines()
                .any(|l| l.starts_with(&format!("{id},am,,,,")) && l.contains("new pupil")),
            "{changes}"
        );
    }
    assert!(changes
        .lines()
        .any(|l| l.starts_with("P0012,am,") && l.ends_with("no longer on the pupil list")));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_plan_and_lock_exit_2_naming_them() {
    let dir = tmp("bad");
    let plan = dir.join("plan.json");
    std::fs::write(&plan, "{ not json").unwrap();
    let o = solve_day(
        &root().join("data/demo/pupils.csv"),
        &["--from", plan.to_str().unwrap()],
        &dir.join("out"),
    );
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("plan.json") && e.contains("not JSON"), "{e}");
    // A lock without --from, and one naming a run the plan lacks.
    let o = solve_day(
        &root().join("data/demo/pupils.csv"),
        &["--lock", "am:1"],
        &dir.join("out"),
    );
    assert_eq!(o.status.code(), Some(2));
    std::fs::write(&plan, r#"{"session":"am","routes":[],"rides":[],"unassigned":[],"totals":{"vehicles":0,"cost":0,"distance_m":0,"duration_s":0,"ride_s":0,"assigned":0,"unassigned":0}}"#).unwrap();
    let o = solve_day(
        &root().join("data/demo/pupils.csv"),
        &["--from", plan.to_str().unwrap(), "--lock", "am:4"],
        &dir.join("out"),
    );
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(e.contains("--lock") && e.contains("am:4"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}
