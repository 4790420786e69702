//! A generated cohort is feasible: each borough alone, with only its own
//! fleet (as the pooling study plans it), gets every pupil on a vehicle.

use std::path::PathBuf;
use std::time::Duration;

use senroute_model::{validate, Problem};
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

#[test]
fn each_borough_plans_every_pupil_with_its_own_fleet() {
    let (network, _) =
        RoadNetwork::from_pbf(repo(DEFAULT_ROADS), &SpeedProfile::default()).unwrap();
    let boroughs = Boroughs::from_geojson(repo(DEFAULT_BOUNDARIES)).unwrap();
    let schools =
        SchoolCatalogue::load(&repo(DEFAULT_SPECIAL_SCHOOLS), &repo(DEFAULT_OSM_SCHOOLS)).unwrap();
    let params = CohortParams {
        pupils_per_borough: 40,
        seed: 3,
        ..CohortParams::default()
    };
    let cohort = generate(&params, &network, &boroughs, &schools).unwrap();
    for code in &params.boroughs {
        let mine = |b: &Option<String>| b.as_deref() == Some(code.as_str());
        let pupils: Vec<_> = cohort
            .problem
            .pupils
            .iter()
            .filter(|p| mine(&p.borough))
            .cloned()
            .collect();
        // Pairs never cross borough lines, so the sub-problem is closed.
        let problem = Problem {
            pupils,
            fleet: cohort
                .problem
                .fleet
                .iter()
                .filter(|v| mine(&v.borough))
                .cloned()
                .collect(),
            ..cohort.problem.clone()
        };
        let travel = travel_times(&problem, &network, 300.0).unwrap();
        let mut options = PlanOptions::from_problem(&problem);
        options.time_limit = Some(Duration::from_secs(2));
        options.threads = 1;
        let run = plan(&problem, &travel.times, &options, &|_| {});
        assert!(
            run.plan.unassigned.is_empty(),
            "{code}: pupils left out: {:?}",
            run.plan.unassigned
        );
        let violations = validate(&problem, &travel.times, &run.plan);
        assert!(violations.is_empty(), "{code}: {violations:?}");
    }
}
