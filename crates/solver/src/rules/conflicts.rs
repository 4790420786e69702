//! Conflicts: two requests that must not travel together are never on the
//! same route.

use super::Seq;
use crate::eval::Prep;
use crate::{Instance, Violation};

/// Preparation: each request's conflicting requests, both ways, sorted.
pub(crate) fn prepare(inst: &Instance) -> Vec<Vec<usize>> {
    let mut conflicts = vec![Vec::new(); inst.requests.len()];
    for (r, req) in inst.requests.iter().enumerate() {
        for &c in &req.conflicts {
            if c != r {
                conflicts[r].push(c);
                conflicts[c].push(r);
            }
        }
    }
    for c in &mut conflicts {
        c.sort_unstable();
        c.dedup();
    }
    conflicts
}

/// Exact check at node `n`.
#[inline]
pub(crate) fn check_node(p: &Prep, seq: &Seq, n: usize) -> Option<Violation> {
    p.conflicts[n / 2]
        .iter()
        .any(|&c| seq.has(2 * c) || seq.has(2 * c + 1))
        .then_some(Violation::Conflict)
}

/// Pre-filter: no request on the route (`on_route`) conflicts with `r`,
/// `except` aside.
#[inline]
pub(crate) fn admits(
    p: &Prep,
    r: usize,
    except: Option<usize>,
    on_route: impl Fn(usize) -> bool,
) -> bool {
    !p.conflicts[r]
        .iter()
        .any(|&c| Some(c) != except && on_route(c))
}
