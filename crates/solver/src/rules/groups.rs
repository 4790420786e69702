//! Groups per route: a route carries requests of at most
//! [`crate::VehicleType::max_groups`] distinct groups (e.g. operators cap
//! mixed-school runs at two schools).

use super::Seq;
use crate::eval::Prep;
use crate::{Instance, Violation};

/// A request of no group.
pub(crate) const NO_GROUP: u32 = u32::MAX;

/// Preparation: the group of each request ([`NO_GROUP`] for none) and the
/// limit of each vehicle type (`usize::MAX` for none).
pub(crate) fn prepare(inst: &Instance) -> (Vec<u32>, Vec<usize>) {
    let group = inst
        .requests
        .iter()
        .map(|r| {
            r.group
                .map_or(NO_GROUP, |g| g.min(NO_GROUP as usize - 1) as u32)
        })
        .collect();
    let max = inst
        .vehicle_types
        .iter()
        .map(|v| v.max_groups.unwrap_or(usize::MAX))
        .collect();
    (group, max)
}

/// The distinct groups of the requests at `nodes`, sorted, into `out`.
fn distinct(p: &Prep, nodes: &[u32], out: &mut Vec<u32>) {
    out.clear();
    out.extend(
        nodes
            .iter()
            .map(|&n| p.group[n as usize / 2])
            .filter(|&g| g != NO_GROUP),
    );
    out.sort_unstable();
    out.dedup();
}

/// Exact check of the whole sequence; `buf` is a reusable buffer.
#[inline]
pub(crate) fn check(p: &Prep, seq: &Seq, buf: &mut Vec<u32>) -> Option<Violation> {
    let max = p.max_groups[seq.vt];
    if max == usize::MAX {
        return None;
    }
    distinct(p, seq.nodes, buf);
    (buf.len() > max).then_some(Violation::Groups)
}

/// Cached summary: the route's distinct groups, sorted (empty when its
/// type has no limit: nothing to filter).
pub(crate) fn summary(p: &Prep, vt: usize, nodes: &[u32]) -> Vec<u32> {
    let mut out = Vec::new();
    if p.max_groups[vt] != usize::MAX {
        distinct(p, nodes, &mut out);
    }
    out
}

/// Pre-filter: request `r` can join a route of type `vt` whose groups are
/// `groups` ([`summary`]) without exceeding the limit.
#[inline]
pub(crate) fn admits(p: &Prep, groups: &[u32], vt: usize, r: usize) -> bool {
    let max = p.max_groups[vt];
    let g = p.group[r];
    max == usize::MAX || g == NO_GROUP || groups.len() < max || groups.binary_search(&g).is_ok()
}
