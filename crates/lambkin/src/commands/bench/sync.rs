//! Warm synchronous invokes of the no-op function.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use clap::Args;
use hyper::Method;

use super::{TargetArgs, load, setup};

#[derive(Debug, Args)]
pub struct SyncArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[arg(long, default_value_t = 1)]
    pub concurrency: usize,
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Invoke `--function` as it already is on `--endpoint` instead of deploying it: for
    /// measuring another server with the same function (e.g. `cargo lambda watch`).
    #[arg(long)]
    pub existing: bool,
}

pub async fn run(a: SyncArgs) -> anyhow::Result<()> {
    let client = if a.existing {
        crate::client::Client::new(&a.target.endpoint)
    } else {
        setup::noop_function(&a.target, 3).await?
    };
    let path = Arc::new(format!(
        "/2015-03-31/functions/{}/invocations",
        a.target.function
    ));
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
        let reply = w.await??;
        anyhow::ensure!(
            reply.status.is_success(),
            "warming invoke failed: {}",
            reply.status
        );
    }
    let result = load::run(a.concurrency, Duration::from_secs(a.seconds), move || {
        let (client, path) = (client.clone(), path.clone());
        async move {
            let r = client
                .send(Method::POST, &path, &[], Bytes::from_static(b"{}"))
                .await;
            r.is_ok_and(|r| {
                r.status.as_u16() == 200 && !r.headers.contains_key("x-amz-function-error")
            })
        }
    })
    .await?;
    println!("sync: concurrency {}, {}", a.concurrency, result.report());
    Ok(())
}
