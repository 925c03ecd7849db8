//! A Lambda function built with the `lambda_runtime` crate, run unchanged by lambkin (as the
//! `bootstrap` of a `provided.al2023` function). Test fixture and benchmark target:
//! echo the event; `{"fail":true}` errors; `{"sleep_ms":N}` sleeps; `{"exit":N}` exits;
//! `{"fail_until_attempt":N,"state_dir":D}` fails until the N-th attempt of a request id;
//! `{"log":"text"}` prints a line; `{"context":true}` returns what the function sees;
//! `{"stamp_dir":D}` writes the handler's start time (epoch µs) to `D/<request id>`; an S3
//! event, with `STAMP_DIR` set, writes it to `$STAMP_DIR/<object key, '/' as '_'>`.

use std::time::Duration;

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

async fn handler(event: LambdaEvent<Value>) -> Result<Value, Error> {
    let (payload, ctx) = event.into_parts();
    if let Some(dir) = payload.get("stamp_dir").and_then(Value::as_str) {
        // Benchmarks: when did the handler start (epoch µs)?
        let us = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_micros())
            .unwrap_or(0);
        std::fs::write(
            std::path::Path::new(dir).join(&ctx.request_id),
            us.to_string(),
        )?;
    }
    if let (Ok(dir), Some(key)) = (
        std::env::var("STAMP_DIR"),
        payload["Records"][0]["s3"]["object"]["key"].as_str(),
    ) {
        // Benchmarks: when did the handler start for this upload (epoch µs)?
        let us = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_micros())
            .unwrap_or(0);
        std::fs::write(
            std::path::Path::new(&dir).join(key.replace('/', "_")),
            us.to_string(),
        )?;
    }
    if let Some(text) = payload.get("log").and_then(Value::as_str) {
        println!("{text}");
    }
    if let Some(ms) = payload.get("sleep_ms").and_then(Value::as_u64) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    if let Some(code) = payload.get("exit").and_then(Value::as_i64) {
        std::process::exit(i32::try_from(code).unwrap_or(1));
    }
    if payload.get("fail").and_then(Value::as_bool) == Some(true) {
        return Err("intentional failure".into());
    }
    if let (Some(n), Some(dir)) = (
        payload.get("fail_until_attempt").and_then(Value::as_u64),
        payload.get("state_dir").and_then(Value::as_str),
    ) {
        let path = std::path::Path::new(dir).join(&ctx.request_id);
        let count = std::fs::read_to_string(&path)
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
            .unwrap_or(0)
            + 1;
        std::fs::write(&path, count.to_string())?;
        if count < n {
            return Err(format!("attempt {count} failed").into());
        }
    }
    if payload.get("context").and_then(Value::as_bool) == Some(true) {
        let env = |k: &str| std::env::var(k).ok();
        return Ok(json!({
            "awsRequestId": ctx.request_id,
            "invokedFunctionArn": ctx.invoked_function_arn,
            "deadlineMs": ctx.deadline,
            "functionName": env("AWS_LAMBDA_FUNCTION_NAME"),
            "env": {
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"),
                "AWS_LAMBDA_FUNCTION_VERSION": env("AWS_LAMBDA_FUNCTION_VERSION"),
                "AWS_REGION": env("AWS_REGION"),
                "LAMBDA_TASK_ROOT": env("LAMBDA_TASK_ROOT"),
                "_HANDLER": env("_HANDLER"),
                "TZ": env("TZ"),
                "GREETING": env("GREETING"),
            },
        }));
    }
    Ok(payload)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(handler)).await
}
