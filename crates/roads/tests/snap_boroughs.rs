//! Snapping points onto road segments, and borough lookup.

mod common;

use common::{mixed, repo};
use senroute_roads::{geo_util::haversine_m, Boroughs, RoadsError};

#[test]
fn snap_lands_on_the_segment_not_the_nearest_node() {
    let (net, _) = mixed();
    // Take a long segment and a point a little off its middle.
    let (seg, k) = net
        .road_segments()
        .flat_map(|s| (0..s.points.len() - 1).map(move |k| (s.clone(), k)))
        .max_by(|a, b| {
            let la = haversine_m(a.0.points[a.1], a.0.points[a.1 + 1]);
            let lb = haversine_m(b.0.points[b.1], b.0.points[b.1 + 1]);
            la.total_cmp(&lb)
        })
        .unwrap();
    let (a, b) = (seg.points[k], seg.points[k + 1]);
    let len = haversine_m(a, b);
    assert!(len > 100.0);
    let mid = [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0];
    let s = net
        .snap("pupil-1", mid[0] + 0.00005, mid[1], 300.0)
        .unwrap();
    assert!(s.distance_m < 10.0, "{s:?}");
    assert!(s.fraction > 0.2 && s.fraction < 0.8, "{s:?}");
    let node_dist = haversine_m(mid, a).min(haversine_m(mid, b));
    assert!(node_dist > 40.0);
    assert!(haversine_m([s.snapped_lat, s.snapped_lon], mid) < 10.0);
}

#[test]
fn too_far_and_invalid_points_are_errors_naming_the_point() {
    let (net, _) = mixed();
    // Hyde Park is outside the mixed extract's road network.
    let e = net.snap("pupil-42", 51.0, -0.15, 300.0).unwrap_err();
    match &e {
        RoadsError::SnapTooFar {
            label, distance_m, ..
        } => {
            assert_eq!(label, "pupil-42");
            assert!(*distance_m > 10_000.0);
        }
        other => panic!("{other:?}"),
    }
    let msg = e.to_string();
    assert!(msg.contains("pupil-42") && msg.contains("300 m"), "{msg}");
    let e = net.snap("school-7", f64::NAN, -0.13, 300.0).unwrap_err();
    assert!(matches!(e, RoadsError::InvalidCoordinate { .. }));
    assert!(e.to_string().contains("school-7"), "{e}");
    let all = net.snap_all(&[("a", 51.52, -0.13), ("b", 51.0, -0.13), ("c", 52.0, 0.0)]);
    assert!(all.unwrap_err().to_string().contains("point b"));
}

#[test]
fn boroughs_locate_points_with_nearest_fallback() {
    let b =
        Boroughs::from_geojson(repo("data/boundaries/london_boroughs_gla_wgs84.geojson")).unwrap();
    assert_eq!(b.iter().count(), 33);
    // British Museum.
    assert_eq!(b.locate(51.5194, -0.1270).unwrap().name, "Camden");
    // Houses of Parliament.
    let w = b.locate(51.4995, -0.1248).unwrap();
    assert_eq!(w.name, "Westminster");
    assert!(w.gss.starts_with("E09"));
    // Bank of England: the City.
    assert_eq!(b.locate(51.5142, -0.0885).unwrap().name, "City of London");
    // In the Thames (outside every polygon): the nearest bank's borough.
    for (lat, lon, banks) in [
        (51.5076, -0.1160, ["Westminster", "Lambeth"]),
        (51.5085, -0.0990, ["City of London", "Southwark"]),
    ] {
        assert!(b.containing(lat, lon).is_none());
        let name = &b.locate(lat, lon).unwrap().name;
        assert!(banks.contains(&name.as_str()), "{name}");
    }
    // Outside every polygon (Brighton) the nearest borough is still given.
    assert!(b.containing(50.82, -0.14).is_none());
    assert!(b.locate(50.82, -0.14).is_some());
    assert!(b.locate(f64::NAN, 0.0).is_none());
}
