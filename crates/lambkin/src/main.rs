//! The `lambkin` binary: the server (`serve`) and the CLI that talks to it over HTTP.
//! Wiring only; the behaviour lives in the library crates.

mod cli;
mod client;
mod commands;
mod runtime;
mod serve;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    // The server takes half the cores (see runtime.rs); CLI commands and `bench` clients get
    // tokio's default.
    let workers = match &cli.command {
        cli::Command::Serve(a) => Some(
            a.worker_threads
                .map_or_else(runtime::default_server_workers, usize::from),
        ),
        _ => None,
    };
    let runtime = match runtime::build(workers) {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("lambkin: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("lambkin: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
