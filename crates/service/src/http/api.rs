//! The JSON handlers: each authenticates, calls the gRPC method and turns
//! its answer into JSON.

use super::mapdata::{geometry, located_any};
use super::{caller, grpc_request, upload, ApiError, AppState};
use crate::auth::Caller;
use crate::convert_plan::any_plan_from_response;
use crate::pb::v1 as pb;
use crate::pb::v1::routing_service_server::RoutingService;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use senroute_model::{AnyPlan, Problem};
use serde_json::{json, Value};
use tokio_stream::StreamExt;

/// `GET /api/v1/config`: what the page needs to know before anything else.
pub async fn config(State(state): State<AppState>) -> Json<Value> {
    Json(json!({
        "needs_key": state.keys.is_some(),
        "sessions": ["am", "pm", "day"],
        "has_roads": state.roads.is_some(),
    }))
}

/// Any other path: `404` as JSON.
pub async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no such page or API endpoint")
}

fn state_name(state: i32) -> &'static str {
    match pb::JobState::try_from(state) {
        Ok(pb::JobState::Queued) => "queued",
        Ok(pb::JobState::Running) => "running",
        Ok(pb::JobState::Succeeded) => "succeeded",
        Ok(pb::JobState::Failed) => "failed",
        Ok(pb::JobState::Cancelled) => "cancelled",
        _ => "unknown",
    }
}

fn millis(t: Option<prost_types::Timestamp>) -> Value {
    t.map_or(Value::Null, |t| {
        json!(t.seconds * 1000 + i64::from(t.nanos / 1_000_000))
    })
}

/// The JSON form of a job (the fields of `senroute.v1.Job`).
pub fn job_json(j: &pb::Job) -> Value {
    json!({
        "id": j.job_id,
        "state": state_name(j.state),
        "owner_borough": j.owner_borough,
        "participant_boroughs": j.participant_boroughs,
        "label": j.label,
        "pupils": j.pupils,
        "created_ms": millis(j.create_time),
        "started_ms": millis(j.start_time),
        "finished_ms": millis(j.finish_time),
        "failure_reason": j.failure_reason,
        "attempts": j.attempts,
        "progress": j.progress.as_ref().map(|p| json!({
            "best_cost": p.best_cost,
            "vehicles": p.vehicles,
            "unassigned": p.unassigned,
            "elapsed_seconds": p.elapsed_seconds,
            "iterations": p.iterations,
        })),
    })
}

/// `POST /api/v1/jobs`: reads the three CSV files and the options, then
/// submits the problem through the gRPC `SubmitJob`. `202` with the job.
pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<Response, ApiError> {
    let caller = caller(&state, &headers)?;
    let form = upload::read_form(multipart).await?;
    let (problem, label, lines) = form.into_problem()?;
    let request = pb::SubmitJobRequest {
        problem: Some(crate::convert::problem_to_proto(&problem)),
        label,
        request_id: String::new(),
        search: None,
        replan: None,
    };
    let job = match state
        .service
        .submit_job(grpc_request(&caller, request))
        .await
    {
        Ok(r) => r.into_inner().job.unwrap_or_default(),
        Err(status) if status.code() == tonic::Code::InvalidArgument => {
            return Err(upload::rejected(&status, &problem, &lines));
        }
        Err(status) => return Err(status.into()),
    };
    let location = format!("/api/v1/jobs/{}", job.job_id);
    Ok((
        StatusCode::ACCEPTED,
        [(header::LOCATION, location)],
        Json(json!({ "job": job_json(&job) })),
    )
        .into_response())
}

async fn get_job(state: &AppState, caller: &Caller, id: String) -> Result<pb::Job, ApiError> {
    let r = state
        .service
        .get_job(grpc_request(caller, pb::GetJobRequest { job_id: id }))
        .await?;
    Ok(r.into_inner().job.unwrap_or_default())
}

/// `GET /api/v1/jobs/{id}`: the job's state and progress.
pub async fn job(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let caller = caller(&state, &headers)?;
    let job = get_job(&state, &caller, id).await?;
    Ok(Json(json!({ "job": job_json(&job) })))
}

/// The plan of a succeeded job as `caller` may see it (redacted for other
/// boroughs' pupils), through the gRPC `GetPlan`, with its job: a session
/// plan, or both plans of a day job.
pub(super) async fn visible_plan(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<(pb::Job, AnyPlan), ApiError> {
    let r = state
        .service
        .get_plan(grpc_request(
            caller,
            pb::GetPlanRequest {
                job_id: id.to_string(),
            },
        ))
        .await?
        .into_inner();
    let plan = any_plan_from_response(&r)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e))?;
    Ok((r.job.unwrap_or_default(), plan))
}

