//! Reading the coordinators' CSV files: the bundled example parses, and each
//! kind of malformed input is reported with its file, line, field and message.

use senroute_model::{read_problem_files, InputIssue, Session, Settings};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example(name: &str) -> PathBuf {
    root().join("data/example").join(name)
}

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/input").join(name)
}

/// Reads the example with one file swapped for a fixture and returns the issues.
fn issues_with(fixture_name: &str) -> Vec<InputIssue> {
    let pick = |kind: &str| {
        if fixture_name.starts_with(kind) {
            fixture(fixture_name)
        } else {
            example(&format!("{kind}.csv"))
        }
    };
    match read_problem_files(
        &pick("pupils"),
        &pick("schools"),
        &pick("fleet"),
        Session::Am,
        Settings::default(),
    ) {
        Ok(_) => panic!("{fixture_name} should be rejected"),
        Err(e) => e.0,
    }
}

#[test]
fn bundled_example_parses() {
    let p = read_problem_files(
        &example("pupils.csv"),
        &example("schools.csv"),
        &example("fleet.csv"),
        Session::Am,
        Settings::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.pupils.len(), 16);
    assert_eq!(p.schools.len(), 3);
    assert_eq!(p.fleet.len(), 3);
    // P014 travels only in the afternoon.
    assert_eq!(p.travelling_pupils().count(), 15);
    // Schools are given in British National Grid and converted.
    let ccfl = p.school("100092").unwrap();
    assert!(
        (ccfl.location.lat - 51.544945).abs() < 2e-5 && (ccfl.location.lon + 0.14865).abs() < 3e-5
    );
    assert_eq!(ccfl.am_arrival.to_string(), "08:40–09:00");
    let p3 = p.pupil("P003").unwrap();
    assert!(p3.needs.wheelchair && p3.needs.tail_lift && p3.needs.passenger_assistant);
    assert_eq!(p3.needs.extra_boarding_minutes, 3);
    assert_eq!(
        p.pupil("P004").unwrap().needs.must_not_travel_with,
        vec!["P005".to_string()]
    );
    // Default ride caps by phase: secondary 75, pupil's own phase at all-through schools.
    assert_eq!(
        p.max_ride_seconds(p.pupil("P001").unwrap()),
        Some(75.0 * 60.0)
    );
    assert_eq!(
        p.max_ride_seconds(p.pupil("P006").unwrap()),
        Some(45.0 * 60.0)
    );
    assert_eq!(
        p.max_ride_seconds(p.pupil("P008").unwrap()),
        Some(60.0 * 60.0)
    );
    let wav = p.vehicle_type("WAV-6").unwrap();
    assert_eq!(
        (
            wav.seats,
            wav.wheelchair_spaces,
            wav.seats_per_wheelchair_space
        ),
        (6, 2, 2)
    );
    assert_eq!(wav.daily_fixed_cost(), 260.0);
}

/// One fixture per kind of error: (fixture, file, line, field, message part).
const CASES: &[(&str, Option<u64>, Option<&str>, &str)] = &[
    (
        "pupils_missing_column.csv",
        Some(1),
        Some("school"),
        "missing required column",
    ),
    (
        "pupils_extra_column.csv",
        Some(1),
        Some("nickname"),
        "unknown column; expected some of: id, school",
    ),
    (
        "fleet_bad_number.csv",
        Some(3),
        Some("seats"),
        "not a whole number",
    ),
    (
        "pupils_duplicate_id.csv",
        Some(4),
        Some("id"),
        "duplicate pupil id (first used on line 3)",
    ),
    (
        "pupils_unknown_school.csv",
        Some(6),
        Some("school"),
        "unknown school id",
    ),
    (
        "pupils_unknown_must_not_travel_with.csv",
        Some(2),
        Some("must_not_travel_with"),
        "unknown pupil id in must-not-travel-with",
    ),
    (
        "schools_inverted_window.csv",
        Some(3),
        Some("am_arrival_close"),
        "AM arrival window ends at 08:30 before it starts at 09:00",
    ),
    (
        "pupils_outside_uk.csv",
        Some(8),
        Some("home_lat"),
        "latitude outside the UK",
    ),
    ("fleet_empty.csv", None, Some("count"), "the fleet is empty"),
    (
        "schools_bad_time.csv",
        Some(2),
        Some("pm_departure_open"),
        "not a time of day",
    ),
    (
        "pupils_impossible_pickup.csv",
        Some(5),
        Some("earliest_pickup"),
        "earliest pick-up is after the school's AM arrival window closes (09:00)",
    ),
    (
        "pupils_missing_phase.csv",
        Some(7),
        Some("phase"),
        "school 135167 is all-through",
    ),
    (
        "pupils_short_row.csv",
        Some(3),
        None,
        "row has 5 fields but the header has 15 columns",
    ),
];

#[test]
fn each_malformed_input_is_reported_with_place_and_advice() {
    for &(name, line, field, message) in CASES {
        let issues = issues_with(name);
        let hit = issues.iter().find(|i| i.message.contains(message));
        let Some(hit) = hit else {
            panic!("{name}: no issue says {message:?}; got:\n{issues:#?}");
        };
        let kind = name.split('_').next().unwrap();
        assert!(
            hit.source.ends_with(name) || hit.source.ends_with(&format!("{kind}.csv")),
            "{name}: source {}",
            hit.source
        );
        assert_eq!(hit.line, line, "{name}: line");
        assert_eq!(hit.field.as_deref(), field, "{name}: field");
        assert!(!hit.hint.is_empty(), "{name}: every issue says what to do");
        // The one-line rendering carries file, line and field.
        let text = hit.to_string();
        assert!(
            text.contains(&hit.source) && text.contains(message),
            "{text}"
        );
    }
}

