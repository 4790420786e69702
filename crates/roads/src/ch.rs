//! Contraction hierarchy: preprocessing, bucket many-to-many and point-to-point queries.
//!
//! Nodes are contracted one by one in the order of a lazily updated priority
//! (edge difference + deleted neighbours + hierarchy depth); a shortcut
//! `u→x` replaces `u→v→x` unless a bounded witness search (settle limit)
//! finds a path at most as short that avoids `v`. All arrays of the finished
//! hierarchy are indexed by rank, so that upward searches touch memory in
//! rank order.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use serde::{Deserialize, Serialize};

use crate::weight::INF;

/// Sentinel in `rec_b` marking a record that is an original edge.
const ORIGINAL: u32 = u32::MAX;

/// A finished contraction hierarchy over a directed graph.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Ch {
    /// Graph node → rank (CH node id).
    pub rank: Vec<u32>,
    /// Rank → graph node.
    order: Vec<u32>,
    /// Upward edges `u→v` (rank v > rank u), CSR by `u`.
    up_first: Vec<u32>,
    up_to: Vec<u32>,
    up_w: Vec<u64>,
    up_rec: Vec<u32>,
    /// Downward edges `u→v` (rank u > rank v) stored at `v` with their tail `u`.
    dn_first: Vec<u32>,
    dn_from: Vec<u32>,
    dn_w: Vec<u64>,
    dn_rec: Vec<u32>,
    /// Edge records: an original edge (`rec_a` = graph edge id, `rec_b` =
    /// [`ORIGINAL`]) or a shortcut of two records.
    rec_a: Vec<u32>,
    rec_b: Vec<u32>,
    /// Number of shortcuts added.
    pub shortcuts: usize,
}

#[derive(Clone, Copy)]
struct CEdge {
    other: u32,
    w: u64,
    rec: u32,
}

struct Builder {
    out: Vec<Vec<CEdge>>,
    inn: Vec<Vec<CEdge>>,
    rec_a: Vec<u32>,
    rec_b: Vec<u32>,
    // Witness search workspace.
    dist: Vec<u64>,
    touched: Vec<u32>,
    heap: BinaryHeap<Reverse<(u64, u32)>>,
}

impl Builder {
    fn add_or_improve(&mut self, u: u32, v: u32, w: u64, rec: u32) {
        if let Some(e) = self.out[u as usize].iter_mut().find(|e| e.other == v) {
            if e.w <= w {
                return;
            }
            e.w = w;
            e.rec = rec;
            let f = self.inn[v as usize]
                .iter_mut()
                .find(|e| e.other == u)
                .expect("in and out lists mirror each other");
            f.w = w;
            f.rec = rec;
            return;
        }
        self.out[u as usize].push(CEdge { other: v, w, rec });
        self.inn[v as usize].push(CEdge { other: u, w, rec });
    }

    /// Bounded Dijkstra from `s` avoiding `avoid`; leaves distances in `dist`.
    fn witness(&mut self, s: u32, avoid: u32, bound: u64, settle_limit: usize) {
        for &t in &self.touched {
            self.dist[t as usize] = INF;
        }
        self.touched.clear();
        self.heap.clear();
        self.dist[s as usize] = 0;
        self.touched.push(s);
        self.heap.push(Reverse((0, s)));
        let mut settled = 0;
        while let Some(Reverse((d, x))) = self.heap.pop() {
            if d > self.dist[x as usize] {
                continue;
            }
            if d > bound || settled >= settle_limit {
                break;
            }
            settled += 1;
            for e in &self.out[x as usize] {
                if e.other == avoid {
                    continue;
                }
                let nd = d + e.w;
                let slot = &mut self.dist[e.other as usize];
                if nd < *slot {
                    if *slot == INF {
                        self.touched.push(e.other);
                    }
                    *slot = nd;
                    self.heap.push(Reverse((nd, e.other)));
                }
            }
        }
    }

    /// The shortcuts needed to contract `v`: `(u, x, w, rec_uv, rec_vx)`.
    fn shortcuts(&mut self, v: u32, settle_limit: usize) -> Vec<(u32, u32, u64, u32, u32)> {
        let mut res = Vec::new();
        let ins = self.inn[v as usize].clone();
        let outs = self.out[v as usize].clone();
        for i in &ins {
            let bound = outs
                .iter()
                .filter(|o| o.other != i.other)
                .map(|o| i.w + o.w)
                .max();
            let Some(bound) = bound else { continue };
            self.witness(i.other, v, bound, settle_limit);
            for o in &outs {
                if o.other == i.other {
                    continue;
                }
                let w = i.w + o.w;
                if self.dist[o.other as usize] > w {
                    res.push((i.other, o.other, w, i.rec, o.rec));
                }
            }
        }
        res
    }
}

