//! The prepared road network: building, snapping, matrices and geometry.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;
use rstar::{PointDistance, RTree, RTreeObject, AABB};
use serde::{Deserialize, Serialize};

use crate::build::{build_graph, DirEdge, Road};
use crate::ch::Ch;
use crate::geo_util::LocalProjection;
use crate::osm::{read_pbf, CarWay, MaxspeedStats, Restriction};
use crate::profile::RoadClass;
use crate::weight::{self, INF};
use crate::{RoadsError, SpeedProfile};

/// Default maximum distance (m) between a point and the road it is snapped to.
pub const DEFAULT_MAX_SNAP_M: f64 = 300.0;

/// What building a network from a PBF found and dropped.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BuildReport {
    /// The PBF file (or "synthetic" for generated graphs).
    pub source: String,
    /// OSM nodes, ways and relations decoded.
    pub osm_nodes_read: usize,
    /// OSM ways decoded (all kinds).
    pub osm_ways_read: usize,
    /// OSM relations decoded (all kinds).
    pub osm_relations_read: usize,
    /// Car-drivable ways kept.
    pub car_ways: usize,
    /// Ways of a car class dropped because of `access`/`motorcar`/... = no/private etc.
    pub ways_dropped_access: usize,
    /// Ways dropped because they are `oneway=reversible|alternating`.
    pub ways_dropped_reversible: usize,
    /// Node references of car ways missing from the file (ways split there).
    pub missing_node_refs: usize,
    /// How `maxspeed` values were understood.
    pub maxspeed: MaxspeedStats,
    /// Distinct OSM nodes on car ways.
    pub osm_road_nodes: usize,
    /// Graph nodes (junctions and dead ends) before keeping the largest component.
    pub graph_nodes_before_scc: usize,
    /// Directed edges before keeping the largest component.
    pub graph_edges_before_scc: usize,
    /// Number of strongly connected components found.
    pub components: usize,
    /// Graph nodes dropped because they lie outside the largest component.
    pub graph_nodes_dropped_scc: usize,
    /// OSM road nodes (incl. geometry points) dropped with those roads.
    pub osm_nodes_dropped_scc: usize,
    /// Compressed roads dropped with the small components.
    pub roads_dropped_scc: usize,
    /// Graph nodes of the final network.
    pub graph_nodes: usize,
    /// Directed edges of the final network.
    pub graph_edges: usize,
    /// Compressed roads (undirected polylines) of the final network.
    pub roads: usize,
    /// `type=restriction` relations read.
    pub restriction_relations: usize,
    /// Restrictions whose shape is not handled (via ways, several from/to,
    /// unknown kinds); see the README.
    pub restrictions_unsupported: usize,
    /// Via-node restrictions that were read (for cars).
    pub restrictions_via_node: usize,
    /// How the via-node restrictions were applied (node splitting).
    pub restrictions: crate::RestrictionStats,
    /// Shortcuts added by the contraction hierarchy.
    pub ch_shortcuts: usize,
    /// Seconds spent reading the PBF.
    pub read_seconds: f64,
    /// Seconds spent building the graph (filter, compress, SCC).
    pub graph_seconds: f64,
    /// Seconds spent on the contraction hierarchy.
    pub ch_seconds: f64,
    /// Seconds spent on the spatial index.
    pub index_seconds: f64,
}

/// A road segment in the spatial index, in local planar metres.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SegRef {
    a: [f64; 2],
    b: [f64; 2],
    road: u32,
    seg: u32,
}

