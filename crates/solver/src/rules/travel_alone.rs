//! Travel alone: while a travel-alone request is on board, nobody else is.

use super::Seq;
use crate::eval::Prep;
use crate::Violation;

/// Exact check of the whole sequence (delivery-only requests are on board
/// from the start).
#[inline]
pub(crate) fn check(p: &Prep, seq: &Seq) -> Option<Violation> {
    let mut onboard = 0i32;
    let mut alone_on = 0i32;
    for &n in seq.nodes {
        let (n, r) = (n as usize, n as usize / 2);
        if n % 2 == 1 && !p.has_p[r] {
            onboard += 1;
            alone_on += p.alone[r] as i32;
        }
    }
    if alone_on > 0 && onboard > 1 {
        return Some(Violation::TravelAlone);
    }
    for &n in seq.nodes {
        let (n, r) = (n as usize, n as usize / 2);
        let sign = if n % 2 == 0 { 1 } else { -1 };
        onboard += sign;
        if p.alone[r] {
            alone_on += sign;
        }
        if alone_on > 0 && onboard > 1 {
            return Some(Violation::TravelAlone);
        }
    }
    None
}

/// Cached summary: after each position `k` of the route `nodes` (0 = start
/// depot, `m + 1` = end depot), `at(k, on_board, alone)` with the number of
/// requests on board and whether a travel-alone request is among them.
/// Insertion skips positions where a travel-alone request is on board, and
/// places a travel-alone request only where nobody is.
pub(crate) fn summary(p: &Prep, nodes: &[u32], mut at: impl FnMut(usize, u16, bool)) {
    let mut ob = 0i32;
    let mut al = 0i32;
    for &n in nodes {
        let (n, r) = (n as usize, n as usize / 2);
        if n % 2 == 1 && !p.has_p[r] {
            ob += 1;
            al += p.alone[r] as i32;
        }
    }
    for k in 0..nodes.len() + 2 {
        if k > 0 && k <= nodes.len() {
            let n = nodes[k - 1] as usize;
            let r = n / 2;
            let s = if n % 2 == 0 { 1 } else { -1 };
            ob += s;
            if p.alone[r] {
                al += s;
            }
        }
        at(k, ob.max(0) as u16, al > 0);
    }
}
