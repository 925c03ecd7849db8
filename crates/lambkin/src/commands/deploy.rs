//! `lambkin deploy`: zip a folder (or take a zip) and create or update the function.

use std::process::ExitCode;

use anyhow::{Context, bail};
use base64::Engine as _;
use hyper::{Method, StatusCode};
use serde_json::{Map, Value, json};

use crate::cli::DeployArgs;
use crate::client::{Client, segment};

fn variables(pairs: &[String]) -> anyhow::Result<Map<String, Value>> {
    pairs
        .iter()
        .map(|p| match p.split_once('=') {
            Some((k, v)) => Ok((k.to_string(), Value::from(v))),
            None => bail!("--env expects KEY=VALUE, got {p:?}"),
        })
        .collect()
}

/// Creates the function with `settings` and `zip`, or, when it exists, replaces its code and
/// then its settings. Returns the resulting configuration.
pub async fn create_or_update(
    client: &Client,
    name: &str,
    settings: Map<String, Value>,
    zip: &[u8],
) -> anyhow::Result<Value> {
    let zip_b64 = base64::engine::general_purpose::STANDARD.encode(zip);
    let path = segment(name);
    let existing = client.get(&format!("/2015-03-31/functions/{path}")).await?;
    let reply = if existing.status == StatusCode::NOT_FOUND {
        let mut body = settings;
        body.insert("FunctionName".into(), Value::from(name));
        body.insert("Code".into(), json!({"ZipFile": zip_b64}));
        client
            .json(Method::POST, "/2015-03-31/functions", &Value::Object(body))
            .await?
            .ok()?
    } else {
        existing.ok()?;
        let code = json!({"ZipFile": zip_b64});
        client
            .json(
                Method::PUT,
                &format!("/2015-03-31/functions/{path}/code"),
                &code,
            )
            .await?
            .ok()?;
        let settings = Value::Object(settings);
        client
            .json(
                Method::PUT,
                &format!("/2015-03-31/functions/{path}/configuration"),
                &settings,
            )
            .await?
            .ok()?
    };
    reply.json()
}

pub async fn run(args: DeployArgs) -> anyhow::Result<ExitCode> {
    let zip = if args.path.is_dir() {
        lambkin_engine::zip_folder(&args.path)?
    } else {
        std::fs::read(&args.path).with_context(|| format!("cannot read {}", args.path.display()))?
    };
    let client = Client::new(&args.client.endpoint);
    let mut settings = Map::new();
    settings.insert("Runtime".into(), Value::from(args.runtime.clone()));
    settings.insert("Handler".into(), Value::from(args.handler.clone()));
    settings.insert("Role".into(), Value::from(args.role.clone()));
    if let Some(t) = args.timeout {
        settings.insert("Timeout".into(), Value::from(t));
    }
    if let Some(m) = args.memory {
        settings.insert("MemorySize".into(), Value::from(m));
    }
    if !args.env.is_empty() {
        settings.insert(
            "Environment".into(),
            json!({"Variables": variables(&args.env)?}),
        );
    }
    let config = create_or_update(&client, &args.name, settings, &zip).await?;
    if args.client.json {
        println!("{}", serde_json::to_string_pretty(&config)?);
    } else {
        println!(
            "deployed {} ({}, {} bytes, sha256 {})",
            config["FunctionArn"].as_str().unwrap_or("?"),
            config["Runtime"].as_str().unwrap_or("?"),
            config["CodeSize"],
            config["CodeSha256"].as_str().unwrap_or("?")
        );
    }
    Ok(ExitCode::SUCCESS)
}
