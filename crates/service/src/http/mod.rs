//! The web app for coordinators and its JSON API under `/api/v1`.
//!
//! The handlers are thin adapters over the gRPC service
//! ([`RoutingServiceImpl`]): a request is authenticated into the same
//! [`Caller`], then the gRPC method runs (same job store, worker pool,
//! planner, validator, isolation and redaction) and its answer is turned
//! into JSON. Nothing is planned or stored here.
//!
//! | method and path | answer |
//! | --- | --- |
//! | `GET /` | the page (HTML, CSS and script embedded in the binary) |
//! | `GET /api/v1/config` | whether the page must ask for a key, the sessions on offer |
//! | `POST /api/v1/jobs` | multipart `pupils`, `schools`, `fleet` CSV files and options (`session` am, pm or day, `time_limit`, `seed`, `label`): `202` with the job, `400` with every input problem |
//! | `GET /api/v1/jobs/{id}` | the job: state and progress |
//! | `GET /api/v1/jobs/{id}/events` | server-sent events: the job on every change until it ends |
//! | `GET /api/v1/jobs/{id}/plan` | the plan JSON (as `plan.json`) |
//! | `GET /api/v1/jobs/{id}/map[?session=am\|pm]` | what the page's map draws (of a day plan: one session's): runs along the roads, road background, schools, depots, pupils' needs |
//! | `POST /api/v1/jobs/{id}/replan` | JSON `locks` (runs kept exactly: `3`, `am:3`, `pm:2`), `change_cost`, `time_limit`: the job's problem re-planned from its plan through `SubmitJob`, `202` with the new job |
//! | `GET /api/v1/jobs/{id}/changes?from={previous}` | each pupil whose placement changed from the previous job's plan |
//! | `GET /api/v1/jobs/{id}/files/{name}` | downloads of every output the CLI writes, by the same writers: `routes.csv`, `pupils.csv`, `plan.json`, `routes.geojson`, `report.html`, `map.png`, `manifests.html`, `plan.xlsx` (and `map-pm.png` of a day plan) |
//!
//! Authentication: `Authorization: Bearer <key>` with a borough's key, as
//! for gRPC; the keyless app on loopback (`senroute app`) needs none. A
//! job id the caller may not see answers `404` with exactly the body of an
//! id that does not exist.

mod api;
mod assets;
mod mapdata;
mod replan;
mod upload;

use crate::auth::{Caller, KeyRing};
use crate::service::RoutingServiceImpl;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use senroute_roads::RoadNetwork;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::task::JoinHandle;

/// Borough recorded as the owner of jobs submitted through the keyless app.
pub const LOCAL_BOROUGH: &str = "local";

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    /// The gRPC service the handlers call.
    pub service: Arc<RoutingServiceImpl>,
    /// Borough keys; `None` for the keyless app on loopback.
    pub keys: Option<Arc<KeyRing>>,
    /// The road network, for drawing runs along the roads.
    pub roads: Option<Arc<RoadNetwork>>,
    /// Largest snapping distance in metres (as the planner's).
    pub max_snap_m: f64,
    /// Largest upload (all three files and options), bytes.
    pub max_upload_bytes: usize,
}

/// The router of the web app and the JSON API.
pub fn router(state: AppState) -> axum::Router {
    use axum::routing::{get, post};
    let limit = state.max_upload_bytes;
    axum::Router::new()
        .route("/", get(assets::index))
        .route("/app.js", get(assets::script))
        .route("/app.css", get(assets::style))
        .route("/api/v1/config", get(api::config))
        .route("/api/v1/jobs", post(api::submit))
        .route("/api/v1/jobs/{id}", get(api::job))
        .route("/api/v1/jobs/{id}/events", get(api::events))
        .route("/api/v1/jobs/{id}/plan", get(api::plan))
        .route("/api/v1/jobs/{id}/map", get(mapdata::map))
        .route("/api/v1/jobs/{id}/files/{name}", get(api::download))
        .route("/api/v1/jobs/{id}/replan", post(replan::replan))
        .route("/api/v1/jobs/{id}/changes", get(replan::changes))
        .fallback(api::not_found)
        .layer(axum::extract::DefaultBodyLimit::max(limit))
        .with_state(state)
}

/// Binds `addr` and serves [`router`] until `stop` turns true.
pub async fn spawn(
    addr: SocketAddr,
    state: AppState,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Result<(SocketAddr, JoinHandle<std::io::Result<()>>), crate::ServeError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| crate::ServeError::Bind { addr, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| crate::ServeError::Bind { addr, source })?;
    let app = router(state);
    let join = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stop.wait_for(|s| *s).await;
            })
            .await
    });
    Ok((bound, join))
}

/// An error answer: a status and a JSON body `{"error": …}` (or the input
/// problems of a `400`).
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: serde_json::Value,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: serde_json::json!({ "error": message.into() }),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

impl From<tonic::Status> for ApiError {
    fn from(s: tonic::Status) -> Self {
        use tonic::Code;
        let status = match s.code() {
            Code::NotFound => StatusCode::NOT_FOUND,
            Code::InvalidArgument | Code::OutOfRange => StatusCode::BAD_REQUEST,
            Code::ResourceExhausted => StatusCode::TOO_MANY_REQUESTS,
            Code::FailedPrecondition => StatusCode::CONFLICT,
            Code::Unauthenticated => StatusCode::UNAUTHORIZED,
            Code::PermissionDenied => StatusCode::FORBIDDEN,
            Code::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError::new(status, s.message())
    }
}

/// The caller of a request: the keyless app's coordinator, or the borough
/// of the request's `Authorization: Bearer` key (`401` without one).
fn caller(state: &AppState, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let Some(keys) = &state.keys else {
        return Ok(Caller {
            borough: LOCAL_BOROUGH.into(),
            all_boroughs: true,
        });
    };
    let unauthorised = |m: &str| ApiError::new(StatusCode::UNAUTHORIZED, m);
    let header = headers
        .get(axum::http::header::AUTHORIZATION)
        .ok_or_else(|| {
            unauthorised("missing `Authorization: Bearer <key>`; ask the service operator for your borough's API key")
        })?
        .to_str()
        .map_err(|_| unauthorised("the Authorization header is not text"))?;
    let key = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .ok_or_else(|| unauthorised("Authorization must be `Bearer <key>`"))?
        .trim();
    let borough = keys
        .borough_for(key)
        .ok_or_else(|| unauthorised("unknown API key"))?;
    Ok(Caller {
        borough: borough.to_string(),
        all_boroughs: false,
    })
}

/// A gRPC request carrying `caller`, as the interceptor would leave it.
fn grpc_request<T>(caller: &Caller, message: T) -> tonic::Request<T> {
    let mut r = tonic::Request::new(message);
    r.extensions_mut().insert(caller.clone());
    r
}
