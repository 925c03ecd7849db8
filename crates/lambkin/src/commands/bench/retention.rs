//! Retention under load. `prune`: a data folder holding N events that finished long before the
//! retention, a server started on it, and the accept path measured while retention removes
//! them. `soak`: a steady stream of events for longer than a (compressed) retention, with the
//! data folder's size sampled as it goes: it must level off.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use clap::Args;
use hyper::Method;
use lambkin_model::{
    Clock, FunctionName, NextState, OutcomeKind, RequestId, SystemClock, Timestamp,
};
use lambkin_store::{AttemptFinish, AttemptRecord, ClaimRequest, NewEvent, Queue, SqliteStore};

use super::accept::padded_payload;
use super::setup::{self, Server};
use super::{FunctionArgs, load};
use crate::client::Client;

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// A fresh folder (must not exist or be empty).
    #[arg(long)]
    pub data_dir: PathBuf,
    /// Events that finished 100 hours ago (the default retention is 72 h).
    #[arg(long, default_value_t = 1_000_000)]
    pub count: usize,
    /// How long to measure accepts for.
    #[arg(long, default_value_t = 30)]
    pub seconds: u64,
    #[arg(long, default_value_t = 64)]
    pub clients: usize,
    #[command(flatten)]
    pub functions: FunctionArgs,
}

#[derive(Debug, Args)]
pub struct SoakArgs {
    /// A fresh folder (must not exist or be empty).
    #[arg(long)]
    pub data_dir: PathBuf,
    /// Events per second, sent at a steady pace.
    #[arg(long, default_value_t = 1000)]
    pub rate: u64,
    #[arg(long, default_value_t = 180)]
    pub seconds: u64,
    /// Passed to the server: the retention and the time scale that compresses it.
    #[arg(long, default_value = "72h")]
    pub retention: String,
    #[arg(long, default_value_t = 0.0002)]
    pub time_scale: f64,
    /// Sample the folder's size this often.
    #[arg(long, default_value_t = 10)]
    pub every: u64,
    #[command(flatten)]
    pub functions: FunctionArgs,
}

const FUNCTION: &str = "bench-retention";

/// Bytes of the store (database and WAL) and of the function logs.
fn sizes(dir: &Path) -> (u64, u64) {
    let file = |name: &str| std::fs::metadata(dir.join(name)).map_or(0, |m| m.len());
    let db = file("queue.db") + file("queue.db-wal");
    let logs = walk(&dir.join("logs"));
    (db, logs)
}

fn walk(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => walk(&e.path()),
            _ => e.metadata().map_or(0, |m| m.len()),
        })
        .sum()
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Creates the function with a server on `dir`, then stops it.
async fn create_function(dir: &Path, functions: &FunctionArgs) -> anyhow::Result<()> {
    let server = Server::start(dir, &[])?;
    let client = Client::new(&server.url);
    setup::deploy(
        &client,
        FUNCTION,
        "provided.al2023",
        "bootstrap",
        &setup::binary_zip(&functions.bootstrap)?,
        900,
    )
    .await?;
    server.stop()
}

/// `count` events of the function, enqueued, run and succeeded 100 hours ago, written through
/// the store as the server would have.
async fn fill_finished(dir: &Path, count: usize) -> anyhow::Result<()> {
    let store = Arc::new(SqliteStore::open(dir)?);
    let function = FunctionName::parse(FUNCTION)?;
    let long_ago = Timestamp(SystemClock.now().0 - 100 * 3_600_000);
    let per_task = count.div_ceil(64);
    let tasks: Vec<_> = (0..64)
        .map(|t| {
            let (store, function) = (store.clone(), function.clone());
            let n = per_task.min(count.saturating_sub(t * per_task));
            tokio::spawn(async move {
                for _ in 0..n {
                    store
                        .enqueue(NewEvent {
                            request_id: RequestId::random(),
                            function: function.clone(),
                            qualifier: None,
                            version: None,
                            payload: padded_payload(256).to_vec(),
                            enqueued_at: long_ago,
                            chain: 1,
                        })
                        .await?;
                }
                anyhow::Ok(())
            })
        })
        .collect();
    for t in tasks {
        t.await??;
    }
    loop {
        let claimed = store
            .claim(&ClaimRequest::any(
                SystemClock.now(),
                4096,
                SystemClock.now().plus(Duration::from_secs(600)),
            ))
            .await?
            .events;
        if claimed.is_empty() {
            break;
        }
        let finishes = claimed
            .iter()
            .map(|c| AttemptFinish {
                seq: c.seq,
                attempt: Some(AttemptRecord {
                    started_at: long_ago,
                    ended_at: long_ago.plus(Duration::from_millis(3)),
                    outcome: OutcomeKind::Success,
                    error: None,
                }),
                next: NextState::Succeeded,
                invocations: 1,
                throttles: 0,
                response: None,
                function_error: None,
                decided_at: long_ago,
                deliveries: Vec::new(),
            })
            .collect();
        store.finish_batch(finishes).await?;
    }
    Ok(())
}

