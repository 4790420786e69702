//! Tiny instances checked against brute-force enumeration (using the
//! independent checker's exact route test), one test per hard rule where
//! breaking the rule is the only cheaper plan, determinism, unassigned
//! reasons, cancellation.
use senroute_solver::checker::{check_solution, route_feasible};
use senroute_solver::{
    solve, CapacityRule, Instance, ObjectiveWeights, Request, Solution, SolverConfig, Stop,
    TravelMatrix, UnassignedReason, VehicleType, Violation, Visit, VisitKind,
};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

// ------------------------------------------------------------------ helpers

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn f(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (self.next() % 10_000) as f64 / 10_000.0
    }
}

fn stop(location: usize, open: f64, close: f64, service: f64) -> Option<Stop> {
    Some(Stop {
        location,
        tw_open: open,
        tw_close: close,
        service,
    })
}

fn req(pickup: Option<Stop>, delivery: Option<Stop>, load: Vec<i32>) -> Request {
    Request {
        pickup,
        delivery,
        load,
        max_ride: None,
        required_features: 0,
        travel_alone: false,
        conflicts: vec![],
        ride_time_weight: None,
        vehicle_types: None,
        preference: None,
        group: None,
    }
}

fn vtype(count: usize, cap: i32, fixed: f64) -> VehicleType {
    VehicleType {
        count,
        start_location: 0,
        end_location: 0,
        capacity: vec![CapacityRule {
            coef: vec![1, 1],
            limit: cap,
        }],
        features: 0,
        fixed_cost: fixed,
        cost_per_distance: 1.0,
        cost_per_duration: 0.0,
        shift_open: 0.0,
        shift_close: 1000.0,
        max_duration: None,
        max_groups: None,
    }
}

fn inst(coords: &[(f64, f64)], requests: Vec<Request>, vts: Vec<VehicleType>) -> Instance {
    let m = Instance::euclidean_matrices(coords);
    Instance {
        matrix: TravelMatrix::dense(coords.len(), m.clone(), m)
            .expect("square, non-negative matrices")
            .into(),
        fixed_routes: Vec::new(),
        initial_routes: Vec::new(),
        requests,
        vehicle_types: vts,
        objective: ObjectiveWeights {
            ride_time: 0.0,
            unassigned_penalty: 1000.0,
            minimise_vehicles: false,
        },
    }
}

fn cfg(iters: u64, seed: u64, threads: usize) -> SolverConfig {
    SolverConfig {
        time_limit: None,
        iteration_limit: Some(iters),
        seed,
        threads,
        cancel: Arc::new(AtomicBool::new(false)),
    }
}

fn run(i: &Instance) -> Solution {
    let s = solve(i, &cfg(1500, 1, 1), &|_| {});
    let errs = check_solution(i, &s);
    assert!(errs.is_empty(), "{errs:?}");
    s
}

/// All visit sequences of the requests in `set` respecting pickup-before-
/// delivery, each fed to the independent exact route check.
fn best_route(i: &Instance, vt: usize, set: &[usize]) -> Option<f64> {
    let mut visits = Vec::new();
    for &r in set {
        if i.requests[r].pickup.is_some() {
            visits.push(Visit {
                request: r,
                kind: VisitKind::Pickup,
            });
        }
        if i.requests[r].delivery.is_some() {
            visits.push(Visit {
                request: r,
                kind: VisitKind::Delivery,
            });
        }
    }
    let mut best: Option<f64> = None;
    let mut seq = Vec::new();
    let mut used = vec![false; visits.len()];
    fn rec(
        i: &Instance,
        vt: usize,
        visits: &[Visit],
        used: &mut [bool],
        seq: &mut Vec<Visit>,
        best: &mut Option<f64>,
    ) {
        if seq.len() == visits.len() {
            if let Some(d) = route_feasible(i, vt, seq) {
                let v = &i.vehicle_types[vt];
                let c = v.fixed_cost + v.cost_per_distance * d;
                if best.is_none_or(|b| c < b) {
                    *best = Some(c);
                }
            }
            return;
        }
        for k in 0..visits.len() {
            if used[k] {
                continue;
            }
            let v = visits[k];
            if v.kind == VisitKind::Delivery
                && visits
                    .iter()
                    .enumerate()
                    .any(|(q, w)| w.request == v.request && w.kind == VisitKind::Pickup && !used[q])
            {
                continue;
            }
            used[k] = true;
            seq.push(v);
            rec(i, vt, visits, used, seq, best);
            seq.pop();
            used[k] = false;
        }
    }
    rec(i, vt, &visits, &mut used, &mut seq, &mut best);
    best
}

