//! The `lambkin` binary: the server (`serve`) and the CLI that talks to it over HTTP.
//! Wiring only; the behaviour lives in the library crates.

mod cli;
mod client;
mod commands;
mod serve;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
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
