//! The CSV readers: the input is up to three files (pupils, schools, fleet)
//! separated by 0xFF bytes (never valid in UTF-8 text); a missing file is
//! the bundled example's, so mutations reach the cross-record checks.
#![no_main]

use libfuzzer_sys::fuzz_target;
use senroute_model::{read_problem, CsvSource, Session, Settings};

const PUPILS: &[u8] = include_bytes!("../../data/example/pupils.csv");
const SCHOOLS: &[u8] = include_bytes!("../../data/example/schools.csv");
const FLEET: &[u8] = include_bytes!("../../data/example/fleet.csv");

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|&b| b == 0xff);
    let pupils = parts.next().filter(|p| !p.is_empty()).unwrap_or(PUPILS);
    let schools = parts.next().unwrap_or(SCHOOLS);
    let fleet = parts.next().unwrap_or(FLEET);
    let source = |name: &str, bytes| CsvSource {
        name: name.to_string(),
        reader: bytes,
    };
    let r = read_problem(
        source("pupils.csv", pupils),
        source("schools.csv", schools),
        source("fleet.csv", fleet),
        Session::Am,
        Settings::default(),
    );
    if let Err(e) = r {
        // Every message stays bounded, whatever the input.
        assert!(e.len() <= senroute_model::limits::MAX_ISSUES + 1);
        for i in e.issues() {
            assert!(i.to_string().len() < 8_000, "{} bytes", i.to_string().len());
        }
    }
});
