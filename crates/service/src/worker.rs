//! The bounded pool of planning workers.
//!
//! The queue *is* the store: a submission is a row in state `queued`, and
//! each of the `workers` tasks claims the next one in fair order (round
//! robin by borough) under a lease, plans it on the blocking thread pool,
//! validates the plan and stores the outcome. So the queue survives
//! restarts and is shared by every replica on the same database.
//!
//! While a job runs, its lease is renewed (with the latest progress, so
//! other replicas can report it) every [`WorkerConfig::renew_every`]. A
//! renewal that finds the lease taken over stops the search, and every
//! write names the lease: a replica that was paused or cut off past its
//! lease cannot overwrite the outcome of the replica that took over. A
//! maintenance task puts jobs whose lease expired back in the queue (dead
//! replicas) and removes finished jobs after the retention period.
//!
//! Stopping: [`WorkerPool::shutdown`] asks running searches to stop; a job
//! stopped that way goes back to the queue (its attempt not counted).

use crate::events::{Hub, JobEvent};
use crate::pb::v1 as pb;
use crate::store::{Claim, JobRecord, JobSearch, JobStore, Lease, Progress, Renewal, Summary};
use senroute_model::Problem;
use senroute_planner::{run, travel_for, PlanOptions};
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

/// How workers claim, hold and give back jobs.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Id of this replica, stored as the lease owner of its jobs.
    pub replica: String,
    /// Jobs planned at once.
    pub workers: usize,
    /// Lease length: another replica re-claims a job this long after its
    /// last renewal.
    pub lease: Duration,
    /// How often a running job's lease is renewed (and its progress stored).
    pub renew_every: Duration,
    /// How often idle workers look for jobs submitted to other replicas,
    /// and the maintenance task for expired leases.
    pub poll: Duration,
    /// Attempts a job gets when servers keep dying under it.
    pub max_attempts: u32,
    /// Finished jobs are removed this long after they ended.
    pub retention: Duration,
}

/// Why a running search was stopped early.
const STOP_NONE: u8 = 0;
const STOP_CANCEL: u8 = 1;
const STOP_SHUTDOWN: u8 = 2;
const STOP_LOST: u8 = 3;

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

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

struct Shared {
    store: Arc<dyn JobStore>,
    hub: Arc<Hub>,
    planner: PlannerConfig,
    config: WorkerConfig,
    notify: Notify,
    running: Mutex<HashMap<String, Running>>,
    stop: watch::Sender<bool>,
}

/// The worker tasks.
pub struct WorkerPool {
    shared: Arc<Shared>,
    handles: Mutex<Vec<JoinHandle<()>>>,
    maintenance: Mutex<Option<JoinHandle<()>>>,
}

