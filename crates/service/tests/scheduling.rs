//! Fair scheduling on both backends, and one queue shared by two servers
//! on one PostgreSQL database (in this process; the multi-process failover
//! tests are in `replicas.rs`).

mod common;

use common::{ms, pg, req, tempdir, tiny_problem};
use senroute_service::pb::v1 as pb;
use senroute_service::pb::v1::routing_service_client::RoutingServiceClient;
use senroute_service::{spawn, ServeConfig, ServerHandle};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tonic::transport::Channel;

const A: &str = "E09000007";
const B: &str = "E09000033";

struct Keys {
    dir: PathBuf,
    file: PathBuf,
    a: String,
    b: String,
}

fn keys() -> Keys {
    let dir = tempdir("sched");
    let file = dir.join("keys.jsonl");
    let a = senroute_service::auth::add_key(&file, A, "a").unwrap();
    let b = senroute_service::auth::add_key(&file, B, "b").unwrap();
    Keys { dir, file, a, b }
}

fn config(k: &Keys, store_url: Option<&str>) -> ServeConfig {
    let mut c = ServeConfig::new(
        "127.0.0.1:0".parse().unwrap(),
        k.dir.join("data"),
        k.file.clone(),
    );
    c.store_url = store_url.map(Into::into);
    c.shutdown_grace = Duration::ZERO;
    c.poll = Duration::from_millis(100);
    c.lease = Duration::from_secs(2);
    c
}

async fn client(s: &ServerHandle) -> RoutingServiceClient<Channel> {
    RoutingServiceClient::connect(format!("http://{}", s.local_addr()))
        .await
        .unwrap()
}

