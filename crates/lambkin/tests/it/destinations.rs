//! Where failed and finished events go, end to end with real clients: the dead-letter queue,
//! OnSuccess/OnFailure records compared field by field with AWS's shapes, reserved concurrency 0,
//! a function as a destination, and delivery failures that are counted without touching the
//! invocation. `recovery.rs` covers crashes and redrive, `validation.rs` every refused
//! configuration; SNS as a target and fan-out is in `sns_delivery.rs`.

mod recovery;
mod validation;

use std::time::Duration;

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{
    DeadLetterConfig, DestinationConfig, Environment, FunctionCode, OnFailure, OnSuccess, Runtime,
};
use aws_sdk_sqs::types::{Message, QueueAttributeName};
use serde_json::{Value, json};

use crate::support::{
    ROLE, TestServer, aws_error, eventually, receive_one, send_event, sqs_client, zip_fixture,
    zip_with,
};

const WITHIN: Duration = Duration::from_secs(30);
const FAILS: &str = r#"exports.handler = async (event) => {
    throw new Error(`intentional failure ${event.n}`);
};"#;
const ECHOES: &str = r#"exports.handler = async (event) => {
    console.log("got", JSON.stringify(event));
    return { ok: true, event };
};"#;
const BROKEN_UNLESS_FIXED: &str = r#"exports.handler = async (event) => {
    if (process.env.BROKEN === "1") throw new Error(`broken on ${event.n}`);
    return { fixed: event.n };
};"#;

fn queue_arn(name: &str) -> String {
    format!("arn:aws:sqs:us-east-1:000000000000:{name}")
}

fn function_arn(name: &str) -> String {
    format!("arn:aws:lambda:us-east-1:000000000000:function:{name}")
}

async fn create_queue(sqs: &aws_sdk_sqs::Client, name: &str) -> String {
    let url = sqs
        .create_queue()
        .queue_name(name)
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_string();
    let attrs = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        attrs
            .attributes()
            .and_then(|a| a.get(&QueueAttributeName::QueueArn))
            .map(String::as_str),
        Some(queue_arn(name).as_str())
    );
    url
}

fn body_json(m: &Message) -> Value {
    serde_json::from_str(m.body().unwrap()).unwrap()
}

fn attribute(m: &Message, name: &str) -> (String, String) {
    let a = m
        .message_attributes()
        .and_then(|a| a.get(name))
        .unwrap_or_else(|| panic!("attribute {name} in {m:?}"));
    (
        a.data_type().to_string(),
        a.string_value().unwrap_or_default().to_string(),
    )
}

async fn create_js(s: &TestServer, name: &str, js: &str, dead_letter: Option<&str>) {
    let mut create = s
        .lambda
        .create_function()
        .function_name(name)
        .runtime(Runtime::Nodejs20x)
        .handler("index.handler")
        .role(ROLE)
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(zip_with(&[("index.js", js, 0o644)])))
                .build(),
        );
    if let Some(arn) = dead_letter {
        create = create.dead_letter_config(DeadLetterConfig::builder().target_arn(arn).build());
    }
    create.send().await.unwrap();
}

async fn set_destinations(
    s: &TestServer,
    name: &str,
    retries: i32,
    on_success: Option<&str>,
    on_failure: Option<&str>,
) {
    let mut d = DestinationConfig::builder();
    if let Some(arn) = on_success {
        d = d.on_success(OnSuccess::builder().destination(arn).build());
    }
    if let Some(arn) = on_failure {
        d = d.on_failure(OnFailure::builder().destination(arn).build());
    }
    s.lambda
        .put_function_event_invoke_config()
        .function_name(name)
        .maximum_retry_attempts(retries)
        .destination_config(d.build())
        .send()
        .await
        .unwrap();
}

