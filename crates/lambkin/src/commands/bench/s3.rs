//! S3 throughput against a running server: durable `PutObject` of one size from N clients for a
//! while, then `GetObject` of what was written, reporting requests/s and MB/s. Requests are
//! unsigned path-style, as the S3 routing serves them; the bytes go to and from disk.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use clap::Args;
use hyper::Method;

use super::load;
use crate::client::Client;

const BUCKET: &str = "bench-s3";

#[derive(Debug, Args)]
pub struct S3Args {
    #[arg(
        long,
        env = "LAMBKIN_ENDPOINT",
        default_value = "http://127.0.0.1:9070"
    )]
    pub endpoint: String,
    #[arg(long, default_value_t = 16)]
    pub clients: usize,
    /// The size of every object.
    #[arg(long, default_value_t = 4096)]
    pub object_bytes: usize,
    /// How long each phase (PUT, then GET) runs.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
}

pub async fn run(a: S3Args) -> anyhow::Result<()> {
    let client = Client::new(&a.endpoint);
    // A fresh bucket per run (an existing one answers 409, which is fine).
    client
        .send(Method::PUT, &format!("/{BUCKET}"), &[], Bytes::new())
        .await?;
    let body = Bytes::from(
        (0..a.object_bytes)
            .map(|i| (i % 251) as u8)
            .collect::<Vec<_>>(),
    );
    let mb = a.object_bytes as f64 / 1e6;
    let next = Arc::new(AtomicU64::new(0));

    let put = {
        let (client, body, next) = (client.clone(), body.clone(), next.clone());
        load::run(a.clients, Duration::from_secs(a.seconds), move || {
            let (client, body, next) = (client.clone(), body.clone(), next.clone());
            async move {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let path = format!("/{BUCKET}/object-{n}");
                matches!(
                    client.send(Method::PUT, &path, &[], body).await,
                    Ok(r) if r.status.is_success()
                )
            }
        })
        .await?
    };
    let written = next.load(Ordering::Relaxed).max(1);
    let rate = put.rate();
    println!(
        "s3 put: {} clients, {} B objects, {:.1} MB/s, {}",
        a.clients,
        a.object_bytes,
        rate * mb,
        put.report()
    );

    let reads = Arc::new(AtomicU64::new(0));
    let get = {
        let (client, reads) = (client.clone(), reads.clone());
        let size = a.object_bytes;
        load::run(a.clients, Duration::from_secs(a.seconds), move || {
            let (client, reads) = (client.clone(), reads.clone());
            async move {
                let n = reads.fetch_add(1, Ordering::Relaxed) % written;
                let path = format!("/{BUCKET}/object-{n}");
                matches!(
                    client.get(&path).await,
                    Ok(r) if r.status.is_success() && r.body.len() == size
                )
            }
        })
        .await?
    };
    let rate = get.rate();
    println!(
        "s3 get: {} clients, {} B objects, {:.1} MB/s, {}",
        a.clients,
        a.object_bytes,
        rate * mb,
        get.report()
    );
    Ok(())
}
