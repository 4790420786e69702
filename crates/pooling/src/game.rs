//! Cost-sharing games: the Shapley value (exact and sampled, with its
//! sampling error), the proportional split and the core check.
//!
//! Players are numbered `0..n`; coalitions are [`Coalition`]s, so there is
//! no limit on the number of players beyond the cost of the computation.

pub use crate::coalition::Coalition;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// The most players the exact Shapley value is computed for: it costs every
/// one of the 2ⁿ − 1 coalitions (a million at 20). Beyond it the value is
/// sampled ([`shapley_sampled`]).
pub const EXACT_SHAPLEY_MAX_PLAYERS: usize = 20;

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

/// Why a game computation was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GameError {
    /// Exact Shapley over too many players.
    #[error("the exact Shapley value over {0} players would cost 2^{0} coalitions; at most {EXACT_SHAPLEY_MAX_PLAYERS} players are computed exactly, use the sampled value beyond")]
    TooManyPlayers(usize),
    /// A sampled value needs at least one order.
    #[error("the sampled Shapley value needs at least one random order of the players")]
    NoPermutations,
}

/// A Shapley value with its sampling standard error per player (zero when exact).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShapleyEstimate {
    /// Each player's share.
    pub value: Vec<f64>,
    /// Each share's standard error from sampling orders (standard deviation
    /// of the player's marginal costs over the orders, divided by √orders).
    pub std_error: Vec<f64>,
}

/// Every non-empty coalition of `n` players, smallest first. Errors beyond
/// [`EXACT_SHAPLEY_MAX_PLAYERS`].
pub fn all_coalitions(n: usize) -> Result<Vec<Coalition>, GameError> {
    if n > EXACT_SHAPLEY_MAX_PLAYERS {
        return Err(GameError::TooManyPlayers(n));
    }
    let mut out: Vec<Coalition> = (1u32..(1u32 << n))
        .map(|m| Coalition::of((0..n).filter(|i| m & (1 << i) != 0)))
        .collect();
    out.sort();
    Ok(out)
}

/// The exact Shapley value of a cost game with `n` players:
/// `φ_i = Σ_{S ⊆ N∖{i}} |S|! (n−|S|−1)! / n! · (c(S ∪ {i}) − c(S))`, with
/// `c(∅) = 0`. Calls `cost` once per non-empty coalition (2ⁿ − 1 calls), so
/// at most [`EXACT_SHAPLEY_MAX_PLAYERS`] players.
pub fn shapley_exact(
    n: usize,
    cost: &mut dyn FnMut(&Coalition) -> f64,
) -> Result<ShapleyEstimate, GameError> {
    if n > EXACT_SHAPLEY_MAX_PLAYERS {
        return Err(GameError::TooManyPlayers(n));
    }
    let size = 1usize << n;
    let mut c = vec![0.0; size];
    for (m, slot) in c.iter_mut().enumerate().skip(1) {
        *slot = cost(&Coalition::of((0..n).filter(|i| m & (1 << i) != 0)));
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
        for s in 0..size {
            if s & (1 << i) != 0 {
                continue;
            }
            let k = s.count_ones() as usize;
            let w = fact[k] * fact[n - k - 1] / fact[n];
            *p += w * (c[s | 1 << i] - c[s]);
        }
    }
    Ok(ShapleyEstimate {
        value: phi,
        std_error: vec![0.0; n],
    })
}

/// `permutations` random orders of `n` players, seeded (reproducible).
pub fn random_orders(n: usize, permutations: usize, seed: u64) -> Vec<Vec<usize>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut order: Vec<usize> = (0..n).collect();
    (0..permutations)
        .map(|_| {
            order.shuffle(&mut rng);
            order.clone()
        })
        .collect()
}

