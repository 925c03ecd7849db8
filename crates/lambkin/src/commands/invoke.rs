//! `lambkin invoke`: the CLI side of `Invoke`.

use std::process::ExitCode;

use anyhow::Context;
use base64::Engine as _;
use bytes::Bytes;
use hyper::Method;

use crate::cli::InvokeArgs;
use crate::client::{Client, segment};

pub async fn run(args: InvokeArgs) -> anyhow::Result<ExitCode> {
    let payload = match args.payload.strip_prefix('@') {
        Some(file) => std::fs::read(file).with_context(|| format!("cannot read {file}"))?,
        None => args.payload.clone().into_bytes(),
    };
    let client = Client::new(&args.client.endpoint);
    let path = format!("/2015-03-31/functions/{}/invocations", segment(&args.name));
    let kind = if args.is_async {
        "Event"
    } else {
        "RequestResponse"
    };
    let log_type = if args.tail && !args.is_async {
        "Tail"
    } else {
        "None"
    };
    let reply = client
        .send(
            Method::POST,
            &path,
            &[
                ("x-amz-invocation-type", kind),
                ("x-amz-log-type", log_type),
            ],
            Bytes::from(payload),
        )
        .await?
        .ok()?;
    let header = |name: &str| {
        reply
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let request_id = header("x-amzn-requestid").unwrap_or_default();
    if args.is_async {
        if args.client.json {
            println!(
                "{}",
                serde_json::json!({"requestId": request_id, "statusCode": reply.status.as_u16()})
            );
        } else {
            println!("queued {request_id} (see `lambkin inspect {request_id}`)");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let function_error = header("x-amz-function-error");
    if let Some(log) = header("x-amz-log-result")
        && let Ok(text) = base64::engine::general_purpose::STANDARD.decode(log)
    {
        eprint!("{}", String::from_utf8_lossy(&text));
    }
    if args.client.json {
        let payload: serde_json::Value = serde_json::from_slice(&reply.body).unwrap_or_else(|_| {
            serde_json::Value::from(String::from_utf8_lossy(&reply.body).into_owned())
        });
        println!(
            "{}",
            serde_json::json!({"requestId": request_id, "statusCode": 200, "functionError": function_error, "payload": payload})
        );
    } else {
        println!("{}", String::from_utf8_lossy(&reply.body));
        if let Some(kind) = &function_error {
            eprintln!("function error ({kind}), request {request_id}");
        }
    }
    Ok(if function_error.is_some() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
