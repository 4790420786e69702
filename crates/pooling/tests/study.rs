//! The pooling study end to end on a small three-borough problem.

use senroute_model::*;
use senroute_pooling::{run_study, union, StudyOptions};

const BOROUGHS: [&str; 3] = ["E09000007", "E09000033", "E09000001"];

fn problem() -> Problem {
    let school = |id: &str, lat: f64, lon: f64| School {
        id: id.into(),
        name: format!("School {id}"),
        location: Location::new(lat, lon),
        borough: None,
        phase: Phase::Secondary,
        am_arrival: TimeWindow::new(TimeOfDay::hm(8, 30), TimeOfDay::hm(8, 55)),
        pm_departure: TimeWindow::new(TimeOfDay::hm(15, 0), TimeOfDay::hm(15, 20)),
        dwell_minutes: 1,
    };
    let mut pupils = vec![];
    // Each borough's pupils live around its own centre and attend two shared schools.
    let centres = [(51.545, -0.150), (51.515, -0.150), (51.515, -0.092)];
    for (b, (lat, lon)) in BOROUGHS.iter().zip(centres) {
        for k in 0..5 {
            let f = k as f64;
            pupils.push(Pupil {
                id: format!("{}-{k}", &b[6..]),
                home: Location::new(
                    lat + 0.004 * (f - 2.0),
                    lon + 0.003 * ((k % 3) as f64 - 1.0),
                ),
                school: if k % 2 == 0 { "S1".into() } else { "S2".into() },
                sessions: Sessions::Both,
                borough: Some(b.to_string()),
                phase: None,
                needs: Needs {
                    passenger_assistant: k == 4,
                    ..Needs::default()
                },
                extra: Default::default(),
            });
        }
    }
    let fleet = BOROUGHS
        .iter()
        .zip(centres)
        .flat_map(|(b, (lat, lon))| {
            let v = |kind: &str, count, seats, pa: bool, fixed| VehicleType {
                id: format!("{kind}-{}", &b[6..]),
                count,
                depot: Location::new(lat, lon),
                seats,
                wheelchair_spaces: 0,
                seats_per_wheelchair_space: 0,
                tail_lift: false,
                passenger_assistant: pa,
                fixed_cost_per_day: fixed,
                cost_per_km: 1.0,
                cost_per_hour: 15.0,
                assistant_cost_per_day: if pa { 80.0 } else { 0.0 },
                max_duty_minutes: 180,
                shift: TimeWindow::new(TimeOfDay::hm(6, 30), TimeOfDay::hm(10, 30)),
                pm_shift: None,
                borough: Some(b.to_string()),
                max_schools_per_run: None,
            };
            [v("TAXI", 5, 4, false, 60.0), v("BUS", 1, 8, true, 140.0)]
        })
        .collect();
    Problem {
        pupils,
        schools: vec![school("S1", 51.530, -0.125), school("S2", 51.522, -0.110)],
        fleet,
        session: Session::Am,
        settings: Settings::default(),
        matrices: None,
    }
}