/// The coalitions a sampled Shapley value over `orders` costs: every
/// non-empty prefix of every order.
pub fn prefixes(orders: &[Vec<usize>]) -> Vec<Coalition> {
    let mut out = Vec::new();
    for order in orders {
        let mut s = Coalition::empty();
        for &i in order {
            s.insert(i);
            out.push(s.clone());
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The Shapley value estimated from random orders of the players (from
/// [`random_orders`]): each player's mean marginal cost when joining the
/// players before it, with its standard error. The shares add up to the
/// grand coalition's cost exactly for every sample.
pub fn shapley_sampled(
    n: usize,
    orders: &[Vec<usize>],
    cost: &mut dyn FnMut(&Coalition) -> f64,
) -> Result<ShapleyEstimate, GameError> {
    if orders.is_empty() {
        return Err(GameError::NoPermutations);
    }
    let (mut sum, mut sum_sq) = (vec![0.0; n], vec![0.0; n]);
    for order in orders {
        let mut s = Coalition::empty();
        let mut before = 0.0;
        for &i in order {
            s.insert(i);
            let after = cost(&s);
            let m = after - before;
            sum[i] += m;
            sum_sq[i] += m * m;
            before = after;
        }
    }
    let k = orders.len() as f64;
    let value: Vec<f64> = sum.iter().map(|s| s / k).collect();
    let std_error = (0..n)
        .map(|i| {
            if orders.len() < 2 {
                return f64::NAN;
            }
            let var = ((sum_sq[i] - k * value[i] * value[i]) / (k - 1.0)).max(0.0);
            (var / k).sqrt()
        })
        .collect();
    Ok(ShapleyEstimate { value, std_error })
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
/// `S` in `coalitions` at most `c(S)` (within `tolerance`). Returns the
/// coalitions that would be better off alone.
pub fn core_violations(
    allocation: &[f64],
    coalitions: &[(Coalition, f64)],
    tolerance: f64,
) -> Vec<CoreViolation> {
    coalitions
        .iter()
        .filter_map(|(s, c)| {
            let charged: f64 = s.members().iter().map(|&i| allocation[i]).sum();
            (charged > c + tolerance).then(|| CoreViolation {
                players: s.members().to_vec(),
                charged,
                alone: *c,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-made 3-borough game: alone 100, 80, 60; pairs AB 150, AC 130,
    /// BC 120; all three 180.
    fn cost(s: &Coalition) -> f64 {
        match s.members() {
            [0] => 100.0,
            [1] => 80.0,
            [2] => 60.0,
            [0, 1] => 150.0,
            [0, 2] => 130.0,
            [1, 2] => 120.0,
            [0, 1, 2] => 180.0,
            _ => 0.0,
        }
    }

    fn table() -> Vec<(Coalition, f64)> {
        all_coalitions(3)
            .unwrap()
            .into_iter()
            .map(|s| {
                let c = cost(&s);
                (s, c)
            })
            .collect()
    }

    #[test]
    fn exact_shapley_matches_hand_computation() {
        // φ_A = 1/3·100 + 1/6·(150−80) + 1/6·(130−60) + 1/3·(180−120) = 76.667
        // φ_B = 1/3·80 + 1/6·(150−100) + 1/6·(120−60) + 1/3·(180−130) = 61.667
        // φ_C = 1/3·60 + 1/6·(130−100) + 1/6·(120−80) + 1/3·(180−150) = 41.667
        let phi = shapley_exact(3, &mut cost).unwrap().value;
        let want = [76.0 + 2.0 / 3.0, 61.0 + 2.0 / 3.0, 41.0 + 2.0 / 3.0];
        for (a, b) in phi.iter().zip(want) {
            assert!((a - b).abs() < 1e-9, "{phi:?}");
        }
        assert!((phi.iter().sum::<f64>() - 180.0).abs() < 1e-9);
        assert!(core_violations(&phi, &table(), 1e-9).is_empty());
        assert_eq!(table().len(), 7);
    }

    #[test]
    fn exact_shapley_refuses_too_many_players_without_panicking() {
        let err = shapley_exact(33, &mut |_| 1.0).unwrap_err();
        assert_eq!(err, GameError::TooManyPlayers(33));
        assert!(err.to_string().contains("at most 20"), "{err}");
        assert!(all_coalitions(21).is_err());
    }

    #[test]
    fn sampled_shapley_converges_with_an_honest_error() {
        let orders = random_orders(3, 6000, 7);
        let est = shapley_sampled(3, &orders, &mut cost).unwrap();
        assert!(
            (est.value.iter().sum::<f64>() - 180.0).abs() < 1e-9,
            "efficiency holds for every sample"
        );
        let exact = shapley_exact(3, &mut cost).unwrap().value;
        for i in 0..3 {
            let err = (est.value[i] - exact[i]).abs();
            assert!(est.std_error[i] > 0.0 && est.std_error[i] < 1.0, "{est:?}");
            assert!(err < 4.0 * est.std_error[i], "{est:?} vs {exact:?}");
        }
        assert_eq!(est, shapley_sampled(3, &orders, &mut cost).unwrap());
        assert_eq!(prefixes(&orders).len(), 7, "every coalition is some prefix");
    }

    #[test]
    fn sampled_shapley_over_33_players() {
        // Additive game: each player's share is its own cost, whatever the order.
        let n = 33;
        let orders = random_orders(n, 10, 3);
        let est = shapley_sampled(n, &orders, &mut |s| {
            s.members().iter().map(|&i| i as f64 + 1.0).sum()
        })
        .unwrap();
        for i in 0..n {
            assert!((est.value[i] - (i as f64 + 1.0)).abs() < 1e-9);
            assert!(est.std_error[i].abs() < 1e-9);
        }
        assert!(shapley_sampled(n, &[], &mut |_| 0.0).is_err());
    }

    #[test]
    fn core_check_catches_an_allocation_outside_the_core() {
        // Charging C 70 > its stand-alone 60.
        let v = core_violations(&[60.0, 50.0, 70.0], &table(), 1e-9);
        assert!(
            v.iter()
                .any(|x| x.players == vec![2] && x.charged == 70.0 && x.alone == 60.0),
            "{v:?}"
        );
        // A game with an empty core: pairs are very cheap, the triple is not.
        let mut cheap_pairs = |s: &Coalition| match s.len() {
            1 | 2 => 100.0,
            _ => 170.0,
        };
        let coalitions: Vec<(Coalition, f64)> = all_coalitions(3)
            .unwrap()
            .into_iter()
            .map(|s| {
                let c = cheap_pairs(&s);
                (s, c)
            })
            .collect();
        let phi = shapley_exact(3, &mut cheap_pairs).unwrap().value;
        assert!(
            !core_violations(&phi, &coalitions, 1e-9).is_empty(),
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
