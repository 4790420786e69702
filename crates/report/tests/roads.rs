//! Outputs of a plan scheduled over the bundled Camden/Westminster/City road
//! network: lines follow the roads and the map draws them.

mod common;

use common::{problem, repo, MIXED};
use geojson::{GeoJson, GeometryValue};
use resvg::tiny_skia::Pixmap;
use senroute_model::{LocationKey, Plan, Problem};
use senroute_report::*;
use senroute_roads::{RoadNetwork, Snap, SpeedProfile};
use std::sync::OnceLock;

fn network() -> &'static RoadNetwork {
    static N: OnceLock<RoadNetwork> = OnceLock::new();
    N.get_or_init(|| {
        RoadNetwork::from_pbf(repo(MIXED), &SpeedProfile::default())
            .expect("bundled network builds")
            .0
    })
}

/// The problem, its locations' snaps and a plan timed along the roads.
fn fixture() -> (Problem, Vec<LocationKey>, Vec<Snap>, Plan) {
    let p = problem();
    let net = network();
    let (keys, snaps): (Vec<LocationKey>, Vec<Snap>) = p
        .locations()
        .into_iter()
        .map(|(k, l)| {
            let s = net
                .snap(&k.to_string(), l.lat, l.lon, 500.0)
                .expect("snaps");
            (k, s)
        })
        .unzip();
    let snap_of = |k: &LocationKey| &snaps[keys.iter().position(|x| x == k).unwrap()];
    let plan = common::plan(&p, &|a, b| {
        net.route(snap_of(a), snap_of(b)).expect("reachable")
    });
    (p, keys, snaps, plan)
}

#[test]
fn run_lines_follow_the_roads() {
    let (p, keys, snaps, plan) = fixture();
    let g = Geometry::roads(network(), &keys, &snaps);
    let fc = match routes_geojson(&plan, &g)
        .to_string()
        .parse::<GeoJson>()
        .unwrap()
    {
        GeoJson::FeatureCollection(fc) => fc,
        other => panic!("{other:?}"),
    };
    let lines: Vec<&Vec<geojson::Position>> = fc
        .features
        .iter()
        .filter_map(|f| match f.geometry.as_ref().map(|g| &g.value) {
            Some(GeometryValue::LineString { coordinates }) => Some(coordinates),
            _ => None,
        })
        .collect();
    assert_eq!(lines.len(), plan.routes.len());
    let points = fc
        .features
        .iter()
        .filter(|f| {
            matches!(
                f.geometry.as_ref().map(|g| &g.value),
                Some(GeometryValue::Point { .. })
            )
        })
        .count();
    assert_eq!(
        points,
        plan.routes.iter().map(|r| r.stops.len()).sum::<usize>()
    );
    for (coords, route) in lines.iter().zip(&plan.routes) {
        assert!(
            coords.len() > 2 * route.stops.len(),
            "{} vertices for {} stops: the line should follow the streets",
            coords.len(),
            route.stops.len()
        );
        // It starts and ends at the depot and passes through every stop.
        let depot = &route.stops[0].location;
        assert_eq!(coords[0].as_slice(), [depot.lon, depot.lat]);
        assert_eq!(coords.last().unwrap().as_slice(), [depot.lon, depot.lat]);
        for s in &route.stops {
            assert!(coords
                .iter()
                .any(|c| c.as_slice() == [s.location.lon, s.location.lat]));
        }
        // Its length is close to the routed distance (plus the connectors
        // from homes to their roads): it is the same path.
        let len: f64 = coords
            .windows(2)
            .map(|w| {
                senroute_model::Location::new(w[0][1], w[0][0])
                    .haversine_m(&senroute_model::Location::new(w[1][1], w[1][0]))
            })
            .sum();
        let connectors: f64 = route
            .stops
            .iter()
            .map(|s| {
                2.0 * snaps[keys.iter().position(|k| k == &s.location_key).unwrap()].distance_m
            })
            .sum();
        assert!(
            len >= route.distance_m * 0.97 && len <= (route.distance_m + connectors) * 1.03,
            "drawn {len:.0} m vs routed {:.0} m",
            route.distance_m
        );
    }
    let _ = p;
}

