//! Uncertainty over repeated seeds: the mean of a figure over independent
//! solver runs and its percentile-bootstrap confidence interval.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Bootstrap resamples drawn for every interval.
pub const BOOTSTRAP_RESAMPLES: usize = 2000;

/// Confidence level of every interval.
pub const CONFIDENCE: f64 = 0.95;

/// A figure estimated from several independent runs (one per seed).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Estimate {
    /// Mean over the runs.
    pub mean: f64,
    /// Lower end of the 95 % percentile-bootstrap interval of the mean
    /// (resampling runs with replacement); the mean itself with one run.
    pub low: f64,
    /// Upper end of the interval.
    pub high: f64,
    /// Smallest value over the runs.
    pub min: f64,
    /// Largest value over the runs.
    pub max: f64,
    /// Number of runs.
    pub runs: usize,
}

impl Estimate {
    /// Half the width of the interval.
    pub fn half_width(&self) -> f64 {
        (self.high - self.low) / 2.0
    }
}

/// The mean of `values` (one per run) with its percentile-bootstrap interval
/// at [`CONFIDENCE`] from [`BOOTSTRAP_RESAMPLES`] resamples drawn with
/// `seed` (so the interval is reproducible).
pub fn estimate(values: &[f64], seed: u64) -> Estimate {
    let k = values.len();
    if k == 0 {
        return Estimate::default();
    }
    let mean = values.iter().sum::<f64>() / k as f64;
    let (min, max) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    if k == 1 {
        return Estimate {
            mean,
            low: mean,
            high: mean,
            min,
            max,
            runs: 1,
        };
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut means: Vec<f64> = (0..BOOTSTRAP_RESAMPLES)
        .map(|_| (0..k).map(|_| values[rng.random_range(0..k)]).sum::<f64>() / k as f64)
        .collect();
    means.sort_by(f64::total_cmp);
    let tail = (1.0 - CONFIDENCE) / 2.0;
    let at = |q: f64| means[((q * (means.len() - 1) as f64).round() as usize).min(means.len() - 1)];
    Estimate {
        mean,
        low: at(tail),
        high: at(1.0 - tail),
        min,
        max,
        runs: k,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_brackets_the_mean_and_shrinks_with_runs() {
        let few = estimate(&[10.0, 12.0, 8.0, 11.0], 1);
        assert!((few.mean - 10.25).abs() < 1e-12);
        assert!(few.low < few.mean && few.mean < few.high, "{few:?}");
        assert!(few.low >= 8.0 && few.high <= 12.0);
        let many: Vec<f64> = (0..64).map(|i| [10.0, 12.0, 8.0, 11.0][i % 4]).collect();
        let many = estimate(&many, 1);
        assert!(many.half_width() < few.half_width(), "{many:?} vs {few:?}");
        assert_eq!(estimate(&[5.0], 1).half_width(), 0.0);
        assert_eq!(estimate(&[10.0, 12.0, 8.0, 11.0], 1), few, "seeded");
    }
}
