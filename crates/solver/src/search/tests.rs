//! Unit tests of the search's parts.

use super::context::{build_ctx, vehicles_lower_bound, Ctx};
use super::local_search::closed_cut;
use super::route::RouteState;
use super::solution::Sol;
use super::worker::Worker;
use crate::eval::{evaluate, Scratch};
use crate::{CapacityRule, Instance, ObjectiveWeights, Request, Stop, TravelMatrix, VehicleType};

/// Depot at the origin, requests 0 and 1 near x = 10, 2 and 3 near
/// x = -10 (delivery-only, like Solomon customers).
pub(crate) fn two_clusters(types: Vec<(usize, f64)>) -> Instance {
    let coords = [
        (0.0, 0.0),
        (10.0, 0.0),
        (11.0, 0.0),
        (-10.0, 0.0),
        (-11.0, 0.0),
    ];
    let m = Instance::euclidean_matrices(&coords);
    let req = |loc: usize| Request {
        pickup: None,
        delivery: Some(Stop {
            location: loc,
            tw_open: 0.0,
            tw_close: 1000.0,
            service: 0.0,
        }),
        load: vec![1],
        max_ride: None,
        required_features: 0,
        travel_alone: false,
        conflicts: vec![],
        ride_time_weight: None,
        vehicle_types: None,
        preference: None,
        group: None,
    };
    Instance {
        matrix: TravelMatrix::dense(5, m.clone(), m)
            .expect("square, non-negative matrices")
            .into(),
        fixed_routes: Vec::new(),
        initial_routes: Vec::new(),
        requests: (1..5).map(req).collect(),
        vehicle_types: types
            .into_iter()
            .map(|(count, fixed_cost)| VehicleType {
                count,
                start_location: 0,
                end_location: 0,
                capacity: vec![CapacityRule {
                    coef: vec![1],
                    limit: 2,
                }],
                features: 0,
                fixed_cost,
                cost_per_distance: 1.0,
                cost_per_duration: 0.0,
                shift_open: 0.0,
                shift_close: 1000.0,
                max_duration: None,
                max_groups: None,
            })
            .collect(),
        objective: ObjectiveWeights::default(),
    }
}

fn sol_of(ctx: &Ctx, routes: &[(usize, Vec<u32>)]) -> Sol {
    let mut sc = Scratch::default();
    let mut s = ctx.new_sol();
    for (vt, n) in routes {
        let st = RouteState::build(&ctx.p, *vt, n.clone(), &mut sc).unwrap();
        let slot = s.free_slot().unwrap();
        s.set_route(slot, st);
    }
    s.refresh_cost();
    s
}

fn assert_consistent(ctx: &Ctx, s: &Sol) {
    let mut sc = Scratch::default();
    let mut total = 0.0;
    for (ri, rt) in s.iter_routes() {
        let ev = evaluate(&ctx.p, rt.vt, &rt.nodes, &mut sc);
        assert!(ev.violation.is_none(), "{:?}", ev.violation);
        assert!((ev.cost - rt.cost).abs() < 1e-9);
        total += ev.cost;
        for &n in &rt.nodes {
            assert_eq!(s.route_of[n as usize / 2], ri as u32);
        }
    }
    assert!((total - s.cost).abs() < 1e-9);
}

#[test]
fn local_search_uncrosses_routes() {
    let inst = two_clusters(vec![(2, 100.0)]);
    let (ctx, _) = build_ctx(&inst);
    let mut w = Worker::new(&ctx, 1);
    // each route serves one customer of each cluster: 2 * (100 + 42)
    let mut s = sol_of(&ctx, &[(0, vec![1, 5]), (0, vec![3, 7])]);
    assert!((s.cost - 284.0).abs() < 1e-9);
    let all: Vec<usize> = s.iter_routes().map(|(x, _)| x).collect();
    w.local_search(&mut s, &all);
    assert_consistent(&ctx, &s);
    // one route per cluster: 2 * (100 + 22)
    assert!((s.cost - 244.0).abs() < 1e-9, "{}", s.cost);
}

#[test]
fn local_search_moves_a_route_to_a_cheaper_vehicle_type() {
    let inst = two_clusters(vec![(2, 100.0), (1, 60.0)]);
    let (ctx, _) = build_ctx(&inst);
    let mut w = Worker::new(&ctx, 1);
    let mut s = sol_of(&ctx, &[(0, vec![1, 3]), (0, vec![5, 7])]);
    let all: Vec<usize> = s.iter_routes().map(|(x, _)| x).collect();
    w.local_search(&mut s, &all);
    assert_consistent(&ctx, &s);
    // only one vehicle of the cheap type exists
    assert_eq!(s.used, vec![1, 1]);
    assert!((s.cost - (100.0 + 60.0 + 44.0)).abs() < 1e-9, "{}", s.cost);
}

