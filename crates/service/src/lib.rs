//! # senroute-service
//!
//! The gRPC service boroughs use to plan home-to-school transport:
//! `senroute.v1.RoutingService` (schema in `proto/senroute/v1/`), plus the
//! standard `grpc.health.v1.Health` and server reflection (v1 and v1alpha).
//!
//! * Jobs are durable: [`store`] keeps jobs, inputs and plans behind the
//!   [`store::JobStore`] trait, in SQLite (one server) or PostgreSQL (any
//!   number of replicas sharing one queue), and a job id is returned only
//!   once the job is committed. Queued jobs run after a restart; jobs
//!   interrupted by a crash are re-run (at most [`ServeConfig::max_attempts`]
//!   times), by another replica once their lease expires.
//! * A bounded pool of [`worker`]s claims jobs round robin by borough under
//!   renewed, fenced leases, plans them and runs the independent plan
//!   validator on every result; a plan that fails it is never served.
//! * Each borough authenticates with its API key ([`auth`]), sees only jobs
//!   it owns or has pupils in, and reads pooled plans [`redact`]ed.
//!
//! Embedding (this is what `senroute serve` calls):
//!
//! ```no_run
//! # async fn f() -> Result<(), senroute_service::ServeError> {
//! let config = senroute_service::ServeConfig::new(
//!     "127.0.0.1:50051".parse().unwrap(),
//!     "/var/lib/senroute".into(),
//!     "/etc/senroute/keys.jsonl".into(),
//! );
//! senroute_service::serve(config).await?; // until SIGTERM or ctrl-c
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

pub mod auth;
pub mod cli;
pub mod convert;
pub mod convert_plan;
pub mod events;
pub mod gate;
pub mod http;
pub mod pb;
pub mod redact;
pub mod service;
pub mod store;
pub mod watch;
pub mod worker;

use crate::auth::KeyRing;
use crate::events::Hub;
use crate::pb::v1::routing_service_server::RoutingServiceServer;
use crate::service::{Limits, RoutingServiceImpl};
use crate::store::Quotas;
use crate::worker::{PlannerConfig, WorkerConfig, WorkerPool};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::transport::{Identity, Server, ServerTlsConfig};

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Address to listen on; port 0 picks a free port (see
    /// [`ServerHandle::local_addr`]).
    pub listen: SocketAddr,
    /// Road network for problems without their own matrices: a network saved
    /// by `senroute-roads` or an OpenStreetMap `.osm.pbf` (built at start).
    pub roads: Option<PathBuf>,
    /// Directory of the SQLite job database (`jobs.sqlite3`), created if
    /// missing. Unused with [`ServeConfig::store_url`].
    pub data_dir: PathBuf,
    /// A `postgres://` URL: keep jobs in PostgreSQL, shared with every
    /// other replica using the same database. `None`: SQLite in `data_dir`.
    pub store_url: Option<String>,
    /// Most PostgreSQL connections of this replica.
    pub store_connections: usize,
    /// Id of this replica in leases and logs; random when `None`.
    pub replica_id: Option<String>,
    /// The keys file (JSON lines, see [`auth`]).
    pub keys_file: PathBuf,
    /// Jobs planned at the same time.
    pub workers: usize,
    /// Solver threads per job.
    pub solver_threads: usize,
    /// Most jobs waiting; more submissions get RESOURCE_EXHAUSTED.
    pub queue_limit: usize,
    /// Most jobs one borough may have waiting.
    pub borough_queue_limit: usize,
    /// Most bytes (problems, labels, plans) one borough's jobs may store.
    pub borough_stored_bytes: u64,
    /// Finished jobs are removed this long after they ended.
    pub retention: Duration,
    /// Longest job label, bytes.
    pub max_label_bytes: usize,
    /// Most boroughs (owner and pupils' home boroughs) taking part in one
    /// job: each of them can see and list it.
    pub max_boroughs_per_job: usize,
    /// Largest request metadata (HTTP/2 header list), bytes.
    pub max_metadata_bytes: u32,
    /// Largest `ListJobs` response, bytes.
    pub list_page_bytes: usize,
    /// Lease of a running job: another replica re-claims the job this long
    /// after the last renewal of a replica that died.
    pub lease: Duration,
    /// How often idle workers and `WatchJob` streams poll the store for
    /// work and changes from other replicas.
    pub poll: Duration,
    /// Largest request message in bytes; larger ones are refused before
    /// they are decoded.
    pub max_request_bytes: usize,
    /// Most pupils in one problem.
    pub max_pupils: usize,
    /// Upper bound on any job's search time.
    pub max_time_limit: Duration,
    /// Attempts a job gets when the server keeps dying under it.
    pub max_attempts: u32,
    /// On shutdown, how long running jobs may go on before they are stopped
    /// and requeued.
    pub shutdown_grace: Duration,
    /// PEM certificate chain and private key files: serve TLS (rustls).
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Also serve the web app and its JSON API ([`http`]) on this address,
    /// behind the same keys, isolation and redaction as gRPC.
    pub http: Option<SocketAddr>,
    /// The coordinator's own-machine app (`senroute app`): no keys file and
    /// no gRPC listener; the web app on [`ServeConfig::http`] needs no key
    /// and its user sees every pupil in full. [`spawn`] refuses it on an
    /// address other than loopback.
    pub open_app: bool,
}

