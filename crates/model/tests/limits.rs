//! The one input validation's limits (issue #16), through the JSON and CSV
//! readers: the same checks and messages whatever the format.

use senroute_model::limits::{self, MAX_PUPILS};
use senroute_model::{
    problem_from_json, problem_from_json_with, read_problem, read_problem_files, BoroughCodes,
    CsvSource, InputErrors, Problem, Session, Settings,
};
use std::path::Path;

fn example() -> Problem {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/example");
    read_problem_files(
        &d.join("pupils.csv"),
        &d.join("schools.csv"),
        &d.join("fleet.csv"),
        Session::Am,
        Settings::default(),
    )
    .unwrap()
}

fn json_errors(p: &Problem) -> InputErrors {
    problem_from_json("problem.json", &serde_json::to_string(p).unwrap()).unwrap_err()
}

fn has(e: &InputErrors, field: &str, needle: &str) -> bool {
    e.issues()
        .iter()
        .any(|i| i.field.as_deref() == Some(field) && i.to_string().contains(needle))
}

#[test]
fn oversized_problems_are_refused_before_other_checks() {
    let mut p = example();
    let first = p.pupils[0].clone();
    p.pupils = (0..=MAX_PUPILS)
        .map(|i| {
            let mut x = first.clone();
            x.id = format!("X{i}");
            x
        })
        .collect();
    let started = std::time::Instant::now();
    let e = json_errors(&p);
    assert!(started.elapsed().as_secs() < 10);
    assert_eq!(e.len(), 1, "{e}");
    assert!(
        has(&e, "pupils", "20001 pupils, over senroute's limit of 20000"),
        "{e}"
    );
    assert!(e.to_string().contains("split the problem"), "{e}");
}

#[test]
fn strings_are_bounded_and_free_of_control_characters() {
    let mut p = example();
    p.schools[0].name = "N".repeat(1 << 20);
    p.pupils[1].id = "P\u{0}2".into();
    p.fleet[0].id = "V".repeat(65);
    let e = json_errors(&p);
    assert!(
        has(
            &e,
            "schools[0].name",
            "1048576 characters, over the limit of 200"
        ),
        "{e}"
    );
    assert!(has(&e, "pupils[1].id", "U+0000"), "{e}");
    assert!(
        has(&e, "fleet[0].id", "65 characters, over the limit of 64"),
        "{e}"
    );
    // The megabyte name is quoted by a prefix only.
    assert!(e.to_string().len() < 4_000, "{} bytes", e.to_string().len());
}

#[test]
fn settings_and_numbers_have_one_range_for_every_input() {
    let mut p = example();
    p.settings.boarding_minutes = -100.0;
    p.settings.ride_time_cost_per_minute = -1e300;
    p.settings.time_limit_seconds = 1e20;
    p.settings.wheelchair_boarding_minutes = f64::NAN;
    p.fleet[0].seats = 1_000_000;
    p.fleet[0].cost_per_km = 1e300;
    p.schools[0].dwell_minutes = 100_000;
    let e = problem_from_json(
        "problem.json",
        &serde_json::to_string(&p)
            .unwrap()
            .replace("NaN", "1")
            .replace(
                "\"wheelchair_boarding_minutes\":null",
                "\"wheelchair_boarding_minutes\":-1",
            ),
    )
    .unwrap_err();
    for (field, needle) in [
        ("settings.boarding_minutes", "from 0 to 120"),
        ("settings.ride_time_cost_per_minute", "from 0 to 1000"),
        ("settings.time_limit_seconds", "from 0 to 86400"),
        ("settings.wheelchair_boarding_minutes", "from 0 to 120"),
        ("fleet[0].seats", "over the limit of 100"),
        ("fleet[0].cost_per_km", "from 0 to 1000000"),
        ("schools[0].dwell_minutes", "over the limit of 1440"),
    ] {
        assert!(has(&e, field, needle), "{field}: {e}");
    }
    // The CSV reader's settings go through the same check.
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/example");
    let e = read_problem_files(
        &d.join("pupils.csv"),
        &d.join("schools.csv"),
        &d.join("fleet.csv"),
        Session::Am,
        Settings {
            boarding_minutes: -100.0,
            ..Settings::default()
        },
    )
    .unwrap_err();
    assert!(has(&e, "settings.boarding_minutes", "from 0 to 120"), "{e}");
}

#[test]
fn borough_codes_follow_london_or_the_boundaries() {
    let mut p = example();
    p.pupils[0].borough = Some("not-a-borough".into());
    p.schools[0].borough = Some("E09000034".into());
    let e = json_errors(&p);
    assert!(
        has(&e, "pupils[0].borough", "not a London borough GSS code"),
        "{e}"
    );
    assert!(has(&e, "schools[0].borough", "E09000001"), "{e}");

    let mut p = example();
    p.pupils[0].borough = Some("E09000033".into());
    let json = serde_json::to_string(&p).unwrap();
    let camden_only = BoroughCodes::Known(["E09000007".to_string()].into());
    let e = problem_from_json_with("problem.json", &json, &camden_only).unwrap_err();
    assert!(
        has(
            &e,
            "pupils[0].borough",
            "not a borough of the boundaries file"
        ),
        "{e}"
    );
    assert!(problem_from_json("problem.json", &json).is_ok());
}

#[test]
fn csv_files_are_bounded_in_rows_and_every_problem_message_is_short() {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/example");
    let schools = std::fs::read_to_string(d.join("schools.csv")).unwrap();
    let fleet = std::fs::read_to_string(d.join("fleet.csv")).unwrap();
    // A file whose every row is broken stops listing problems at the limit.
    let mut pupils = String::from("id,school,home_lat,home_lon\n");
    for i in 0..5_000 {
        pupils.push_str(&format!("P{i},100092,x,y\n"));
    }
    let e = read_problem(
        CsvSource::text("pupils.csv", &pupils),
        CsvSource::text("schools.csv", &schools),
        CsvSource::text("fleet.csv", &fleet),
        Session::Am,
        Settings::default(),
    )
    .unwrap_err();
    assert_eq!(e.len(), limits::MAX_ISSUES + 1);
    assert!(e
        .issues()
        .last()
        .unwrap()
        .message
        .contains("more than 1000 problems"));
}
