//! `senroute pool --via grpc://HOST:PORT --key KEY`: every coalition search
//! of the study becomes a job of the senroute service, so a study spreads
//! over every replica behind that address. Each job carries its own travel
//! matrices (cut from the study's), the same seed, iteration limit and
//! thread count as the local search, so the plans (and the report) are the
//! local run's.
//!
//! The pupils are sent without their home borough: the submitting borough
//! then owns every pupil of the job and reads the plans unredacted. (The
//! study needs them whole; the caller holds the input files anyway.)

use senroute_model::{LocationKey, Matrices, Plan, Problem, TravelTimes};
use senroute_pooling::{CoalitionSolver, SolveRequest};
use senroute_service::pb::v1 as pb;
use senroute_service::pb::v1::routing_service_client::RoutingServiceClient;
use std::sync::Arc;
use std::time::Duration;
use tonic::transport::Channel;
use tonic::{Code, Request};

/// Plans the study's searches as jobs of a senroute service.
pub struct ServiceSolver {
    /// `http://HOST:PORT` (or https).
    pub endpoint: String,
    /// The borough's API key.
    pub key: String,
    /// Jobs submitted and not yet finished at any time.
    pub in_flight: usize,
    /// Prefix of the idempotency keys of this study's jobs.
    pub study_id: String,
    /// Prints a line per finished job.
    pub chatty: bool,
    /// Searches submitted so far (the study calls `solve` once per round):
    /// numbers the idempotency keys across rounds.
    pub submitted: std::sync::atomic::AtomicUsize,
}

/// `grpc://HOST:PORT` → `http://HOST:PORT`; `grpcs://` → `https://`.
pub fn endpoint(via: &str) -> Result<String, String> {
    if let Some(rest) = via.strip_prefix("grpc://") {
        Ok(format!("http://{rest}"))
    } else if let Some(rest) = via.strip_prefix("grpcs://") {
        Ok(format!("https://{rest}"))
    } else {
        Err(format!(
            "--via must be grpc://HOST:PORT (or grpcs://), not {:?}",
            via.chars().take(60).collect::<String>()
        ))
    }
}

/// The matrices of `problem`'s locations, cut from `travel`.
fn sub_matrices(problem: &Problem, travel: &TravelTimes) -> Result<Matrices, String> {
    let keys: Vec<LocationKey> = problem.locations().into_iter().map(|(k, _)| k).collect();
    let mut durations = Vec::with_capacity(keys.len());
    let mut distances = Vec::with_capacity(keys.len());
    for a in &keys {
        let (mut d, mut m) = (
            Vec::with_capacity(keys.len()),
            Vec::with_capacity(keys.len()),
        );
        for b in &keys {
            d.push(
                travel
                    .duration(a, b)
                    .ok_or_else(|| format!("no travel time for {a:?}"))?,
            );
            m.push(
                travel
                    .distance(a, b)
                    .ok_or_else(|| format!("no distance for {a:?}"))?,
            );
        }
        durations.push(d);
        distances.push(m);
    }
    Ok(Matrices {
        locations: keys,
        durations_s: durations,
        distances_m: distances,
    })
}

fn job_request(
    r: &SolveRequest,
    travel: &TravelTimes,
    request_id: String,
) -> Result<pb::SubmitJobRequest, String> {
    let mut p = r.problem.clone();
    for pupil in &mut p.pupils {
        pupil.borough = None;
    }
    p.settings.seed = r.seed;
    p.settings.time_limit_seconds = match (r.iteration_limit, r.time_limit) {
        // The iteration limit stops the search; the server's cap still applies.
        (Some(_), _) => 600.0,
        (None, Some(t)) => t.as_secs_f64(),
        (None, None) => 30.0,
    };
    p.matrices = Some(sub_matrices(&p, travel)?);
    Ok(pb::SubmitJobRequest {
        problem: Some(senroute_service::convert::problem_to_proto(&p)),
        label: format!("pool {}", r.boroughs.join("+")),
        request_id,
        search: Some(pb::SearchOptions {
            iteration_limit: r.iteration_limit,
            threads: u32::try_from(r.threads).unwrap_or(u32::MAX),
        }),
        replan: None,
    })
}

