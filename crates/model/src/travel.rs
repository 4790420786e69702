//! Travel times and distances between a problem's locations.

use crate::problem::{LocationKey, Matrices, Problem};
use senroute_matrix::TravelMatrix;
use std::collections::HashMap;
use std::sync::Arc;

/// Durations (seconds) and distances (metres) between problem locations,
/// looked up by [`LocationKey`]. Unreachable pairs are `f64::INFINITY`.
///
/// The numbers live in a [`TravelMatrix`] shared behind an [`Arc`]: the
/// engine plans on the very same matrix the validator checks against, and
/// cloning travel times never copies it.
#[derive(Debug, Clone, PartialEq)]
pub struct TravelTimes {
    keys: Vec<LocationKey>,
    index: HashMap<LocationKey, usize>,
    matrix: Arc<TravelMatrix>,
}

/// A travel matrix that does not fit its locations.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MatrixError {
    /// Rows or columns missing.
    #[error("matrix `{field}` must be {n}×{n} to match `locations`; row {row} has {len} entries (or there are {len} rows)")]
    Shape {
        /// Which matrix.
        field: &'static str,
        /// Expected size.
        n: usize,
        /// Offending row.
        row: usize,
        /// Its length.
        len: usize,
    },
    /// A negative or NaN entry.
    #[error("matrix `{field}` has an invalid entry {value} at [{row}][{col}]; use a non-negative number (null in JSON means unreachable)")]
    Value {
        /// Which matrix.
        field: &'static str,
        /// Row.
        row: usize,
        /// Column.
        col: usize,
        /// Value.
        value: f64,
    },
    /// A location listed twice.
    #[error("location {0} is listed twice in `locations`")]
    Duplicate(LocationKey),
    /// A location the plan needs is absent.
    #[error("`locations` lacks {0}; add a row and column for it")]
    Missing(LocationKey),
}

impl TravelTimes {
    /// Builds from row-major square matrices over `keys`.
    pub fn new(
        keys: Vec<LocationKey>,
        durations_s: Vec<f64>,
        distances_m: Vec<f64>,
    ) -> Result<Self, MatrixError> {
        let n = keys.len();
        for (field, m) in [("durations_s", &durations_s), ("distances_m", &distances_m)] {
            if m.len() != n * n {
                return Err(MatrixError::Shape {
                    field,
                    n,
                    row: 0,
                    len: m.len(),
                });
            }
            if let Some(i) = m.iter().position(|v| v.is_nan() || *v < 0.0) {
                return Err(MatrixError::Value {
                    field,
                    row: i / n,
                    col: i % n,
                    value: m[i],
                });
            }
        }
        let matrix = TravelMatrix::dense(n, durations_s, distances_m)
            .expect("sizes and values checked above");
        Self::with_matrix(keys, Arc::new(matrix))
    }

    /// Travel times over `keys` from a matrix built elsewhere (a road
    /// network's), shared without a copy.
    pub fn with_matrix(
        keys: Vec<LocationKey>,
        matrix: Arc<TravelMatrix>,
    ) -> Result<Self, MatrixError> {
        let n = keys.len();
        if matrix.n() != n {
            return Err(MatrixError::Shape {
                field: "durations_s",
                n,
                row: 0,
                len: matrix.n(),
            });
        }
        let mut index = HashMap::with_capacity(n);
        for (i, k) in keys.iter().enumerate() {
            if index.insert(k.clone(), i).is_some() {
                return Err(MatrixError::Duplicate(k.clone()));
            }
        }
        Ok(TravelTimes {
            keys,
            index,
            matrix,
        })
    }

    /// Builds from the nested matrices a problem may carry.
    pub fn from_matrices(m: &Matrices) -> Result<Self, MatrixError> {
        let n = m.locations.len();
        let flatten = |field: &'static str, rows: &[Vec<f64>]| -> Result<Vec<f64>, MatrixError> {
            if rows.len() != n {
                return Err(MatrixError::Shape {
                    field,
                    n,
                    row: rows.len().min(n),
                    len: rows.len(),
                });
            }
            let mut out = Vec::with_capacity(n * n);
            for (r, row) in rows.iter().enumerate() {
                if row.len() != n {
                    return Err(MatrixError::Shape {
                        field,
                        n,
                        row: r,
                        len: row.len(),
                    });
                }
                out.extend(row.iter().copied());
            }
            Ok(out)
        };
        Self::new(
            m.locations.clone(),
            flatten("durations_s", &m.durations_s)?,
            flatten("distances_m", &m.distances_m)?,
        )
    }

    /// Checks that every location of `problem` has a row.
    pub fn covers(&self, problem: &Problem) -> Result<(), MatrixError> {
        for (k, _) in problem.locations() {
            if !self.index.contains_key(&k) {
                return Err(MatrixError::Missing(k));
            }
        }
        Ok(())
    }

    /// Straight-line travel at `speed_kmh` with a detour factor, for problems
    /// without a road network (tests, rough what-ifs).
    pub fn straight_line(problem: &Problem, speed_kmh: f64, detour: f64) -> Self {
        let locs = problem.locations();
        let n = locs.len();
        let mut d = vec![0.0; n * n];
        let mut t = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                let m = locs[i].1.haversine_m(&locs[j].1) * detour;
                d[i * n + j] = m;
                t[i * n + j] = m / (speed_kmh / 3.6);
            }
        }
        let keys = locs.into_iter().map(|(k, _)| k).collect();
        Self::new(keys, t, d).expect("straight-line matrices are well formed")
    }

    /// Location keys in row order.
    pub fn keys(&self) -> &[LocationKey] {
        &self.keys
    }

    /// Row of a location.
    pub fn index_of(&self, key: &LocationKey) -> Option<usize> {
        self.index.get(key).copied()
    }

    /// Seconds from row `i` to row `j`.
    #[inline]
    pub fn duration_by_index(&self, i: usize, j: usize) -> f64 {
        self.matrix.duration(i, j)
    }

    /// Metres from row `i` to row `j`.
    #[inline]
    pub fn distance_by_index(&self, i: usize, j: usize) -> f64 {
        self.matrix.distance(i, j)
    }

    /// Seconds between two locations (`None` if either is unknown).
    pub fn duration(&self, a: &LocationKey, b: &LocationKey) -> Option<f64> {
        Some(self.duration_by_index(self.index_of(a)?, self.index_of(b)?))
    }

    /// Metres between two locations (`None` if either is unknown).
    pub fn distance(&self, a: &LocationKey, b: &LocationKey) -> Option<f64> {
        Some(self.distance_by_index(self.index_of(a)?, self.index_of(b)?))
    }

    /// The shared matrix, rows and columns in the order of [`Self::keys`].
    pub fn matrix(&self) -> &Arc<TravelMatrix> {
        &self.matrix
    }

    /// Nested matrices for a JSON problem.
    pub fn to_matrices(&self) -> Matrices {
        let n = self.keys.len();
        let rows = |f: &dyn Fn(usize, usize) -> f64| {
            (0..n).map(|i| (0..n).map(|j| f(i, j)).collect()).collect()
        };
        Matrices {
            locations: self.keys.clone(),
            durations_s: rows(&|i, j| self.matrix.duration(i, j)),
            distances_m: rows(&|i, j| self.matrix.distance(i, j)),
        }
    }
}
