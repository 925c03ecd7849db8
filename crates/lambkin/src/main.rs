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
    // Only the server pins its workers; CLI commands (and `bench` clients) run unpinned.
    let pin_workers = matches!(&cli.command, cli::Command::Serve(a) if a.pin_workers);
    let runtime = match runtime::build(pin_workers) {
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
