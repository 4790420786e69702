//! Capacity: every linear capacity rule of the vehicle type holds at every
//! moment of the route (delivery-only requests are on board from the start).

use super::Seq;
use crate::eval::Prep;
use crate::{Instance, Violation};

/// Preparation: `(qrule, limits)`, with `qrule[vt][k * nreq + r]` the value
/// of rule `k` of type `vt` for request `r`'s load and `limits[vt][k]` its
/// right-hand side.
pub(crate) fn prepare(inst: &Instance) -> (Vec<Vec<i32>>, Vec<Vec<i32>>) {
    let nreq = inst.requests.len();
    let mut qrule = Vec::with_capacity(inst.vehicle_types.len());
    let mut limits = Vec::with_capacity(inst.vehicle_types.len());
    for vt in &inst.vehicle_types {
        let mut q = vec![0; vt.capacity.len() * nreq];
        for (k, rule) in vt.capacity.iter().enumerate() {
            for (r, req) in inst.requests.iter().enumerate() {
                q[k * nreq + r] = rule
                    .coef
                    .iter()
                    .zip(req.load.iter())
                    .map(|(a, b)| a * b)
                    .sum();
            }
        }
        qrule.push(q);
        limits.push(vt.capacity.iter().map(|c| c.limit).collect());
    }
    (qrule, limits)
}

/// Whether request `r` alone fits an empty vehicle of type `vt`.
pub(crate) fn fits_alone(p: &Prep, r: usize, vt: usize) -> bool {
    let lim = &p.limits[vt];
    (0..lim.len()).all(|k| p.qrule[vt][k * p.nreq + r] <= lim[k])
}

/// Exact check of the whole sequence; `load` is a reusable buffer.
#[inline]
pub(crate) fn check(p: &Prep, seq: &Seq, load: &mut Vec<i32>) -> Option<Violation> {
    let vt = seq.vt;
    let lim = &p.limits[vt];
    let q = &p.qrule[vt];
    let nr = lim.len();
    load.clear();
    load.resize(nr, 0);
    for &n in seq.nodes {
        let (n, r) = (n as usize, n as usize / 2);
        if n % 2 == 1 && !p.has_p[r] {
            for (k, l) in load.iter_mut().enumerate() {
                *l += q[k * p.nreq + r];
            }
        }
    }
    let ok = |load: &[i32]| load.iter().zip(lim).all(|(l, m)| l <= m);
    if !ok(load) {
        return Some(Violation::Capacity);
    }
    for &n in seq.nodes {
        let (n, r) = (n as usize, n as usize / 2);
        let sign = if n % 2 == 0 { 1 } else { -1 };
        for (k, l) in load.iter_mut().enumerate() {
            *l += sign * q[k * p.nreq + r];
        }
        if sign > 0 && !ok(load) {
            return Some(Violation::Capacity);
        }
    }
    None
}

/// Cached summary: the rule values on board after each position of the
/// route `nodes` (0 = start depot, `m + 1` = end depot), `rv[k * nr + rule]`.
pub(crate) fn summary(p: &Prep, vt: usize, nodes: &[u32]) -> Vec<i32> {
    let q = &p.qrule[vt];
    let nr = p.limits[vt].len();
    let np = nodes.len() + 2;
    let mut rv = vec![0; np * nr];
    let mut cur = [0i32; 16];
    assert!(nr <= 16, "at most 16 capacity rules per vehicle type");
    let cur = &mut cur[..nr];
    for &n in nodes {
        let (n, r) = (n as usize, n as usize / 2);
        if n % 2 == 1 && !p.has_p[r] {
            for (x, c) in cur.iter_mut().enumerate() {
                *c += q[x * p.nreq + r];
            }
        }
    }
    for k in 0..np {
        if k > 0 && k <= nodes.len() {
            let n = nodes[k - 1] as usize;
            let r = n / 2;
            let s = if n % 2 == 0 { 1 } else { -1 };
            for (x, c) in cur.iter_mut().enumerate() {
                *c += s * q[x * p.nreq + r];
            }
        }
        rv[k * nr..(k + 1) * nr].copy_from_slice(cur);
    }
    rv
}

/// Pre-filter from the summary `rv`: a load with rule values `q` fits on
/// board after position `k`.
#[inline]
pub(crate) fn fits_at(rv: &[i32], k: usize, q: &[i32], lim: &[i32]) -> bool {
    let nr = q.len();
    let row = &rv[k * nr..(k + 1) * nr];
    row.iter().zip(q).zip(lim).all(|((a, b), l)| a + b <= *l)
}
