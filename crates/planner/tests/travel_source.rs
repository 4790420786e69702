//! One precedence for travel times in every front end
//! (`senroute_planner::travel_for`): a problem's own matrices, else the
//! road network; neither is an error naming the field.

use senroute_model::*;
use senroute_planner::travel_for;
use senroute_roads::{RoadNetwork, SpeedProfile};
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

#[test]
fn matrices_win_over_roads_and_roads_serve_the_rest() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let (net, _) = RoadNetwork::from_pbf(
        root.join("data/osm/london_camden_westminster_city_drive_mixed.osm.pbf"),
        &SpeedProfile::default(),
    )
    .unwrap();
    let mut p = example();
    // Without matrices: over the roads, every location snapped.
    let (by_roads, rt) = travel_for(&p, Some(&net), 300.0).unwrap();
    assert!(rt.is_some());
    // With matrices: they are used, roads or not.
    let straight = TravelTimes::straight_line(&p, 18.0, 1.35);
    p.matrices = Some(straight.to_matrices());
    for roads in [Some(&net), None] {
        let (t, rt) = travel_for(&p, roads, 300.0).unwrap();
        assert!(rt.is_none());
        let (a, b) = (
            LocationKey::Home(p.pupils[0].id.clone()),
            LocationKey::School(p.pupils[0].school.clone()),
        );
        assert_eq!(t.duration(&a, &b), straight.duration(&a, &b));
        assert_ne!(t.duration(&a, &b), by_roads.duration(&a, &b));
    }
    // Neither.
    p.matrices = None;
    let e = travel_for(&p, None, 300.0).unwrap_err();
    assert_eq!(e.issues()[0].field.as_deref(), Some("matrices"));
}