/// Optimal objective by enumeration: best route cost per (type, subset),
/// then the cheapest combination within the fleet; uncovered requests pay
/// the penalty. Requires zero duration and ride-time costs.
fn brute_force(i: &Instance) -> f64 {
    let n = i.requests.len();
    let nvt = i.vehicle_types.len();
    let full = 1usize << n;
    let mut rc = vec![vec![None; full]; nvt];
    for (vt, row) in rc.iter_mut().enumerate() {
        for (mask, slot) in row.iter_mut().enumerate().skip(1) {
            let set: Vec<usize> = (0..n).filter(|b| mask >> b & 1 == 1).collect();
            *slot = best_route(i, vt, &set);
        }
    }
    // search over sequences of (type, disjoint subset) with fleet counts
    fn rec(
        i: &Instance,
        rc: &[Vec<Option<f64>>],
        covered: usize,
        left: &mut Vec<usize>,
        acc: f64,
        best: &mut f64,
    ) {
        let n = i.requests.len();
        let unc = n - covered.count_ones() as usize;
        let here = acc + unc as f64 * i.objective.unassigned_penalty;
        if here < *best {
            *best = here;
        }
        // the next route must contain the lowest uncovered request that we
        // decide to cover; try every superset choice
        let full = (1usize << n) - 1;
        let free = full & !covered;
        if free == 0 {
            return;
        }
        let low = free & free.wrapping_neg();
        // either leave `low` uncovered for good, or cover it now
        let mut sub = free;
        while sub > 0 {
            if sub & low != 0 {
                for vt in 0..rc.len() {
                    if left[vt] > 0 {
                        if let Some(c) = rc[vt][sub] {
                            left[vt] -= 1;
                            rec(i, rc, covered | sub, left, acc + c, best);
                            left[vt] += 1;
                        }
                    }
                }
            }
            sub = (sub - 1) & free;
        }
        // skip `low` (unassigned): recurse with it marked covered, paying penalty
        rec_skip(
            i,
            rc,
            covered | low,
            left,
            acc + i.objective.unassigned_penalty,
            best,
        );
    }
    fn rec_skip(
        i: &Instance,
        rc: &[Vec<Option<f64>>],
        covered: usize,
        left: &mut Vec<usize>,
        acc: f64,
        best: &mut f64,
    ) {
        rec(i, rc, covered, left, acc, best)
    }
    let mut left: Vec<usize> = i.vehicle_types.iter().map(|v| v.count).collect();
    let mut best = f64::INFINITY;
    rec(i, &rc, 0, &mut left, 0.0, &mut best);
    best
}

fn assert_optimal(i: &Instance) -> Solution {
    let s = run(i);
    let bf = brute_force(i);
    assert!(
        (s.cost - bf).abs() < 1e-6,
        "solver {} vs brute force {}: {:?}",
        s.cost,
        bf,
        s.routes.iter().map(|r| &r.visits).collect::<Vec<_>>()
    );
    s
}

// ------------------------------------------------------------------ brute force