pub async fn prune(a: PruneArgs) -> anyhow::Result<()> {
    create_function(&a.data_dir, &a.functions).await?;
    let filled = Instant::now();
    fill_finished(&a.data_dir, a.count).await?;
    let (db_before, _) = sizes(&a.data_dir);
    println!(
        "filled {} events that finished 100 h ago in {:.1} s; store {:.0} MB",
        a.count,
        filled.elapsed().as_secs_f64(),
        mb(db_before)
    );

    // Accepts queue behind one long event, so the figure is the accept path's.
    let server = Server::start(&a.data_dir, &["--max-concurrency", "1"])?;
    let started = Instant::now();
    let client = Client::new(&server.url);
    let pruned_at: Arc<std::sync::Mutex<Option<(Duration, u64)>>> = Arc::default();
    let watching = Arc::new(AtomicBool::new(true));
    let watcher = {
        let (client, pruned_at, watching) = (client.clone(), pruned_at.clone(), watching.clone());
        let dir = a.data_dir.clone();
        tokio::spawn(async move {
            while watching.load(Ordering::Relaxed) {
                if let Ok(v) = async { client.get("/_lambkin/v1/status").await?.json() }.await
                    && v["queue"]["succeeded"].as_u64() == Some(0)
                {
                    if let Ok(mut p) = pruned_at.lock() {
                        p.get_or_insert((started.elapsed(), sizes(&dir).0));
                    }
                    return;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let path = Arc::new(format!("/2015-03-31/functions/{FUNCTION}/invocations"));
    let payload = Bytes::from(format!(
        r#"{{"sleep_ms":600000,"pad":"{}"}}"#,
        "x".repeat(990)
    ));
    let result = load::run(a.clients, Duration::from_secs(a.seconds), move || {
        let (client, path, payload) = (client.clone(), path.clone(), payload.clone());
        async move {
            client
                .send(
                    Method::POST,
                    &path,
                    &[("x-amz-invocation-type", "Event")],
                    payload,
                )
                .await
                .is_ok_and(|r| r.status.as_u16() == 202)
        }
    })
    .await?;
    watching.store(false, Ordering::Relaxed);
    let _ = watcher.await;
    let pruned = *pruned_at.lock().map_err(|_| anyhow::anyhow!("lock"))?;
    let (db_after, _) = sizes(&a.data_dir);
    println!(
        "accept while pruning {} expired events: {}; all pruned {}; store {:.0} MB before, {:.0} MB at the end (with the accepted events)",
        a.count,
        result.report(),
        pruned.map_or("NOT within the run".to_string(), |(d, db)| format!(
            "{:.1} s after the server started (store then {:.0} MB)",
            d.as_secs_f64(),
            mb(db)
        )),
        mb(db_before),
        mb(db_after)
    );
    server.stop()
}

pub async fn soak(a: SoakArgs) -> anyhow::Result<()> {
    create_function(&a.data_dir, &a.functions).await?;
    let scale = a.time_scale.to_string();
    let server = Server::start(
        &a.data_dir,
        &["--retention", &a.retention, "--time-scale", &scale],
    )?;
    let client = Client::new(&server.url);
    let path = format!("/2015-03-31/functions/{FUNCTION}/invocations");
    let started = Instant::now();
    let every = Duration::from_secs(a.every);
    let mut next_sample = Duration::ZERO;
    let mut sent = 0u64;
    let mut ticker = tokio::time::interval(Duration::from_millis(10));
    let per_tick = (a.rate / 100).max(1);
    println!(
        "soak: {} events/s, retention {} at time scale {}",
        a.rate, a.retention, a.time_scale
    );
    println!(
        "{:>6}  {:>10}  {:>9}  {:>9}  {:>10}",
        "s", "events", "store MB", "logs MB", "in store"
    );
    while started.elapsed() < Duration::from_secs(a.seconds) {
        ticker.tick().await;
        let mut batch = tokio::task::JoinSet::new();
        for _ in 0..per_tick {
            let (client, path) = (client.clone(), path.clone());
            batch.spawn(async move {
                client
                    .send(
                        Method::POST,
                        &path,
                        &[("x-amz-invocation-type", "Event")],
                        Bytes::from_static(b"{}"),
                    )
                    .await
            });
        }
        while let Some(reply) = batch.join_next().await {
            if reply??.status.as_u16() == 202 {
                sent += 1;
            }
        }
        if started.elapsed() >= next_sample {
            next_sample += every;
            let (db, logs) = sizes(&a.data_dir);
            let status = client.get("/_lambkin/v1/status").await?.json()?;
            let q = &status["queue"];
            let kept = q["succeeded"].as_u64().unwrap_or(0) + q["failed"].as_u64().unwrap_or(0);
            println!(
                "{:>6.0}  {sent:>10}  {:>9.1}  {:>9.1}  {kept:>10}",
                started.elapsed().as_secs_f64(),
                mb(db),
                mb(logs)
            );
        }
    }
    server.stop()
}
