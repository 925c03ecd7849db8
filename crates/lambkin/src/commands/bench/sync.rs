//! Warm synchronous invokes of the no-op function.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use clap::Args;
use hyper::Method;

use super::stats::summarize;
use super::{FunctionArgs, setup};
use crate::client::Client;

#[derive(Debug, Args)]
pub struct SyncArgs {
    #[arg(
        long,
        env = "LAMBKIN_ENDPOINT",
        default_value = "http://127.0.0.1:9070"
    )]
    pub endpoint: String,
    #[arg(long, default_value_t = 1)]
    pub concurrency: usize,
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    #[arg(long, default_value = "bench-noop")]
    pub function: String,
    #[command(flatten)]
    pub functions: FunctionArgs,
}

pub async fn run(a: SyncArgs) -> anyhow::Result<()> {
    let client = Client::new(&a.endpoint);
    setup::deploy(
        &client,
        &a.function,
        "provided.al2023",
        "bootstrap",
        &setup::binary_zip(&a.functions.bootstrap)?,
        3,
    )
    .await?;
    let path = Arc::new(format!("/2015-03-31/functions/{}/invocations", a.function));
    // Warm as many environments as there will be concurrent callers.
    let warm: Vec<_> = (0..a.concurrency)
        .map(|_| {
            let (client, path) = (client.clone(), path.clone());
            tokio::spawn(async move {
                client
                    .send(
                        Method::POST,
                        &path,
                        &[],
                        Bytes::from_static(br#"{"sleep_ms":200}"#),
                    )
                    .await
            })
        })
        .collect();
    for w in warm {
        w.await??.ok()?;
    }
    let started = Instant::now();
    let stop = started + Duration::from_secs(a.seconds);
    let tasks: Vec<_> = (0..a.concurrency)
        .map(|_| {
            let (client, path) = (client.clone(), path.clone());
            tokio::spawn(async move {
                let mut lat = Vec::with_capacity(200_000);
                let mut errors = 0u64;
                while Instant::now() < stop {
                    let t = Instant::now();
                    match client
                        .send(Method::POST, &path, &[], Bytes::from_static(b"{}"))
                        .await
                    {
                        Ok(r)
                            if r.status.as_u16() == 200
                                && !r.headers.contains_key("x-amz-function-error") =>
                        {
                            lat.push(t.elapsed())
                        }
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
        "sync: concurrency {}, {:.1} s: {} invokes ({:.0}/s), {} errors; round trip {}",
        a.concurrency,
        secs,
        all.len(),
        all.len() as f64 / secs,
        errors,
        summarize(all)
    );
    Ok(())
}
