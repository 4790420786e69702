//! Features and allowed vehicle types: a request rides only on a vehicle
//! type that has every feature it requires and is one of the types it
//! allows.

use super::Seq;
use crate::eval::Prep;
use crate::{Instance, Violation};

/// Preparation: `feat_ok[r * nvt + vt]`, the type has the request's
/// features and is one of its allowed types.
pub(crate) fn prepare(inst: &Instance) -> Vec<bool> {
    let nvt = inst.vehicle_types.len();
    let mut ok = vec![false; inst.requests.len() * nvt];
    for (r, req) in inst.requests.iter().enumerate() {
        for (v, vt) in inst.vehicle_types.iter().enumerate() {
            let allowed = req.vehicle_types.as_ref().is_none_or(|t| t.contains(&v));
            ok[r * nvt + v] =
                req.required_features & vt.features == req.required_features && allowed;
        }
    }
    ok
}

/// Exact check at node `n`.
#[inline]
pub(crate) fn check_node(p: &Prep, seq: &Seq, n: usize) -> Option<Violation> {
    (!p.feat_ok[(n / 2) * p.nvt() + seq.vt]).then_some(Violation::Features)
}

/// Pre-filter: request `r` may ride on type `vt` at all (features, allowed
/// types, and an empty vehicle's capacity: `Prep::compat`).
#[inline]
pub(crate) fn admits(p: &Prep, r: usize, vt: usize) -> bool {
    p.compat[r * p.nvt() + vt]
}