#[test]
fn random_tiny_instances_match_brute_force() {
    let mut served = 0;
    let mut multi = 0;
    for seed in 0..16u64 {
        let mut g = Lcg(seed * 7 + 3);
        let nreq = 3 + (seed % 3) as usize; // 3..=5
        let mut coords = vec![(10.0, 10.0)];
        let mut requests = Vec::new();
        for r in 0..nreq {
            coords.push((g.f(0.0, 20.0), g.f(0.0, 20.0)));
            coords.push((g.f(0.0, 20.0), g.f(0.0, 20.0)));
            let (a, b) = (coords.len() - 2, coords.len() - 1);
            let o = g.f(0.0, 60.0);
            let mut q = req(
                stop(a, o, o + g.f(5.0, 40.0), 1.0),
                stop(b, o + 10.0, o + g.f(40.0, 90.0), 1.0),
                vec![1 + (g.next() % 2) as i32, (g.next() % 2) as i32],
            );
            if r % 4 == 3 {
                q.pickup = None; // on board from the depot
                q.delivery = stop(b, 0.0, 200.0, 1.0);
            }
            if seed % 2 == 0 {
                q.max_ride = Some(g.f(20.0, 40.0));
            }
            requests.push(q);
        }
        let mut v1 = vtype(2, 3, 10.0);
        v1.max_duration = Some(150.0);
        let mut v2 = vtype(1, 2, 5.0);
        v2.capacity.push(CapacityRule {
            coef: vec![0, 1],
            limit: 1,
        });
        let i = inst(&coords, requests, vec![v1, v2]);
        let s = assert_optimal(&i);
        eprintln!(
            "seed {seed}: cost {:.3}, routes {}, unassigned {:?}",
            s.cost,
            s.routes.len(),
            s.unassigned
        );
        served += nreq - s.unassigned.len();
        multi += s.routes.iter().filter(|r| r.visits.len() > 2).count();
    }
    // the instances are not trivial: most requests are served, and some
    // routes carry more than one request
    assert!(served >= 40, "{served}");
    assert!(multi >= 6, "{multi}");
}

// ------------------------------------------------------------------ rules
// Each test: the optimum without the rule is strictly cheaper (so breaking
// the rule would pay), and the solver still matches the optimum with it.

fn rule_test(with: Instance, without: Instance) -> Solution {
    let opt_with = brute_force(&with);
    let opt_without = brute_force(&without);
    assert!(opt_without < opt_with - 1e-6, "{opt_without} !< {opt_with}");
    assert_optimal(&with)
}

/// Two requests along the same line, far from the depot: sharing a vehicle
/// is much cheaper than two vehicles.
fn pair_line() -> (Vec<(f64, f64)>, Vec<Request>) {
    let coords = vec![
        (0.0, 0.0),
        (30.0, 0.0),
        (40.0, 0.0),
        (31.0, 0.0),
        (41.0, 0.0),
    ];
    let r = vec![
        req(
            stop(1, 0.0, 500.0, 1.0),
            stop(2, 0.0, 500.0, 1.0),
            vec![1, 0],
        ),
        req(
            stop(3, 0.0, 500.0, 1.0),
            stop(4, 0.0, 500.0, 1.0),
            vec![1, 0],
        ),
    ];
    (coords, r)
}

#[test]
fn capacity_rules_are_respected() {
    // convertible layout: seated + 2 * wheelchair <= 3; wheelchair <= 1
    let (coords, mut r) = pair_line();
    r[0].load = vec![0, 1];
    r[1].load = vec![2, 0];
    let mut v = vtype(2, 3, 10.0);
    v.capacity = vec![
        CapacityRule {
            coef: vec![1, 2],
            limit: 3,
        },
        CapacityRule {
            coef: vec![0, 1],
            limit: 1,
        },
    ];
    let mut loose = v.clone();
    loose.capacity[0].limit = 4;
    rule_test(
        inst(&coords, r.clone(), vec![v.clone()]),
        inst(&coords, r.clone(), vec![loose]),
    );
    // second rule: two wheelchairs never together
    r[1].load = vec![0, 1];
    let mut seat_ok = v.clone();
    seat_ok.capacity[0].limit = 10;
    let mut no_wc_rule = seat_ok.clone();
    no_wc_rule.capacity[1].limit = 2;
    rule_test(
        inst(&coords, r.clone(), vec![seat_ok]),
        inst(&coords, r, vec![no_wc_rule]),
    );
}

