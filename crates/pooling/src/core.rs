//! The least core: the split of the pooled cost that keeps the largest
//! possible margin for every group of boroughs, found by a small linear
//! programme (`good_lp` with its pure-Rust `microlp` backend).
//!
//! The core of a cost game is the set of splits `x` of the grand
//! coalition's cost `c(N)` that charge no coalition `S` more than it would
//! pay on its own: `Σ_{i∈S} x_i ≤ c(S)`. It can be empty (when pairs of
//! boroughs pool very well but all of them together pool less well). The
//! least core relaxes every constraint by the smallest `ε` that makes the
//! set non-empty: `min ε` subject to `Σ_{i∈S} x_i ≤ c(S) + ε` for every
//! proper coalition costed and `Σ x_i = c(N)`. `ε ≤ 0` means the core is not
//! empty (and `−ε` is the smallest margin every group keeps). Among the
//! least-core splits we take the one closest to the Shapley value (least
//! total absolute difference, a second LP), so the two are easy to compare.

use crate::coalition::Coalition;
use good_lp::{
    constraint, microlp, variable, variables, Expression, Solution, SolverModel, Variable,
};
use serde::{Deserialize, Serialize};

/// A least-core split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeastCore {
    /// The smallest relaxation `ε` (£/day) of the core constraints that
    /// admits a split; positive means the core is empty.
    pub epsilon: f64,
    /// The least-core split closest to the reference split (Shapley).
    pub allocation: Vec<f64>,
}

/// The least core of the game with grand cost `grand` over the proper
/// coalitions `coalitions` (those costed), with the split closest to
/// `reference` (one entry per player).
pub fn least_core(
    grand: f64,
    coalitions: &[(Coalition, f64)],
    reference: &[f64],
) -> Result<LeastCore, String> {
    let n = reference.len();
    let proper: Vec<&(Coalition, f64)> = coalitions
        .iter()
        .filter(|(s, _)| !s.is_empty() && s.len() < n)
        .collect();
    let lhs =
        |x: &[Variable], s: &Coalition| -> Expression { s.members().iter().map(|&i| x[i]).sum() };
    // Stage 1: the smallest ε.
    let epsilon = {
        let mut vars = variables!();
        let eps = vars.add(variable());
        let x: Vec<Variable> = (0..n).map(|_| vars.add(variable())).collect();
        let mut model = vars.minimise(eps).using(microlp);
        let total: Expression = x.iter().copied().sum();
        model = model.with(constraint!(total == grand));
        for (s, c) in &proper {
            model = model.with(constraint!(lhs(&x, s) - eps <= *c));
        }
        let sol = model.solve().map_err(|e| format!("least-core LP: {e}"))?;
        sol.value(eps)
    };
    // Stage 2: within the least core (ε held, with a hair of slack for
    // rounding), the split closest to the reference.
    let slack = 1e-7 * (1.0 + grand.abs());
    let mut vars = variables!();
    let x: Vec<Variable> = (0..n).map(|_| vars.add(variable())).collect();
    let t: Vec<Variable> = (0..n).map(|_| vars.add(variable().min(0.0))).collect();
    let objective: Expression = t.iter().copied().sum();
    let mut model = vars.minimise(objective).using(microlp);
    let total: Expression = x.iter().copied().sum();
    model = model.with(constraint!(total == grand));
    for (s, c) in &proper {
        model = model.with(constraint!(lhs(&x, s) <= *c + epsilon + slack));
    }
    for i in 0..n {
        model = model.with(constraint!(t[i] - x[i] >= -reference[i]));
        model = model.with(constraint!(t[i] + x[i] >= reference[i]));
    }
    let sol = model
        .solve()
        .map_err(|e| format!("least-core LP (closest split): {e}"))?;
    Ok(LeastCore {
        epsilon,
        allocation: x.iter().map(|&v| sol.value(v)).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::game::{all_coalitions, core_violations};

    fn game(f: impl Fn(&Coalition) -> f64) -> Vec<(Coalition, f64)> {
        all_coalitions(3)
            .unwrap()
            .into_iter()
            .map(|s| {
                let c = f(&s);
                (s, c)
            })
            .collect()
    }

    #[test]
    fn empty_core_has_a_positive_epsilon_and_a_balanced_split() {
        // Singles 100, pairs 100, all three 170: any split charges some pair
        // at least 2/3 · 170 = 113.3, so ε = 13.33 and x = (56.67, 56.67, 56.67).
        let g = game(|s| if s.len() < 3 { 100.0 } else { 170.0 });
        let lc = least_core(170.0, &g, &[60.0, 55.0, 55.0]).unwrap();
        assert!((lc.epsilon - 40.0 / 3.0).abs() < 1e-6, "{lc:?}");
        for x in &lc.allocation {
            assert!((x - 170.0 / 3.0).abs() < 1e-3, "{lc:?}");
        }
    }

    #[test]
    fn non_empty_core_keeps_a_split_in_the_core() {
        let g = game(|s| match s.members() {
            [0] => 100.0,
            [1] => 80.0,
            [2] => 60.0,
            [0, 1] => 150.0,
            [0, 2] => 130.0,
            [1, 2] => 120.0,
            _ => 180.0,
        });
        let shapley = [76.0 + 2.0 / 3.0, 61.0 + 2.0 / 3.0, 41.0 + 2.0 / 3.0];
        let lc = least_core(180.0, &g, &shapley).unwrap();
        assert!(lc.epsilon < 0.0, "{lc:?}");
        assert!(core_violations(&lc.allocation, &g, 1e-6).is_empty());
        assert!((lc.allocation.iter().sum::<f64>() - 180.0).abs() < 1e-6);
    }
}
