//! Per-borough limits of the service (issue #16, items 6–8): label and
//! borough sizes, ListJobs pages bounded in bytes, quota refusals before the
//! request body is decoded, error messages that do not echo long values.

mod common;

use common::{req, tempdir, tiny_problem};
use senroute_service::pb::v1 as pb;
use senroute_service::pb::v1::routing_service_client::RoutingServiceClient;
use senroute_service::{spawn, ServeConfig};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tonic::transport::Channel;
use tonic::Code;

const A: &str = "E09000007";
const B: &str = "E09000033";

struct Env {
    dir: PathBuf,
    config: ServeConfig,
    a: String,
    b: String,
}

fn env() -> Env {
    let dir = tempdir("limits");
    let keys = dir.join("keys.jsonl");
    let a = senroute_service::auth::add_key(&keys, A, "a").unwrap();
    let b = senroute_service::auth::add_key(&keys, B, "b").unwrap();
    let mut config = ServeConfig::new("127.0.0.1:0".parse().unwrap(), dir.join("data"), keys);
    config.shutdown_grace = Duration::ZERO;
    Env { dir, config, a, b }
}

async fn connect(addr: std::net::SocketAddr) -> RoutingServiceClient<Channel> {
    RoutingServiceClient::connect(format!("http://{addr}"))
        .await
        .unwrap()
        .max_decoding_message_size(64 << 20)
        .max_encoding_message_size(64 << 20)
}

fn submit(problem: pb::Problem, label: String) -> pb::SubmitJobRequest {
    pb::SubmitJobRequest {
        problem: Some(problem),
        label,
        request_id: String::new(),
        search: None,
        replan: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn labels_and_borough_codes_are_bounded() {
    let e = env();
    let server = spawn(e.config.clone()).await.unwrap();
    let mut c = connect(server.local_addr()).await;
    let err = c
        .submit_job(req(submit(tiny_problem(0.1, A), "x".repeat(257)), &e.a))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(err.message().contains("label"), "{err:?}");
    let mut p = tiny_problem(0.1, A);
    p.pupils[0].borough = "not-a-borough-".repeat(1000);
    let err = c
        .submit_job(req(submit(p, String::new()), &e.a))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(
        err.message().contains("problem.pupils[0].borough"),
        "{err:?}"
    );
    assert!(err.message().len() < 2000, "the value is not echoed whole");
    server.shutdown().await.unwrap();
    // At most `max_boroughs_per_job` boroughs may take part in one job.
    let mut cfg = e.config.clone();
    cfg.max_boroughs_per_job = 4;
    let server = spawn(cfg).await.unwrap();
    let mut c = connect(server.local_addr()).await;
    let mut p = tiny_problem(0.1, A);
    for (i, pupil) in p.pupils.iter_mut().enumerate() {
        pupil.borough = format!("E0900{:04}", i % 5 + 1);
    }
    let err = c
        .submit_job(req(submit(p.clone(), String::new()), &e.a))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(err.message().contains("5 different boroughs"), "{err:?}");
    for (i, pupil) in p.pupils.iter_mut().enumerate() {
        pupil.borough = format!("E0900{:04}", i % 4 + 1);
    }
    let ok = c.submit_job(req(submit(p, String::new()), &e.a)).await;
    assert!(ok.is_ok(), "{ok:?}");
    server.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&e.dir);
}

/// Issue #16 item 7 in miniature: borough A submits jobs with the largest
/// labels allowed, each naming one pupil as borough B's; B's ListJobs stays
/// within its byte bound and pages through all of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_pages_are_bounded_in_bytes() {
    let mut e = env();
    e.config.max_label_bytes = 1000;
    e.config.list_page_bytes = 4 << 10;
    e.config.max_time_limit = Duration::from_millis(50);
    let server = spawn(e.config.clone()).await.unwrap();
    let mut c = connect(server.local_addr()).await;
    let mut p = tiny_problem(0.05, A);
    p.pupils[0].borough = B.into();
    for i in 0..12 {
        c.submit_job(req(
            submit(p.clone(), format!("{i:03}{}", "x".repeat(997))),
            &e.a,
        ))
        .await
        .unwrap();
    }
    let mut token = String::new();
    let mut seen = 0;
    let mut pages = 0;
    loop {
        let r = c
            .list_jobs(req(
                pb::ListJobsRequest {
                    page_size: 500,
                    page_token: token.clone(),
                },
                &e.b,
            ))
            .await
            .unwrap()
            .into_inner();
        use prost::Message;
        assert!(
            r.encoded_len() <= 4 << 10,
            "page of {} bytes",
            r.encoded_len()
        );
        assert!(!r.jobs.is_empty());
        seen += r.jobs.len();
        pages += 1;
        if r.next_page_token.is_empty() {
            break;
        }
        token = r.next_page_token;
    }
    assert_eq!(seen, 12);
    assert!(pages >= 3, "{pages} pages");
    server.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&e.dir);
}

