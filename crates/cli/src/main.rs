//! `senroute`: plan home-to-school transport for pupils with special
//! educational needs, from pupil lists to routes, maps and reports.
//!
//! Exit codes: 0 success, 2 input errors (every problem is printed, naming
//! file, line and field), 3 a plan given to `check` breaks a rule (every
//! violation is printed), 1 internal errors.

mod app;
mod check;
mod commands;
mod durations;
mod generate;
mod pool;
mod pool_study;
mod progress;
mod replan;
mod scale;
mod serve;
mod sweep;
mod via;

use clap::Parser;
use std::process::ExitCode;

/// Plan home-to-school transport for pupils with special educational needs.
#[derive(Parser, Debug)]
#[command(name = "senroute", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: commands::Command,
    /// Print nothing but errors.
    #[arg(long, global = true)]
    quiet: bool,
    /// Print machine-readable JSON on stdout instead of the human summary.
    #[arg(long, global = true)]
    json: bool,
}

/// A failure, by whose fault it is.
#[derive(Debug)]
pub enum Failure {
    /// Bad input: exit code 2.
    Input(String),
    /// The plan checked breaks a rule (`check`): exit code 3. The
    /// violations are printed already; this is the summary.
    Rules(String),
    /// Our fault or the machine's: exit code 1.
    Internal(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Internal(e)
    }
}

impl From<senroute_model::InputErrors> for Failure {
    fn from(e: senroute_model::InputErrors) -> Self {
        Failure::Input(e.to_string())
    }
}

/// Output settings shared by the subcommands.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    /// Only errors.
    pub quiet: bool,
    /// JSON on stdout.
    pub json: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let out = Output {
        quiet: cli.quiet,
        json: cli.json,
    };
    match commands::run(cli.command, out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(msg)) => {
            eprintln!("error: {}", msg.trim_end());
            ExitCode::from(2)
        }
        Err(Failure::Rules(msg)) => {
            eprintln!("error: {}", msg.trim_end());
            ExitCode::from(3)
        }
        Err(Failure::Internal(e)) => {
            eprintln!("internal error: {e:#}");
            ExitCode::from(1)
        }
    }
}
