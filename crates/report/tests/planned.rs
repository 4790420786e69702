//! End to end: the bundled example problem planned by senroute-planner over
//! the bundled road network, then every output written and read back.

use geojson::{GeoJson, GeometryValue};
use resvg::tiny_skia::Pixmap;
use senroute_model::{read_problem_files, Session, Settings, StopKind, TimeOfDay, TimeWindow};
use senroute_planner::{plan, travel_times, PlanOptions};
use senroute_report::*;
use senroute_roads::{RoadNetwork, SpeedProfile, DEFAULT_MAX_SNAP_M};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

fn repo(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

#[test]
fn planner_output_renders_along_the_roads() {
    let (net, _) = RoadNetwork::from_pbf(
        repo("data/osm/london_camden_westminster_city_drive_mixed.osm.pbf"),
        &SpeedProfile::default(),
    )
    .unwrap();
    for session in [Session::Am, Session::Pm] {
        check_session(&net, session);
    }
}

fn check_session(net: &RoadNetwork, session: Session) {
    let d = repo("data/example");
    let mut problem = read_problem_files(
        &d.join("pupils.csv"),
        &d.join("schools.csv"),
        &d.join("fleet.csv"),
        session,
        Settings::default(),
    )
    .unwrap();
    if session == Session::Pm {
        // The example fleet works mornings; give it an afternoon shift.
        for v in &mut problem.fleet {
            v.shift = TimeWindow::new(TimeOfDay::hm(14, 0), TimeOfDay::hm(18, 0));
        }
    }
    let travel = travel_times(&problem, net, DEFAULT_MAX_SNAP_M).unwrap();
    let options = PlanOptions {
        time_limit: None,
        iteration_limit: Some(300),
        seed: 7,
        threads: 1,
        cancel: Arc::new(AtomicBool::new(false)),
    };
    let run = plan(&problem, &travel.times, &options, &|_| {});
    let plan = run.plan;
    assert!(plan.routes.len() >= 2, "{} runs", plan.routes.len());
    let geometry = Geometry::roads(net, travel.times.keys(), &travel.snaps);

    let dir = std::env::temp_dir().join(format!(
        "senroute-report-{}-planned-{session}",
        std::process::id()
    ));
    let paths = write_outputs(&dir, &problem, &plan, &geometry).unwrap();

    let GeoJson::FeatureCollection(fc) = std::fs::read_to_string(&paths.routes_geojson)
        .unwrap()
        .parse::<GeoJson>()
        .unwrap()
    else {
        panic!("not a FeatureCollection")
    };
    let lines: Vec<usize> = fc
        .features
        .iter()
        .filter_map(|f| match f.geometry.as_ref().map(|g| &g.value) {
            Some(GeometryValue::LineString { coordinates }) => Some(coordinates.len()),
            _ => None,
        })
        .collect();
    assert_eq!(lines.len(), plan.routes.len());
    for (n, r) in lines.iter().zip(&plan.routes) {
        assert!(
            *n > r.stops.len(),
            "{}: {n} vertices, {} stops",
            r.label(),
            r.stops.len()
        );
    }

    let html = std::fs::read_to_string(&paths.report_html).unwrap();
    let (session_text, home_kind) = match session {
        Session::Am => ("morning (AM), home to school", StopKind::Pickup),
        Session::Pm => ("afternoon (PM), school to home", StopKind::Drop),
        Session::Day => unreachable!("a session plan"),
    };
    assert!(html.contains(session_text));
    // Home stops are pick-ups in the morning and drops in the afternoon,
    // and each is a numbered disc on the map.
    let homes = plan
        .routes
        .iter()
        .flat_map(|r| &r.stops)
        .filter(|s| matches!(s.location_key, senroute_model::LocationKey::Home(_)))
        .inspect(|s| assert_eq!(s.kind, home_kind))
        .count();
    let svg = map_svg(&problem, &plan, &geometry, &MapOptions::default());
    assert_eq!(svg.matches(" stop ").count(), homes);
    for r in &plan.routes {
        assert!(html.contains(&escape(&r.label())));
    }
    for s in &problem.schools {
        assert!(html.contains(&escape(&s.name)), "{}", s.name);
    }
    for u in &plan.unassigned {
        assert!(html.contains(&escape(u.reason.detail())));
    }
    let k = Kpis::from_plan(&problem, &plan);
    assert_eq!(
        k.assigned + k.unassigned,
        problem.travelling_pupils().count()
    );
    assert!((k.cost_per_day - plan.totals.cost).abs() < 1e-6);
    assert!((k.vehicle_km - plan.totals.distance_m / 1000.0).abs() < 1e-9);
    let summary = text_summary(&problem, &plan);
    assert_eq!(
        summary
            .lines()
            .filter(|l| l.trim_start().starts_with("run "))
            .count(),
        plan.routes.len()
    );

    let png = Pixmap::decode_png(&std::fs::read(&paths.map_png).unwrap()).unwrap();
    assert_eq!((png.width(), png.height()), (2000, 1500));
    if let Ok(keep) = std::env::var("SENROUTE_REPORT_KEEP") {
        std::fs::copy(
            &paths.map_png,
            std::path::Path::new(&keep).join(format!("planned-{session}.png")),
        )
        .unwrap();
        std::fs::copy(
            &paths.report_html,
            std::path::Path::new(&keep).join(format!("planned-{session}.html")),
        )
        .unwrap();
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
