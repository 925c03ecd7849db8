//! Command-line surface. Every server flag can also come from a `LAMBKIN_*` variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// The default address: one documented port on loopback.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:9070";

#[derive(Debug, Parser)]
#[command(
    name = "lambkin",
    version,
    about = "A self-hosted, AWS-Lambda-compatible function platform"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server.
    Serve(ServeArgs),
    /// Create or update a function from a folder or a zip.
    Deploy(DeployArgs),
    /// Invoke a function, synchronously or as an async event.
    Invoke(InvokeArgs),
    /// Show an async event: its state and every attempt.
    Inspect(InspectArgs),
    /// Print (and follow) a function's log.
    Logs(LogsArgs),
    /// List a function's recent async events.
    Events(EventsArgs),
    /// Queue and environment counters of a running server.
    Status(ClientArgs),
    /// Dead-letter queues: run failed events again.
    #[command(subcommand)]
    Dlq(DlqCommand),
    /// Measure the server (see BENCHMARKS.md).
    Bench(crate::commands::bench::BenchArgs),
    /// Internal: the process `serve` starts to kill function processes if it dies.
    #[command(hide = true)]
    ReapEnvironments,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "LAMBKIN_LISTEN", default_value = DEFAULT_LISTEN)]
    pub listen: SocketAddr,
    /// Folder holding the queue, function code and logs.
    #[arg(long, env = "LAMBKIN_DATA_DIR", default_value = ".lambkin")]
    pub data_dir: PathBuf,
    /// Keep the queue, SQS, SNS, S3 metadata, EventBridge, DynamoDB and the catalog in
    /// PostgreSQL instead of the embedded store: `postgres://user@host:5432/db` (libpq's URL
    /// and keywords). Function code, logs and S3 object bodies stay in --data-dir. One node per
    /// database for now: a second is refused (clustering is issue 16 §2).
    #[arg(long, env = "LAMBKIN_STORE")]
    pub store: Option<String>,
    /// Compresses the async schedule, (0, 1]: 0.01 makes a 1-minute retry take 0.6 s.
    ///
    /// Scaled: the retry delays after a function error (1 and 2 minutes), the maximum event age
    /// (default 6 h, or the function's MaximumEventAgeInSeconds), the retry delays of
    /// dead-letter, destination and SNS deliveries, and --retention. Not scaled: function timeouts, run time and
    /// init, keep-alive, leases, and SQS's own timers (visibility timeout, delays, retention,
    /// long polls). An event's age runs at the scaled rate while it waits for a busy
    /// function's slot or while earlier attempts run at real speed, so below 1 a deep backlog
    /// reaches its (scaled) maximum age sooner than it would on AWS; measure backlogs at 1.
    #[arg(long, env = "LAMBKIN_TIME_SCALE", default_value_t = 1.0)]
    pub time_scale: f64,
    /// How long finished events, their attempts and deliveries, delivered SNS messages and
    /// function log lines are kept: `72h`, `30m`, `7d`, `1h30m`, or seconds. Nothing queued,
    /// running, scheduled for a retry or owed a delivery is ever removed. Scaled by
    /// --time-scale.
    #[arg(long, env = "LAMBKIN_RETENTION", default_value = "72h", value_parser = parse_duration)]
    pub retention: std::time::Duration,
    /// Account-wide concurrent executions (default: 16 per core, at least 32).
    #[arg(long, env = "LAMBKIN_MAX_CONCURRENCY")]
    pub max_concurrency: Option<u32>,
    /// Concurrency that reservations must leave unreserved (default: a tenth of the account limit).
    #[arg(long, env = "LAMBKIN_UNRESERVED_MIN")]
    pub unreserved_min: Option<u32>,
    /// Seconds an idle environment is kept warm.
    #[arg(long, env = "LAMBKIN_KEEP_ALIVE", default_value_t = 300)]
    pub keep_alive: u64,
    /// Seconds running invocations get to finish on shutdown before they are handed back.
    #[arg(long, env = "LAMBKIN_SHUTDOWN_GRACE", default_value_t = 10)]
    pub shutdown_grace: u64,
    /// Threads serving HTTP and running the engine (default: half the cores, at least one;
    /// functions need the rest).
    #[arg(long, env = "LAMBKIN_WORKER_THREADS", value_parser = clap::value_parser!(u16).range(1..))]
    pub worker_threads: Option<u16>,
    /// Cores each function process may use: `memory` gives one per 1,769 MB of MemorySize (at
    /// least one), as AWS sizes CPU by memory; `all` lets every process use every core.
    #[arg(long, env = "LAMBKIN_ENV_CORES", value_enum, default_value_t = EnvCores::Memory)]
    pub env_cores: EnvCores,
    #[arg(long, env = "LAMBKIN_REGION", default_value = "us-east-1")]
    pub region: String,
    #[arg(long, env = "LAMBKIN_ACCOUNT_ID", default_value = "000000000000")]
    pub account_id: String,
    /// Keep owed DLQ/destination/SNS deliveries in the outbox without performing them
    /// (for crash tests and for inspecting what would be delivered).
    #[arg(long, env = "LAMBKIN_HOLD_DELIVERIES", hide = true)]
    pub hold_deliveries: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum EnvCores {
    Memory,
    All,
}

