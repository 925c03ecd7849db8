//! An SQS event source mapping's throughput against a running server: N messages sent to a
//! fresh queue, then a mapping into the no-op function at each batch size, timed from its
//! creation until the queue is empty; against the same N messages received (up to 10) and
//! deleted (DeleteMessageBatch) by plain clients.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Args;
use hyper::Method;
use serde_json::{Value, json};

use super::sqs::{call, fresh_queue};
use super::{TargetArgs, setup};
use crate::client::Client;

#[derive(Debug, Args)]
pub struct SqsMappingArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Messages per run.
    #[arg(long, default_value_t = 10_000)]
    pub messages: usize,
    #[arg(long, default_value_t = 256)]
    pub body_bytes: usize,
    /// The mapping's batch sizes, one run each (above 10 with a 1 s batching window, as AWS
    /// requires; a full backlog fills batches long before it ends).
    #[arg(long, value_delimiter = ',', default_value = "1,10,100")]
    pub batch_sizes: Vec<u32>,
    /// Plain consumers for the comparison run.
    #[arg(long, default_value_t = 1)]
    pub clients: usize,
}

pub async fn run(a: SqsMappingArgs) -> anyhow::Result<()> {
    let client = setup::noop_function(&a.target, 30).await?;
    for &batch in &a.batch_sizes {
        let name = format!("bench-mapping-{batch}");
        let url = fresh_queue(&client, &name).await?;
        fill(&client, &url, a.messages, a.body_bytes).await?;
        let arn = queue_arn(&client, &url).await?;
        let started = Instant::now();
        let created = client
            .json(
                Method::POST,
                "/2015-03-31/event-source-mappings",
                &json!({
                    "EventSourceArn": arn,
                    "FunctionName": a.target.function,
                    "BatchSize": batch,
                    "MaximumBatchingWindowInSeconds": if batch > 10 { 1 } else { 0 },
                }),
            )
            .await?
            .ok()?
            .json()?;
        wait_empty(&client, &url).await?;
        let secs = started.elapsed().as_secs_f64();
        println!(
            "sqs mapping: batch size {batch}, {} messages of {} B in {secs:.2} s ({:.0} messages/s)",
            a.messages,
            a.body_bytes,
            a.messages as f64 / secs
        );
        let uuid = created["UUID"].as_str().unwrap_or_default();
        client
            .send(
                Method::DELETE,
                &format!("/2015-03-31/event-source-mappings/{uuid}"),
                &[],
                bytes::Bytes::new(),
            )
            .await?
            .ok()?;
    }

    let url = fresh_queue(&client, "bench-mapping-plain").await?;
    fill(&client, &url, a.messages, a.body_bytes).await?;
    let total = a.messages as u64;
    let consumed = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..a.clients)
        .map(|_| {
            let (client, url, consumed) = (client.clone(), url.clone(), consumed.clone());
            tokio::spawn(async move {
                while consumed.load(Ordering::Relaxed) < total {
                    let req = json!({"QueueUrl": url, "MaxNumberOfMessages": 10});
                    let Some(got) = call(&client, "ReceiveMessage", &req).await else {
                        continue;
                    };
                    let entries: Vec<Value> = got["Messages"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .enumerate()
                        .map(|(i, m)| json!({"Id": i.to_string(), "ReceiptHandle": m["ReceiptHandle"]}))
                        .collect();
                    if entries.is_empty() {
                        tokio::task::yield_now().await;
                        continue;
                    }
                    let n = entries.len() as u64;
                    let req = json!({"QueueUrl": url, "Entries": entries});
                    if call(&client, "DeleteMessageBatch", &req).await.is_some() {
                        consumed.fetch_add(n, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await?;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "sqs plain consumer: {} client(s), ReceiveMessage (10) + DeleteMessageBatch, {} messages in {secs:.2} s ({:.0} messages/s)",
        a.clients,
        a.messages,
        a.messages as f64 / secs
    );
    Ok(())
}

/// Sends `n` messages in batches of 10 from 8 clients.
async fn fill(client: &Client, url: &str, n: usize, body_bytes: usize) -> anyhow::Result<()> {
    let body = "x".repeat(body_bytes);
    let batches = n.div_ceil(10);
    let next = Arc::new(AtomicU64::new(0));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (client, url, body, next) =
                (client.clone(), url.to_string(), body.clone(), next.clone());
            tokio::spawn(async move {
                loop {
                    let b = next.fetch_add(1, Ordering::Relaxed) as usize;
                    if b >= batches {
                        return true;
                    }
                    let size = (n - b * 10).min(10);
                    let entries: Vec<Value> = (0..size)
                        .map(|i| json!({"Id": i.to_string(), "MessageBody": body}))
                        .collect();
                    let req = json!({"QueueUrl": url, "Entries": entries});
                    if call(&client, "SendMessageBatch", &req).await.is_none() {
                        return false;
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        anyhow::ensure!(t.await?, "SendMessageBatch failed");
    }
    Ok(())
}

async fn queue_arn(client: &Client, url: &str) -> anyhow::Result<String> {
    call(
        client,
        "GetQueueAttributes",
        &json!({"QueueUrl": url, "AttributeNames": ["QueueArn"]}),
    )
    .await
    .and_then(|v| v["Attributes"]["QueueArn"].as_str().map(str::to_string))
    .ok_or_else(|| anyhow::anyhow!("no QueueArn"))
}

/// Until no message is visible or in flight (a look every 10 ms).
async fn wait_empty(client: &Client, url: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let attrs = call(
            client,
            "GetQueueAttributes",
            &json!({"QueueUrl": url, "AttributeNames": ["All"]}),
        )
        .await
        .ok_or_else(|| anyhow::anyhow!("GetQueueAttributes failed"))?;
        let n = |k: &str| {
            attrs["Attributes"][k]
                .as_str()
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(u64::MAX)
        };
        if n("ApproximateNumberOfMessages") == 0 && n("ApproximateNumberOfMessagesNotVisible") == 0
        {
            return Ok(());
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "the queue did not empty in 10 minutes"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
