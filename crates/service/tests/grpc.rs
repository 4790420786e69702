//! End-to-end tests: a real server on 127.0.0.1 (ephemeral port) with a
//! SQLite store in a temporary directory, driven by the generated tonic
//! client. Problems are the bundled example (16 Camden pupils) with
//! straight-line matrices, so no road network is needed; searches run ~1 s.

use senroute_model::{read_problem_files, Session, Settings, TravelTimes};
use senroute_service::convert::problem_to_proto;
use senroute_service::pb::v1 as pb;
use senroute_service::pb::v1::routing_service_client::RoutingServiceClient;
use senroute_service::{spawn, ServeConfig, ServerHandle};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tonic::transport::Channel;
use tonic::{Code, Request};
use tonic_types::StatusExt;

const CAMDEN: &str = "E09000007";
const WESTMINSTER: &str = "E09000033";

struct Env {
    dir: PathBuf,
    keys_file: PathBuf,
    camden: String,
    westminster: String,
}

impl Env {
    fn new() -> Env {
        let mut b = [0u8; 8];
        getrandom::fill(&mut b).unwrap();
        let dir =
            std::env::temp_dir().join(format!("senroute-svc-{}", senroute_service::auth::hex(&b)));
        std::fs::create_dir_all(&dir).unwrap();
        let keys_file = dir.join("keys.jsonl");
        let camden = senroute_service::auth::add_key(&keys_file, CAMDEN, "camden").unwrap();
        let westminster =
            senroute_service::auth::add_key(&keys_file, WESTMINSTER, "westminster").unwrap();
        Env {
            dir,
            keys_file,
            camden,
            westminster,
        }
    }

