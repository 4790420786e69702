//! `senroute-service`: run the gRPC server, or mint a borough API key.
//!
//! ```text
//! senroute-service mint-key --keys-file keys.jsonl --borough E09000007 --label "Camden SEN transport"
//! senroute-service serve --listen 0.0.0.0:50051 --data-dir /var/lib/senroute \
//!     --keys-file keys.jsonl --roads london.osm.pbf --workers 2
//! ```

use clap::{Parser, Subcommand};
use senroute_service::cli::{MintKeyArgs, ServeArgs};
use std::process::ExitCode;

#[derive(Parser)]
#[command(version, about = "senroute gRPC service for boroughs")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve senroute.v1.RoutingService until SIGTERM or ctrl-c.
    Serve(Box<ServeArgs>),
    /// Mint an API key for a borough: appends its SHA-256 to the keys file
    /// and prints the key once on standard output.
    MintKey(MintKeyArgs),
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::MintKey(a) => senroute_service::auth::add_key(&a.keys_file, &a.borough, &a.label)
            .map(|key| println!("{key}"))
            .map_err(|e| e.to_string()),
        Command::Serve(a) => senroute_service::run(a.into_config()).map_err(|e| e.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("senroute-service: {e}");
            ExitCode::FAILURE
        }
    }
}
