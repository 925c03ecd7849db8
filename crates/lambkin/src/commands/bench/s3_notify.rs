//! Upload → handler start: one `PutObject` at a time into a bucket whose notification invokes
//! the no-op function (warm, idle); the function writes its start time (epoch µs) to a file
//! named by the object key. The path measured is the whole S3 contract: the object and its
//! notification committed together, the outbox delivering it as an async invoke, the
//! dispatcher running it.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use clap::Args;
use hyper::Method;

use super::stats::summarize;
use super::{TargetArgs, setup};
use crate::commands::deploy::create_or_update;

const BUCKET: &str = "bench-notify";

#[derive(Debug, Args)]
pub struct S3NotifyArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[arg(long, default_value_t = 500)]
    pub count: usize,
    /// The size of every object.
    #[arg(long, default_value_t = 4096)]
    pub object_bytes: usize,
}

fn now_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

pub async fn run(a: S3NotifyArgs) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("lambkin-bench-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir)?;
    let client = crate::client::Client::new(&a.target.endpoint);
    let zip = setup::binary_zip(&a.target.functions.bootstrap)?;
    let mut settings = serde_json::Map::new();
    settings.insert("Runtime".into(), "provided.al2023".into());
    settings.insert("Handler".into(), "bootstrap".into());
    settings.insert("Timeout".into(), 3.into());
    settings.insert("Role".into(), "arn:aws:iam::000000000000:role/bench".into());
    settings.insert(
        "Environment".into(),
        serde_json::json!({"Variables": {"STAMP_DIR": dir.display().to_string()}}),
    );
    create_or_update(&client, &a.target.function, settings, &zip).await?;

    // A bucket (409 if it exists, which is fine) whose uploads invoke the function.
    client
        .send(Method::PUT, &format!("/{BUCKET}"), &[], Bytes::new())
        .await?;
    let function = client
        .get(&format!("/2015-03-31/functions/{}", a.target.function))
        .await?
        .ok()?
        .json()?;
    let arn = function["Configuration"]["FunctionArn"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let config = format!(
        "<NotificationConfiguration><CloudFunctionConfiguration><Id>bench</Id>\
         <CloudFunction>{arn}</CloudFunction><Event>s3:ObjectCreated:*</Event>\
         </CloudFunctionConfiguration></NotificationConfiguration>"
    );
    client
        .send(
            Method::PUT,
            &format!("/{BUCKET}?notification"),
            &[("content-type", "application/xml")],
            Bytes::from(config),
        )
        .await?
        .ok()?;

    let body = Bytes::from(vec![7u8; a.object_bytes]);
    let mut samples = Vec::with_capacity(a.count);
    let mut negative = 0;
    // The first upload starts the environment; it is not counted.
    for n in 0..=a.count {
        let key = format!("upload-{n}");
        client
            .send(Method::PUT, &format!("/{BUCKET}/{key}"), &[], body.clone())
            .await?
            .ok()?;
        let acked = now_us();
        let file = dir.join(&key);
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        let started = loop {
            if let Some(us) = std::fs::read_to_string(&file)
                .ok()
                .and_then(|s| s.trim().parse::<i64>().ok())
            {
                break us;
            }
            anyhow::ensure!(
                std::time::Instant::now() < deadline,
                "no handler start for {key} after 30 s"
            );
            tokio::time::sleep(Duration::from_micros(50)).await;
        };
        if n == 0 {
            continue;
        }
        // The handler may start before the client has read the 200 (both follow the commit).
        if started < acked {
            negative += 1;
        }
        samples.push(Duration::from_micros(
            started.saturating_sub(acked).max(0) as u64
        ));
        // Let the environment go idle again before the next upload.
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "PutObject 200 -> handler start ({} B objects): {} ({negative} started before the client read the 200, counted as 0)",
        a.object_bytes,
        summarize(samples),
    );
    Ok(())
}
