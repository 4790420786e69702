//! Building networks from the bundled PBF files.

mod common;

use common::{camden, mixed};
use senroute_roads::{geo_util::haversine_m, RoadClass};

#[test]
fn mixed_file_builds_a_compressed_connected_graph() {
    let (net, r) = mixed();
    assert_eq!(r.osm_nodes_read, 38_878);
    assert_eq!(r.osm_relations_read, 0);
    assert!(r.car_ways > 9_000, "{r:?}");
    // UK data: almost all maxspeeds are in mph.
    assert!(r.maxspeed.mph > 9_000, "{:?}", r.maxspeed);
    // Compression: far fewer graph nodes than OSM road nodes.
    assert!(r.graph_nodes * 3 < r.osm_road_nodes, "{r:?}");
    // The SCC filter dropped something, but little.
    assert!(r.graph_nodes_dropped_scc > 0);
    assert!(r.graph_nodes_dropped_scc * 10 < r.graph_nodes_before_scc);
    assert_eq!(r.graph_nodes, net.node_count());
    assert_eq!(
        r.graph_nodes + r.graph_nodes_dropped_scc,
        r.graph_nodes_before_scc
    );
    assert!(r.ch_shortcuts > 0);
    // No service roads in this file.
    assert!(net.road_segments().all(|s| s.class != RoadClass::Service));
    // The bounding box is central London.
    let b = net.bbox();
    assert!(
        b[0] > 51.4 && b[2] < 51.6 && b[1] > -0.3 && b[3] < 0.0,
        "{b:?}"
    );
}

#[test]
fn camden_file_keeps_service_roads_and_reads_restrictions() {
    let (net, r) = camden();
    assert!(
        r.osm_road_nodes > 15_000 && r.osm_road_nodes < 25_000,
        "{r:?}"
    );
    assert!(
        r.ways_dropped_access > 0,
        "private/no-access ways are dropped"
    );
    assert!(r.restriction_relations > 100);
    assert!(r.restrictions_via_node > 100);
    assert!(net.road_segments().any(|s| s.class == RoadClass::Service));
    assert!(net.road_segments().any(|s| s.oneway));
}

#[test]
fn road_geometry_is_kept_through_compression() {
    let (net, r) = mixed();
    let points: usize = net.road_segments().map(|s| s.points.len()).sum();
    // Every kept OSM road node appears in some polyline (junctions repeat).
    assert!(points >= r.osm_road_nodes - r.osm_nodes_dropped_scc);
    // Consecutive points are OSM nodes, so segments are short.
    let longest = net
        .road_segments()
        .flat_map(|s| s.points.windows(2).map(|w| haversine_m(w[0], w[1])))
        .fold(0.0, f64::max);
    assert!(longest < 2_000.0, "{longest}");
}

#[test]
fn camden_turn_restrictions_only_ever_lengthen_routes() {
    use senroute_roads::{RoadNetwork, SpeedProfile};
    let (net, r) = camden();
    assert!(r.restrictions.applied > 100, "{:?}", r.restrictions);
    assert!(r.restrictions.nodes_split > 50);
    let free_profile = SpeedProfile {
        turn_restrictions: false,
        ..SpeedProfile::default()
    };
    let (free, fr) = RoadNetwork::from_pbf(common::repo(common::CAMDEN), &free_profile).unwrap();
    assert_eq!(fr.restrictions.applied, 0);
    let a = common::random_snaps(net, 60, 1234);
    let b: Vec<_> = a
        .iter()
        .map(|s| free.snap(&s.label, s.lat, s.lon, 300.0).unwrap())
        .collect();
    let (ma, mb) = (net.matrix(&a), free.matrix(&b));
    let (mut longer, mut compared) = (0, 0);
    for i in 0..a.len() {
        for j in 0..a.len() {
            // The two networks project around slightly different centres, so
            // the same snapped position agrees to rounding only.
            let same = |k: usize| {
                (a[k].snapped_lat - b[k].snapped_lat).abs() < 1e-7
                    && (a[k].snapped_lon - b[k].snapped_lon).abs() < 1e-7
            };
            if !(same(i) && same(j)) {
                continue;
            }
            compared += 1;
            assert!(ma.duration(i, j) >= mb.duration(i, j) - 0.5, "{i}->{j}");
            if ma.duration(i, j) > mb.duration(i, j) + 5.0 {
                longer += 1;
            }
        }
    }
    assert!(compared > 3000, "{compared}");
    assert!(longer > 0, "some routes must avoid a banned turn");
}

#[test]
fn westminster_2024_file_builds_and_snaps_parliament_square() {
    use senroute_roads::{RoadNetwork, SpeedProfile};
    let path = common::repo("data/osm/london_westminster_city_drive_2024.osm.pbf");
    let (net, r) = RoadNetwork::from_pbf(path, &SpeedProfile::default()).unwrap();
    assert!(
        r.graph_nodes > 3_000 && r.graph_nodes < r.osm_road_nodes,
        "{r:?}"
    );
    assert!(r.maxspeed.mph > r.maxspeed.untagged, "{:?}", r.maxspeed);
    assert!(r.graph_nodes_dropped_scc < r.graph_nodes / 10);
    let s = net.snap("parliament-sq", 51.5006, -0.1276, 300.0).unwrap();
    assert!(s.distance_m < 60.0, "{s:?}");
}
