//! `lambkin bench`: the load generators behind BENCHMARKS.md. Each scenario prints what it
//! measured; nothing here asserts a target.

mod accept;
mod cold;
mod drain;
mod dynamodb;
mod eventbridge;
mod failures;
mod latency;
mod load;
mod patterns;
mod reserved;
mod retention;
mod s3;
mod s3_notify;
mod setup;
mod sqs;
mod sqs_mapping;
mod stats;
mod sync;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    pub scenario: Scenario,
}

#[derive(Debug, Subcommand)]
pub enum Scenario {
    /// Durable `Event` accepts/s and accept latency against a running server.
    Accept(accept::AcceptArgs),
    /// Warm synchronous invoke round trips against a running server.
    Sync(sync::SyncArgs),
    /// Pre-fill a fresh data folder, start a server on it, time the drain; also RSS with a
    /// large pending queue (`--hold`).
    Drain(drain::DrainArgs),
    /// 202 → handler start with a warm idle environment.
    Latency(latency::LatencyArgs),
    /// Cold start to first `next` (Init Duration) per runtime.
    Cold(cold::ColdArgs),
    /// SQS SendMessage, then ReceiveMessage + DeleteMessage, with N clients.
    Sqs(sqs::SqsArgs),
    /// Messages/s through an SQS event source mapping into the no-op function, per batch
    /// size, against plain ReceiveMessage + DeleteMessageBatch clients.
    SqsMapping(sqs_mapping::SqsMappingArgs),
    /// S3 PutObject, then GetObject, of one object size with N clients.
    S3(s3::S3Args),
    /// EventBridge PutEvents entries/s with N rules on a bus (each event matching one).
    PutEvents(eventbridge::PutEventsArgs),
    /// Schedule firing lateness (p50/p99 from the server's histogram) while N scheduled rules
    /// fire; run the server with a compressed `--time-scale`.
    Schedules(eventbridge::ScheduleArgs),
    /// DynamoDB PutItem, GetItem and conditional PutItem with N clients; Query of 100 items
    /// from a table of M items; the server's memory.
    Dynamodb(dynamodb::DynamoArgs),
    /// The event-pattern engine: events/s matched against N rules, in process.
    Patterns(patterns::PatternsArgs),
    /// Upload → handler start: PutObject into a bucket whose notification invokes a warm
    /// function.
    S3Notify(s3_notify::S3NotifyArgs),
    /// N events that all fail, from the first 202 to the last OnFailure record in SQS.
    Failures(failures::FailuresArgs),
    /// A backlog behind reserved concurrency: N events × S ms at reserved concurrency R,
    /// against the ideal ceil(N/R) × S.
    Reserved(reserved::ReservedArgs),
    /// Accepts measured while retention removes N events that finished long ago.
    Prune(retention::PruneArgs),
    /// A steady stream of events for longer than a compressed retention; the data folder's
    /// size sampled as it goes.
    Soak(retention::SoakArgs),
}

/// The server and the no-op function a scenario runs against.
#[derive(Debug, Args, Clone)]
pub struct TargetArgs {
    #[arg(
        long,
        env = "LAMBKIN_ENDPOINT",
        default_value = "http://127.0.0.1:9070"
    )]
    pub endpoint: String,
    #[arg(long, default_value = "bench-noop")]
    pub function: String,
    #[command(flatten)]
    pub functions: FunctionArgs,
}

/// Where the benchmark functions come from.
#[derive(Debug, Args, Clone)]
pub struct FunctionArgs {
    /// The no-op `lambda_runtime` function (`cargo build --release --example rust-echo`).
    #[arg(long, default_value = "target/release/examples/rust-echo")]
    pub bootstrap: PathBuf,
    /// Folder with the example functions (for Node and Python).
    #[arg(long, default_value = "examples/functions")]
    pub examples: PathBuf,
}

pub async fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    match args.scenario {
        Scenario::Accept(a) => accept::run(a).await?,
        Scenario::Sync(a) => sync::run(a).await?,
        Scenario::Drain(a) => drain::run(a).await?,
        Scenario::Latency(a) => latency::run(a).await?,
        Scenario::Cold(a) => cold::run(a).await?,
        Scenario::Sqs(a) => sqs::run(a).await?,
        Scenario::SqsMapping(a) => sqs_mapping::run(a).await?,
        Scenario::S3(a) => s3::run(a).await?,
        Scenario::Patterns(a) => patterns::run(a).await?,
        Scenario::Dynamodb(a) => dynamodb::run(a).await?,
        Scenario::PutEvents(a) => eventbridge::put_events(a).await?,
        Scenario::Schedules(a) => eventbridge::schedules(a).await?,
        Scenario::S3Notify(a) => s3_notify::run(a).await?,
        Scenario::Failures(a) => failures::run(a).await?,
        Scenario::Reserved(a) => reserved::run(a).await?,
        Scenario::Prune(a) => retention::prune(a).await?,
        Scenario::Soak(a) => retention::soak(a).await?,
    }
    Ok(ExitCode::SUCCESS)
}
