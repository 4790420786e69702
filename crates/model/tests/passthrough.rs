//! Passthrough columns: `x_…` columns of pupils.csv are carried to the
//! outputs unchanged, while any other unknown column is still an error that
//! names the file, line, column and the fix.

use senroute_model::csv_out::{write_pupils_csv, write_routes_csv};
use senroute_model::{
    read_problem, CsvSource, InputIssue, Plan, Problem, Session, Settings, Totals, Unassigned,
    UnassignedReason,
};
use std::path::Path;

fn example(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/example")
        .join(name);
    std::fs::read_to_string(p).unwrap()
}

fn read(pupils: &str, schools: &str) -> Result<Problem, Vec<InputIssue>> {
    let fleet = example("fleet.csv");
    read_problem(
        CsvSource::text("pupils.csv", pupils),
        CsvSource::text("schools.csv", schools),
        CsvSource::text("fleet.csv", &fleet),
        Session::Am,
        Settings::default(),
    )
    .map_err(|e| e.0)
}

const PUPILS: &str = "\
id,home_lat,home_lon,school,x_Address,x_notes
P001,51.5489,-0.1660,100092,\"12 Example Road, NW3\",likes the window seat
P002,51.5422,-0.1432,100092,,
";

#[test]
fn passthrough_columns_reach_the_pupil_and_the_outputs() {
    let p = read(PUPILS, &example("schools.csv")).unwrap_or_else(|e| panic!("{e:?}"));
    let p1 = p.pupil("P001").unwrap();
    assert_eq!(p1.extra["Address"], "12 Example Road, NW3");
    assert_eq!(p1.extra["notes"], "likes the window seat");
    // Blank cells carry nothing.
    assert!(p.pupil("P002").unwrap().extra.is_empty());

    // JSON: a map of extra fields on the pupil, absent when there are none.
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(json["pupils"][0]["extra"]["notes"], "likes the window seat");
    assert!(json["pupils"][1].get("extra").is_none());
    let back: Problem = serde_json::from_value(json).unwrap();
    assert_eq!(back, p);

    // pupils.csv: one x_ column per name, each pupil's own value.
    let plan = Plan {
        session: Session::Am,
        routes: vec![],
        rides: vec![],
        unassigned: ["P001", "P002"]
            .map(|id| Unassigned {
                pupil: id.into(),
                reason: UnassignedReason::NoCompatibleVehicle {
                    detail: "test".into(),
                },
            })
            .into(),
        totals: Totals::default(),
    };
    let mut buf = Vec::new();
    write_pupils_csv(&p, &plan, &mut buf).unwrap();
    let mut rdr = csv::Reader::from_reader(&buf[..]);
    let headers = rdr.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (a, n) = (col("x_Address"), col("x_notes"));
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(&rows[0][a], "12 Example Road, NW3");
    assert_eq!(&rows[0][n], "likes the window seat");
    assert_eq!(&rows[1][a], "");
    // An empty plan still writes routes.csv (no rows).
    let mut buf = Vec::new();
    write_routes_csv(&p, &plan, &mut buf).unwrap();
}

#[test]
fn a_misspelt_column_is_still_an_error_with_the_fix() {
    let pupils = "id,home_lat,home_lon,school,wheelchiar\nP001,51.5489,-0.1660,100092,yes\n";
    let issues = read(pupils, &example("schools.csv")).unwrap_err();
    let i = issues
        .iter()
        .find(|i| i.field.as_deref() == Some("wheelchiar"))
        .unwrap_or_else(|| panic!("{issues:?}"));
    assert_eq!((i.source.as_str(), i.line), ("pupils.csv", Some(1)));
    assert!(i.message.starts_with("unknown column"), "{i:?}");
    assert!(i.hint.contains("did you mean `wheelchair`"), "{}", i.hint);
    assert!(i.hint.contains("x_"), "{}", i.hint);

    // A column of one's own without the prefix: told how to declare it.
    let pupils = "id,home_lat,home_lon,school,postcode\nP001,51.5489,-0.1660,100092,NW3\n";
    let issues = read(pupils, &example("schools.csv")).unwrap_err();
    assert!(issues[0].hint.contains("x_postcode"), "{:?}", issues[0]);

    // The prefix alone is not a name.
    let pupils = "id,home_lat,home_lon,school,x_\nP001,51.5489,-0.1660,100092,a\n";
    let issues = read(pupils, &example("schools.csv")).unwrap_err();
    assert_eq!(issues[0].field.as_deref(), Some("x_"));
}

#[test]
fn passthrough_values_are_bounded_and_schools_take_none() {
    let long = "y".repeat(201);
    let pupils =
        format!("id,home_lat,home_lon,school,x_notes\nP001,51.5489,-0.1660,100092,{long}\n");
    let issues = read(&pupils, &example("schools.csv")).unwrap_err();
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].line, Some(2));
    assert!(
        issues[0].message.contains("passthrough field `notes`")
            && issues[0].message.contains("over the limit of 200"),
        "{:?}",
        issues[0]
    );

    let mut schools = example("schools.csv");
    let first_newline = schools.find('\n').unwrap();
    schools.insert_str(first_newline, ",x_note");
    let schools = schools.replace('\n', ",a\n").replacen(",a\n", "\n", 1);
    let issues = read(&example("pupils.csv"), &schools).unwrap_err();
    assert!(
        issues
            .iter()
            .any(|i| i.field.as_deref() == Some("x_note") && i.hint.contains("pupils.csv only")),
        "{issues:?}"
    );
}
