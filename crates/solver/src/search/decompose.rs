//! Decomposition of large problems for parallel search (after POPMUSIC):
//! at the start of each epoch the incumbent's routes are split into one
//! region per worker, each region a cluster of neighbouring routes grown
//! from a random seed route over the granular neighbourhoods. Each worker
//! then changes only its region's routes and requests, with its share of
//! the free vehicles and spare route slots, so the workers' results combine
//! into one valid plan of the whole problem. The seeds are new every epoch,
//! so the seams between regions move and are re-optimised.

use super::context::Ctx;
use super::solution::Sol;
use super::worker::Region;
use super::NONE;
use crate::rng::Rng;

/// Neighbours of each request that make two routes adjacent.
const ADJACENCY: usize = 8;

/// One worker's part of an epoch.
pub(crate) struct Part {
    pub region: Region,
    /// Spare slots for new routes.
    pub spare: Vec<u32>,
    /// Vehicles of each type the worker may have in use.
    pub vt_cap: Vec<usize>,
}

/// Splits `sol` into `parts` regions of about equal route counts. `sol`
/// grows by spare slots as needed. `None` when there are too few routes to
/// split.
pub(crate) fn split(ctx: &Ctx, sol: &mut Sol, parts: usize, rng: &mut Rng) -> Option<Vec<Part>> {
    let p = &ctx.p;
    let routes: Vec<usize> = sol
        .iter_routes()
        .map(|(s, _)| s)
        .filter(|&s| s >= ctx.n_fixed)
        .collect();
    if parts < 2 || routes.len() < 4 * parts {
        return None;
    }
    // ---- regions by breadth-first growth over route adjacency
    let mut owner = vec![u32::MAX; sol.routes.len()];
    let target = routes.len() / parts;
    let mut assigned = 0;
    for part in 0..parts - 1 {
        let mut size = 0;
        let mut queue: std::collections::VecDeque<usize> = Default::default();
        while size < target {
            let Some(s) = queue.pop_front() else {
                // a new seed among the routes still unowned
                let free: Vec<usize> = routes
                    .iter()
                    .copied()
                    .filter(|&s| owner[s] == u32::MAX)
                    .collect();
                if free.is_empty() {
                    break;
                }
                let s = free[rng.below(free.len())];
                owner[s] = part as u32;
                size += 1;
                queue.push_back(s);
                continue;
            };
            for r in sol.routes[s].requests(p) {
                for &c in ctx.neigh[r].iter().take(ADJACENCY) {
                    let t = sol.route_of[c as usize];
                    if t != NONE
                        && t as usize >= ctx.n_fixed
                        && owner[t as usize] == u32::MAX
                        && size < target
                    {
                        owner[t as usize] = part as u32;
                        size += 1;
                        queue.push_back(t as usize);
                    }
                }
            }
        }
        assigned += size;
    }
    for &s in &routes {
        if owner[s] == u32::MAX {
            owner[s] = (parts - 1) as u32;
            assigned += 1;
        }
    }
    debug_assert_eq!(assigned, routes.len());
    // ---- requests: those on a region's routes; unassigned ones go with
    // their nearest routed neighbour (else round robin)
    let nreq = p.nreq;
    let mut req_owner = vec![u32::MAX; nreq];
    for &s in &routes {
        for r in sol.routes[s].requests(p) {
            req_owner[r] = owner[s];
        }
    }
    for (k, &r) in sol.unassigned.iter().enumerate() {
        let near = ctx.neigh[r]
            .iter()
            .map(|&c| sol.route_of[c as usize])
            .find(|&t| t != NONE);
        req_owner[r] = match near {
            Some(t) => owner[t as usize],
            None => (k % parts) as u32,
        };
    }
    // ---- spare slots: vacant slots first, then new ones
    let per_part = 8 + routes.len() / parts / 4;
    let mut vacant: Vec<u32> = (0..sol.routes.len())
        .filter(|&s| sol.routes[s].is_empty())
        .map(|s| s as u32)
        .collect();
    let need = per_part * parts;
    if vacant.len() < need {
        let first = sol.routes.len();
        sol.grow(first + need - vacant.len());
        vacant.extend((first..sol.routes.len()).map(|s| s as u32));
    }
    owner.resize(sol.routes.len(), u32::MAX);
    // ---- free vehicles shared out
    let nvt = p.nvt();
    let mut out: Vec<Part> = (0..parts)
        .map(|_| Part {
            region: Region {
                slot_ok: vec![false; sol.routes.len()],
                req_ok: vec![false; nreq],
                requests: Vec::new(),
            },
            spare: Vec::new(),
            vt_cap: vec![0; nvt],
        })
        .collect();
    for (k, chunk) in vacant.chunks(per_part).take(parts).enumerate() {
        for &s in chunk {
            out[k].region.slot_ok[s as usize] = true;
            out[k].spare.push(s);
        }
    }
    for &s in &routes {
        out[owner[s] as usize].region.slot_ok[s] = true;
    }
    for r in 0..nreq {
        if req_owner[r] != u32::MAX {
            let part = &mut out[req_owner[r] as usize].region;
            part.req_ok[r] = true;
            if sol.route_of[r] != NONE {
                part.requests.push(r as u32);
            }
        }
    }
    for vt in 0..nvt {
        let count = p.inst.vehicle_types[vt].count;
        let free = count.saturating_sub(sol.used[vt]);
        for (k, part) in out.iter_mut().enumerate() {
            let share = free / parts + usize::from(k < free % parts);
            part.vt_cap[vt] = sol.used[vt] + share;
        }
    }
    Some(out)
}

/// Puts each worker's result for its region into `into` (the incumbent the
/// regions were split from): the region's routes and spare slots, and the
/// region's requests left unassigned.
pub(crate) fn merge(into: &mut Sol, results: &[(&Sol, &Region)]) {
    let mut unassigned: Vec<usize> = Vec::new();
    for (sol, region) in results {
        into.grow(sol.routes.len());
        for (s, ok) in region.slot_ok.iter().enumerate() {
            if *ok {
                let (mine, theirs) = (&sol.routes[s], &into.routes[s]);
                if mine.vt != theirs.vt || mine.nodes != theirs.nodes {
                    into.set_route(s, mine.clone());
                }
            }
        }
        unassigned.extend(sol.unassigned.iter().copied().filter(|&r| region.req_ok[r]));
    }
    into.unassigned = unassigned;
    into.refresh_cost();
    into.forget_changes();
}