async fn submit(c: &mut RoutingServiceClient<Channel>, key: &str, p: pb::Problem) -> pb::Job {
    c.submit_job(req(
        pb::SubmitJobRequest {
            problem: Some(p),
            label: String::new(),
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
    .unwrap()
}

async fn get(c: &mut RoutingServiceClient<Channel>, key: &str, id: &str) -> pb::Job {
    c.get_job(req(pb::GetJobRequest { job_id: id.into() }, key))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap()
}

async fn wait_state(
    c: &mut RoutingServiceClient<Channel>,
    key: &str,
    id: &str,
    want: pb::JobState,
) -> pb::Job {
    let t0 = Instant::now();
    loop {
        let j = get(c, key, id).await;
        if j.state == want as i32 {
            return j;
        }
        assert!(t0.elapsed() < Duration::from_secs(60), "{id} stuck: {j:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Borough A queues 20 long jobs, then borough B one short one: B's job
/// must start at the next free slot, before any A job queued ahead of it.
async fn fairness(store_url: Option<&str>) {
    let k = keys();
    let server = spawn(config(&k, store_url)).await.unwrap();
    let mut c = client(&server).await;
    let mut backlog = Vec::new();
    for _ in 0..20 {
        backlog.push(submit(&mut c, &k.a, tiny_problem(0.6, A)).await);
    }
    // Let the first A job start, so B arrives behind a busy slot.
    wait_state(&mut c, &k.a, &backlog[0].job_id, pb::JobState::Running).await;
    let b = submit(&mut c, &k.b, tiny_problem(0.1, B)).await;
    let b = wait_state(&mut c, &k.b, &b.job_id, pb::JobState::Succeeded).await;
    let (b_created, b_started) = (ms(&b.create_time), ms(&b.start_time));
    let mut a_started_between = 0;
    let mut a_running_at_b = 0;
    for j in &backlog {
        let j = get(&mut c, &k.a, &j.job_id).await;
        if let Some(t) = &j.start_time {
            let start = ms(&Some(*t));
            if start > b_created && start < b_started {
                a_started_between += 1;
            }
            if start <= b_created {
                a_running_at_b += 1;
            }
        }
    }
    let waited = b_started - b_created;
    println!(
        "fairness: B waited {waited} ms behind {a_running_at_b} A job(s) started before it arrived; \
         A jobs started between B's submission and its start: {a_started_between}"
    );
    assert_eq!(
        a_started_between, 0,
        "B's job waited for more than one job slot"
    );
    assert!(waited < 10_000, "B waited {waited} ms");
    for j in &backlog {
        let _ = c
            .cancel_job(req(
                pb::CancelJobRequest {
                    job_id: j.job_id.clone(),
                },
                &k.a,
            ))
            .await;
    }
    server.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&k.dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_borough_backlog_holds_another_borough_for_one_slot_at_most() {
    fairness(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_borough_backlog_holds_another_borough_for_one_slot_at_most() {
    let Some(schema) = pg::schema("fairness").await else {
        return;
    };
    fairness(Some(&schema.url)).await;
    schema.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_job_is_watched_fetched_and_cancelled_through_another_replica() {
    let Some(schema) = pg::schema("two_replicas").await else {
        return;
    };
    let k = keys();
    let one = spawn(config(&k, Some(&schema.url))).await.unwrap();
    let two = spawn(config(&k, Some(&schema.url))).await.unwrap();
    assert_ne!(one.replica, two.replica);
    let (mut c1, mut c2) = (client(&one).await, client(&two).await);

    // Submitted to one, watched through the other to the end, with progress.
    let job = submit(&mut c1, &k.a, tiny_problem(1.5, A)).await;
    let mut stream = c2
        .watch_job(req(
            pb::WatchJobRequest {
                job_id: job.job_id.clone(),
            },
            &k.a,
        ))
        .await
        .unwrap()
        .into_inner();
    let mut events = Vec::new();
    while let Some(m) = tokio::time::timeout(Duration::from_secs(60), stream.message())
        .await
        .expect("watch stalled")
        .unwrap()
    {
        events.push(m.event.unwrap());
    }
    use pb::watch_job_response::Event;
    assert!(
        matches!(events.last(), Some(Event::Finished(_))),
        "{events:?}"
    );
    assert!(
        events.iter().any(|e| matches!(e, Event::Progress(_))),
        "progress seen through the other replica: {events:?}"
    );
    let plan = c2
        .get_plan(req(
            pb::GetPlanRequest {
                job_id: job.job_id.clone(),
            },
            &k.a,
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(plan.plan.is_some());

    // A running job cancelled through the replica that does not run it.
    let long = submit(&mut c2, &k.a, tiny_problem(30.0, A)).await;
    let running = wait_state(&mut c1, &k.a, &long.job_id, pb::JobState::Running).await;
    let progress_deadline = Instant::now() + Duration::from_secs(10);
    loop {
        // Progress stored by whichever replica runs it, readable from both.
        let j1 = get(&mut c1, &k.a, &long.job_id).await;
        let j2 = get(&mut c2, &k.a, &long.job_id).await;
        if j1.progress.is_some() && j2.progress.is_some() {
            break;
        }
        assert!(
            Instant::now() < progress_deadline,
            "no progress: {j1:?} {j2:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Cancel through the replica that does not run it.
    let (db, conn) = tokio_postgres::connect(&schema.url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    let holder: String = db
        .query_one(
            "SELECT lease_owner FROM jobs WHERE id = $1",
            &[&long.job_id],
        )
        .await
        .unwrap()
        .get(0);
    let other = if holder == one.replica {
        &mut c2
    } else {
        &mut c1
    };
    let t0 = Instant::now();
    other
        .cancel_job(req(
            pb::CancelJobRequest {
                job_id: long.job_id.clone(),
            },
            &k.a,
        ))
        .await
        .unwrap();
    let cancelled = wait_state(&mut c1, &k.a, &long.job_id, pb::JobState::Cancelled).await;
    println!(
        "cross-replica cancel of a running job took {} ms (attempt {})",
        t0.elapsed().as_millis(),
        running.attempts
    );
    assert!(t0.elapsed() < Duration::from_secs(10));
    assert_eq!(cancelled.attempts, 1);
    two.shutdown().await.unwrap();
    one.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&k.dir);
    schema.drop().await;
}
