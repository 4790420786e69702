//! Generates the default cohort and plans each borough alone with its own
//! fleet: pupils left out, routes and how much of each fleet is used.
//!
//! ```text
//! cargo run -p senroute-synth --example plan_cohort -- [SECONDS] [PUPILS_PER_BOROUGH] [SEED]
//! ```

use std::path::PathBuf;
use std::time::Duration;

use senroute_model::Problem;
use senroute_planner::{plan, travel_times, PlanOptions};
use senroute_roads::{Boroughs, RoadNetwork, SpeedProfile};
use senroute_synth::{
    generate, CohortParams, SchoolCatalogue, DEFAULT_BOUNDARIES, DEFAULT_OSM_SCHOOLS,
    DEFAULT_ROADS, DEFAULT_SPECIAL_SCHOOLS,
};

fn repo(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let arg = |i: usize, default: u64| -> Result<u64, std::num::ParseIntError> {
        std::env::args().nth(i).map_or(Ok(default), |a| a.parse())
    };
    let seconds = arg(1, 10)?;
    let params = CohortParams {
        pupils_per_borough: u32::try_from(arg(2, 100)?)?,
        seed: arg(3, 1)?,
        ..CohortParams::default()
    };
    let (network, _) = RoadNetwork::from_pbf(repo(DEFAULT_ROADS), &SpeedProfile::default())?;
    let boroughs = Boroughs::from_geojson(repo(DEFAULT_BOUNDARIES))?;
    let schools =
        SchoolCatalogue::load(&repo(DEFAULT_SPECIAL_SCHOOLS), &repo(DEFAULT_OSM_SCHOOLS))?;
    let cohort = generate(&params, &network, &boroughs, &schools)?;
    print!("{}", cohort.stats);
    for code in &params.boroughs {
        let mine = |b: &Option<String>| b.as_deref() == Some(code.as_str());
        let problem = Problem {
            pupils: cohort
                .problem
                .pupils
                .iter()
                .filter(|p| mine(&p.borough))
                .cloned()
                .collect(),
            fleet: cohort
                .problem
                .fleet
                .iter()
                .filter(|v| mine(&v.borough))
                .cloned()
                .collect(),
            ..cohort.problem.clone()
        };
        let travel = travel_times(&problem, &network, 300.0)?;
        let mut options = PlanOptions::from_problem(&problem);
        options.time_limit = Some(Duration::from_secs(seconds));
        let run = plan(&problem, &travel.times, &options, &|_| {});
        let cost: f64 = run.plan.routes.iter().map(|r| r.cost).sum();
        println!(
            "{code}: {} AM pupils, {} routes, £{cost:.0}, {} left out",
            problem.travelling_pupils().count(),
            run.plan.routes.len(),
            run.plan.unassigned.len()
        );
        for v in &problem.fleet {
            let used = run
                .plan
                .routes
                .iter()
                .filter(|r| r.vehicle_type == v.id)
                .count();
            println!("  {:<28} {used:>3} of {:>3} used", v.id, v.count);
        }
    }
    Ok(())
}
