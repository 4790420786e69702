//! `senroute serve` and `senroute mint-key`: the gRPC service for boroughs.

use crate::Failure;
use clap::Args;
use senroute_service::ServeConfig;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// `senroute serve` flags.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on (port 0: any free port, printed at start).
    #[arg(long, default_value = "127.0.0.1:50051")]
    listen: SocketAddr,
    /// Road network (prepared file or .osm.pbf) for problems without their own matrices.
    #[arg(long)]
    roads: Option<PathBuf>,
    /// Directory of the job database (created if missing).
    #[arg(long)]
    data_dir: PathBuf,
    /// Keys file (JSON lines of borough and key_sha256; see `senroute mint-key`).
    #[arg(long)]
    keys_file: PathBuf,
    /// Jobs planned at once.
    #[arg(long, default_value_t = 1)]
    workers: usize,
    /// Solver threads per job.
    #[arg(long, default_value_t = 2)]
    solver_threads: usize,
    /// Most jobs waiting; more submissions get RESOURCE_EXHAUSTED.
    #[arg(long, default_value_t = 64)]
    queue_limit: usize,
    /// Largest request in MiB.
    #[arg(long, default_value_t = 16)]
    max_request_mib: usize,
    /// Most pupils per problem.
    #[arg(long, default_value_t = 5000)]
    max_pupils: usize,
    /// Upper bound on any job's search seconds.
    #[arg(long, default_value_t = 600.0)]
    max_time_limit_s: f64,
    /// PEM certificate chain: serve TLS (needs --tls-key).
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// PEM private key of --tls-cert.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
}

/// Runs the server until SIGTERM or Ctrl-C.
pub fn serve(a: ServeArgs) -> Result<(), Failure> {
    if !(a.max_time_limit_s.is_finite() && a.max_time_limit_s > 0.0) {
        return Err(Failure::Input(
            "--max-time-limit-s must be a positive number of seconds".into(),
        ));
    }
    let mut config = ServeConfig::new(a.listen, a.data_dir, a.keys_file);
    config.roads = a.roads;
    config.workers = a.workers.max(1);
    config.solver_threads = a.solver_threads.max(1);
    config.queue_limit = a.queue_limit;
    config.max_request_bytes = a.max_request_mib.saturating_mul(1 << 20);
    config.max_pupils = a.max_pupils;
    config.max_time_limit = Duration::from_secs_f64(a.max_time_limit_s);
    config.tls = a.tls_cert.zip(a.tls_key);
    senroute_service::run(config).map_err(|e| Failure::Input(e.to_string()))
}

/// `senroute mint-key` flags.
#[derive(Args, Debug)]
pub struct MintKeyArgs {
    /// Keys file (created if missing).
    #[arg(long)]
    keys_file: PathBuf,
    /// The borough's GSS code, e.g. E09000007 for Camden.
    #[arg(long)]
    borough: String,
    /// Who holds the key.
    #[arg(long, default_value = "")]
    label: String,
}

/// Mints a key: appends its hash to the keys file and prints the key once.
pub fn mint_key(a: MintKeyArgs) -> Result<(), Failure> {
    let key = senroute_service::auth::add_key(&a.keys_file, &a.borough, &a.label)
        .map_err(|e| Failure::Input(e.to_string()))?;
    println!("{key}");
    Ok(())
}
