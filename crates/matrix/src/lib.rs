//! # senroute-matrix
//!
//! Travel durations and distances between `n` locations, in one of two
//! storages behind the same accessors:
//!
//! * **dense**: two `f64` matrices, exactly as given (benchmarks, matrices
//!   carried in a problem, small road matrices): 16 bytes per pair;
//! * **compact**: one `u32` per pair packing whole seconds (16 bits) and
//!   tens of metres (16 bits), for London-scale problems: 4 bytes per pair,
//!   so 20,000 pupils' matrices take 1.6 GB instead of 6.4 GB. A duration of
//!   18 hours or more, or a distance of 655 km or more, counts as
//!   unreachable.
//!
//! The matrix is built once and shared behind an [`Arc`](std::sync::Arc) by
//! the model's travel times, the validator and the engine, so a plan's
//! feasibility is decided by everyone on the very same numbers and no copy
//! is ever made. Unreachable pairs read as `f64::INFINITY`.

#![warn(missing_docs)]

use std::fmt;

/// Largest storable duration in a compact matrix (seconds); larger ones are
/// unreachable.
pub const COMPACT_MAX_SECONDS: f64 = 65_534.0;
/// Largest storable distance in a compact matrix (metres).
pub const COMPACT_MAX_METRES: f64 = 655_340.0;

const UNREACHABLE: u16 = u16::MAX;

#[derive(Clone, PartialEq)]
enum Storage {
    Dense {
        durations: Vec<f64>,
        distances: Vec<f64>,
    },
    /// `seconds << 16 | decametres`, row-major.
    Compact(Vec<u32>),
}

/// Durations (seconds) and distances (metres) between `n` locations,
/// row-major: the entry `(i, j)` is from location `i` to location `j`.
#[derive(Clone, PartialEq)]
pub struct TravelMatrix {
    n: usize,
    storage: Storage,
}

/// A matrix that cannot be built as given.
#[derive(Debug, Clone, PartialEq)]
pub enum MatrixError {
    /// A matrix does not have `n * n` entries.
    Size {
        /// Which matrix (`durations` or `distances`).
        field: &'static str,
        /// Expected side.
        n: usize,
        /// Entries given.
        len: usize,
    },
    /// An entry is negative or NaN (infinity means unreachable).
    Value {
        /// Which matrix.
        field: &'static str,
        /// Row.
        row: usize,
        /// Column.
        col: usize,
        /// The value.
        value: f64,
    },
}

impl fmt::Display for MatrixError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MatrixError::Size { field, n, len } => {
                write!(f, "{field} matrix has {len} entries, {n}×{n} expected")
            }
            MatrixError::Value {
                field,
                row,
                col,
                value,
            } => write!(
                f,
                "{field} matrix has {value} at [{row}][{col}]; use a non-negative number \
                 (infinity for unreachable)"
            ),
        }
    }
}

impl std::error::Error for MatrixError {}

impl fmt::Debug for TravelMatrix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TravelMatrix")
            .field("n", &self.n)
            .field("compact", &self.is_compact())
            .finish_non_exhaustive()
    }
}

fn check(field: &'static str, n: usize, m: &[f64]) -> Result<(), MatrixError> {
    if m.len() != n * n {
        return Err(MatrixError::Size {
            field,
            n,
            len: m.len(),
        });
    }
    if let Some(k) = m.iter().position(|v| v.is_nan() || *v < 0.0) {
        return Err(MatrixError::Value {
            field,
            row: k / n.max(1),
            col: k % n.max(1),
            value: m[k],
        });
    }
    Ok(())
}

fn pack(seconds: f64, metres: f64) -> u32 {
    let s = if seconds.is_finite() && seconds >= 0.0 && seconds.round() <= COMPACT_MAX_SECONDS {
        seconds.round() as u16
    } else {
        UNREACHABLE
    };
    let dam = metres / 10.0;
    let d = if dam.is_finite() && dam >= 0.0 && dam.round() * 10.0 <= COMPACT_MAX_METRES {
        dam.round() as u16
    } else {
        UNREACHABLE
    };
    // both parts unreachable together
    if s == UNREACHABLE || d == UNREACHABLE {
        (u32::from(UNREACHABLE) << 16) | u32::from(UNREACHABLE)
    } else {
        (u32::from(s) << 16) | u32::from(d)
    }
}

impl TravelMatrix {
    /// A dense matrix of the given row-major durations and distances.
    pub fn dense(
        n: usize,
        durations: Vec<f64>,
        distances: Vec<f64>,
    ) -> Result<TravelMatrix, MatrixError> {
        check("durations", n, &durations)?;
        check("distances", n, &distances)?;
        Ok(TravelMatrix {
            n,
            storage: Storage::Dense {
                durations,
                distances,
            },
        })
    }

    /// A compact matrix filled row by row: `row(i, durations, distances)`
    /// writes row `i` (`n` entries each, seconds and metres, infinity for
    /// unreachable) into the two buffers. Durations are rounded to whole
    /// seconds and distances to tens of metres; a negative or NaN entry is
    /// an error.
    pub fn compact_rows(
        n: usize,
        mut row: impl FnMut(usize, &mut [f64], &mut [f64]),
    ) -> Result<TravelMatrix, MatrixError> {
        let mut data = Vec::with_capacity(n * n);
        let (mut dur, mut dist) = (vec![0.0; n], vec![0.0; n]);
        for i in 0..n {
            row(i, &mut dur, &mut dist);
            for (field, m) in [("durations", &dur), ("distances", &dist)] {
                if let Some(j) = m.iter().position(|v| v.is_nan() || *v < 0.0) {
                    return Err(MatrixError::Value {
                        field,
                        row: i,
                        col: j,
                        value: m[j],
                    });
                }
            }
            data.extend(dur.iter().zip(&dist).map(|(&s, &m)| pack(s, m)));
        }
        Ok(TravelMatrix {
            n,
            storage: Storage::Compact(data),
        })
    }