#[test]
fn vehicle_bound_takes_the_largest_vehicles_first() {
    // four customers of demand 1; one vehicle of capacity 2 (limit set
    // below) and plenty of capacity 1
    let mut inst = two_clusters(vec![(1, 100.0), (5, 100.0)]);
    inst.vehicle_types[1].capacity[0].limit = 1;
    let (ctx, _) = build_ctx(&inst);
    let all: Vec<usize> = (0..4).collect();
    assert_eq!(vehicles_lower_bound(&ctx.p, &all), 3);
    // a single type: ceil(4 / 2)
    let inst = two_clusters(vec![(4, 100.0)]);
    let (ctx, _) = build_ctx(&inst);
    assert_eq!(vehicles_lower_bound(&ctx.p, &all), 2);
    assert_eq!(vehicles_lower_bound(&ctx.p, &[]), 0);
}

#[test]
fn vehicle_bound_ignores_pairs_that_reuse_capacity() {
    let mut inst = two_clusters(vec![(4, 100.0)]);
    for (k, r) in inst.requests.iter_mut().enumerate() {
        r.pickup = Some(Stop {
            location: k + 1,
            tw_open: 0.0,
            tw_close: 1000.0,
            service: 0.0,
        });
        r.delivery.as_mut().unwrap().location = 0;
        r.load = vec![2];
    }
    let (ctx, _) = build_ctx(&inst);
    // one vehicle of capacity 2 can serve the four pairs one by one
    assert_eq!(vehicles_lower_bound(&ctx.p, &[0, 1, 2, 3]), 1);
}

#[test]
fn cuts_never_split_a_pickup_delivery_pair() {
    let mut inst = two_clusters(vec![(2, 100.0)]);
    // request 0 becomes a pickup at location 1 and delivery at 2
    inst.requests[0].pickup = Some(Stop {
        location: 1,
        tw_open: 0.0,
        tw_close: 1000.0,
        service: 0.0,
    });
    inst.requests[0].delivery.as_mut().unwrap().location = 2;
    let (ctx, _) = build_ctx(&inst);
    // nodes: pickup 0, delivery 1 of request 0, then request 1's delivery
    let nodes = [0u32, 1, 3];
    assert!(closed_cut(&ctx.p, &nodes, 0));
    assert!(!closed_cut(&ctx.p, &nodes, 1));
    assert!(closed_cut(&ctx.p, &nodes, 2));
    assert!(closed_cut(&ctx.p, &nodes, 3));
}

/// `n` pickup–delivery requests from random homes to one of three schools,
/// two-seat vehicles: many small routes.
fn many_routes(n: usize) -> Instance {
    let mut rng = crate::rng::Rng::new(5);
    let mut coords = vec![(0.0, 0.0), (30.0, 0.0), (0.0, 30.0), (-30.0, -30.0)];
    for _ in 0..n {
        coords.push((rng.f64() * 100.0 - 50.0, rng.f64() * 100.0 - 50.0));
    }
    let m = Instance::euclidean_matrices(&coords);
    let stop = |location, open, close| Stop {
        location,
        tw_open: open,
        tw_close: close,
        service: 1.0,
    };
    Instance {
        matrix: TravelMatrix::dense(coords.len(), m.clone(), m)
            .expect("square, non-negative matrices")
            .into(),
        fixed_routes: Vec::new(),
        initial_routes: Vec::new(),
        requests: (0..n)
            .map(|k| Request {
                pickup: Some(stop(4 + k, 0.0, 1000.0)),
                delivery: Some(stop(1 + k % 3, 200.0, 260.0)),
                load: vec![1],
                max_ride: Some(120.0),
                required_features: 0,
                travel_alone: false,
                conflicts: vec![],
                ride_time_weight: None,
                vehicle_types: None,
                preference: None,
                group: None,
            })
            .collect(),
        vehicle_types: vec![VehicleType {
            count: n,
            start_location: 0,
            end_location: 0,
            capacity: vec![CapacityRule {
                coef: vec![1],
                limit: 2,
            }],
            features: 0,
            fixed_cost: 50.0,
            cost_per_distance: 1.0,
            cost_per_duration: 0.0,
            shift_open: 0.0,
            shift_close: 1000.0,
            max_duration: Some(400.0),
            max_groups: None,
        }],
        objective: ObjectiveWeights::default(),
    }
}

/// Same routes (slot by slot), bookkeeping and unassigned requests.
fn assert_same(a: &Sol, b: &Sol) {
    // (a rolled-back step may leave an extra vacant slot)
    for s in 0..a.routes.len().max(b.routes.len()) {
        let (x, y) = (a.routes.get(s), b.routes.get(s));
        let nodes = |r: Option<&RouteState>| r.map(|r| r.nodes.clone()).unwrap_or_default();
        assert_eq!(nodes(x), nodes(y), "slot {s}");
        if let (Some(x), Some(y)) = (x, y) {
            if !x.nodes.is_empty() {
                assert_eq!(x.vt, y.vt);
            }
        }
    }
    assert_eq!(a.route_of, b.route_of);
    assert_eq!(a.used, b.used);
    assert_eq!(a.n_used, b.n_used);
    assert_eq!(a.n_nodes, b.n_nodes);
    let (mut ua, mut ub) = (a.unassigned.clone(), b.unassigned.clone());
    ua.sort_unstable();
    ub.sort_unstable();
    assert_eq!(ua, ub);
    assert!((a.cost - b.cost).abs() < 1e-9);
}

