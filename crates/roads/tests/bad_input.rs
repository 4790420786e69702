//! Bad inputs give clear errors naming the file, never a panic.

mod common;

use common::repo;
use senroute_roads::{matrix_report, RoadNetwork, RoadsError, SpeedProfile};

fn fixture(name: &str) -> std::path::PathBuf {
    repo(&format!("tests/fixtures/roads/{name}"))
}

fn build_err(name: &str) -> RoadsError {
    RoadNetwork::from_pbf(fixture(name), &SpeedProfile::default())
        .err()
        .unwrap_or_else(|| panic!("{name} should not build"))
}

#[test]
fn truncated_pbf_is_a_pbf_error_naming_the_file() {
    let e = build_err("truncated.osm.pbf");
    assert!(matches!(e, RoadsError::Pbf { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(msg.contains("truncated.osm.pbf"), "{msg}");
    assert!(msg.contains("truncated: the block at byte 99"), "{msg}");
    assert!(msg.contains("download or extract it again"), "{msg}");
}

#[test]
fn corrupt_pbf_is_a_pbf_error() {
    let e = build_err("corrupt.osm.pbf");
    assert!(matches!(e, RoadsError::Pbf { .. }), "{e:?}");
    assert!(e.to_string().contains("corrupt.osm.pbf"));
    assert!(e.to_string().contains("corrupt deflate stream"), "{e}");
}

#[test]
fn xml_renamed_to_pbf_is_a_pbf_error() {
    let e = build_err("not_a_pbf.osm.pbf");
    assert!(matches!(e, RoadsError::Pbf { .. }), "{e:?}");
    assert!(e.to_string().contains("not_a_pbf.osm.pbf"));
    assert!(e.to_string().contains(".osm XML"), "{e}");
}

#[test]
fn pbf_without_roads_says_so() {
    let e = build_err("no_roads.osm.pbf");
    match &e {
        RoadsError::NoRoads { detail, .. } => assert!(detail.contains("0 ways"), "{detail}"),
        other => panic!("{other:?}"),
    }
    let msg = e.to_string();
    assert!(
        msg.contains("no_roads.osm.pbf") && msg.contains("no car-drivable road"),
        "{msg}"
    );
}

#[test]
fn missing_pbf_is_an_io_error_naming_the_file() {
    let e = build_err("does_not_exist.osm.pbf");
    assert!(matches!(e, RoadsError::Io { .. }), "{e:?}");
    assert!(e.to_string().contains("does_not_exist.osm.pbf"));
}

#[test]
fn empty_points_file_is_an_error() {
    let e = matrix_report::read_points(&fixture("empty_points.csv")).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("empty_points.csv") && msg.contains("no points"),
        "{msg}"
    );
}

#[test]
fn malformed_points_row_is_named() {
    let e = matrix_report::read_points(&fixture("bad_points.csv")).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("bad_points.csv") && msg.contains("line 3"),
        "{msg}"
    );
}

#[test]
fn nan_point_is_rejected_with_its_row() {
    let net = repo(common::MIXED);
    let e = matrix_report::run(&net, &fixture("nan_points.csv"), None).unwrap_err();
    assert!(matches!(e, RoadsError::InvalidCoordinate { .. }), "{e:?}");
    assert!(e.to_string().contains("row 3"), "{e}");
}

#[test]
fn foreign_network_file_is_rejected() {
    let e = RoadNetwork::load(fixture("foreign.bin")).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("foreign.bin") && msg.contains("magic"),
        "{msg}"
    );
    // A PBF is not a prepared network either.
    let e = RoadNetwork::load(repo(common::MIXED)).unwrap_err();
    assert!(matches!(e, RoadsError::BadNetworkFile { .. }));
}

#[test]
fn too_many_points_are_refused_before_any_matrix() {
    let path = std::env::temp_dir().join(format!("senroute-points-{}.csv", std::process::id()));
    let rows = "51.5,-0.12\n".repeat(matrix_report::MAX_POINTS + 1);
    std::fs::write(&path, format!("lat,lon\n{rows}")).unwrap();
    let e = matrix_report::read_points(&path).unwrap_err();
    assert!(e.to_string().contains("more than 22500 points"), "{e}");
    std::fs::remove_file(&path).ok();
}
