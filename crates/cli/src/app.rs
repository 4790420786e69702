//! `senroute app`: the web app for a coordinator on their own machine —
//! bundled roads, an embedded SQLite job store, no keys (loopback only).
//! It is the service's web app ([`senroute_service::http`]) without the
//! gRPC listener.

use crate::Failure;
use clap::Args;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The bundled road network (Camden, Westminster and the City).
const BUNDLED_ROADS: &str = "data/osm/london_camden_westminster_city_drive_mixed.osm.pbf";

/// Flags of `app`.
#[derive(Args, Debug, Clone)]
pub struct AppArgs {
    /// Address of the web app; loopback only (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Road network: an `.osm.pbf` extract or a file from `senroute
    /// prepare` (default: the bundled Camden + Westminster + City roads,
    /// run from the repository root).
    #[arg(long, default_value = BUNDLED_ROADS)]
    roads: PathBuf,
    /// Directory of the job database (created if missing); plans survive a
    /// restart.
    #[arg(long, default_value = "senroute-app")]
    data_dir: PathBuf,
    /// Solver threads per plan (default: the machine's cores, at most 4).
    #[arg(long)]
    solver_threads: Option<usize>,
}

/// Runs the app until Ctrl-C or SIGTERM, printing its URL once it listens.
pub fn app(a: AppArgs) -> Result<(), Failure> {
    if !a.listen.ip().is_loopback() {
        return Err(Failure::Input(format!(
            "--listen {}: the app has no keys, so it listens on loopback only (e.g. 127.0.0.1:8080); to serve boroughs over the network use `senroute serve --http ADDR --keys-file …`",
            a.listen
        )));
    }
    if !a.roads.exists() {
        return Err(Failure::Input(format!(
            "{} not found: run `senroute app` from the repository root, or pass --roads",
            a.roads.display()
        )));
    }
    let mut c = senroute_service::ServeConfig::new(a.listen, a.data_dir, PathBuf::new());
    c.open_app = true;
    c.http = Some(a.listen);
    c.roads = Some(a.roads);
    c.solver_threads = a.solver_threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(4)
    });
    c.max_request_bytes = 64 << 20;
    c.shutdown_grace = Duration::from_secs(2);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Internal(e.into()))?;
    runtime.block_on(async move {
        eprintln!("senroute app: loading the road network …");
        let handle = senroute_service::spawn(c)
            .await
            .map_err(|e| Failure::Input(e.to_string()))?;
        let addr = handle.http_addr().unwrap_or(handle.local_addr());
        println!("senroute app: open http://{addr}/ in your browser (Ctrl-C to stop)");
        let _ = std::io::stdout().flush();
        senroute_service::shutdown_signal().await;
        eprintln!("senroute app: stopping");
        handle
            .shutdown()
            .await
            .map_err(|e| Failure::Internal(anyhow::anyhow!(e.to_string())))
    })
}
