//! SQS throughput against a running server: durable `SendMessage` from N clients, then
//! `ReceiveMessage` (up to 10) + `DeleteMessage` per message until the queue is empty.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use clap::Args;
use serde_json::{Value, json};

use super::load;
use crate::client::Client;

#[derive(Debug, Args)]
pub struct SqsArgs {
    #[arg(
        long,
        env = "LAMBKIN_ENDPOINT",
        default_value = "http://127.0.0.1:9070"
    )]
    pub endpoint: String,
    #[arg(long, default_value_t = 16)]
    pub clients: usize,
    #[arg(long, default_value_t = 1024)]
    pub body_bytes: usize,
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
}

/// One SQS JSON-protocol call; `None` unless it succeeded.
pub async fn call(client: &Client, operation: &str, body: &Value) -> Option<Value> {
    let target = format!("AmazonSQS.{operation}");
    let reply = client
        .send(
            hyper::Method::POST,
            "/",
            &[
                ("x-amz-target", target.as_str()),
                ("content-type", "application/x-amz-json-1.0"),
            ],
            Bytes::from(serde_json::to_vec(body).ok()?),
        )
        .await
        .ok()?;
    if !reply.status.is_success() {
        return None;
    }
    reply.json().ok()
}

/// Creates (or finds) a queue and empties it; returns its URL.
pub async fn fresh_queue(client: &Client, name: &str) -> anyhow::Result<String> {
    let created = call(client, "CreateQueue", &json!({"QueueName": name}))
        .await
        .ok_or_else(|| anyhow::anyhow!("CreateQueue {name} failed"))?;
    let url = created["QueueUrl"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("CreateQueue gave no QueueUrl"))?
        .to_string();
    call(client, "PurgeQueue", &json!({"QueueUrl": url})).await;
    Ok(url)
}

pub async fn run(a: SqsArgs) -> anyhow::Result<()> {
    let client = Client::new(&a.endpoint);
    let url = Arc::new(fresh_queue(&client, "bench-sqs").await?);
    let body = Arc::new("x".repeat(a.body_bytes));

    let sent = {
        let (client, url, body) = (client.clone(), url.clone(), body.clone());
        load::run(a.clients, Duration::from_secs(a.seconds), move || {
            let (client, url, body) = (client.clone(), url.clone(), body.clone());
            async move {
                let req = json!({"QueueUrl": *url, "MessageBody": *body});
                call(&client, "SendMessage", &req).await.is_some()
            }
        })
        .await?
    };
    let total = sent.ok.len() as u64;
    println!(
        "sqs send: {} clients, {} B bodies, {}",
        a.clients,
        a.body_bytes,
        sent.report()
    );

    // Consume everything that was sent: receive up to 10, delete each one.
    let consumed = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..a.clients)
        .map(|_| {
            let (client, url, consumed) = (client.clone(), url.clone(), consumed.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while consumed.load(Ordering::Relaxed) < total {
                    let t = Instant::now();
                    let req = json!({"QueueUrl": *url, "MaxNumberOfMessages": 10});
                    let Some(got) = call(&client, "ReceiveMessage", &req).await else {
                        continue;
                    };
                    let messages = got["Messages"].as_array().cloned().unwrap_or_default();
                    if messages.is_empty() {
                        // Others hold the rest in flight; done when the count says so.
                        tokio::task::yield_now().await;
                        continue;
                    }
                    for m in &messages {
                        let handle = m["ReceiptHandle"].as_str().unwrap_or_default();
                        let req = json!({"QueueUrl": *url, "ReceiptHandle": handle});
                        if call(&client, "DeleteMessage", &req).await.is_some() {
                            consumed.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await?);
    }
    let secs = started.elapsed().as_secs_f64();
    let n = consumed.load(Ordering::Relaxed);
    println!(
        "sqs receive+delete: {} clients, {n} messages in {secs:.1} s ({:.0}/s); receive+deletes round latency {}",
        a.clients,
        n as f64 / secs,
        super::stats::summarize(latencies)
    );
    Ok(())
}
