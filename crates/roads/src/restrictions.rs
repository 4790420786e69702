//! Turn restrictions by node splitting.
//!
//! At a via node `X` with restricted turns, the in-edges are grouped by the
//! set of out-edges they may continue on; each group gets its own copy of
//! `X` (the first keeps `X`), and every copy gets copies of exactly the
//! out-edges allowed to its group. Ordinary node-based shortest paths on the
//! split graph then honour the restrictions, so Dijkstra, the contraction
//! hierarchy and the bucket matrix need no turn logic at all.
//!
//! Handled: `type=restriction` relations with one `from` way, one `via`
//! node and one `to` way, `no_*` and `only_*`, for motorcars
//! (`restriction:motorcar` wins over `restriction`, `except=motorcar` skips).
//! A `from` (or `to`) way that runs *through* the via node, which the
//! OSM rules do not allow but the data has, matches the approaches (exits)
//! on both sides; for `no_*` with `from` = `to` (typically `no_u_turn`) only
//! the turn back along the road arrived on is removed.
//!
//! Not handled (counted in [`RestrictionStats`]): via *ways* (a few percent
//! of London's restrictions; they need edge chains, not node splits),
//! conditional restrictions (`restriction:conditional`, time-dependent),
//! relations whose ways do not meet at the via node in the extract, and via
//! nodes carrying a self-loop road. An `only_*` restriction that would leave
//! an approach with no exit at all (e.g. its `to` way is not drivable) is
//! ignored for that approach rather than creating a dead end.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::build::{LEdge, Road};
use crate::osm::Restriction;

/// What happened to the via-node turn restrictions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RestrictionStats {
    /// Restrictions applied (their `from` and `to` ways meet at the via node).
    pub applied: usize,
    /// Restrictions whose via node or ways are not in the car network.
    pub unmatched: usize,
    /// `only_*` approaches left unrestricted because no exit would remain.
    pub ignored_no_exit: usize,
    /// Via nodes split.
    pub nodes_split: usize,
    /// Node copies added.
    pub copies_added: usize,
    /// (approach, exit) turns removed.
    pub turns_removed: usize,
}

struct Lists {
    ins: Vec<usize>,
    outs: Vec<usize>,
}

