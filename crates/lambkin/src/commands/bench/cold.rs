//! Cold starts: each invoke follows a configuration change, so it gets a new environment;
//! the REPORT line's Init Duration is the time from process start to its first `next`.

use std::time::Instant;

use base64::Engine as _;
use bytes::Bytes;
use clap::Args;
use hyper::Method;
use serde_json::json;

use super::stats::summarize;
use super::{FunctionArgs, setup};
use crate::client::Client;

#[derive(Debug, Args)]
pub struct ColdArgs {
    #[arg(
        long,
        env = "LAMBKIN_ENDPOINT",
        default_value = "http://127.0.0.1:9070"
    )]
    pub endpoint: String,
    #[arg(long, default_value_t = 30)]
    pub count: usize,
    #[command(flatten)]
    pub functions: FunctionArgs,
}

pub async fn run(a: ColdArgs) -> anyhow::Result<()> {
    let client = Client::new(&a.endpoint);
    let node = lambkin_engine::zip_folder(&a.functions.examples.join("node-echo-cjs"))?;
    let python = lambkin_engine::zip_folder(&a.functions.examples.join("python-echo"))?;
    let rust = setup::binary_zip(&a.functions.bootstrap)?;
    let cases = [
        ("cold-provided", "provided.al2023", "bootstrap", rust),
        ("cold-node", "nodejs20.x", "index.handler", node),
        (
            "cold-python",
            "python3.12",
            "lambda_function.lambda_handler",
            python,
        ),
    ];
    for (name, runtime, handler, zip) in cases {
        setup::deploy(&client, name, runtime, handler, &zip, 10).await?;
        let mut init = Vec::new();
        let mut wall = Vec::new();
        for i in 0..a.count {
            let config = json!({"Description": format!("cold {i}")});
            client
                .json(
                    Method::PUT,
                    &format!("/2015-03-31/functions/{name}/configuration"),
                    &config,
                )
                .await?
                .ok()?;
            let t = Instant::now();
            let reply = client
                .send(
                    Method::POST,
                    &format!("/2015-03-31/functions/{name}/invocations"),
                    &[("x-amz-log-type", "Tail")],
                    Bytes::from_static(b"{}"),
                )
                .await?
                .ok()?;
            wall.push(t.elapsed());
            let log = reply
                .headers
                .get("x-amz-log-result")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            let log = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(log)?)?;
            let ms = log
                .split("Init Duration: ")
                .nth(1)
                .and_then(|s| s.split(" ms").next())
                .and_then(|s| s.parse::<f64>().ok());
            if let Some(ms) = ms {
                init.push(std::time::Duration::from_secs_f64(ms / 1000.0));
            }
        }
        println!(
            "{runtime}: init (spawn -> first next) {}; cold invoke wall {}",
            summarize(init),
            summarize(wall)
        );
    }
    Ok(())
}
