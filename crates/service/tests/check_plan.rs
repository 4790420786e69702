//! `CheckPlan` through a real server: the plan GetPlan returned checks
//! valid; the same plan edited by hand (a wheelchair user moved to a taxi, a
//! time changed) answers each violation with rule, run, pupil, amount and
//! fix; a plan that cannot be read is INVALID_ARGUMENT with the field path;
//! keys and size limits apply as to the other methods.

mod common;

use common::{req, tempdir, tiny_problem};
use senroute_service::pb::v1 as pb;
use senroute_service::pb::v1::routing_service_client::RoutingServiceClient;
use senroute_service::{spawn, ServeConfig, ServerHandle};
use std::time::Duration;
use tonic::transport::Channel;
use tonic::{Code, Request};
use tonic_types::StatusExt;

const CAMDEN: &str = "E09000007";
const WESTMINSTER: &str = "E09000033";

struct Env {
    server: ServerHandle,
    camden: String,
    westminster: String,
    dir: std::path::PathBuf,
}

async fn start(max_pupils: usize) -> Env {
    let dir = tempdir("svc-check");
    let keys = dir.join("keys.jsonl");
    let camden = senroute_service::auth::add_key(&keys, CAMDEN, "camden").unwrap();
    let westminster = senroute_service::auth::add_key(&keys, WESTMINSTER, "westminster").unwrap();
    let mut c = ServeConfig::new("127.0.0.1:0".parse().unwrap(), dir.join("data"), keys);
    c.shutdown_grace = Duration::ZERO;
    c.max_pupils = max_pupils;
    let server = spawn(c).await.unwrap();
    Env {
        server,
        camden,
        westminster,
        dir,
    }
}

async fn client(env: &Env) -> RoutingServiceClient<Channel> {
    RoutingServiceClient::connect(format!("http://{}", env.server.local_addr()))
        .await
        .unwrap()
}

