//! The bounded pool of planning workers.
//!
//! The queue *is* the store: a submission is a row in state `queued`, and
//! each of the `workers` tasks claims the oldest one, plans it on the
//! blocking thread pool, validates the plan and stores the outcome. So the
//! queue survives restarts, and its bound (`queue_limit`) is enforced
//! atomically at insert time.
//!
//! Stopping: [`WorkerPool::shutdown`] asks running searches to stop; a job
//! stopped that way goes back to the queue (its attempt not counted) and
//! runs again on the next start. A job the server died under is found still
//! `running` at the next start and requeued by [`JobStore::recover`].

use crate::events::{Hub, JobEvent};
use crate::pb::v1 as pb;
use crate::store::{JobRecord, JobStore, StoreError, Summary};
use senroute_model::{Problem, TravelTimes};
use senroute_planner::{plan, travel_times, PlanOptions};
use senroute_roads::RoadNetwork;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

/// How a worker plans.
#[derive(Clone)]
pub struct PlannerConfig {
    /// Road network for problems without matrices.
    pub roads: Option<Arc<RoadNetwork>>,
    /// Farthest a location may be from a road, metres.
    pub max_snap_m: f64,
    /// Solver threads per job.
    pub solver_threads: usize,
    /// Upper bound on a job's search time, whatever its settings ask.
    pub max_time_limit: Duration,
}

/// Why a running search was stopped early.
const STOP_NONE: u8 = 0;
const STOP_CANCEL: u8 = 1;
const STOP_SHUTDOWN: u8 = 2;

struct Running {
    cancel: Arc<AtomicBool>,
    why: Arc<AtomicU8>,
}

/// Unix time in milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

struct Shared {
    store: Arc<dyn JobStore>,
    hub: Arc<Hub>,
    planner: PlannerConfig,
    notify: Notify,
    running: Mutex<HashMap<String, Running>>,
    stop: watch::Sender<bool>,
}

/// The worker tasks.
pub struct WorkerPool {
    shared: Arc<Shared>,
    handles: Mutex<Vec<JoinHandle<()>>>,
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(StoreError::Corrupt(format!("store task failed: {e}"))))
}

impl WorkerPool {
    /// Starts `workers` worker tasks on the current runtime.
    pub fn start(
        store: Arc<dyn JobStore>,
        hub: Arc<Hub>,
        planner: PlannerConfig,
        workers: usize,
    ) -> Self {
        let shared = Arc::new(Shared {
            store,
            hub,
            planner,
            notify: Notify::new(),
            running: Mutex::new(HashMap::new()),
            stop: watch::channel(false).0,
        });
        let handles = (0..workers.max(1))
            .map(|_| tokio::spawn(worker_loop(shared.clone())))
            .collect();
        WorkerPool {
            shared,
            handles: Mutex::new(handles),
        }
    }

    /// Wakes a worker: a job was queued.
    pub fn notify(&self) {
        self.shared.notify.notify_one();
    }

    /// Stops the search of a running job because its owner cancelled it.
    /// Returns false when no worker runs it here.
    pub fn cancel(&self, job_id: &str) -> bool {
        let running = self
            .shared
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        match running.get(job_id) {
            Some(r) => {
                r.why.store(STOP_CANCEL, Ordering::SeqCst);
                r.cancel.store(true, Ordering::SeqCst);
                true
            }
            None => false,
        }
    }

    /// Jobs running now.
    pub fn running(&self) -> usize {
        self.shared
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .len()
    }