impl SegRef {
    /// Closest point parameter `t` in [0, 1] and squared distance.
    fn project(&self, p: &[f64; 2]) -> (f64, f64) {
        let (dx, dy) = (self.b[0] - self.a[0], self.b[1] - self.a[1]);
        let l2 = dx * dx + dy * dy;
        let t = if l2 > 0.0 {
            (((p[0] - self.a[0]) * dx + (p[1] - self.a[1]) * dy) / l2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let (x, y) = (self.a[0] + t * dx, self.a[1] + t * dy);
        (t, (p[0] - x).powi(2) + (p[1] - y).powi(2))
    }
}

impl RTreeObject for SegRef {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        AABB::from_corners(self.a, self.b)
    }
}

impl PointDistance for SegRef {
    fn distance_2(&self, point: &[f64; 2]) -> f64 {
        self.project(point).1
    }
}

/// A point snapped onto the nearest road segment of the network.
///
/// A snap is only meaningful for the network that produced it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snap {
    /// The caller's label (pupil or school id, file row).
    pub label: String,
    /// The input latitude.
    pub lat: f64,
    /// The input longitude.
    pub lon: f64,
    /// Latitude of the snapped position on the road.
    pub snapped_lat: f64,
    /// Longitude of the snapped position on the road.
    pub snapped_lon: f64,
    /// Distance (m) from the input point to the snapped position.
    pub distance_m: f64,
    /// The road (compressed polyline) snapped to.
    pub road: u32,
    /// The segment of that road (0 = between its first two points).
    pub segment: u32,
    /// Position along the segment, 0 (its start) to 1 (its end).
    pub fraction: f64,
    /// Position along the whole road from its first point, metres.
    pub offset_m: f64,
    /// Packed weight from the road's first point to the snapped position.
    pos: u64,
}

/// A many-to-many travel matrix in full precision, row-major
/// (`[source * n_targets + target]`).
///
/// Unreachable pairs hold `f64::INFINITY` (serialised as `null` in JSON).
/// Within the largest strongly connected component every pair is reachable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Matrix {
    /// Number of sources (rows).
    pub n_sources: usize,
    /// Number of targets (columns).
    pub n_targets: usize,
    /// Fastest-path durations, seconds.
    pub durations_s: Vec<f64>,
    /// Lengths of those fastest paths, metres.
    pub distances_m: Vec<f64>,
}

impl Matrix {
    pub(crate) fn from_weights(n_sources: usize, n_targets: usize, w: &[u64]) -> Matrix {
        let conv = |f: fn(u64) -> f64| -> Vec<f64> {
            w.iter()
                .map(|&x| if x == INF { f64::INFINITY } else { f(x) })
                .collect()
        };
        Matrix {
            n_sources,
            n_targets,
            durations_s: conv(weight::secs),
            distances_m: conv(weight::metres),
        }
    }

    /// Duration (s) from source `i` to target `j`.
    pub fn duration(&self, i: usize, j: usize) -> f64 {
        self.durations_s[i * self.n_targets + j]
    }

    /// Distance (m) from source `i` to target `j`.
    pub fn distance(&self, i: usize, j: usize) -> f64 {
        self.distances_m[i * self.n_targets + j]
    }
}

/// A road piece for drawing: its class and `(lat, lon)` polyline.
#[derive(Debug, Clone, PartialEq)]
pub struct RoadSegment<'a> {
    /// The road class.
    pub class: RoadClass,
    /// Whether the road is one-way.
    pub oneway: bool,
    /// The polyline, `[lat, lon]` points in order.
    pub points: &'a [[f64; 2]],
}

/// The prepared, routable road network.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RoadNetwork {
    pub(crate) profile: SpeedProfile,
    pub(crate) nodes: Vec<[f64; 2]>,
    pub(crate) roads: Vec<Road>,
    pub(crate) pts: Vec<[f64; 2]>,
    pub(crate) cum_len: Vec<f64>,
    pub(crate) cum_dur: Vec<f64>,
    pub(crate) edges: Vec<DirEdge>,
    /// Road → its directed edges (CSR).
    pub(crate) road_first: Vec<u32>,
    pub(crate) road_edges: Vec<u32>,
    /// Node → outgoing edges (CSR), for plain Dijkstra.
    pub(crate) out_first: Vec<u32>,
    pub(crate) out_edges: Vec<u32>,
    pub(crate) ch: Ch,
    pub(crate) proj: LocalProjection,
    pub(crate) rtree: RTree<SegRef>,
    pub(crate) bbox: [f64; 4],
    pub(crate) report: BuildReport,
}