    /// One compact entry: `seconds` rounded to whole seconds and `metres`
    /// to tens of metres; infinite, NaN or too large (see
    /// [`COMPACT_MAX_SECONDS`], [`COMPACT_MAX_METRES`]) is unreachable.
    pub fn pack(seconds: f64, metres: f64) -> u32 {
        pack(seconds, metres)
    }

    /// A compact matrix from `n × n` row-major entries made by
    /// [`TravelMatrix::pack`] (for builders that fill rows in parallel).
    pub fn from_packed(n: usize, entries: Vec<u32>) -> Result<TravelMatrix, MatrixError> {
        if entries.len() != n * n {
            return Err(MatrixError::Size {
                field: "packed",
                n,
                len: entries.len(),
            });
        }
        Ok(TravelMatrix {
            n,
            storage: Storage::Compact(entries),
        })
    }

    /// Number of locations.
    #[inline]
    pub fn n(&self) -> usize {
        self.n
    }

    /// Whether the storage is compact (whole seconds, tens of metres).
    pub fn is_compact(&self) -> bool {
        matches!(self.storage, Storage::Compact(_))
    }

    /// Bytes held by the entries.
    pub fn bytes(&self) -> usize {
        match &self.storage {
            Storage::Dense { .. } => self.n * self.n * 16,
            Storage::Compact(d) => d.len() * 4,
        }
    }

    /// Seconds from `i` to `j` (`f64::INFINITY` if unreachable).
    #[inline]
    pub fn duration(&self, i: usize, j: usize) -> f64 {
        match &self.storage {
            Storage::Dense { durations, .. } => durations[i * self.n + j],
            Storage::Compact(d) => {
                let s = (d[i * self.n + j] >> 16) as u16;
                if s == UNREACHABLE {
                    f64::INFINITY
                } else {
                    f64::from(s)
                }
            }
        }
    }

    /// Metres from `i` to `j` (`f64::INFINITY` if unreachable).
    #[inline]
    pub fn distance(&self, i: usize, j: usize) -> f64 {
        match &self.storage {
            Storage::Dense { distances, .. } => distances[i * self.n + j],
            Storage::Compact(d) => {
                let dam = (d[i * self.n + j] & 0xffff) as u16;
                if dam == UNREACHABLE {
                    f64::INFINITY
                } else {
                    f64::from(dam) * 10.0
                }
            }
        }
    }

    /// The largest finite distance (a scan of the whole matrix).
    pub fn max_distance(&self) -> f64 {
        let mut m: f64 = 0.0;
        for i in 0..self.n {
            for j in 0..self.n {
                let d = self.distance(i, j);
                if d.is_finite() {
                    m = m.max(d);
                }
            }
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_keeps_values_and_checks_them() {
        let m =
            TravelMatrix::dense(2, vec![0.0, 1.5, 2.25, 0.0], vec![0.0, 10.0, 20.0, 0.0]).unwrap();
        assert_eq!(m.duration(0, 1), 1.5);
        assert_eq!(m.distance(1, 0), 20.0);
        assert!(TravelMatrix::dense(2, vec![0.0; 3], vec![0.0; 4]).is_err());
        let e = TravelMatrix::dense(2, vec![0.0, -1.0, 0.0, 0.0], vec![0.0; 4]).unwrap_err();
        assert_eq!(
            e,
            MatrixError::Value {
                field: "durations",
                row: 0,
                col: 1,
                value: -1.0
            }
        );
        let inf = TravelMatrix::dense(1, vec![f64::INFINITY], vec![f64::INFINITY]).unwrap();
        assert!(inf.duration(0, 0).is_infinite());
    }

    #[test]
    fn compact_rounds_and_marks_unreachable() {
        let vals = [
            (0.0, 0.0),
            (421.4, 1234.0),
            (421.5, 1235.0),
            (f64::INFINITY, f64::INFINITY),
            (70_000.0, 5.0),
            (10.0, 700_000.0),
        ];
        let n = vals.len();
        let build = |i: usize, d: &mut [f64], m: &mut [f64]| {
            for j in 0..n {
                d[j] = vals[(i + j) % n].0;
                m[j] = vals[(i + j) % n].1;
            }
        };
        let a = TravelMatrix::compact_rows(n, build).unwrap();
        let mut packed = Vec::new();
        for i in 0..n {
            for j in 0..n {
                let (s, m) = vals[(i + j) % n];
                packed.push(TravelMatrix::pack(s, m));
            }
        }
        assert_eq!(a, TravelMatrix::from_packed(n, packed).unwrap());
        assert!(TravelMatrix::from_packed(2, vec![0; 3]).is_err());
        assert_eq!(a.duration(0, 1), 421.0);
        assert_eq!(a.distance(0, 1), 1230.0);
        assert_eq!(a.duration(0, 2), 422.0);
        assert_eq!(a.distance(0, 2), 1240.0);
        for j in [3, 4, 5] {
            assert!(a.duration(0, j).is_infinite(), "{j}");
            assert!(a.distance(0, j).is_infinite(), "{j}");
        }
        assert_eq!(a.bytes(), n * n * 4);
        assert!(TravelMatrix::compact_rows(1, |_, d, _| d[0] = -1.0).is_err());
    }
}
