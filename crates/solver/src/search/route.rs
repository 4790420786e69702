//! A route and its cached summaries for fast insertion checks.

use crate::eval::{evaluate, Prep, Scratch, INF};
use crate::rules;
use crate::Violation;

/// Cached data of one route position.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pos {
    pub(crate) loc: usize,
    /// Earliest start of service (forward pass).
    pub(crate) early: f64,
    /// Service time.
    pub(crate) serv: f64,
    /// Latest start of service keeping the remainder window-feasible.
    pub(crate) late: f64,
    /// Requests on board after the position.
    pub(crate) onboard: u16,
    /// A travel-alone request is on board after the position.
    pub(crate) alone: bool,
    /// Smallest ride-time slack (limit minus travel and service time from
    /// pickup departure to delivery arrival) of the requests on board on
    /// the edge to the next position; INF if none (or not needed).
    pub(crate) ride_slack: f64,
    /// Travel time and distance to the next position (0 after the last).
    pub(crate) t_next: f64,
    pub(crate) d_next: f64,
}

/// Cached per-route data for O(1) / O(route length) insertion checks.
///
/// The insertion scans stop at the first position from which a stop's
/// window can no longer be met; under the triangle inequality on durations
/// (Euclidean or shortest-path matrices) later positions cannot meet it
/// either. Without it some feasible positions may be skipped, but an
/// infeasible insertion is never accepted.
#[derive(Clone, Debug)]
pub(crate) struct RouteState {
    pub vt: usize,
    pub nodes: Vec<u32>,
    /// Per-position summaries (0 = start depot, m+1 = end depot).
    pub(crate) pos: Vec<Pos>,
    /// Capacity-rule values after each position: `rv[k * nr + rule]`.
    pub(crate) rv: Vec<i32>,
    /// Maximum duty minus the route's travel and service time (INF if no
    /// limit or not needed).
    pub(crate) dur_slack: f64,
    /// The route's distinct request groups, sorted, when its type limits
    /// them (`rules::groups::summary`).
    pub(crate) groups: Vec<u32>,
    pub cost: f64,
    /// Built since the worker last harvested routes for the pool.
    pub fresh: bool,
}

impl RouteState {
    /// The one constructor of a route state: runs the exact evaluation of
    /// the whole sequence and refuses the route if any rule is broken, so a
    /// solution can only ever hold routes that the exact check accepts
    /// (whatever the travel-time matrix: nothing here assumes the triangle
    /// inequality). Then builds the insertion caches.
    pub(crate) fn build(
        p: &Prep,
        vt: usize,
        nodes: Vec<u32>,
        sc: &mut Scratch,
    ) -> Result<RouteState, Violation> {
        let cost = if nodes.is_empty() {
            0.0
        } else {
            let ev = evaluate(p, vt, &nodes, sc);
            if let Some(v) = ev.violation {
                return Err(v);
            }
            ev.cost
        };
        let v = &p.inst.vehicle_types[vt];
        let m = nodes.len();
        let np = m + 2;
        // (location, open, close, service) of position k
        let at = |k: usize| -> (usize, f64, f64, f64) {
            if k == 0 {
                (v.start_location, v.shift_open, v.shift_close, 0.0)
            } else if k == np - 1 {
                (v.end_location, v.shift_open, v.shift_close, 0.0)
            } else {
                let n = nodes[k - 1] as usize;
                (
                    p.node_loc[n],
                    p.node_open[n],
                    p.node_close[n],
                    p.node_serv[n],
                )
            }
        };
        let mut pos = Vec::with_capacity(np);
        for k in 0..np {
            let (loc, open, _, serv) = at(k);
            let early = if k == 0 {
                v.shift_open
            } else {
                let prev: &Pos = &pos[k - 1];
                let a = prev.early + prev.serv + p.t(prev.loc, loc);
                if a > open {
                    a
                } else {
                    open
                }
            };
            pos.push(Pos {
                loc,
                early,
                serv,
                late: 0.0,
                onboard: 0,
                alone: false,
                ride_slack: INF,
                t_next: 0.0,
                d_next: 0.0,
            });
        }
        for k in 0..np - 1 {
            let (a, b) = (pos[k].loc, pos[k + 1].loc);
            pos[k].t_next = p.t(a, b);
            pos[k].d_next = p.d(a, b);
        }
        pos[np - 1].late = v.shift_close;
        for k in (0..np - 1).rev() {
            let close = at(k).2;
            let l = pos[k + 1].late - pos[k].t_next - pos[k].serv;
            pos[k].late = if l < close { l } else { close };
        }
        // the cached summaries of the sequence rules (`crate::rules`)
        let rv = rules::capacity::summary(p, vt, &nodes);
        rules::travel_alone::summary(p, &nodes, |k, onboard, alone| {
            pos[k].onboard = onboard;
            pos[k].alone = alone;
        });
        // ride and duty lower bounds (travel + service, no waiting)
        let mut dur_slack = INF;
        if p.complex && m > 0 {
            let mut cum = Vec::with_capacity(np);
            cum.push(0.0);
            for k in 1..np {
                let c = cum[k - 1] + pos[k - 1].serv + p.t(pos[k - 1].loc, pos[k].loc);
                cum.push(c);
            }
            if let Some(md) = v.max_duration {
                dur_slack = md - cum[np - 1];
            }
            if p.ride_sched {
                for (b, &n) in nodes.iter().enumerate() {
                    let r = n as usize / 2;
                    if n % 2 == 0 || !p.has_p[r] || p.max_ride[r] == INF {
                        continue;
                    }
                    let b = b + 1;
                    let Some(a) = nodes.iter().position(|&x| x as usize == 2 * r) else {
                        continue;
                    };
                    let a = a + 1;
                    let slack = p.max_ride[r] - (cum[b] - cum[a] - pos[a].serv);
                    for ps in &mut pos[a..b] {
                        if slack < ps.ride_slack {
                            ps.ride_slack = slack;
                        }
                    }
                }
            }
        }
        let groups = rules::groups::summary(p, vt, &nodes);
        Ok(RouteState {
            vt,
            nodes,
            pos,
            rv,
            dur_slack,
            groups,
            cost,
            fresh: true,
        })
    }

    /// Capacity pre-filter: a load with rule values `q` fits on board after
    /// position `k` ([`rules::capacity::fits_at`]).
    #[inline]
    pub(crate) fn fits(&self, k: usize, q: &[i32], lim: &[i32]) -> bool {
        rules::capacity::fits_at(&self.rv, k, q, lim)
    }
}

impl RouteState {
    /// An unused route slot (no stops, no caches); never scanned.
    pub(crate) fn vacant() -> RouteState {
        RouteState {
            vt: 0,
            nodes: Vec::new(),
            pos: Vec::new(),
            rv: Vec::new(),
            dur_slack: INF,
            groups: Vec::new(),
            cost: 0.0,
            fresh: false,
        }
    }

    /// Whether the route has no stops (an unused vehicle).
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Requests on the route, each once (at its first stop).
    pub(crate) fn requests<'s>(&'s self, p: &'s Prep) -> impl Iterator<Item = usize> + 's {
        self.nodes
            .iter()
            .filter(move |&&n| n % 2 == 0 || !p.has_p[n as usize / 2])
            .map(|&n| n as usize / 2)
    }
}
