//! The CLI commands.

pub mod bench;
pub mod deploy;
mod inspect;
mod invoke;

use std::process::ExitCode;

use crate::cli::{Cli, Command};

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve(args) => {
            init_tracing();
            crate::serve::run(args).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Deploy(args) => deploy::run(args).await,
        Command::Invoke(args) => invoke::run(args).await,
        Command::Inspect(args) => inspect::inspect(args).await,
        Command::Logs(args) => inspect::logs(args).await,
        Command::Events(args) => inspect::events(args).await,
        Command::Status(args) => inspect::status(args).await,
        Command::Dlq(crate::cli::DlqCommand::Redrive(args)) => inspect::redrive(args).await,
        Command::Bench(args) => bench::run(args).await,
        Command::ReapEnvironments => {
            lambkin_engine::run_reaper(std::io::stdin().lock())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("LAMBKIN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
