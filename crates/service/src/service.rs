//! The `senroute.v1.RoutingService` handlers. They stay thin: authenticate
//! (done by the interceptor), convert, call the store, the worker pool or
//! (`CheckPlan`) the planner's plan check, convert back.

use crate::auth::Caller;
use crate::convert::{
    day_plan_to_proto, invalid_argument, job_to_proto, plan_to_proto, problem_from_proto,
};
use crate::convert_plan::{check_request_plan, check_response};
use crate::events::{Hub, JobEvent};
use crate::pb::v1 as pb;
use crate::pb::v1::routing_service_server::RoutingService;
use crate::redact::redact_any_plan;
use crate::store::{
    clip, InsertOutcome, JobRecord, JobSearch, JobState, JobStore, NewJob, Quotas, StoreError,
};
use crate::watch::live_progress;
use crate::worker::{now_ms, WorkerPool};
use prost::Message;
use senroute_model::{AnyPlan, InputErrors, InputIssue, Problem};
use senroute_roads::RoadNetwork;
use std::collections::BTreeSet;
use std::pin::Pin;
use std::sync::Arc;
use tokio_stream::Stream;
use tonic::{Request, Response, Status};

/// Limits applied to requests.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Queue and per-borough quotas.
    pub quotas: Quotas,
    /// Most pupils in one problem.
    pub max_pupils: usize,
    /// Longest job label, bytes.
    pub max_label_bytes: usize,
    /// Most boroughs taking part in one job (owner and pupils' boroughs).
    pub max_participants: usize,
    /// Largest `ListJobs` response, bytes (jobs beyond go to the next page).
    pub list_page_bytes: usize,
    /// How often a `WatchJob` stream polls the store for changes made by
    /// other replicas.
    pub watch_poll: std::time::Duration,
    /// Most solver threads a submission may ask for.
    pub max_search_threads: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            quotas: Quotas::default(),
            max_pupils: 5_000,
            max_label_bytes: 256,
            max_participants: 64,
            list_page_bytes: 1 << 20,
            watch_poll: std::time::Duration::from_millis(500),
            max_search_threads: 1,
        }
    }
}

/// Longest job id looked up; longer ones cannot exist and are not echoed.
const MAX_JOB_ID_BYTES: usize = 64;
/// Longest borough code in a problem (GSS codes have 9 characters).
const MAX_BOROUGH_BYTES: usize = 16;

/// The service state shared by all handlers.
pub struct RoutingServiceImpl {
    store: Arc<dyn JobStore>,
    hub: Arc<Hub>,
    pool: Arc<WorkerPool>,
    limits: Limits,
    roads: Option<Arc<RoadNetwork>>,
    max_snap_m: f64,
    shutdown: tokio::sync::watch::Receiver<bool>,
    /// `CheckPlan` calls computing at once (each may compute road travel
    /// times for a whole problem); more are refused, not queued.
    checks: Arc<tokio::sync::Semaphore>,
}

