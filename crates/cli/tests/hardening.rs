//! Regression tests of issue #16 through the `senroute` binary: hostile
//! inputs end with exit 2 and a short message naming the file, line or
//! field, the limit and what to do; never a panic (exit 101) or an abort.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn senroute() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_senroute"));
    c.current_dir(root());
    c
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("senroute-hard-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

const EXAMPLE: &str = "data/example";
const ROADS: &str = "data/osm/london_camden_westminster_city_drive_mixed.osm.pbf";

fn example(kind: &str) -> String {
    format!("{EXAMPLE}/{kind}.csv")
}

/// Exit 2 (an input error) with `needles` in stderr, which stays short.
fn input_error(o: &Output, needles: &[&str]) -> String {
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(2), "expected exit 2:\n{err}");
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}:\n{err}");
    }
    assert!(err.len() < 20_000, "stderr is {} bytes", err.len());
    err
}

fn validate(pupils: &Path, schools: &Path, fleet: &Path) -> Output {
    senroute()
        .arg("validate")
        .arg("--pupils")
        .arg(pupils)
        .arg("--schools")
        .arg(schools)
        .arg("--fleet")
        .arg(fleet)
        .output()
        .unwrap()
}

/// The example problem as JSON, edited by `edit`, written to `dir`.
fn problem_json(dir: &Path, edit: impl FnOnce(&mut serde_json::Value)) -> PathBuf {
    let p = senroute_model::read_problem_files(
        &root().join(example("pupils")),
        &root().join(example("schools")),
        &root().join(example("fleet")),
        senroute_model::Session::Am,
        senroute_model::Settings::default(),
    )
    .unwrap();
    let mut v = serde_json::to_value(&p).unwrap();
    edit(&mut v);
    let path = dir.join("problem.json");
    std::fs::write(&path, serde_json::to_string(&v).unwrap()).unwrap();
    path
}