impl From<EnvCores> for lambkin_engine::EnvironmentCores {
    fn from(c: EnvCores) -> Self {
        match c {
            EnvCores::Memory => lambkin_engine::EnvironmentCores::ByMemory,
            EnvCores::All => lambkin_engine::EnvironmentCores::All,
        }
    }
}

#[derive(Debug, Args, Clone)]
pub struct ClientArgs {
    /// The server's URL.
    #[arg(
        long,
        env = "LAMBKIN_ENDPOINT",
        default_value = "http://127.0.0.1:9070",
        global = true
    )]
    pub endpoint: String,
    /// Print machine-readable JSON.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DeployArgs {
    /// A folder (zipped for you) or a .zip file.
    pub path: PathBuf,
    #[arg(long)]
    pub name: String,
    /// e.g. nodejs20.x, python3.12, provided.al2023
    #[arg(long)]
    pub runtime: String,
    /// e.g. index.handler, lambda_function.lambda_handler, bootstrap
    #[arg(long)]
    pub handler: String,
    /// Seconds (1–900).
    #[arg(long)]
    pub timeout: Option<u32>,
    /// MB (128–10240).
    #[arg(long)]
    pub memory: Option<u32>,
    /// KEY=VALUE, repeatable.
    #[arg(long = "env", value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    #[arg(long, default_value = "arn:aws:iam::000000000000:role/lambkin")]
    pub role: String,
    #[command(flatten)]
    pub client: ClientArgs,
}

#[derive(Debug, Args)]
pub struct InvokeArgs {
    pub name: String,
    /// Queue an `Event` invocation instead of waiting for the result.
    #[arg(long = "async")]
    pub is_async: bool,
    /// JSON, or @file to read it from a file.
    #[arg(long, default_value = "{}")]
    pub payload: String,
    /// Print the invocation's log tail (synchronous only).
    #[arg(long)]
    pub tail: bool,
    #[command(flatten)]
    pub client: ClientArgs,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    pub request_id: String,
    #[command(flatten)]
    pub client: ClientArgs,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    pub name: String,
    /// Keep printing new lines as they arrive.
    #[arg(long, short)]
    pub follow: bool,
    #[command(flatten)]
    pub client: ClientArgs,
}

#[derive(Debug, Args)]
pub struct EventsArgs {
    pub name: String,
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Only events that ended Failed (RetriesExhausted, EventAgeExceeded, ZeroReservedConcurrency,
    /// RecursiveInvocationException).
    #[arg(long)]
    pub failed: bool,
    #[command(flatten)]
    pub client: ClientArgs,
}

#[derive(Debug, Subcommand)]
pub enum DlqCommand {
    /// Queue the messages of a function's dead-letter queue (or OnFailure SQS queue) as new
    /// async events with their original payloads; each message is deleted once its event is durable.
    Redrive(RedriveArgs),
}

#[derive(Debug, Args)]
pub struct RedriveArgs {
    /// Function name or ARN.
    pub name: String,
    /// Most messages to move.
    #[arg(long, default_value_t = 1000)]
    pub max: usize,
    #[command(flatten)]
    pub client: ClientArgs,
}

/// A duration as people write it: `72h`, `30m`, `7d`, `45s`, `1h30m`, or a number of seconds.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let bad = || format!("{text:?} is not a duration (try 72h, 30m, 7d, 1h30m or seconds)");
    if let Ok(secs) = text.parse::<u64>() {
        return (secs > 0)
            .then(|| std::time::Duration::from_secs(secs))
            .ok_or_else(bad);
    }
    let mut total: u64 = 0;
    let mut digits = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return Err(bad()),
        };
        let n: u64 = digits.parse().map_err(|_| bad())?;
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(bad)?;
        digits.clear();
    }
    if !digits.is_empty() || total == 0 {
        return Err(bad());
    }
    Ok(std::time::Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_as_people_write_them() {
        let s = std::time::Duration::from_secs;
        for (text, want) in [
            ("72h", Some(s(72 * 3600))),
            ("30m", Some(s(1800))),
            ("7d", Some(s(7 * 86_400))),
            ("1h30m", Some(s(5400))),
            ("90", Some(s(90))),
            ("45s", Some(s(45))),
            ("0h", None),
            ("0", None),
            ("h", None),
            ("3x", None),
            ("1h30", None),
            ("", None),
        ] {
            assert_eq!(parse_duration(text).ok(), want, "{text:?}");
        }
    }
}