/// Most `CheckPlan` calls computing at the same time.
const MAX_CONCURRENT_CHECKS: usize = 2;

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
            checks: Arc::new(tokio::sync::Semaphore::new(MAX_CONCURRENT_CHECKS)),
        }
    }

    /// Ends open WatchJob streams with UNAVAILABLE once `shutdown` turns true.
    pub fn with_shutdown(mut self, shutdown: tokio::sync::watch::Receiver<bool>) -> Self {
        self.shutdown = shutdown;
        self
    }

    /// The job if `caller` may see it; NOT_FOUND otherwise, exactly as for
    /// an unknown id, so job ids are no oracle.
    async fn visible_job(&self, caller: &Caller, id: &str) -> Result<JobRecord, Status> {
        let not_found = || {
            let shown = clip(id, MAX_JOB_ID_BYTES);
            let more = if shown.len() < id.len() { "…" } else { "" };
            Status::not_found(format!("no job {shown:?}{more} for your borough"))
        };
        if id.len() > MAX_JOB_ID_BYTES {
            return Err(not_found());
        }
        match self.store.get(id).await.map_err(unavailable)? {
            Some(j) if caller.all_boroughs || j.participants.contains(&caller.borough) => Ok(j),
            _ => Err(not_found()),
        }
    }

    /// The stored problem of a job `caller` may see (NOT_FOUND otherwise,
    /// as for an unknown id). It holds every borough's pupils: callers show
    /// only the pupils the redacted plan names (ids of other boroughs'
    /// pupils are tokens there and match no pupil here).
    pub async fn visible_problem(&self, caller: &Caller, id: &str) -> Result<Problem, Status> {
        let job = self.visible_job(caller, id).await?;
        let json = self
            .store
            .problem_json(&job.id)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| Status::internal("the stored problem is missing"))?;
        serde_json::from_str(&json)
            .map_err(|e| Status::internal(format!("stored problem unreadable: {e}")))
    }

    /// The problem of a request (`SubmitJob`, `CheckPlan`), converted and
    /// validated: at most `max_pupils` pupils (RESOURCE_EXHAUSTED), bounded
    /// boroughs, every field valid, and travel times to be had — its own
    /// matrices, or every location near a road of the server's network
    /// (INVALID_ARGUMENT with every field path otherwise).
    async fn accept_problem(
        &self,
        problem: Option<&pb::Problem>,
        request: &str,
    ) -> Result<Problem, Status> {
        let Some(problem) = problem else {
            return Err(invalid_argument(&single_issue(
                "problem",
                "missing problem".into(),
                &format!("set {request}.problem"),
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
        check_boroughs(problem, self.limits.max_participants).map_err(|e| invalid_argument(&e))?;
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
        Ok(problem)
    }

    /// The re-plan `r` asks for, checked before the job is stored: a
    /// succeeded job of the caller's own borough (another borough's answers
    /// as a missing id), locks naming runs of its plan, a plan for a session
    /// `problem` plans.
    async fn replan_of(
        &self,
        caller: &Caller,
        r: &pb::Replan,
        problem: &Problem,
    ) -> Result<crate::store::JobReplan, Status> {
        let job = self.visible_job(caller, &r.from_job_id).await?;
        if job.owner != caller.borough || job.state != JobState::Succeeded {
            return Err(Status::failed_precondition(format!(
                "job {} is not a succeeded job of borough {}; re-plan a plan your borough made",
                job.id, caller.borough
            )));
        }
        let previous_plan_json = self
            .store
            .plan_json(&job.id)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| Status::internal("the stored plan is missing"))?;
        let change_cost = r
            .change_cost
            .unwrap_or(senroute_planner::DEFAULT_CHANGE_COST);
        let replan =
            crate::worker::replan_basis(&job.id, &previous_plan_json, &r.locks, change_cost)
                .map_err(|e| invalid_argument(&e))?;
        replan.check(problem).map_err(|e| invalid_argument(&e))?;
        Ok(crate::store::JobReplan {
            from_job: job.id,
            previous_plan_json,
            locks: r.locks.clone(),
            change_cost,
        })
    }

    fn job_message(&self, j: &JobRecord) -> pb::Job {
        job_to_proto(j, live_progress(&self.hub, j))
    }
}

#[allow(clippy::needless_pass_by_value)] // used as `map_err(unavailable)`
fn unavailable(e: StoreError) -> Status {
    eprintln!("senroute-service: {e}");
    Status::unavailable("the job store is unavailable; retry later")
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

/// Bounds the boroughs a problem names before it is converted: each code
/// at most [`MAX_BOROUGH_BYTES`], and at most `max` distinct boroughs, so a
/// job cannot make itself visible to (and listed by) any number of boroughs.
fn check_boroughs(problem: &pb::Problem, max: usize) -> Result<(), InputErrors> {
    let mut errors = InputErrors::default();
    let mut seen = BTreeSet::new();
    for (i, p) in problem.pupils.iter().enumerate() {
        if p.borough.len() > MAX_BOROUGH_BYTES {
            errors.push(InputIssue {
                source: "request".into(),
                line: None,
                field: Some(format!("problem.pupils[{i}].borough")),
                value: Some(clip(&p.borough, MAX_BOROUGH_BYTES).to_string()),
                message: format!("longer than {MAX_BOROUGH_BYTES} bytes"),
                hint: "give the borough's GSS code, e.g. E09000007".into(),
            });
        } else if !p.borough.is_empty() {
            seen.insert(p.borough.as_str());
        }
        if errors.len() >= 20 {
            break;
        }
    }
    if seen.len() > max {
        errors.push(InputIssue {
            source: "request".into(),
            line: None,
            field: Some("problem.pupils.borough".into()),
            value: None,
            message: format!(
                "{} different boroughs is over this server's limit of {max} per job",
                seen.len()
            ),
            hint: "give each pupil's home borough as a GSS code".into(),
        });
    }
    errors.into_result(())
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
        if req.label.len() > self.limits.max_label_bytes {
            return Err(invalid_argument(&single_issue(
                "label",
                format!(
                    "{} bytes is over this server's limit of {} bytes",
                    req.label.len(),
                    self.limits.max_label_bytes
                ),
                "use a short label such as \"2026-09 AM run\"",
            )));
        }
        let mut search = req.search.map(|o| JobSearch {
            iteration_limit: o.iteration_limit,
            threads: o.threads,
            replan: None,
        });
        if let Some(o) = search
            .as_ref()
            .filter(|o| o.threads > self.limits.max_search_threads)
        {
            return Err(invalid_argument(&single_issue(
                "search.threads",
                format!(
                    "{} threads is over this server's limit of {}",
                    o.threads, self.limits.max_search_threads
                ),
                "ask for fewer threads, or 0 for the server's default",
            )));
        }
        let problem = self
            .accept_problem(req.problem.as_ref(), "SubmitJobRequest")
            .await?;
        if let Some(r) = &req.replan {
            let replan = self.replan_of(&caller, r, &problem).await?;
            search.get_or_insert_with(JobSearch::default).replan = Some(replan);
        }
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
            search,
        };
        let outcome = self
            .store
            .insert(new, self.limits.quotas)
            .await
            .map_err(unavailable)?;
        let job = match outcome {
            InsertOutcome::Inserted(j) => {
                self.pool.notify();
                j
            }
            InsertOutcome::Existing(j) => j,
            InsertOutcome::Refused(r) => return Err(Status::resource_exhausted(r.to_string())),
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
        let rx = self.hub.subscribe(&id);
        let job = match self.visible_job(&caller, &id).await {
            Ok(j) => j,
            Err(e) => {
                drop(rx);
                self.hub.forget_if_unwatched(&id);
                return Err(e);
            }
        };
        let (tx, out) = tokio::sync::mpsc::channel(16);
        tokio::spawn(crate::watch::run(
            self.store.clone(),
            self.hub.clone(),
            job,
            rx,
            tx,
            self.shutdown.clone(),
            self.limits.watch_poll,
        ));
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
        let plan_json = self.store.plan_json(&job.id).await.map_err(unavailable)?;
        let problem_json = self
            .store
            .problem_json(&job.id)
            .await
            .map_err(unavailable)?;
        let (Some(plan_json), Some(problem_json)) = (plan_json, problem_json) else {
            return Err(Status::internal("the stored plan is missing"));
        };
        let corrupt =
            |e: serde_json::Error| Status::internal(format!("stored plan unreadable: {e}"));
        let plan: AnyPlan = serde_json::from_str(&plan_json).map_err(corrupt)?;
        let problem: Problem = serde_json::from_str(&problem_json).map_err(corrupt)?;
        let (plan, redacted) = if caller.all_boroughs {
            (plan, 0)
        } else {
            redact_any_plan(&plan, &problem, &job.owner, &caller.borough, &job.salt)
        };
        let (plan, day_plan) = match &plan {
            AnyPlan::Session(p) => (Some(plan_to_proto(p)), None),
            AnyPlan::Day(d) => (None, Some(day_plan_to_proto(d))),
        };
        Ok(Response::new(pb::GetPlanResponse {
            job: Some(self.job_message(&job)),
            plan,
            redacted,
            day_plan,
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
        let after = self
            .store
            .request_cancel(&job.id, now_ms())
            .await
            .map_err(unavailable)?
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
        // One extra row tells whether another page exists.
        let jobs = self
            .store
            .list(&caller.borough, size + 1, before)
            .await
            .map_err(unavailable)?;
        // The page ends at `size` jobs or `list_page_bytes`, whichever
        // comes first (always at least one job, so paging moves on).
        let mut out = Vec::new();
        let mut bytes = 0usize;
        let mut next_page_token = String::new();
        for (i, j) in jobs.iter().enumerate() {
            let msg = self.job_message(j);
            let len = msg.encoded_len() + 8;
            if i == size || (!out.is_empty() && bytes + len > self.limits.list_page_bytes) {
                next_page_token = jobs[i - 1].seq.to_string();
                break;
            }
            bytes += len;
            out.push(msg);
        }
        Ok(Response::new(pb::ListJobsResponse {
            jobs: out,
            next_page_token,
        }))
    }

    async fn check_plan(
        &self,
        request: Request<pb::CheckPlanRequest>,
    ) -> Result<Response<pb::CheckPlanResponse>, Status> {
        // The answer names only pupils and runs the request itself holds,
        // so there is nothing to redact; the key still has to be valid.
        let _caller = caller(&request)?;
        let req = request.into_inner();
        let problem = self
            .accept_problem(req.problem.as_ref(), "CheckPlanRequest")
            .await?;
        let plan = check_request_plan(&req, &problem).map_err(|e| invalid_argument(&e))?;
        let Ok(permit) = self.checks.clone().try_acquire_owned() else {
            return Err(Status::resource_exhausted(format!(
                "{MAX_CONCURRENT_CHECKS} plans are being checked already; retry in a moment"
            )));
        };
        let (roads, max_snap_m, retime) = (self.roads.clone(), self.max_snap_m, req.retime);
        let answer = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            // The one precedence of every front end: the problem's own
            // matrices, else the roads (their points were snapped above).
            let (travel, _) = senroute_planner::travel_for(&problem, roads.as_deref(), max_snap_m)
                .map_err(|mut e| {
                    for i in &mut e.0 {
                        if i.field.as_deref() == Some("matrices") {
                            i.field = Some("problem.matrices".into());
                        }
                    }
                    e
                })?;
            let checked = senroute_planner::check_plan(&problem, &travel, plan, retime);
            Ok(check_response(&checked))
        })
        .await
        .map_err(|e| Status::internal(format!("check task failed: {e}")))?
        .map_err(|e| invalid_argument(&e))?;
        Ok(Response::new(answer))
    }
}
