//! `inspect`, `events`, `logs` and `status`: reading lambkin's own API.

use std::process::ExitCode;

use serde_json::Value;

use crate::cli::{ClientArgs, EventsArgs, InspectArgs, LogsArgs, RedriveArgs};
use crate::client::{Client, segment};

fn iso(v: &Value) -> &str {
    v.get("iso").and_then(Value::as_str).unwrap_or("-")
}

fn state(v: &Value) -> String {
    let s = v["state"].as_str().unwrap_or("?");
    match v["condition"].as_str() {
        Some(c) => format!("{s} ({c})"),
        None => s.to_string(),
    }
}

pub async fn inspect(args: InspectArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args.client.endpoint);
    let v = client
        .get(&format!(
            "/_lambkin/v1/events/{}",
            segment(&args.request_id)
        ))
        .await?
        .ok()?
        .json()?;
    if args.client.json {
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("request     {}", v["requestId"].as_str().unwrap_or("?"));
    println!("function    {}", v["function"].as_str().unwrap_or("?"));
    // The alias or version it was invoked as (AWS's Resource) and the version that runs it.
    println!(
        "resource    {}  version {}",
        v["resource"].as_str().unwrap_or("?"),
        v["version"].as_str().unwrap_or("$LATEST")
    );
    println!("state       {}", state(&v));
    println!("enqueued    {}", iso(&v["enqueuedAt"]));
    if let Some(due) = v.get("dueAt").filter(|d| !d.is_null()) {
        println!("due         {}", iso(due));
    }
    println!(
        "invocations {}  throttles {}  interrupted {}",
        v["invocations"], v["throttles"], v["interrupted"]
    );
    println!("payload     {}", v["payload"]);
    for (i, a) in v["attempts"].as_array().into_iter().flatten().enumerate() {
        let err = match (a["errorType"].as_str(), a["errorMessage"].as_str()) {
            (Some(t), Some(m)) => format!("  {t}: {m}"),
            _ => String::new(),
        };
        println!(
            "attempt {:<3} {}  {:>7} ms  {}{err}",
            i + 1,
            iso(&a["startedAt"]),
            a["durationMs"],
            a["outcome"].as_str().unwrap_or("?")
        );
    }
    for d in v["deliveries"].as_array().into_iter().flatten() {
        let error = d["lastError"]
            .as_str()
            .map(|e| format!("  {e}"))
            .unwrap_or_default();
        println!(
            "delivery    {:<12} {:<10} {} (attempts {}){error}",
            d["kind"].as_str().unwrap_or("?"),
            d["state"].as_str().unwrap_or("?"),
            d["target"].as_str().unwrap_or("?"),
            d["attempts"]
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn events(args: EventsArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args.client.endpoint);
    let path = format!(
        "/_lambkin/v1/functions/{}/events?limit={}{}",
        segment(&args.name),
        args.limit,
        if args.failed { "&state=failed" } else { "" }
    );
    let v = client.get(&path).await?.ok()?.json()?;
    if args.client.json {
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<36}  {:<24}  {:<38}  RUNS",
        "REQUEST ID", "ENQUEUED", "STATE"
    );
    for e in v["events"].as_array().into_iter().flatten() {
        println!(
            "{:<36}  {:<24}  {:<38}  {}",
            e["requestId"].as_str().unwrap_or("?"),
            iso(&e["enqueuedAt"]),
            state(e),
            e["invocations"]
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn logs(args: LogsArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args.client.endpoint);
    let mut offset = 0u64;
    loop {
        let wait = if args.follow { 20_000 } else { 0 };
        let path = format!(
            "/_lambkin/v1/functions/{}/logs?offset={offset}&wait_ms={wait}",
            segment(&args.name)
        );
        let v = client.get(&path).await?.ok()?.json()?;
        let text = v["text"].as_str().unwrap_or("");
        if args.client.json {
            for line in text.lines() {
                println!(
                    "{}",
                    serde_json::json!({"function": args.name, "line": line})
                );
            }
        } else {
            print!("{text}");
        }
        let next = v["nextOffset"].as_u64().unwrap_or(offset);
        if !args.follow && next == offset {
            return Ok(ExitCode::SUCCESS);
        }
        offset = next;
    }
}

pub async fn status(args: ClientArgs) -> anyhow::Result<ExitCode> {
    let v = Client::new(&args.endpoint)
        .get("/_lambkin/v1/status")
        .await?
        .ok()?
        .json()?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        let q = &v["queue"];
        println!("functions {}", v["functions"]);
        println!(
            "events    queued {}  running {}  retry scheduled {}  succeeded {}  failed {}  reruns {}",
            q["queued"],
            q["running"],
            q["retryScheduled"],
            q["succeeded"],
            q["failed"],
            q["reruns"]
        );
        let d = &v["deliveries"];
        println!(
            "deliveries    pending {}  delivered {}  DeadLetterErrors {}  DestinationDeliveryFailures {}  subscription failures {}  S3 notification failures {}",
            d["pending"],
            d["delivered"],
            d["deadLetterErrors"],
            d["destinationDeliveryFailures"],
            d["subscriptionFailures"],
            d["notificationFailures"]
        );
        let e = &v["environments"];
        println!(
            "environments  cold starts {}  warm starts {}  idle {}",
            e["coldStarts"], e["warmStarts"], e["idle"]
        );
        println!(
            "throttles {} since start (sync 429s, and events that waited for a busy function's slot)",
            v["throttles"]
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn redrive(args: RedriveArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args.client.endpoint);
    let path = format!(
        "/_lambkin/v1/functions/{}/redrive?max={}",
        segment(&args.name),
        args.max
    );
    let v = client
        .send(hyper::Method::POST, &path, &[], bytes::Bytes::new())
        .await?
        .ok()?
        .json()?;
    if args.client.json {
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    let requeued = v["requeued"].as_array().map_or(0, Vec::len);
    println!(
        "requeued {requeued} message(s) from {} as new events",
        v["queueArn"].as_str().unwrap_or("?")
    );
    for id in v["requeued"].as_array().into_iter().flatten() {
        println!("  {}", id.as_str().unwrap_or("?"));
    }
    for skipped in v["skipped"].as_array().into_iter().flatten() {
        println!("skipped {}", skipped.as_str().unwrap_or("?"));
    }
    Ok(ExitCode::SUCCESS)
}
