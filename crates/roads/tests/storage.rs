//! Saving and loading prepared networks; the matrix report.

mod common;

use common::{mixed, random_snaps, repo};
use senroute_roads::{matrix_report, RoadNetwork, RoadsError, SpeedProfile, FORMAT_VERSION, MAGIC};

fn tmp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("senroute-roads-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn save_load_round_trip_gives_identical_answers() {
    let (net, report) = mixed();
    let path = tmp("mixed.bin");
    net.save(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(bytes[..8], MAGIC);
    assert_eq!(
        u32::from_le_bytes(bytes[8..12].try_into().unwrap()),
        FORMAT_VERSION
    );
    let loaded = RoadNetwork::load(&path).unwrap();
    assert_eq!(loaded.build_report(), report);
    assert_eq!(loaded.node_count(), net.node_count());
    let s = random_snaps(net, 30, 17);
    let s2 = random_snaps(&loaded, 30, 17);
    assert_eq!(s, s2);
    assert_eq!(net.matrix(&s), loaded.matrix(&s2));
    assert_eq!(
        net.path_geometry(&s[0], &s[1]),
        loaded.path_geometry(&s[0], &s[1])
    );
    // Same profile accepted, another one rejected as stale.
    assert!(RoadNetwork::load_with_profile(&path, &SpeedProfile::default()).is_ok());
    let e = RoadNetwork::load_with_profile(&path, &SpeedProfile::free_flow()).unwrap_err();
    assert!(e.to_string().contains("different speed profile"), "{e}");
    assert!(e.to_string().contains("mixed.bin"), "{e}");

    // Another format version.
    let mut v2 = bytes.clone();
    v2[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    let p2 = tmp("v2.bin");
    std::fs::write(&p2, &v2).unwrap();
    let e = RoadNetwork::load(&p2).unwrap_err();
    assert!(e.to_string().contains("format version"), "{e}");
    // Truncated and corrupted payloads.
    let p3 = tmp("short.bin");
    std::fs::write(&p3, &bytes[..bytes.len() / 2]).unwrap();
    let e = RoadNetwork::load(&p3).unwrap_err();
    assert!(matches!(e, RoadsError::BadNetworkFile { .. }) && e.to_string().contains("truncated"));
    let mut flipped = bytes.clone();
    let k = flipped.len() - 100;
    flipped[k] ^= 0xff;
    let p4 = tmp("flipped.bin");
    std::fs::write(&p4, &flipped).unwrap();
    let e = RoadNetwork::load(&p4).unwrap_err();
    assert!(e.to_string().contains("checksum"), "{e}");

    // A version 1 file (bincode, before postcard) asks for `senroute prepare`.
    let mut v1 = bytes.clone();
    v1[8..12].copy_from_slice(&1u32.to_le_bytes());
    let e = RoadNetwork::from_bytes(std::path::Path::new("old.bin"), &v1).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("format version 1") && msg.contains("senroute prepare"),
        "{msg}"
    );
    // A payload with a valid header and checksum but garbage inside is an
    // error, not a panic.
    for garbage in [
        vec![0xffu8; 64],
        vec![],
        vec![7u8; 3],
        bytes[36..200].to_vec(),
    ] {
        let mut f = bytes[..36].to_vec();
        f[20..28].copy_from_slice(&(garbage.len() as u64).to_le_bytes());
        f[28..36].copy_from_slice(&fnv1a(&garbage).to_le_bytes());
        f.extend_from_slice(&garbage);
        let e = RoadNetwork::from_bytes(std::path::Path::new("g.bin"), &f).unwrap_err();
        assert!(e.to_string().contains("cannot decode"), "{e}");
    }
}

/// FNV-1a 64, the checksum of the file header.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[test]
fn matrix_report_runs_on_pbf_and_prepared_file() {
    let points = repo("tests/fixtures/roads/points.csv");
    let pbf = repo(common::MIXED);
    let out = tmp("m.json");
    let r = matrix_report::run(&pbf, &points, Some(&out)).unwrap();
    assert_eq!(r.n, 4);
    assert_eq!(r.network_kind, "pbf");
    assert_eq!(r.unreachable, 0);
    assert!(r.sum_durations_s > 0.0 && r.matrix_cpu_seconds >= 0.0);
    let file: matrix_report::MatrixFile =
        serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(file.durations_s.len(), 16);
    let total: f64 = file.durations_s.iter().sum();
    assert!((total - r.sum_durations_s).abs() < 1e-6);
    let bin = tmp("r.bin");
    mixed().0.save(&bin).unwrap();
    let r2 = matrix_report::run(&bin, &points, None).unwrap();
    assert_eq!(r2.network_kind, "prepared");
    assert_eq!(r2.sum_durations_s, r.sum_durations_s);
    // An explicit profile must match the prepared file's.
    let free = SpeedProfile::free_flow();
    let e = matrix_report::run_with_profile(&bin, &points, None, &free).unwrap_err();
    assert!(e.to_string().contains("different speed profile"), "{e}");
    let r3 = matrix_report::run_with_profile(&pbf, &points, None, &free).unwrap();
    // Free flow is twice as fast as the default urban factor of 0.5 (up to
    // the 5 km/h floor and millisecond rounding).
    assert!(r3.sum_durations_s < 0.55 * r.sum_durations_s, "{r3:?}");
}