/// Waits until every delivery the event owes is done, and returns the event.
async fn delivered_event(s: &TestServer, id: &str) -> Value {
    eventually(&format!("deliveries of {id}"), WITHIN, || async {
        let v = s.event(id).await;
        let done = v["deliveries"]
            .as_array()
            .is_some_and(|d| !d.is_empty() && d.iter().all(|d| d["state"] != "pending"));
        done.then_some(v)
    })
    .await
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

#[tokio::test]
async fn failed_event_lands_in_the_dead_letter_queue_with_aws_attributes() {
    let s = TestServer::start();
    let sqs = sqs_client(&s.url);
    let dlq = create_queue(&sqs, "my-function-dlq").await;
    create_js(&s, "flaky", FAILS, Some(&queue_arn("my-function-dlq"))).await;
    s.lambda
        .put_function_event_invoke_config()
        .function_name("flaky")
        .maximum_retry_attempts(1)
        .send()
        .await
        .unwrap();

    let id = send_event(&s, "flaky", r#"{"n": 7}"#).await;
    let m = receive_one(&sqs, &dlq).await;
    assert_eq!(
        m.body(),
        Some(r#"{"n": 7}"#),
        "the original payload, unchanged"
    );
    assert_eq!(attribute(&m, "RequestID"), ("String".into(), id.clone()));
    assert_eq!(attribute(&m, "ErrorCode"), ("Number".into(), "200".into()));
    assert_eq!(
        attribute(&m, "ErrorMessage"),
        ("String".into(), "intentional failure 7".into())
    );

    let v = delivered_event(&s, &id).await;
    assert_eq!(
        (
            v["state"].as_str(),
            v["condition"].as_str(),
            v["invocations"].as_u64()
        ),
        (Some("failed"), Some("RetriesExhausted"), Some(2))
    );
    assert_eq!(v["deliveries"].as_array().unwrap().len(), 1);
    assert_eq!(v["deliveries"][0]["kind"], "dead_letter");
    assert_eq!(v["deliveries"][0]["state"], "delivered");
    assert_eq!(v["deliveries"][0]["target"], queue_arn("my-function-dlq"));

    let (_, failed) = s
        .admin("/_lambkin/v1/functions/flaky/events?state=failed")
        .await;
    let ids: Vec<&str> = failed["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["requestId"].as_str())
        .collect();
    assert_eq!(ids, vec![id.as_str()]);
}

/// The seed's destination example: OnSuccess and OnFailure SQS queues, read back and compared
/// with the records of reference §6.
#[tokio::test]
async fn seed_destinations_deliver_aws_records_to_both_queues() {
    let s = TestServer::start();
    let sqs = sqs_client(&s.url);
    let ok = create_queue(&sqs, "success-queue").await;
    let ko = create_queue(&sqs, "failure-queue").await;
    s.create_node("my-function", "seed-destinations", "index.handler")
        .await;
    set_destinations(
        &s,
        "my-function",
        0,
        Some(&queue_arn("success-queue")),
        Some(&queue_arn("failure-queue")),
    )
    .await;

    let good = send_event(&s, "my-function", r#"{"data":"x"}"#).await;
    let record = body_json(&receive_one(&sqs, &ok).await);
    assert_eq!(
        keys(&record),
        [
            "requestContext",
            "requestPayload",
            "responseContext",
            "responsePayload",
            "timestamp",
            "version"
        ]
    );
    assert_eq!(record["version"], "1.0");
    let ts = record["timestamp"].as_str().unwrap();
    assert!(
        ts.len() == 24 && ts.ends_with('Z') && ts.as_bytes()[19] == b'.',
        "{ts}"
    );
    assert_eq!(
        record["requestContext"],
        json!({
            "requestId": good,
            "functionArn": format!("{}:$LATEST", function_arn("my-function")),
            "condition": "Success",
            "approximateInvokeCount": 1
        })
    );
    assert_eq!(record["requestPayload"], json!({"data": "x"}));
    assert_eq!(
        record["responseContext"],
        json!({"statusCode": 200, "executedVersion": "$LATEST"})
    );
    assert_eq!(record["responsePayload"]["processed"], true);
    assert_eq!(record["responsePayload"]["data"], "x");

    let bad = send_event(&s, "my-function", "{}").await;
    let record = body_json(&receive_one(&sqs, &ko).await);
    assert_eq!(
        record["requestContext"],
        json!({
            "requestId": bad,
            "functionArn": format!("{}:$LATEST", function_arn("my-function")),
            "condition": "RetriesExhausted",
            "approximateInvokeCount": 1
        })
    );
    assert_eq!(record["requestPayload"], json!({}));
    assert_eq!(
        record["responseContext"],
        json!({"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"})
    );
    assert_eq!(record["responsePayload"]["errorType"], "Error");
    assert_eq!(
        record["responsePayload"]["errorMessage"],
        "Invalid event structure"
    );
    assert!(record["responsePayload"]["stackTrace"].is_array());

    // Destinations fire only for async invocations: a synchronous success records nothing, so
    // the next record in the success queue is the next async event's (oldest first).
    let sync = s
        .lambda
        .invoke()
        .function_name("my-function")
        .payload(Blob::new(r#"{"data":"sync"}"#))
        .send()
        .await
        .unwrap();
    assert_eq!(sync.status_code(), 200);
    let after = send_event(&s, "my-function", r#"{"data":"after"}"#).await;
    let record = body_json(&receive_one(&sqs, &ok).await);
    assert_eq!(record["requestContext"]["requestId"], after.as_str());
    assert_eq!(record["requestPayload"], json!({"data": "after"}));

    // Each queue got exactly its records.
    for url in [&ok, &ko] {
        let left = sqs
            .receive_message()
            .queue_url(url.as_str())
            .send()
            .await
            .unwrap();
        assert!(left.messages().is_empty(), "{url}: {left:?}");
    }
}

#[tokio::test]
async fn zero_reserved_concurrency_goes_to_dlq_and_on_failure_without_running() {
    let s = TestServer::start();
    let sqs = sqs_client(&s.url);
    let dlq = create_queue(&sqs, "dlq").await;
    let ko = create_queue(&sqs, "ko").await;
    create_js(&s, "off", ECHOES, Some(&queue_arn("dlq"))).await;
    set_destinations(&s, "off", 2, None, Some(&queue_arn("ko"))).await;
    s.reserve("off", 0).await;

    let id = send_event(&s, "off", r#"{"n":1}"#).await;
    let m = receive_one(&sqs, &dlq).await;
    assert_eq!(m.body(), Some(r#"{"n":1}"#));
    assert_eq!(attribute(&m, "RequestID").1, id);
    assert_eq!(attribute(&m, "ErrorCode"), ("Number".into(), "429".into()));
    let record = body_json(&receive_one(&sqs, &ko).await);
    assert_eq!(
        keys(&record),
        ["requestContext", "requestPayload", "timestamp", "version"],
        "no response parts: the function never ran"
    );
    assert_eq!(
        record["requestContext"]["condition"],
        "ZeroReservedConcurrency"
    );
    assert_eq!(record["requestContext"]["approximateInvokeCount"], 0);
    let v = delivered_event(&s, &id).await;
    assert_eq!(v["invocations"], 0);
    assert!(
        !s.log_text("off").await.contains("START"),
        "the function never ran"
    );
}

#[tokio::test]
async fn a_function_destination_is_invoked_asynchronously_with_the_record() {
    let s = TestServer::start();
    create_js(&s, "next", ECHOES, None).await;
    create_js(&s, "first", ECHOES, None).await;
    set_destinations(&s, "first", 0, Some(&function_arn("next")), None).await;

    let id = send_event(&s, "first", r#"{"step":1}"#).await;
    delivered_event(&s, &id).await;
    let next_event = eventually("an event for next", WITHIN, || async {
        let (_, v) = s.admin("/_lambkin/v1/functions/next/events").await;
        v["events"][0]["requestId"].as_str().map(str::to_string)
    })
    .await;
    let v = s.finished_event(&next_event, WITHIN).await;
    assert_eq!(v["state"], "succeeded");
    assert_eq!(v["payload"]["requestContext"]["requestId"], id.as_str());
    assert_eq!(v["payload"]["requestContext"]["condition"], "Success");
    assert_eq!(v["payload"]["requestPayload"], json!({"step": 1}));
    assert_eq!(
        v["payload"]["responsePayload"],
        json!({"ok": true, "event": {"step": 1}})
    );
}

#[tokio::test]
async fn delivery_failures_are_counted_and_never_rerun_the_event() {
    let s = TestServer::start();
    let sqs = sqs_client(&s.url);
    let dlq = create_queue(&sqs, "gone-dlq").await;
    let ko = create_queue(&sqs, "gone-ko").await;
    create_js(&s, "f", FAILS, Some(&queue_arn("gone-dlq"))).await;
    set_destinations(&s, "f", 0, None, Some(&queue_arn("gone-ko"))).await;
    // Targets deleted after they were configured: AWS counts the failed deliveries.
    sqs.delete_queue().queue_url(&dlq).send().await.unwrap();
    sqs.delete_queue().queue_url(&ko).send().await.unwrap();

    let id = send_event(&s, "f", r#"{"n":1}"#).await;
    let v = delivered_event(&s, &id).await;
    assert_eq!(
        (v["state"].as_str(), v["invocations"].as_u64()),
        (Some("failed"), Some(1)),
        "a failed delivery neither fails nor re-runs the invocation"
    );
    let deliveries = v["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 2);
    for d in deliveries {
        assert_eq!(d["state"], "failed", "{d}");
        assert!(
            d["lastError"].as_str().unwrap().contains("does not exist"),
            "{d}"
        );
    }
    let (_, status) = s.admin("/_lambkin/v1/status").await;
    assert_eq!(status["deliveries"]["deadLetterErrors"], 1, "{status}");
    assert_eq!(
        status["deliveries"]["destinationDeliveryFailures"], 1,
        "{status}"
    );
}

/// `throw new Error()` has an empty message; SQS refuses empty attribute values, so the DLQ's
/// `ErrorMessage` carries the error type instead of losing the delivery.
#[tokio::test]
async fn an_error_without_message_still_reaches_the_dead_letter_queue() {
    let s = TestServer::start();
    let sqs = sqs_client(&s.url);
    let dlq = create_queue(&sqs, "quiet-dlq").await;
    create_js(
        &s,
        "quiet",
        "exports.handler = async () => { throw new TypeError(); };",
        Some(&queue_arn("quiet-dlq")),
    )
    .await;
    s.lambda
        .put_function_event_invoke_config()
        .function_name("quiet")
        .maximum_retry_attempts(0)
        .send()
        .await
        .unwrap();
    let id = send_event(&s, "quiet", "{}").await;
    let m = receive_one(&sqs, &dlq).await;
    assert_eq!(attribute(&m, "RequestID").1, id);
    assert_eq!(
        attribute(&m, "ErrorMessage"),
        ("String".into(), "TypeError".into())
    );
    let v = delivered_event(&s, &id).await;
    assert_eq!(v["deliveries"][0]["state"], "delivered");
}

/// An S3 bucket as the on-failure destination (AWS, 2024): the record is written as a JSON
/// object under `aws/lambda/async/<function>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<uuid>`.
#[tokio::test]
async fn a_failure_record_lands_in_an_s3_bucket() {
    let s = TestServer::start();
    s.create_rust_echo("fails").await;
    let s3 = crate::support::s3_client(&s.url);
    s3.create_bucket()
        .bucket("failures")
        .send()
        .await
        .expect("bucket");
    set_destinations(&s, "fails", 0, None, Some("arn:aws:s3:::failures")).await;
    let id = send_event(&s, "fails", r#"{"fail":true}"#).await;
    let v = delivered_event(&s, &id).await;
    assert_eq!(v["deliveries"][0]["state"], "delivered", "{v}");

    let listed = s3
        .list_objects_v2()
        .bucket("failures")
        .prefix("aws/lambda/async/fails/")
        .send()
        .await
        .expect("list");
    assert_eq!(listed.contents().len(), 1);
    let key = listed.contents()[0].key().expect("key").to_string();
    // aws/lambda/async/fails/2026/12/07/2026-12-07T16.30.00-<uuid>
    let parts: Vec<&str> = key.split('/').collect();
    assert_eq!(parts.len(), 8, "{key}");
    assert_eq!(parts[4].len(), 4);
    assert!(
        parts[7].starts_with(&format!("{}-{}-{}T", parts[4], parts[5], parts[6])),
        "{key}"
    );
    let object = s3
        .get_object()
        .bucket("failures")
        .key(&key)
        .send()
        .await
        .expect("get");
    assert_eq!(object.content_type(), Some("application/json"));
    let record: Value =
        serde_json::from_slice(&object.body.collect().await.expect("body").to_vec())
            .expect("record");
    assert_eq!(record["requestContext"]["requestId"], id.as_str());
    assert_eq!(record["requestContext"]["condition"], "RetriesExhausted");
    assert_eq!(record["requestPayload"], serde_json::json!({"fail": true}));
}