    /// Stops claiming jobs, lets running searches go on for up to `grace`,
    /// then stops the rest and puts their jobs back in the queue (their
    /// attempt not counted). Waits for every worker to end.
    pub async fn shutdown(&self, grace: Duration) {
        self.shared.stop.send_replace(true);
        let mut handles =
            std::mem::take(&mut *self.handles.lock().unwrap_or_else(|e| e.into_inner()));
        let deadline = tokio::time::Instant::now() + grace;
        let mut left = Vec::new();
        for mut h in handles.drain(..) {
            if tokio::time::timeout_at(deadline, &mut h).await.is_err() {
                left.push(h);
            }
        }
        if left.is_empty() {
            return;
        }
        {
            let running = self
                .shared
                .running
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            for r in running.values() {
                // A cancel already requested stays a cancel.
                let _ = r.why.compare_exchange(
                    STOP_NONE,
                    STOP_SHUTDOWN,
                    Ordering::SeqCst,
                    Ordering::SeqCst,
                );
                r.cancel.store(true, Ordering::SeqCst);
            }
        }
        for h in left {
            let _ = h.await;
        }
    }
}

async fn worker_loop(shared: Arc<Shared>) {
    let mut stop = shared.stop.subscribe();
    loop {
        if *stop.borrow() {
            return;
        }
        let store = shared.store.clone();
        match blocking(move || store.claim_next(now_ms())).await {
            Ok(Some(job)) => run_job(&shared, job).await,
            Ok(None) => {
                // Wait for a submission; poll now and then as a safety net.
                tokio::select! {
                    _ = shared.notify.notified() => {}
                    _ = stop.changed() => {}
                    _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                }
            }
            Err(e) => {
                eprintln!("senroute-service: cannot claim a job: {e}");
                tokio::select! {
                    _ = stop.changed() => {}
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
        }
    }
}

/// What became of a planning attempt.
enum Outcome {
    Planned { plan_json: String, summary: Summary },
    Failed(String),
}

async fn run_job(shared: &Arc<Shared>, job: JobRecord) {
    let id = job.id.clone();
    let cancel = Arc::new(AtomicBool::new(false));
    let why = Arc::new(AtomicU8::new(STOP_NONE));
    shared
        .running
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(
            id.clone(),
            Running {
                cancel: cancel.clone(),
                why: why.clone(),
            },
        );
    // The pool began stopping after this job was claimed: give it back.
    if *shared.stop.borrow() {
        why.store(STOP_SHUTDOWN, Ordering::SeqCst);
        cancel.store(true, Ordering::SeqCst);
    }
    shared.hub.publish(
        &id,
        JobEvent::Started {
            attempt: job.attempts,
        },
    );
    let s = shared.clone();
    let (jid, c) = (id.clone(), cancel.clone());
    let outcome = tokio::task::spawn_blocking(move || {
        if s.store
            .get(&jid)
            .ok()
            .flatten()
            .is_some_and(|j| j.cancel_requested)
        {
            c.store(true, Ordering::SeqCst);
            return Outcome::Failed(String::new());
        }
        plan_job(&s, &jid, c)
    })
    .await
    .unwrap_or_else(|e| {
        Outcome::Failed(format!(
            "internal error: the planner stopped unexpectedly ({e}); please report this job id"
        ))
    });
    shared
        .running
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&id);

    let store = shared.store.clone();
    let jid = id.clone();
    let cancel_requested = blocking(move || store.get(&jid))
        .await
        .ok()
        .flatten()
        .is_some_and(|j| j.cancel_requested);
    let stop_reason = why.load(Ordering::SeqCst);
    let store = shared.store.clone();
    let jid = id.clone();
    let now = now_ms();
    let (result, event) = if cancel_requested || stop_reason == STOP_CANCEL {
        (
            blocking(move || store.mark_cancelled(&jid, now)).await,
            JobEvent::Cancelled,
        )
    } else if stop_reason == STOP_SHUTDOWN {
        (
            blocking(move || store.requeue(&jid)).await,
            JobEvent::Requeued,
        )
    } else {
        match outcome {
            Outcome::Planned { plan_json, summary } => (
                blocking(move || store.complete(&jid, &plan_json, summary, now)).await,
                JobEvent::Finished(summary),
            ),
            Outcome::Failed(reason) => {
                let r = reason.clone();
                (
                    blocking(move || store.fail(&jid, &r, now)).await,
                    JobEvent::Failed(reason),
                )
            }
        }
    };
    match result {
        Ok(()) => shared.hub.publish(&id, event),
        // The job stays `running` in the store: the next start requeues it.
        Err(e) => eprintln!("senroute-service: cannot store the outcome of job {id}: {e}"),
    }
}

/// Loads, plans and validates a job (blocking).
fn plan_job(shared: &Shared, id: &str, cancel: Arc<AtomicBool>) -> Outcome {
    let problem = match shared.store.problem_json(id) {
        Ok(Some(json)) => match serde_json::from_str::<Problem>(&json) {
            Ok(p) => p,
            Err(e) => return Outcome::Failed(format!("stored problem is unreadable: {e}")),
        },
        Ok(None) => return Outcome::Failed("stored problem is missing".into()),
        Err(e) => return Outcome::Failed(format!("cannot read the stored problem: {e}")),
    };
    let cfg = &shared.planner;
    let travel = match (&problem.matrices, &cfg.roads) {
        (Some(m), _) => match TravelTimes::from_matrices(m) {
            Ok(t) => t,
            Err(e) => return Outcome::Failed(format!("matrices: {e}")),
        },
        (None, Some(roads)) => match travel_times(&problem, roads, cfg.max_snap_m) {
            Ok(t) => t.times,
            Err(errors) => return Outcome::Failed(errors.to_string().trim_end().to_string()),
        },
        (None, None) => {
            return Outcome::Failed(
                "the problem has no matrices and the server has no road network".into(),
            )
        }
    };
    // Cap the search time while it is still a float: converting an
    // unchecked float to a `Duration` panics (1e20 s, NaN). Validation
    // refuses such values; this keeps stored jobs of older versions safe.
    let mut problem = problem;
    let max_s = cfg.max_time_limit.as_secs_f64();
    let t = problem.settings.time_limit_seconds;
    problem.settings.time_limit_seconds = if t.is_finite() {
        t.clamp(0.0, max_s)
    } else {
        max_s
    };
    let mut options = PlanOptions::from_problem(&problem);
    options.time_limit = Some(
        options
            .time_limit
            .unwrap_or(cfg.max_time_limit)
            .min(cfg.max_time_limit),
    );
    options.threads = cfg.solver_threads.max(1);
    options.cancel = cancel;
    // The first progress report goes out at once.
    let last = Mutex::new(
        Instant::now()
            .checked_sub(Duration::from_secs(1))
            .unwrap_or_else(Instant::now),
    );
    let hub = &shared.hub;
    let progress = |p: senroute_solver::Progress| {
        let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
        if last.elapsed() < Duration::from_millis(250) {
            return;
        }
        *last = Instant::now();
        hub.publish(
            id,
            JobEvent::Progress(pb::Progress {
                best_cost: p.best_cost,
                vehicles: u32::try_from(p.vehicles).unwrap_or(u32::MAX),
                unassigned: u32::try_from(p.unassigned).unwrap_or(u32::MAX),
                elapsed_seconds: p.elapsed.as_secs_f64(),
                iterations: p.iteration,
            }),
        );
    };
    let started = Instant::now();
    let run = plan(&problem, &travel, &options, &progress);
    let violations = senroute_model::validate(&problem, &travel, &run.plan);
    if !violations.is_empty() {
        let shown: Vec<String> = violations.iter().take(5).map(ToString::to_string).collect();
        return Outcome::Failed(format!(
            "the plan failed independent validation ({} violation{}): {}",
            violations.len(),
            if violations.len() == 1 { "" } else { "s" },
            shown.join("; ")
        ));
    }
    let summary = Summary {
        cost: run.plan.totals.cost,
        objective: run.objective,
        vehicles: u32::try_from(run.plan.totals.vehicles).unwrap_or(u32::MAX),
        unassigned: u32::try_from(run.plan.totals.unassigned).unwrap_or(u32::MAX),
        iterations: run.iterations,
        elapsed_s: started.elapsed().as_secs_f64(),
    };
    match serde_json::to_string(&run.plan) {
        Ok(plan_json) => Outcome::Planned { plan_json, summary },
        Err(e) => Outcome::Failed(format!("cannot serialise the plan: {e}")),
    }
}
