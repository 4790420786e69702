//! Cost-sharing games: coalition costs, the Shapley value (exact and
//! sampled), the proportional split and the core check.
//!
//! Players are numbered `0..n`; a coalition is a bit mask over them.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// A coalition as a bit mask over players.
pub type Coalition = u32;

/// Players in a coalition.
pub fn members(c: Coalition, n: usize) -> impl Iterator<Item = usize> {
    (0..n).filter(move |i| c & (1 << i) != 0)
}

/// How a Shapley value was computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum ShapleyMethod {
    /// Every coalition was costed.
    Exact,
    /// Average marginal cost over random orders of the players.
    Sampled {
        /// Number of random orders.
        permutations: usize,
        /// Seed of the orders.
        seed: u64,
    },
}

/// The exact Shapley value of a cost game with `n` players:
/// `φ_i = Σ_{S ⊆ N∖{i}} |S|! (n−|S|−1)! / n! · (c(S ∪ {i}) − c(S))`, with
/// `c(∅) = 0`. Calls `cost` once per non-empty coalition (2ⁿ − 1 calls).
pub fn shapley_exact(n: usize, cost: &mut dyn FnMut(Coalition) -> f64) -> Vec<f64> {
    assert!(
        n <= 20,
        "exact Shapley over {n} players would cost 2^{n} coalitions"
    );
    let full: Coalition = if n == 0 { 0 } else { (1 << n) - 1 };
    let mut c = vec![0.0; 1 << n];
    for s in 1..=full {
        c[s as usize] = cost(s);
    }
    let fact: Vec<f64> = (0..=n)
        .scan(1.0, |f, k| {
            let v = *f;
            *f *= (k + 1) as f64;
            Some(v)
        })
        .collect();
    let mut phi = vec![0.0; n];
    for (i, p) in phi.iter_mut().enumerate() {
        for s in 0..=full {
            if s & (1 << i) != 0 {
                continue;
            }
            let k = s.count_ones() as usize;
            let w = fact[k] * fact[n - k - 1] / fact[n];
            *p += w * (c[(s | 1 << i) as usize] - c[s as usize]);
        }
    }
    phi
}

/// The Shapley value estimated from `permutations` random orders of the
/// players (seeded, so reproducible): each player's mean marginal cost when
/// joining the players before it. Costs are memoised by the caller's closure
/// if they are expensive.
pub fn shapley_sampled(
    n: usize,
    permutations: usize,
    seed: u64,
    cost: &mut dyn FnMut(Coalition) -> f64,
) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut phi = vec![0.0; n];
    let mut order: Vec<usize> = (0..n).collect();
    for _ in 0..permutations {
        order.shuffle(&mut rng);
        let mut s: Coalition = 0;
        let mut before = 0.0;
        for &i in &order {
            s |= 1 << i;
            let after = cost(s);
            phi[i] += after - before;
            before = after;
        }
    }
    phi.iter_mut()
        .for_each(|p| *p /= permutations.max(1) as f64);
    phi
}

/// Splits `total` in proportion to each player's stand-alone cost.
pub fn proportional(total: f64, alone: &[f64]) -> Vec<f64> {
    let sum: f64 = alone.iter().sum();
    if sum <= 0.0 {
        return vec![total / alone.len().max(1) as f64; alone.len()];
    }
    alone.iter().map(|a| total * a / sum).collect()
}

/// A coalition that pays more under an allocation than on its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoreViolation {
    /// The coalition's members.
    pub players: Vec<usize>,
    /// What the allocation charges them together.
    pub charged: f64,
    /// What they would pay on their own.
    pub alone: f64,
}

