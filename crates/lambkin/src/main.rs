//! The `lambkin` binary: the server (`serve`) and the CLI that talks to it over HTTP.
//! Wiring only; the behaviour lives in the library crates.

mod cli;
mod client;
mod commands;
mod serve;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = std::env::var("LAMBKIN_WORKER_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        builder.worker_threads(n);
    }
    let runtime = match builder.enable_all().build() {
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
