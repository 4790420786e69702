//! Independent checkers. Nothing here uses the search's evaluation code:
//! benchmark routes are re-checked against a fresh parse of the instance
//! file, and [`check_solution`] re-checks a [`Solution`]'s schedule against
//! the [`Instance`] from first principles. Timing feasibility of a fixed
//! sequence (with ride-time and duration limits) is decided exactly by a
//! Bellman–Ford shortest-path test on the difference constraints.

use crate::{Instance, Solution, VisitKind};
use std::path::Path;

const TOL: f64 = crate::TIME_TOLERANCE;

/// Benchmark file formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Solomon / Gehring & Homberger VRPTW.
    Solomon,
    /// Li & Lim PDPTW.
    LiLim,
    /// Cordeau (2006) DARP.
    Cordeau,
}

/// Outcome of an independent check.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckReport {
    /// No rule is broken.
    pub feasible: bool,
    /// Non-empty routes.
    pub vehicles: usize,
    /// Total Euclidean distance recomputed from the file's coordinates.
    pub distance: f64,
    /// Human-readable list of broken rules.
    pub errors: Vec<String>,
}

fn numeric_rows(text: &str) -> Vec<Vec<f64>> {
    text.lines()
        .filter_map(|l| {
            let toks: Vec<&str> = l.split_whitespace().collect();
            if toks.is_empty() {
                return None;
            }
            let vals: Option<Vec<f64>> = toks.iter().map(|t| t.parse::<f64>().ok()).collect();
            vals
        })
        .collect()
}

/// A node of a benchmark file as seen by the checker.
#[derive(Clone, Copy, Debug)]
struct Node {
    x: f64,
    y: f64,
    demand: f64,
    open: f64,
    close: f64,
    service: f64,
    /// Li & Lim / Cordeau partner node (0 = none).
    partner: usize,
    is_pickup: bool,
}

struct Parsed {
    vehicles: usize,
    capacity: f64,
    nodes: Vec<Node>,
    /// Cordeau: max route duration and max ride time.
    max_duration: f64,
    max_ride: f64,
    /// Index of the end depot node (0 unless Cordeau).
    end_depot: usize,
}

fn parse(format: Format, text: &str) -> Result<Parsed, String> {
    let rows = numeric_rows(text);
    let err = |s: &str| Err(format!("cannot parse instance: {s}"));
    match format {
        Format::Solomon => {
            let head = rows.iter().find(|r| r.len() == 2);
            let Some(head) = head else {
                return err("no VEHICLE line");
            };
            let nodes: Vec<Node> = rows
                .iter()
                .filter(|r| r.len() == 7)
                .map(|r| Node {
                    x: r[1],
                    y: r[2],
                    demand: r[3],
                    open: r[4],
                    close: r[5],
                    service: r[6],
                    partner: 0,
                    is_pickup: false,
                })
                .collect();
            if nodes.len() < 2 {
                return err("no customers");
            }
            Ok(Parsed {
                vehicles: head[0] as usize,
                capacity: head[1],
                nodes,
                max_duration: f64::INFINITY,
                max_ride: f64::INFINITY,
                end_depot: 0,
            })
        }
        Format::LiLim => {
            if rows.is_empty() || rows[0].len() < 2 {
                return err("header");
            }
            let nodes: Vec<Node> = rows[1..]
                .iter()
                .filter(|r| r.len() == 9)
                .map(|r| Node {
                    x: r[1],
                    y: r[2],
                    demand: r[3],
                    open: r[4],
                    close: r[5],
                    service: r[6],
                    partner: if r[8] > 0.0 {
                        r[8] as usize
                    } else {
                        r[7] as usize
                    },
                    is_pickup: r[8] > 0.0,
                })
                .collect();
            Ok(Parsed {
                vehicles: rows[0][0] as usize,
                capacity: rows[0][1],
                nodes,
                max_duration: f64::INFINITY,
                max_ride: f64::INFINITY,
                end_depot: 0,
            })
        }
        Format::Cordeau => {
            if rows.is_empty() || rows[0].len() != 5 {
                return err("header");
            }
            let h = &rows[0];
            let n = h[1] as usize;
            let body: Vec<&Vec<f64>> = rows[1..].iter().filter(|r| r.len() == 7).collect();
            if body.len() < 2 * n + 2 {
                return err("too few nodes");
            }
            let nodes: Vec<Node> = body[..2 * n + 2]
                .iter()
                .enumerate()
                .map(|(i, r)| Node {
                    x: r[1],
                    y: r[2],
                    service: r[3],
                    demand: r[4],
                    open: r[5],
                    close: r[6],
                    partner: if (1..=n).contains(&i) {
                        i + n
                    } else if (n + 1..=2 * n).contains(&i) {
                        i - n
                    } else {
                        0
                    },
                    is_pickup: (1..=n).contains(&i),
                })
                .collect();
            Ok(Parsed {
                vehicles: h[0] as usize,
                capacity: h[3],
                nodes,
                max_duration: h[2],
                max_ride: h[4],
                end_depot: 2 * n + 1,
            })
        }
    }
}

