//! Preprocessed instance data and exact route evaluation (schedule,
//! feasibility, cost) for a fixed visiting sequence.
//!
//! Node ids: request `r` has pickup node `2r` and delivery node `2r + 1`.

use crate::rules;
use crate::{Instance, Schedule, StopTimes, VisitKind};

/// The hard constraint a route (or a request alone) violates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Violation {
    /// Service at a pickup cannot start inside its window.
    PickupWindow,
    /// Service at a delivery cannot start inside its window.
    DeliveryWindow,
    /// The maximum ride time of a request cannot be met.
    RideTime,
    /// The maximum route duration (duty) cannot be met.
    Duty,
    /// The vehicle cannot be back at its end depot before the shift closes.
    Shift,
    /// A capacity rule is exceeded.
    Capacity,
    /// The vehicle lacks a required feature, or its type is not one the
    /// request allows.
    Features,
    /// A travel-alone request shares the vehicle.
    TravelAlone,
    /// Two conflicting requests share the route.
    Conflict,
    /// A pickup is after its delivery or one of the pair is missing.
    Precedence,
    /// More routes of a vehicle type than the fleet has.
    FleetSize,
    /// More distinct request groups (e.g. schools) on the route than its
    /// vehicle type allows.
    Groups,
}

pub(crate) const INF: f64 = f64::INFINITY;
/// What an unreachable pair of locations counts as (time and distance): far
/// beyond any time window or shift, yet finite, so that differences of
/// travel times stay numbers.
pub(crate) const FAR: f64 = 1e7;
/// Rounding allowance of every time comparison (windows, ride times, duty),
/// in the instance's time unit: [`crate::TIME_TOLERANCE`].
const EPS: f64 = crate::TIME_TOLERANCE;

/// Flat per-node and per-request data derived from an [`Instance`].
pub(crate) struct Prep<'a> {
    pub inst: &'a Instance,
    pub node_loc: Vec<usize>,
    pub node_open: Vec<f64>,
    pub node_close: Vec<f64>,
    pub node_serv: Vec<f64>,
    pub has_p: Vec<bool>,
    pub has_d: Vec<bool>,
    /// Max ride per request (INF when none or not a pickup-delivery pair).
    pub max_ride: Vec<f64>,
    /// Ride-time weight per request.
    pub ride_w: Vec<f64>,
    /// `qrule[vt][rule * nreq + r]`: rule value of request r's load.
    pub qrule: Vec<Vec<i32>>,
    pub limits: Vec<Vec<i32>>,
    /// `compat[r * nvt + vt]`: features and capacity allow the request alone.
    pub compat: Vec<bool>,
    /// `feat_ok[r * nvt + vt]`: the type has the request's features and is
    /// one of its allowed types.
    pub feat_ok: Vec<bool>,
    /// `type_pen[r * nvt + vt]`: objective added when the request rides on
    /// the type (its preference penalty, 0 on a preferred type).
    pub type_pen: Vec<f64>,
    /// Some request has a preference penalty.
    pub has_pen: bool,
    pub conflicts: Vec<Vec<usize>>,
    pub alone: Vec<bool>,
    /// Group per request (`rules::groups::NO_GROUP` for none).
    pub group: Vec<u32>,
    /// Most groups per route per vehicle type (`usize::MAX`: no limit).
    pub max_groups: Vec<usize>,
    pub nreq: usize,
    /// Some constraint or cost needs the full eight-step evaluation.
    pub complex: bool,
    /// Whether any request needs ride-time scheduling (limits or weights).
    pub ride_sched: bool,
}