impl Ch {
    /// Contracts the graph of `n` nodes with edges `(from, to, weight)`;
    /// record `i` of the hierarchy is edge `i` of `edges`.
    pub(crate) fn build(n: usize, edges: &[(u32, u32, u64)]) -> Ch {
        let mut b = Builder {
            out: vec![Vec::new(); n],
            inn: vec![Vec::new(); n],
            rec_a: Vec::with_capacity(edges.len() * 2),
            rec_b: Vec::with_capacity(edges.len() * 2),
            dist: vec![INF; n],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
        };
        for (i, &(u, v, w)) in edges.iter().enumerate() {
            b.rec_a.push(i as u32);
            b.rec_b.push(ORIGINAL);
            if u != v {
                b.add_or_improve(u, v, w, i as u32);
            }
        }
        const SIM_LIMIT: usize = 60;
        const REAL_LIMIT: usize = 400;
        let mut deleted = vec![0i64; n];
        let mut level = vec![0i64; n];
        let mut contracted = vec![false; n];
        let prio_of = |b: &mut Builder, v: u32, deleted: &[i64], level: &[i64]| -> i64 {
            let s = b.shortcuts(v, SIM_LIMIT).len() as i64;
            let removed = (b.inn[v as usize].len() + b.out[v as usize].len()) as i64;
            4 * (s - removed) + 2 * deleted[v as usize] + level[v as usize]
        };
        let mut prio = vec![0i64; n];
        let mut heap = BinaryHeap::with_capacity(n);
        for v in 0..n as u32 {
            prio[v as usize] = prio_of(&mut b, v, &deleted, &level);
            heap.push(Reverse((prio[v as usize], v)));
        }
        let mut order = Vec::with_capacity(n);
        // Final edges of each node, in graph ids: (up: v→x), (down: u→v stored at v).
        let mut up: Vec<Vec<CEdge>> = vec![Vec::new(); n];
        let mut dn: Vec<Vec<CEdge>> = vec![Vec::new(); n];
        let mut shortcuts = 0usize;
        while let Some(Reverse((p, v))) = heap.pop() {
            let vu = v as usize;
            if contracted[vu] || p != prio[vu] {
                continue;
            }
            let np = prio_of(&mut b, v, &deleted, &level);
            if let Some(Reverse((next, _))) = heap.peek() {
                if np > *next {
                    prio[vu] = np;
                    heap.push(Reverse((np, v)));
                    continue;
                }
            }
            let sc = b.shortcuts(v, REAL_LIMIT);
            contracted[vu] = true;
            order.push(v);
            let outs = std::mem::take(&mut b.out[vu]);
            let ins = std::mem::take(&mut b.inn[vu]);
            for e in &outs {
                b.inn[e.other as usize].retain(|x| x.other != v);
            }
            for e in &ins {
                b.out[e.other as usize].retain(|x| x.other != v);
            }
            for (u, x, w, r1, r2) in sc {
                let rec = b.rec_a.len() as u32;
                b.rec_a.push(r1);
                b.rec_b.push(r2);
                let before = b.rec_a.len();
                b.add_or_improve(u, x, w, rec);
                debug_assert_eq!(before, b.rec_a.len());
                shortcuts += 1;
            }
            let mut neigh: Vec<u32> = outs.iter().chain(ins.iter()).map(|e| e.other).collect();
            neigh.sort_unstable();
            neigh.dedup();
            for &x in &neigh {
                deleted[x as usize] += 1;
                level[x as usize] = level[x as usize].max(level[vu] + 1);
                let np = prio_of(&mut b, x, &deleted, &level);
                prio[x as usize] = np;
                heap.push(Reverse((np, x)));
            }
            up[vu] = outs;
            dn[vu] = ins;
        }
        let mut rank = vec![0u32; n];
        for (r, &v) in order.iter().enumerate() {
            rank[v as usize] = r as u32;
        }
        let mut ch = Ch {
            rank,
            order: order.clone(),
            up_first: vec![0],
            up_to: Vec::new(),
            up_w: Vec::new(),
            up_rec: Vec::new(),
            dn_first: vec![0],
            dn_from: Vec::new(),
            dn_w: Vec::new(),
            dn_rec: Vec::new(),
            rec_a: b.rec_a,
            rec_b: b.rec_b,
            shortcuts,
        };
        for &v in &order {
            for e in &up[v as usize] {
                ch.up_to.push(ch.rank[e.other as usize]);
                ch.up_w.push(e.w);
                ch.up_rec.push(e.rec);
            }
            ch.up_first.push(ch.up_to.len() as u32);
            for e in &dn[v as usize] {
                ch.dn_from.push(ch.rank[e.other as usize]);
                ch.dn_w.push(e.w);
                ch.dn_rec.push(e.rec);
            }
            ch.dn_first.push(ch.dn_from.len() as u32);
        }
        ch
    }

    /// Number of nodes.
    pub(crate) fn len(&self) -> usize {
        self.rank.len()
    }

    #[inline]
    fn up(&self, r: u32) -> std::ops::Range<usize> {
        self.up_first[r as usize] as usize..self.up_first[r as usize + 1] as usize
    }

    #[inline]
    fn dn(&self, r: u32) -> std::ops::Range<usize> {
        self.dn_first[r as usize] as usize..self.dn_first[r as usize + 1] as usize
    }