fn euclid(a: &Node, b: &Node) -> f64 {
    ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt()
}

/// Exact timing check of a node sequence (depots included at both ends) as
/// difference constraints `x_v <= x_u + w`, solved by Bellman–Ford from a
/// virtual source `s` with `x_s = 0`. Returns `true` iff a schedule exists.
/// `ride[k] = Some((pickup position, limit))` for ride-constrained deliveries.
fn timing_feasible(
    travel: &[f64],
    open: &[f64],
    close: &[f64],
    service: &[f64],
    ride: &[Option<(usize, f64)>],
    max_duration: f64,
) -> bool {
    let n = open.len();
    let s = n;
    // edges (u, v, w): x_v - x_u <= w
    let mut edges: Vec<(usize, usize, f64)> = Vec::new();
    // Windows, ride limits and the duty get the same rounding allowance as
    // the checks of a reported schedule, so that "a schedule exists" and "the
    // reported schedule is within the rules" agree.
    for k in 0..n {
        edges.push((s, k, close[k] + TOL)); // x_k <= close
        edges.push((k, s, -(open[k] - TOL))); // -x_k <= -open
        if k + 1 < n {
            // x_k - x_{k+1} <= -(service_k + travel_k)
            edges.push((k + 1, k, -(service[k] + travel[k])));
        }
        if let Some((pk, lim)) = ride[k] {
            // x_k - (x_pk + service_pk) <= lim
            edges.push((pk, k, lim + TOL + service[pk]));
        }
    }
    if max_duration.is_finite() {
        edges.push((0, n - 1, max_duration + TOL));
    }
    let mut dist = vec![f64::INFINITY; n + 1];
    dist[s] = 0.0;
    for _ in 0..=n + 1 {
        let mut any = false;
        for &(u, v, w) in &edges {
            if dist[u].is_finite() && dist[u] + w < dist[v] - 1e-9 {
                dist[v] = dist[u] + w;
                any = true;
            }
        }
        if !any {
            return dist[s] >= -1e-9;
        }
    }
    false
}

/// Re-reads a benchmark file and checks `routes` (node numbers of the file in
/// visiting order, depots excluded; Solomon: customer numbers) from scratch:
/// every customer/task exactly once, vehicle count, capacity at every moment,
/// pairing and precedence, time windows, maximum ride time and route
/// duration (Cordeau).
pub fn check_file(
    format: Format,
    path: &Path,
    routes: &[Vec<usize>],
) -> Result<CheckReport, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(check_text(format, &text, routes))
}

