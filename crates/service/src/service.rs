//! The `senroute.v1.RoutingService` handlers. They stay thin: authenticate
//! (done by the interceptor), convert, call the store or the worker pool,
//! convert back.

use crate::auth::Caller;
use crate::convert::{invalid_argument, job_to_proto, plan_to_proto, problem_from_proto};
use crate::events::{Hub, JobEvent};
use crate::pb::v1 as pb;
use crate::pb::v1::routing_service_server::RoutingService;
use crate::redact::redact_plan;
use crate::store::{InsertOutcome, JobRecord, JobState, JobStore, NewJob, StoreError};
use crate::worker::{now_ms, WorkerPool};
use senroute_model::{InputErrors, InputIssue, Plan, Problem};
use senroute_roads::RoadNetwork;
use std::collections::BTreeSet;
use std::pin::Pin;
use std::sync::Arc;
use tokio_stream::Stream;
use tonic::{Request, Response, Status};

/// Limits applied to submissions.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most jobs waiting in the queue.
    pub queue_limit: usize,
    /// Most pupils in one problem.
    pub max_pupils: usize,
}

/// The service state shared by all handlers.
pub struct RoutingServiceImpl {
    store: Arc<dyn JobStore>,
    hub: Arc<Hub>,
    pool: Arc<WorkerPool>,
    limits: Limits,
    roads: Option<Arc<RoadNetwork>>,
    max_snap_m: f64,
    shutdown: tokio::sync::watch::Receiver<bool>,
}

impl RoutingServiceImpl {
    /// A service over `store`, feeding `pool`. With `roads`, problems
    /// without matrices are accepted if every location is within
    /// `max_snap_m` metres of a road.
    pub fn new(
        store: Arc<dyn JobStore>,
        hub: Arc<Hub>,
        pool: Arc<WorkerPool>,
        limits: Limits,
        roads: Option<Arc<RoadNetwork>>,
        max_snap_m: f64,
    ) -> Self {
        RoutingServiceImpl {
            store,
            hub,
            pool,
            limits,
            roads,
            max_snap_m,
            shutdown: tokio::sync::watch::channel(false).1,
        }
    }

    /// Ends open WatchJob streams with UNAVAILABLE once `shutdown` turns true.
    pub fn with_shutdown(mut self, shutdown: tokio::sync::watch::Receiver<bool>) -> Self {
        self.shutdown = shutdown;
        self
    }

    async fn store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn JobStore) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, Status> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || f(&*store))
            .await
            .map_err(|e| Status::internal(format!("store task failed: {e}")))?
            .map_err(|e| {
                eprintln!("senroute-service: {e}");
                Status::unavailable("the job store is unavailable; retry later")
            })
    }

    /// The job if `caller` may see it; NOT_FOUND otherwise, exactly as for
    /// an unknown id, so job ids are no oracle.
    async fn visible_job(&self, caller: &Caller, id: &str) -> Result<JobRecord, Status> {
        let lookup = id.to_string();
        let job = self.store(move |s| s.get(&lookup)).await?;
        match job {
            Some(j) if j.participants.contains(&caller.borough) => Ok(j),
            _ => Err(Status::not_found(format!(
                "no job {:?} for your borough",
                senroute_model::limits::excerpt(id)
            ))),
        }
    }

    fn job_message(&self, j: &JobRecord) -> pb::Job {
        let live = (j.state == JobState::Running)
            .then(|| self.hub.progress(&j.id))
            .flatten();
        job_to_proto(j, live)
    }
}

#[allow(clippy::result_large_err)] // tonic::Status is the error type of every handler
fn caller<T>(req: &Request<T>) -> Result<Caller, Status> {
    req.extensions()
        .get::<Caller>()
        .cloned()
        .ok_or_else(|| Status::unauthenticated("missing API key"))
}

fn new_job_id() -> Result<String, Status> {
    let mut b = [0u8; 12];
    getrandom::fill(&mut b).map_err(|e| Status::internal(format!("no randomness: {e}")))?;
    Ok(format!("job_{}", crate::auth::hex(&b)))
}

fn participants(problem: &Problem, owner: &str) -> Vec<String> {
    let mut set: BTreeSet<String> = problem
        .pupils
        .iter()
        .filter_map(|p| p.borough.clone())
        .filter(|b| !b.is_empty())
        .collect();
    set.insert(owner.to_string());
    set.into_iter().collect()
}

fn single_issue(field: &str, message: String, hint: &str) -> InputErrors {
    InputIssue {
        source: "request".into(),
        line: None,
        field: Some(field.into()),
        value: None,
        message,
        hint: hint.into(),
    }
    .into()
}

