//! 202 → handler start: one event at a time onto a warm, idle environment; the function
//! writes its start time (epoch µs) to a file named by its request id. With `--backlog N`,
//! measured beside N events queued for another function whose only reserved slot is busy.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use clap::Args;
use hyper::Method;

use super::stats::summarize;
use super::{TargetArgs, setup};

#[derive(Debug, Args)]
pub struct LatencyArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[arg(long, default_value_t = 2000)]
    pub count: usize,
    /// First queue this many events for `bench-backlog`, a function with reserved concurrency
    /// 1 whose slot is held by a 10-minute event, so they stay queued while this measures.
    #[arg(long, default_value_t = 0)]
    pub backlog: usize,
}

const BACKLOG_FUNCTION: &str = "bench-backlog";

/// Queues `n` events behind a held slot; returns once all are accepted.
async fn fill_backlog(target: &TargetArgs, n: usize) -> anyhow::Result<()> {
    use super::reserved::{reserved_function, send_events};
    let client = reserved_function(target, BACKLOG_FUNCTION, 1, 900).await?;
    let hold = Bytes::from_static(br#"{"sleep_ms":600000}"#);
    send_events(&client, BACKLOG_FUNCTION, hold, 1, 1).await?;
    let started = std::time::Instant::now();
    send_events(&client, BACKLOG_FUNCTION, Bytes::from_static(b"{}"), n, 64).await?;
    let status = client.get("/_lambkin/v1/status").await?.ok()?.json()?;
    println!(
        "backlog: {n} events queued for {BACKLOG_FUNCTION} in {:.1} s; queue {}",
        started.elapsed().as_secs_f64(),
        status["queue"]
    );
    Ok(())
}

fn now_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

pub async fn run(a: LatencyArgs) -> anyhow::Result<()> {
    let client = setup::noop_function(&a.target, 3).await?;
    if a.backlog > 0 {
        fill_backlog(&a.target, a.backlog).await?;
    }
    let dir = tempfile_dir()?;
    let path = format!("/2015-03-31/functions/{}/invocations", a.target.function);
    let body = Bytes::from(serde_json::json!({"stamp_dir": dir.display().to_string()}).to_string());
    client
        .send(Method::POST, &path, &[], Bytes::from_static(b"{}"))
        .await?
        .ok()?;
    let mut samples = Vec::with_capacity(a.count);
    let mut negative = 0;
    for _ in 0..a.count {
        let reply = client
            .send(
                Method::POST,
                &path,
                &[("x-amz-invocation-type", "Event")],
                body.clone(),
            )
            .await?
            .ok()?;
        let t202 = now_us();
        let id = reply
            .headers
            .get("x-amzn-requestid")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let file = dir.join(&id);
        let started = loop {
            if let Some(us) = std::fs::read_to_string(&file)
                .ok()
                .and_then(|s| s.trim().parse::<i64>().ok())
            {
                break us;
            }
            tokio::time::sleep(Duration::from_micros(50)).await;
        };
        // The handler may start before the client has read the 202 (both follow the commit).
        if started < t202 {
            negative += 1;
        }
        samples.push(Duration::from_micros(
            started.saturating_sub(t202).max(0) as u64
        ));
        // Let the environment go idle again before the next event.
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let beside = if a.backlog > 0 {
        let status = client.get("/_lambkin/v1/status").await?.ok()?.json()?;
        format!(
            " beside a backlog of {} (queued at the end: {})",
            a.backlog, status["queue"]["queued"]
        )
    } else {
        String::new()
    };
    println!(
        "202 -> handler start{beside}: {} ({} started before the client read the 202, counted as 0)",
        summarize(samples),
        negative
    );
    if a.backlog > 0 {
        // Deleting the function discards its queued events, as AWS does.
        client
            .send(
                Method::DELETE,
                &format!("/2015-03-31/functions/{BACKLOG_FUNCTION}"),
                &[],
                Bytes::new(),
            )
            .await?
            .ok()?;
    }
    Ok(())
}

fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("lambkin-bench-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