    fn config(&self) -> ServeConfig {
        let mut c = ServeConfig::new(
            "127.0.0.1:0".parse().unwrap(),
            self.dir.join("data"),
            self.keys_file.clone(),
        );
        c.shutdown_grace = Duration::ZERO;
        c
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn client(server: &ServerHandle) -> RoutingServiceClient<Channel> {
    RoutingServiceClient::connect(format!("http://{}", server.local_addr()))
        .await
        .unwrap()
}

fn req<T>(msg: T, key: &str) -> Request<T> {
    let mut r = Request::new(msg);
    r.metadata_mut()
        .insert("authorization", format!("Bearer {key}").parse().unwrap());
    r
}

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

/// The bundled example with straight-line matrices and a search time limit,
/// every pupil re-homed to Camden (the pooled test sets boroughs itself).
fn example(time_limit_s: f64) -> pb::Problem {
    example_of(Session::Am, time_limit_s)
}

/// [`example`] for `session` (the matrices cover the session's pupils).
fn example_of(session: Session, time_limit_s: f64) -> pb::Problem {
    let mut p = read_problem_files(
        &data("data/example/pupils.csv"),
        &data("data/example/schools.csv"),
        &data("data/example/fleet.csv"),
        session,
        Settings {
            time_limit_seconds: time_limit_s,
            ..Settings::default()
        },
    )
    .unwrap();
    for pupil in &mut p.pupils {
        pupil.borough = Some(CAMDEN.into());
    }
    p.matrices = Some(TravelTimes::straight_line(&p, 25.0, 1.4).to_matrices());
    problem_to_proto(&p)
}

/// Pupils travelling in the morning session the examples plan.
fn travelling(p: &pb::Problem) -> Vec<&pb::Pupil> {
    p.pupils
        .iter()
        .filter(|x| x.sessions != pb::TravelSessions::Pm as i32)
        .collect()
}

fn submit(problem: pb::Problem, label: &str) -> pb::SubmitJobRequest {
    pb::SubmitJobRequest {
        problem: Some(problem),
        label: label.into(),
        request_id: String::new(),
        search: None,
        replan: None,
    }
}

/// Collects WatchJob events until the stream ends.
async fn watch(
    c: &mut RoutingServiceClient<Channel>,
    key: &str,
    id: &str,
) -> Vec<pb::watch_job_response::Event> {
    let mut s = c
        .watch_job(req(pb::WatchJobRequest { job_id: id.into() }, key))
        .await
        .unwrap()
        .into_inner();
    let mut out = Vec::new();
    while let Some(m) = tokio::time::timeout(Duration::from_secs(60), s.message())
        .await
        .expect("watch stalled")
        .unwrap()
    {
        out.push(m.event.unwrap());
    }
    out
}

/// Waits until the job is running (WatchJob's first event after queued).
async fn wait_running(c: &mut RoutingServiceClient<Channel>, key: &str, id: &str) {
    use pb::watch_job_response::Event;
    let mut s = c
        .watch_job(req(pb::WatchJobRequest { job_id: id.into() }, key))
        .await
        .unwrap()
        .into_inner();
    loop {
        let m = tokio::time::timeout(Duration::from_secs(30), s.message())
            .await
            .expect("job never started")
            .unwrap()
            .expect("stream ended before the job ran");
        if matches!(m.event, Some(Event::Started(_) | Event::Progress(_))) {
            return;
        }
    }
}

async fn state(c: &mut RoutingServiceClient<Channel>, key: &str, id: &str) -> pb::Job {
    c.get_job(req(pb::GetJobRequest { job_id: id.into() }, key))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap()
}

fn check_plan_shape(problem: &pb::Problem, plan: &pb::Plan) {
    let travelling: HashSet<&str> = travelling(problem).iter().map(|p| p.id.as_str()).collect();
    let mut seen = HashSet::new();
    for r in &plan.rides {
        assert!(seen.insert(r.pupil.clone()), "{} placed twice", r.pupil);
        assert!(r.ride_s <= r.max_ride_s + 1e-6);
    }
    for u in &plan.unassigned {
        assert!(seen.insert(u.pupil.clone()), "{} twice", u.pupil);
        assert_ne!(u.reason, pb::UnassignedReason::Unspecified as i32);
    }
    assert_eq!(seen.len(), travelling.len());
    assert!(seen.iter().all(|id| travelling.contains(id.as_str())));
    for route in &plan.routes {
        let stops = &route.stops;
        assert_eq!(stops.first().unwrap().kind, pb::StopKind::Depot as i32);
        assert_eq!(stops.last().unwrap().kind, pb::StopKind::Depot as i32);
        for w in stops.windows(2) {
            assert!(
                w[0].departure_s <= w[1].arrival_s + 1e-6,
                "stops out of time order"
            );
        }
        for s in stops {
            assert!(
                s.arrival_s <= s.service_start_s + 1e-6
                    && s.service_start_s <= s.departure_s + 1e-6
            );
        }
    }
    let t = plan.totals.unwrap();
    assert_eq!(t.vehicles as usize, plan.routes.len());
    assert_eq!(t.assigned as usize, plan.rides.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_watch_get_plan_and_list() {
    use pb::watch_job_response::Event;
    let env = Env::new();
    let server = spawn(env.config()).await.unwrap();
    let mut c = client(&server).await;
    let problem = example(1.0);
    let job = c
        .submit_job(req(submit(problem.clone(), "example"), &env.camden))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    assert_eq!(job.owner_borough, CAMDEN);
    assert_eq!(job.pupils, 15, "P014 travels only in the afternoon");
    assert!(job.job_id.starts_with("job_"));

    let events = watch(&mut c, &env.camden, &job.job_id).await;
    assert!(
        matches!(
            events[0],
            Event::Queued(_) | Event::Started(_) | Event::Progress(_)
        ),
        "{events:?}"
    );
    let Some(Event::Finished(f)) = events.last() else {
        panic!("last event {events:?}")
    };
    assert!(f.cost > 0.0 && f.vehicles > 0);
    assert!(
        events.iter().any(|e| matches!(e, Event::Progress(_))),
        "a 1 s search reports progress: {events:?}"
    );

    let got = c
        .get_plan(req(
            pb::GetPlanRequest {
                job_id: job.job_id.clone(),
            },
            &env.camden,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got.redacted, 0);
    assert_eq!(got.job.unwrap().state, pb::JobState::Succeeded as i32);
    let plan = got.plan.unwrap();
    check_plan_shape(&problem, &plan);
    assert!((plan.totals.unwrap().cost - f.cost).abs() < 1e-9);
    // Every pickup stop has coordinates (nothing redacted for the owner).
    assert!(plan
        .routes
        .iter()
        .flat_map(|r| &r.stops)
        .all(|s| s.location.is_some()));

    // Watching a finished job gives one final event.
    let again = watch(&mut c, &env.camden, &job.job_id).await;
    assert!(
        matches!(again.as_slice(), [Event::Finished(_)]),
        "{again:?}"
    );

    // Idempotent resubmission, then paging through ListJobs.
    let mut s = submit(example(0.2), "idem");
    s.request_id = "batch-7".into();
    let a = c
        .submit_job(req(s.clone(), &env.camden))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    let b = c
        .submit_job(req(s, &env.camden))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    assert_eq!(a.job_id, b.job_id);
    let page = c
        .list_jobs(req(
            pb::ListJobsRequest {
                page_size: 1,
                page_token: String::new(),
            },
            &env.camden,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.jobs[0].job_id, a.job_id);
    assert!(!page.next_page_token.is_empty());
    let page2 = c
        .list_jobs(req(
            pb::ListJobsRequest {
                page_size: 5,
                page_token: page.next_page_token,
            },
            &env.camden,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page2.jobs.len(), 1);
    assert_eq!(page2.jobs[0].job_id, job.job_id);
    assert!(page2.next_page_token.is_empty());
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_queued_and_running_jobs_and_queue_limit() {
    use pb::watch_job_response::Event;
    let env = Env::new();
    let mut cfg = env.config();
    cfg.queue_limit = 1;
    let server = spawn(cfg).await.unwrap();
    let mut c = client(&server).await;
    let long = c
        .submit_job(req(submit(example(60.0), "long"), &env.camden))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    wait_running(&mut c, &env.camden, &long.job_id).await;
    let queued = c
        .submit_job(req(submit(example(60.0), "queued"), &env.camden))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    // One worker busy, one job queued: the queue (limit 1) is full.
    let full = c
        .submit_job(req(submit(example(1.0), "too many"), &env.camden))
        .await
        .unwrap_err();
    assert_eq!(full.code(), Code::ResourceExhausted, "{full:?}");

    // Cancelling the queued job is immediate.
    let cq = c
        .cancel_job(req(
            pb::CancelJobRequest {
                job_id: queued.job_id.clone(),
            },
            &env.camden,
        ))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    assert_eq!(cq.state, pb::JobState::Cancelled as i32);

    // Cancelling the running one stops its 60 s search.
    let t = std::time::Instant::now();
    c.cancel_job(req(
        pb::CancelJobRequest {
            job_id: long.job_id.clone(),
        },
        &env.camden,
    ))
    .await
    .unwrap();
    let events = watch(&mut c, &env.camden, &long.job_id).await;
    assert!(
        matches!(events.last(), Some(Event::Cancelled(_))),
        "{events:?}"
    );
    assert!(t.elapsed() < Duration::from_secs(20));
    let no_plan = c
        .get_plan(req(
            pb::GetPlanRequest {
                job_id: long.job_id.clone(),
            },
            &env.camden,
        ))
        .await
        .unwrap_err();
    assert_eq!(no_plan.code(), Code::FailedPrecondition);
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_survives_a_restart_mid_run() {
    use pb::watch_job_response::Event;
    let env = Env::new();
    let server = spawn(env.config()).await.unwrap();
    let mut c = client(&server).await;
    let job = c
        .submit_job(req(submit(example(60.0), "restart"), &env.camden))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    wait_running(&mut c, &env.camden, &job.job_id).await;
    // A watcher open across the shutdown is told to come back.
    let mut open = c
        .watch_job(req(
            pb::WatchJobRequest {
                job_id: job.job_id.clone(),
            },
            &env.camden,
        ))
        .await
        .unwrap()
        .into_inner();
    server.shutdown().await.unwrap();
    let mut last = None;
    loop {
        match open.message().await {
            Ok(Some(_)) => continue,
            Ok(None) => break,
            Err(e) => {
                last = Some(e.code());
                break;
            }
        }
    }
    assert_eq!(last, Some(Code::Unavailable));

    // Same data directory, shorter search cap: the job runs again and ends.
    let mut cfg = env.config();
    cfg.max_time_limit = Duration::from_secs(1);
    let server = spawn(cfg).await.unwrap();
    let mut c = client(&server).await;
    let events = watch(&mut c, &env.camden, &job.job_id).await;
    assert!(
        matches!(events.last(), Some(Event::Finished(_))),
        "{events:?}"
    );
    let j = state(&mut c, &env.camden, &job.job_id).await;
    assert_eq!(j.state, pb::JobState::Succeeded as i32);
    assert_eq!(
        j.attempts, 1,
        "a graceful requeue does not count as an attempt"
    );
    c.get_plan(req(
        pb::GetPlanRequest {
            job_id: job.job_id.clone(),
        },
        &env.camden,
    ))
    .await
    .unwrap();
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_and_borough_isolation() {
    let env = Env::new();
    let server = spawn(env.config()).await.unwrap();
    let mut c = client(&server).await;

    // No key, a wrong key, a malformed header.
    let no_key = c
        .list_jobs(Request::new(pb::ListJobsRequest::default()))
        .await
        .unwrap_err();
    assert_eq!(no_key.code(), Code::Unauthenticated);
    for bad in ["srk_0000", ""] {
        let e = c
            .list_jobs(req(pb::ListJobsRequest::default(), bad))
            .await
            .unwrap_err();
        assert_eq!(e.code(), Code::Unauthenticated, "{bad:?}");
    }

    let p = example(0.3);
    let job = c
        .submit_job(req(submit(p, "camden only"), &env.camden))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    assert_eq!(job.participant_boroughs, vec![CAMDEN]);
    let id = job.job_id.clone();
    let w = &env.westminster;
    let e1 = c
        .get_job(req(pb::GetJobRequest { job_id: id.clone() }, w))
        .await
        .unwrap_err();
    let e2 = c
        .get_plan(req(pb::GetPlanRequest { job_id: id.clone() }, w))
        .await
        .unwrap_err();
    let e3 = c
        .cancel_job(req(pb::CancelJobRequest { job_id: id.clone() }, w))
        .await
        .unwrap_err();
    let e4 = c
        .watch_job(req(pb::WatchJobRequest { job_id: id.clone() }, w))
        .await
        .unwrap_err();
    let e5 = c
        .get_job(req(
            pb::GetJobRequest {
                job_id: "job_doesnotexist".into(),
            },
            w,
        ))
        .await
        .unwrap_err();
    for e in [&e1, &e2, &e3, &e4, &e5] {
        assert_eq!(e.code(), Code::NotFound, "{e:?}");
    }
    // Someone else's job and a missing job look the same.
    assert_eq!(
        e1.message().replace(&id, "ID"),
        e5.message().replace("job_doesnotexist", "ID")
    );
    let listed = c
        .list_jobs(req(pb::ListJobsRequest::default(), w))
        .await
        .unwrap()
        .into_inner();
    assert!(listed.jobs.is_empty());
    let own = c
        .list_jobs(req(pb::ListJobsRequest::default(), &env.camden))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(own.jobs.len(), 1);
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pooled_plans_are_redacted_for_each_borough() {
    use pb::watch_job_response::Event;
    let env = Env::new();
    let server = spawn(env.config()).await.unwrap();
    let mut c = client(&server).await;
    let mut p = example(1.0);
    // Half the pupils live in Westminster.
    let mut wm = HashSet::new();
    for (i, pupil) in p.pupils.iter_mut().enumerate() {
        if i % 2 == 1 {
            pupil.borough = WESTMINSTER.into();
            wm.insert(pupil.id.clone());
        }
    }
    let job = c
        .submit_job(req(submit(p.clone(), "pooled"), &env.camden))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    assert_eq!(job.participant_boroughs, vec![CAMDEN, WESTMINSTER]);
    // The participant can watch the job, but only the owner may cancel it.
    let events = watch(&mut c, &env.westminster, &job.job_id).await;
    assert!(
        matches!(events.last(), Some(Event::Finished(_))),
        "{events:?}"
    );
    let e = c
        .cancel_job(req(
            pb::CancelJobRequest {
                job_id: job.job_id.clone(),
            },
            &env.westminster,
        ))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::PermissionDenied);
    let listed = c
        .list_jobs(req(pb::ListJobsRequest::default(), &env.westminster))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.jobs.len(), 1);

    let n = travelling(&p).len();
    let n_wm = travelling(&p).iter().filter(|x| wm.contains(&x.id)).count();
    for (key, own, other_count) in [
        (&env.camden, false, n_wm),
        (&env.westminster, true, n - n_wm),
    ] {
        let got = c
            .get_plan(req(
                pb::GetPlanRequest {
                    job_id: job.job_id.clone(),
                },
                key,
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(got.redacted as usize, other_count);
        let plan = got.plan.unwrap();
        // Ids: own pupils in clear, the others as tokens, each exactly once.
        let ids: Vec<String> = plan
            .rides
            .iter()
            .map(|r| r.pupil.clone())
            .chain(plan.unassigned.iter().map(|u| u.pupil.clone()))
            .collect();
        assert_eq!(ids.len(), n);
        for id in &ids {
            let is_token = id.starts_with("x-") && id.len() == 18;
            let is_wm = wm.contains(id);
            if is_token {
                continue;
            }
            assert_eq!(is_wm, own, "{id} shown in clear to the wrong borough");
        }
        assert_eq!(
            ids.iter().filter(|i| i.starts_with("x-")).count(),
            other_count
        );
        // Home stops of hidden pupils carry no coordinates and no real id.
        for s in plan.routes.iter().flat_map(|r| &r.stops) {
            if let Some(pb::location_key::Kind::Home(h)) =
                s.location_key.as_ref().and_then(|k| k.kind.as_ref())
            {
                assert_eq!(s.location.is_none(), h.starts_with("x-"));
                if !h.starts_with("x-") {
                    assert_eq!(wm.contains(h), own);
                }
            }
        }
        // Tokens are consistent inside the plan: each ride's pupil boards
        // on its route.
        for r in &plan.rides {
            let route = &plan.routes[r.route as usize];
            assert!(route.stops.iter().any(|s| s.pupils.contains(&r.pupil)));
        }
    }
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_and_oversized_requests_are_rejected_with_paths() {
    let env = Env::new();
    let mut cfg = env.config();
    cfg.max_request_bytes = 64 * 1024;
    cfg.max_pupils = 20;
    let server = spawn(cfg).await.unwrap();
    let mut c = client(&server).await;

    let mut p = example(1.0);
    p.pupils[3].school = "NO-SUCH-SCHOOL".into();
    p.pupils[5].home.as_mut().unwrap().lat = -0.14; // swapped lat/lon
    p.schools[1].am_arrival.as_mut().unwrap().open = "8:4O".into();
    let e = c
        .submit_job(req(submit(p, "bad"), &env.camden))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    let fields: Vec<String> = e
        .get_details_bad_request()
        .expect("BadRequest details")
        .field_violations
        .into_iter()
        .map(|v| v.field)
        .collect();
    assert_eq!(fields, vec!["problem.schools[1].am_arrival.open"]);
    assert!(e.message().contains("HH:MM"), "{}", e.message());

    // Once the messages convert, the model's checks report every problem.
    let mut p = example(1.0);
    p.pupils[3].school = "NO-SUCH-SCHOOL".into();
    p.pupils[5].home.as_mut().unwrap().lat = -0.14;
    let e = c
        .submit_job(req(submit(p, "bad"), &env.camden))
        .await
        .unwrap_err();
    let fields: HashSet<String> = e
        .get_details_bad_request()
        .unwrap()
        .field_violations
        .into_iter()
        .map(|v| v.field)
        .collect();
    assert!(fields.contains("problem.pupils[3].school"), "{fields:?}");
    assert!(fields.contains("problem.pupils[5].home.lat"), "{fields:?}");

    // Missing problem.
    let e = c
        .submit_job(req(pb::SubmitJobRequest::default(), &env.camden))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);

    // Too many pupils.
    let mut p = example(1.0);
    let extra: Vec<pb::Pupil> = (0..10)
        .map(|i| {
            let mut x = p.pupils[0].clone();
            x.id = format!("EXTRA{i}");
            x
        })
        .collect();
    p.pupils.extend(extra);
    let e = c
        .submit_job(req(submit(p, "big"), &env.camden))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::ResourceExhausted, "{e:?}");
    assert!(e.message().contains("problem.pupils"));

    // Over the byte limit: refused before decoding.
    let mut p = example(1.0);
    p.pupils[0].needs.as_mut().unwrap().must_not_travel_with = vec!["x".repeat(1000); 100];
    let e = c
        .submit_job(req(submit(p, "huge"), &env.camden))
        .await
        .unwrap_err();
    // tonic's code for a message over max_decoding_message_size.
    assert_eq!(e.code(), Code::OutOfRange, "{e:?}");
    assert!(e.message().contains("too large"), "{e:?}");

    // No roads on this server: a problem without matrices is refused.
    let mut p = example(1.0);
    p.matrices = None;
    let e = c
        .submit_job(req(submit(p, "no roads"), &env.camden))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    assert_eq!(
        e.get_details_bad_request().unwrap().field_violations[0].field,
        "problem.matrices"
    );
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_reflection_v1_and_v1alpha() {
    use tonic_health::pb::health_client::HealthClient;
    use tonic_health::pb::HealthCheckRequest;
    let env = Env::new();
    let server = spawn(env.config()).await.unwrap();
    let ch = Channel::from_shared(format!("http://{}", server.local_addr()))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let status = HealthClient::new(ch.clone())
        .check(HealthCheckRequest {
            service: "senroute.v1.RoutingService".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .status;
    assert_eq!(
        status,
        tonic_health::pb::health_check_response::ServingStatus::Serving as i32
    );

    {
        use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
        use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
        use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;
        use tonic_reflection::pb::v1::ServerReflectionRequest;
        let mut r = ServerReflectionClient::new(ch.clone());
        let reqs = tokio_stream::iter(vec![
            ServerReflectionRequest {
                host: String::new(),
                message_request: Some(MessageRequest::ListServices(String::new())),
            },
            ServerReflectionRequest {
                host: String::new(),
                message_request: Some(MessageRequest::FileContainingSymbol(
                    "senroute.v1.RoutingService".into(),
                )),
            },
        ]);
        let mut s = r.server_reflection_info(reqs).await.unwrap().into_inner();
        let Some(MessageResponse::ListServicesResponse(list)) =
            s.message().await.unwrap().unwrap().message_response
        else {
            panic!("not a service list")
        };
        let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
        assert!(
            names.contains(&"senroute.v1.RoutingService".to_string()),
            "{names:?}"
        );
        assert!(
            names.contains(&"grpc.health.v1.Health".to_string()),
            "{names:?}"
        );
        let Some(MessageResponse::FileDescriptorResponse(fd)) =
            s.message().await.unwrap().unwrap().message_response
        else {
            panic!("no file descriptor")
        };
        assert!(!fd.file_descriptor_proto.is_empty());
    }
    {
        use tonic_reflection::pb::v1alpha::server_reflection_client::ServerReflectionClient;
        use tonic_reflection::pb::v1alpha::server_reflection_request::MessageRequest;
        use tonic_reflection::pb::v1alpha::server_reflection_response::MessageResponse;
        use tonic_reflection::pb::v1alpha::ServerReflectionRequest;
        let mut r = ServerReflectionClient::new(ch);
        let reqs = tokio_stream::iter(vec![ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::ListServices(String::new())),
        }]);
        let mut s = r.server_reflection_info(reqs).await.unwrap().into_inner();
        let Some(MessageResponse::ListServicesResponse(list)) =
            s.message().await.unwrap().unwrap().message_response
        else {
            panic!("not a service list")
        };
        assert!(list
            .service
            .iter()
            .any(|s| s.name == "senroute.v1.RoutingService"));
    }
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_with_a_certificate_and_key() {
    use tonic::transport::{Certificate, ClientTlsConfig};
    let env = Env::new();
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert_path, key_path) = (env.dir.join("server.pem"), env.dir.join("server.key"));
    std::fs::write(&cert_path, cert.pem()).unwrap();
    std::fs::write(&key_path, signing_key.serialize_pem()).unwrap();
    let mut cfg = env.config();
    cfg.tls = Some((cert_path, key_path));
    let server = spawn(cfg).await.unwrap();
    let port = server.local_addr().port();

    let tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(cert.pem()))
        .domain_name("localhost");
    let ch = Channel::from_shared(format!("https://localhost:{port}"))
        .unwrap()
        .tls_config(tls)
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut c = RoutingServiceClient::new(ch);
    let jobs = c
        .list_jobs(req(pb::ListJobsRequest::default(), &env.camden))
        .await
        .unwrap()
        .into_inner();
    assert!(jobs.jobs.is_empty());

    // Plaintext to a TLS port fails.
    let plain = RoutingServiceClient::connect(format!("http://127.0.0.1:{port}")).await;
    let failed = match plain {
        Err(_) => true,
        Ok(mut c) => c
            .list_jobs(req(pb::ListJobsRequest::default(), &env.camden))
            .await
            .is_err(),
    };
    assert!(failed, "plaintext must not reach a TLS server");
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_roads_points_off_the_map_are_rejected_at_submit() {
    let env = Env::new();
    let mut cfg = env.config();
    cfg.roads = Some(data("data/osm/london_westminster_city_drive_2024.osm.pbf"));
    let server = spawn(cfg).await.unwrap();
    let mut c = client(&server).await;
    let mut p = example(1.0);
    p.matrices = None;
    // Croydon: far outside the Westminster extract.
    *p.pupils[2].home.as_mut().unwrap() = pb::Location {
        lat: 51.3762,
        lon: -0.0982,
        ..Default::default()
    };
    let e = c
        .submit_job(req(submit(p, "off map"), &env.camden))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    let fields: Vec<String> = e
        .get_details_bad_request()
        .unwrap()
        .field_violations
        .into_iter()
        .map(|v| v.field)
        .collect();
    assert!(
        fields.contains(&"problem.pupils[2].home".to_string()),
        "{fields:?}"
    );
    // P014 travels only in the afternoon: never snapped for an AM problem.
    assert!(
        !fields.iter().any(|f| f.starts_with("problem.pupils[13]")),
        "{fields:?}"
    );
    assert!(fields
        .iter()
        .all(|f| f.ends_with(".home") || f.ends_with(".location") || f.ends_with(".depot")));
    let listed = c
        .list_jobs(req(pb::ListJobsRequest::default(), &env.camden))
        .await
        .unwrap()
        .into_inner();
    assert!(listed.jobs.is_empty(), "a rejected problem stores no job");
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_left_running_by_a_crash_is_rerun_at_start() {
    use senroute_service::store::{Claim, JobStore, NewJob, Quotas, SqliteStore};
    use senroute_service::worker::now_ms;
    let env = Env::new();
    // What a server killed mid-search leaves behind: a job claimed (running,
    // attempt 1) and never finished.
    let problem = senroute_service::convert::problem_from_proto(&example(0.5)).unwrap();
    {
        let store = SqliteStore::open(&env.dir.join("data")).unwrap();
        store
            .insert(
                NewJob {
                    id: "job_crashed".into(),
                    owner: CAMDEN.into(),
                    participants: vec![CAMDEN.into()],
                    label: "crashed".into(),
                    request_id: None,
                    pupils: 15,
                    created_ms: 1,
                    salt: vec![7; 16],
                    problem_json: serde_json::to_string(&problem).unwrap(),
                    search: None,
                },
                Quotas::default(),
            )
            .await
            .unwrap();
        let claimed = store
            .claim_next(&Claim {
                replica: "dead".into(),
                now_ms: now_ms(),
                lease_ms: 3_600_000,
            })
            .await
            .unwrap()
            .unwrap();
        assert_eq!(claimed.attempts, 1);
    }
    let server = spawn(env.config()).await.unwrap();
    assert_eq!(server.recovery.requeued, vec!["job_crashed".to_string()]);
    let mut c = client(&server).await;
    let events = watch(&mut c, &env.camden, "job_crashed").await;
    assert!(
        matches!(
            events.last(),
            Some(pb::watch_job_response::Event::Finished(_))
        ),
        "{events:?}"
    );
    let j = state(&mut c, &env.camden, "job_crashed").await;
    assert_eq!(j.attempts, 2, "the crashed attempt counts");
    server.shutdown().await.unwrap();
}

/// A day job (SESSION_DAY) answers a day plan: both sessions, each
/// vehicle's day rate once in the totals, which the finished event quotes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_job_answers_a_day_plan() {
    use pb::watch_job_response::Event;
    let env = Env::new();
    let server = spawn(env.config()).await.unwrap();
    let mut c = client(&server).await;
    let mut problem = example_of(Session::Day, 1.0);
    problem.settings.as_mut().unwrap().continuity = pb::Continuity::Hard as i32;
    let job = c
        .submit_job(req(submit(problem.clone(), "day"), &env.camden))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    assert_eq!(job.pupils, 16, "every pupil travels in the day");
    let events = watch(&mut c, &env.camden, &job.job_id).await;
    let Some(Event::Finished(f)) = events.last() else {
        panic!("last event {events:?}")
    };
    let got = c
        .get_plan(req(
            pb::GetPlanRequest {
                job_id: job.job_id.clone(),
            },
            &env.camden,
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(got.plan.is_none(), "a day job answers day_plan");
    let day = got.day_plan.unwrap();
    let (am, pm, totals) = (day.am.unwrap(), day.pm.unwrap(), day.totals.unwrap());
    assert_eq!(am.session, pb::Session::Am as i32);
    assert_eq!(pm.session, pb::Session::Pm as i32);
    assert_eq!(day.continuity, pb::Continuity::Hard as i32);
    assert!((totals.cost - f.cost).abs() < 1e-9);
    assert_eq!(totals.vehicles, f.vehicles);
    let shared: HashSet<(String, u32)> = am
        .routes
        .iter()
        .map(|r| (r.vehicle_type.clone(), r.vehicle_index))
        .collect();
    assert!(pm
        .routes
        .iter()
        .any(|r| shared.contains(&(r.vehicle_type.clone(), r.vehicle_index))));
    assert!(totals.cost < am.totals.unwrap().cost + pm.totals.unwrap().cost);
    assert_eq!(totals.same_vehicle, {
        let am_vehicle: std::collections::HashMap<&str, (&str, u32)> = am
            .rides
            .iter()
            .map(|r| {
                let route = &am.routes[r.route as usize];
                (
                    r.pupil.as_str(),
                    (route.vehicle_type.as_str(), route.vehicle_index),
                )
            })
            .collect();
        pm.rides
            .iter()
            .filter(|r| {
                let route = &pm.routes[r.route as usize];
                am_vehicle.get(r.pupil.as_str())
                    == Some(&(route.vehicle_type.as_str(), route.vehicle_index))
            })
            .count() as u32
    });
    server.shutdown().await.unwrap();
}
