//! A synthetic London of 33 boroughs (generated homes around a ring of
//! borough centres, straight-line travel times, two pupils and one taxi per
//! borough) through the whole study: coalitions beyond 32 boroughs, sampled
//! Shapley values with their sampling errors, validated plans, monotone
//! costs, the least core and the page.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use senroute_model::*;
use senroute_pooling::game::ShapleyMethod;
use senroute_pooling::{run_study, StudyOptions};

const BOROUGHS: usize = 33;

fn problem() -> Problem {
    let mut rng = ChaCha8Rng::seed_from_u64(33);
    let code = |b: usize| format!("E09{b:06}");
    let centre = |b: usize| {
        let a = b as f64 / BOROUGHS as f64 * std::f64::consts::TAU;
        (51.51 + 0.06 * a.sin(), -0.12 + 0.09 * a.cos())
    };
    let school = |id: &str, lat: f64, lon: f64| School {
        id: id.into(),
        name: format!("School {id}"),
        location: Location::new(lat, lon),
        borough: None,
        phase: Phase::Secondary,
        am_arrival: TimeWindow::new(TimeOfDay::hm(8, 30), TimeOfDay::hm(9, 0)),
        pm_departure: TimeWindow::new(TimeOfDay::hm(15, 0), TimeOfDay::hm(15, 20)),
        dwell_minutes: 1,
    };
    let schools = vec![school("NORTH", 51.53, -0.12), school("SOUTH", 51.49, -0.12)];
    let mut pupils = Vec::new();
    let mut fleet = Vec::new();
    for b in 0..BOROUGHS {
        let (lat, lon) = centre(b);
        for k in 0..2 {
            pupils.push(Pupil {
                id: format!("P{b}-{k}"),
                home: Location::new(
                    lat + rng.random_range(-0.01..0.01),
                    lon + rng.random_range(-0.01..0.01),
                ),
                school: if lat > 51.51 { "NORTH" } else { "SOUTH" }.into(),
                sessions: Sessions::Both,
                borough: Some(code(b)),
                phase: None,
                needs: Needs::default(),
                extra: Default::default(),
            });
        }
        fleet.push(VehicleType {
            id: format!("TAXI-{b}"),
            count: 2,
            depot: Location::new(lat, lon),
            seats: 4,
            wheelchair_spaces: 0,
            seats_per_wheelchair_space: 0,
            tail_lift: false,
            passenger_assistant: false,
            fixed_cost_per_day: 60.0,
            cost_per_km: 1.6,
            cost_per_hour: 12.0,
            assistant_cost_per_day: 0.0,
            max_duty_minutes: 180,
            shift: TimeWindow::new(TimeOfDay::hm(6, 30), TimeOfDay::hm(10, 30)),
            pm_shift: None,
            borough: Some(code(b)),
            max_schools_per_run: None,
        });
    }
    Problem {
        pupils,
        schools,
        fleet,
        session: Session::Am,
        settings: Settings::default(),
        matrices: None,
    }
}

#[test]
fn thirty_three_boroughs_end_to_end_with_sampled_shapley() {
    let p = problem();
    let travel = TravelTimes::straight_line(&p, 18.0, 1.35);
    let opts = StudyOptions {
        iterations_per_pupil: Some(3),
        seeds: vec![1, 2],
        threads: 1,
        shapley_permutations: 4,
        ..StudyOptions::default()
    };
    let study = run_study(&p, &travel, &opts, &|_| {}).unwrap();
    let r = &study.report;
    assert_eq!(r.boroughs.len(), BOROUGHS);
    assert_eq!(
        r.shapley_method,
        ShapleyMethod::Sampled {
            permutations: 4,
            seed: 1
        }
    );
    assert!(!r.core.complete);
    // Sampled: some borough's share has a positive sampling error, none is
    // missing, and the shares still add up to the pooled cost.
    assert!(r
        .boroughs
        .iter()
        .all(|b| b.shapley_sampling_error.is_finite()));
    assert!(r.boroughs.iter().any(|b| b.shapley_sampling_error > 0.0));
    let total: f64 = r.boroughs.iter().map(|b| b.shapley.mean).sum();
    assert!(
        (total - r.pooled_cost.mean).abs() < 1e-4,
        "{total} vs {:?}",
        r.pooled_cost
    );
    // Every published plan is valid; pooling is never worse in any run.
    for (b, sub, plan) in &study.alone {
        assert!(validate(sub, &travel, plan).is_empty(), "{b}");
    }
    assert!(validate(&p, &travel, &study.pooled).is_empty());
    for run in &r.runs {
        assert!(run.pooled <= run.alone + 1e-6, "{run:?}");
    }
    // The grand coalition (all 33) is among the costed coalitions.
    assert!(r.coalitions.iter().any(|c| c.boroughs.len() == BOROUGHS));
    let html = senroute_pooling::output::html(r, "");
    assert!(html.contains("random orders") && html.contains("±"));
}