/// Item 1: huge durations are input errors, not panics.
#[test]
fn huge_time_limits_are_refused_without_panicking() {
    let csv = [
        "--pupils",
        &example("pupils"),
        "--schools",
        &example("schools"),
        "--fleet",
        &example("fleet"),
    ]
    .map(str::to_string);
    for t in ["100000000000000000000", "1e20", "25h", "inf"] {
        let o = senroute()
            .arg("solve")
            .args(&csv)
            .args(["--roads", ROADS, "--out", "/nonexistent", "--time-limit", t])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "--time-limit {t}:\n{err}");
        assert!(err.contains("--time-limit"), "{err}");
    }
    let o = senroute()
        .arg("pool")
        .args(&csv)
        .args(["--roads", ROADS, "--out", "/nonexistent"])
        .args(["--time-limit-per-pupil", "1e20"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--time-limit-per-pupil"));

    let dir = tmp("time");
    let json = problem_json(&dir, |v| v["settings"]["time_limit_seconds"] = 1e20.into());
    let o = senroute()
        .args(["solve", "--problem"])
        .arg(&json)
        .args(["--roads", ROADS, "--out"])
        .arg(dir.join("out"))
        .output()
        .unwrap();
    input_error(
        &o,
        &[
            "settings.time_limit_seconds",
            "from 0 to 86400",
            "100000000000000000000",
        ],
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Item 2: 100,000 valid pupil rows are refused at once, before any matrix.
#[test]
fn a_hundred_thousand_pupils_are_refused_in_moments() {
    let dir = tmp("rows");
    let text = std::fs::read_to_string(root().join(example("pupils"))).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let row: Vec<&str> = lines.next().unwrap().splitn(2, ',').collect();
    let mut big = String::from(header);
    for i in 0..100_000 {
        big.push_str(&format!("\nX{i},{}", row[1]));
    }
    let pupils = dir.join("pupils.csv");
    std::fs::write(&pupils, big).unwrap();
    let started = Instant::now();
    let o = senroute()
        .arg("solve")
        .arg("--pupils")
        .arg(&pupils)
        .args([
            "--schools",
            &example("schools"),
            "--fleet",
            &example("fleet"),
        ])
        .args(["--roads", ROADS, "--out"])
        .arg(dir.join("out"))
        .output()
        .unwrap();
    input_error(
        &o,
        &[
            "pupils.csv:20002",
            "more than 20000 rows",
            "split the problem",
        ],
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Items 3 and 6: a 10 MB school name is refused by validation, quoted by
/// a short prefix only.
#[test]
fn a_ten_megabyte_school_name_is_refused_and_not_echoed() {
    let dir = tmp("name");
    let text = std::fs::read_to_string(root().join(example("schools"))).unwrap();
    let long = "N".repeat(10 << 20);
    let schools = dir.join("schools.csv");
    std::fs::write(
        &schools,
        text.replacen("Camden Centre for Learning", &long, 1),
    )
    .unwrap();
    let started = Instant::now();
    let o = validate(
        &root().join(example("pupils")),
        &schools,
        &root().join(example("fleet")),
    );
    let err = input_error(
        &o,
        &[
            "schools.csv:2: name",
            "10485760 characters, over the limit of 200",
            "bytes in all",
        ],
    );
    assert!(err.len() < 2_000, "{err}");
    assert!(started.elapsed() < Duration::from_secs(20));
    std::fs::remove_dir_all(&dir).ok();
}

/// Item 4: control characters in ids and names are refused by validation,
/// with their code point.
#[test]
fn control_characters_are_refused() {
    let dir = tmp("ctrl");
    let pupils = std::fs::read_to_string(root().join(example("pupils"))).unwrap();
    let schools = std::fs::read_to_string(root().join(example("schools"))).unwrap();
    let (p, s) = (dir.join("pupils.csv"), dir.join("schools.csv"));
    std::fs::write(&p, pupils.replacen("P002", "P\u{0}02", 1)).unwrap();
    std::fs::write(
        &s,
        schools.replacen("Camden Centre", "Camden\u{12}Centre", 1),
    )
    .unwrap();
    let o = validate(&p, &s, &root().join(example("fleet")));
    input_error(
        &o,
        &[
            "pupils.csv:3: id",
            "U+0000 at character 2",
            "schools.csv:2: name",
            "U+0012",
        ],
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Item 5: the CLI's JSON settings get the service's checks (one validator).
#[test]
fn json_settings_are_checked_like_the_service_does() {
    let dir = tmp("settings");
    let json = problem_json(&dir, |v| {
        v["settings"]["boarding_minutes"] = (-100.0).into();
        v["settings"]["ride_time_cost_per_minute"] = (-1e300).into();
    });
    let o = senroute()
        .args(["validate", "--problem"])
        .arg(&json)
        .output()
        .unwrap();
    input_error(
        &o,
        &[
            "settings.boarding_minutes = \"-100\": must be a number of minutes from 0 to 120",
            "settings.ride_time_cost_per_minute",
        ],
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Item 6: a long offending value is quoted by a short prefix.
#[test]
fn long_values_are_quoted_by_a_prefix() {
    let dir = tmp("echo");
    let pupils = std::fs::read_to_string(root().join(example("pupils"))).unwrap();
    let p = dir.join("pupils.csv");
    let long = "S".repeat(1 << 20);
    std::fs::write(
        &p,
        pupils.replacen(
            "P001,51.5489,-0.1660,100092",
            &format!("P001,51.5489,-0.1660,{long}"),
            1,
        ),
    )
    .unwrap();
    let o = validate(
        &p,
        &root().join(example("schools")),
        &root().join(example("fleet")),
    );
    let err = input_error(&o, &["pupils.csv:2: school", "1048576 bytes in all"]);
    assert!(err.len() < 2_000, "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

/// Item 7: borough codes are London GSS codes, or those of --boundaries.
#[test]
fn borough_codes_are_checked() {
    let dir = tmp("borough");
    let pupils = std::fs::read_to_string(root().join(example("pupils"))).unwrap();
    let p = dir.join("pupils.csv");
    std::fs::write(&p, pupils.replacen("E09000007", "not-a-borough", 1)).unwrap();
    let o = validate(
        &p,
        &root().join(example("schools")),
        &root().join(example("fleet")),
    );
    input_error(
        &o,
        &[
            "pupils.csv:2: borough",
            "not a London borough GSS code",
            "E09000001",
        ],
    );
    // A London-shaped code the boundaries file does not know.
    std::fs::write(&p, pupils.replacen("E09000007", "E09000034", 1)).unwrap();
    let o = senroute()
        .arg("validate")
        .arg("--pupils")
        .arg(&p)
        .args([
            "--schools",
            &example("schools"),
            "--fleet",
            &example("fleet"),
        ])
        .args([
            "--boundaries",
            "data/boundaries/london_boroughs_gla_wgs84.geojson",
        ])
        .output()
        .unwrap();
    input_error(
        &o,
        &[
            "pupils.csv:2: borough",
            "not a borough of the boundaries file",
        ],
    );
    std::fs::remove_dir_all(&dir).ok();
}