impl WorkerPool {
    /// Starts the worker tasks and the maintenance task on the current
    /// runtime.
    pub fn start(
        store: Arc<dyn JobStore>,
        hub: Arc<Hub>,
        planner: PlannerConfig,
        config: WorkerConfig,
    ) -> Self {
        let workers = config.workers.max(1);
        let shared = Arc::new(Shared {
            store,
            hub,
            planner,
            config,
            notify: Notify::new(),
            running: Mutex::new(HashMap::new()),
            stop: watch::channel(false).0,
        });
        let handles = (0..workers)
            .map(|_| tokio::spawn(worker_loop(shared.clone())))
            .collect();
        let maintenance = tokio::spawn(maintenance_loop(shared.clone()));
        WorkerPool {
            shared,
            handles: Mutex::new(handles),
            maintenance: Mutex::new(Some(maintenance)),
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
        let maintenance = self
            .maintenance
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(m) = maintenance {
            let _ = m.await;
        }
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

fn log(shared: &Shared, msg: std::fmt::Arguments<'_>) {
    eprintln!("senroute-service [{}]: {msg}", shared.config.replica);
}

/// Expires the leases of dead replicas and applies the retention period.
async fn maintenance_loop(shared: Arc<Shared>) {
    let mut stop = shared.stop.subscribe();
    // Every 10 minutes, or more often for a short retention period.
    let purge_every =
        (shared.config.retention / 4).clamp(shared.config.poll, Duration::from_secs(600));
    let mut last_purge: Option<Instant> = None;
    loop {
        if *stop.borrow() {
            return;
        }
        match shared
            .store
            .expire_leases(shared.config.max_attempts, now_ms())
            .await
        {
            Ok(r) if !r.is_empty() => {
                log(
                    &shared,
                    format_args!(
                        "expired leases: requeued {:?}, failed {:?}, cancelled {:?}",
                        r.requeued, r.failed, r.cancelled
                    ),
                );
                for _ in 0..r.requeued.len() {
                    shared.notify.notify_one();
                }
            }
            Ok(_) => {}
            Err(e) => log(&shared, format_args!("cannot expire leases: {e}")),
        }
        if last_purge.is_none_or(|t| t.elapsed() >= purge_every) {
            last_purge = Some(Instant::now());
            let before = now_ms().saturating_sub(millis(shared.config.retention));
            match shared.store.purge_finished(before).await {
                Ok(0) => {}
                Ok(n) => log(
                    &shared,
                    format_args!("removed {n} job(s) finished before the retention period"),
                ),
                Err(e) => log(&shared, format_args!("cannot remove old jobs: {e}")),
            }
        }
        tokio::select! {
            _ = stop.changed() => {}
            _ = tokio::time::sleep(shared.config.poll) => {}
        }
    }
}

async fn worker_loop(shared: Arc<Shared>) {
    let mut stop = shared.stop.subscribe();
    loop {
        if *stop.borrow() {
            return;
        }
        let claim = Claim {
            replica: shared.config.replica.clone(),
            now_ms: now_ms(),
            lease_ms: millis(shared.config.lease),
        };
        match shared.store.claim_next(&claim).await {
            Ok(Some(job)) => run_job(&shared, job).await,
            Ok(None) => {
                // Wait for a submission here; poll for those made to other
                // replicas.
                tokio::select! {
                    _ = shared.notify.notified() => {}
                    _ = stop.changed() => {}
                    _ = tokio::time::sleep(shared.config.poll) => {}
                }
            }
            Err(e) => {
                log(&shared, format_args!("cannot claim a job: {e}"));
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

/// Renews the lease of a running job until `done`, stopping the search
/// when the owner cancels or the lease is lost.
async fn keep_lease(
    shared: Arc<Shared>,
    lease: Lease,
    latest: Arc<Mutex<Option<Progress>>>,
    cancel: Arc<AtomicBool>,
    why: Arc<AtomicU8>,
    mut done: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = done.changed() => return,
            _ = tokio::time::sleep(shared.config.renew_every) => {}
        }
        let progress = *latest.lock().unwrap_or_else(|e| e.into_inner());
        match shared
            .store
            .renew(&lease, now_ms(), millis(shared.config.lease), progress)
            .await
        {
            Ok(Renewal::Held { cancel_requested }) => {
                if cancel_requested {
                    let _ = why.compare_exchange(
                        STOP_NONE,
                        STOP_CANCEL,
                        Ordering::SeqCst,
                        Ordering::SeqCst,
                    );
                    cancel.store(true, Ordering::SeqCst);
                }
            }
            Ok(Renewal::Lost) => {
                why.store(STOP_LOST, Ordering::SeqCst);
                cancel.store(true, Ordering::SeqCst);
                return;
            }
            // Keep planning: the final write is fenced whatever happens.
            Err(e) => log(
                &shared,
                format_args!("cannot renew the lease of job {}: {e}", lease.job_id),
            ),
        }
    }
}

async fn run_job(shared: &Arc<Shared>, job: JobRecord) {
    let id = job.id.clone();
    let lease = job.lease();
    let cancel = Arc::new(AtomicBool::new(job.cancel_requested));
    let why = Arc::new(AtomicU8::new(if job.cancel_requested {
        STOP_CANCEL
    } else {
        STOP_NONE
    }));
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
        let _ = why.compare_exchange(STOP_NONE, STOP_SHUTDOWN, Ordering::SeqCst, Ordering::SeqCst);
        cancel.store(true, Ordering::SeqCst);
    }
    shared.hub.publish(
        &id,
        JobEvent::Started {
            attempt: job.attempts,
        },
    );
    let latest = Arc::new(Mutex::new(None));
    let (done_tx, done_rx) = watch::channel(false);
    let renewer = tokio::spawn(keep_lease(
        shared.clone(),
        lease.clone(),
        latest.clone(),
        cancel.clone(),
        why.clone(),
        done_rx,
    ));
    let problem_json = shared.store.problem_json(&id).await;
    let outcome = if cancel.load(Ordering::SeqCst) {
        Outcome::Failed(String::new())
    } else {
        let s = shared.clone();
        let (jid, c, l, search) = (
            id.clone(),
            cancel.clone(),
            latest.clone(),
            job.search.clone(),
        );
        tokio::task::spawn_blocking(move || plan_job(&s, &jid, problem_json, search, c, &l))
            .await
            .unwrap_or_else(|e| {
                Outcome::Failed(format!(
                    "internal error: the planner stopped unexpectedly ({e}); please report this job id"
                ))
            })
    };
    let _ = done_tx.send(true);
    let _ = renewer.await;
    shared
        .running
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&id);

    let stop_reason = why.load(Ordering::SeqCst);
    if stop_reason == STOP_LOST {
        log(
            shared,
            format_args!(
                "job {id} attempt {}: lease taken over by another replica; outcome discarded",
                job.attempts
            ),
        );
        return;
    }
    let store = &shared.store;
    let cancel_requested = store
        .get(&id)
        .await
        .ok()
        .flatten()
        .is_some_and(|j| j.cancel_requested);
    let now = now_ms();
    let (result, event) = if cancel_requested || stop_reason == STOP_CANCEL {
        (store.mark_cancelled(&lease, now).await, JobEvent::Cancelled)
    } else if stop_reason == STOP_SHUTDOWN {
        (store.requeue(&lease).await, JobEvent::Requeued)
    } else {
        match outcome {
            Outcome::Planned { plan_json, summary } => (
                store.complete(&lease, &plan_json, summary, now).await,
                JobEvent::Finished(summary),
            ),
            Outcome::Failed(reason) => (
                store.fail(&lease, &reason, now).await,
                JobEvent::Failed(reason),
            ),
        }
    };
    match result {
        Ok(true) => {
            if matches!(event, JobEvent::Finished(_)) {
                log(
                    shared,
                    format_args!("job {id} succeeded (attempt {})", job.attempts),
                );
            }
            shared.hub.publish(&id, event);
        }
        Ok(false) => log(
            shared,
            format_args!(
                "job {id} attempt {}: late write refused, the lease was taken over (fenced)",
                job.attempts
            ),
        ),
        // The job stays `running` in the store: when its lease expires, a
        // replica requeues it.
        Err(e) => log(
            shared,
            format_args!("cannot store the outcome of job {id}: {e}"),
        ),
    }
}

/// Loads, plans and validates a job (blocking).
fn plan_job(
    shared: &Shared,
    id: &str,
    problem_json: Result<Option<String>, crate::store::StoreError>,
    search: Option<JobSearch>,
    cancel: Arc<AtomicBool>,
    latest: &Mutex<Option<Progress>>,
) -> Outcome {
    let problem = match problem_json {
        Ok(Some(json)) => match serde_json::from_str::<Problem>(&json) {
            Ok(p) => p,
            Err(e) => return Outcome::Failed(format!("stored problem is unreadable: {e}")),
        },
        Ok(None) => return Outcome::Failed("stored problem is missing".into()),
        Err(e) => return Outcome::Failed(format!("cannot read the stored problem: {e}")),
    };
    let cfg = &shared.planner;
    let travel = match travel_for(&problem, cfg.roads.as_deref(), cfg.max_snap_m) {
        Ok((t, _)) => t,
        Err(errors) => return Outcome::Failed(errors.to_string().trim_end().to_string()),
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
    if let Some(search) = &search {
        options.iteration_limit = search.iteration_limit;
        if search.threads > 0 {
            options.threads = usize::try_from(search.threads).unwrap_or(1);
        }
    }
    options.cancel = cancel;
    // The first progress report goes out at once.
    let last = Mutex::new(
        Instant::now()
            .checked_sub(Duration::from_secs(1))
            .unwrap_or_else(Instant::now),
    );
    let hub = &shared.hub;
    let progress = |p: senroute_planner::Progress| {
        let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
        if last.elapsed() < Duration::from_millis(250) {
            return;
        }
        *last = Instant::now();
        *latest.lock().unwrap_or_else(|e| e.into_inner()) = Some(Progress {
            best_cost: p.best_cost,
            vehicles: u32::try_from(p.vehicles).unwrap_or(u32::MAX),
            unassigned: u32::try_from(p.unassigned).unwrap_or(u32::MAX),
            elapsed_s: p.elapsed.as_secs_f64(),
            iterations: p.iteration,
        });
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
    let replan = match search.as_ref().and_then(|s| s.replan.as_ref()) {
        Some(r) => {
            match replan_basis(&r.from_job, &r.previous_plan_json, &r.locks, r.change_cost) {
                Ok(b) => Some(b),
                Err(e) => return Outcome::Failed(e.to_string().trim_end().to_string()),
            }
        }
        None => None,
    };
    let run = match &replan {
        Some(basis) => {
            match senroute_planner::replan(&problem, &travel, basis, &options, &progress) {
                Ok(r) => r.outcome,
                Err(e) => return Outcome::Failed(e.to_string().trim_end().to_string()),
            }
        }
        None => run(&problem, &travel, &options, &progress),
    };
    let violations = &run.violations;
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
        cost: run.plan.cost(),
        objective: run.objective,
        vehicles: u32::try_from(run.plan.vehicles()).unwrap_or(u32::MAX),
        unassigned: u32::try_from(run.plan.unassigned()).unwrap_or(u32::MAX),
        iterations: run.iterations,
        elapsed_s: started.elapsed().as_secs_f64(),
    };
    match serde_json::to_string(&run.plan) {
        Ok(plan_json) => Outcome::Planned { plan_json, summary },
        Err(e) => Outcome::Failed(format!("cannot serialise the plan: {e}")),
    }
}

/// The planner's re-plan of job `from_job`'s plan (`plan_json`) keeping the
/// runs `locks` (`3`, `am:3`, `pm:2`, or a vehicle `TYPE#K`): the locks
/// must name runs of that plan.
pub fn replan_basis(
    from_job: &str,
    plan_json: &str,
    locks: &[String],
    change_cost: f64,
) -> Result<senroute_planner::Replan, senroute_model::InputErrors> {
    let source = format!("job {from_job}");
    let previous = senroute_model::read_previous_plan(&source, plan_json)?;
    let locked = senroute_model::parse_locks("replan.locks", &locks.join(","), &previous)?;
    Ok(senroute_planner::Replan {
        previous,
        locked,
        change_cost: if change_cost.is_finite() && change_cost >= 0.0 {
            change_cost
        } else {
            senroute_planner::DEFAULT_CHANGE_COST
        },
        source,
    })
}
