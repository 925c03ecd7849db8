//! The lambkin CLI against a real server: deploy, invoke (sync and async), events, inspect,
//! logs and status, in human and `--json` form.

use std::process::{Command, Output};
use std::time::Duration;

use crate::support::{TestServer, fixtures};

fn lambkin(s: &TestServer, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lambkin"))
        .args(args)
        .env("LAMBKIN_ENDPOINT", &s.url)
        .output()
        .expect("run lambkin")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[tokio::test]
async fn deploy_invoke_inspect_logs() {
    let s = TestServer::start();
    let folder = fixtures().join("node-echo-cjs");
    let out = lambkin(
        &s,
        &[
            "deploy",
            folder.to_str().unwrap(),
            "--name",
            "cli",
            "--runtime",
            "nodejs20.x",
            "--handler",
            "index.handler",
            "--timeout",
            "5",
            "--env",
            "GREETING=hi",
        ],
    );
    assert!(out.status.success(), "{out:?}");
    assert!(
        stdout(&out).starts_with("deployed arn:aws:lambda:us-east-1:000000000000:function:cli"),
        "{}",
        stdout(&out)
    );
    let cfg = s
        .lambda
        .get_function_configuration()
        .function_name("cli")
        .send()
        .await
        .unwrap();
    assert_eq!(cfg.timeout(), Some(5));
    // Deploying again updates code and settings in place.
    let again = lambkin(
        &s,
        &[
            "deploy",
            folder.to_str().unwrap(),
            "--name",
            "cli",
            "--runtime",
            "nodejs20.x",
            "--handler",
            "index.handler",
            "--timeout",
            "7",
        ],
    );
    assert!(again.status.success(), "{again:?}");
    let cfg = s
        .lambda
        .get_function_configuration()
        .function_name("cli")
        .send()
        .await
        .unwrap();
    assert_eq!(cfg.timeout(), Some(7));

    let sync = lambkin(&s, &["invoke", "cli", "--payload", r#"{"hello":"cli"}"#]);
    assert!(sync.status.success());
    assert_eq!(stdout(&sync).trim(), r#"{"hello":"cli"}"#);
    let failed = lambkin(&s, &["invoke", "cli", "--payload", r#"{"fail":true}"#]);
    assert_eq!(failed.status.code(), Some(2), "a function error exits 2");

    let queued = lambkin(
        &s,
        &[
            "invoke",
            "cli",
            "--async",
            "--json",
            "--payload",
            r#"{"n":1}"#,
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&queued.stdout).unwrap();
    assert_eq!(v["statusCode"], 202);
    let id = v["requestId"].as_str().unwrap().to_string();
    s.finished_event(&id, Duration::from_secs(20)).await;

    let inspect = lambkin(&s, &["inspect", &id]);
    let text = stdout(&inspect);
    assert!(
        text.contains("state       succeeded") && text.contains("attempt 1"),
        "{text}"
    );
    let inspect = lambkin(&s, &["inspect", &id, "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&inspect.stdout).unwrap();
    assert_eq!(v["attempts"][0]["outcome"], "success");

    let events = lambkin(&s, &["events", "cli", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&events.stdout).unwrap();
    assert_eq!(v["events"][0]["requestId"], id.as_str());

    s.log_with("cli", &format!("REPORT RequestId: {id}")).await;
    let logs = lambkin(&s, &["logs", "cli"]);
    let text = stdout(&logs);
    assert!(
        text.contains(&format!("START RequestId: {id} Version: $LATEST")),
        "{text}"
    );
    assert!(text.contains("REPORT RequestId: "), "{text}");

    let status = lambkin(&s, &["status", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(v["queue"]["succeeded"], 1);

    let missing = lambkin(&s, &["inspect", "00000000-0000-4000-8000-000000000000"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("ResourceNotFoundException"));
}

#[tokio::test]
async fn logs_follow_sees_new_lines() {
    let s = TestServer::start();
    s.create_node("follow", "node-echo-cjs", "index.handler")
        .await;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_lambkin"))
        .args(["logs", "follow", "--follow"])
        .env("LAMBKIN_ENDPOINT", &s.url)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let out = s
        .lambda
        .invoke()
        .function_name("follow")
        .payload(aws_sdk_lambda::primitives::Blob::new(
            r#"{"log":"followed line"}"#,
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status_code(), 200);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let mut seen = false;
    while let Ok(line) =
        rx.recv_timeout(deadline.saturating_duration_since(std::time::Instant::now()))
    {
        if line.contains("followed line") {
            seen = true;
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(seen, "logs --follow printed the new line");
}

/// `events --failed`, `inspect` with its deliveries, and `dlq redrive`, as a person uses them.
#[tokio::test]
async fn failed_events_their_deliveries_and_redrive() {
    let s = TestServer::start();
    let sqs = crate::support::sqs_client(&s.url);
    let dlq = sqs
        .create_queue()
        .queue_name("cli-dlq")
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_string();
    let folder = fixtures().join("node-echo-cjs");
    let deployed = lambkin(
        &s,
        &[
            "deploy",
            folder.to_str().unwrap(),
            "--name",
            "fails",
            "--runtime",
            "nodejs20.x",
            "--handler",
            "index.handler",
        ],
    );
    assert!(deployed.status.success(), "{deployed:?}");
    s.lambda
        .update_function_configuration()
        .function_name("fails")
        .dead_letter_config(
            aws_sdk_lambda::types::DeadLetterConfig::builder()
                .target_arn("arn:aws:sqs:us-east-1:000000000000:cli-dlq")
                .build(),
        )
        .send()
        .await
        .unwrap();
    s.lambda
        .put_function_event_invoke_config()
        .function_name("fails")
        .maximum_retry_attempts(0)
        .send()
        .await
        .unwrap();
    let ok = lambkin(&s, &["invoke", "fails", "--async", "--payload", "{}"]);
    let bad = lambkin(
        &s,
        &[
            "invoke",
            "fails",
            "--async",
            "--payload",
            r#"{"fail":true}"#,
        ],
    );
    let id = |o: &Output| {
        stdout(o)
            .split_whitespace()
            .nth(1)
            .expect("queued <request id>")
            .to_string()
    };
    let (ok_id, bad_id) = (id(&ok), id(&bad));
    let v = s.finished_event(&bad_id, Duration::from_secs(30)).await;
    assert_eq!(v["state"], "failed");
    s.finished_event(&ok_id, Duration::from_secs(30)).await;

    let failed = stdout(&lambkin(&s, &["events", "fails", "--failed"]));
    assert!(failed.contains(&bad_id), "{failed}");
    assert!(!failed.contains(&ok_id), "only failed events: {failed}");

    let shown =
        crate::support::eventually("the DLQ delivery done", Duration::from_secs(30), || async {
            let out = stdout(&lambkin(&s, &["inspect", &bad_id]));
            out.contains("delivered").then_some(out)
        })
        .await;
    assert!(
        shown.contains("dead_letter")
            && shown.contains("arn:aws:sqs:us-east-1:000000000000:cli-dlq"),
        "{shown}"
    );

    let out = lambkin(&s, &["dlq", "redrive", "fails", "--json"]);
    assert!(out.status.success(), "{out:?}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["requeued"].as_array().map(Vec::len),
        Some(1),
        "{report}"
    );
    let again = report["requeued"][0].as_str().unwrap();
    let v = s.finished_event(again, Duration::from_secs(30)).await;
    assert_eq!(
        v["payload"],
        serde_json::json!({"fail": true}),
        "the original payload"
    );
    // The payload still fails, so the redriven event is dead-lettered again: the queue now
    // holds its message alone (the original was deleted once the new event was queued).
    let messages = crate::support::eventually(
        "the redriven event's dead letter",
        Duration::from_secs(30),
        || async {
            let got = sqs
                .receive_message()
                .queue_url(&dlq)
                .max_number_of_messages(10)
                .visibility_timeout(0)
                .message_attribute_names("All")
                .send()
                .await
                .unwrap();
            (!got.messages().is_empty()).then(|| got.messages().to_vec())
        },
    )
    .await;
    let request_ids: Vec<&str> = messages
        .iter()
        .filter_map(|m| m.message_attributes()?.get("RequestID")?.string_value())
        .collect();
    assert_eq!(request_ids, vec![again]);
}

/// Every ARN and queue URL is built from the account and region: malformed ones are refused at
/// start, before anything is written.
#[test]
fn serve_refuses_a_malformed_account_or_region() {
    let dir = tempfile::tempdir().unwrap();
    for (flag, value, expected) in [
        ("--account-id", "1234", "--account-id must be 12 digits"),
        (
            "--account-id",
            "00000000000x",
            "--account-id must be 12 digits",
        ),
        ("--region", "US East", "--region must look like us-east-1"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_lambkin"))
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(dir.path().join("data"))
            .args([flag, value])
            .output()
            .expect("run lambkin");
        assert!(!out.status.success(), "{flag} {value}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{flag} {value}: {stderr}");
        assert!(
            !dir.path().join("data").exists(),
            "nothing is created for a refused start"
        );
    }
}
