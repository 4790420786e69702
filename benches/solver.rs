//! Micro-benchmarks of the solver's evaluation kernels on realistic route
//! lengths (10-30 stops): insertion cost evaluation, a pair-relocate
//! local-search move, and a full route feasibility/cost evaluation, for a
//! VRPTW route (Solomon R101) and a dial-a-ride route with ride-time limits
//! (Cordeau a4-24).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use senroute::solver::bench::load;
use senroute::solver::checker::Format;
use senroute::solver::kernels::Kernels;
use senroute::solver::{solve, SolverConfig, Visit};
use std::path::PathBuf;

fn data(p: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data/instances")
        .join(p)
}

/// Solves briefly (fixed iterations, reproducible) and returns the routes
/// sorted by length, longest first.
fn routes(format: Format, file: &str) -> (senroute::solver::Instance, Vec<(usize, Vec<Visit>)>) {
    let b = load(format, &data(file)).expect("bundled instance");
    let cfg = SolverConfig {
        time_limit: None,
        iteration_limit: Some(300),
        seed: 1,
        threads: 1,
        ..SolverConfig::default()
    };
    let sol = solve(&b.instance, &cfg, &|_| {});
    let mut rs: Vec<(usize, Vec<Visit>)> = sol
        .routes
        .into_iter()
        .map(|r| (r.vehicle_type, r.visits))
        .collect();
    rs.sort_by_key(|r| std::cmp::Reverse(r.1.len()));
    (b.instance, rs)
}

fn kernels(c: &mut Criterion) {
    for (name, format, file) in [
        ("vrptw_r201", Format::Solomon, "solomon/txt/R201.txt"),
        ("darp_a4_24", Format::Cordeau, "darp/cordeau2006/a4-24.txt"),
    ] {
        let (inst, rs) = routes(format, file);
        let mut k = Kernels::new(&inst);
        let (vt, long) = rs[0].clone();
        let (vt2, other) = rs[1].clone();
        let stops = long.len();
        // a request from the second route, to insert into the longest one
        let req = other[0].request;
        let cached = k
            .cache_route(vt, &long)
            .expect("published route is feasible");
        let cached_other = k
            .cache_route(vt2, &other)
            .expect("published route is feasible");
        c.bench_function(&format!("{name}/insertion_{stops}_stops"), |b| {
            b.iter(|| black_box(k.insertion_delta(&cached, black_box(req))))
        });
        c.bench_function(&format!("{name}/relocate_pair_{stops}_stops"), |b| {
            b.iter(|| black_box(k.relocate_delta(&cached_other, &cached, black_box(req))))
        });
        c.bench_function(&format!("{name}/route_evaluation_{stops}_stops"), |b| {
            b.iter(|| black_box(k.route_cost(vt, black_box(&long))))
        });
        c.bench_function(&format!("{name}/cache_route_{stops}_stops"), |b| {
            b.iter(|| black_box(k.cache_route(vt, black_box(&long))))
        });
    }
}

criterion_group!(benches, kernels);
criterion_main!(benches);
