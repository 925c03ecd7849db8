//! EventBridge against a running server: PutEvents entries/s with N rules on a bus (each event
//! matching one rule, whose target is a queue), and the lateness of schedule firings (the
//! server's own `lambkin_schedule_lateness_seconds`, read from `/metrics`, while N scheduled
//! rules fire; run the server with a compressed `--time-scale` so they fire often).

use std::time::Duration;

use bytes::Bytes;
use clap::Args;
use serde_json::{Value, json};

use super::load;
use super::sqs::fresh_queue;
use crate::client::Client;

#[derive(Debug, Args)]
pub struct PutEventsArgs {
    #[arg(
        long,
        env = "LAMBKIN_ENDPOINT",
        default_value = "http://127.0.0.1:9070"
    )]
    pub endpoint: String,
    /// Rules on the bus, each matching one value of `detail.n`.
    #[arg(long, default_value_t = 100)]
    pub rules: usize,
    /// Entries per PutEvents call (1–10).
    #[arg(long, default_value_t = 10)]
    pub entries: usize,
    #[arg(long, default_value_t = 16)]
    pub clients: usize,
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
}

#[derive(Debug, Args)]
pub struct ScheduleArgs {
    #[arg(
        long,
        env = "LAMBKIN_ENDPOINT",
        default_value = "http://127.0.0.1:9070"
    )]
    pub endpoint: String,
    /// Scheduled rules, each `rate(1 minute)` into one queue.
    #[arg(long, default_value_t = 20)]
    pub rules: usize,
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
}

/// One EventBridge call; the answer, or the error's text.
async fn call(client: &Client, operation: &str, body: &Value) -> anyhow::Result<Value> {
    let target = format!("AWSEvents.{operation}");
    let reply = client
        .send(
            hyper::Method::POST,
            "/",
            &[
                ("x-amz-target", target.as_str()),
                ("content-type", "application/x-amz-json-1.1"),
            ],
            Bytes::from(serde_json::to_vec(body)?),
        )
        .await?;
    if !reply.status.is_success() {
        anyhow::bail!(
            "{operation}: {} {}",
            reply.status,
            String::from_utf8_lossy(&reply.body)
        );
    }
    reply.json()
}

async fn rule_to_queue(
    client: &Client,
    bus: &str,
    name: &str,
    rule: Value,
    queue_arn: &str,
) -> anyhow::Result<()> {
    let mut put = json!({ "Name": name, "EventBusName": bus });
    if let (Some(put), Some(rule)) = (put.as_object_mut(), rule.as_object()) {
        put.extend(rule.clone());
    }
    call(client, "PutRule", &put).await?;
    call(
        client,
        "PutTargets",
        &json!({
            "Rule": name,
            "EventBusName": bus,
            "Targets": [{ "Id": "q", "Arn": queue_arn }],
        }),
    )
    .await?;
    Ok(())
}

fn queue_arn(name: &str) -> String {
    format!("arn:aws:sqs:us-east-1:000000000000:{name}")
}

pub async fn put_events(a: PutEventsArgs) -> anyhow::Result<()> {
    let client = Client::new(&a.endpoint);
    fresh_queue(&client, "bench-events").await?;
    // A bus of its own, so earlier runs' rules do not count.
    let bus = format!("bench-{}", uuid::Uuid::new_v4().simple());
    call(&client, "CreateEventBus", &json!({ "Name": bus })).await?;
    for i in 0..a.rules {
        let pattern = json!({ "source": ["bench"], "detail": { "n": [i] } }).to_string();
        rule_to_queue(
            &client,
            &bus,
            &format!("r{i}"),
            json!({ "EventPattern": pattern }),
            &queue_arn("bench-events"),
        )
        .await?;
    }
    let rules = a.rules.max(1);
    let entries = a.entries.clamp(1, 10);
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let result = {
        let (client, bus) = (client.clone(), bus.clone());
        load::run(a.clients, Duration::from_secs(a.seconds), move || {
            let (client, bus, counter) = (client.clone(), bus.clone(), counter.clone());
            async move {
                let entries: Vec<Value> = (0..entries)
                    .map(|_| {
                        let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % rules;
                        json!({
                            "Source": "bench",
                            "DetailType": "bench",
                            "Detail": json!({ "n": n }).to_string(),
                            "EventBusName": bus,
                        })
                    })
                    .collect();
                call(&client, "PutEvents", &json!({ "Entries": entries }))
                    .await
                    .is_ok_and(|r| r["FailedEntryCount"] == 0)
            }
        })
        .await?
    };
    let calls = result.rate();
    println!(
        "eventbridge put-events: {} rules, {entries} entries per call, {} clients: {:.0} entries/s ({})",
        a.rules,
        a.clients,
        calls * entries as f64,
        result.report()
    );
    Ok(())
}

/// Bucket counts of one histogram in Prometheus text, cumulative, by upper bound.
fn histogram(metrics: &str, name: &str) -> Vec<(f64, f64)> {
    let prefix = format!("{name}_bucket{{le=\"");
    metrics
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .filter_map(|rest| {
            let (le, count) = rest.split_once("\"} ")?;
            let le = if le == "+Inf" {
                f64::INFINITY
            } else {
                le.parse().ok()?
            };
            Some((le, count.trim().parse().ok()?))
        })
        .collect()
}

/// The upper bound of the bucket holding quantile `q` of the observations made between two
/// scrapes.
fn quantile(before: &[(f64, f64)], after: &[(f64, f64)], q: f64) -> Option<f64> {
    let diff: Vec<(f64, f64)> = after
        .iter()
        .map(|(le, n)| {
            let was = before
                .iter()
                .find(|(b, _)| b == le)
                .map_or(0.0, |(_, n)| *n);
            (*le, n - was)
        })
        .collect();
    let total = diff.last()?.1;
    diff.iter()
        .find(|(_, n)| *n >= q * total)
        .map(|(le, _)| *le)
}

pub async fn schedules(a: ScheduleArgs) -> anyhow::Result<()> {
    let client = Client::new(&a.endpoint);
    fresh_queue(&client, "bench-ticks").await?;
    let metric = "lambkin_schedule_lateness_seconds";
    let scrape = || async {
        let reply = client.get("/metrics").await?;
        anyhow::Ok(String::from_utf8_lossy(&reply.body).into_owned())
    };
    let before = histogram(&scrape().await?, metric);
    let run = uuid::Uuid::new_v4().simple().to_string();
    for i in 0..a.rules {
        rule_to_queue(
            &client,
            "default",
            &format!("bench-tick-{run}-{i}"),
            json!({ "ScheduleExpression": "rate(1 minute)" }),
            &queue_arn("bench-ticks"),
        )
        .await?;
    }
    tokio::time::sleep(Duration::from_secs(a.seconds)).await;
    for i in 0..a.rules {
        let name = format!("bench-tick-{run}-{i}");
        call(&client, "DisableRule", &json!({ "Name": name })).await?;
    }
    let after = histogram(&scrape().await?, metric);
    let fired = after.last().map_or(0.0, |(_, n)| *n) - before.last().map_or(0.0, |(_, n)| *n);
    let ms = |q| {
        quantile(&before, &after, q)
            .map_or("n/a".to_string(), |s| format!("≤ {:.1} ms", s * 1000.0))
    };
    println!(
        "schedules: {} rules × rate(1 minute) for {} s: {fired:.0} firings, lateness p50 {} p99 {}",
        a.rules,
        a.seconds,
        ms(0.50),
        ms(0.99)
    );
    Ok(())
}
