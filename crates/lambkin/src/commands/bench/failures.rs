//! Failures to an OnFailure queue, end to end against a running server: N events that all
//! fail with `MaximumRetryAttempts` 0, timed from the first 202 until the N-th record is
//! readable in the OnFailure SQS queue.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use clap::Args;
use hyper::Method;
use serde_json::json;

use super::sqs::{call, fresh_queue};
use super::{TargetArgs, setup};

#[derive(Debug, Args)]
pub struct FailuresArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[arg(long, default_value_t = 10_000)]
    pub events: usize,
    #[arg(long, default_value_t = 64)]
    pub clients: usize,
}

pub async fn run(a: FailuresArgs) -> anyhow::Result<()> {
    let client = setup::noop_function(&a.target, 3).await?;
    let url = fresh_queue(&client, "bench-failures").await?;
    let queue_arn = call(
        &client,
        "GetQueueAttributes",
        &json!({"QueueUrl": url, "AttributeNames": ["QueueArn"]}),
    )
    .await
    .and_then(|v| v["Attributes"]["QueueArn"].as_str().map(str::to_string))
    .ok_or_else(|| anyhow::anyhow!("no QueueArn"))?;
    let config = json!({
        "MaximumRetryAttempts": 0,
        "DestinationConfig": {"OnFailure": {"Destination": queue_arn}}
    });
    client
        .json(
            Method::PUT,
            &format!(
                "/2019-09-25/functions/{}/event-invoke-config",
                a.target.function
            ),
            &config,
        )
        .await?
        .ok()?;

    let path = Arc::new(format!(
        "/2015-03-31/functions/{}/invocations",
        a.target.function
    ));
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let senders: Vec<_> = (0..a.clients)
        .map(|_| {
            let (client, path, next) = (client.clone(), path.clone(), next.clone());
            let total = a.events;
            tokio::spawn(async move {
                let payload = Bytes::from_static(br#"{"fail":true}"#);
                while next.fetch_add(1, Ordering::Relaxed) < total {
                    let sent = client
                        .send(
                            Method::POST,
                            &path,
                            &[("x-amz-invocation-type", "Event")],
                            payload.clone(),
                        )
                        .await;
                    if !sent.is_ok_and(|r| r.status.as_u16() == 202) {
                        anyhow::bail!("an Event invoke was not accepted");
                    }
                }
                Ok(())
            })
        })
        .collect();
    for s in senders {
        s.await??;
    }
    let accepted = started.elapsed();
    loop {
        let visible = call(
            &client,
            "GetQueueAttributes",
            &json!({"QueueUrl": url, "AttributeNames": ["ApproximateNumberOfMessages"]}),
        )
        .await
        .and_then(|v| {
            v["Attributes"]["ApproximateNumberOfMessages"]
                .as_str()
                .and_then(|n| n.parse::<usize>().ok())
        })
        .unwrap_or(0);
        if visible >= a.events {
            break;
        }
        if started.elapsed() > Duration::from_secs(600) {
            anyhow::bail!(
                "only {visible} of {} records arrived in 10 minutes",
                a.events
            );
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let total = started.elapsed();
    println!(
        "failures: {} events accepted in {:.2} s; all {} OnFailure records readable after {:.2} s ({:.0} events/s end to end)",
        a.events,
        accepted.as_secs_f64(),
        a.events,
        total.as_secs_f64(),
        a.events as f64 / total.as_secs_f64()
    );
    Ok(())
}
