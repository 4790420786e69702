//! Generating cohorts on the bundled Camden/Westminster/City road file.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use senroute_model::{
    check_problem, incompatibility, read_problem_files, JsonLocator, Phase, Session, Settings,
};
use senroute_roads::{Boroughs, RoadNetwork, SpeedProfile};
use senroute_synth::{
    generate, Cohort, CohortParams, SchoolCatalogue, SynthError, DEFAULT_BOUNDARIES,
    DEFAULT_OSM_SCHOOLS, DEFAULT_ROADS, DEFAULT_SPECIAL_SCHOOLS,
};

fn repo(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

struct World {
    network: RoadNetwork,
    boroughs: Boroughs,
    schools: SchoolCatalogue,
}

/// The network, boundaries and school lists, built once per test binary.
fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| World {
        network: RoadNetwork::from_pbf(repo(DEFAULT_ROADS), &SpeedProfile::default())
            .expect("bundled road file builds")
            .0,
        boroughs: Boroughs::from_geojson(repo(DEFAULT_BOUNDARIES))
            .expect("bundled boundaries read"),
        schools: SchoolCatalogue::load(&repo(DEFAULT_SPECIAL_SCHOOLS), &repo(DEFAULT_OSM_SCHOOLS))
            .expect("bundled school lists read"),
    })
}

fn run(params: &CohortParams) -> Result<Cohort, SynthError> {
    let w = world();
    generate(params, &w.network, &w.boroughs, &w.schools)
}

/// The default cohort: 3 boroughs × 100 pupils.
fn cohort300() -> &'static Cohort {
    static C: OnceLock<Cohort> = OnceLock::new();
    C.get_or_init(|| run(&CohortParams::default()).expect("default cohort generates"))
}

fn small(seed: u64) -> CohortParams {
    CohortParams {
        pupils_per_borough: 25,
        seed,
        ..CohortParams::default()
    }
}

#[test]
fn same_seed_gives_identical_bytes_and_another_seed_differs() {
    let a = run(&small(7)).unwrap().csv_files();
    let b = run(&small(7)).unwrap().csv_files();
    assert_eq!(a, b);
    let c = run(&small(8)).unwrap().csv_files();
    assert_ne!(a[0].1, c[0].1, "pupils.csv should change with the seed");
    assert_ne!(a[2].1, c[2].1, "fleet depots should change with the seed");
}

#[test]
fn realised_shares_are_near_the_parameters() {
    let c = cohort300();
    let s = &c.stats;
    println!("{s}");
    assert_eq!(s.pupils, 300);
    // The summary the CLI prints.
    let text = s.to_string();
    assert!(text.starts_with("300 pupils, "), "{text}");
    assert!(text.contains("7.0 % wheelchair"), "{text}");
    assert!(
        text.contains(&format!(
            "{:.1} % crossing boroughs",
            100.0 * s.cross_borough_share
        )),
        "{text}"
    );
    assert!(
        text.contains("E09000001 City of London: 100 pupils"),
        "{text}"
    );
    let near = |what: &str, got: f64, want: f64, tol: f64| {
        assert!(
            (got - want).abs() <= tol,
            "{what}: {got:.3} not within {tol} of {want}\n{s}"
        );
    };
    near("wheelchair", s.wheelchair_share, 0.07, 0.03);
    near("assistant", s.passenger_assistant_share, 0.35, 0.07);
    near("special", s.special_school_share, 0.60, 0.08);
    near("alone", s.travel_alone_share, 0.09, 0.04);
    near("pairs", s.must_not_travel_share, 0.03, 0.015);
    near("primary", s.primary_share, 0.45, 0.05);
    assert!(
        (0.25..=0.40).contains(&s.cross_borough_share),
        "crossing {:.3}\n{s}",
        s.cross_borough_share
    );
    assert!(s.special_schools >= 2, "{s}");
    assert!(s.schools > s.special_schools, "mainstream schools too\n{s}");
    for b in &s.boroughs {
        assert_eq!(b.pupils, 100, "{s}");
        assert!(b.vehicles > 0, "{s}");
    }
    // Shares follow the parameters, not constants.
    let c2 = run(&CohortParams {
        wheelchair_share: 0.20,
        passenger_assistant_share: 0.5,
        special_school_share: 0.3,
        pupils_per_borough: 50,
        ..CohortParams::default()
    })
    .unwrap();
    near("wheelchair 20 %", c2.stats.wheelchair_share, 0.20, 0.01);
    near(
        "assistant 50 %",
        c2.stats.passenger_assistant_share,
        0.5,
        0.01,
    );
    near("special 30 %", c2.stats.special_school_share, 0.3, 0.05);
}

