//! Many-to-many travel matrices on the contraction hierarchy (bucket
//! searches: one backward search per target fills buckets once, then one
//! forward search per source reads them), in full precision or as the
//! planner's compact, tiled [`TravelMatrix`].

use crate::ch::Workspace;
use crate::network::{Matrix, RoadNetwork, Snap};
use crate::weight::{self, INF};
use rayon::prelude::*;
use senroute_matrix::TravelMatrix;

/// Points from which [`RoadNetwork::travel_matrix`] stores compactly.
pub const COMPACT_FROM: usize = 2_000;

/// The targets' backward search spaces, by CH rank: for rank `r`,
/// `bucket[count[r]..count[r + 1]]` holds `(target, weight)`.
struct Buckets {
    count: Vec<u32>,
    bucket: Vec<(u32, u64)>,
}

impl RoadNetwork {
    /// Many-to-many matrix between the same points (`n × n`), computed
    /// exactly with the contraction hierarchy and bucket searches on all cores.
    pub fn matrix(&self, points: &[Snap]) -> Matrix {
        self.matrix_between(points, points)
    }

    /// Many-to-many matrix from `sources` (rows) to `targets` (columns).
    pub fn matrix_between(&self, sources: &[Snap], targets: &[Snap]) -> Matrix {
        let nt = targets.len();
        let buckets = self.buckets(targets);
        let mut w = vec![INF; sources.len() * nt];
        w.par_chunks_mut(nt.max(1))
            .zip(sources.par_iter())
            .for_each_init(Workspace::default, |ws, (row, s)| {
                self.fill_row(&buckets, targets, s, ws, row);
            });
        Matrix::from_weights(sources.len(), nt, &w)
    }

    /// The travel matrix between `points`, as the planner stores it: dense
    /// below [`COMPACT_FROM`] points; above, compact (whole seconds, tens of
    /// metres, 4 bytes a pair), each row packed as it is computed (the
    /// buckets are built once), with no full-size intermediate, so 20,000
    /// homes take 1.6 GB.
    pub fn travel_matrix(&self, points: &[Snap]) -> TravelMatrix {
        let n = points.len();
        if n < COMPACT_FROM {
            let m = self.matrix(points);
            return TravelMatrix::dense(n, m.durations_s, m.distances_m)
                .expect("road matrices are square and non-negative");
        }
        let buckets = self.buckets(points);
        let mut packed = vec![0u32; n * n];
        packed
            .par_chunks_mut(n)
            .zip(points.par_iter())
            .for_each_init(
                || (Workspace::default(), vec![INF; n]),
                |(ws, row), (dest, s)| {
                    self.fill_row(&buckets, points, s, ws, row);
                    for (p, &w) in dest.iter_mut().zip(row.iter()) {
                        *p = if w == INF {
                            TravelMatrix::pack(f64::INFINITY, f64::INFINITY)
                        } else {
                            TravelMatrix::pack(weight::secs(w), weight::metres(w))
                        };
                    }
                },
            );
        TravelMatrix::from_packed(n, packed).expect("n × n entries")
    }

    /// Backward searches from every target, sorted into buckets by rank.
    fn buckets(&self, targets: &[Snap]) -> Buckets {
        let n = self.ch.len();
        let entries: Vec<Vec<(u32, u32, u64)>> = targets
            .par_iter()
            .enumerate()
            .map_init(Workspace::default, |ws, (ti, t)| {
                let mut out = Vec::new();
                self.ch
                    .upward(&self.target_entries(t), false, true, ws, |r, d| {
                        out.push((r, ti as u32, d));
                    });
                out
            })
            .collect();
        let mut count = vec![0u32; n + 1];
        for e in entries.iter().flatten() {
            count[e.0 as usize + 1] += 1;
        }
        for i in 0..n {
            count[i + 1] += count[i];
        }
        let mut fill = count.clone();
        let mut bucket: Vec<(u32, u64)> = vec![(0, 0); count[n] as usize];
        for e in entries.into_iter().flatten() {
            let slot = &mut fill[e.0 as usize];
            bucket[*slot as usize] = (e.1, e.2);
            *slot += 1;
        }
        Buckets { count, bucket }
    }

    /// One row: the fastest-path weights from `s` to every target.
    fn fill_row(
        &self,
        b: &Buckets,
        targets: &[Snap],
        s: &Snap,
        ws: &mut Workspace,
        row: &mut [u64],
    ) {
        row.fill(INF);
        self.ch
            .upward(&self.source_entries(s), true, true, ws, |r, d| {
                let list =
                    &b.bucket[b.count[r as usize] as usize..b.count[r as usize + 1] as usize];
                for &(t, bw) in list {
                    let c = d + bw;
                    let slot = &mut row[t as usize];
                    if c < *slot {
                        *slot = c;
                    }
                }
            });
        for (j, t) in targets.iter().enumerate() {
            if t.road == s.road {
                row[j] = row[j].min(self.direct(s, t));
            }
        }
    }
}