#[test]
fn a_rolled_back_step_leaves_the_solution_as_it_was() {
    let inst = many_routes(40);
    let (ctx, _) = build_ctx(&inst);
    let mut w = Worker::new(&ctx, 3);
    let (first, _) = w.first_solution();
    assert!(first.n_used >= 10);
    for step in 0..200 {
        let mut sol = first.clone();
        sol.begin();
        let mut todo = w.ruin(&mut sol);
        w.take_unassigned(&mut sol, &mut todo, false);
        w.recreate(&mut sol, todo, usize::MAX);
        if step % 2 == 0 {
            let touched: Vec<usize> = sol.touched().collect();
            w.local_search(&mut sol, &touched);
        }
        assert_consistent(&ctx, &sol);
        sol.rollback();
        assert_same(&sol, &first);
    }
}

#[test]
fn copying_the_changes_brings_the_best_solution_up_to_date() {
    let inst = many_routes(40);
    let (ctx, _) = build_ctx(&inst);
    let mut w = Worker::new(&ctx, 4);
    let (first, _) = w.first_solution();
    let mut cur = first.clone();
    cur.forget_changes();
    let mut best = first.clone();
    for _ in 0..100 {
        cur.begin();
        let mut todo = w.ruin(&mut cur);
        w.take_unassigned(&mut cur, &mut todo, false);
        w.recreate(&mut cur, todo, usize::MAX);
        cur.commit();
        if w.rng.f64() < 0.3 {
            cur.copy_changes_to(&mut best);
            assert_same(&cur, &best);
        }
    }
}

#[test]
fn decomposed_regions_merge_into_one_valid_solution() {
    let inst = many_routes(60);
    let (ctx, _) = build_ctx(&inst);
    let mut w0 = Worker::new(&ctx, 6);
    let (mut g, _) = w0.first_solution();
    let before = g.cost;
    let mut rng = crate::rng::Rng::new(9);
    let parts = super::decompose::split(&ctx, &mut g, 2, &mut rng).expect("enough routes");
    // every route and every request in exactly one region
    for (s, _) in g.iter_routes() {
        assert_eq!(parts.iter().filter(|p| p.region.slot_ok[s]).count(), 1);
    }
    for &r in &ctx.active {
        assert_eq!(parts.iter().filter(|p| p.region.req_ok[r]).count(), 1);
    }
    let mut workers: Vec<Worker> = (0..2).map(|k| Worker::new(&ctx, 10 + k)).collect();
    for (w, part) in workers.iter_mut().zip(&parts) {
        w.adopt(&g);
        w.cur.set_growable(false);
        w.cur.set_free(&part.spare);
        w.region = Some(part.region.clone());
        w.vt_cap = part.vt_cap.clone();
        for _ in 0..300 {
            w.step(0.5);
        }
        // a worker changes only its own region
        for (s, rt) in w.best.routes.iter().enumerate() {
            if !part.region.slot_ok.get(s).copied().unwrap_or(false) {
                let orig = g.routes.get(s).map(|r| r.nodes.clone()).unwrap_or_default();
                assert_eq!(rt.nodes, orig, "slot {s} outside the region changed");
            }
        }
    }
    let results: Vec<(&Sol, &super::worker::Region)> = workers
        .iter()
        .map(|w| (&w.best, w.region.as_ref().unwrap()))
        .collect();
    super::decompose::merge(&mut g, &results);
    assert_consistent(&ctx, &g);
    assert!(g.cost <= before + 1e-9, "{} > {before}", g.cost);
    let served: usize = g.iter_routes().map(|(_, r)| r.nodes.len() / 2).sum();
    assert_eq!(served + g.unassigned.len(), ctx.active.len());
    assert!(g.n_used <= inst.vehicle_types[0].count);
}

#[test]
fn the_greedy_baseline_is_feasible_and_the_first_solution_no_worse() {
    let inst = many_routes(40);
    let (ctx, _) = build_ctx(&inst);
    let mut w = Worker::new(&ctx, 7);
    let greedy = w.greedy_solution().expect("pickup-delivery requests");
    assert_consistent(&ctx, &greedy);
    let (first, greedy_cost) = w.first_solution();
    assert_eq!(greedy_cost, Some((greedy.cost, greedy.unassigned.len())));
    assert!(first.cost <= greedy.cost + 1e-9);
}