impl<'a> Prep<'a> {
    pub(crate) fn new(inst: &'a Instance) -> Prep<'a> {
        let nreq = inst.requests.len();
        let nvt = inst.vehicle_types.len();
        let mut p = Prep {
            inst,
            node_loc: vec![0; 2 * nreq],
            node_open: vec![0.0; 2 * nreq],
            node_close: vec![INF; 2 * nreq],
            node_serv: vec![0.0; 2 * nreq],
            has_p: vec![false; nreq],
            has_d: vec![false; nreq],
            max_ride: vec![INF; nreq],
            ride_w: vec![0.0; nreq],
            qrule: Vec::new(),
            limits: Vec::new(),
            compat: vec![false; nreq * nvt],
            feat_ok: vec![false; nreq * nvt],
            type_pen: vec![0.0; nreq * nvt],
            has_pen: false,
            conflicts: vec![Vec::new(); nreq],
            alone: vec![false; nreq],
            group: Vec::new(),
            max_groups: Vec::new(),
            nreq,
            complex: false,
            ride_sched: false,
        };
        for (r, req) in inst.requests.iter().enumerate() {
            for (k, s) in [(0, &req.pickup), (1, &req.delivery)] {
                if let Some(s) = s {
                    let n = 2 * r + k;
                    p.node_loc[n] = s.location;
                    p.node_open[n] = s.tw_open;
                    p.node_close[n] = s.tw_close;
                    p.node_serv[n] = s.service;
                }
            }
            p.has_p[r] = req.pickup.is_some();
            p.has_d[r] = req.delivery.is_some();
            let pair = p.has_p[r] && p.has_d[r];
            if pair {
                if let Some(l) = req.max_ride {
                    p.max_ride[r] = l;
                }
                p.ride_w[r] = req.ride_time_weight.unwrap_or(inst.objective.ride_time);
            }
            p.alone[r] = req.travel_alone;
        }
        // the rules' own preparation (see `crate::rules`)
        p.conflicts = rules::conflicts::prepare(inst);
        p.feat_ok = rules::features::prepare(inst);
        (p.qrule, p.limits) = rules::capacity::prepare(inst);
        (p.group, p.max_groups) = rules::groups::prepare(inst);
        for (v, vt) in inst.vehicle_types.iter().enumerate() {
            for (r, req) in inst.requests.iter().enumerate() {
                p.compat[r * nvt + v] =
                    p.feat_ok[r * nvt + v] && rules::capacity::fits_alone(&p, r, v) && vt.count > 0;
                if let Some(pref) = &req.preference {
                    if !pref.vehicle_types.contains(&v) && pref.penalty != 0.0 {
                        p.type_pen[r * nvt + v] = pref.penalty;
                        p.has_pen = true;
                    }
                }
            }
            if vt.max_duration.is_some() || vt.cost_per_duration > 0.0 {
                p.complex = true;
            }
        }
        p.ride_sched = (0..nreq).any(|r| p.max_ride[r] < INF || p.ride_w[r] > 0.0);
        if p.ride_sched {
            p.complex = true;
        }
        p
    }

    /// Travel time; an unreachable pair counts as [`FAR`].
    #[inline]
    pub(crate) fn t(&self, a: usize, b: usize) -> f64 {
        self.inst.matrix.duration(a, b).min(FAR)
    }

    /// Travel distance; an unreachable pair counts as [`FAR`].
    #[inline]
    pub(crate) fn d(&self, a: usize, b: usize) -> f64 {
        self.inst.matrix.distance(a, b).min(FAR)
    }

    pub(crate) fn nvt(&self) -> usize {
        self.inst.vehicle_types.len()
    }
}

/// Result of evaluating one route. A rejected route (`violation` set) has
/// cost `+∞`, so no comparison can ever prefer it.
#[derive(Clone, Debug, Default)]
pub(crate) struct RouteEval {
    pub violation: Option<Violation>,
    pub distance: f64,
    pub duration: f64,
    pub ride: f64,
    pub cost: f64,
}

/// Reusable buffers for [`evaluate`].
#[derive(Default, Clone)]
pub(crate) struct Scratch {
    loc: Vec<usize>,
    open: Vec<f64>,
    close: Vec<f64>,
    serv: Vec<f64>,
    /// For a delivery position: the pickup position (usize::MAX otherwise).
    pair: Vec<usize>,
    lim: Vec<f64>,
    a: Vec<f64>,
    pub b: Vec<f64>,
    w: Vec<f64>,
    d: Vec<f64>,
    pos_of: Vec<usize>,
    load: Vec<i32>,
    groups: Vec<u32>,
}

/// Evaluates route `nodes` on vehicle type `vt`. On success (`violation ==
/// None`) the schedule is left in `sc.b` (start of service per position,
/// position 0 = start depot departure, last = end depot arrival). On failure
/// the cost is `+∞` and the buffers hold no usable schedule.
///
/// The work is proportional to the route's length: the node-to-position
/// map is sized once per [`Scratch`] and only the route's own entries are
/// written and reset.
pub(crate) fn evaluate(p: &Prep, vt: usize, nodes: &[u32], sc: &mut Scratch) -> RouteEval {
    evaluate_as(p, vt, nodes, sc, Mode::Search)
}

/// [`evaluate`], always leaving the complete timetable in the buffers (with
/// the departure delayed as far as useful) for [`schedule_from`]. Without
/// ride-time, duty or duration costs, [`evaluate`] stops after the forward
/// pass, which already decides feasibility and cost.
pub(crate) fn evaluate_schedule(p: &Prep, vt: usize, nodes: &[u32], sc: &mut Scratch) -> RouteEval {
    evaluate_as(p, vt, nodes, sc, Mode::Schedule)
}

/// [`evaluate_schedule`] that goes on when a rule is broken: the first
/// violation found is reported and the buffers still hold the timetable the
/// same steps give (forward pass, departure and pick-ups delayed within
/// their slack), for [`schedule_from`]. For checking a given plan
/// ([`crate::timetables`]). A sequence visiting a node twice has no
/// timetable: `Precedence`, with nothing in the buffers.
pub(crate) fn evaluate_timetable(
    p: &Prep,
    vt: usize,
    nodes: &[u32],
    sc: &mut Scratch,
) -> RouteEval {
    evaluate_as(p, vt, nodes, sc, Mode::Timetable)
}

/// How far [`evaluate_as`] goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Feasibility and cost, as cheaply as possible.
    Search,
    /// Also the complete timetable of a feasible route.
    Schedule,
    /// The complete timetable even of a route that breaks a rule.
    Timetable,
}