#[test]
fn homes_lie_in_their_borough_and_everything_snaps() {
    let w = world();
    let p = &cohort300().problem;
    for pupil in &p.pupils {
        let b = w
            .boroughs
            .containing(pupil.home.lat, pupil.home.lon)
            .unwrap_or_else(|| panic!("{} home outside London", pupil.id));
        assert_eq!(Some(&b.gss), pupil.borough.as_ref(), "{}", pupil.id);
        let s = w
            .network
            .snap(&pupil.id, pupil.home.lat, pupil.home.lon, 300.0)
            .unwrap();
        assert!(
            s.distance_m < 20.0,
            "{} is {} m off the road",
            pupil.id,
            s.distance_m
        );
    }
    for school in &p.schools {
        w.network
            .snap(&school.id, school.location.lat, school.location.lon, 300.0)
            .unwrap();
        let b = w
            .boroughs
            .locate(school.location.lat, school.location.lon)
            .unwrap();
        assert_eq!(Some(&b.gss), school.borough.as_ref(), "{}", school.id);
    }
    for v in &p.fleet {
        let b = w.boroughs.containing(v.depot.lat, v.depot.lon).unwrap();
        assert_eq!(Some(&b.gss), v.borough.as_ref(), "{}", v.id);
        w.network
            .snap(&v.id, v.depot.lat, v.depot.lon, 50.0)
            .unwrap();
    }
}

#[test]
fn csv_round_trip_is_exact_and_clean() {
    let c = cohort300();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cohort");
    c.write_csv(&out).unwrap();
    let read = read_problem_files(
        &out.join("pupils.csv"),
        &out.join("schools.csv"),
        &out.join("fleet.csv"),
        Session::Am,
        Settings::default(),
    )
    .unwrap_or_else(|e| panic!("generated files do not read back:\n{e}"));
    assert_eq!(read.pupils, c.problem.pupils);
    assert_eq!(read.schools, c.problem.schools);
    assert_eq!(read.fleet, c.problem.fleet);
    let issues = check_problem(
        &c.problem,
        &JsonLocator {
            source: "cohort".into(),
        },
    );
    assert!(issues.is_empty(), "{issues}");
    // The files on disk are the bytes of csv_files.
    for (name, bytes) in c.csv_files() {
        assert_eq!(std::fs::read(out.join(name)).unwrap(), bytes, "{name}");
    }
}

#[test]
fn needs_are_consistent_and_the_fleet_can_carry_everyone() {
    let p = &cohort300().problem;
    let mut pairs = 0;
    for pupil in &p.pupils {
        let n = &pupil.needs;
        if n.wheelchair {
            assert!(n.passenger_assistant, "{}", pupil.id);
        }
        if n.tail_lift {
            assert!(n.wheelchair, "{}", pupil.id);
        }
        for other in &n.must_not_travel_with {
            pairs += 1;
            let o = p.pupil(other).unwrap();
            assert_eq!(o.needs.must_not_travel_with, vec![pupil.id.clone()]);
            assert_eq!(o.school, pupil.school, "pairs share a school");
            assert_eq!(o.borough, pupil.borough, "pairs share a borough");
        }
        // Ride caps: 45 min primary, 75 min secondary by default.
        let cap = p.max_ride_seconds(pupil).unwrap();
        match pupil.phase {
            Some(Phase::Primary) => assert_eq!(cap, 45.0 * 60.0),
            Some(Phase::Secondary) => assert_eq!(cap, 75.0 * 60.0),
            other => panic!("{} has phase {other:?}", pupil.id),
        }
        let school = p.school(&pupil.school).unwrap();
        assert!(
            school.phase == Phase::AllThrough || Some(school.phase) == pupil.phase,
            "{} ({:?}) at {} ({:?})",
            pupil.id,
            pupil.phase,
            school.id,
            school.phase
        );
        // Some vehicle of the pupil's own borough can carry them.
        assert!(
            p.fleet
                .iter()
                .filter(|v| v.borough == pupil.borough)
                .any(|v| incompatibility(pupil, v).is_none()),
            "no vehicle of {:?} can carry {}",
            pupil.borough,
            pupil.id
        );
    }
    assert_eq!(pairs % 2, 0);
    assert!(pairs > 0);
    // Each borough's fleet has more places than its morning pupils.
    let mut pupils: BTreeMap<&str, u32> = BTreeMap::new();
    for pupil in p.travelling_pupils() {
        *pupils.entry(pupil.borough.as_deref().unwrap()).or_default() += 1;
    }
    for (b, n) in pupils {
        let places: u32 = p
            .fleet
            .iter()
            .filter(|v| v.borough.as_deref() == Some(b))
            .map(|v| v.count * v.seats.max(v.wheelchair_spaces))
            .sum();
        assert!(places > n, "{b}: {places} places for {n} pupils");
    }
    // Bell times: AM arrival opens 08:25–08:45 for 15–20 min, PM by 15:45.
    for s in &p.schools {
        let (o, c) = (s.am_arrival.open.seconds(), s.am_arrival.close.seconds());
        assert!(
            (8 * 3600 + 25 * 60..=8 * 3600 + 45 * 60).contains(&o),
            "{s:?}"
        );
        assert!([15 * 60, 20 * 60].contains(&(c - o)), "{s:?}");
        assert!(s.pm_departure.open.seconds() >= 15 * 3600, "{s:?}");
        assert!(
            s.pm_departure.close.seconds() <= 15 * 3600 + 45 * 60,
            "{s:?}"
        );
    }
}

