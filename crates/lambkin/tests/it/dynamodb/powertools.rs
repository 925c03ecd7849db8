//! AWS Lambda Powertools for Python's idempotency utility, unchanged (installed by pip into the
//! function's package), keeping its records in lambkin's DynamoDB: the same payload runs the
//! handler once and returns the stored result; a concurrent duplicate gets
//! `IdempotencyAlreadyInProgressError`; an expired record runs the handler again.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, Runtime};
use serde_json::Value;

use crate::support::{
    ROLE, TestServer, dynamodb_client, dynamodb_table_with_ttl, eventually, payload_json,
};

const HANDLER: &str = r#"import time

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent,
)

persistence = DynamoDBPersistenceLayer(table_name="IdempotencyTable")
config = IdempotencyConfig(expires_after_seconds=2)


@idempotent(persistence_store=persistence, config=config)
def handler(event, context):
    print("HANDLER RAN", event["n"])
    time.sleep(event.get("sleep", 0))
    return {"n": event["n"], "at": time.time()}
"#;

/// The function's package: the handler and Powertools, installed by pip; fails with pip's
/// output if it cannot.
fn package(dir: &Path) -> Vec<u8> {
    std::fs::create_dir_all(dir).expect("dir");
    std::fs::write(dir.join("app.py"), HANDLER).expect("handler");
    let out = Command::new("python3")
        .args(["-m", "pip", "install", "--quiet", "--target"])
        .arg(dir)
        .arg("aws-lambda-powertools")
        .output()
        .unwrap_or_else(|e| panic!("the Powertools test needs python3 with pip: {e}"));
    assert!(
        out.status.success(),
        "pip could not install aws-lambda-powertools (is PyPI reachable?):\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    lambkin_engine::zip_folder(dir).expect("zip")
}

#[tokio::test]
async fn powertools_idempotency_runs_unchanged() {
    let work = tempfile::tempdir().expect("tempdir");
    let zip = package(&work.path().join("function"));
    let s = TestServer::start();
    let ddb = dynamodb_client(&s.url);
    dynamodb_table_with_ttl(&ddb, "IdempotencyTable", "id", "expiration").await;
    s.lambda
        .create_function()
        .function_name("idempotent")
        .runtime(Runtime::Python312)
        .handler("app.handler")
        .role(ROLE)
        .timeout(30)
        .code(FunctionCode::builder().zip_file(Blob::new(zip)).build())
        .send()
        .await
        .expect("create function");
    let invoke = |payload: &'static str| {
        let lambda = s.lambda.clone();
        async move {
            let out = lambda
                .invoke()
                .function_name("idempotent")
                .payload(Blob::new(payload))
                .send()
                .await
                .expect("invoke");
            (
                out.function_error().map(str::to_string),
                payload_json(out.payload()),
            )
        }
    };
    let runs = |n: &'static str| {
        let s = &s;
        async move {
            s.log_text("idempotent")
                .await
                .matches(&format!("HANDLER RAN {n}\n"))
                .count()
        }
    };

    // The same payload twice: one run, the stored result returned the second time.
    let (err, first) = invoke(r#"{"n": 1}"#).await;
    assert_eq!(err, None, "{first}");
    let (err, second) = invoke(r#"{"n": 1}"#).await;
    assert_eq!(err, None, "{second}");
    assert_eq!(first, second, "the second call returns the stored result");
    assert_eq!(runs("1").await, 1);

    // A duplicate while the first is still running.
    let slow = tokio::spawn(invoke(r#"{"n": 2, "sleep": 3}"#));
    eventually(
        "the slow call to start",
        Duration::from_secs(30),
        || async { (runs("2").await == 1).then_some(()) },
    )
    .await;
    let (err, duplicate) = invoke(r#"{"n": 2, "sleep": 3}"#).await;
    assert_eq!(err.as_deref(), Some("Unhandled"), "{duplicate}");
    assert_eq!(
        duplicate["errorType"],
        Value::from("IdempotencyAlreadyInProgressError"),
        "{duplicate}"
    );
    let (err, done) = slow.await.expect("slow call");
    assert_eq!(err, None, "{done}");
    assert_eq!(runs("2").await, 1, "the duplicate did not run the handler");

    // Once the record has expired (2 s), the same payload runs again.
    eventually("the record to expire", Duration::from_secs(30), || async {
        let (err, again) = invoke(r#"{"n": 1}"#).await;
        assert_eq!(err, None, "{again}");
        (again != first).then_some(())
    })
    .await;
    assert_eq!(runs("1").await, 2);
}
