//! Precedence: a request's pickup and delivery are both on the route (or
//! both absent, for the stops it has), the pickup first.

use super::Seq;
use crate::eval::Prep;
use crate::Violation;

/// Exact check at node `n` (duplicated nodes are caught before, when the
/// position map is built).
#[inline]
pub(crate) fn check_node(p: &Prep, seq: &Seq, n: usize) -> Option<Violation> {
    let r = n / 2;
    let (pp, dp) = (seq.pos_of[2 * r], seq.pos_of[2 * r + 1]);
    if p.has_p[r] != (pp != usize::MAX) || p.has_d[r] != (dp != usize::MAX) {
        return Some(Violation::Precedence);
    }
    if pp != usize::MAX && dp != usize::MAX && pp > dp {
        return Some(Violation::Precedence);
    }
    None
}