/// Like [`check_file`] on the file's text.
pub fn check_text(format: Format, text: &str, routes: &[Vec<usize>]) -> CheckReport {
    let mut errors = Vec::new();
    let parsed = match parse(format, text) {
        Ok(p) => p,
        Err(e) => {
            return CheckReport {
                feasible: false,
                vehicles: 0,
                distance: 0.0,
                errors: vec![e],
            }
        }
    };
    let nodes = &parsed.nodes;
    let end = parsed.end_depot;
    let mut seen = vec![0usize; nodes.len()];
    let mut distance = 0.0;
    let used: Vec<&Vec<usize>> = routes.iter().filter(|r| !r.is_empty()).collect();
    if used.len() > parsed.vehicles {
        errors.push(format!(
            "{} routes but {} vehicles",
            used.len(),
            parsed.vehicles
        ));
    }
    for (ri, route) in used.iter().enumerate() {
        if let Some(&bad) = route
            .iter()
            .find(|&&v| v == 0 || v >= nodes.len() || (v == end && end != 0))
        {
            errors.push(format!("route {ri}: node {bad} is not a customer"));
            continue;
        }
        let mut seq = vec![0usize];
        seq.extend(route.iter().copied());
        seq.push(end);
        for w in seq.windows(2) {
            distance += euclid(&nodes[w[0]], &nodes[w[1]]);
        }
        for &v in route.iter() {
            seen[v] += 1;
        }
        // capacity
        let mut load = 0.0;
        if format == Format::Solomon {
            load = route.iter().map(|&v| nodes[v].demand).sum();
            if load > parsed.capacity + TOL {
                errors.push(format!("route {ri}: load {load} > {}", parsed.capacity));
            }
        } else {
            for &v in route.iter() {
                load += nodes[v].demand;
                if load > parsed.capacity + TOL || load < -TOL {
                    errors.push(format!(
                        "route {ri}: load {load} out of [0, {}] at node {v}",
                        parsed.capacity
                    ));
                    break;
                }
            }
        }
        // pairing and precedence
        let mut ride = vec![None; seq.len()];
        if format != Format::Solomon {
            for (k, &v) in seq.iter().enumerate().skip(1).take(route.len()) {
                let partner = nodes[v].partner;
                let ppos = seq[1..seq.len() - 1]
                    .iter()
                    .position(|&x| x == partner)
                    .map(|x| x + 1);
                match ppos {
                    None => errors.push(format!("route {ri}: node {v} without partner {partner}")),
                    Some(pp) => {
                        if nodes[v].is_pickup && pp < k {
                            errors
                                .push(format!("route {ri}: delivery {partner} before pickup {v}"));
                        }
                        if !nodes[v].is_pickup && parsed.max_ride.is_finite() {
                            ride[k] = Some((pp, parsed.max_ride));
                        }
                    }
                }
            }
        }
        // timing
        let travel: Vec<f64> = seq
            .windows(2)
            .map(|w| euclid(&nodes[w[0]], &nodes[w[1]]))
            .collect();
        let open: Vec<f64> = seq.iter().map(|&v| nodes[v].open).collect();
        let close: Vec<f64> = seq.iter().map(|&v| nodes[v].close).collect();
        let service: Vec<f64> = seq.iter().map(|&v| nodes[v].service).collect();
        if !timing_feasible(&travel, &open, &close, &service, &ride, parsed.max_duration) {
            errors.push(format!(
                "route {ri}: no schedule meets windows/ride/duration"
            ));
        }
    }
    for (v, &c) in seen.iter().enumerate() {
        let is_customer = v != 0 && !(end != 0 && v == end);
        if is_customer && c != 1 {
            errors.push(format!("node {v} visited {c} times"));
        }
    }
    CheckReport {
        feasible: errors.is_empty(),
        vehicles: used.len(),
        distance,
        errors,
    }
}