fn evaluate_as(p: &Prep, vt: usize, nodes: &[u32], sc: &mut Scratch, mode: Mode) -> RouteEval {
    if nodes.is_empty() {
        return RouteEval::default();
    }
    if sc.pos_of.len() < 2 * p.nreq {
        sc.pos_of.resize(2 * p.nreq, usize::MAX);
    }
    let mut duplicate = false;
    for (k, &n) in nodes.iter().enumerate() {
        let n = n as usize;
        duplicate |= sc.pos_of[n] != usize::MAX;
        sc.pos_of[n] = k + 1;
    }
    let mut ev = if duplicate {
        RouteEval {
            violation: Some(Violation::Precedence),
            ..RouteEval::default()
        }
    } else {
        evaluate_mapped(p, vt, nodes, sc, mode)
    };
    for &n in nodes {
        sc.pos_of[n as usize] = usize::MAX;
    }
    if ev.violation.is_some() {
        ev.cost = INF;
    }
    ev
}

/// [`evaluate`] once `sc.pos_of` maps every node of the route to its
/// position (1-based) and every other node to `usize::MAX`.
fn evaluate_mapped(p: &Prep, vt: usize, nodes: &[u32], sc: &mut Scratch, mode: Mode) -> RouteEval {
    let full = mode != Mode::Search;
    let go_on = mode == Mode::Timetable;
    let v = &p.inst.vehicle_types[vt];
    let m = nodes.len();
    let np = m + 2;
    let mut ev = RouteEval::default();
    // ---- the sequence rules (`crate::rules`), then the preference penalty
    let seq = rules::Seq {
        vt,
        nodes,
        pos_of: &sc.pos_of,
    };
    if let Some(x) = rules::check(p, &seq, &mut sc.load, &mut sc.groups) {
        ev.violation = Some(x);
        if !go_on {
            return ev;
        }
    }
    let mut pen = 0.0;
    if p.has_pen {
        let nvt = p.nvt();
        for &n in nodes {
            let (n, r) = (n as usize, n as usize / 2);
            if n % 2 == 0 || !p.has_p[r] {
                pen += p.type_pen[r * nvt + vt];
            }
        }
    }
    // ---- positional arrays
    sc.loc.clear();
    sc.open.clear();
    sc.close.clear();
    sc.serv.clear();
    sc.pair.clear();
    sc.lim.clear();
    sc.loc.push(v.start_location);
    sc.open.push(v.shift_open);
    sc.close.push(v.shift_close);
    sc.serv.push(0.0);
    sc.pair.push(usize::MAX);
    sc.lim.push(INF);
    for &n in nodes {
        let n = n as usize;
        let r = n / 2;
        sc.loc.push(p.node_loc[n]);
        sc.open.push(p.node_open[n]);
        sc.close.push(p.node_close[n]);
        sc.serv.push(p.node_serv[n]);
        if n % 2 == 1 && p.has_p[r] {
            sc.pair.push(sc.pos_of[2 * r]);
            sc.lim.push(p.max_ride[r]);
        } else {
            sc.pair.push(usize::MAX);
            sc.lim.push(INF);
        }
    }
    sc.loc.push(v.end_location);
    sc.open.push(v.shift_open);
    sc.close.push(v.shift_close);
    sc.serv.push(0.0);
    sc.pair.push(usize::MAX);
    sc.lim.push(INF);
    let mut dist = 0.0;
    for k in 1..np {
        dist += p.d(sc.loc[k - 1], sc.loc[k]);
    }
    ev.distance = dist;
    // ---- step 1-2: forward pass from the earliest departure
    sc.a.clear();
    sc.a.resize(np, 0.0);
    sc.b.clear();
    sc.b.resize(np, 0.0);
    sc.w.clear();
    sc.w.resize(np, 0.0);
    sc.d.clear();
    sc.d.resize(np, 0.0);
    sc.b[0] = sc.open[0];
    sc.a[0] = sc.b[0];
    sc.d[0] = sc.b[0];
    forward(p, sc, 1);
    for k in 1..np {
        if sc.b[k] > sc.close[k] + EPS {
            if !go_on {
                ev.violation = Some(window_violation(nodes, k, np));
                return ev;
            }
            ev.violation = ev.violation.or(Some(window_violation(nodes, k, np)));
            break;
        }
    }
    if !full && !p.complex {
        // No ride-time, duty or duration cost: the remaining steps only
        // delay starts within their slack, changing neither feasibility nor
        // cost (so the duration is not costed).
        ev.duration = sc.b[np - 1] - sc.d[0];
        ev.cost = v.route_cost(dist, 0.0) + pen;
        return ev;
    }
    // ---- steps 3-5: delay the departure by the forward slack
    let maxdur = v.max_duration.unwrap_or(INF);
    let f0 = forward_slack(sc, 0, np, INF);
    let wsum: f64 = sc.w[1..np - 1].iter().sum();
    let shift = f0.min(wsum);
    if shift > 0.0 {
        sc.b[0] += shift;
        sc.d[0] = sc.b[0];
        sc.a[0] = sc.b[0];
        forward_delay(p, sc, 1);
    }
    // ---- steps 6-7: delay pickups to shorten ride times
    if p.ride_sched {
        let end_lim = sc.d[0] + maxdur;
        for j in 1..np - 1 {
            let n = nodes[j - 1] as usize;
            if n % 2 != 0 || !p.has_d[n / 2] {
                continue;
            }
            let fj = forward_slack(sc, j, np, end_lim);
            let ws: f64 = sc.w[j + 1..np - 1].iter().sum();
            let delta = fj.min(ws);
            if delta > 0.0 {
                sc.w[j] += delta;
                sc.b[j] = sc.a[j] + sc.w[j];
                sc.d[j] = sc.b[j] + sc.serv[j];
                forward_delay(p, sc, j + 1);
            }
        }
    }
    // ---- step 8: check
    let mut viol = check_times(sc, np, maxdur);
    if let Some(vv) = viol {
        if matches!(vv, Violation::RideTime | Violation::Duty) {
            // exact fallback
            if exact_schedule(p, sc, np, maxdur) {
                viol = check_times(sc, np, maxdur);
            }
        }
        if let Some(vv) = viol {
            let vv = match vv {
                Violation::PickupWindow => window_violation(nodes, 1, np),
                x => x,
            };
            if !go_on {
                ev.violation = Some(vv);
                return ev;
            }
            ev.violation = ev.violation.or(Some(vv));
        }
    }
    let mut ride = 0.0;
    let mut wride = 0.0;
    for k in 1..np - 1 {
        if sc.pair[k] != usize::MAX {
            let rt = sc.b[k] - sc.d[sc.pair[k]];
            ride += rt;
            wride += rt * p.ride_w[nodes[k - 1] as usize / 2];
        }
    }
    ev.ride = ride;
    ev.duration = sc.b[np - 1] - sc.d[0];
    ev.cost = v.route_cost(dist, ev.duration) + wride + pen;
    ev
}

