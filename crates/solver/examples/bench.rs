//! Runs the solver on benchmark files and prints one JSON line per instance:
//!
//! `cargo run --release -p senroute-solver --example bench -- --format solomon --seconds 10 --seed 1 [--threads 2] [--iterations N] [--routes] FILE...`
use senroute_solver::bench::{parse_format, run_bench, BenchOptions};
use std::path::PathBuf;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut format = None;
    let mut opts = BenchOptions {
        seconds: 10.0,
        iterations: None,
        seed: 0,
        threads: std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        routes: false,
    };
    let mut files: Vec<PathBuf> = Vec::new();
    while let Some(a) = args.next() {
        let mut val = |name: &str| {
            args.next()
                .unwrap_or_else(|| panic!("{name} needs a value"))
        };
        match a.as_str() {
            "--format" => format = parse_format(&val("--format")),
            "--seconds" => opts.seconds = val("--seconds").parse().expect("seconds"),
            "--seed" => opts.seed = val("--seed").parse().expect("seed"),
            "--threads" => opts.threads = val("--threads").parse().expect("threads"),
            "--iterations" => {
                opts.iterations = Some(val("--iterations").parse().expect("iterations"))
            }
            "--routes" => opts.routes = true,
            f => files.push(f.into()),
        }
    }
    let format = format.expect("--format solomon|lilim|cordeau");
    for f in files {
        match run_bench(format, &f, &opts) {
            Ok(r) => {
                println!("{}", r.to_json());
                eprintln!("{}: {} iterations {:?}", r.instance, r.iterations, r.errors);
            }
            Err(e) => eprintln!("{}: {e}", f.display()),
        }
    }
}