/// The problem of a job `caller` may see, with only the pupils `plan`
/// names in full (other boroughs' pupils are tokens in a redacted plan and
/// are left out here).
pub(super) async fn visible_problem(
    state: &AppState,
    caller: &Caller,
    id: &str,
    plan: &AnyPlan,
) -> Result<Problem, ApiError> {
    let mut problem = state.service.visible_problem(caller, id).await?;
    if !caller.all_boroughs {
        let named: std::collections::HashSet<&str> = plan
            .plans()
            .into_iter()
            .flat_map(|p| {
                p.rides
                    .iter()
                    .map(|r| r.pupil.as_str())
                    .chain(p.unassigned.iter().map(|u| u.pupil.as_str()))
            })
            .collect();
        problem.pupils.retain(|p| named.contains(p.id.as_str()));
    }
    Ok(problem)
}

/// `GET /api/v1/jobs/{id}/plan`: the plan JSON, as `plan.json` (of a day
/// job, the day plan: `am`, `pm`, `continuity`, `totals`).
pub async fn plan(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<AnyPlan>, ApiError> {
    let caller = caller(&state, &headers)?;
    let (_, plan) = visible_plan(&state, &caller, &id).await?;
    Ok(Json(plan))
}

/// `GET /api/v1/jobs/{id}/events`: server-sent events from the gRPC
/// `WatchJob` stream: `job` events with the job (state and progress), until
/// the job ends. A job the caller may not see is a `404` before any event.
pub async fn events(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let caller = caller(&state, &headers)?;
    let stream = state
        .service
        .watch_job(grpc_request(&caller, pb::WatchJobRequest { job_id: id }))
        .await?
        .into_inner();
    let events = stream.map(|item| {
        let event = match item {
            Ok(w) => {
                let kind = match &w.event {
                    Some(pb::watch_job_response::Event::Progress(_)) => "progress",
                    Some(pb::watch_job_response::Event::Queued(_)) => "queued",
                    Some(pb::watch_job_response::Event::Started(_)) => "started",
                    Some(pb::watch_job_response::Event::Finished(_)) => "finished",
                    Some(pb::watch_job_response::Event::Failed(_)) => "failed",
                    Some(pb::watch_job_response::Event::Cancelled(_)) => "cancelled",
                    None => "job",
                };
                let job = w.job.unwrap_or_default();
                Event::default()
                    .event("job")
                    .data(json!({ "kind": kind, "job": job_json(&job) }).to_string())
            }
            Err(status) => Event::default()
                .event("error")
                .data(json!({ "error": status.message() }).to_string()),
        };
        Ok::<_, std::convert::Infallible>(event)
    });
    Ok(Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response())
}

/// `GET /api/v1/jobs/{id}/files/{name}`: a download of any output the CLI
/// writes for the plan (`routes.csv`, `pupils.csv`, `plan.json`,
/// `routes.geojson`, `report.html`, `map.png`, `manifests.html`,
/// `plan.xlsx`, and `map-pm.png` of a day), made by the same writers
/// ([`senroute_report::render_output`]). Stops whose place the caller may
/// not see are left out of the outputs that draw places.
pub async fn download(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, name)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let caller = caller(&state, &headers)?;
    let (job, plan) = visible_plan(&state, &caller, &id).await?;
    let names = senroute_report::output_names(&plan);
    let Some(name) = names.iter().copied().find(|n| *n == name) else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!(
                "no download {:?}; this plan has {}",
                senroute_model::limits::excerpt(&name),
                names.join(", ")
            ),
        ));
    };
    let problem = visible_problem(&state, &caller, &id, &plan).await?;
    let state2 = state.clone();
    let body = tokio::task::spawn_blocking(move || {
        let plan = if senroute_report::output_draws_places(name) {
            located_any(&plan)
        } else {
            plan
        };
        let geometry = geometry(state2.roads.as_deref(), &plan.plans(), state2.max_snap_m);
        senroute_report::render_output(name, &problem, &plan, &geometry)
    })
    .await
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
    .ok_or_else(|| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "output not rendered"))?;
    let disposition = format!(
        "attachment; filename=\"{}-{}\"",
        job.job_id.trim_start_matches("job_"),
        name
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                senroute_report::output_content_type(name).to_string(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}