    /// Appends the original graph edges of record `rec` to `out`, in path order.
    pub(crate) fn unpack(&self, rec: u32, out: &mut Vec<u32>) {
        let mut stack = vec![rec];
        while let Some(r) = stack.pop() {
            let (a, b) = (self.rec_a[r as usize], self.rec_b[r as usize]);
            if b == ORIGINAL {
                out.push(a);
            } else {
                stack.push(b);
                stack.push(a);
            }
        }
    }

    /// Upward search from `entries` (graph node, initial weight). With
    /// `forward` the search follows edges forwards (source side), otherwise
    /// backwards (target side). Calls `visit(rank, dist)` for every settled,
    /// non-stalled node. `ws` is reused workspace and keeps the distances
    /// and parents afterwards.
    pub(crate) fn upward<F: FnMut(u32, u64)>(
        &self,
        entries: &[(u32, u64)],
        forward: bool,
        stall: bool,
        ws: &mut Workspace,
        mut visit: F,
    ) {
        ws.reset(self.len());
        for &(node, w) in entries {
            let r = self.rank[node as usize];
            if w < ws.dist[r as usize] {
                if ws.dist[r as usize] == INF {
                    ws.touched.push(r);
                }
                ws.dist[r as usize] = w;
                ws.parent[r as usize] = u32::MAX;
                ws.heap.push(Reverse((w, r)));
            }
        }
        while let Some(Reverse((d, r))) = ws.heap.pop() {
            if d > ws.dist[r as usize] {
                continue;
            }
            // Stall on demand: a higher node already reaches `r` more cheaply.
            if stall {
                let stalled = if forward {
                    self.dn(r)
                        .any(|i| ws.dist[self.dn_from[i] as usize].saturating_add(self.dn_w[i]) < d)
                } else {
                    self.up(r)
                        .any(|i| ws.dist[self.up_to[i] as usize].saturating_add(self.up_w[i]) < d)
                };
                if stalled {
                    continue;
                }
            }
            visit(r, d);
            let range = if forward { self.up(r) } else { self.dn(r) };
            for i in range {
                let (x, w, rec) = if forward {
                    (self.up_to[i], self.up_w[i], self.up_rec[i])
                } else {
                    (self.dn_from[i], self.dn_w[i], self.dn_rec[i])
                };
                let nd = d + w;
                let slot = &mut ws.dist[x as usize];
                if nd < *slot {
                    if *slot == INF {
                        ws.touched.push(x);
                    }
                    *slot = nd;
                    ws.parent[x as usize] = rec;
                    ws.pnode[x as usize] = r;
                    ws.heap.push(Reverse((nd, x)));
                }
            }
        }
    }

    /// The best path from `src` entries to `dst` entries (graph node,
    /// initial weight): its weight, first and last graph node and the graph
    /// edges along it; `None` if unreachable.
    pub(crate) fn path(
        &self,
        src: &[(u32, u64)],
        dst: &[(u32, u64)],
    ) -> Option<(u64, u32, u32, Vec<u32>)> {
        let mut f = Workspace::default();
        let mut b = Workspace::default();
        self.upward(src, true, false, &mut f, |_, _| {});
        self.upward(dst, false, false, &mut b, |_, _| {});
        let mut best = (INF, u32::MAX);
        for &r in &b.touched {
            let (fd, bd) = (f.dist[r as usize], b.dist[r as usize]);
            if fd != INF && fd + bd < best.0 {
                best = (fd + bd, r);
            }
        }
        if best.0 == INF {
            return None;
        }
        let meet = best.1;
        let mut recs = Vec::new();
        let mut r = meet;
        while f.parent[r as usize] != u32::MAX {
            recs.push(f.parent[r as usize]);
            r = f.pnode[r as usize];
        }
        let first = r;
        recs.reverse();
        let mut out = Vec::new();
        for rec in recs {
            self.unpack(rec, &mut out);
        }
        let mut r = meet;
        while b.parent[r as usize] != u32::MAX {
            self.unpack(b.parent[r as usize], &mut out);
            r = b.pnode[r as usize];
        }
        let last = r;
        Some((best.0, self.node_of(first), self.node_of(last), out))
    }

    /// The graph node of a rank.
    fn node_of(&self, rank: u32) -> u32 {
        self.order[rank as usize]
    }
}

/// Reusable search state (one per thread).
#[derive(Default)]
pub(crate) struct Workspace {
    pub dist: Vec<u64>,
    parent: Vec<u32>,
    pnode: Vec<u32>,
    touched: Vec<u32>,
    heap: BinaryHeap<Reverse<(u64, u32)>>,
}

impl Workspace {
    fn reset(&mut self, n: usize) {
        if self.dist.len() != n {
            self.dist = vec![INF; n];
            self.parent = vec![u32::MAX; n];
            self.pnode = vec![u32::MAX; n];
            self.touched.clear();
        }
        for &t in &self.touched {
            self.dist[t as usize] = INF;
        }
        self.touched.clear();
        self.heap.clear();
    }
}