fn window_violation(nodes: &[u32], k: usize, np: usize) -> Violation {
    if k == np - 1 || k == 0 {
        Violation::Shift
    } else if nodes[k - 1] % 2 == 0 {
        Violation::PickupWindow
    } else {
        Violation::DeliveryWindow
    }
}

/// Checks windows, ride times and duration of the schedule in `sc`;
/// window violations are reported as `PickupWindow` (refined by the caller).
fn check_times(sc: &Scratch, np: usize, maxdur: f64) -> Option<Violation> {
    for k in 1..np {
        if sc.b[k] > sc.close[k] + EPS || sc.b[k] < sc.open[k] - EPS {
            return Some(if k == np - 1 {
                Violation::Shift
            } else {
                Violation::PickupWindow
            });
        }
        if k > 0 && sc.b[k] + EPS < sc.d[k - 1] {
            return Some(Violation::PickupWindow);
        }
        if sc.pair[k] != usize::MAX && sc.b[k] - sc.d[sc.pair[k]] > sc.lim[k] + EPS {
            return Some(Violation::RideTime);
        }
    }
    if sc.b[np - 1] - sc.d[0] > maxdur + EPS {
        return Some(Violation::Duty);
    }
    None
}

/// Recomputes arrival/start/departure from position `from` on.
#[inline]
fn forward(p: &Prep, sc: &mut Scratch, from: usize) {
    for k in from..sc.b.len() {
        let a = sc.d[k - 1] + p.t(sc.loc[k - 1], sc.loc[k]);
        sc.a[k] = a;
        let b = if a > sc.open[k] { a } else { sc.open[k] };
        sc.b[k] = b;
        sc.w[k] = b - a;
        sc.d[k] = b + sc.serv[k];
    }
}