/// Exact feasibility of one route of an [`Instance`] given only its visit
/// sequence: features, pairing/precedence, every capacity rule at every
/// moment, travel-alone, conflicts, and (exactly) windows, shift, ride time
/// and duty. Returns the route's distance if feasible.
pub fn route_feasible(
    inst: &Instance,
    vehicle_type: usize,
    visits: &[crate::Visit],
) -> Option<f64> {
    let v = &inst.vehicle_types[vehicle_type];
    let nreq = inst.requests.len();
    let mut ppos = vec![None; nreq];
    let mut dpos = vec![None; nreq];
    for (k, vis) in visits.iter().enumerate() {
        let slot = match vis.kind {
            VisitKind::Pickup => &mut ppos[vis.request],
            VisitKind::Delivery => &mut dpos[vis.request],
        };
        if slot.is_some() {
            return None;
        }
        *slot = Some(k);
    }
    let on_route: Vec<usize> = (0..nreq)
        .filter(|&r| ppos[r].is_some() || dpos[r].is_some())
        .collect();
    for &r in &on_route {
        let req = &inst.requests[r];
        if req.pickup.is_some() != ppos[r].is_some() || req.delivery.is_some() != dpos[r].is_some()
        {
            return None;
        }
        if let (Some(a), Some(b)) = (ppos[r], dpos[r]) {
            if a > b {
                return None;
            }
        }
        if req.required_features & !v.features != 0 {
            return None;
        }
        if req
            .vehicle_types
            .as_ref()
            .is_some_and(|t| !t.contains(&vehicle_type))
        {
            return None;
        }
        if req.conflicts.iter().any(|&c| on_route.contains(&c))
            || on_route
                .iter()
                .any(|&o| inst.requests[o].conflicts.contains(&r))
        {
            return None;
        }
    }
    if let Some(max) = v.max_groups {
        let mut groups: Vec<usize> = on_route
            .iter()
            .filter_map(|&r| inst.requests[r].group)
            .collect();
        groups.sort_unstable();
        groups.dedup();
        if groups.len() > max {
            return None;
        }
    }
    // load over time: before the first stop, then after each stop
    let dims = inst
        .requests
        .iter()
        .map(|r| r.load.len())
        .max()
        .unwrap_or(0);
    let mut load = vec![0i64; dims];
    let mut aboard: Vec<usize> = on_route
        .iter()
        .copied()
        .filter(|&r| ppos[r].is_none())
        .collect();
    for &r in &aboard {
        for (d, &q) in inst.requests[r].load.iter().enumerate() {
            load[d] += q as i64;
        }
    }
    let ok = |load: &[i64], aboard: &[usize]| {
        let cap = v.capacity.iter().all(|rule| {
            let s: i64 = rule
                .coef
                .iter()
                .zip(load)
                .map(|(&c, &l)| c as i64 * l)
                .sum();
            s <= rule.limit as i64
        });
        let alone = aboard.len() <= 1 || aboard.iter().all(|&r| !inst.requests[r].travel_alone);
        cap && alone
    };
    if !ok(&load, &aboard) {
        return None;
    }
    for vis in visits {
        let q = &inst.requests[vis.request].load;
        match vis.kind {
            VisitKind::Pickup => {
                for (d, &x) in q.iter().enumerate() {
                    load[d] += x as i64;
                }
                aboard.push(vis.request);
            }
            VisitKind::Delivery => {
                for (d, &x) in q.iter().enumerate() {
                    load[d] -= x as i64;
                }
                aboard.retain(|&r| r != vis.request);
            }
        }
        if !ok(&load, &aboard) {
            return None;
        }
    }
    // timing
    let mut locs = vec![v.start_location];
    let mut open = vec![v.shift_open];
    let mut close = vec![v.shift_close];
    let mut service = vec![0.0];
    let mut ride = vec![None];
    for (k, vis) in visits.iter().enumerate() {
        let req = &inst.requests[vis.request];
        let stop = match vis.kind {
            VisitKind::Pickup => req.pickup.as_ref()?,
            VisitKind::Delivery => req.delivery.as_ref()?,
        };
        locs.push(stop.location);
        open.push(stop.tw_open);
        close.push(stop.tw_close);
        service.push(stop.service);
        let _ = k;
        ride.push(match (vis.kind, req.max_ride, ppos[vis.request]) {
            (VisitKind::Delivery, Some(l), Some(pp)) => Some((pp + 1, l)),
            _ => None,
        });
    }
    locs.push(v.end_location);
    open.push(v.shift_open);
    close.push(v.shift_close);
    service.push(0.0);
    ride.push(None);
    let travel: Vec<f64> = locs.windows(2).map(|w| inst.dur(w[0], w[1])).collect();
    if !timing_feasible(
        &travel,
        &open,
        &close,
        &service,
        &ride,
        v.max_duration.unwrap_or(f64::INFINITY),
    ) {
        return None;
    }
    Some(locs.windows(2).map(|w| inst.dist(w[0], w[1])).sum())
}