/// Plans `problem` as a job of Camden's and returns GetPlan's answer.
async fn planned(
    c: &mut RoutingServiceClient<Channel>,
    key: &str,
    problem: &pb::Problem,
) -> pb::GetPlanResponse {
    let job = c
        .submit_job(req(
            pb::SubmitJobRequest {
                problem: Some(problem.clone()),
                label: "to check".into(),
                request_id: String::new(),
                search: None,
                replan: None,
            },
            key,
        ))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    for _ in 0..600 {
        let j = c
            .get_job(req(
                pb::GetJobRequest {
                    job_id: job.job_id.clone(),
                },
                key,
            ))
            .await
            .unwrap()
            .into_inner()
            .job
            .unwrap();
        if j.state == pb::JobState::Succeeded as i32 {
            return c
                .get_plan(req(
                    pb::GetPlanRequest {
                        job_id: job.job_id.clone(),
                    },
                    key,
                ))
                .await
                .unwrap()
                .into_inner();
        }
        assert!(
            j.state == pb::JobState::Queued as i32 || j.state == pb::JobState::Running as i32,
            "{j:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the job did not finish");
}

fn check(problem: &pb::Problem, plan: &pb::Plan, retime: bool) -> pb::CheckPlanRequest {
    pb::CheckPlanRequest {
        problem: Some(problem.clone()),
        plan: Some(plan.clone()),
        day_plan: None,
        retime,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn valid_and_hand_broken_plans() {
    let env = start(5_000).await;
    let mut c = client(&env).await;
    let problem = tiny_problem(0.5, CAMDEN);
    let plan = planned(&mut c, &env.camden, &problem).await.plan.unwrap();

    // As GetPlan gave it: valid, checked with its own times or retimed.
    for retime in [false, true] {
        let ok = c
            .check_plan(req(check(&problem, &plan, retime), &env.camden))
            .await
            .unwrap()
            .into_inner();
        assert!(ok.valid, "retime {retime}: {:?}", ok.violations);
        assert!(ok.violations.is_empty());
        assert_eq!(ok.runs as usize, plan.routes.len());
        assert_eq!(ok.pupils_placed, plan.totals.unwrap().assigned);
        assert!((ok.cost - plan.totals.unwrap().cost).abs() < 0.01, "{ok:?}");
    }

    // P003 (wheelchair, tail-lift) moved by hand to a taxi of their own.
    let mut moved = plan.clone();
    for r in &mut moved.routes {
        for s in &mut r.stops {
            s.pupils.retain(|p| p != "P003");
        }
        r.stops
            .retain(|s| s.kind == pb::StopKind::Depot as i32 || !s.pupils.is_empty());
    }
    moved.routes.retain(|r| r.stops.len() > 2);
    let free = (0..6)
        .find(|i| {
            !moved
                .routes
                .iter()
                .any(|r| r.vehicle_type == "TAXI" && r.vehicle_index == *i)
        })
        .unwrap();
    let template = moved.routes[0].clone();
    let stop = |kind: pb::StopKind, key: pb::location_key::Kind| pb::Stop {
        kind: kind as i32,
        location_key: Some(pb::LocationKey { kind: Some(key) }),
        pupils: if kind == pb::StopKind::Depot {
            vec![]
        } else {
            vec!["P003".into()]
        },
        ..template.stops[0].clone()
    };
    use pb::location_key::Kind;
    moved.routes.push(pb::Route {
        vehicle_type: "TAXI".into(),
        vehicle_index: free,
        stops: vec![
            stop(pb::StopKind::Depot, Kind::Depot("TAXI".into())),
            stop(pb::StopKind::Pickup, Kind::Home("P003".into())),
            stop(pb::StopKind::Drop, Kind::School("100092".into())),
            stop(pb::StopKind::Depot, Kind::Depot("TAXI".into())),
        ],
        ..template
    });
    let run = moved.routes.len() - 1;
    let broken = c
        .check_plan(req(check(&problem, &moved, true), &env.camden))
        .await
        .unwrap()
        .into_inner();
    assert!(!broken.valid);
    let v = broken
        .violations
        .iter()
        .find(|v| v.rule == pb::Rule::Compatibility as i32)
        .unwrap_or_else(|| panic!("{:?}", broken.violations));
    assert_eq!(v.rule_code, "compatibility");
    assert_eq!(v.pupil, "P003");
    assert_eq!(v.route, Some(run as u32));
    assert_eq!(v.vehicle, format!("TAXI #{}", free + 1));
    assert!(v.message.contains("TAXI cannot carry the pupil"), "{v:?}");
    assert!(!v.fix.is_empty());
    // Retimed, the figures are the checker's own: no arithmetic noise.
    assert!(broken
        .violations
        .iter()
        .all(|v| v.rule != pb::Rule::Arithmetic as i32));

    // A time edited by hand (ten minutes early) is checked as given.
    let mut early = plan.clone();
    let s = &mut early.routes[0].stops[1];
    s.arrival_s -= 600.0;
    s.service_start_s -= 600.0;
    s.departure_s -= 600.0;
    let timing = c
        .check_plan(req(check(&problem, &early, false), &env.camden))
        .await
        .unwrap()
        .into_inner();
    let v = timing
        .violations
        .iter()
        .find(|v| v.rule == pb::Rule::Timing as i32)
        .unwrap_or_else(|| panic!("{:?}", timing.violations));
    assert_eq!(v.route, Some(0));
    assert_eq!(v.unit, pb::AmountUnit::Seconds as i32);
    assert!(v.amount.unwrap() > 0.0);
    // Retimed, the order is fine.
    let retimed = c
        .check_plan(req(check(&problem, &early, true), &env.camden))
        .await
        .unwrap()
        .into_inner();
    assert!(retimed.valid, "{:?}", retimed.violations);

    // Another borough may check a plan it sends: the answer holds nothing
    // the request did not.
    let theirs = c
        .check_plan(req(check(&problem, &moved, true), &env.westminster))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(theirs.violations, broken.violations);
    env.server.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&env.dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_plan_is_checked_with_hard_continuity() {
    let env = start(5_000).await;
    let mut c = client(&env).await;
    // The example for the whole day, with matrices covering every pupil.
    let mut local = senroute_model::read_problem_files(
        &common::data("data/example/pupils.csv"),
        &common::data("data/example/schools.csv"),
        &common::data("data/example/fleet.csv"),
        senroute_model::Session::Day,
        senroute_model::Settings {
            time_limit_seconds: 0.6,
            ..senroute_model::Settings::default()
        },
    )
    .unwrap();
    for pupil in &mut local.pupils {
        pupil.borough = Some(CAMDEN.into());
    }
    local.matrices =
        Some(senroute_model::TravelTimes::straight_line(&local, 25.0, 1.4).to_matrices());
    let problem = senroute_service::convert::problem_to_proto(&local);
    let day = planned(&mut c, &env.camden, &problem)
        .await
        .day_plan
        .unwrap();
    let day_check = |problem: &pb::Problem, day: &pb::DayPlan| pb::CheckPlanRequest {
        problem: Some(problem.clone()),
        plan: None,
        day_plan: Some(day.clone()),
        retime: true,
    };
    let ok = c
        .check_plan(req(day_check(&problem, &day), &env.camden))
        .await
        .unwrap()
        .into_inner();
    assert!(ok.valid, "{:?}", ok.violations);
    assert_eq!(
        ok.runs as usize,
        day.am.as_ref().unwrap().routes.len() + day.pm.as_ref().unwrap().routes.len()
    );
    // Every PM run on a vehicle the AM did not use: with hard continuity
    // each pupil travelling both ways changes vehicle.
    let mut moved = day.clone();
    let am_used: Vec<(String, u32)> = day
        .am
        .as_ref()
        .unwrap()
        .routes
        .iter()
        .map(|r| (r.vehicle_type.clone(), r.vehicle_index))
        .collect();
    let pm = moved.pm.as_mut().unwrap();
    let mut next = std::collections::HashMap::<String, u32>::new();
    let counts = [("TAXI", 6u32), ("MINIBUS-12", 3), ("WAV-6", 2)];
    let mut changed = false;
    for r in &mut pm.routes {
        let count = counts.iter().find(|c| c.0 == r.vehicle_type).unwrap().1;
        let n = next.entry(r.vehicle_type.clone()).or_default();
        while *n < count && am_used.contains(&(r.vehicle_type.clone(), *n)) {
            *n += 1;
        }
        if *n < count {
            r.vehicle_index = *n;
            *n += 1;
            changed = true;
        }
    }
    assert!(changed);
    let mut hard = local.clone();
    hard.settings.continuity = senroute_model::Continuity::Hard;
    let hard = senroute_service::convert::problem_to_proto(&hard);
    let broken = c
        .check_plan(req(day_check(&hard, &moved), &env.camden))
        .await
        .unwrap()
        .into_inner();
    let v = broken
        .violations
        .iter()
        .find(|v| v.rule == pb::Rule::Continuity as i32)
        .unwrap_or_else(|| panic!("{:?}", broken.violations));
    assert_eq!(v.session, pb::Session::Pm as i32);
    assert!(!v.pupil.is_empty() && v.route.is_some() && !v.vehicle.is_empty());
    env.server.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&env.dir);
}

fn field_paths(e: &tonic::Status) -> Vec<String> {
    e.get_details_bad_request()
        .map(|b| b.field_violations.into_iter().map(|f| f.field).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreadable_plans_keys_and_limits() {
    let env = start(10).await;
    let mut c = client(&env).await;
    let mut problem = tiny_problem(0.3, CAMDEN);
    problem.pupils.truncate(10);
    let plan = planned(&mut c, &env.camden, &problem).await.plan.unwrap();

    // No key, a wrong key.
    let e = c
        .check_plan(Request::new(check(&problem, &plan, false)))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::Unauthenticated);
    let e = c
        .check_plan(req(check(&problem, &plan, false), "srk_0000"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::Unauthenticated);

    // An unknown pupil, a vehicle the fleet does not have.
    let mut bad = plan.clone();
    bad.routes[0].stops[1].pupils[0] = "P999".into();
    bad.routes[0].vehicle_index = 40;
    let e = c
        .check_plan(req(check(&problem, &bad, false), &env.camden))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    let paths = field_paths(&e);
    assert!(
        paths.contains(&"plan.routes[0].stops[1].pupils[0]".to_string()),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"plan.routes[0].vehicle_index".to_string()),
        "{paths:?}"
    );

    // No plan; a bad problem is refused with its path as by SubmitJob.
    let mut none = check(&problem, &plan, false);
    none.plan = None;
    let e = c.check_plan(req(none, &env.camden)).await.unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    assert_eq!(field_paths(&e), vec!["plan".to_string()]);
    let mut wrong = problem.clone();
    wrong.pupils[2].school = "NOPE".into();
    let e = c
        .check_plan(req(check(&wrong, &plan, false), &env.camden))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    assert!(
        field_paths(&e)
            .iter()
            .any(|p| p == "problem.pupils[2].school"),
        "{e:?}"
    );

    // Over the server's pupil limit, as for SubmitJob.
    let e = c
        .check_plan(req(
            check(&tiny_problem(0.3, CAMDEN), &plan, false),
            &env.camden,
        ))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::ResourceExhausted);
    env.server.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&env.dir);
}