#[test]
fn time_windows_are_respected() {
    let (coords, mut r) = pair_line();
    let free = r.clone();
    // request 1 must be dropped at 41 by t=45: impossible after serving 0 first
    // and also request 0's delivery closes early, so they cannot be combined
    r[0].delivery = stop(2, 0.0, 41.5, 1.0);
    r[1].delivery = stop(4, 0.0, 42.5, 1.0);
    let with = inst(&coords, r, vec![vtype(2, 3, 10.0)]);
    let mut free_i = with.clone();
    free_i.requests = free;
    let s = rule_test(with, free_i);
    assert_eq!(s.routes.len(), 2);
}

#[test]
fn max_ride_time_is_respected() {
    let (coords, mut r) = pair_line();
    r[0].max_ride = Some(10.5);
    r[1].max_ride = Some(10.5);
    let mut without = r.clone();
    without[0].max_ride = None;
    without[1].max_ride = None;
    let v = vec![vtype(2, 3, 10.0)];
    let s = rule_test(inst(&coords, r, v.clone()), inst(&coords, without, v));
    // each ride is at most 10.5, which rules out interleaving both
    for route in &s.routes {
        assert!(route.ride_time <= 10.5 * route.visits.len() as f64 / 2.0 + 1e-9);
    }
}

#[test]
fn ride_time_counts_waiting_and_pickup_is_delayed() {
    // one request: ride 10, delivery opens at 30; feasible only by delaying
    // the pickup departure (eight-step) so the ride is <= 12
    let coords = vec![(0.0, 0.0), (10.0, 0.0), (20.0, 0.0)];
    let mut r = req(
        stop(1, 0.0, 100.0, 0.0),
        stop(2, 30.0, 100.0, 0.0),
        vec![1, 0],
    );
    r.max_ride = Some(12.0);
    let i = inst(&coords, vec![r.clone()], vec![vtype(1, 3, 0.0)]);
    let s = assert_optimal(&i);
    assert!(s.unassigned.is_empty());
    assert!(s.routes[0].ride_time <= 12.0 + 1e-9);
    // with the pickup window closing at 15 it is infeasible alone
    r.pickup = stop(1, 0.0, 15.0, 0.0);
    let i = inst(&coords, vec![r], vec![vtype(1, 3, 0.0)]);
    let s = run(&i);
    assert_eq!(
        s.unassigned,
        vec![(0, UnassignedReason::InfeasibleAlone(Violation::RideTime))]
    );
}

#[test]
fn max_duty_is_respected() {
    let (coords, r) = pair_line();
    let mut v = vtype(2, 3, 10.0);
    v.max_duration = Some(85.0);
    let free = vtype(2, 3, 10.0);
    let s = rule_test(
        inst(&coords, r.clone(), vec![v]),
        inst(&coords, r, vec![free]),
    );
    for route in &s.routes {
        assert!(route.duration <= 85.0 + 1e-9);
    }
}

#[test]
fn required_features_are_respected() {
    let (coords, mut r) = pair_line();
    r[0].required_features = 0b10;
    r[1].required_features = 0b10;
    let cheap = vtype(2, 3, 1.0);
    let mut equipped = vtype(2, 3, 200.0);
    equipped.features = 0b11;
    let with = inst(&coords, r.clone(), vec![cheap.clone(), equipped.clone()]);
    let mut cheap_equipped = cheap.clone();
    cheap_equipped.features = 0b10;
    let without = inst(&coords, r, vec![cheap_equipped, equipped]);
    let s = rule_test(with, without);
    assert!(s.routes.iter().all(|x| x.vehicle_type == 1));
}

#[test]
fn travel_alone_is_respected() {
    let (coords, mut r) = pair_line();
    let free = r.clone();
    r[0].travel_alone = true;
    let v = vec![vtype(2, 3, 100.0)];
    let s = rule_test(inst(&coords, r, v.clone()), inst(&coords, free, v));
    for route in &s.routes {
        let mut aboard = 0;
        let mut alone = false;
        for vis in &route.visits {
            match vis.kind {
                VisitKind::Pickup => {
                    aboard += 1;
                    alone |= vis.request == 0;
                }
                VisitKind::Delivery => {
                    aboard -= 1;
                    if vis.request == 0 {
                        alone = false;
                    }
                }
            }
            assert!(!(alone && aboard > 1));
        }
    }
}