/// Like [`forward`] after a delay at `from - 1` of an already consistent
/// schedule: stops once a start of service is unchanged (waiting absorbed
/// the delay), since everything after it is then unchanged too.
#[inline]
fn forward_delay(p: &Prep, sc: &mut Scratch, from: usize) {
    for k in from..sc.b.len() {
        let a = sc.d[k - 1] + p.t(sc.loc[k - 1], sc.loc[k]);
        sc.a[k] = a;
        let b = if a > sc.open[k] { a } else { sc.open[k] };
        sc.w[k] = b - a;
        if b == sc.b[k] {
            break;
        }
        sc.b[k] = b;
        sc.d[k] = b + sc.serv[k];
    }
}

/// Cordeau & Laporte's forward time slack at position `i`:
/// `min_{i<=j} ( sum_{i<p<=j} W_p + max(0, min(l_j - B_j, L - P_j)) )`, where
/// `P_j` is the ride time of the request delivered at `j` if it was picked up
/// before `i`. `end_lim` additionally bounds the end depot (duty).
fn forward_slack(sc: &Scratch, i: usize, np: usize, end_lim: f64) -> f64 {
    let mut wsum = 0.0;
    let mut best = INF;
    for j in i..np {
        if j > i {
            wsum += sc.w[j];
        }
        let mut s = sc.close[j] - sc.b[j];
        if j == np - 1 {
            s = s.min(end_lim - sc.b[j]);
        }
        let pj = sc.pair[j];
        if pj != usize::MAX && pj < i {
            s = s.min(sc.lim[j] - (sc.b[j] - sc.d[pj]));
        }
        let val = wsum + s.max(0.0);
        if val < best {
            best = val;
        }
        if wsum >= best {
            break;
        }
    }
    best
}

