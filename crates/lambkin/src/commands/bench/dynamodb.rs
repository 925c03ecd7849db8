//! DynamoDB against a running server: PutItem, GetItem and conditional PutItem requests/s and
//! latency with N clients; then a table filled with M items (BatchWriteItem, 25 at a time) and
//! Query of 100 items from one partition of it, and the server's memory (RSS, from
//! `/proc/<pid>/status` when `--server-pid` is given).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use clap::Args;
use serde_json::{Value, json};

use super::load;
use super::stats::summarize;
use crate::client::Client;

#[derive(Debug, Args)]
pub struct DynamoArgs {
    #[arg(
        long,
        env = "LAMBKIN_ENDPOINT",
        default_value = "http://127.0.0.1:9070"
    )]
    pub endpoint: String,
    #[arg(long, default_value_t = 16)]
    pub clients: usize,
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Items in the large table the Query runs against (0: skip).
    #[arg(long, default_value_t = 1_000_000)]
    pub items: u64,
    /// The server's pid, to report its memory.
    #[arg(long)]
    pub server_pid: Option<u32>,
}

async fn call(client: &Client, operation: &str, body: &Value) -> anyhow::Result<Value> {
    let target = format!("DynamoDB_20120810.{operation}");
    let reply = client
        .send(
            hyper::Method::POST,
            "/",
            &[
                ("x-amz-target", target.as_str()),
                ("content-type", "application/x-amz-json-1.0"),
            ],
            Bytes::from(serde_json::to_vec(body)?),
        )
        .await?;
    if !reply.status.is_success() {
        anyhow::bail!("{operation}: {}", String::from_utf8_lossy(&reply.body));
    }
    reply.json()
}

async fn fresh_table(client: &Client, name: &str) -> anyhow::Result<()> {
    let _ = call(client, "DeleteTable", &json!({ "TableName": name })).await;
    call(
        client,
        "CreateTable",
        &json!({
            "TableName": name,
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"}
            ],
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"}
            ],
        }),
    )
    .await?;
    Ok(())
}

fn rss_mb(pid: Option<u32>) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", pid?)).ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

pub async fn run(a: DynamoArgs) -> anyhow::Result<()> {
    let client = Client::new(&a.endpoint);
    fresh_table(&client, "bench-items").await?;
    let seq = Arc::new(AtomicU64::new(0));
    let duration = Duration::from_secs(a.seconds);
    let item = |i: u64| {
        json!({
            "pk": {"S": format!("p{}", i % 1000)},
            "sk": {"N": i.to_string()},
            "payload": {"S": "x".repeat(100)},
        })
    };
    let puts = {
        let (client, seq) = (client.clone(), seq.clone());
        load::run(a.clients, duration, move || {
            let (client, seq) = (client.clone(), seq.clone());
            async move {
                let i = seq.fetch_add(1, Ordering::Relaxed);
                let body = json!({ "TableName": "bench-items", "Item": item(i) });
                call(&client, "PutItem", &body).await.is_ok()
            }
        })
        .await?
    };
    let written = seq.load(Ordering::Relaxed).max(1);
    println!("dynamodb PutItem: {} clients, {}", a.clients, puts.report());
    let gets = {
        let (client, seq) = (client.clone(), seq.clone());
        load::run(a.clients, duration, move || {
            let (client, seq) = (client.clone(), seq.clone());
            async move {
                let i = seq.fetch_add(7919, Ordering::Relaxed) % written;
                let key =
                    json!({"pk": {"S": format!("p{}", i % 1000)}, "sk": {"N": i.to_string()}});
                let body = json!({ "TableName": "bench-items", "Key": key });
                call(&client, "GetItem", &body).await.is_ok()
            }
        })
        .await?
    };
    println!("dynamodb GetItem: {} clients, {}", a.clients, gets.report());
    let conditional = {
        let (client, seq) = (client.clone(), seq.clone());
        load::run(a.clients, duration, move || {
            let (client, seq) = (client.clone(), seq.clone());
            async move {
                let i = seq.fetch_add(1, Ordering::Relaxed) + 1_000_000_000;
                let body = json!({
                    "TableName": "bench-items",
                    "Item": item(i),
                    "ConditionExpression": "attribute_not_exists(pk)",
                });
                call(&client, "PutItem", &body).await.is_ok()
            }
        })
        .await?
    };
    println!(
        "dynamodb conditional PutItem (attribute_not_exists): {} clients, {}",
        a.clients,
        conditional.report()
    );
    if a.items == 0 {
        return Ok(());
    }

    // A large table: M items over 10,000 partitions, written 25 at a time.
    fresh_table(&client, "bench-large").await?;
    let rss_before = rss_mb(a.server_pid);
    let started = Instant::now();
    let next = Arc::new(AtomicU64::new(0));
    let batches = a.items.div_ceil(25);
    let tasks: Vec<_> = (0..a.clients)
        .map(|_| {
            let (client, next) = (client.clone(), next.clone());
            let items = a.items;
            tokio::spawn(async move {
                loop {
                    let b = next.fetch_add(1, Ordering::Relaxed);
                    if b >= batches {
                        return anyhow::Ok(());
                    }
                    let writes: Vec<Value> = (b * 25..((b + 1) * 25).min(items))
                        .map(|i| {
                            json!({"PutRequest": {"Item": {
                                "pk": {"S": format!("p{}", i % 10_000)},
                                "sk": {"N": i.to_string()},
                                "payload": {"S": "x".repeat(100)},
                            }}})
                        })
                        .collect();
                    call(
                        &client,
                        "BatchWriteItem",
                        &json!({ "RequestItems": { "bench-large": writes } }),
                    )
                    .await?;
                }
            })
        })
        .collect();
    for t in tasks {
        t.await??;
    }
    let fill = started.elapsed().as_secs_f64();
    println!(
        "dynamodb fill: {} items with BatchWriteItem (25 per call, {} clients) in {fill:.1} s ({:.0} items/s)",
        a.items,
        a.clients,
        a.items as f64 / fill
    );
    let mut samples = Vec::new();
    for p in 0..200u64 {
        let t = Instant::now();
        let out = call(
            &client,
            "Query",
            &json!({
                "TableName": "bench-large",
                "KeyConditionExpression": "pk = :p",
                "ExpressionAttributeValues": {":p": {"S": format!("p{}", p * 37 % 10_000)}},
                "Limit": 100,
            }),
        )
        .await?;
        samples.push(t.elapsed());
        anyhow::ensure!(
            out["Count"] == 100,
            "a partition of 100 items: {}",
            out["Count"]
        );
    }
    println!(
        "dynamodb Query of 100 items from a {}-item table (one client): {}",
        a.items,
        summarize(samples)
    );
    if let (Some(before), Some(after)) = (rss_before, rss_mb(a.server_pid)) {
        println!(
            "dynamodb server RSS: {before:.0} MB before the fill, {after:.0} MB with {} items",
            a.items
        );
    }
    Ok(())
}