/// Splits via nodes so that restricted turns disappear from `edges`.
/// New nodes are appended to `coords` (copies of the via node's position).
pub(crate) fn split_nodes(
    edges: &mut Vec<LEdge>,
    coords: &mut Vec<[f64; 2]>,
    roads: &[Road],
    restrictions: &[Restriction],
    local: &HashMap<i64, u32>,
) -> RestrictionStats {
    let mut st = RestrictionStats::default();
    let mut by_via: HashMap<u32, Vec<&Restriction>> = HashMap::new();
    for r in restrictions {
        match local.get(&r.via_node) {
            Some(&x) => by_via.entry(x).or_default().push(r),
            None => st.unmatched += 1,
        }
    }
    if by_via.is_empty() {
        return st;
    }
    let mut lists: HashMap<u32, Lists> = by_via
        .keys()
        .map(|&x| {
            (
                x,
                Lists {
                    ins: Vec::new(),
                    outs: Vec::new(),
                },
            )
        })
        .collect();
    for (i, e) in edges.iter().enumerate() {
        if let Some(l) = lists.get_mut(&e.to) {
            l.ins.push(i);
        }
        if let Some(l) = lists.get_mut(&e.from) {
            l.outs.push(i);
        }
    }
    let arrive_way = |e: &LEdge| {
        let r = &roads[e.road as usize];
        if e.forward {
            r.way_last
        } else {
            r.way_first
        }
    };
    let leave_way = |e: &LEdge| {
        let r = &roads[e.road as usize];
        if e.forward {
            r.way_first
        } else {
            r.way_last
        }
    };
    let mut deleted = vec![false; edges.len()];
    let mut vias: Vec<u32> = by_via.keys().copied().collect();
    vias.sort_unstable();
    for x in vias {
        let rs = &by_via[&x];
        let l = &lists[&x];
        let ins: Vec<usize> = l.ins.iter().copied().filter(|&i| !deleted[i]).collect();
        let outs: Vec<usize> = l.outs.iter().copied().filter(|&i| !deleted[i]).collect();
        if ins.iter().any(|&i| edges[i].from == x) {
            st.unmatched += rs.len();
            continue;
        }
        let mut allowed = vec![vec![true; outs.len()]; ins.len()];
        for r in rs {
            let ai: Vec<usize> = (0..ins.len())
                .filter(|&k| arrive_way(&edges[ins[k]]) == r.from_way)
                .collect();
            let ok_to = outs.iter().any(|&o| leave_way(&edges[o]) == r.to_way);
            if ai.is_empty() || !ok_to {
                st.unmatched += 1;
                continue;
            }
            st.applied += 1;
            for &k in &ai {
                let arrived_on = edges[ins[k]].road;
                for (m, &o) in outs.iter().enumerate() {
                    let mut to_matches = leave_way(&edges[o]) == r.to_way;
                    // `no_u_turn` and the like (from = to): when the way runs
                    // through the via node, only going back the same road is
                    // the banned turn, not carrying straight on.
                    if r.from_way == r.to_way && !r.only {
                        to_matches &= edges[o].road == arrived_on;
                    }
                    if to_matches != r.only {
                        allowed[k][m] = false;
                    }
                }
            }
        }
        for row in allowed.iter_mut() {
            if !row.iter().any(|a| *a) {
                st.ignored_no_exit += 1;
                row.iter_mut().for_each(|a| *a = true);
            }
        }
        let removed: usize = allowed.iter().flatten().filter(|a| !**a).count();
        if removed == 0 {
            continue;
        }
        st.turns_removed += removed;
        st.nodes_split += 1;
        // Group approaches by their allowed exits.
        let mut groups: Vec<(Vec<bool>, Vec<usize>)> = Vec::new();
        for (k, row) in allowed.into_iter().enumerate() {
            match groups.iter_mut().find(|g| g.0 == row) {
                Some(g) => g.1.push(ins[k]),
                None => groups.push((row, vec![ins[k]])),
            }
        }
        for (gi, (row, members)) in groups.iter().enumerate() {
            let node = if gi == 0 {
                x
            } else {
                coords.push(coords[x as usize]);
                st.copies_added += 1;
                (coords.len() - 1) as u32
            };
            for &i in members {
                edges[i].to = node;
            }
            for (m, &o) in outs.iter().enumerate() {
                if gi == 0 {
                    if !row[m] {
                        deleted[o] = true;
                    }
                } else if row[m] {
                    let copy = LEdge {
                        from: node,
                        ..edges[o]
                    };
                    edges.push(copy);
                    deleted.push(false);
                    // A copy arriving at a via node not yet processed is one of its approaches.
                    if let Some(l) = lists.get_mut(&copy.to) {
                        l.ins.push(edges.len() - 1);
                    }
                }
            }
        }
    }
    let mut k = 0;
    edges.retain(|_| {
        k += 1;
        !deleted[k - 1]
    });
    st
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use crate::geo_util::haversine_m;
    use crate::osm::{CarWay, Restriction};
    use crate::{BuildReport, RoadClass, RoadNetwork, SpeedProfile};

    const X: [f64; 2] = [51.5, -0.1];
    const W: [f64; 2] = [51.5, -0.1029];
    const E: [f64; 2] = [51.5, -0.0971];
    const S: [f64; 2] = [51.4982, -0.1];
    const N: [f64; 2] = [51.5018, -0.1];

    /// A two-way residential way through OSM nodes `nodes` (1 = X, 2 = W,
    /// 3 = E, 4 = S, 5 = N).
    fn way(id: i64, nodes: Vec<i64>) -> CarWay {
        CarWay {
            id,
            class: RoadClass::Residential,
            nodes,
            fwd: true,
            bwd: true,
            speed_kmh: 16.0,
        }
    }

    /// The network of `ways` over the five junction nodes.
    fn network(ways: &[CarWay], restrictions: &[Restriction]) -> (RoadNetwork, BuildReport) {
        let e7 = |p: [f64; 2]| ((p[0] * 1e7).round() as i32, (p[1] * 1e7).round() as i32);
        let coords: HashMap<i64, (i32, i32)> = [(1, X), (2, W), (3, E), (4, S), (5, N)]
            .into_iter()
            .map(|(id, p)| (id, e7(p)))
            .collect();
        let mut report = BuildReport::default();
        let net = RoadNetwork::from_ways(
            ways,
            &coords,
            restrictions,
            &SpeedProfile::default(),
            &mut report,
        );
        (net, report)
    }

    /// A plus-shaped junction: four two-way arms (ways 1 W–X, 2 X–E, 3 S–X, 4 X–N).
    fn cross(restrictions: &[Restriction]) -> (RoadNetwork, BuildReport) {
        let ways = [
            way(1, vec![2, 1]),
            way(2, vec![1, 3]),
            way(3, vec![4, 1]),
            way(4, vec![1, 5]),
        ];
        network(&ways, restrictions)
    }

    fn dist(net: &RoadNetwork, a: [f64; 2], b: [f64; 2]) -> f64 {
        let s = net.snap("a", a[0], a[1], 50.0).unwrap();
        let t = net.snap("b", b[0], b[1], 50.0).unwrap();
        let m = net.matrix(&[s.clone(), t.clone()]);
        assert_eq!(m, net.matrix_dijkstra(&[s.clone(), t.clone()], &[s, t]));
        m.distance(0, 1)
    }

    const NEAR_W: [f64; 2] = [51.5, -0.1025];
    const NEAR_N: [f64; 2] = [51.5015, -0.1];
    const NEAR_S: [f64; 2] = [51.4985, -0.1];

    #[test]
    fn no_left_turn_forces_a_detour_only_for_that_turn() {
        let (free, _) = cross(&[]);
        let r = Restriction {
            from_way: 1,
            via_node: 1,
            to_way: 4,
            only: false,
        };
        let (net, rep) = cross(&[r]);
        assert_eq!(rep.restrictions.applied, 1);
        assert_eq!(rep.restrictions.nodes_split, 1);
        // Turn round at the end of the shorter free arm (S, 200 m) and come back.
        let detour = 2.0 * haversine_m(X, E).min(haversine_m(X, S));
        let (d0, d1) = (dist(&free, NEAR_W, NEAR_N), dist(&net, NEAR_W, NEAR_N));
        assert!((d1 - d0 - detour).abs() < 1.0, "{d0} {d1} {detour}");
        // Other turns and the reverse direction are unaffected.
        assert_eq!(dist(&net, NEAR_W, NEAR_S), dist(&free, NEAR_W, NEAR_S));
        assert_eq!(dist(&net, NEAR_N, NEAR_W), dist(&free, NEAR_N, NEAR_W));
    }

    #[test]
    fn only_straight_on_forbids_the_other_exits() {
        let (free, _) = cross(&[]);
        let r = Restriction {
            from_way: 1,
            via_node: 1,
            to_way: 2,
            only: true,
        };
        let (net, rep) = cross(&[r]);
        assert_eq!(rep.restrictions.applied, 1);
        let detour = 2.0 * haversine_m(X, E);
        for target in [NEAR_N, NEAR_S] {
            let (d0, d1) = (dist(&free, NEAR_W, target), dist(&net, NEAR_W, target));
            assert!((d1 - d0 - detour).abs() < 1.0, "{d0} {d1}");
        }
        assert_eq!(dist(&net, NEAR_S, NEAR_N), dist(&free, NEAR_S, NEAR_N));
    }

    #[test]
    fn no_u_turn_on_a_through_way_only_bans_turning_back() {
        // Way 1 is W–X and way 2 is X–E; make a through way 5: W–X–E.
        let (free, _) = cross(&[]);
        let ways = [
            way(5, vec![2, 1, 3]),
            way(3, vec![4, 1]),
            way(4, vec![1, 5]),
        ];
        let r = Restriction {
            from_way: 5,
            via_node: 1,
            to_way: 5,
            only: false,
        };
        let (net, rep) = network(&ways, &[r]);
        assert_eq!(rep.restrictions.applied, 1);
        // Straight on through X is still allowed.
        let near_e = [51.5, -0.0975];
        assert_eq!(dist(&net, NEAR_W, near_e), dist(&free, NEAR_W, near_e));
        // Only the two turns back along the road arrived on (from the W side
        // and from the E side) are removed, not the straight-on ones.
        assert_eq!(rep.restrictions.turns_removed, 2, "{:?}", rep.restrictions);
        assert_eq!(dist(&net, NEAR_W, NEAR_N), dist(&free, NEAR_W, NEAR_N));
    }

    #[test]
    fn restrictions_on_unknown_ways_are_counted_not_applied() {
        let r = Restriction {
            from_way: 99,
            via_node: 1,
            to_way: 4,
            only: false,
        };
        let (_, rep) = cross(&[r]);
        assert_eq!(rep.restrictions.applied, 0);
        assert_eq!(rep.restrictions.unmatched, 1);
    }
}
