//! Renders every report output for a saved problem and plan.
//!
//! ```text
//! cargo run -p senroute-report --example render -- \
//!     problem.json plan.json OUT_DIR [roads.osm.pbf | roads.bin]
//! ```
//!
//! With a road file (an OSM PBF extract, or a network saved by
//! `RoadNetwork::save`), run lines follow the roads and the map shows them;
//! without one, lines are straight. Prints the text summary and the files
//! written.

use senroute_report::{text_summary, write_outputs, Geometry};
use senroute_roads::{RoadNetwork, SpeedProfile, DEFAULT_MAX_SNAP_M};
use std::error::Error;

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !(3..=4).contains(&args.len()) {
        return Err(
            "usage: render PROBLEM.json PLAN.json OUT_DIR [ROADS.osm.pbf|ROADS.bin]".into(),
        );
    }
    let problem = senroute_model::problem_from_json(&args[0], &std::fs::read_to_string(&args[0])?)
        .map_err(|e| e.to_string())?;
    let plan: senroute_model::Plan = serde_json::from_str(&std::fs::read_to_string(&args[1])?)?;
    let network = match args.get(3) {
        Some(path) if path.ends_with(".pbf") => {
            Some(RoadNetwork::from_pbf(path, &SpeedProfile::default())?.0)
        }
        Some(path) => Some(RoadNetwork::load(path)?),
        None => None,
    };
    let geometry = match &network {
        Some(net) => {
            // Locations too far from a road keep straight legs.
            let (keys, snaps): (Vec<_>, Vec<_>) = problem
                .locations()
                .into_iter()
                .filter_map(|(key, loc)| {
                    net.snap(&key.to_string(), loc.lat, loc.lon, DEFAULT_MAX_SNAP_M)
                        .ok()
                        .map(|s| (key, s))
                })
                .unzip();
            Geometry::roads(net, &keys, &snaps)
        }
        None => Geometry::Straight,
    };
    let paths = write_outputs(&args[2], &problem, &plan, &geometry)?;
    print!("{}", text_summary(&problem, &plan));
    for path in paths.all() {
        println!("wrote {}", path.display());
    }
    Ok(())
}
