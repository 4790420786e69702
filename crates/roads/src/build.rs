//! From car ways to the compressed, strongly connected road graph.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::geo_util::haversine_m;
use crate::osm::{CarWay, Restriction};
use crate::profile::RoadClass;

/// A chain of OSM road segments between two junctions, drawn as a polyline.
///
/// Both directions share the geometry; `fwd`/`bwd` say which are drivable
/// relative to the point order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Road {
    pub class: RoadClass,
    /// First point (index into the network's point arrays).
    pub p0: u32,
    /// One past the last point.
    pub p1: u32,
    /// Build-time (local) node id at the first point; not a graph node id.
    pub a: u32,
    /// Build-time (local) node id at the last point; not a graph node id.
    pub b: u32,
    pub fwd: bool,
    pub bwd: bool,
    /// OSM way of the first and of the last segment (for turn restrictions).
    pub way_first: i64,
    pub way_last: i64,
}

/// A directed graph edge: one drivable direction of a road.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(crate) struct DirEdge {
    pub from: u32,
    pub to: u32,
    /// Packed weight, see [`crate::weight`].
    pub weight: u64,
    pub road: u32,
    /// `true` if the edge follows the road's point order.
    pub forward: bool,
}

/// The compressed, connected graph before the contraction hierarchy.
pub(crate) struct Graph {
    pub nodes: Vec<[f64; 2]>,
    pub roads: Vec<Road>,
    pub pts: Vec<[f64; 2]>,
    pub cum_len: Vec<f64>,
    pub cum_dur: Vec<f64>,
    pub edges: Vec<DirEdge>,
    pub stats: GraphStats,
}

/// Counts gathered while building the graph.
#[derive(Debug, Clone, Default)]
pub(crate) struct GraphStats {
    pub osm_road_nodes: usize,
    pub missing_node_refs: usize,
    pub segments: usize,
    pub nodes_before_scc: usize,
    pub edges_before_scc: usize,
    pub components: usize,
    pub nodes_dropped_scc: usize,
    pub osm_nodes_dropped_scc: usize,
    pub roads_dropped_scc: usize,
    pub restrictions: crate::restrictions::RestrictionStats,
}

struct Seg {
    a: u32,
    b: u32,
    fwd: bool,
    bwd: bool,
    class: RoadClass,
    speed_kmh: f64,
    way: i64,
}

impl Seg {
    fn other(&self, x: u32) -> u32 {
        if self.a == x {
            self.b
        } else {
            self.a
        }
    }
    fn enters(&self, x: u32) -> bool {
        if self.b == x {
            self.fwd
        } else {
            self.bwd
        }
    }
    fn leaves(&self, x: u32) -> bool {
        if self.a == x {
            self.fwd
        } else {
            self.bwd
        }
    }
}

