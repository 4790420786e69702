//! `senroute-service`: run the gRPC server, or mint a borough API key.
//!
//! ```text
//! senroute-service mint-key --keys-file keys.jsonl --borough E09000007 --label "Camden SEN transport"
//! senroute-service serve --listen 0.0.0.0:50051 --data-dir /var/lib/senroute \
//!     --keys-file keys.jsonl --roads london.osm.pbf --workers 2
//! ```

use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(version, about = "senroute gRPC service for boroughs")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve senroute.v1.RoutingService until SIGTERM or ctrl-c.
    Serve {
        /// Address to listen on (port 0: any free port, printed at start).
        #[arg(long, default_value = "127.0.0.1:50051")]
        listen: SocketAddr,
        /// Directory of the job database.
        #[arg(long)]
        data_dir: PathBuf,
        /// Keys file (JSON lines of borough and key_sha256).
        #[arg(long)]
        keys_file: PathBuf,
        /// Road network (.osm.pbf, or a network saved by senroute-roads) for
        /// problems without their own matrices.
        #[arg(long)]
        roads: Option<PathBuf>,
        /// Jobs planned at once.
        #[arg(long, default_value_t = 1)]
        workers: usize,
        /// Solver threads per job.
        #[arg(long, default_value_t = 1)]
        solver_threads: usize,
        /// Most jobs waiting in the queue.
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
    },
    /// Mint an API key for a borough: appends its SHA-256 to the keys file
    /// and prints the key once on standard output.
    MintKey {
        /// Keys file (created if missing).
        #[arg(long)]
        keys_file: PathBuf,
        /// The borough's GSS code, e.g. E09000007 for Camden.
        #[arg(long)]
        borough: String,
        /// Who holds the key.
        #[arg(long, default_value = "")]
        label: String,
    },
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::MintKey {
            keys_file,
            borough,
            label,
        } => senroute_service::auth::add_key(&keys_file, &borough, &label)
            .map(|key| println!("{key}"))
            .map_err(|e| e.to_string()),
        Command::Serve {
            listen,
            data_dir,
            keys_file,
            roads,
            workers,
            solver_threads,
            queue_limit,
            max_request_mib,
            max_pupils,
            max_time_limit_s,
            tls_cert,
            tls_key,
        } => {
            let mut c = senroute_service::ServeConfig::new(listen, data_dir, keys_file);
            c.roads = roads;
            c.workers = workers;
            c.solver_threads = solver_threads;
            c.queue_limit = queue_limit;
            c.max_request_bytes = max_request_mib << 20;
            c.max_pupils = max_pupils;
            c.max_time_limit = Duration::from_secs_f64(max_time_limit_s.max(0.0));
            c.tls = tls_cert.zip(tls_key);
            senroute_service::run(c).map_err(|e| e.to_string())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("senroute-service: {e}");
            ExitCode::FAILURE
        }
    }
}