fn with_key<T>(msg: T, key: &str) -> Result<Request<T>, String> {
    let mut r = Request::new(msg);
    r.metadata_mut().insert(
        "authorization",
        format!("Bearer {key}")
            .parse()
            .map_err(|_| "the key is not valid metadata".to_string())?,
    );
    Ok(r)
}

/// Submits one search (retrying while the service is busy), waits for it
/// and fetches its plan.
async fn run_one(
    mut client: RoutingServiceClient<Channel>,
    key: String,
    submit: pb::SubmitJobRequest,
) -> Result<Plan, String> {
    let mut backoff = Duration::from_millis(200);
    let job = loop {
        match client.submit_job(with_key(submit.clone(), &key)?).await {
            Ok(r) => break r.into_inner().job.ok_or("no job in the response")?,
            Err(s) if matches!(s.code(), Code::ResourceExhausted | Code::Unavailable) => {
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
            Err(s) => return Err(format!("submitting {}: {}", submit.label, s.message())),
        }
    };
    let id = job.job_id;
    loop {
        let get = client
            .get_job(with_key(pb::GetJobRequest { job_id: id.clone() }, &key)?)
            .await;
        let j = match get {
            Ok(r) => r.into_inner().job.ok_or("no job in the response")?,
            Err(s) if s.code() == Code::Unavailable => {
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
            Err(s) => return Err(format!("job {id}: {}", s.message())),
        };
        match pb::JobState::try_from(j.state) {
            Ok(pb::JobState::Succeeded) => break,
            Ok(pb::JobState::Failed) => {
                return Err(format!("job {id} failed: {}", j.failure_reason));
            }
            Ok(pb::JobState::Cancelled) => return Err(format!("job {id} was cancelled")),
            _ => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    let plan = client
        .get_plan(with_key(pb::GetPlanRequest { job_id: id.clone() }, &key)?)
        .await
        .map_err(|s| format!("plan of job {id}: {}", s.message()))?
        .into_inner();
    senroute_service::convert_plan::plan_from_proto(&plan.plan.ok_or("no plan in the response")?)
}

impl CoalitionSolver for ServiceSolver {
    fn solve(&self, requests: &[SolveRequest], travel: &TravelTimes) -> Result<Vec<Plan>, String> {
        let base = self
            .submitted
            .fetch_add(requests.len(), std::sync::atomic::Ordering::SeqCst);
        let submits = requests
            .iter()
            .enumerate()
            .map(|(i, r)| job_request(r, travel, format!("{}-{}", self.study_id, base + i)))
            .collect::<Result<Vec<_>, _>>()?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| format!("tokio runtime: {e}"))?;
        rt.block_on(async {
            let channel = Channel::from_shared(self.endpoint.clone())
                .map_err(|e| format!("--via: {e}"))?
                .connect()
                .await
                .map_err(|e| format!("cannot reach the service at {}: {e}", self.endpoint))?;
            let client = RoutingServiceClient::new(channel)
                .max_decoding_message_size(64 << 20)
                .max_encoding_message_size(64 << 20);
            let gate = Arc::new(tokio::sync::Semaphore::new(self.in_flight.max(1)));
            let total = submits.len();
            let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let mut tasks = Vec::with_capacity(total);
            for submit in submits {
                let (client, key, gate) = (client.clone(), self.key.clone(), gate.clone());
                let (done, chatty) = (done.clone(), self.chatty);
                tasks.push(tokio::spawn(async move {
                    let _permit = gate.acquire_owned().await.map_err(|e| e.to_string())?;
                    let label = submit.label.clone();
                    let plan = run_one(client, key, submit).await?;
                    let n = done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                    if chatty {
                        eprintln!("  job {n}/{total} done: {label}");
                    }
                    Ok::<Plan, String>(plan)
                }));
            }
            let mut plans = Vec::with_capacity(total);
            for t in tasks {
                plans.push(t.await.map_err(|e| format!("job task: {e}"))??);
            }
            Ok(plans)
        })
    }
}