#[test]
fn road_map_outputs() {
    let (p, keys, snaps, plan) = fixture();
    let g = Geometry::roads(network(), &keys, &snaps);
    let svg = map_svg(&p, &plan, &g, &MapOptions::default());
    // Roads are drawn (major ones wider), and clipped: no coordinate far off
    // the 1000 × 750 canvas.
    assert!(svg.contains(r##"stroke="#c2c2c2" stroke-width="3.4""##));
    assert!(svg.contains(r##"stroke="#d6d6d6" stroke-width="0.9""##));
    let roads_group = svg.split("<g fill=\"none\"").nth(1).unwrap();
    for chunk in roads_group.split("<path stroke=\"#").skip(1) {
        let d = chunk
            .split(" d=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        for num in d.split(['M', 'L', ' ']).filter(|s| !s.is_empty()) {
            let v: f64 = num.parse().unwrap();
            assert!(
                (-5.0..=1005.0).contains(&v),
                "{v} outside the view: {}",
                &chunk[..40]
            );
        }
    }
    assert!(svg.len() < 3_000_000, "map is {} bytes", svg.len());

    let dir = std::env::temp_dir().join(format!("senroute-report-{}-roads", std::process::id()));
    let paths = write_outputs(&dir, &p, &plan, &g).unwrap();
    let html = std::fs::read_to_string(&paths.report_html).unwrap();
    assert!(html.contains("<svg") && !html.contains("http"));
    let png = Pixmap::decode_png(&std::fs::read(&paths.map_png).unwrap()).unwrap();
    assert_eq!((png.width(), png.height()), (2000, 1500));
    let roads = png
        .pixels()
        .iter()
        .filter(|c| {
            let c = c.demultiply();
            c.red() == c.green() && c.green() == c.blue() && (0xc0..=0xe4).contains(&c.red())
        })
        .count();
    assert!(roads > 20_000, "grey road pixels: {roads}");
    if let Ok(keep) = std::env::var("SENROUTE_REPORT_KEEP") {
        let problem_json = serde_json::to_string_pretty(&p).unwrap();
        std::fs::write(
            std::path::Path::new(&keep).join("problem.json"),
            problem_json,
        )
        .unwrap();
        for path in paths.all() {
            std::fs::copy(
                path,
                std::path::Path::new(&keep).join(path.file_name().unwrap()),
            )
            .unwrap();
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn locations_without_a_snap_fall_back_to_straight_legs() {
    let (_, keys, snaps, plan) = fixture();
    let none = Geometry::Roads {
        network: network(),
        snaps: Default::default(),
    };
    let straight = Geometry::Straight;
    let r = &plan.routes[0];
    assert_eq!(none.route_line(r), straight.route_line(r));
    assert_eq!(none.route_line(r).len(), r.stops.len());
    let roads = Geometry::roads(network(), &keys, &snaps);
    assert!(roads.route_line(r).len() > r.stops.len());
    // A leg between two stops at one place is a single point.
    assert_eq!(roads.leg(&r.stops[0], &r.stops[0]).len(), 1);
}

/// The road layer of a map: its first group.
fn road_layer(svg: &str) -> &str {
    let start = svg.find("<g fill=\"none\"").unwrap();
    &svg[start..start + svg[start..].find("</g>").unwrap()]
}

#[test]
fn maps_for_side_by_side_comparison_share_one_view() {
    let (p, keys, snaps, plan) = fixture();
    let g = Geometry::roads(network(), &keys, &snaps);
    let mut only_taxi = plan.clone();
    only_taxi.routes = vec![plan.routes[1].clone()];
    only_taxi.rides.clear();
    only_taxi.unassigned.clear();
    let (a, b) = (
        view_bbox(&p, &plan, &g).unwrap(),
        view_bbox(&p, &only_taxi, &g).unwrap(),
    );
    let both = union_bbox(a, b);
    assert_eq!(both, union_bbox(b, a));
    let shared = MapOptions {
        view: Some(both),
        ..MapOptions::default()
    };
    let (left, right) = (
        map_svg(&p, &plan, &g, &shared),
        map_svg(&p, &only_taxi, &g, &shared),
    );
    assert_eq!(
        road_layer(&left),
        road_layer(&right),
        "same roads, same place"
    );
    assert!(left.contains(route_colour(1)) && right.contains(route_colour(0)));
    // An embedding page can hold both: the SVGs declare no ids.
    assert!(!left.contains(" id=\"") && !right.contains(" id=\""));

    // A London-wide view keeps the main roads and drops the side streets.
    let london = MapOptions {
        view: Some([51.28, -0.51, 51.69, 0.33]),
        ..MapOptions::default()
    };
    let wide = map_svg(&p, &plan, &g, &london);
    assert!(wide.contains(r##"stroke="#c2c2c2""##), "main roads drawn");
    assert!(
        !wide.contains(r##"stroke="#d6d6d6""##),
        "no residential streets"
    );
    assert!(!wide.contains(r##"stroke="#e2e2e2""##), "no service roads");
    assert!(wide.len() < left.len());
}