impl ServeConfig {
    /// A configuration with the defaults: SQLite in `data_dir`, 1 worker of
    /// 1 solver thread, a queue of 64 of which 32 per borough, 256 MiB
    /// stored per borough, 30 days of retention, 16 MiB requests, 16 KiB of
    /// metadata, 256-byte labels, 1 MiB `ListJobs` pages, 5,000 pupils,
    /// 10 minutes of search, 30 s leases, 500 ms polls, 3 attempts, 10 s of
    /// shutdown grace, no roads, no TLS.
    pub fn new(listen: SocketAddr, data_dir: PathBuf, keys_file: PathBuf) -> Self {
        ServeConfig {
            listen,
            roads: None,
            data_dir,
            store_url: None,
            store_connections: 16,
            replica_id: None,
            keys_file,
            workers: 1,
            solver_threads: 1,
            queue_limit: 64,
            borough_queue_limit: 32,
            borough_stored_bytes: 256 << 20,
            retention: Duration::from_secs(30 * 24 * 3600),
            max_label_bytes: 256,
            max_boroughs_per_job: 64,
            max_metadata_bytes: 16 << 10,
            list_page_bytes: 1 << 20,
            lease: Duration::from_secs(30),
            poll: Duration::from_millis(500),
            max_request_bytes: 16 << 20,
            max_pupils: 5_000,
            max_time_limit: Duration::from_secs(600),
            max_attempts: 3,
            shutdown_grace: Duration::from_secs(10),
            tls: None,
            http: None,
            open_app: false,
        }
    }
}

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The keys file is unusable.
    #[error(transparent)]
    Keys(#[from] auth::KeyError),
    /// The keys file holds no key: nobody could use the service.
    #[error("the keys file {0} holds no key; mint one with `senroute-service mint-key --keys-file {0} --borough <GSS code>`")]
    NoKeys(String),
    /// The job database is unusable.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// The road network could not be loaded.
    #[error("road network {path}: {source}")]
    Roads {
        /// The file.
        path: String,
        /// The cause.
        source: senroute_roads::RoadsError,
    },
    /// A TLS file could not be read.
    #[error("TLS file {path}: {source}")]
    TlsFile {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Listening failed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// `open_app` (no keys) on an address other than loopback.
    #[error("the app without keys listens on loopback only, not {0}; to serve boroughs over the network use `senroute serve --http ADDR` with a keys file")]
    NotLoopback(SocketAddr),
    /// The gRPC transport failed.
    #[error("gRPC transport: {0}")]
    Transport(#[from] tonic::transport::Error),
    /// A runtime or task failure.
    #[error("{0}")]
    Runtime(String),
}

/// A running server.
pub struct ServerHandle {
    addr: SocketAddr,
    http_addr: Option<SocketAddr>,
    shutdown: Option<oneshot::Sender<()>>,
    join: Option<JoinHandle<Result<(), tonic::transport::Error>>>,
    http_join: Option<JoinHandle<std::io::Result<()>>>,
    pool: Arc<WorkerPool>,
    stop_watchers: tokio::sync::watch::Sender<bool>,
    health: tonic_health::server::HealthReporter,
    grace: Duration,
    /// What recovery found at start.
    pub recovery: store::Recovery,
    /// Id of this replica in leases and logs.
    pub replica: String,
}

impl ServerHandle {
    /// The address the gRPC server listens on (for an
    /// [`ServeConfig::open_app`], which has no gRPC listener: the web app's).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The address of the web app and its JSON API, when served.
    pub fn http_addr(&self) -> Option<SocketAddr> {
        self.http_addr
    }

    /// Stops gracefully: reports NOT_SERVING, stops taking jobs, lets
    /// running jobs finish within the grace period and requeues the rest,
    /// ends open WatchJob streams (UNAVAILABLE: watch again after restart),
    /// then closes the listener and waits for in-flight calls.
    pub async fn shutdown(mut self) -> Result<(), ServeError> {
        self.health
            .set_not_serving::<RoutingServiceServer<RoutingServiceImpl>>()
            .await;
        self.pool.shutdown(self.grace).await;
        self.stop_watchers.send_replace(true);
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(join) = self.join.take() {
            join.await
                .map_err(|e| ServeError::Runtime(format!("server task: {e}")))??;
        }
        if let Some(join) = self.http_join.take() {
            join.await
                .map_err(|e| ServeError::Runtime(format!("web server task: {e}")))?
                .map_err(|e| ServeError::Runtime(format!("web server: {e}")))?;
        }
        Ok(())
    }
}

fn load_roads(path: &std::path::Path) -> Result<senroute_roads::RoadNetwork, ServeError> {
    let err = |source| ServeError::Roads {
        path: path.display().to_string(),
        source,
    };
    if path.to_string_lossy().ends_with(".pbf") {
        senroute_roads::RoadNetwork::from_pbf(path, &senroute_roads::SpeedProfile::default())
            .map(|(n, _)| n)
            .map_err(err)
    } else {
        senroute_roads::RoadNetwork::load(path).map_err(err)
    }
}

/// Starts the server on the current tokio runtime and returns once it
/// listens. Runs recovery first: jobs left running by a crash are requeued.
pub async fn spawn(config: ServeConfig) -> Result<ServerHandle, ServeError> {
    if config.open_app {
        if let Some(addr) = config.http.filter(|a| !a.ip().is_loopback()) {
            return Err(ServeError::NotLoopback(addr));
        }
    }
    let keys = if config.open_app {
        KeyRing::default()
    } else {
        KeyRing::load(&config.keys_file)?
    };
    if keys.is_empty() && !config.open_app {
        return Err(ServeError::NoKeys(config.keys_file.display().to_string()));
    }
    let store = store::open(
        config.store_url.as_deref(),
        &config.data_dir,
        config.store_connections,
    )
    .await?;
    let recovery = store
        .recover(store.recover_scope(), config.max_attempts, worker::now_ms())
        .await?;
    let replica = config.replica_id.clone().unwrap_or_else(random_replica_id);
    let roads = match config.roads.clone() {
        Some(path) => Some(Arc::new(
            tokio::task::spawn_blocking(move || load_roads(&path))
                .await
                .map_err(|e| ServeError::Runtime(e.to_string()))??,
        )),
        None => None,
    };
    let tls = match &config.tls {
        Some((cert, key)) => {
            let read = |p: &PathBuf| {
                std::fs::read(p).map_err(|source| ServeError::TlsFile {
                    path: p.display().to_string(),
                    source,
                })
            };
            Some(ServerTlsConfig::new().identity(Identity::from_pem(read(cert)?, read(key)?)))
        }
        None => None,
    };

    let hub = Arc::new(Hub::default());
    let max_snap_m = senroute_roads::DEFAULT_MAX_SNAP_M;
    let pool = Arc::new(WorkerPool::start(
        store.clone(),
        hub.clone(),
        PlannerConfig {
            roads: roads.clone(),
            max_snap_m,
            solver_threads: config.solver_threads,
            max_time_limit: config.max_time_limit,
        },
        WorkerConfig {
            replica: replica.clone(),
            workers: config.workers,
            lease: config.lease,
            renew_every: (config.lease / 3).min(Duration::from_secs(1)),
            poll: config.poll,
            max_attempts: config.max_attempts,
            retention: config.retention,
        },
    ));
    let quotas = Quotas {
        queue_limit: config.queue_limit,
        borough_queue_limit: config.borough_queue_limit,
        borough_stored_bytes: config.borough_stored_bytes,
    };
    let (stop_watchers, watchers_rx) = tokio::sync::watch::channel(false);
    let svc = RoutingServiceImpl::new(
        store.clone(),
        hub,
        pool.clone(),
        Limits {
            quotas,
            max_pupils: config.max_pupils,
            max_label_bytes: config.max_label_bytes,
            max_participants: config.max_boroughs_per_job,
            list_page_bytes: config.list_page_bytes,
            watch_poll: config.poll,
            max_search_threads: u32::try_from(config.solver_threads).unwrap_or(u32::MAX),
        },
        roads.clone(),
        max_snap_m,
    )
    .with_shutdown(watchers_rx.clone());
    let svc = Arc::new(svc);
    let keys = Arc::new(keys);
    let (http_addr, http_join) = match config.http {
        Some(addr) => {
            let state = http::AppState {
                service: svc.clone(),
                keys: if config.open_app {
                    None
                } else {
                    Some(keys.clone())
                },
                roads: roads.clone(),
                max_snap_m,
                max_upload_bytes: config.max_request_bytes,
            };
            let (bound, join) = http::spawn(addr, state, watchers_rx.clone()).await?;
            (Some(bound), Some(join))
        }
        None => (None, None),
    };
    let (health, health_service) = tonic_health::server::health_reporter();
    if config.open_app {
        let addr = http_addr.unwrap_or(config.listen);
        return Ok(ServerHandle {
            addr,
            http_addr,
            shutdown: None,
            join: None,
            http_join,
            pool,
            stop_watchers,
            health,
            grace: config.shutdown_grace,
            recovery,
            replica,
        });
    }
    // Authentication first (from the headers), then the admission check
    // (from the headers and the store), and only then is the body decoded.
    let routing = tonic::service::interceptor::InterceptedService::new(
        gate::AdmissionGate::new(
            RoutingServiceServer::from_arc(svc).max_decoding_message_size(config.max_request_bytes),
            store,
            quotas,
        ),
        move |req: tonic::Request<()>| keys.authenticate(req),
    );

    health
        .set_serving::<RoutingServiceServer<RoutingServiceImpl>>()
        .await;
    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(pb::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    let reflection_v1 = reflection()
        .build_v1()
        .map_err(|e| ServeError::Runtime(format!("reflection: {e}")))?;
    let reflection_v1alpha = reflection()
        .build_v1alpha()
        .map_err(|e| ServeError::Runtime(format!("reflection: {e}")))?;

    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| ServeError::Bind {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ServeError::Bind {
        addr: config.listen,
        source,
    })?;
    let mut builder = Server::builder()
        .concurrency_limit_per_connection(256)
        .http2_max_header_list_size(config.max_metadata_bytes);
    if let Some(tls) = tls {
        builder = builder.tls_config(tls)?;
    }
    let router = builder
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(routing);
    let (tx, rx) = oneshot::channel::<()>();
    let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener);
    let join = tokio::spawn(router.serve_with_incoming_shutdown(incoming, async {
        let _ = rx.await;
    }));
    Ok(ServerHandle {
        addr,
        http_addr,
        shutdown: Some(tx),
        join: Some(join),
        http_join,
        pool,
        stop_watchers,
        health,
        grace: config.shutdown_grace,
        recovery,
        replica,
    })
}

/// `<host>-<pid>-<4 random hex digits>`: unique enough to tell replicas
/// apart in leases and logs.
fn random_replica_id() -> String {
    let mut b = [0u8; 2];
    let _ = getrandom::fill(&mut b);
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty() && h.len() <= 64)
        .unwrap_or_else(|| "replica".into());
    format!("{host}-{}-{}", std::process::id(), auth::hex(&b))
}

/// Serves until SIGTERM or ctrl-c, then shuts down gracefully (see
/// [`ServerHandle::shutdown`]).
pub async fn serve(config: ServeConfig) -> Result<(), ServeError> {
    let handle = spawn(config).await?;
    eprintln!(
        "senroute-service: replica {} listening on {} ({} job(s) requeued, {} failed after a previous crash)",
        handle.replica,
        handle.local_addr(),
        handle.recovery.requeued.len(),
        handle.recovery.failed.len()
    );
    if let Some(addr) = handle.http_addr() {
        eprintln!("senroute-service: web app and JSON API on http://{addr}/");
    }
    shutdown_signal().await;
    eprintln!("senroute-service: shutting down");
    handle.shutdown().await
}

/// [`serve`] on a new multi-threaded tokio runtime, blocking the caller.
pub fn run(config: ServeConfig) -> Result<(), ServeError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| ServeError::Runtime(format!("tokio runtime: {e}")))?
        .block_on(serve(config))
}

/// Waits for SIGTERM or ctrl-c.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