/// Exact feasibility of the timing constraints of the sequence in `sc` as a
/// system of difference constraints (Bellman–Ford from a virtual origin).
/// On success writes the earliest feasible schedule (then delays the depot
/// departure as far as the first stop allows) into `sc` and returns `true`.
fn exact_schedule(p: &Prep, sc: &mut Scratch, np: usize, maxdur: f64) -> bool {
    // variables x_0..x_{np-1} = start of service, z = np (origin, value 0)
    // earliest schedule: e_k = max over constraint paths; compute with
    // longest-path relaxation on "x_v >= x_u + w" constraints.
    // Constraints (x_v - x_u >= w):
    //   x_k - z >= open_k ; z - x_k >= -close_k
    //   x_{k+1} - x_k >= serv_k + t
    //   x_p - x_d >= -(lim + serv_p)  (ride)
    //   x_0 - x_end >= -maxdur        (duty)
    // Edges ordered so that one sweep propagates the forward chain and then
    // the backward (ride, duty) constraints; the least solution grows
    // monotonically, so any start beyond its window proves infeasibility
    // at once.
    let mut edges: Vec<(usize, usize, f64)> = Vec::with_capacity(4 * np);
    let z = np;
    for k in 0..np {
        edges.push((z, k, sc.open[k]));
        if k + 1 < np {
            edges.push((k, k + 1, sc.serv[k] + p.t(sc.loc[k], sc.loc[k + 1])));
        }
    }
    for k in (0..np).rev() {
        if sc.pair[k] != usize::MAX && sc.lim[k] < INF {
            let pp = sc.pair[k];
            edges.push((k, pp, -(sc.lim[k] + sc.serv[pp])));
        }
    }
    if maxdur < INF {
        edges.push((np - 1, 0, -maxdur));
    }
    let mut x = vec![f64::NEG_INFINITY; np + 1];
    x[z] = 0.0;
    let mut changed = true;
    let mut rounds = 0;
    while changed {
        changed = false;
        rounds += 1;
        if rounds > np + 2 {
            return false; // positive cycle: infeasible
        }
        for &(u, v, w) in &edges {
            if x[u] > f64::NEG_INFINITY && x[u] + w > x[v] + 1e-9 {
                x[v] = x[u] + w;
                if x[v] > sc.close[v] + 1e-9 {
                    return false;
                }
                changed = true;
            }
        }
    }
    if x[z] > 1e-9 {
        return false;
    }
    sc.b[..np].copy_from_slice(&x[..np]);
    // delay the departure as far as the first stop allows
    sc.b[0] = sc.b[0].max((sc.b[1] - p.t(sc.loc[0], sc.loc[1])).min(sc.close[0]));
    for k in 0..np {
        sc.d[k] = sc.b[k] + sc.serv[k];
        sc.a[k] = if k == 0 {
            sc.b[0]
        } else {
            sc.d[k - 1] + p.t(sc.loc[k - 1], sc.loc[k])
        };
        sc.w[k] = sc.b[k] - sc.a[k];
    }
    true
}

/// Builds the public schedule from the buffers after a successful
/// [`evaluate`].
pub(crate) fn schedule_from(sc: &Scratch, m: usize) -> Schedule {
    let stops = (1..=m)
        .map(|k| StopTimes {
            arrival: sc.a[k],
            start: sc.b[k],
            departure: sc.d[k],
        })
        .collect();
    Schedule {
        start: sc.d[0],
        end: sc.b[m + 1],
        stops,
    }
}

/// Node id of a visit.
pub(crate) fn node_of(request: usize, kind: VisitKind) -> u32 {
    (2 * request + usize::from(kind == VisitKind::Delivery)) as u32
}