/// Builds the compressed graph of the largest strongly connected component.
pub(crate) fn build_graph(
    ways: &[CarWay],
    coords: &HashMap<i64, (i32, i32)>,
    restrictions: &[Restriction],
) -> Graph {
    let mut stats = GraphStats::default();
    // Local numbering of the OSM nodes used by car ways.
    let mut local: HashMap<i64, u32> = HashMap::new();
    let mut lcoord: Vec<[f64; 2]> = Vec::new();
    let mut segs: Vec<Seg> = Vec::new();
    for w in ways {
        let mut prev: Option<u32> = None;
        for id in &w.nodes {
            let Some(&(lat, lon)) = coords.get(id) else {
                // A way running off the extract: split it here.
                stats.missing_node_refs += 1;
                prev = None;
                continue;
            };
            let l = *local.entry(*id).or_insert_with(|| {
                lcoord.push([f64::from(lat) * 1e-7, f64::from(lon) * 1e-7]);
                (lcoord.len() - 1) as u32
            });
            if let Some(p) = prev {
                if p != l {
                    segs.push(Seg {
                        a: p,
                        b: l,
                        fwd: w.fwd,
                        bwd: w.bwd,
                        class: w.class,
                        speed_kmh: w.speed_kmh,
                        way: w.id,
                    });
                }
            }
            prev = Some(l);
        }
    }
    stats.osm_road_nodes = lcoord.len();
    stats.segments = segs.len();
    let n = lcoord.len();
    // Node → incident segments (CSR).
    let mut deg = vec![0u32; n + 1];
    for s in &segs {
        deg[s.a as usize] += 1;
        deg[s.b as usize] += 1;
    }
    let mut first = vec![0u32; n + 1];
    for i in 0..n {
        first[i + 1] = first[i] + deg[i];
    }
    let mut fill = first.clone();
    let mut adj = vec![0u32; first[n] as usize];
    for (i, s) in segs.iter().enumerate() {
        for x in [s.a, s.b] {
            adj[fill[x as usize] as usize] = i as u32;
            fill[x as usize] += 1;
        }
    }
    let inc = |x: u32| &adj[first[x as usize] as usize..first[x as usize + 1] as usize];
    // Junctions: anything but a plain pass-through node.
    let mut junction = vec![false; n];
    for (x, j) in junction.iter_mut().enumerate() {
        let x = x as u32;
        let e = inc(x);
        *j = if e.len() != 2 {
            true
        } else {
            let (s1, s2) = (&segs[e[0] as usize], &segs[e[1] as usize]);
            !(s1.class == s2.class && s1.enters(x) == s2.leaves(x) && s1.leaves(x) == s2.enters(x))
        };
    }
    for r in restrictions {
        if let Some(&l) = local.get(&r.via_node) {
            junction[l as usize] = true;
        }
    }
    // Walk the chains.
    let mut visited = vec![false; segs.len()];
    let mut roads_local: Vec<(Road, Vec<u32>)> = Vec::new();
    let mut pts: Vec<[f64; 2]> = Vec::new();
    let mut cum_len: Vec<f64> = Vec::new();
    let mut cum_dur: Vec<f64> = Vec::new();
    let mut walk = |start: u32, s0: u32, visited: &mut Vec<bool>, junction: &[bool]| {
        let seg0 = &segs[s0 as usize];
        let fwd = seg0.leaves(start);
        let bwd = seg0.enters(start);
        let p0 = pts.len() as u32;
        let mut nodes = vec![start];
        pts.push(lcoord[start as usize]);
        cum_len.push(0.0);
        cum_dur.push(0.0);
        let (mut cur, mut s) = (start, s0);
        let (mut len, mut dur) = (0.0, 0.0);
        let way_first = seg0.way;
        let way_last;
        loop {
            visited[s as usize] = true;
            let seg = &segs[s as usize];
            let nxt = seg.other(cur);
            let l = haversine_m(lcoord[cur as usize], lcoord[nxt as usize]);
            len += l;
            dur += l / (seg.speed_kmh / 3.6);
            pts.push(lcoord[nxt as usize]);
            cum_len.push(len);
            cum_dur.push(dur);
            nodes.push(nxt);
            if junction[nxt as usize] {
                way_last = seg.way;
                break;
            }
            let e = inc(nxt);
            let ns = if e[0] == s { e[1] } else { e[0] };
            if visited[ns as usize] {
                way_last = seg.way;
                break;
            }
            cur = nxt;
            s = ns;
        }
        let end = *nodes.last().expect("a walk has points");
        roads_local.push((
            Road {
                class: seg0.class,
                p0,
                p1: pts.len() as u32,
                a: start,
                b: end,
                fwd,
                bwd,
                way_first,
                way_last,
            },
            nodes,
        ));
    };
    for x in 0..n as u32 {
        if junction[x as usize] {
            for &s in inc(x) {
                if !visited[s as usize] {
                    walk(x, s, &mut visited, &junction);
                }
            }
        }
    }
    // Isolated rings of pass-through nodes: cut each at one node.
    for s in 0..segs.len() {
        if !visited[s] {
            let a = segs[s].a;
            junction[a as usize] = true;
            walk(a, s as u32, &mut visited, &junction);
        }
    }

    // Directed edges over local node ids, one per drivable direction of a road.
    let road_list: Vec<Road> = roads_local.iter().map(|(r, _)| r.clone()).collect();
    let mut ledges: Vec<LEdge> = Vec::with_capacity(road_list.len() * 2);
    for (i, r) in road_list.iter().enumerate() {
        if r.fwd {
            ledges.push(LEdge {
                from: r.a,
                to: r.b,
                road: i as u32,
                forward: true,
            });
        }
        if r.bwd {
            ledges.push(LEdge {
                from: r.b,
                to: r.a,
                road: i as u32,
                forward: false,
            });
        }
    }
    let mut ncoord = lcoord.clone();
    stats.restrictions = crate::restrictions::split_nodes(
        &mut ledges,
        &mut ncoord,
        &road_list,
        restrictions,
        &local,
    );

    // Largest strongly connected component over the (possibly split) nodes.
    let mut gid: HashMap<u32, u32> = HashMap::new();
    for e in &ledges {
        for x in [e.from, e.to] {
            let len = gid.len() as u32;
            gid.entry(x).or_insert(len);
        }
    }
    stats.nodes_before_scc = gid.len();
    stats.edges_before_scc = ledges.len();
    let mut g = petgraph::graph::DiGraph::<(), ()>::with_capacity(gid.len(), ledges.len());
    for _ in 0..gid.len() {
        g.add_node(());
    }
    for e in &ledges {
        g.add_edge(gid[&e.from].into(), gid[&e.to].into(), ());
    }
    let sccs = petgraph::algo::kosaraju_scc(&g);
    stats.components = sccs.len();
    let mut keep = vec![false; gid.len()];
    if let Some(big) = sccs.iter().max_by_key(|c| c.len()) {
        for v in big {
            keep[v.index()] = true;
        }
    }
    drop(g);
    let kept_edges: Vec<&LEdge> = ledges
        .iter()
        .filter(|e| keep[gid[&e.from] as usize] && keep[gid[&e.to] as usize])
        .collect();
    // Renumber: roads with at least one kept edge, nodes by first appearance.
    let mut road_new = vec![u32::MAX; road_list.len()];
    let mut node_new: HashMap<u32, u32> = HashMap::new();
    let mut nodes: Vec<[f64; 2]> = Vec::new();
    let mut roads = Vec::new();
    let mut osm_kept = vec![false; n];
    let mut out_pts = Vec::with_capacity(pts.len());
    let mut out_len = Vec::with_capacity(pts.len());
    let mut out_dur = Vec::with_capacity(pts.len());
    let mut edges = Vec::with_capacity(kept_edges.len());
    for e in kept_edges {
        let ri = e.road as usize;
        if road_new[ri] == u32::MAX {
            road_new[ri] = roads.len() as u32;
            let (r, lnodes) = &roads_local[ri];
            for x in lnodes {
                osm_kept[*x as usize] = true;
            }
            let p0 = out_pts.len() as u32;
            let range = r.p0 as usize..r.p1 as usize;
            out_pts.extend_from_slice(&pts[range.clone()]);
            out_len.extend_from_slice(&cum_len[range.clone()]);
            out_dur.extend_from_slice(&cum_dur[range]);
            roads.push(Road {
                p0,
                p1: out_pts.len() as u32,
                ..r.clone()
            });
        }
        let mut id = |x: u32| {
            *node_new.entry(x).or_insert_with(|| {
                nodes.push(ncoord[x as usize]);
                (nodes.len() - 1) as u32
            })
        };
        let (from, to) = (id(e.from), id(e.to));
        let r = &roads[road_new[ri] as usize];
        let last = r.p1 as usize - 1;
        edges.push(DirEdge {
            from,
            to,
            weight: crate::weight::pack_secs_m(out_dur[last], out_len[last]),
            road: road_new[ri],
            forward: e.forward,
        });
    }
    stats.roads_dropped_scc = road_list.len() - roads.len();
    stats.nodes_dropped_scc = gid.len() - nodes.len();
    stats.osm_nodes_dropped_scc = osm_kept.iter().filter(|k| !**k).count();
    Graph {
        nodes,
        roads,
        pts: out_pts,
        cum_len: out_len,
        cum_dur: out_dur,
        edges,
        stats,
    }
}

/// A directed edge over local node ids, before renumbering.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LEdge {
    pub from: u32,
    pub to: u32,
    pub road: u32,
    pub forward: bool,
}
