//! Re-planning from the page: `POST /api/v1/jobs/{id}/replan` submits the
//! job's problem again through the gRPC `SubmitJob` with a re-plan of its
//! plan (locked runs kept exactly, by the planner's own re-plan), and
//! `GET /api/v1/jobs/{id}/changes?from={previous}` lists what changed for
//! each pupil between the two plans.

use super::api::{job_json, visible_plan, visible_problem};
use super::{caller, grpc_request, ApiError, AppState};
use crate::pb::v1 as pb;
use crate::pb::v1::routing_service_server::RoutingService;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

/// The body of a re-plan.
#[derive(Debug, Default, Deserialize)]
pub struct ReplanBody {
    /// Runs kept exactly: `3`, or `am:3` / `pm:2` in a day plan.
    #[serde(default)]
    locks: Vec<String>,
    /// £ per pupil who rides another vehicle than before.
    change_cost: Option<f64>,
    /// Seconds of search (default: the job's own).
    time_limit: Option<f64>,
}

/// `POST /api/v1/jobs/{id}/replan` (JSON `{"locks": ["am:1"],
/// "change_cost": 20, "time_limit": 10}`): `202` with the new job. Only the
/// borough that submitted the job may re-plan it.
pub async fn replan(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Option<Json<ReplanBody>>,
) -> Result<Response, ApiError> {
    let caller = caller(&state, &headers)?;
    let body = body.map(|Json(b)| b).unwrap_or_default();
    let mut problem = state.service.visible_problem(&caller, &id).await?;
    if let Some(t) = body.time_limit {
        if !(t.is_finite() && t > 0.0 && t <= senroute_model::limits::MAX_TIME_LIMIT_SECONDS) {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("time_limit {t}: give the seconds of search, e.g. 30"),
            ));
        }
        problem.settings.time_limit_seconds = t;
    }
    let label = format!("re-plan of {id}");
    let request = pb::SubmitJobRequest {
        problem: Some(crate::convert::problem_to_proto(&problem)),
        label,
        request_id: String::new(),
        search: None,
        replan: Some(pb::Replan {
            from_job_id: id,
            locks: body.locks,
            change_cost: body.change_cost,
        }),
    };
    let job = state
        .service
        .submit_job(grpc_request(&caller, request))
        .await?
        .into_inner()
        .job
        .unwrap_or_default();
    let location = format!("/api/v1/jobs/{}", job.job_id);
    Ok((
        StatusCode::ACCEPTED,
        [(header::LOCATION, location)],
        Json(json!({ "job": job_json(&job) })),
    )
        .into_response())
}

/// The query of the changes: the plan compared with.
#[derive(Debug, Deserialize)]
pub struct ChangesQuery {
    /// The previous job.
    from: String,
}

/// `GET /api/v1/jobs/{id}/changes?from={previous}`: every pupil whose
/// placement changed from the previous job's plan to this one's, session
/// by session (`senroute_model::changes`, as `solve --from` writes
/// `changes.csv`). Only pupils the caller may see by name are listed.
pub async fn changes(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<ChangesQuery>,
) -> Result<Json<Value>, ApiError> {
    let caller = caller(&state, &headers)?;
    let (_, new) = visible_plan(&state, &caller, &id).await?;
    let (_, old) = visible_plan(&state, &caller, &q.from).await?;
    let problem = visible_problem(&state, &caller, &id, &new).await?;
    let before = visible_problem(&state, &caller, &q.from, &old).await?;
    let named = |p: &str| problem.pupil(p).is_some() || before.pupil(p).is_some();
    let list: Vec<_> = senroute_model::changes(&old, &new, &|p| problem.pupil(p).is_some())
        .into_iter()
        .filter(|c| named(&c.pupil))
        .collect();
    let pupils = senroute_model::pupils_changed(&list);
    Ok(Json(
        json!({ "from": q.from, "pupils_changed": pupils, "changes": list }),
    ))
}