#[test]
fn pooling_is_never_worse_and_the_split_adds_up() {
    let p = problem();
    let travel = TravelTimes::straight_line(&p, 18.0, 1.35);
    let opts = StudyOptions {
        iterations_per_pupil: Some(40),
        seeds: vec![1, 2, 3],
        threads: 1,
        ..StudyOptions::default()
    };
    let mut study = run_study(&p, &travel, &opts, &|_| {}).unwrap();
    let r = &study.report;
    assert_eq!(r.boroughs.len(), 3);
    assert_eq!(r.coalitions.len(), 7, "exact Shapley costs every coalition");
    assert_eq!(r.runs.len(), 3, "one independent run per seed");

    // Every plan the study reports passes the independent validator.
    for (b, sub, plan) in &study.alone {
        let v = validate(sub, &travel, plan);
        assert!(v.is_empty(), "{b}: {v:#?}");
    }
    let v = validate(&p, &travel, &study.pooled);
    assert!(v.is_empty(), "pooled: {v:#?}");
    assert_eq!(r.rejected_plans, 0);
    // The union of the alone plans is itself a valid pooled plan: the pooled
    // search is compared with it, so pooling cannot be worse.
    let joined = union(
        p.session,
        &study.alone.iter().map(|(_, _, pl)| pl).collect::<Vec<_>>(),
    );
    assert!(validate(&p, &travel, &joined).is_empty());
    assert!(
        r.pooled_total.cost <= r.alone_total.cost + 1e-6,
        "pooled {} vs alone {}",
        r.pooled_total.cost,
        r.alone_total.cost
    );
    for run in &r.runs {
        assert!(run.pooled <= run.alone + 1e-6, "{run:?}");
    }
    assert!(
        r.saving.low >= -1e-6 && r.saving.low <= r.saving.mean && r.saving.mean <= r.saving.high
    );

    // Monotone costs: no coalition above a combination of disjoint
    // sub-coalitions (in every run, so also on average).
    let cost: std::collections::HashMap<Vec<String>, f64> = r
        .coalitions
        .iter()
        .map(|c| (c.boroughs.clone(), c.cost))
        .collect();
    for c in &r.coalitions {
        for t in &r.coalitions {
            let inside = t.boroughs.len() < c.boroughs.len()
                && t.boroughs.iter().all(|b| c.boroughs.contains(b));
            if !inside {
                continue;
            }
            let rest: Vec<String> = c
                .boroughs
                .iter()
                .filter(|b| !t.boroughs.contains(b))
                .cloned()
                .collect();
            assert!(
                c.cost <= t.cost + cost[&rest] + 1e-6,
                "{:?} costs {} > {:?} + {:?}",
                c.boroughs,
                c.cost,
                t.boroughs,
                rest
            );
        }
    }

    // The splits add up to the pooled cost (with the unassigned penalty, zero here).
    assert_eq!(r.pooled_total.unassigned, 0);
    for split in [
        r.boroughs.iter().map(|b| b.shapley.mean).sum::<f64>(),
        r.boroughs.iter().map(|b| b.proportional_share).sum::<f64>(),
        r.boroughs.iter().map(|b| b.least_core_share).sum::<f64>(),
    ] {
        assert!(
            (split - r.pooled_cost.mean).abs() < 1e-4,
            "{split} vs {}",
            r.pooled_cost.mean
        );
    }
    // Exact Shapley: no sampling error.
    assert!(r.boroughs.iter().all(|b| b.shapley_sampling_error == 0.0));
    // The least-core split is in the core whenever the core is not empty.
    if !r.core.empty {
        for c in &r.coalitions {
            let charged: f64 = r
                .boroughs
                .iter()
                .filter(|b| c.boroughs.contains(&b.borough))
                .map(|b| b.least_core_share)
                .sum();
            assert!(charged <= c.cost + 0.01, "{c:?}: {charged}");
        }
    }

    // Outputs.
    study.report.set_names([
        ("E09000007", "Camden"),
        ("E09000033", "Westminster"),
        ("E09000001", "City of London"),
    ]);
    let dir = std::env::temp_dir().join(format!("senroute-pooling-test-{}", std::process::id()));
    let files = senroute_pooling::output::write(&dir, &study, "").unwrap();
    assert_eq!(files.len(), 3);
    let rows: Vec<senroute_pooling::output::PoolingRow> =
        csv::Reader::from_path(dir.join("pooling.csv"))
            .unwrap()
            .deserialize()
            .collect::<Result<_, _>>()
            .unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[3].borough, "TOTAL");
    assert!(rows
        .iter()
        .any(|r| r.borough == "E09000033" && r.name == "Westminster"));
    let back: senroute_pooling::PoolingReport =
        serde_json::from_str(&std::fs::read_to_string(dir.join("pooling.json")).unwrap()).unwrap();
    assert_eq!(back, study.report);
    let html = std::fs::read_to_string(dir.join("pooling.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("Westminster") && !html.contains("<script"));
    assert!(
        !html.contains("E0900") && !html.contains("{\"") && !html.contains("[0"),
        "no GSS codes, JSON or indices on the page"
    );
    assert!(html.contains("a year") && html.contains("190 school days"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn vehicles_without_an_owner_are_an_input_error() {
    let mut p = problem();
    p.fleet[0].borough = None;
    let travel = TravelTimes::straight_line(&p, 18.0, 1.35);
    let err = run_study(&p, &travel, &StudyOptions::default(), &|_| {}).unwrap_err();
    assert!(
        err.to_string().contains("borough of vehicle type TAXI-007"),
        "{err}"
    );
}