impl RoadNetwork {
    /// Reads a PBF and builds the network (filter, speeds, compression,
    /// largest SCC, contraction hierarchy, spatial index).
    pub fn from_pbf(
        path: impl AsRef<Path>,
        profile: &SpeedProfile,
    ) -> Result<(RoadNetwork, BuildReport), RoadsError> {
        let path = path.as_ref();
        profile.validate()?;
        let t = Instant::now();
        let d = read_pbf(path, profile)?;
        let read_seconds = t.elapsed().as_secs_f64();
        if d.ways.is_empty() {
            return Err(RoadsError::NoRoads {
                path: path.to_path_buf(),
                detail: format!(
                    "{} nodes, {} ways, {} relations decoded; {} car ways dropped for access",
                    d.nodes_read, d.ways_read, d.relations_read, d.ways_no_access
                ),
            });
        }
        let mut report = BuildReport {
            source: path.display().to_string(),
            osm_nodes_read: d.nodes_read,
            osm_ways_read: d.ways_read,
            osm_relations_read: d.relations_read,
            car_ways: d.ways.len(),
            ways_dropped_access: d.ways_no_access,
            ways_dropped_reversible: d.ways_reversible,
            maxspeed: d.maxspeed.clone(),
            restriction_relations: d.restriction_relations,
            restrictions_unsupported: d.restrictions_unsupported,
            restrictions_via_node: d.restrictions.len(),
            read_seconds,
            ..BuildReport::default()
        };
        let restrictions: &[Restriction] = if profile.turn_restrictions {
            &d.restrictions
        } else {
            &[]
        };
        let net = Self::from_ways(&d.ways, &d.coords, restrictions, profile, &mut report);
        if net.nodes.is_empty() {
            return Err(RoadsError::NoRoads {
                path: path.to_path_buf(),
                detail: "no strongly connected road component".into(),
            });
        }
        Ok((net, report))
    }

    /// Builds a network from already parsed ways; the same code path as
    /// [`RoadNetwork::from_pbf`] after reading (used for synthetic graphs).
    pub(crate) fn from_ways(
        ways: &[CarWay],
        coords: &HashMap<i64, (i32, i32)>,
        restrictions: &[Restriction],
        profile: &SpeedProfile,
        report: &mut BuildReport,
    ) -> RoadNetwork {
        let t = Instant::now();
        let g = build_graph(ways, coords, restrictions);
        let s = &g.stats;
        report.missing_node_refs = s.missing_node_refs;
        report.osm_road_nodes = s.osm_road_nodes;
        report.graph_nodes_before_scc = s.nodes_before_scc;
        report.graph_edges_before_scc = s.edges_before_scc;
        report.components = s.components;
        report.graph_nodes_dropped_scc = s.nodes_dropped_scc;
        report.osm_nodes_dropped_scc = s.osm_nodes_dropped_scc;
        report.roads_dropped_scc = s.roads_dropped_scc;
        report.restrictions = s.restrictions.clone();
        report.graph_nodes = g.nodes.len();
        report.graph_edges = g.edges.len();
        report.roads = g.roads.len();
        report.graph_seconds = t.elapsed().as_secs_f64();

        let t = Instant::now();
        let ch_edges: Vec<(u32, u32, u64)> =
            g.edges.iter().map(|e| (e.from, e.to, e.weight)).collect();
        let ch = Ch::build(g.nodes.len(), &ch_edges);
        report.ch_shortcuts = ch.shortcuts;
        report.ch_seconds = t.elapsed().as_secs_f64();

        let t = Instant::now();
        let mut bbox = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for p in &g.pts {
            bbox[0] = bbox[0].min(p[0]);
            bbox[1] = bbox[1].min(p[1]);
            bbox[2] = bbox[2].max(p[0]);
            bbox[3] = bbox[3].max(p[1]);
        }
        let proj = if g.pts.is_empty() {
            LocalProjection::new(0.0, 0.0)
        } else {
            LocalProjection::new((bbox[0] + bbox[2]) / 2.0, (bbox[1] + bbox[3]) / 2.0)
        };
        let mut segs = Vec::with_capacity(g.pts.len());
        for (ri, r) in g.roads.iter().enumerate() {
            for (si, i) in (r.p0..r.p1 - 1).enumerate() {
                segs.push(SegRef {
                    a: proj.to_xy(g.pts[i as usize]),
                    b: proj.to_xy(g.pts[i as usize + 1]),
                    road: ri as u32,
                    seg: si as u32,
                });
            }
        }
        let rtree = RTree::bulk_load(segs);
        let (road_first, road_edges) = csr(g.roads.len(), g.edges.iter().map(|e| e.road));
        let (out_first, out_edges) = csr(g.nodes.len(), g.edges.iter().map(|e| e.from));
        report.index_seconds = t.elapsed().as_secs_f64();
        RoadNetwork {
            profile: profile.clone(),
            nodes: g.nodes,
            roads: g.roads,
            pts: g.pts,
            cum_len: g.cum_len,
            cum_dur: g.cum_dur,
            edges: g.edges,
            road_first,
            road_edges,
            out_first,
            out_edges,
            ch,
            proj,
            rtree,
            bbox,
            report: report.clone(),
        }
    }

