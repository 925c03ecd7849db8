//! Durable `Event` accepts: many clients, fixed payload size, for a fixed time.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use clap::Args;
use hyper::Method;

use super::{TargetArgs, load, setup};

#[derive(Debug, Args)]
pub struct AcceptArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[arg(long, default_value_t = 64)]
    pub clients: usize,
    #[arg(long, default_value_t = 1024)]
    pub payload_bytes: usize,
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Each event asks the function to sleep this long: with a small `--max-concurrency` on
    /// the server, events then stay queued and the figure is the accept path alone.
    #[arg(long)]
    pub hold_ms: Option<u64>,
}

/// A JSON object of exactly `bytes` bytes: `{<fields>"pad":"xxx…"}`.
fn padded_with(bytes: usize, fields: &str) -> Bytes {
    let pad = bytes.saturating_sub(r#"{"pad":""}"#.len() + fields.len());
    Bytes::from(format!(r#"{{{fields}"pad":"{}"}}"#, "x".repeat(pad)))
}

pub fn padded_payload(bytes: usize) -> Bytes {
    padded_with(bytes, "")
}

pub async fn run(a: AcceptArgs) -> anyhow::Result<()> {
    let timeout = a
        .hold_ms
        .map_or(3, |ms| u32::try_from(ms / 1000 + 5).unwrap_or(900).min(900));
    let client = setup::noop_function(&a.target, timeout).await?;
    let payload = match a.hold_ms {
        Some(ms) => padded_with(a.payload_bytes, &format!(r#""sleep_ms":{ms},"#)),
        None => padded_payload(a.payload_bytes),
    };
    let size = payload.len();
    let path = Arc::new(format!(
        "/2015-03-31/functions/{}/invocations",
        a.target.function
    ));
    let result = load::run(a.clients, Duration::from_secs(a.seconds), move || {
        let (client, path, payload) = (client.clone(), path.clone(), payload.clone());
        async move {
            let sent = client
                .send(
                    Method::POST,
                    &path,
                    &[("x-amz-invocation-type", "Event")],
                    payload,
                )
                .await;
            sent.is_ok_and(|r| r.status.as_u16() == 202)
        }
    })
    .await?;
    println!(
        "accept: {} clients, {size} B payloads, {}",
        a.clients,
        result.report()
    );
    Ok(())
}
