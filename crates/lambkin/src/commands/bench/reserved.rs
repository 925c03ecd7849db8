//! A backlog behind reserved concurrency: N events sent at once to a function with reserved
//! concurrency R whose handler sleeps S ms, timed from the first send to the last one finished and
//! compared with the ideal ceil(N / R) × S. Also a fill helper for a backlog that stays put
//! (the `latency --backlog` scenario).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use bytes::Bytes;
use clap::Args;
use hyper::Method;
use serde_json::json;

use super::{TargetArgs, setup};
use crate::client::Client;

#[derive(Debug, Args)]
pub struct ReservedArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[arg(long, default_value_t = 300)]
    pub count: usize,
    /// The function's reserved concurrency.
    #[arg(long, default_value_t = 2)]
    pub reserved: u32,
    /// How long each event's handler sleeps (0: a no-op).
    #[arg(long, default_value_t = 200)]
    pub sleep_ms: u64,
    /// Concurrent senders.
    #[arg(long, default_value_t = 16)]
    pub clients: usize,
    /// Instead of draining: hold the function's slots with long events first, queue the N
    /// events behind them, and report the server's CPU (this pid) over this many seconds while
    /// they wait; then delete the function (which discards them).
    #[arg(long, requires = "server_pid")]
    pub hold_seconds: Option<u64>,
    #[arg(long)]
    pub server_pid: Option<u32>,
}

/// Deploys the no-op function as `name` with reserved concurrency `reserved`.
pub async fn reserved_function(
    target: &TargetArgs,
    name: &str,
    reserved: u32,
    timeout: u32,
) -> anyhow::Result<Client> {
    let target = TargetArgs {
        function: name.to_string(),
        ..target.clone()
    };
    let client = setup::noop_function(&target, timeout).await?;
    client
        .json(
            Method::PUT,
            &format!("/2017-10-31/functions/{name}/concurrency"),
            &json!({"ReservedConcurrentExecutions": reserved}),
        )
        .await?
        .ok()?;
    Ok(client)
}

/// Sends `count` `Event` invokes of `payload` to `function` from `clients` senders.
pub async fn send_events(
    client: &Client,
    function: &str,
    payload: Bytes,
    count: usize,
    clients: usize,
) -> anyhow::Result<()> {
    let path = Arc::new(format!("/2015-03-31/functions/{function}/invocations"));
    let next = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..clients.max(1))
        .map(|_| {
            let (client, path, payload, next) =
                (client.clone(), path.clone(), payload.clone(), next.clone());
            tokio::spawn(async move {
                while next.fetch_add(1, Ordering::Relaxed) < count {
                    let reply = client
                        .send(
                            Method::POST,
                            &path,
                            &[("x-amz-invocation-type", "Event")],
                            payload.clone(),
                        )
                        .await?;
                    if reply.status.as_u16() != 202 {
                        bail!("event not accepted: {}", reply.status);
                    }
                }
                anyhow::Ok(())
            })
        })
        .collect();
    for t in tasks {
        t.await??;
    }
    Ok(())
}

/// Events that reached a final state (succeeded, failed) so far.
async fn finished(client: &Client) -> anyhow::Result<u64> {
    let status = client.get("/_lambkin/v1/status").await?.ok()?.json()?;
    let count = |state: &str| {
        status["queue"][state]
            .as_u64()
            .context("status without event counts")
    };
    Ok(count("succeeded")? + count("failed")?)
}

/// Queues the events behind held slots and measures what waiting costs the server.
async fn hold(a: &ReservedArgs, seconds: u64, pid: u32) -> anyhow::Result<()> {
    let name = "bench-reserved-held";
    let client = reserved_function(&a.target, name, a.reserved, 900).await?;
    let hold = Bytes::from(json!({"sleep_ms": (seconds + 30) * 1000}).to_string());
    send_events(
        &client,
        name,
        hold,
        a.reserved as usize,
        a.reserved as usize,
    )
    .await?;
    send_events(&client, name, Bytes::from_static(b"{}"), a.count, 64).await?;
    // Let the claims and the first throttles settle, then measure a quiet window.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = setup::cpu_seconds(pid);
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    let spent = setup::cpu_seconds(pid) - before;
    let status = client.get("/_lambkin/v1/status").await?.ok()?.json()?;
    println!(
        "reserved backlog waiting: {} events behind {} busy slot(s): server CPU {:.1} ms over {seconds} s ({:.2} % of a core); queue {}",
        a.count,
        a.reserved,
        spent * 1000.0,
        spent / seconds as f64 * 100.0,
        status["queue"]
    );
    client
        .send(
            Method::DELETE,
            &format!("/2015-03-31/functions/{name}"),
            &[],
            Bytes::new(),
        )
        .await?
        .ok()?;
    Ok(())
}

pub async fn run(a: ReservedArgs) -> anyhow::Result<()> {
    if let (Some(seconds), Some(pid)) = (a.hold_seconds, a.server_pid) {
        return hold(&a, seconds, pid).await;
    }
    let name = "bench-reserved";
    let timeout = u32::try_from(a.sleep_ms / 1000 + 3).unwrap_or(900).min(900);
    let client = reserved_function(&a.target, name, a.reserved, timeout).await?;
    let before = finished(&client).await?;
    let failed_before = client.get("/_lambkin/v1/status").await?.ok()?.json()?["queue"]["failed"]
        .as_u64()
        .unwrap_or(0);
    // No `sleep_ms` for a no-op: even a 0 ms tokio sleep waits for the next 1 ms timer tick.
    let payload = if a.sleep_ms == 0 {
        Bytes::from_static(b"{}")
    } else {
        Bytes::from(json!({"sleep_ms": a.sleep_ms}).to_string())
    };
    let started = Instant::now();
    send_events(&client, name, payload, a.count, a.clients).await?;
    let sent = started.elapsed();
    let target = before + a.count as u64;
    // Polls the counter; the 20 ms poll is far below the figures measured.
    while finished(&client).await? < target {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let secs = started.elapsed().as_secs_f64();
    let rounds = a.count.div_ceil(a.reserved.max(1) as usize);
    let ideal = rounds as f64 * a.sleep_ms as f64 / 1000.0;
    let status = client.get("/_lambkin/v1/status").await?.ok()?.json()?;
    let failed = status["queue"]["failed"].as_u64().unwrap_or(0) - failed_before;
    let ratio = if ideal > 0.0 {
        format!(" = {:.3} × the ideal {ideal:.1} s", secs / ideal)
    } else {
        String::new()
    };
    println!(
        "reserved backlog: {} events × {} ms at reserved concurrency {}: all finished {secs:.2} s after the first send{ratio} ({failed} failed); \
         {:.0} events/s; sending took {:.2} s; throttles counted {}",
        a.count,
        a.sleep_ms,
        a.reserved,
        a.count as f64 / secs,
        sent.as_secs_f64(),
        status["throttles"]
    );
    Ok(())
}