/// Every location of `problem` farther than `max_snap_m` from a road, with
/// its request path.
fn snap_check(problem: &Problem, roads: &RoadNetwork, max_snap_m: f64) -> InputErrors {
    let mut errors = InputErrors::default();
    let mut check = |path: String, label: String, lat: f64, lon: f64| {
        if let Err(e) = roads.snap(&label, lat, lon, max_snap_m) {
            errors.push(InputIssue {
                source: "request".into(),
                line: None,
                field: Some(path),
                value: Some(format!("{lat:.6},{lon:.6}")),
                message: e.to_string(),
                hint: "check the coordinates, or ask for a server whose road network covers this point"
                    .into(),
            });
        }
    };
    for (i, p) in problem.pupils.iter().enumerate() {
        if p.sessions.includes(problem.session) {
            let path = format!("problem.pupils[{i}].home");
            check(
                path,
                format!("home of pupil {}", p.id),
                p.home.lat,
                p.home.lon,
            );
        }
    }
    for (i, s) in problem.schools.iter().enumerate() {
        let path = format!("problem.schools[{i}].location");
        check(
            path,
            format!("school {}", s.id),
            s.location.lat,
            s.location.lon,
        );
    }
    for (i, v) in problem.fleet.iter().enumerate() {
        let path = format!("problem.fleet[{i}].depot");
        check(path, format!("depot of {}", v.id), v.depot.lat, v.depot.lon);
    }
    errors
}

type WatchStream = Pin<Box<dyn Stream<Item = Result<pb::WatchJobResponse, Status>> + Send>>;

#[tonic::async_trait]
impl RoutingService for RoutingServiceImpl {
    async fn submit_job(
        &self,
        request: Request<pb::SubmitJobRequest>,
    ) -> Result<Response<pb::SubmitJobResponse>, Status> {
        let caller = caller(&request)?;
        let req = request.into_inner();
        if req.request_id.len() > 128 {
            return Err(invalid_argument(&single_issue(
                "request_id",
                "longer than 128 characters".into(),
                "use a UUID",
            )));
        }
        let Some(problem) = req.problem.as_ref() else {
            return Err(invalid_argument(&single_issue(
                "problem",
                "missing problem".into(),
                "set SubmitJobRequest.problem",
            )));
        };
        // Cheap size check before any conversion work.
        if problem.pupils.len() > self.limits.max_pupils {
            return Err(Status::resource_exhausted(format!(
                "problem.pupils: {} pupils is over this server's limit of {} per problem; split the problem by school or area",
                problem.pupils.len(),
                self.limits.max_pupils
            )));
        }
        let problem = problem_from_proto(problem).map_err(|e| invalid_argument(&e))?;
        let problem =
            match (&problem.matrices, &self.roads) {
                (Some(_), _) => problem,
                (None, None) => return Err(invalid_argument(&single_issue(
                    "problem.matrices",
                    "this server has no road network, so the problem must carry travel matrices"
                        .into(),
                    "send Problem.matrices, or use a server started with a road network",
                ))),
                // Snapping is cheap (an R-tree lookup per location): do it now so
                // a point off the map is an INVALID_ARGUMENT with its path, not a
                // job that fails later.
                (None, Some(roads)) => {
                    let (roads, max) = (roads.clone(), self.max_snap_m);
                    tokio::task::spawn_blocking(move || {
                        let errors = snap_check(&problem, &roads, max);
                        errors.into_result(problem)
                    })
                    .await
                    .map_err(|e| Status::internal(format!("snap task failed: {e}")))?
                    .map_err(|e| invalid_argument(&e))?
                }
            };
        let problem_json = serde_json::to_string(&problem)
            .map_err(|e| Status::internal(format!("cannot serialise the problem: {e}")))?;
        let mut salt = vec![0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| Status::internal(format!("no randomness: {e}")))?;
        let new = NewJob {
            id: new_job_id()?,
            participants: participants(&problem, &caller.borough),
            owner: caller.borough.clone(),
            label: req.label,
            request_id: (!req.request_id.is_empty()).then_some(req.request_id),
            pupils: u32::try_from(problem.travelling_pupils().count()).unwrap_or(u32::MAX),
            created_ms: now_ms(),
            salt,
            problem_json,
        };
        let limit = self.limits.queue_limit;
        let outcome = self.store(move |s| s.insert(new, limit)).await?;
        let job = match outcome {
            InsertOutcome::Inserted(j) => {
                self.pool.notify();
                j
            }
            InsertOutcome::Existing(j) => j,
            InsertOutcome::QueueFull => {
                return Err(Status::resource_exhausted(format!(
                    "the job queue is full ({limit} jobs waiting); retry later with backoff"
                )))
            }
        };
        Ok(Response::new(pb::SubmitJobResponse {
            job: Some(self.job_message(&job)),
        }))
    }

