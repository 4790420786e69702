//! Command-line flags of the server, shared by `senroute serve` and the
//! `senroute-service` binary so both take the same flags.

use crate::ServeConfig;
use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Flags of `serve`.
#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Address to listen on (port 0: any free port, printed at start).
    #[arg(long, default_value = "127.0.0.1:50051")]
    pub listen: SocketAddr,
    /// Directory of the SQLite job database (created if missing); not
    /// needed with --store.
    #[arg(long, required_unless_present = "store")]
    pub data_dir: Option<PathBuf>,
    /// Job store shared by several replicas: postgres://USER@HOST:PORT/DB
    /// (schema migrations are applied at start). Default: SQLite under
    /// --data-dir, for a single server.
    #[arg(long, value_name = "URL")]
    pub store: Option<String>,
    /// Most PostgreSQL connections of this replica.
    #[arg(long, default_value_t = 16)]
    pub store_connections: usize,
    /// Id of this replica in job leases and logs (default: host-pid-random).
    #[arg(long)]
    pub replica_id: Option<String>,
    /// Keys file (JSON lines of borough and key_sha256; see mint-key).
    #[arg(long)]
    pub keys_file: PathBuf,
    /// Road network (.osm.pbf, or a network saved by senroute-roads) for
    /// problems without their own matrices.
    #[arg(long)]
    pub roads: Option<PathBuf>,
    /// Jobs planned at once.
    #[arg(long, default_value_t = 1)]
    pub workers: usize,
    /// Solver threads per job.
    #[arg(long, default_value_t = 1)]
    pub solver_threads: usize,
    /// Most jobs waiting in the queue; more submissions get RESOURCE_EXHAUSTED.
    #[arg(long, default_value_t = 64)]
    pub queue_limit: usize,
    /// Most jobs one borough may have waiting.
    #[arg(long, default_value_t = 32)]
    pub borough_queue_limit: usize,
    /// Most MiB one borough's stored jobs (problems, labels, plans) may use.
    #[arg(long, default_value_t = 256)]
    pub borough_stored_mib: u64,
    /// Days finished jobs are kept before they are removed.
    #[arg(long, default_value_t = 30.0)]
    pub retention_days: f64,
    /// Longest job label in bytes.
    #[arg(long, default_value_t = 256)]
    pub max_label_bytes: usize,
    /// Most boroughs (owner and pupils' home boroughs) in one job.
    #[arg(long, default_value_t = 64)]
    pub max_boroughs_per_job: usize,
    /// Largest request metadata (headers) in KiB.
    #[arg(long, default_value_t = 16)]
    pub max_metadata_kib: u32,
    /// Largest ListJobs response in KiB (further jobs go to the next page).
    #[arg(long, default_value_t = 1024)]
    pub list_page_kib: usize,
    /// Seconds of a running job's lease: after a replica dies, another
    /// re-claims its jobs this long after their last renewal.
    #[arg(long, default_value_t = 30.0)]
    pub lease_s: f64,
    /// Milliseconds between polls of the store by idle workers and
    /// WatchJob streams (for work and changes from other replicas).
    #[arg(long, default_value_t = 500)]
    pub poll_ms: u64,
    /// Attempts a job gets when servers keep dying under it.
    #[arg(long, default_value_t = 3)]
    pub max_attempts: u32,
    /// Largest request in MiB.
    #[arg(long, default_value_t = 16)]
    pub max_request_mib: usize,
    /// Most pupils per problem.
    #[arg(long, default_value_t = 5000)]
    pub max_pupils: usize,
    /// Upper bound on any job's search seconds (at most 86400).
    #[arg(long, default_value_t = 600.0)]
    pub max_time_limit_s: f64,
    /// Also serve the web app for coordinators and its JSON API (/api/v1)
    /// on this address, behind the same borough keys (plain HTTP: put it
    /// behind a TLS-terminating proxy beyond one machine).
    #[arg(long, value_name = "ADDR")]
    pub http: Option<SocketAddr>,
    /// PEM certificate chain: serve TLS (needs --tls-key).
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of --tls-cert.
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
}

impl ServeArgs {
    /// The server configuration these flags describe.
    pub fn into_config(self) -> ServeConfig {
        let secs = |s: f64| Duration::try_from_secs_f64(s.max(0.0)).unwrap_or(Duration::MAX);
        let mut c = ServeConfig::new(
            self.listen,
            self.data_dir.unwrap_or_default(),
            self.keys_file,
        );
        c.store_url = self.store;
        c.store_connections = self.store_connections.max(2);
        c.replica_id = self.replica_id;
        c.borough_queue_limit = self.borough_queue_limit;
        c.borough_stored_bytes = self.borough_stored_mib.saturating_mul(1 << 20);
        c.retention = secs(self.retention_days * 86_400.0);
        c.max_label_bytes = self.max_label_bytes;
        c.max_boroughs_per_job = self.max_boroughs_per_job.max(1);
        c.max_metadata_bytes = self.max_metadata_kib.saturating_mul(1 << 10);
        c.list_page_bytes = self.list_page_kib.saturating_mul(1 << 10);
        c.lease = secs(self.lease_s).max(Duration::from_millis(300));
        c.poll = Duration::from_millis(self.poll_ms.clamp(10, 60_000));
        c.max_attempts = self.max_attempts.max(1);
        c.roads = self.roads;
        c.workers = self.workers.max(1);
        c.solver_threads = self.solver_threads.max(1);
        c.queue_limit = self.queue_limit;
        c.max_request_bytes = self.max_request_mib.saturating_mul(1 << 20);
        c.max_pupils = self.max_pupils;
        // (bounded before it becomes a Duration, which panics on 1e20 or NaN)
        c.max_time_limit = secs(
            self.max_time_limit_s
                .min(senroute_model::limits::MAX_TIME_LIMIT_SECONDS),
        );
        c.tls = self.tls_cert.zip(self.tls_key);
        c.http = self.http;
        c
    }
}

/// Flags of `mint-key`.
#[derive(Args, Debug, Clone)]
pub struct MintKeyArgs {
    /// Keys file (created if missing).
    #[arg(long)]
    pub keys_file: PathBuf,
    /// The borough's GSS code, e.g. E09000007 for Camden.
    #[arg(long)]
    pub borough: String,
    /// Who holds the key.
    #[arg(long, default_value = "")]
    pub label: String,
}
