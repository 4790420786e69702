//! Helpers shared by the integration tests.

#![allow(dead_code)] // each test binary uses a part

pub mod pg;
pub mod web;

use senroute_model::{read_problem_files, Session, Settings, TravelTimes};
use senroute_service::convert::problem_to_proto;
use senroute_service::pb::v1 as pb;
use std::path::{Path, PathBuf};
use tonic::Request;

/// A path in the repository.
pub fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

/// The bundled 16-pupil example with its own straight-line matrices and a
/// search time limit: a small job that needs no road network.
pub fn tiny_problem(time_limit_s: f64, borough: &str) -> pb::Problem {
    let mut p = read_problem_files(
        &data("data/example/pupils.csv"),
        &data("data/example/schools.csv"),
        &data("data/example/fleet.csv"),
        Session::Am,
        Settings {
            time_limit_seconds: time_limit_s,
            ..Settings::default()
        },
    )
    .unwrap();
    for pupil in &mut p.pupils {
        pupil.borough = Some(borough.into());
    }
    p.matrices = Some(TravelTimes::straight_line(&p, 25.0, 1.4).to_matrices());
    problem_to_proto(&p)
}

/// A request with the borough's key.
pub fn req<T>(msg: T, key: &str) -> Request<T> {
    let mut r = Request::new(msg);
    r.metadata_mut()
        .insert("authorization", format!("Bearer {key}").parse().unwrap());
    r
}

/// A fresh temporary directory.
pub fn tempdir(tag: &str) -> PathBuf {
    let mut b = [0u8; 6];
    getrandom::fill(&mut b).unwrap();
    let d = std::env::temp_dir().join(format!(
        "senroute-{tag}-{}",
        senroute_service::auth::hex(&b)
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Milliseconds of a protobuf timestamp.
pub fn ms(t: &Option<prost_types::Timestamp>) -> i64 {
    let t = t.as_ref().expect("timestamp set");
    t.seconds * 1000 + i64::from(t.nanos) / 1_000_000
}
