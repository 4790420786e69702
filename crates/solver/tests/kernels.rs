//! The public evaluation kernels agree with exhaustive enumeration.
use senroute_solver::kernels::Kernels;
use senroute_solver::{
    CapacityRule, Instance, ObjectiveWeights, Request, Stop, TravelMatrix, VehicleType, Visit,
    VisitKind,
};

fn stop(location: usize, open: f64, close: f64) -> Option<Stop> {
    Some(Stop {
        location,
        tw_open: open,
        tw_close: close,
        service: 1.0,
    })
}

fn instance(max_ride: Option<f64>) -> Instance {
    let coords = [
        (0.0, 0.0),
        (5.0, 1.0),
        (9.0, 4.0),
        (2.0, 7.0),
        (8.0, 8.0),
        (4.0, 3.0),
        (6.0, 6.0),
    ];
    let m = Instance::euclidean_matrices(&coords);
    let req = |p: usize, d: usize| Request {
        pickup: stop(p, 0.0, 60.0),
        delivery: stop(d, 0.0, 80.0),
        load: vec![1],
        max_ride,
        required_features: 0,
        travel_alone: false,
        conflicts: vec![],
        ride_time_weight: None,
        vehicle_types: None,
        preference: None,
        group: None,
    };
    Instance {
        matrix: TravelMatrix::dense(coords.len(), m.clone(), m)
            .expect("square, non-negative matrices")
            .into(),
        fixed_routes: Vec::new(),
        initial_routes: Vec::new(),
        requests: vec![req(1, 2), req(3, 4), req(5, 6)],
        vehicle_types: vec![VehicleType {
            count: 2,
            start_location: 0,
            end_location: 0,
            capacity: vec![CapacityRule {
                coef: vec![1],
                limit: 2,
            }],
            features: 0,
            fixed_cost: 0.0,
            cost_per_distance: 1.0,
            cost_per_duration: 0.0,
            shift_open: 0.0,
            shift_close: 200.0,
            max_duration: None,
            max_groups: None,
        }],
        objective: ObjectiveWeights::default(),
    }
}

fn v(request: usize, kind: VisitKind) -> Visit {
    Visit { request, kind }
}

/// Cheapest feasible insertion of `r` into `route`, by enumerating every
/// (pickup, delivery) position pair and evaluating the whole route.
fn enumerate(k: &mut Kernels, route: &[Visit], r: usize) -> Option<f64> {
    let base = k.route_cost(0, route).unwrap();
    let mut best: Option<f64> = None;
    for i in 0..=route.len() {
        for j in i..=route.len() {
            let mut s = route.to_vec();
            s.insert(j, v(r, VisitKind::Delivery));
            s.insert(i, v(r, VisitKind::Pickup));
            if let Ok(c) = k.route_cost(0, &s) {
                best = Some(best.map_or(c - base, |b: f64| b.min(c - base)));
            }
        }
    }
    best
}

#[test]
fn insertion_and_relocate_match_enumeration() {
    for max_ride in [None, Some(12.0)] {
        let inst = instance(max_ride);
        let mut k = Kernels::new(&inst);
        let route = vec![
            v(0, VisitKind::Pickup),
            v(2, VisitKind::Pickup),
            v(0, VisitKind::Delivery),
            v(2, VisitKind::Delivery),
        ];
        let cached = k.cache_route(0, &route).expect("feasible route");
        let got = k.insertion_delta(&cached, 1);
        let want = enumerate(&mut k, &route, 1);
        assert!(want.is_some());
        match (got, want) {
            (Some(g), Some(w)) => assert!((g - w).abs() < 1e-9, "{g} vs {w}"),
            (g, w) => assert_eq!(g.is_some(), w.is_some(), "{g:?} vs {w:?}"),
        }
        // relocate request 2 from `route` into a route holding request 1
        let other = vec![v(1, VisitKind::Pickup), v(1, VisitKind::Delivery)];
        let cached_other = k.cache_route(0, &other).expect("feasible route");
        let without: Vec<Visit> = route.iter().copied().filter(|x| x.request != 2).collect();
        let saving = k.route_cost(0, &without).unwrap() - k.route_cost(0, &route).unwrap();
        let ins = enumerate(&mut k, &other, 2);
        let rel = k.relocate_delta(&cached, &cached_other, 2);
        match (rel, ins) {
            (Some(r), Some(i)) => assert!((r - (saving + i)).abs() < 1e-9),
            (r, i) => assert_eq!(r.is_some(), i.is_some()),
        }
    }
}
