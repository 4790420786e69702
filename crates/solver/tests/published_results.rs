//! The benchmark results quoted in the READMEs (`results/*.jsonl`, written by
//! `scripts/bench_all.sh`) are re-checked here with the independent checker:
//! every line's routes must be feasible and give the vehicles and distance
//! the line (and so the tables) claim, and every bundled instance of the
//! three sets must have a line.
use senroute_solver::checker::{check_file, Format};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn recheck(results: &str, format: Format, dir: &str) {
    let path = root().join("results").join(results);
    let text = std::fs::read_to_string(&path).unwrap();
    let instances = root().join("../../data/instances").join(dir);
    let mut seen = Vec::new();
    for (k, line) in text.lines().enumerate() {
        let at = format!("{}:{}", path.display(), k + 1);
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{at}: {e}"));
        let name = v["instance"].as_str().unwrap().to_string();
        let routes: Vec<Vec<usize>> = serde_json::from_value(v["routes"].clone())
            .unwrap_or_else(|e| panic!("{at}: routes: {e}"));
        let file = instances.join(format!("{name}.txt"));
        let report = check_file(format, &file, &routes).unwrap();
        assert!(report.feasible, "{at}: {:?}", report.errors);
        assert_eq!(v["feasible"], true, "{at}");
        assert_eq!(
            report.vehicles as u64,
            v["vehicles"].as_u64().unwrap(),
            "{at}"
        );
        let claimed = v["distance"].as_f64().unwrap();
        assert!(
            (report.distance - claimed).abs() < 1e-3,
            "{at}: {} vs {claimed}",
            report.distance
        );
        seen.push(name);
    }
    let mut all: Vec<String> = std::fs::read_dir(&instances)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| {
            Path::new(&p)
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    all.sort();
    seen.sort();
    assert_eq!(seen, all, "{results} must cover every instance in {dir}");
}

#[test]
fn solomon_results_are_feasible_and_as_claimed() {
    recheck("solomon.jsonl", Format::Solomon, "solomon/txt");
}

#[test]
fn lilim_results_are_feasible_and_as_claimed() {
    recheck("lilim.jsonl", Format::LiLim, "lilim/100");
}

#[test]
fn cordeau_results_are_feasible_and_as_claimed() {
    recheck("cordeau.jsonl", Format::Cordeau, "darp/cordeau2006");
}
