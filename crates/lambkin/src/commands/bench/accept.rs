//! Durable `Event` accepts: many clients, fixed payload size, for a fixed time.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use clap::Args;
use hyper::Method;

use super::stats::summarize;
use super::{FunctionArgs, setup};
use crate::client::Client;

#[derive(Debug, Args)]
pub struct AcceptArgs {
    #[arg(
        long,
        env = "LAMBKIN_ENDPOINT",
        default_value = "http://127.0.0.1:9070"
    )]
    pub endpoint: String,
    #[arg(long, default_value_t = 64)]
    pub clients: usize,
    #[arg(long, default_value_t = 1024)]
    pub payload_bytes: usize,
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    #[arg(long, default_value = "bench-noop")]
    pub function: String,
    /// Each event asks the function to sleep this long: with a small `--max-concurrency` on
    /// the server, events then stay queued and the figure is the accept path alone.
    #[arg(long)]
    pub hold_ms: Option<u64>,
    #[command(flatten)]
    pub functions: FunctionArgs,
}

/// A JSON object of exactly `bytes` bytes: `{<fields>"pad":"xxx…"}`.
fn padded_with(bytes: usize, fields: &str) -> Bytes {
    let pad = bytes.saturating_sub(r#"{"pad":""}"#.len() + fields.len());
    Bytes::from(format!(r#"{{{fields}"pad":"{}"}}"#, "x".repeat(pad)))
}

pub fn padded_payload(bytes: usize) -> Bytes {
    let pad = bytes.saturating_sub(r#"{"pad":""}"#.len());
    Bytes::from(format!(r#"{{"pad":"{}"}}"#, "x".repeat(pad)))
}

pub async fn run(a: AcceptArgs) -> anyhow::Result<()> {
    let client = Client::new(&a.endpoint);
    setup::deploy(
        &client,
        &a.function,
        "provided.al2023",
        "bootstrap",
        &setup::binary_zip(&a.functions.bootstrap)?,
        a.hold_ms
            .map_or(3, |ms| u32::try_from(ms / 1000 + 5).unwrap_or(900).min(900)),
    )
    .await?;
    let payload = match a.hold_ms {
        Some(ms) => padded_with(a.payload_bytes, &format!(r#""sleep_ms":{ms},"#)),
        None => padded_payload(a.payload_bytes),
    };
    let path = Arc::new(format!("/2015-03-31/functions/{}/invocations", a.function));
    let started = Instant::now();
    let stop = started + Duration::from_secs(a.seconds);
    let tasks: Vec<_> = (0..a.clients)
        .map(|_| {
            let client = client.clone();
            let payload = payload.clone();
            let path = path.clone();
            tokio::spawn(async move {
                let mut lat = Vec::with_capacity(100_000);
                let mut errors = 0u64;
                while Instant::now() < stop {
                    let t = Instant::now();
                    match client
                        .send(
                            Method::POST,
                            &path,
                            &[("x-amz-invocation-type", "Event")],
                            payload.clone(),
                        )
                        .await
                    {
                        Ok(r) if r.status.as_u16() == 202 => lat.push(t.elapsed()),
                        _ => errors += 1,
                    }
                }
                (lat, errors)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (lat, e) = t.await?;
        all.extend(lat);
        errors += e;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "accept: {} clients, {} B payloads, {:.1} s: {} accepted ({:.0}/s), {} errors; latency {}",
        a.clients,
        payload.len(),
        secs,
        all.len(),
        all.len() as f64 / secs,
        errors,
        summarize(all)
    );
    Ok(())
}