    type WatchJobStream = WatchStream;

    async fn watch_job(
        &self,
        request: Request<pb::WatchJobRequest>,
    ) -> Result<Response<Self::WatchJobStream>, Status> {
        let caller = caller(&request)?;
        let id = request.into_inner().job_id;
        // Subscribe before reading the store so no transition is missed.
        let mut rx = self.hub.subscribe(&id);
        let job = match self.visible_job(&caller, &id).await {
            Ok(j) => j,
            Err(e) => {
                drop(rx);
                self.hub.forget_if_unwatched(&id);
                return Err(e);
            }
        };
        let (tx, out) = tokio::sync::mpsc::channel(16);
        let store = self.store.clone();
        let hub = self.hub.clone();
        let mut shutdown = self.shutdown.clone();
        tokio::spawn(async move {
            let reload = |id: String| {
                let store = store.clone();
                async move {
                    tokio::task::spawn_blocking(move || store.get(&id))
                        .await
                        .ok()
                        .and_then(Result::ok)
                        .flatten()
                }
            };
            let position = |id: String| {
                let store = store.clone();
                async move {
                    tokio::task::spawn_blocking(move || store.queue_position(&id))
                        .await
                        .ok()
                        .and_then(Result::ok)
                        .unwrap_or(0)
                }
            };
            // First event: the stored state.
            let first = snapshot_event(&job, hub.progress(&id), position(id.clone()).await);
            if tx.send(Ok(first)).await.is_err() || job.state.is_terminal() {
                return;
            }
            rx.mark_unchanged();
            loop {
                let changed = tokio::select! {
                    c = rx.changed() => c,
                    _ = async { shutdown.wait_for(|stop| *stop).await.map(|_| ()) } => {
                        let _ = tx
                            .send(Err(Status::unavailable(
                                "the server is shutting down; the job is kept: watch it again shortly",
                            )))
                            .await;
                        return;
                    }
                };
                if changed.is_err() {
                    // Channel closed: the job ended (or the hub forgot it).
                    // The store has the final word.
                    if let Some(j) = reload(id.clone()).await {
                        let _ = tx.send(Ok(snapshot_event(&j, None, 0))).await;
                    }
                    return;
                }
                let event = rx.borrow_and_update().clone();
                let Some(event) = event else { continue };
                let Some(j) = reload(id.clone()).await else {
                    return;
                };
                let pos = if matches!(event, JobEvent::Requeued) {
                    position(id.clone()).await
                } else {
                    0
                };
                let msg = event_message(&j, &event, pos);
                if tx.send(Ok(msg)).await.is_err() || event.is_terminal() {
                    return;
                }
            }
        });
        Ok(Response::new(Box::pin(
            tokio_stream::wrappers::ReceiverStream::new(out),
        )))
    }

    async fn get_job(
        &self,
        request: Request<pb::GetJobRequest>,
    ) -> Result<Response<pb::GetJobResponse>, Status> {
        let caller = caller(&request)?;
        let job = self
            .visible_job(&caller, &request.into_inner().job_id)
            .await?;
        Ok(Response::new(pb::GetJobResponse {
            job: Some(self.job_message(&job)),
        }))
    }

    async fn get_plan(
        &self,
        request: Request<pb::GetPlanRequest>,
    ) -> Result<Response<pb::GetPlanResponse>, Status> {
        let caller = caller(&request)?;
        let job = self
            .visible_job(&caller, &request.into_inner().job_id)
            .await?;
        if job.state != JobState::Succeeded {
            return Err(Status::failed_precondition(format!(
                "job {} is {}; a plan exists only once it has succeeded",
                job.id,
                job.state.as_str()
            )));
        }
        let id = job.id.clone();
        let (plan_json, problem_json) = self
            .store(move |s| Ok((s.plan_json(&id)?, s.problem_json(&id)?)))
            .await?;
        let (Some(plan_json), Some(problem_json)) = (plan_json, problem_json) else {
            return Err(Status::internal("the stored plan is missing"));
        };
        let corrupt =
            |e: serde_json::Error| Status::internal(format!("stored plan unreadable: {e}"));
        let plan: Plan = serde_json::from_str(&plan_json).map_err(corrupt)?;
        let problem: Problem = serde_json::from_str(&problem_json).map_err(corrupt)?;
        let (plan, redacted) = redact_plan(&plan, &problem, &job.owner, &caller.borough, &job.salt);
        Ok(Response::new(pb::GetPlanResponse {
            job: Some(self.job_message(&job)),
            plan: Some(plan_to_proto(&plan)),
            redacted,
        }))
    }

