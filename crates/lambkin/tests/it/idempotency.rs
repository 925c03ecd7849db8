//! The seed article's idempotent handler (`examples/idempotency/function`, aws-sdk v2
//! DocumentClient get/put on `ProcessedRequests`) against lambkin's DynamoDB: one asynchronous
//! event fails once after storing its record; Lambda's retry carries the same request id, and
//! the article's check skips it.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, Runtime};

use crate::support::{ROLE, TestServer, dynamodb_client, dynamodb_table_with_ttl, send_event};

/// Copies the function's folder and installs aws-sdk; fails with npm's output if it cannot.
fn install(into: &Path) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/idempotency/function");
    std::fs::create_dir_all(into).expect("dir");
    for file in ["index.js", "package.json", "package-lock.json"] {
        std::fs::copy(from.join(file), into.join(file)).expect("copy");
    }
    let out = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(into)
        .output()
        .unwrap_or_else(|e| panic!("the idempotency test needs npm (Node.js 20): {e}"));
    assert!(
        out.status.success(),
        "npm could not install aws-sdk (is the npm registry reachable?):\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn the_articles_check_skips_a_retried_request() {
    let work = tempfile::tempdir().expect("tempdir");
    let function_dir = work.path().join("function");
    install(&function_dir);
    let zip = lambkin_engine::zip_folder(&function_dir).expect("zip");

    let s = TestServer::start();
    let ddb = dynamodb_client(&s.url);
    dynamodb_table_with_ttl(&ddb, "ProcessedRequests", "requestId", "ttl").await;
    s.lambda
        .create_function()
        .function_name("process-order")
        .runtime(Runtime::Nodejs20x)
        .handler("index.handler")
        .role(ROLE)
        .timeout(30)
        .code(FunctionCode::builder().zip_file(Blob::new(zip)).build())
        .send()
        .await
        .expect("create function");
    s.lambda
        .put_function_event_invoke_config()
        .function_name("process-order")
        .maximum_retry_attempts(1)
        .send()
        .await
        .unwrap();

    let id = send_event(
        &s,
        "process-order",
        r#"{"orderId": 42, "forceRetry": true}"#,
    )
    .await;
    let event = s.finished_event(&id, Duration::from_secs(60)).await;
    assert_eq!(event["state"], "succeeded", "{event}");
    let attempts = event["attempts"].as_array().expect("attempts");
    assert_eq!(attempts.len(), 2, "one failure, then the retry: {event}");
    let log = s
        .log_with("process-order", "Request already processed, skipping")
        .await;
    assert_eq!(
        log.matches("Processing order 42").count(),
        1,
        "the order was processed once:\n{log}"
    );
    assert!(
        log.matches(&format!("RequestId: {id}")).count() >= 4,
        "both runs (START and END of each) carry the same request id:\n{log}"
    );
    let stored = ddb
        .get_item()
        .table_name("ProcessedRequests")
        .key("requestId", AttributeValue::S(id.clone()))
        .send()
        .await
        .unwrap();
    let item = stored.item().expect("the record");
    let result = item["result"].as_m().expect("result is a map");
    assert_eq!(result["orderId"], AttributeValue::N("42".into()));
    assert_eq!(result["charged"], AttributeValue::Bool(true));
    assert!(item.contains_key("ttl") && item.contains_key("timestamp"));
}
