//! Several `senroute-service serve --store postgres://…` processes on one
//! database: failover after kill -9, fencing after SIGSTOP, and (ignored by
//! default) throughput with 1 and 3 replicas. Each replica logs
//! `job <id> succeeded (attempt <n>)` once per outcome it stored; the tests
//! count those lines to prove that no job is completed twice.

mod common;

use common::{pg, req, tempdir, tiny_problem};
use senroute_service::pb::v1 as pb;
use senroute_service::pb::v1::routing_service_client::RoutingServiceClient;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BOROUGHS: [&str; 4] = ["E09000007", "E09000033", "E09000001", "E09000019"];

struct Replica {
    id: String,
    child: Child,
    addr: String,
    log: PathBuf,
}

impl Replica {
    fn start(dir: &Path, url: &str, keys: &Path, id: &str, lease_s: f64) -> Replica {
        let log = dir.join(format!("{id}.log"));
        let child = Command::new(env!("CARGO_BIN_EXE_senroute-service"))
            .args(["serve", "--listen", "127.0.0.1:0", "--store", url])
            .arg("--keys-file")
            .arg(keys)
            .args([
                "--workers",
                "1",
                "--solver-threads",
                "1",
                "--replica-id",
                id,
            ])
            .args(["--lease-s", &lease_s.to_string(), "--poll-ms", "100"])
            .args(["--queue-limit", "1000", "--borough-queue-limit", "1000"])
            .args(["--store-connections", "4"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let t0 = Instant::now();
        let addr = loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if let Some(rest) = text.split("listening on ").nth(1) {
                break rest.split_whitespace().next().unwrap().to_string();
            }
            assert!(
                t0.elapsed() < Duration::from_secs(60),
                "replica {id} did not start: {text}"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        Replica {
            id: id.into(),
            child,
            addr,
            log,
        }
    }

    fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .args([sig, &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill {sig} {}", self.id);
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGTERM, and the exit status.
    fn stop(mut self) -> std::process::ExitStatus {
        self.signal("-TERM");
        self.child.wait().unwrap()
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Jobs each replica's log says it completed, by job id.
fn successes(logs: &[String]) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for text in logs {
        for line in text.lines() {
            let rest = line.split("]: job ").nth(1).unwrap_or("");
            if let Some((id, _)) = rest.split_once(" succeeded (attempt ") {
                *out.entry(id.to_string()).or_insert(0) += 1;
            }
        }
    }
    out
}

fn keys_file(dir: &Path) -> (PathBuf, Vec<String>) {
    let file = dir.join("keys.jsonl");
    let keys = BOROUGHS
        .iter()
        .map(|b| senroute_service::auth::add_key(&file, b, b).unwrap())
        .collect();
    (file, keys)
}

async fn db(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    client
}

/// Submits `per_thread` jobs from each of `threads` client threads, each on
/// its own connection per replica, client-side round robin over `addrs`; a
/// submission that fails is retried on the next replica with the same
/// request id. Returns the acknowledged job ids.
fn submit_from_threads(
    addrs: &[String],
    keys: &[String],
    threads: usize,
    per_thread: usize,
    time_limit_s: f64,
    iterations: Option<u64>,
    acked: Arc<Mutex<Vec<String>>>,
) {
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let addrs = addrs.to_vec();
            let key = keys[t % keys.len()].clone();
            let borough = BOROUGHS[t % keys.len()];
            let acked = acked.clone();
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async move {
                    let problem = tiny_problem(time_limit_s, borough);
                    for i in 0..per_thread {
                        let rid = format!("t{t}-{i}");
                        let mut done = false;
                        for attempt in 0..12 {
                            let addr = &addrs[(t + i + attempt) % addrs.len()];
                            let Ok(mut c) =
                                RoutingServiceClient::connect(format!("http://{addr}")).await
                            else {
                                continue;
                            };
                            let r = c
                                .submit_job(req(
                                    pb::SubmitJobRequest {
                                        problem: Some(problem.clone()),
                                        label: rid.clone(),
                                        request_id: rid.clone(),
                                        search: iterations.map(|n| pb::SearchOptions {
                                            iteration_limit: Some(n),
                                            threads: 1,
                                        }),
                                        replan: None,
                                    },
                                    &key,
                                ))
                                .await;
                            if let Ok(r) = r {
                                acked
                                    .lock()
                                    .unwrap()
                                    .push(r.into_inner().job.unwrap().job_id);
                                done = true;
                                break;
                            }
                            tokio::time::sleep(Duration::from_millis(100)).await;
                        }
                        assert!(done, "submission {rid} failed on every replica");
                    }
                });
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}

/// Waits until every job in `ids` has ended; returns the states.
async fn wait_all_ended(
    db: &tokio_postgres::Client,
    ids: &[String],
    limit: Duration,
) -> BTreeMap<String, String> {
    let t0 = Instant::now();
    loop {
        let rows = db
            .query("SELECT id, state FROM jobs WHERE id = ANY($1)", &[&ids])
            .await
            .unwrap();
        let states: BTreeMap<String, String> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        if states.len() == ids.len() && states.values().all(|s| s != "queued" && s != "running") {
            return states;
        }
        assert!(
            t0.elapsed() < limit,
            "jobs still open after {limit:?}: {:?}",
            states
                .iter()
                .filter(|(_, s)| *s == "queued" || *s == "running")
                .count()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn now_ms() -> i64 {
    senroute_service::worker::now_ms()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_200_jobs_kill_9_loses_and_duplicates_none() {
    let Some(schema) = pg::schema("failover").await else {
        return;
    };
    let dir = tempdir("replicas");
    let (keys_path, keys) = keys_file(&dir);
    // 2 s keeps the test short; SENROUTE_TEST_LEASE_S=30 measures the default.
    let lease_s: f64 = std::env::var("SENROUTE_TEST_LEASE_S")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2.0);
    let replicas: Vec<Replica> = (1..=3)
        .map(|i| Replica::start(&dir, &schema.url, &keys_path, &format!("r{i}"), lease_s))
        .collect();
    let addrs: Vec<String> = replicas.iter().map(|r| r.addr.clone()).collect();
    let db = db(&schema.url).await;

    let t0 = Instant::now();
    let acked = Arc::new(Mutex::new(Vec::new()));
    let submitter = {
        let (addrs, keys, acked) = (addrs.clone(), keys.clone(), acked.clone());
        std::thread::spawn(move || submit_from_threads(&addrs, &keys, 8, 25, 0.2, None, acked))
    };
    // Kill r3 while it is solving, once a third of the jobs are in.
    let mut replicas = replicas;
    let mut victim = replicas.pop().unwrap();
    let (kill_ms, victim_log, held) = loop {
        assert!(
            t0.elapsed() < Duration::from_secs(120),
            "r3 never ran a job"
        );
        let n = acked.lock().unwrap().len();
        let held: Vec<String> = db
            .query(
                "SELECT id FROM jobs WHERE state = 'running' AND lease_owner = 'r3'",
                &[],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        if n >= 60 && !held.is_empty() {
            victim.child.kill().unwrap(); // SIGKILL
            victim.child.wait().unwrap();
            break (now_ms(), victim.log_text(), held);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    submitter.join().unwrap();
    let submitted_s = t0.elapsed().as_secs_f64();
    let acked: Vec<String> = acked.lock().unwrap().clone();
    let states = wait_all_ended(&db, &acked, Duration::from_secs(300)).await;
    let wall_s = t0.elapsed().as_secs_f64();

    // Re-claim time of each job r3 held when it died.
    let mut reclaim_ms = Vec::new();
    for id in &held {
        let row = db
            .query_one(
                "SELECT started_ms, lease_owner, attempts, state FROM jobs WHERE id = $1",
                &[id],
            )
            .await
            .unwrap();
        let (started, owner, attempts, state): (Option<i64>, Option<String>, i64, String) =
            (row.get(0), row.get(1), row.get(2), row.get(3));
        assert_ne!(
            owner.as_deref(),
            Some("r3"),
            "{id} re-claimed by a survivor"
        );
        assert_eq!((attempts, state.as_str()), (2, "succeeded"), "{id}");
        reclaim_ms.push(started.unwrap() - kill_ms);
    }

    let mut logs: Vec<String> = replicas.iter().map(Replica::log_text).collect();
    logs.push(victim_log);
    let counts = successes(&logs);
    let unique: HashSet<&String> = acked.iter().collect();
    let succeeded = states.values().filter(|s| *s == "succeeded").count();
    let lost = acked.len() - succeeded;
    let duplicated = counts.values().filter(|&&n| n > 1).count();
    let missing_log = acked.iter().filter(|id| !counts.contains_key(*id)).count();
    println!(
        "failover: 3 replicas, {} jobs acknowledged ({} distinct) from 8 client threads in {submitted_s:.1} s; \
         r3 killed -9 holding {held:?}; re-claimed {reclaim_ms:?} ms after the kill (lease {lease_s} s); \
         {succeeded} SUCCEEDED, lost {lost}, completed twice {duplicated}; all ended after {wall_s:.1} s",
        acked.len(),
        unique.len(),
    );
    assert_eq!(unique.len(), 200, "every submission acknowledged once");
    assert_eq!(lost, 0, "every acknowledged job SUCCEEDED: {states:?}");
    assert_eq!(duplicated, 0, "no job completed twice: {counts:?}");
    assert_eq!(
        missing_log, 0,
        "every success logged by the replica that stored it"
    );
    for r in replicas {
        assert!(r.stop().success(), "SIGTERM drains cleanly");
    }
    let _ = std::fs::remove_dir_all(&dir);
    schema.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_paused_past_its_lease_cannot_overwrite_the_takeover() {
    let Some(schema) = pg::schema("fencing").await else {
        return;
    };
    let dir = tempdir("fencing");
    let (keys_path, keys) = keys_file(&dir);
    let r1 = Replica::start(&dir, &schema.url, &keys_path, "r1", 2.0);
    let db = db(&schema.url).await;
    let mut c = RoutingServiceClient::connect(format!("http://{}", r1.addr))
        .await
        .unwrap();
    let job = c
        .submit_job(req(
            pb::SubmitJobRequest {
                problem: Some(tiny_problem(3.0, BOROUGHS[0])),
                label: "fenced".into(),
                request_id: String::new(),
                search: None,
                replan: None,
            },
            &keys[0],
        ))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    let id = job.job_id;
    let t0 = Instant::now();
    loop {
        let row = db
            .query_one("SELECT state, lease_owner FROM jobs WHERE id = $1", &[&id])
            .await
            .unwrap();
        let (state, owner): (String, Option<String>) = (row.get(0), row.get(1));
        if state == "running" && owner.as_deref() == Some("r1") {
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "r1 never started the job"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await; // r1 is mid-search
    r1.signal("-STOP");
    let paused_ms = now_ms();
    // r2 comes up, sees the lease expire and takes the job over.
    let r2 = Replica::start(&dir, &schema.url, &keys_path, "r2", 2.0);
    let t0 = Instant::now();
    let (finished, summary, token) = loop {
        let row = db
            .query_one(
                "SELECT state, lease_owner, attempts, finished_ms, summary, lease_token, started_ms
                 FROM jobs WHERE id = $1",
                &[&id],
            )
            .await
            .unwrap();
        let state: String = row.get(0);
        if state == "succeeded" {
            let owner: Option<String> = row.get(1);
            let attempts: i64 = row.get(2);
            assert_eq!((owner.as_deref(), attempts), (Some("r2"), 2));
            let started: i64 = row.get(6);
            println!(
                "fencing: r1 paused; r2 re-claimed the job {} ms after the pause (lease 2 s)",
                started - paused_ms
            );
            break (
                row.get::<_, i64>(3),
                row.get::<_, String>(4),
                row.get::<_, i64>(5),
            );
        }
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "r2 never finished: {state}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let plan: String = db
        .query_one("SELECT plan_json FROM plans WHERE job_id = $1", &[&id])
        .await
        .unwrap()
        .get(0);
    // r1 wakes up with a finished search and a stale lease.
    r1.signal("-CONT");
    let t0 = Instant::now();
    let refused = loop {
        let text = r1.log_text();
        let line = text.lines().find(|l| {
            l.contains(&id) && (l.contains("late write refused") || l.contains("lease taken over"))
        });
        if let Some(l) = line {
            break l.to_string();
        }
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "r1 said nothing: {text}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let row = db
        .query_one(
            "SELECT state, finished_ms, summary, lease_token, attempts FROM jobs WHERE id = $1",
            &[&id],
        )
        .await
        .unwrap();
    let after: (String, i64, String, i64, i64) =
        (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4));
    assert_eq!(
        after,
        ("succeeded".to_string(), finished, summary, token, 2),
        "r2's outcome stands"
    );
    let plan_after: String = db
        .query_one("SELECT plan_json FROM plans WHERE job_id = $1", &[&id])
        .await
        .unwrap()
        .get(0);
    assert_eq!(plan_after, plan);
    let counts = successes(&[r1.log_text(), r2.log_text()]);
    assert_eq!(counts.get(&id), Some(&1), "completed once: {counts:?}");
    println!("fencing: r1 after SIGCONT: {refused}");
    assert!(r1.stop().success());
    assert!(r2.stop().success());
    let _ = std::fs::remove_dir_all(&dir);
    schema.drop().await;
}

/// Throughput of the same batch through 1 and through 3 replicas on this
/// machine. Run by hand (figures in the service README):
/// `cargo test -p senroute-service --test replicas -- --ignored --nocapture`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a check: run by hand"]
async fn throughput_one_vs_three_replicas() {
    let Some(schema) = pg::schema("throughput").await else {
        return;
    };
    let jobs_per_thread: usize = std::env::var("SENROUTE_TP_JOBS_PER_THREAD")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let search_s: f64 = std::env::var("SENROUTE_TP_SEARCH_S")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.5);
    // Iterations instead of a time limit: a fixed amount of work per job,
    // so the figure shows what the machine's cores can do.
    let iterations: Option<u64> = std::env::var("SENROUTE_TP_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok());
    let search_s = if iterations.is_some() {
        600.0
    } else {
        search_s
    };
    let db = db(&schema.url).await;
    for n in [1usize, 3] {
        let dir = tempdir("throughput");
        let (keys_path, keys) = keys_file(&dir);
        db.batch_execute("TRUNCATE jobs, job_boroughs, inputs, plans")
            .await
            .ok();
        let replicas: Vec<Replica> = (1..=n)
            .map(|i| Replica::start(&dir, &schema.url, &keys_path, &format!("n{n}r{i}"), 30.0))
            .collect();
        let addrs: Vec<String> = replicas.iter().map(|r| r.addr.clone()).collect();
        let acked = Arc::new(Mutex::new(Vec::new()));
        let t0 = Instant::now();
        {
            let acked = acked.clone();
            let keys = keys.clone();
            tokio::task::spawn_blocking(move || {
                submit_from_threads(
                    &addrs,
                    &keys,
                    8,
                    jobs_per_thread,
                    search_s,
                    iterations,
                    acked,
                )
            })
            .await
            .unwrap();
        }
        let ids = acked.lock().unwrap().clone();
        wait_all_ended(&db, &ids, Duration::from_secs(600)).await;
        let s = t0.elapsed().as_secs_f64();
        let work = match iterations {
            Some(i) => format!("{i} iterations"),
            None => format!("{search_s} s search"),
        };
        println!(
            "throughput: {n} replica(s) x 1 worker, {} jobs of {work}: {s:.1} s, {:.2} jobs/s",
            ids.len(),
            ids.len() as f64 / s
        );
        for r in replicas {
            r.stop();
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    schema.drop().await;
}