/// Re-checks a [`Solution`] against its [`Instance`]: every request served
/// at most once and exactly once unless listed unassigned, fleet size per
/// vehicle type, all route rules (via [`route_feasible`]), and the reported
/// schedule itself (travel times respected, windows, ride times, duty,
/// shift), distances and costs. Returns the list of problems (empty = OK).
pub fn check_solution(inst: &Instance, sol: &Solution) -> Vec<String> {
    let mut errs = Vec::new();
    let nreq = inst.requests.len();
    let mut count = vec![0usize; nreq];
    let mut used = vec![0usize; inst.vehicle_types.len()];
    let mut total = 0.0;
    for (ri, route) in sol.routes.iter().enumerate() {
        let Some(v) = inst.vehicle_types.get(route.vehicle_type) else {
            errs.push(format!("route {ri}: unknown vehicle type"));
            continue;
        };
        used[route.vehicle_type] += 1;
        for vis in &route.visits {
            if vis.kind == VisitKind::Delivery || inst.requests[vis.request].delivery.is_none() {
                count[vis.request] += 1;
            }
        }
        match route_feasible(inst, route.vehicle_type, &route.visits) {
            None => errs.push(format!("route {ri}: infeasible sequence")),
            Some(d) => {
                if (d - route.distance).abs() > 1e-6 * (1.0 + d) {
                    errs.push(format!("route {ri}: distance {} != {d}", route.distance));
                }
            }
        }
        // the reported schedule
        let s = &route.schedule;
        if s.stops.len() != route.visits.len() {
            errs.push(format!("route {ri}: schedule length"));
            continue;
        }
        if s.start < v.shift_open - TOL || s.end > v.shift_close + TOL {
            errs.push(format!("route {ri}: outside shift"));
        }
        if let Some(md) = v.max_duration {
            if s.end - s.start > md + TOL {
                errs.push(format!("route {ri}: duty {} > {md}", s.end - s.start));
            }
        }
        let mut prev_loc = v.start_location;
        let mut prev_dep = s.start;
        let mut ride_total = 0.0;
        let mut wride = 0.0;
        for (k, vis) in route.visits.iter().enumerate() {
            let req = &inst.requests[vis.request];
            let stop = match vis.kind {
                VisitKind::Pickup => req.pickup.as_ref(),
                VisitKind::Delivery => req.delivery.as_ref(),
            };
            let Some(stop) = stop else { continue };
            let t = &s.stops[k];
            if t.start + TOL < prev_dep + inst.dur(prev_loc, stop.location) {
                errs.push(format!(
                    "route {ri} stop {k}: starts before the vehicle can arrive"
                ));
            }
            if t.start < stop.tw_open - TOL || t.start > stop.tw_close + TOL {
                errs.push(format!("route {ri} stop {k}: outside window"));
            }
            if (t.departure - t.start - stop.service).abs() > TOL {
                errs.push(format!("route {ri} stop {k}: service time"));
            }
            if vis.kind == VisitKind::Delivery && req.pickup.is_some() {
                if let Some(pk) = route
                    .visits
                    .iter()
                    .position(|x| x.request == vis.request && x.kind == VisitKind::Pickup)
                {
                    let rt = t.start - s.stops[pk].departure;
                    ride_total += rt;
                    wride += rt * req.ride_time_weight.unwrap_or(inst.objective.ride_time);
                    if let Some(l) = req.max_ride {
                        if rt > l + TOL {
                            errs.push(format!(
                                "route {ri}: request {} rides {rt} > {l}",
                                vis.request
                            ));
                        }
                    }
                }
            }
            prev_loc = stop.location;
            prev_dep = t.departure;
        }
        if s.end + TOL < prev_dep + inst.dur(prev_loc, v.end_location) {
            errs.push(format!("route {ri}: arrives at the depot too early"));
        }
        if (ride_total - route.ride_time).abs() > 1e-6 * (1.0 + ride_total) {
            errs.push(format!(
                "route {ri}: ride time {} != {ride_total}",
                route.ride_time
            ));
        }
        // preference penalties, once per request on the route
        let mut seen_req: Vec<usize> = route.visits.iter().map(|x| x.request).collect();
        seen_req.sort_unstable();
        seen_req.dedup();
        let penalties: f64 = seen_req
            .iter()
            .filter_map(|&r| inst.requests[r].preference.as_ref())
            .filter(|pref| !pref.vehicle_types.contains(&route.vehicle_type))
            .map(|pref| pref.penalty)
            .sum();
        let cost = v.route_cost(route.distance, s.end - s.start) + wride + penalties;
        if (cost - route.cost).abs() > 1e-6 * (1.0 + cost) {
            errs.push(format!("route {ri}: cost {} != {cost}", route.cost));
        }
        total += cost;
    }
    for (t, &u) in used.iter().enumerate() {
        if u > inst.vehicle_types[t].count {
            errs.push(format!(
                "vehicle type {t}: {u} routes > {}",
                inst.vehicle_types[t].count
            ));
        }
    }
    let mut listed = vec![false; nreq];
    for &(r, _) in &sol.unassigned {
        listed[r] = true;
    }
    for r in 0..nreq {
        let expect = usize::from(!listed[r]);
        if count[r] != expect {
            errs.push(format!(
                "request {r}: served {} times, expected {expect}",
                count[r]
            ));
        }
    }
    total += inst.objective.unassigned_penalty * sol.unassigned.len() as f64;
    if (total - sol.cost).abs() > 1e-6 * (1.0 + total.abs()) {
        errs.push(format!("solution cost {} != {total}", sol.cost));
    }
    errs
}