#[test]
fn conflicts_are_respected() {
    let (coords, mut r) = pair_line();
    let free = r.clone();
    r[1].conflicts = vec![0];
    let v = vec![vtype(2, 3, 10.0)];
    let s = rule_test(inst(&coords, r, v.clone()), inst(&coords, free, v));
    assert_eq!(s.routes.len(), 2);
}

#[test]
fn groups_per_route_are_capped() {
    // three requests along the line, each of its own group: one vehicle for
    // all is cheapest; with at most two groups per route it takes two
    let (mut coords, mut r) = pair_line();
    coords.extend([(32.0, 0.0), (42.0, 0.0)]);
    r.push(req(
        stop(5, 0.0, 500.0, 1.0),
        stop(6, 0.0, 500.0, 1.0),
        vec![1, 0],
    ));
    for (g, x) in r.iter_mut().enumerate() {
        x.group = Some(g);
    }
    let free = r.clone();
    let mut v = vec![vtype(3, 3, 10.0)];
    let without = inst(&coords, free, v.clone());
    v[0].max_groups = Some(2);
    let s = rule_test(inst(&coords, r.clone(), v.clone()), without);
    assert_eq!(s.routes.len(), 2);
    // two requests of one group count once: all three fit one route again
    r[2].group = Some(0);
    let s = assert_optimal(&inst(&coords, r, v));
    assert_eq!(s.routes.len(), 1);
}

// ------------------------------------------------------------------ misc

#[test]
fn unassigned_reasons_are_specific() {
    let coords = vec![
        (0.0, 0.0),
        (10.0, 0.0),
        (20.0, 0.0),
        (11.0, 0.0),
        (21.0, 0.0),
    ];
    let ok = req(
        stop(1, 0.0, 500.0, 0.0),
        stop(2, 0.0, 500.0, 0.0),
        vec![1, 0],
    );
    let mut feat = ok.clone();
    feat.required_features = 4;
    let mut big = ok.clone();
    big.load = vec![9, 0];
    let mut late = ok.clone();
    late.delivery = stop(2, 0.0, 5.0, 0.0);
    let mut ride = ok.clone();
    ride.max_ride = Some(5.0);
    let mut duty = ok.clone();
    duty.pickup = stop(1, 0.0, 50.0, 0.0);
    duty.delivery = stop(2, 300.0, 500.0, 0.0);
    let mut v = vtype(1, 3, 0.0);
    v.max_duration = Some(200.0);
    // request 6 overlaps request 0 in time and location but cannot share:
    // conflict; the only vehicle is used by request 0 -> fleet exhausted
    let mut other = req(
        stop(3, 0.0, 500.0, 0.0),
        stop(4, 0.0, 500.0, 0.0),
        vec![1, 0],
    );
    other.conflicts = vec![0];
    let i = inst(
        &coords,
        vec![ok, feat, big, late, ride, duty, other],
        vec![v],
    );
    let s = run(&i);
    assert_eq!(
        s.unassigned,
        vec![
            (
                1,
                UnassignedReason::NoCompatibleVehicle { features_ok: false }
            ),
            (
                2,
                UnassignedReason::NoCompatibleVehicle { features_ok: true }
            ),
            (
                3,
                UnassignedReason::InfeasibleAlone(Violation::DeliveryWindow)
            ),
            (4, UnassignedReason::InfeasibleAlone(Violation::RideTime)),
            (5, UnassignedReason::InfeasibleAlone(Violation::Duty)),
            (6, UnassignedReason::FleetExhausted),
        ]
    );
}

fn c101() -> Instance {
    let p = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/instances/solomon/txt/C101.txt");
    senroute_solver::bench::load(senroute_solver::checker::Format::Solomon, &p)
        .unwrap()
        .instance
}

