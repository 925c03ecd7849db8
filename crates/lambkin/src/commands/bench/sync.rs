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
    /// Invoke through an alias `bench` on version 1 that sends this share (0–1) of its calls to
    /// version 2, as a canary deploy does: measures routing and two versions' environments.
    #[arg(long)]
    pub alias_split: Option<f64>,
}

/// Publishes versions 1 and 2 of `function` (2 differs by a variable) and points alias `bench`
/// at 1 with `weight` of its calls on 2; returns the function name with the alias.
async fn canary(
    client: &crate::client::Client,
    function: &str,
    weight: f64,
) -> anyhow::Result<String> {
    let ok = |r: crate::client::Reply, what: &str| {
        anyhow::ensure!(
            r.status.is_success(),
            "{what}: {} {}",
            r.status,
            String::from_utf8_lossy(&r.body)
        );
        Ok(())
    };
    let base = format!("/2015-03-31/functions/{function}");
    ok(
        client
            .send(Method::POST, &format!("{base}/versions"), &[], Bytes::new())
            .await?,
        "publish 1",
    )?;
    let env = Bytes::from_static(br#"{"Environment":{"Variables":{"RELEASE":"2"}}}"#);
    ok(
        client
            .send(Method::PUT, &format!("{base}/configuration"), &[], env)
            .await?,
        "update",
    )?;
    ok(
        client
            .send(Method::POST, &format!("{base}/versions"), &[], Bytes::new())
            .await?,
        "publish 2",
    )?;
    let alias = serde_json::json!({
        "Name": "bench",
        "FunctionVersion": "1",
        "RoutingConfig": {"AdditionalVersionWeights": {"2": weight}},
    });
    let body = Bytes::from(alias.to_string());
    ok(
        client
            .send(Method::POST, &format!("{base}/aliases"), &[], body)
            .await?,
        "create alias",
    )?;
    Ok(format!("{function}:bench"))
}

pub async fn run(a: SyncArgs) -> anyhow::Result<()> {
    let client = if a.existing {
        crate::client::Client::new(&a.target.endpoint)
    } else {
        setup::noop_function(&a.target, 3).await?
    };
    let target = match a.alias_split {
        Some(weight) => canary(&client, &a.target.function, weight).await?,
        None => a.target.function.clone(),
    };
    let path = Arc::new(format!("/2015-03-31/functions/{target}/invocations"));
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
    let through = a
        .alias_split
        .map(|w| format!(" through an alias sending {w} to version 2"))
        .unwrap_or_default();
    println!(
        "sync: concurrency {}{through}, {}",
        a.concurrency,
        result.report()
    );
    Ok(())
}