#[test]
fn all_problems_are_reported_at_once() {
    use senroute_model::{read_problem, CsvSource};
    let pupils = "id,home_lat,home_lon,school,wheelchair\nA,51.5,-0.1,S1,maybe\nA,91,-0.1,S9,no\nB,51.5,-0.1,S1,no\n";
    let schools = "id,name,lat,lon,phase,am_arrival_open,am_arrival_close,pm_departure_open,pm_departure_close\nS1,One,51.5,-0.1,primary,08:30,08:50,15:00,15:20\n";
    let fleet = "id,count,depot_lat,depot_lon,seats,fixed_cost_per_day,cost_per_km,cost_per_hour,max_duty_minutes,shift_start,shift_end\nT,-1,51.5,-0.1,4,60,1,10,120,06:30,10:00\n";
    let err = read_problem(
        CsvSource::text("pupils.csv", pupils),
        CsvSource::text("schools.csv", schools),
        CsvSource::text("fleet.csv", fleet),
        Session::Am,
        Settings::default(),
    )
    .unwrap_err();
    let msgs: Vec<String> = err.0.iter().map(|i| i.to_string()).collect();
    let has = |s: &str| msgs.iter().any(|m| m.contains(s));
    assert!(
        has("pupils.csv:2: wheelchair = \"maybe\": not yes or no"),
        "{msgs:#?}"
    );
    assert!(
        has("pupils.csv:3: home_lat = \"91\": latitude outside the UK"),
        "{msgs:#?}"
    );
    assert!(
        has("pupils.csv:3: school = \"S9\": unknown school id"),
        "{msgs:#?}"
    );
    assert!(has("duplicate pupil id"), "{msgs:#?}");
    assert!(
        has("fleet.csv:2: count = \"-1\": not a whole number"),
        "{msgs:#?}"
    );
    assert!(err
        .to_string()
        .starts_with(&format!("{} problems in the input:", err.len())));
}

#[test]
fn bng_and_blank_lines_are_accepted() {
    use senroute_model::{read_problem, CsvSource};
    let pupils = "ID,home_easting,home_northing,School\nA,528476.2,184518.4,S1\n\n";
    let schools = "id,name,lat,lon,phase,am_arrival_open,am_arrival_close,pm_departure_open,pm_departure_close\nS1,One,51.55,-0.14,primary,08:30,08:50,15:00,15:20\n";
    let fleet = "id,count,depot_lat,depot_lon,seats,fixed_cost_per_day,cost_per_km,cost_per_hour,max_duty_minutes,shift_start,shift_end\nT,1,51.5,-0.1,4,£60,1,10,120,06:30,10:00\n";
    let p = read_problem(
        CsvSource::text("pupils.csv", pupils),
        CsvSource::text("schools.csv", schools),
        CsvSource::text("fleet.csv", fleet),
        Session::Am,
        Settings::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.pupils.len(), 1);
    assert!((p.pupils[0].home.lat - 51.544945).abs() < 2e-5);
    assert_eq!(p.fleet[0].fixed_cost_per_day, 60.0);
}

#[test]
fn json_problem_round_trips_and_reports_field_paths() {
    let p = read_problem_files(
        &example("pupils.csv"),
        &example("schools.csv"),
        &example("fleet.csv"),
        Session::Am,
        Settings::default(),
    )
    .unwrap();
    let json = serde_json::to_string_pretty(&p).unwrap();
    let back = senroute_model::problem_from_json("problem.json", &json).unwrap();
    assert_eq!(back, p);

    let mut bad = p.clone();
    bad.pupils[2].school = "nope".into();
    bad.fleet[1].shift = senroute_model::TimeWindow::new(
        senroute_model::TimeOfDay::hm(10, 0),
        senroute_model::TimeOfDay::hm(6, 0),
    );
    let err =
        senroute_model::problem_from_json("problem.json", &serde_json::to_string(&bad).unwrap())
            .unwrap_err();
    let fields: Vec<_> = err.0.iter().filter_map(|i| i.field.clone()).collect();
    assert!(
        fields.contains(&"pupils[2].school".to_string()),
        "{fields:?}"
    );
    assert!(
        fields.contains(&"fleet[1].shift.close".to_string()),
        "{fields:?}"
    );

    let syntax = senroute_model::problem_from_json("problem.json", "{\"pupils\": [}").unwrap_err();
    assert_eq!(syntax.0[0].line, Some(1));
    assert!(syntax.0[0].message.starts_with("not a valid problem"));
}

#[test]
fn problem_matrices_are_checked() {
    use senroute_model::TravelTimes;
    let mut p = read_problem_files(
        &example("pupils.csv"),
        &example("schools.csv"),
        &example("fleet.csv"),
        Session::Am,
        Settings::default(),
    )
    .unwrap();
    let t = TravelTimes::straight_line(&p, 20.0, 1.3);
    let mut m = t.to_matrices();
    p.matrices = Some(m.clone());
    let json = serde_json::to_string(&p).unwrap();
    assert!(senroute_model::problem_from_json("problem.json", &json).is_ok());
    m.durations_s[3].pop();
    p.matrices = Some(m);
    let err =
        senroute_model::problem_from_json("problem.json", &serde_json::to_string(&p).unwrap())
            .unwrap_err();
    assert!(
        err.0
            .iter()
            .any(|i| i.field.as_deref() == Some("matrices") && i.message.contains("row 3")),
        "{err}"
    );
}