/// Checks whether `allocation` is in the core: it charges every coalition
/// `S` in `coalitions` at most `c(S)` (within `tolerance`), and the grand
/// coalition exactly its cost. Returns the coalitions that would be better
/// off alone.
pub fn core_violations(
    n: usize,
    allocation: &[f64],
    coalitions: &[(Coalition, f64)],
    tolerance: f64,
) -> Vec<CoreViolation> {
    coalitions
        .iter()
        .filter_map(|&(s, c)| {
            let charged: f64 = members(s, n).map(|i| allocation[i]).sum();
            (charged > c + tolerance).then(|| CoreViolation {
                players: members(s, n).collect(),
                charged,
                alone: c,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-made 3-borough game: alone 100, 80, 60; pairs AB 150, AC 130,
    /// BC 120; all three 180.
    fn cost(s: Coalition) -> f64 {
        match s {
            0b001 => 100.0,
            0b010 => 80.0,
            0b100 => 60.0,
            0b011 => 150.0,
            0b101 => 130.0,
            0b110 => 120.0,
            0b111 => 180.0,
            _ => 0.0,
        }
    }

    #[test]
    fn exact_shapley_matches_hand_computation() {
        // φ_A = 1/3·100 + 1/6·(150−80) + 1/6·(130−60) + 1/3·(180−120) = 33.333 + 11.667 + 11.667 + 20 = 76.667
        // φ_B = 1/3·80 + 1/6·(150−100) + 1/6·(120−60) + 1/3·(180−130) = 26.667 + 8.333 + 10 + 16.667 = 61.667
        // φ_C = 1/3·60 + 1/6·(130−100) + 1/6·(120−80) + 1/3·(180−150) = 20 + 5 + 6.667 + 10 = 41.667
        let phi = shapley_exact(3, &mut cost);
        let want = [76.0 + 2.0 / 3.0, 61.0 + 2.0 / 3.0, 41.0 + 2.0 / 3.0];
        for (a, b) in phi.iter().zip(want) {
            assert!((a - b).abs() < 1e-9, "{phi:?}");
        }
        assert!((phi.iter().sum::<f64>() - 180.0).abs() < 1e-9);
        let all: Vec<(Coalition, f64)> = (1..8).map(|s| (s, cost(s))).collect();
        assert!(core_violations(3, &phi, &all, 1e-9).is_empty());
    }

    #[test]
    fn sampled_shapley_converges_and_sums_exactly() {
        let phi = shapley_sampled(3, 6000, 7, &mut cost);
        assert!(
            (phi.iter().sum::<f64>() - 180.0).abs() < 1e-9,
            "efficiency holds for every sample"
        );
        let exact = shapley_exact(3, &mut cost);
        for (a, b) in phi.iter().zip(&exact) {
            assert!((a - b).abs() < 1.5, "{phi:?} vs {exact:?}");
        }
        assert_eq!(phi, shapley_sampled(3, 6000, 7, &mut cost), "seeded");
    }

    #[test]
    fn core_check_catches_an_allocation_outside_the_core() {
        let all: Vec<(Coalition, f64)> = (1..8).map(|s| (s, cost(s))).collect();
        // Charging C 70 > its stand-alone 60.
        let bad = [60.0, 50.0, 70.0];
        let v = core_violations(3, &bad, &all, 1e-9);
        assert!(
            v.iter()
                .any(|x| x.players == vec![2] && x.charged == 70.0 && x.alone == 60.0),
            "{v:?}"
        );
        // A game with an empty core: pairs are very cheap, the triple is not.
        let cheap_pairs = |s: Coalition| match s.count_ones() {
            1 => 100.0,
            2 => 100.0,
            _ => 170.0,
        };
        let coalitions: Vec<(Coalition, f64)> = (1..8).map(|s| (s, cheap_pairs(s))).collect();
        let phi = shapley_exact(3, &mut { cheap_pairs });
        assert!(
            !core_violations(3, &phi, &coalitions, 1e-9).is_empty(),
            "every pair pays 113.3 > 100"
        );
    }

    #[test]
    fn proportional_split() {
        let x = proportional(180.0, &[100.0, 80.0, 60.0]);
        assert!(
            (x[0] - 75.0).abs() < 1e-9 && (x[1] - 60.0).abs() < 1e-9 && (x[2] - 45.0).abs() < 1e-9
        );
    }
}
