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
    /// Directory of the job database (created if missing).
    #[arg(long)]
    pub data_dir: PathBuf,
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
    /// Largest request in MiB.
    #[arg(long, default_value_t = 16)]
    pub max_request_mib: usize,
    /// Most pupils per problem.
    #[arg(long, default_value_t = 5000)]
    pub max_pupils: usize,
    /// Upper bound on any job's search seconds (at most 86400).
    #[arg(long, default_value_t = 600.0)]
    pub max_time_limit_s: f64,
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
        let mut c = ServeConfig::new(self.listen, self.data_dir, self.keys_file);
        c.roads = self.roads;
        c.workers = self.workers.max(1);
        c.solver_threads = self.solver_threads.max(1);
        c.queue_limit = self.queue_limit;
        c.max_request_bytes = self.max_request_mib.saturating_mul(1 << 20);
        c.max_pupils = self.max_pupils;
        // Clamped while a float: `Duration::from_secs_f64` panics on 1e20 or NaN.
        let max = senroute_model::limits::MAX_TIME_LIMIT_SECONDS;
        let t = self.max_time_limit_s;
        c.max_time_limit = Duration::from_secs_f64(if t.is_finite() {
            t.clamp(0.0, max)
        } else {
            max
        });
        c.tls = self.tls_cert.zip(self.tls_key);
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
