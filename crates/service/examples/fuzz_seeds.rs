//! Writes the seed corpora of the fuzz targets (`fuzz/corpus/*`) from the
//! bundled example: `cargo run -p senroute-service --example fuzz_seeds`.
//! The seeds are small on purpose (a few KB each); fuzzing grows its own
//! corpus elsewhere.

use prost::Message;
use senroute_model::{read_problem_files, Session, Settings, TravelTimes};
use senroute_roads::{synthetic, RoadNetwork, SpeedProfile};
use senroute_service::convert::problem_to_proto;
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let data = root.join("data/example");
    let corpus = root.join("fuzz/corpus");
    let read = |f: &str| std::fs::read(data.join(f));
    let (pupils, schools, fleet) = (
        read("pupils.csv")?,
        read("schools.csv")?,
        read("fleet.csv")?,
    );

    // CSV: the three files joined by 0xFF, and variants.
    let join = |parts: &[&[u8]]| parts.join(&[0xffu8][..]);
    let csv = corpus.join("csv_input");
    std::fs::write(csv.join("example"), join(&[&pupils, &schools, &fleet]))?;
    std::fs::write(csv.join("pupils_only"), &pupils)?;
    let bng = b"id,name,easting,northing,phase,am_arrival_open,am_arrival_close,pm_departure_open,pm_departure_close\nS1,A,528476,184518,primary,08:40,09:00,15:15,15:30\n";
    std::fs::write(csv.join("schools_bng"), join(&[&pupils, bng, &fleet]))?;

    let mut problem = read_problem_files(
        &data.join("pupils.csv"),
        &data.join("schools.csv"),
        &data.join("fleet.csv"),
        Session::Am,
        Settings::default(),
    )?;
    let json = corpus.join("json_problem");
    std::fs::write(json.join("example.json"), serde_json::to_vec(&problem)?)?;
    problem.pupils.truncate(3);
    problem
        .pupils
        .iter_mut()
        .for_each(|p| p.needs.must_not_travel_with.clear());
    problem.schools.truncate(1);
    for p in &mut problem.pupils {
        p.school = problem.schools[0].id.clone();
    }
    problem.fleet.truncate(1);
    problem.matrices = Some(TravelTimes::straight_line(&problem, 25.0, 1.4).to_matrices());
    std::fs::write(
        json.join("small_with_matrices.json"),
        serde_json::to_vec(&problem)?,
    )?;
    let proto = corpus.join("proto_problem");
    std::fs::write(
        proto.join("small_with_matrices"),
        problem_to_proto(&problem).encode_to_vec(),
    )?;
    problem.matrices = None;
    std::fs::write(
        proto.join("small"),
        problem_to_proto(&problem).encode_to_vec(),
    )?;

    // Prepared roads: a 3×3 grid, whole file and payload alone.
    let (net, _) = synthetic::grid(3, 3, 200.0, &SpeedProfile::default());
    let tmp = std::env::temp_dir().join("senroute-fuzz-seed.bin");
    net.save(&tmp)?;
    let bytes = std::fs::read(&tmp)?;
    RoadNetwork::from_bytes(&tmp, &bytes)?;
    let roads = corpus.join("roads_file");
    std::fs::write(roads.join("grid3x3.bin"), &bytes)?;
    std::fs::write(roads.join("grid3x3_payload"), &bytes[36..])?;
    std::fs::remove_file(&tmp)?;
    println!("wrote the seed corpora to {}", corpus.display());
    Ok(())
}
