//! Draining a pre-filled queue: fill a fresh data folder through the store (server stopped),
//! start a server on it and time until every event succeeded. With `--hold`, measure the
//! server's memory while the events stay pending instead.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use lambkin_model::{Clock, FunctionName, RequestId, SystemClock};
use lambkin_store::{NewEvent, Queue, SqliteStore};

use super::FunctionArgs;
use super::accept::padded_payload;
use super::setup::{self, Server, cpu_seconds, machine_busy_seconds, rss_mb};
use crate::client::Client;

#[derive(Debug, Args)]
pub struct DrainArgs {
    /// A fresh folder (must not exist or be empty).
    #[arg(long)]
    pub data_dir: PathBuf,
    #[arg(long, default_value_t = 100_000)]
    pub count: usize,
    /// Account concurrency of the server that drains.
    #[arg(long, default_value_t = 8)]
    pub concurrency: u32,
    #[arg(long, default_value_t = 64)]
    pub payload_bytes: usize,
    /// Do not drain: keep the events pending (a 60 s sleep each, concurrency 1) and report RSS.
    #[arg(long)]
    pub hold: bool,
    /// Drain from PostgreSQL (`postgres://…`, an empty database) instead of the embedded store;
    /// "whole machine" CPU then includes PostgreSQL's.
    #[arg(long)]
    pub store: Option<String>,
    #[command(flatten)]
    pub functions: FunctionArgs,
}

const FUNCTION: &str = "bench-drain";

pub async fn run(a: DrainArgs) -> anyhow::Result<()> {
    let store_args: Vec<&str> = match &a.store {
        Some(url) => vec!["--store", url.as_str()],
        None => Vec::new(),
    };
    // 1. Create the function with a server, then stop it.
    let server = Server::start(&a.data_dir, &store_args)?;
    let idle_rss = rss_mb(server.pid());
    let client = Client::new(&server.url);
    setup::deploy(
        &client,
        FUNCTION,
        "provided.al2023",
        "bootstrap",
        &setup::binary_zip(&a.functions.bootstrap)?,
        120,
    )
    .await?;
    server.stop()?;

    // 2. Fill the queue directly, as many concurrent enqueues as the writer can batch.
    let payload = if a.hold {
        br#"{"sleep_ms":60000}"#.to_vec()
    } else {
        padded_payload(a.payload_bytes).to_vec()
    };
    let fill_started = Instant::now();
    {
        let store: Arc<dyn Queue> = match &a.store {
            Some(url) => Arc::new(lambkin_postgres::PgStore::connect(url).await?),
            None => Arc::new(SqliteStore::open(&a.data_dir)?),
        };
        let function = FunctionName::parse(FUNCTION)?;
        let per_task = a.count.div_ceil(64);
        let tasks: Vec<_> = (0..64)
            .map(|t| {
                let (store, function, payload) = (store.clone(), function.clone(), payload.clone());
                let n = per_task.min(a.count.saturating_sub(t * per_task));
                tokio::spawn(async move {
                    for _ in 0..n {
                        store
                            .enqueue(NewEvent {
                                request_id: RequestId::random(),
                                function: function.clone(),
                                qualifier: None,
                                version: None,
                                payload: payload.clone(),
                                enqueued_at: SystemClock.now(),
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
    }
    println!(
        "filled {} events in {:.2} s",
        a.count,
        fill_started.elapsed().as_secs_f64()
    );

    // 3. Start the draining server and watch.
    let concurrency = if a.hold {
        "1".to_string()
    } else {
        a.concurrency.to_string()
    };
    let started = Instant::now();
    let mut args = vec!["--max-concurrency", concurrency.as_str()];
    args.extend(store_args.iter().copied());
    let server = Server::start(&a.data_dir, &args)?;
    let client = Client::new(&server.url);
    if a.hold {
        tokio::time::sleep(Duration::from_secs(5)).await;
        let early = rss_mb(server.pid());
        tokio::time::sleep(Duration::from_secs(10)).await;
        let late = rss_mb(server.pid());
        let status = client.get("/_lambkin/v1/status").await?.json()?;
        println!(
            "rss: idle (empty store) {idle_rss:.1} MB; with {} pending: {early:.1} MB after 5 s, {late:.1} MB after 15 s; queue {}",
            a.count, status["queue"]
        );
        server.stop()?;
        return Ok(());
    }
    let mut peak_rss: f64 = 0.0;
    let busy_at_start = machine_busy_seconds();
    loop {
        let status = client.get("/_lambkin/v1/status").await?.json()?;
        peak_rss = peak_rss.max(rss_mb(server.pid()));
        let done = status["queue"]["succeeded"].as_u64().unwrap_or(0)
            + status["queue"]["failed"].as_u64().unwrap_or(0);
        if done >= a.count as u64 {
            let secs = started.elapsed().as_secs_f64();
            let server_cpu = cpu_seconds(server.pid());
            let machine_cpu = machine_busy_seconds() - busy_at_start;
            let per_event = |cpu: f64| cpu / a.count as f64 * 1e6;
            println!(
                "drain: {} events at concurrency {} in {secs:.2} s = {:.0} events/s (from server start); failed {}; \
                 CPU per event: server {:.0} µs, whole machine {:.0} µs; peak rss {peak_rss:.1} MB; environments {}",
                a.count,
                a.concurrency,
                a.count as f64 / secs,
                status["queue"]["failed"],
                per_event(server_cpu),
                per_event(machine_cpu),
                status["environments"]
            );
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    server.stop()
}
