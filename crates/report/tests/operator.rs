//! Operator outputs of a hand-built plan: manifests (a page per run, stops
//! that read as instructions, needs in words, passthrough fields), the
//! passthrough and school columns of the CSVs, and plan.xlsx's contents.

mod common;

use common::{problem, straight_plan, EVIL_SCHOOL};
use senroute_model::{Plan, Problem};
use senroute_report::*;
use std::io::Cursor;

/// The common problem with passthrough fields and needs on a few pupils.
fn operator_problem() -> Problem {
    let mut p = problem();
    let p1 = &mut p.pupils[0];
    p1.extra
        .insert("address".into(), "12 Example Road, NW1".into());
    p1.extra
        .insert("notes".into(), "<b>sits behind the driver</b>".into());
    p1.needs.passenger_assistant = true;
    p1.needs.extra_boarding_minutes = 5;
    p.pupils[3].needs.travel_alone = true;
    p.pupils[5]
        .extra
        .insert("address".into(), "1 Unplaced Lane".into());
    p
}

fn plan_for(p: &Problem) -> Plan {
    straight_plan(p)
}

#[test]
fn manifests_have_a_page_per_run_with_readable_stops_and_needs() {
    let p = operator_problem();
    let plan = plan_for(&p);
    let html = manifests_html(&p, &plan);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("@page{size:A4"));
    assert_eq!(
        html.matches("<section class=\"run\">").count(),
        plan.routes.len()
    );
    assert!(html.contains("break-before:page") && html.contains("break-inside:avoid"));
    for (i, r) in plan.routes.iter().enumerate() {
        assert!(html.contains(&format!("Run {} · {}", i + 1, r.label())));
    }
    // Stops read as instructions; the school by its (escaped) name and id.
    assert!(!html.contains("Home of"));
    assert!(html.contains("Pick up P1 at home"));
    assert!(html.contains(&format!("Drop at {} (S1)", escape(EVIL_SCHOOL))));
    assert!(!html.contains(EVIL_SCHOOL) && !html.contains("<script"));
    assert!(html.contains("Leave depot (BUS)") && html.contains("Return to depot (BUS)"));
    // Needs in words, by pupil, and the passthrough fields.
    assert!(html.contains("Passenger assistant, +5 min boarding"));
    assert!(html.contains("<b>Travel alone</b>: P4"));
    assert!(html.contains("address: 12 Example Road, NW1"));
    assert!(html.contains("notes: &lt;b&gt;sits behind the driver&lt;/b&gt;"));
    // An empty plan still makes a page.
    let empty = Plan {
        routes: vec![],
        rides: vec![],
        ..plan.clone()
    };
    assert!(manifests_html(&p, &empty).contains("No vehicle runs"));
}

#[test]
fn csv_outputs_carry_passthrough_and_school_columns() {
    let p = operator_problem();
    let plan = plan_for(&p);
    let dir = std::env::temp_dir().join(format!("senroute-operator-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let paths = write_outputs(&dir, &p, &plan, &Geometry::Straight).unwrap();
    assert!(paths.manifests_html.exists() && paths.plan_xlsx.exists());

    let mut rdr = csv::Reader::from_path(&paths.routes_csv).unwrap();
    let h = rdr.headers().unwrap().clone();
    let col = |n: &str| {
        h.iter()
            .position(|x| x == n)
            .unwrap_or_else(|| panic!("{n}: {h:?}"))
    };
    let (kind, pupils, sid, sname, addr) = (
        col("kind"),
        col("pupils"),
        col("school_id"),
        col("school_name"),
        col("x_address"),
    );
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let p1 = rows.iter().find(|r| &r[pupils] == "P1").unwrap();
    assert_eq!(&p1[addr], "12 Example Road, NW1");
    let drops: Vec<&csv::StringRecord> = rows.iter().filter(|r| &r[kind] == "drop").collect();
    assert_eq!(drops.len(), 2);
    for d in drops {
        let school = p.school(&d[sid]).unwrap();
        assert_eq!(&d[sname], school.name);
        assert_eq!(&d[addr], "", "school rows carry no pupil's passthrough");
    }

    let mut rdr = csv::Reader::from_path(&paths.pupils_csv).unwrap();
    let h = rdr.headers().unwrap().clone();
    let (pc, ac, nc) = (
        h.iter().position(|x| x == "pupil").unwrap(),
        h.iter().position(|x| x == "x_address").unwrap(),
        h.iter().position(|x| x == "x_notes").unwrap(),
    );
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let find = |id: &str| rows.iter().find(|r| &r[pc] == id).unwrap();
    assert_eq!(&find("P1")[nc], "<b>sits behind the driver</b>");
    assert_eq!(&find("P6")[ac], "1 Unplaced Lane", "unassigned pupils too");
    std::fs::remove_dir_all(&dir).ok();
}

/// The text of one file of the xlsx (zip) archive.
fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut f = zip
        .by_name(name)
        .unwrap_or_else(|_| panic!("{name} missing"));
    let mut s = String::new();
    std::io::Read::read_to_string(&mut f, &mut s).unwrap();
    s
}

#[test]
fn plan_xlsx_holds_four_sheets_with_a_row_per_item() {
    let p = operator_problem();
    let plan = plan_for(&p);
    let bytes = plan_xlsx(&p, &plan).unwrap();
    let workbook = part(&bytes, "xl/workbook.xml");
    let names: Vec<&str> = workbook
        .split("<sheet name=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert_eq!(names, ["runs", "stops", "pupils", "unassigned"]);
    let rows = |i: usize| {
        part(&bytes, &format!("xl/worksheets/sheet{i}.xml"))
            .matches("<row ")
            .count()
    };
    assert_eq!(rows(1), 1 + plan.routes.len());
    assert_eq!(
        rows(2),
        1 + plan.routes.iter().map(|r| r.stops.len()).sum::<usize>()
    );
    assert_eq!(rows(3), 1 + plan.rides.len());
    assert_eq!(rows(4), 1 + plan.unassigned.len());
    let strings = part(&bytes, "xl/sharedStrings.xml");
    for text in [
        "vehicle_type",
        "school_name",
        "x_address",
        "BUS #1",
        "Passenger assistant, +5 min boarding",
        "12 Example Road, NW1",
        "1 Unplaced Lane",
        "&lt;script&gt;",
    ] {
        assert!(strings.contains(text), "plan.xlsx lacks {text}");
    }
    for u in &plan.unassigned {
        assert!(strings.contains(u.reason.code()));
    }
    assert!(!strings.contains("<script>"));
}