/// Issue #16 item 8: a submission the borough's quota refuses is answered
/// from its headers. Here the request is also over the decoder's byte
/// limit: were it decoded first, the answer would be OUT_OF_RANGE.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_borough_queue_refuses_before_the_body_is_decoded() {
    let mut e = env();
    e.config.borough_queue_limit = 1;
    e.config.max_request_bytes = 1 << 20;
    let server = spawn(e.config.clone()).await.unwrap();
    let mut c = connect(server.local_addr()).await;
    // One job runs, one waits: A's queue is full.
    for _ in 0..2 {
        c.submit_job(req(submit(tiny_problem(30.0, A), String::new()), &e.a))
            .await
            .unwrap();
    }
    let mut big = tiny_problem(30.0, A);
    let m = big.matrices.as_mut().unwrap();
    m.durations_s.extend(std::iter::repeat_n(1.0, 1_000_000)); // ~8 MB
    let t0 = Instant::now();
    let err = c
        .submit_job(req(submit(big.clone(), String::new()), &e.a))
        .await
        .unwrap_err();
    let refused_in = t0.elapsed();
    assert_eq!(err.code(), Code::ResourceExhausted, "{err:?}");
    assert!(err.message().contains("your borough"), "{err:?}");
    println!("8 MB submission refused for a full borough queue in {refused_in:?}");
    // Another borough is not affected by A's full queue: its oversized
    // request reaches the decoder and gets the byte limit's answer.
    let err = c
        .submit_job(req(submit(big, String::new()), &e.b))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::OutOfRange, "{err:?}");
    let ok = c
        .submit_job(req(submit(tiny_problem(0.1, B), String::new()), &e.b))
        .await;
    assert!(ok.is_ok(), "{ok:?}");
    server.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&e.dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_job_ids_are_not_echoed() {
    let e = env();
    let server = spawn(e.config.clone()).await.unwrap();
    let mut c = connect(server.local_addr()).await;
    let id = "j".repeat(1 << 20);
    let err = c
        .get_job(req(pb::GetJobRequest { job_id: id }, &e.a))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    assert!(err.message().len() < 200, "{} bytes", err.message().len());
    server.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&e.dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_metadata_is_refused() {
    let e = env();
    let server = spawn(e.config.clone()).await.unwrap();
    let mut c = connect(server.local_addr()).await;
    let mut r = req(pb::ListJobsRequest::default(), &e.a);
    r.metadata_mut()
        .insert("x-padding", "p".repeat(64 << 10).parse().unwrap());
    assert!(
        c.list_jobs(r).await.is_err(),
        "64 KiB of metadata over a 16 KiB limit"
    );
    // The connection's next, normal call still works.
    let mut c = connect(server.local_addr()).await;
    assert!(c
        .list_jobs(req(pb::ListJobsRequest::default(), &e.a))
        .await
        .is_ok());
    server.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&e.dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finished_jobs_are_removed_after_the_retention_period() {
    let mut e = env();
    e.config.retention = Duration::from_secs(1);
    e.config.poll = Duration::from_millis(100);
    let server = spawn(e.config.clone()).await.unwrap();
    let mut c = connect(server.local_addr()).await;
    let job = c
        .submit_job(req(submit(tiny_problem(0.1, A), String::new()), &e.a))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    let t0 = Instant::now();
    let mut seen_finished = false;
    loop {
        match c
            .get_job(req(
                pb::GetJobRequest {
                    job_id: job.job_id.clone(),
                },
                &e.a,
            ))
            .await
        {
            Ok(r) => {
                let j = r.into_inner().job.unwrap();
                seen_finished |= j.state == pb::JobState::Succeeded as i32;
            }
            Err(s) => {
                assert_eq!(s.code(), Code::NotFound);
                break;
            }
        }
        assert!(t0.elapsed() < Duration::from_secs(30), "never removed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(seen_finished, "removed only after it finished");
    server.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&e.dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_may_not_ask_for_more_threads_than_the_server_allows() {
    let e = env();
    let server = spawn(e.config.clone()).await.unwrap();
    let mut c = connect(server.local_addr()).await;
    let mut r = submit(tiny_problem(0.1, A), String::new());
    r.search = Some(pb::SearchOptions {
        iteration_limit: Some(100),
        threads: 4,
    });
    let err = c.submit_job(req(r.clone(), &e.a)).await.unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(err.message().contains("search.threads"), "{err:?}");
    r.search = Some(pb::SearchOptions {
        iteration_limit: Some(100),
        threads: 1,
    });
    assert!(c.submit_job(req(r, &e.a)).await.is_ok());
    server.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&e.dir);
}