    async fn cancel_job(
        &self,
        request: Request<pb::CancelJobRequest>,
    ) -> Result<Response<pb::CancelJobResponse>, Status> {
        let caller = caller(&request)?;
        let job = self
            .visible_job(&caller, &request.into_inner().job_id)
            .await?;
        if job.owner != caller.borough {
            return Err(Status::permission_denied(format!(
                "job {} belongs to borough {}; only the submitting borough can cancel it",
                job.id, job.owner
            )));
        }
        if job.state.is_terminal() {
            return Ok(Response::new(pb::CancelJobResponse {
                job: Some(self.job_message(&job)),
            }));
        }
        let id = job.id.clone();
        let after = self
            .store(move |s| s.request_cancel(&id, now_ms()))
            .await?
            .ok_or_else(|| Status::not_found("job vanished"))?;
        if after.state == JobState::Cancelled {
            self.hub.publish(&after.id, JobEvent::Cancelled);
        } else {
            self.pool.cancel(&after.id);
        }
        Ok(Response::new(pb::CancelJobResponse {
            job: Some(self.job_message(&after)),
        }))
    }

    async fn list_jobs(
        &self,
        request: Request<pb::ListJobsRequest>,
    ) -> Result<Response<pb::ListJobsResponse>, Status> {
        let caller = caller(&request)?;
        let req = request.into_inner();
        let size = match req.page_size {
            0 => 50,
            n => n.min(500) as usize,
        };
        let before = if req.page_token.is_empty() {
            None
        } else {
            Some(req.page_token.parse::<i64>().map_err(|_| {
                invalid_argument(&single_issue(
                    "page_token",
                    "not a token from a previous ListJobsResponse".into(),
                    "pass next_page_token unchanged",
                ))
            })?)
        };
        let borough = caller.borough.clone();
        // One extra row tells whether another page exists.
        let mut jobs = self
            .store(move |s| s.list(&borough, size + 1, before))
            .await?;
        let next_page_token = if jobs.len() > size {
            jobs.truncate(size);
            jobs.last().map(|j| j.seq.to_string()).unwrap_or_default()
        } else {
            String::new()
        };
        Ok(Response::new(pb::ListJobsResponse {
            jobs: jobs.iter().map(|j| self.job_message(j)).collect(),
            next_page_token,
        }))
    }
}

fn snapshot_event(
    j: &JobRecord,
    progress: Option<pb::Progress>,
    position: u32,
) -> pb::WatchJobResponse {
    use pb::watch_job_response::Event;
    let event = match j.state {
        JobState::Queued => Event::Queued(pb::JobQueued { position }),
        JobState::Running => match progress {
            Some(p) => Event::Progress(p),
            None => Event::Started(pb::JobStarted {
                attempt: j.attempts,
            }),
        },
        JobState::Succeeded => Event::Finished(finished(j)),
        JobState::Failed => Event::Failed(pb::JobFailed {
            reason: j.failure_reason.clone(),
        }),
        JobState::Cancelled => Event::Cancelled(pb::JobCancelled {}),
    };
    pb::WatchJobResponse {
        job: Some(job_to_proto(j, progress)),
        event: Some(event),
    }
}

fn finished(j: &JobRecord) -> pb::JobFinished {
    let s = j.summary.unwrap_or_default();
    pb::JobFinished {
        cost: s.cost,
        vehicles: s.vehicles,
        unassigned: s.unassigned,
    }
}

fn event_message(j: &JobRecord, e: &JobEvent, position: u32) -> pb::WatchJobResponse {
    use pb::watch_job_response::Event;
    let (event, progress) = match e {
        JobEvent::Started { attempt } => {
            (Event::Started(pb::JobStarted { attempt: *attempt }), None)
        }
        JobEvent::Progress(p) => (Event::Progress(*p), Some(*p)),
        JobEvent::Finished(_) => (Event::Finished(finished(j)), None),
        JobEvent::Failed(reason) => (
            Event::Failed(pb::JobFailed {
                reason: reason.clone(),
            }),
            None,
        ),
        JobEvent::Cancelled => (Event::Cancelled(pb::JobCancelled {}), None),
        JobEvent::Requeued => (Event::Queued(pb::JobQueued { position }), None),
    };
    pb::WatchJobResponse {
        job: Some(job_to_proto(j, progress)),
        event: Some(event),
    }
}