#[test]
fn same_seed_same_solution_and_checked() {
    let i = c101();
    let a = solve(&i, &cfg(400, 5, 2), &|_| {});
    let b = solve(&i, &cfg(400, 5, 2), &|_| {});
    // (the stats hold a measured time)
    assert_eq!(
        (&a.routes, &a.unassigned, a.cost, a.iterations),
        (&b.routes, &b.unassigned, b.cost, b.iterations)
    );
    assert!(check_solution(&i, &a).is_empty());
    assert!(a.unassigned.is_empty());
    let c = solve(&i, &cfg(400, 6, 2), &|_| {});
    assert!(check_solution(&i, &c).is_empty());
}

#[test]
fn cancel_returns_a_valid_solution_and_progress_is_reported() {
    let i = c101();
    let mut c = cfg(1_000_000, 1, 2);
    c.time_limit = Some(std::time::Duration::from_secs(60));
    c.cancel.store(true, std::sync::atomic::Ordering::Relaxed);
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let t = std::time::Instant::now();
    let s = solve(&i, &c, &|p| {
        calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        assert!(p.best_cost > 0.0);
    });
    assert!(t.elapsed().as_secs() < 30);
    assert!(calls.load(std::sync::atomic::Ordering::Relaxed) >= 1);
    assert!(check_solution(&i, &s).is_empty());
    assert!(s.unassigned.is_empty());
}

#[test]
fn checker_catches_hand_broken_solutions() {
    let (coords, r) = pair_line();
    let i = inst(&coords, r, vec![vtype(2, 3, 10.0)]);
    let s = run(&i);
    assert!(check_solution(&i, &s).is_empty());
    // delivery before pickup
    let mut b = s.clone();
    b.routes[0].visits.reverse();
    assert!(!check_solution(&i, &b).is_empty());
    // schedule starts service before the vehicle can arrive
    let mut b = s.clone();
    b.routes[0].schedule.stops[0].start -= 5.0;
    assert!(!check_solution(&i, &b).is_empty());
    // a request silently dropped
    let mut b = s.clone();
    b.routes[0].visits.pop();
    assert!(!check_solution(&i, &b).is_empty());
    // wrong cost
    let mut b = s;
    b.cost -= 1.0;
    assert!(!check_solution(&i, &b).is_empty());
}

// ------------------------------------------ vehicle types, fixed routes

/// Two requests from the depot area to (10, 0); two vehicle types: 0 cheap,
/// 1 dear.
fn two_types() -> Instance {
    let coords = [(0.0, 0.0), (1.0, 0.0), (2.0, 0.0), (10.0, 0.0)];
    let r = |p| {
        req(
            stop(p, 0.0, 1000.0, 0.0),
            stop(3, 0.0, 1000.0, 0.0),
            vec![1, 0],
        )
    };
    inst(
        &coords,
        vec![r(1), r(2)],
        vec![vtype(2, 4, 10.0), vtype(2, 4, 30.0)],
    )
}

#[test]
fn a_request_rides_only_on_the_vehicle_types_it_allows() {
    let mut i = two_types();
    let free = run(&i);
    assert!(free.routes.iter().all(|r| r.vehicle_type == 0));
    i.requests[0].vehicle_types = Some(vec![1]);
    let s = run(&i);
    let on = |req: usize| {
        s.routes
            .iter()
            .find(|r| r.visits.iter().any(|v| v.request == req))
            .map(|r| r.vehicle_type)
    };
    assert_eq!(on(0), Some(1));
    // the other request joins it rather than paying for a second vehicle
    assert_eq!(on(1), Some(1));
    // a type allowed to nobody: unassigned, with the reason
    i.requests[0].vehicle_types = Some(vec![]);
    let s = run(&i);
    assert!(s.unassigned.contains(&(
        0,
        UnassignedReason::NoCompatibleVehicle { features_ok: false }
    )));
}