#[test]
fn ride_caps_follow_the_parameters() {
    let c = run(&CohortParams {
        pupils_per_borough: 10,
        primary_max_ride_minutes: 40,
        ..CohortParams::default()
    })
    .unwrap();
    for p in &c.problem.pupils {
        match p.phase {
            Some(Phase::Primary) => assert_eq!(p.needs.max_ride_minutes, Some(40)),
            _ => assert_eq!(p.needs.max_ride_minutes, None, "75 is the default"),
        }
    }
}

#[test]
fn bad_parameters_are_clear_errors() {
    let e = run(&CohortParams {
        boroughs: vec!["E09000007".into(), "E09999999".into()],
        ..small(1)
    })
    .unwrap_err();
    assert!(matches!(&e, SynthError::UnknownBorough { code, .. } if code == "E09999999"));
    let msg = e.to_string();
    assert!(
        msg.contains("E09999999") && msg.contains("E09000007 (Camden)"),
        "{msg}"
    );

    // Bromley is a real borough, far outside the bundled road file.
    let e = run(&CohortParams {
        boroughs: vec!["E09000006".into()],
        ..small(1)
    })
    .unwrap_err();
    assert!(matches!(e, SynthError::BoroughNotCovered { .. }), "{e}");
    assert!(e.to_string().contains("Bromley"), "{e}");

    let e = run(&CohortParams {
        pupils_per_borough: 0,
        ..small(1)
    })
    .unwrap_err();
    assert!(matches!(e, SynthError::NoPupils), "{e}");

    let e = run(&CohortParams {
        wheelchair_share: 7.0,
        ..small(1)
    })
    .unwrap_err();
    assert!(e.to_string().contains("wheelchair-share"), "{e}");

    let e = run(&CohortParams {
        boroughs: vec![],
        ..small(1)
    })
    .unwrap_err();
    assert!(matches!(e, SynthError::NoBoroughs), "{e}");
}

#[test]
fn school_list_errors_name_the_file_and_the_column() {
    let dir = tempfile::tempdir().unwrap();
    let special = dir.path().join("special.csv");
    std::fs::write(
        &special,
        "URN,Establishment name,Statutory lowest age,Statutory highest age,lon\n1,A,5,11,-0.1\n",
    )
    .unwrap();
    let osm = repo(DEFAULT_OSM_SCHOOLS);
    let e = SchoolCatalogue::load(&special, &osm).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("special.csv") && msg.contains("\"lat\""),
        "{msg}"
    );

    std::fs::write(
        &special,
        "URN,Establishment name,Statutory lowest age,Statutory highest age,lon,lat\n1,A,five,11,-0.1,51.5\n",
    )
    .unwrap();
    let msg = SchoolCatalogue::load(&special, &osm)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("line 2") && msg.contains("five"), "{msg}");

    let missing = dir.path().join("nope.csv");
    let msg = SchoolCatalogue::load(&missing, &osm)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("nope.csv") && msg.contains("cannot open"),
        "{msg}"
    );

    // The bundled lists: special schools from EduBase, phases from ages.
    let c = &world().schools;
    let ccfl = c.schools().iter().find(|s| s.id == "100092").unwrap();
    assert!(ccfl.special);
    assert_eq!(ccfl.phase, Phase::Secondary);
    assert_eq!(c.schools().iter().filter(|s| s.special).count(), 58);
    let named = |n: &str| c.schools().iter().find(|s| s.name == n);
    assert!(named("St. Aloysius' School Nursery").is_none());
    assert!(named("Bloomsbury International").is_none());
    assert_eq!(
        named("Netley Primary School and Nursery").map(|s| s.phase),
        Some(Phase::Primary)
    );
    // The OSM copy of Camden Centre for Learning is the special school.
    assert!(named("Camden Centre for Learning").is_none());
}

#[test]
fn params_round_trip_through_json_with_defaults_for_missing_fields() {
    let p: CohortParams = serde_json::from_str(r#"{"seed": 9, "wheelchair_share": 0.1}"#).unwrap();
    assert_eq!(p.seed, 9);
    assert_eq!(p.wheelchair_share, 0.1);
    assert_eq!(
        p.pupils_per_borough,
        CohortParams::default().pupils_per_borough
    );
    let text = serde_json::to_string(&p).unwrap();
    assert!(text.contains(r#""shift_start":"06:30""#), "{text}");
    assert_eq!(serde_json::from_str::<CohortParams>(&text).unwrap(), p);
}