    /// The speed profile the network was built with.
    pub fn profile(&self) -> &SpeedProfile {
        &self.profile
    }

    /// The report of the build that produced the network.
    pub fn build_report(&self) -> &BuildReport {
        &self.report
    }

    /// Number of graph nodes (junctions and dead ends).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Number of directed edges.
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// Bounding box of the road geometry: `[min_lat, min_lon, max_lat, max_lon]`.
    pub fn bbox(&self) -> [f64; 4] {
        self.bbox
    }

    /// Iterates the roads for drawing a map: class, one-way flag and polyline.
    pub fn road_segments(&self) -> impl Iterator<Item = RoadSegment<'_>> {
        self.roads.iter().map(|r| RoadSegment {
            class: r.class,
            oneway: !(r.fwd && r.bwd),
            points: &self.pts[r.p0 as usize..r.p1 as usize],
        })
    }

    /// Snaps a point to the nearest road segment, if within `max_dist_m`.
    ///
    /// `label` names the point in errors (pupil or school id).
    pub fn snap(
        &self,
        label: &str,
        lat: f64,
        lon: f64,
        max_dist_m: f64,
    ) -> Result<Snap, RoadsError> {
        if !(lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0) {
            return Err(RoadsError::InvalidCoordinate {
                label: label.to_string(),
                lat,
                lon,
            });
        }
        let p = self.proj.to_xy([lat, lon]);
        let Some(seg) = self.rtree.nearest_neighbor(&p) else {
            return Err(RoadsError::SnapTooFar {
                label: label.to_string(),
                distance_m: f64::INFINITY,
                max_m: max_dist_m,
            });
        };
        let (t, d2) = seg.project(&p);
        let distance_m = d2.sqrt();
        if distance_m > max_dist_m {
            return Err(RoadsError::SnapTooFar {
                label: label.to_string(),
                distance_m,
                max_m: max_dist_m,
            });
        }
        let r = &self.roads[seg.road as usize];
        let i = (r.p0 + seg.seg) as usize;
        let (a, b) = (self.pts[i], self.pts[i + 1]);
        let lerp = |x: f64, y: f64| x + t * (y - x);
        let offset_m = lerp(self.cum_len[i], self.cum_len[i + 1]);
        let dur = lerp(self.cum_dur[i], self.cum_dur[i + 1]);
        Ok(Snap {
            label: label.to_string(),
            lat,
            lon,
            snapped_lat: lerp(a[0], b[0]),
            snapped_lon: lerp(a[1], b[1]),
            distance_m,
            road: seg.road,
            segment: seg.seg,
            fraction: t,
            offset_m,
            pos: weight::pack_secs_m(dur, offset_m),
        })
    }

    /// Snaps labelled points `(label, lat, lon)` with [`DEFAULT_MAX_SNAP_M`];
    /// the error of the first point (in input order) that fails is returned.
    pub fn snap_all<S: AsRef<str> + Sync>(
        &self,
        points: &[(S, f64, f64)],
    ) -> Result<Vec<Snap>, RoadsError> {
        self.snap_all_within(points, DEFAULT_MAX_SNAP_M)
    }

    /// As [`RoadNetwork::snap_all`] with an explicit maximum distance.
    pub fn snap_all_within<S: AsRef<str> + Sync>(
        &self,
        points: &[(S, f64, f64)],
        max_dist_m: f64,
    ) -> Result<Vec<Snap>, RoadsError> {
        let all: Vec<Result<Snap, RoadsError>> = points
            .par_iter()
            .map(|(l, lat, lon)| self.snap(l.as_ref(), *lat, *lon, max_dist_m))
            .collect();
        all.into_iter().collect()
    }

    fn road_total(&self, road: u32) -> u64 {
        let r = &self.roads[road as usize];
        let last = r.p1 as usize - 1;
        weight::pack_secs_m(self.cum_dur[last], self.cum_len[last])
    }

    fn edges_of(&self, road: u32) -> impl Iterator<Item = &DirEdge> {
        let (a, b) = (
            self.road_first[road as usize] as usize,
            self.road_first[road as usize + 1] as usize,
        );
        self.road_edges[a..b]
            .iter()
            .map(|&e| &self.edges[e as usize])
    }

    /// Where a search from `s` enters the graph: (node, weight to it).
    pub(crate) fn source_entries(&self, s: &Snap) -> Vec<(u32, u64)> {
        let total = self.road_total(s.road);
        let mut v: Vec<(u32, u64)> = self
            .edges_of(s.road)
            .map(|e| {
                let w = if e.forward { total - s.pos } else { s.pos };
                (e.to, w)
            })
            .collect();
        v.sort_unstable();
        v.dedup_by_key(|x| x.0);
        v
    }

    /// Where a search reaches `t` from: (node, weight from it to `t`).
    pub(crate) fn target_entries(&self, t: &Snap) -> Vec<(u32, u64)> {
        let total = self.road_total(t.road);
        let mut v: Vec<(u32, u64)> = self
            .edges_of(t.road)
            .map(|e| {
                let w = if e.forward { t.pos } else { total - t.pos };
                (e.from, w)
            })
            .collect();
        v.sort_unstable();
        v.dedup_by_key(|x| x.0);
        v
    }

    /// The weight of driving from `s` to `t` along their common road only.
    pub(crate) fn direct(&self, s: &Snap, t: &Snap) -> u64 {
        if s.road != t.road {
            return INF;
        }
        let r = &self.roads[s.road as usize];
        let ahead = (s.segment, s.fraction) <= (t.segment, t.fraction);
        let behind = (s.segment, s.fraction) >= (t.segment, t.fraction);
        if r.fwd && ahead {
            t.pos - s.pos
        } else if r.bwd && behind {
            s.pos - t.pos
        } else {
            INF
        }
    }

    /// Reference matrix by plain Dijkstra on the uncontracted graph (one
    /// search per source). Slow; for verification and small inputs.
    pub fn matrix_dijkstra(&self, sources: &[Snap], targets: &[Snap]) -> Matrix {
        let nt = targets.len();
        let tentries: Vec<Vec<(u32, u64)>> =
            targets.iter().map(|t| self.target_entries(t)).collect();
        let rows: Vec<Vec<u64>> = sources
            .par_iter()
            .map(|s| {
                let mut dist = vec![INF; self.nodes.len()];
                let mut heap = BinaryHeap::new();
                for (v, w) in self.source_entries(s) {
                    if w < dist[v as usize] {
                        dist[v as usize] = w;
                        heap.push(Reverse((w, v)));
                    }
                }
                while let Some(Reverse((d, v))) = heap.pop() {
                    if d > dist[v as usize] {
                        continue;
                    }
                    let (a, b) = (
                        self.out_first[v as usize] as usize,
                        self.out_first[v as usize + 1] as usize,
                    );
                    for &ei in &self.out_edges[a..b] {
                        let e = &self.edges[ei as usize];
                        let nd = d + e.weight;
                        if nd < dist[e.to as usize] {
                            dist[e.to as usize] = nd;
                            heap.push(Reverse((nd, e.to)));
                        }
                    }
                }
                (0..nt)
                    .map(|j| {
                        let via = tentries[j]
                            .iter()
                            .filter(|(v, _)| dist[*v as usize] != INF)
                            .map(|(v, w)| dist[*v as usize] + w)
                            .min()
                            .unwrap_or(INF);
                        via.min(self.direct(s, &targets[j]))
                    })
                    .collect()
            })
            .collect();
        let flat: Vec<u64> = rows.into_iter().flatten().collect();
        Matrix::from_weights(sources.len(), nt, &flat)
    }

    /// The fastest route from `from` to `to` as a `(lat, lon)` polyline
    /// following the roads, from the first snapped position to the second.
    /// Empty if `to` cannot be reached.
    pub fn path_geometry(&self, from: &Snap, to: &Snap) -> Vec<(f64, f64)> {
        let direct = self.direct(from, to);
        let via = self
            .ch
            .path(&self.source_entries(from), &self.target_entries(to));
        let mut pts: Vec<[f64; 2]> = Vec::new();
        match via {
            Some((w, first_node, last_node, ref edges)) if w < direct => {
                let r = &self.roads[from.road as usize];
                let k = r.p0 as usize + from.segment as usize;
                pts.push([from.snapped_lat, from.snapped_lon]);
                if self.leaves_forward(from, first_node) {
                    pts.extend_from_slice(&self.pts[k + 1..r.p1 as usize]);
                } else {
                    pts.extend(self.pts[r.p0 as usize..=k].iter().rev());
                }
                for &e in edges {
                    let e = &self.edges[e as usize];
                    let r = &self.roads[e.road as usize];
                    let seg = &self.pts[r.p0 as usize..r.p1 as usize];
                    if e.forward {
                        pts.extend(seg.iter().skip(1));
                    } else {
                        pts.extend(seg.iter().rev().skip(1));
                    }
                }
                let r = &self.roads[to.road as usize];
                let k = r.p0 as usize + to.segment as usize;
                if self.arrives_forward(to, last_node) {
                    pts.extend_from_slice(&self.pts[r.p0 as usize..=k]);
                } else {
                    pts.extend(self.pts[k + 1..r.p1 as usize].iter().rev());
                }
                pts.push([to.snapped_lat, to.snapped_lon]);
            }
            _ if direct != INF => {
                pts.push([from.snapped_lat, from.snapped_lon]);
                let r = &self.roads[from.road as usize];
                let (s, t) = (from.segment as usize, to.segment as usize);
                if s < t {
                    pts.extend_from_slice(&self.pts[r.p0 as usize + s + 1..=r.p0 as usize + t]);
                } else if t < s {
                    let part = &self.pts[r.p0 as usize + t + 1..=r.p0 as usize + s];
                    pts.extend(part.iter().rev());
                }
                pts.push([to.snapped_lat, to.snapped_lon]);
            }
            _ => return Vec::new(),
        }
        pts.dedup();
        pts.into_iter().map(|p| (p[0], p[1])).collect()
    }

    /// Whether the cheapest way from `s` to graph node `node` runs towards
    /// the end of `s`'s road (its point order).
    fn leaves_forward(&self, s: &Snap, node: u32) -> bool {
        let total = self.road_total(s.road);
        self.edges_of(s.road)
            .filter(|e| e.to == node)
            .min_by_key(|e| if e.forward { total - s.pos } else { s.pos })
            .is_none_or(|e| e.forward)
    }

    /// Whether the cheapest way from graph node `node` to `t` runs along
    /// `t`'s road in its point order.
    fn arrives_forward(&self, t: &Snap, node: u32) -> bool {
        let total = self.road_total(t.road);
        self.edges_of(t.road)
            .filter(|e| e.from == node)
            .min_by_key(|e| if e.forward { t.pos } else { total - t.pos })
            .is_none_or(|e| e.forward)
    }

    /// Duration (s) and distance (m) of the fastest route between two snaps
    /// by a point-to-point CH query; `None` if unreachable.
    pub fn route(&self, from: &Snap, to: &Snap) -> Option<(f64, f64)> {
        let direct = self.direct(from, to);
        let via = self
            .ch
            .path(&self.source_entries(from), &self.target_entries(to))
            .map(|p| p.0)
            .unwrap_or(INF);
        let w = via.min(direct);
        (w != INF).then(|| (weight::secs(w), weight::metres(w)))
    }
}

fn csr(n: usize, keys: impl Iterator<Item = u32> + Clone) -> (Vec<u32>, Vec<u32>) {
    let mut first = vec![0u32; n + 1];
    for k in keys.clone() {
        first[k as usize + 1] += 1;
    }
    for i in 0..n {
        first[i + 1] += first[i];
    }
    let mut fill = first.clone();
    let mut items = vec![0u32; first[n] as usize];
    for (i, k) in keys.enumerate() {
        items[fill[k as usize] as usize] = i as u32;
        fill[k as usize] += 1;
    }
    (first, items)
}