#[test]
fn a_preference_costs_its_penalty_off_the_preferred_types() {
    let mut i = two_types();
    for r in &mut i.requests {
        r.preference = Some(senroute_solver::Preference {
            vehicle_types: vec![1],
            penalty: 15.0,
        });
    }
    // both on the dear type: 30 + 20 km, against 10 + 20 + 2 × 15 = 60
    let s = run(&i);
    assert!(s.routes.iter().all(|r| r.vehicle_type == 1), "{s:?}");
    assert!((s.cost - 50.0).abs() < 1e-6, "{}", s.cost);
    for r in &mut i.requests {
        r.preference.as_mut().unwrap().penalty = 5.0;
    }
    // now the cheap type: 10 + 20 + 2 × 5 = 40 < 50
    let s = run(&i);
    assert!(s.routes.iter().all(|r| r.vehicle_type == 0));
    assert!((s.cost - 40.0).abs() < 1e-6, "{}", s.cost);
}

#[test]
fn fixed_routes_are_kept_exactly_and_bad_ones_are_reported() {
    let mut i = two_types();
    let pk = |r| Visit {
        request: r,
        kind: VisitKind::Pickup,
    };
    let dl = |r| Visit {
        request: r,
        kind: VisitKind::Delivery,
    };
    // request 0 alone on the dear type: worse than sharing, yet kept
    let fixed = senroute_solver::FixedRoute {
        vehicle_type: 1,
        visits: vec![pk(0), dl(0)],
    };
    i.fixed_routes = vec![fixed.clone()];
    let s = run(&i);
    assert!(s.stats.fixed_rejected.is_empty());
    assert!(s
        .routes
        .iter()
        .any(|r| r.vehicle_type == 1 && r.visits == fixed.visits));
    // request 1 is still planned (it may join the fixed route only by
    // changing it, which is not allowed)
    assert!(s.unassigned.is_empty());
    // one vehicle of type 1 left: two fixed routes fit, a third does not
    i.vehicle_types[1].count = 1;
    let other = senroute_solver::FixedRoute {
        vehicle_type: 1,
        visits: vec![pk(1), dl(1)],
    };
    i.fixed_routes = vec![fixed.clone(), other];
    let s = run(&i);
    assert_eq!(s.stats.fixed_rejected, vec![(1, Violation::FleetSize)]);
    // a fixed route that breaks a rule (delivery window missed) is not kept
    i.vehicle_types[1].count = 2;
    i.requests[0].delivery.as_mut().unwrap().tw_close = 5.0;
    i.fixed_routes = vec![senroute_solver::FixedRoute {
        vehicle_type: 1,
        visits: vec![pk(1), pk(0), dl(1), dl(0)],
    }];
    let s = run(&i);
    assert_eq!(s.stats.fixed_rejected, vec![(0, Violation::DeliveryWindow)]);
    // a visit twice or an unknown request
    i.fixed_routes = vec![senroute_solver::FixedRoute {
        vehicle_type: 0,
        visits: vec![pk(7), dl(7)],
    }];
    let s = run(&i);
    assert_eq!(s.stats.fixed_rejected, vec![(0, Violation::Precedence)]);
}

#[test]
fn initial_routes_start_the_search() {
    let mut i = two_types();
    let pk = |r| Visit {
        request: r,
        kind: VisitKind::Pickup,
    };
    let dl = |r| Visit {
        request: r,
        kind: VisitKind::Delivery,
    };
    i.initial_routes = vec![senroute_solver::FixedRoute {
        vehicle_type: 1,
        visits: vec![pk(0), dl(0)],
    }];
    // no iterations: the first solution is the initial route, completed by
    // cheapest insertion (request 1 joins it) and polished by local search
    // (the shared route moves to the cheaper type)
    let s = solve(&i, &cfg(0, 1, 1), &|_| {});
    assert!(check_solution(&i, &s).is_empty());
    assert_eq!(s.stats.greedy_cost, None, "started from the initial routes");
    assert!(s.unassigned.is_empty());
    assert_eq!(s.routes.len(), 1);
    assert!((s.cost - 30.0).abs() < 1e-6, "{}", s.cost);
}
