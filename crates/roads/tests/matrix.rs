//! Contraction-hierarchy matrices against plain Dijkstra, and route geometry.

mod common;

use common::{camden, mixed, random_snaps, Rng};
use senroute_roads::{geo_util::haversine_m, RoadNetwork, Snap};

fn assert_same(net: &RoadNetwork, sources: &[Snap], targets: &[Snap]) {
    let ch = net.matrix_between(sources, targets);
    let dj = net.matrix_dijkstra(sources, targets);
    assert_eq!(ch.durations_s.len(), sources.len() * targets.len());
    for (i, s) in sources.iter().enumerate() {
        for (j, t) in targets.iter().enumerate() {
            assert_eq!(
                (ch.duration(i, j), ch.distance(i, j)),
                (dj.duration(i, j), dj.distance(i, j)),
                "pair {i} -> {j}: {s:?} -> {t:?}"
            );
        }
    }
}

#[test]
fn ch_matrix_equals_dijkstra_on_random_pairs_mixed() {
    let (net, _) = mixed();
    let s = random_snaps(net, 24, 7);
    let t = random_snaps(net, 25, 11);
    assert_same(net, &s, &t); // 600 pairs
}

#[test]
fn ch_matrix_equals_dijkstra_on_random_pairs_camden() {
    let (net, _) = camden();
    let s = random_snaps(net, 20, 3);
    let t = random_snaps(net, 20, 5);
    assert_same(net, &s, &t);
    // Square matrix: zero diagonal, all reachable in the main component.
    let m = net.matrix(&s);
    for i in 0..s.len() {
        assert_eq!(m.duration(i, i), 0.0);
    }
    assert!(m.durations_s.iter().all(|d| d.is_finite()));
}

/// Points on the same road, including one-way roads, both orders.
#[test]
fn same_road_pairs_are_exact_in_both_directions() {
    let (net, _) = mixed();
    let mut rng = Rng(99);
    let segs: Vec<_> = net
        .road_segments()
        .filter(|s| s.points.len() >= 3)
        .collect();
    let oneway = segs.iter().filter(|s| s.oneway).count();
    assert!(oneway > 10);
    let mut pts = Vec::new();
    let oneways = segs.iter().filter(|s| s.oneway).take(15);
    let twoways = segs.iter().filter(|s| !s.oneway).take(15);
    for (i, s) in oneways.chain(twoways).enumerate() {
        for k in 0..3 {
            let seg = (rng.next() % (s.points.len() as u64 - 1)) as usize;
            let t = rng.unit();
            let (a, b) = (s.points[seg], s.points[seg + 1]);
            let lat = a[0] + t * (b[0] - a[0]);
            let lon = a[1] + t * (b[1] - a[1]);
            pts.push(net.snap(&format!("r{i}k{k}"), lat, lon, 50.0).unwrap());
        }
    }
    assert_same(net, &pts, &pts);
    // Along one road: a two-way road is driven directly both ways; a one-way
    // road directly one way and with a detour the other way.
    let m = net.matrix(&pts);
    let roads: Vec<_> = net.road_segments().collect();
    let mut checked = (0, 0);
    for i in 0..pts.len() {
        for j in 0..pts.len() {
            let (a, b) = (&pts[i], &pts[j]);
            let road = &roads[a.road as usize];
            let is_loop = road.points.first() == road.points.last();
            if a.road != b.road || b.offset_m < a.offset_m + 1.0 || is_loop {
                continue;
            }
            let along = b.offset_m - a.offset_m;
            let (ab, ba) = (m.distance(i, j), m.distance(j, i));
            if road.oneway {
                assert!((ab.min(ba) - along).abs() < 0.05, "{ab} {ba} {along}");
                assert!(ab.max(ba) > along + 1.0, "{ab} {ba} {along}");
                checked.0 += 1;
            } else {
                assert!((ab - along).abs() < 0.05 && (ba - along).abs() < 0.05);
                checked.1 += 1;
            }
        }
    }
    assert!(checked.0 > 10 && checked.1 > 10, "{checked:?}");
}

#[test]
fn path_geometry_follows_roads_and_matches_the_distance() {
    let (net, _) = camden();
    let s = random_snaps(net, 12, 21);
    let m = net.matrix(&s);
    for i in 0..s.len() {
        for j in 0..s.len() {
            let g = net.path_geometry(&s[i], &s[j]);
            assert!(!g.is_empty());
            let first = g[0];
            let last = *g.last().unwrap();
            assert_eq!(first, (s[i].snapped_lat, s[i].snapped_lon));
            assert_eq!(last, (s[j].snapped_lat, s[j].snapped_lon));
            let len: f64 = g
                .windows(2)
                .map(|w| haversine_m([w[0].0, w[0].1], [w[1].0, w[1].1]))
                .sum();
            let d = m.distance(i, j);
            assert!(
                (len - d).abs() <= 0.01 * d + 2.0,
                "{i}->{j}: polyline {len} m, matrix {d} m"
            );
            let (secs, metres) = net.route(&s[i], &s[j]).unwrap();
            assert_eq!((secs, metres), (m.duration(i, j), d));
        }
    }
}

/// The planner's matrix: dense below `COMPACT_FROM` points, compact above,
/// where each entry is the full-precision one rounded to a whole second
/// and ten metres.
#[test]
fn travel_matrix_is_dense_when_small_and_rounded_when_large() {
    let (net, _) = mixed();
    let small = random_snaps(net, 30, 21);
    let dense = net.travel_matrix(&small);
    assert!(!dense.is_compact());
    let exact = net.matrix(&small);
    for i in 0..small.len() {
        for j in 0..small.len() {
            assert_eq!(dense.duration(i, j), exact.duration(i, j));
            assert_eq!(dense.distance(i, j), exact.distance(i, j));
        }
    }
    let n = senroute_roads::COMPACT_FROM + 50;
    let large = random_snaps(net, n, 22);
    let compact = net.travel_matrix(&large);
    assert!(compact.is_compact());
    assert_eq!(compact.bytes(), n * n * 4);
    // spot checks against the full-precision matrix of a few rows
    let rows: Vec<Snap> = large.iter().step_by(97).cloned().collect();
    let exact = net.matrix_between(&rows, &large);
    for (k, i) in (0..n).step_by(97).enumerate() {
        for j in 0..n {
            let (s, m) = (exact.duration(k, j), exact.distance(k, j));
            if s.is_finite() {
                assert_eq!(compact.duration(i, j), s.round(), "{i} -> {j}");
                assert_eq!(
                    compact.distance(i, j),
                    (m / 10.0).round() * 10.0,
                    "{i} -> {j}"
                );
            } else {
                assert!(compact.duration(i, j).is_infinite());
            }
        }
    }
}
