//! The prepared-roads loader: whole files (magic, version, length and
//! checksum checks) and, behind a valid header, arbitrary payloads.
#![no_main]

use libfuzzer_sys::fuzz_target;
use senroute_roads::RoadNetwork;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let _ = RoadNetwork::from_bytes(Path::new("fuzz.bin"), data);
    let _ = RoadNetwork::decode_payload(data);
});
