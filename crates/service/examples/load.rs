//! Load check (not a timed test): N concurrent clients each submit the
//! bundled example problem (16 pupils, straight-line matrices, a short
//! search) to an in-process server on 127.0.0.1 and watch it to the end.
//! Reports submit (stored and acknowledged) and end-to-end latencies and
//! throughput.
//!
//! ```text
//! cargo run -p senroute-service --example load -- [jobs] [workers] [search_seconds]
//! ```
//!
//! Traffic goes to loopback only, the request count is bounded, and the
//! server is stopped at the end.

use senroute_model::{read_problem_files, Session, Settings, TravelTimes};
use senroute_service::convert::problem_to_proto;
use senroute_service::pb::v1 as pb;
use senroute_service::pb::v1::routing_service_client::RoutingServiceClient;
use std::path::Path;
use std::time::{Duration, Instant};
use tonic::Request;

fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn report(name: &str, mut v: Vec<Duration>) {
    v.sort();
    println!(
        "{name:<12} p50 {:>8.1} ms   p95 {:>8.1} ms   max {:>8.1} ms",
        pct(&v, 0.5).as_secs_f64() * 1e3,
        pct(&v, 0.95).as_secs_f64() * 1e3,
        v.last().unwrap().as_secs_f64() * 1e3
    );
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let jobs: usize = args.first().map_or(Ok(32), |s| s.parse())?;
    let workers: usize = args.get(1).map_or(Ok(2), |s| s.parse())?;
    let search_s: f64 = args.get(2).map_or(Ok(0.25), |s| s.parse())?;

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut problem = read_problem_files(
        &root.join("data/example/pupils.csv"),
        &root.join("data/example/schools.csv"),
        &root.join("data/example/fleet.csv"),
        Session::Am,
        Settings {
            time_limit_seconds: search_s,
            ..Settings::default()
        },
    )?;
    problem.matrices = Some(TravelTimes::straight_line(&problem, 25.0, 1.4).to_matrices());
    let problem = problem_to_proto(&problem);

    let dir = std::env::temp_dir().join(format!("senroute-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let keys = dir.join("keys.jsonl");
    let key = senroute_service::auth::add_key(&keys, "E09000007", "load")?;
    let mut cfg =
        senroute_service::ServeConfig::new("127.0.0.1:0".parse()?, dir.join("data"), keys);
    cfg.workers = workers;
    cfg.queue_limit = jobs + 1;
    cfg.borough_queue_limit = jobs + 1;
    let server = senroute_service::spawn(cfg).await?;
    let url = format!("http://{}", server.local_addr());
    println!(
        "{jobs} concurrent jobs, {workers} worker(s), {search_s} s search each, 16-pupil example"
    );

    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..jobs {
        let (url, key, problem) = (url.clone(), key.clone(), problem.clone());
        tasks.push(tokio::spawn(async move {
            let mut c = RoutingServiceClient::connect(url).await?;
            let auth = |r: &mut tonic::metadata::MetadataMap| {
                r.insert("authorization", format!("Bearer {key}").parse().unwrap());
            };
            let mut r = Request::new(pb::SubmitJobRequest {
                problem: Some(problem),
                label: format!("load {i}"),
                request_id: String::new(),
                search: None,
                replan: None,
            });
            auth(r.metadata_mut());
            let start = Instant::now();
            let job = c.submit_job(r).await?.into_inner().job.unwrap();
            let submitted = start.elapsed();
            let mut w = Request::new(pb::WatchJobRequest { job_id: job.job_id });
            auth(w.metadata_mut());
            let mut s = c.watch_job(w).await?.into_inner();
            let mut ok = false;
            while let Some(m) = s.message().await? {
                ok = matches!(m.event, Some(pb::watch_job_response::Event::Finished(_)));
            }
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>((submitted, start.elapsed(), ok))
        }));
    }
    let (mut submit, mut total, mut failed) = (Vec::new(), Vec::new(), 0);
    for t in tasks {
        let (s, e, ok) = t.await?.map_err(|e| e.to_string())?;
        submit.push(s);
        total.push(e);
        failed += usize::from(!ok);
    }
    let wall = t0.elapsed();
    report("submit", submit);
    report("end-to-end", total);
    println!(
        "throughput   {:.2} jobs/s ({jobs} jobs in {:.1} s), {failed} not finished",
        jobs as f64 / wall.as_secs_f64(),
        wall.as_secs_f64()
    );
    server.shutdown().await?;
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
