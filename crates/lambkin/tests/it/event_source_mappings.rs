//! SQS event source mappings (issue 13 §4) with the AWS SDK for Rust: the control plane and
//! AWS's messages, the records a function receives, what happens to a batch after each kind
//! of answer, filters, disabling, restarts and `kill -9`. The function is
//! `examples/functions/node-sqs-batch`, which logs each event and fails on chosen bodies.

mod control;
mod lifecycle;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use aws_sdk_lambda::types::{Filter, FilterCriteria, FunctionResponseType, ScalingConfig};
use aws_sdk_sqs::types::{
    MessageAttributeValue, MessageSystemAttributeNameForSends, MessageSystemAttributeValue,
    QueueAttributeName, SendMessageBatchRequestEntry,
};
use bytes::Bytes;
use serde_json::Value;

use crate::support::{TestServer, aws_error, eventually, http, sqs_client};

const ACCOUNT: &str = "000000000000";
const NOT_FOUND: &str = "The resource you requested does not exist.";

fn queue_arn(name: &str) -> String {
    format!("arn:aws:sqs:us-east-1:{ACCOUNT}:{name}")
}

/// A server with the batch fixture as `function` and a queue `queue` (with `attributes`).
async fn setup(
    function: &str,
    queue: &str,
    attributes: &[(QueueAttributeName, &str)],
) -> (TestServer, aws_sdk_sqs::Client, String) {
    let s = TestServer::start();
    s.create_node(function, "node-sqs-batch", "index.handler")
        .await;
    let sqs = sqs_client(&s.url);
    let url = create_queue(&sqs, queue, attributes).await;
    (s, sqs, url)
}

/// As [`setup`], with a dead-letter queue `<queue>-dlq` taking messages received
/// `max_receive_count` times, and a 1 s visibility timeout; the DLQ's URL last.
async fn setup_with_dlq(
    function: &str,
    queue: &str,
    max_receive_count: u32,
) -> (TestServer, aws_sdk_sqs::Client, String, String) {
    let s = TestServer::start();
    s.create_node(function, "node-sqs-batch", "index.handler")
        .await;
    let sqs = sqs_client(&s.url);
    let dlq_name = format!("{queue}-dlq");
    let dlq = create_queue(&sqs, &dlq_name, &[]).await;
    let url = create_queue(
        &sqs,
        queue,
        &[
            (QueueAttributeName::VisibilityTimeout, "1"),
            (
                QueueAttributeName::RedrivePolicy,
                &redrive_to(&dlq_name, max_receive_count),
            ),
        ],
    )
    .await;
    (s, sqs, url, dlq)
}

async fn create_queue(
    sqs: &aws_sdk_sqs::Client,
    name: &str,
    attributes: &[(QueueAttributeName, &str)],
) -> String {
    let mut req = sqs.create_queue().queue_name(name);
    for (k, v) in attributes {
        req = req.attributes(k.clone(), *v);
    }
    req.send().await.unwrap().queue_url().unwrap().to_string()
}

fn redrive_to(dlq: &str, max_receive_count: u32) -> String {
    format!(
        r#"{{"deadLetterTargetArn":"{}","maxReceiveCount":{max_receive_count}}}"#,
        queue_arn(dlq)
    )
}

/// Sends the bodies in one SendMessageBatch (so a mapping created after sees them at once);
/// returns their message ids in order.
async fn send_all(sqs: &aws_sdk_sqs::Client, url: &str, bodies: &[&str]) -> Vec<String> {
    let mut req = sqs.send_message_batch().queue_url(url);
    for (i, body) in bodies.iter().enumerate() {
        req = req.entries(
            SendMessageBatchRequestEntry::builder()
                .id(format!("m{i}"))
                .message_body(*body)
                .build()
                .unwrap(),
        );
    }
    let out = req.send().await.unwrap();
    assert!(out.failed().is_empty(), "{:?}", out.failed());
    let by_id: HashMap<&str, &str> = out
        .successful()
        .iter()
        .map(|e| (e.id(), e.message_id()))
        .collect();
    (0..bodies.len())
        .map(|i| by_id[format!("m{i}").as_str()].to_string())
        .collect()
}

/// Creates a mapping for `queue` → `function` and waits until it is `Enabled`; its UUID.
async fn map(s: &TestServer, queue: &str, function: &str, batch: i32, window: i32) -> String {
    let out = s
        .lambda
        .create_event_source_mapping()
        .event_source_arn(queue_arn(queue))
        .function_name(function)
        .batch_size(batch)
        .maximum_batching_window_in_seconds(window)
        .send()
        .await
        .unwrap();
    let uuid = out.uuid().unwrap().to_string();
    wait_state(s, &uuid, "Enabled").await;
    uuid
}

async fn wait_state(s: &TestServer, uuid: &str, state: &str) {
    eventually(
        &format!("mapping {uuid} to be {state}"),
        Duration::from_secs(10),
        || async {
            let got = s
                .lambda
                .get_event_source_mapping()
                .uuid(uuid)
                .send()
                .await
                .unwrap();
            (got.state() == Some(state)).then_some(())
        },
    )
    .await;
}

/// Every event the function has logged so far, in order.
async fn batches(s: &TestServer, function: &str) -> Vec<Value> {
    s.log_text(function)
        .await
        .lines()
        .filter_map(|l| l.split_once("BATCH ").map(|(_, json)| json))
        .map(|json| serde_json::from_str(json).expect("a logged event"))
        .collect()
}

/// The records of every logged event, flattened.
async fn records(s: &TestServer, function: &str) -> Vec<Value> {
    batches(s, function)
        .await
        .into_iter()
        .flat_map(|b| b["Records"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// How many times the function saw each message.
fn deliveries(records: &[Value]) -> HashMap<String, usize> {
    let mut n = HashMap::new();
    for r in records {
        *n.entry(r["messageId"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    n
}

/// (visible, in flight) messages of a queue.
async fn counts(sqs: &aws_sdk_sqs::Client, url: &str) -> (u64, u64) {
    let attrs = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .unwrap();
    let a = attrs.attributes().unwrap();
    let n = |k: QueueAttributeName| a.get(&k).unwrap().parse::<u64>().unwrap();
    (
        n(QueueAttributeName::ApproximateNumberOfMessages),
        n(QueueAttributeName::ApproximateNumberOfMessagesNotVisible),
    )
}

async fn wait_empty(sqs: &aws_sdk_sqs::Client, url: &str) {
    eventually(
        &format!("{url} to be empty"),
        Duration::from_secs(30),
        || async { (counts(sqs, url).await == (0, 0)).then_some(()) },
    )
    .await;
}

/// The ids of every message now in `url` (received, then left to come back).
async fn ids_in(sqs: &aws_sdk_sqs::Client, url: &str, n: usize) -> Vec<String> {
    let mut ids: Vec<String> = eventually(
        &format!("{n} messages in {url}"),
        Duration::from_secs(30),
        || async {
            (counts(sqs, url).await.0 as usize >= n).then_some(())?;
            let got = sqs
                .receive_message()
                .queue_url(url)
                .max_number_of_messages(10)
                .send()
                .await
                .unwrap();
            Some(
                got.messages()
                    .iter()
                    .map(|m| m.message_id().unwrap().to_string())
                    .collect::<Vec<_>>(),
            )
        },
    )
    .await;
    ids.sort();
    ids
}

/// Sends one message with every kind of attribute and a trace header, and one without any,
/// and checks the records field by field against what SQS said it stored.
#[tokio::test]
async fn esm_delivers_records_shaped_as_lambda_sends_them() {
    let (s, sqs, url) = setup("shape", "shape-q", &[]).await;
    let rich = sqs
        .send_message()
        .queue_url(&url)
        .message_body(r#"{"kind":"rich"}"#)
        .message_attributes(
            "Author",
            MessageAttributeValue::builder()
                .data_type("String")
                .string_value("John Grisham")
                .build()
                .unwrap(),
        )
        .message_attributes(
            "WeeksOn",
            MessageAttributeValue::builder()
                .data_type("Number")
                .string_value("6")
                .build()
                .unwrap(),
        )
        .message_attributes(
            "Raw",
            MessageAttributeValue::builder()
                .data_type("Binary")
                .binary_value(aws_sdk_sqs::primitives::Blob::new(vec![1, 2, 3]))
                .build()
                .unwrap(),
        )
        .message_system_attributes(
            MessageSystemAttributeNameForSends::AwsTraceHeader,
            MessageSystemAttributeValue::builder()
                .data_type("String")
                .string_value("Root=1-6553f100-c2a6f2ae1234400080000000;Sampled=0")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let plain = sqs
        .send_message()
        .queue_url(&url)
        .message_body("plain text")
        .send()
        .await
        .unwrap();
    let sent_before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    map(&s, "shape-q", "shape", 10, 1).await;
    let got = eventually("both records", Duration::from_secs(30), || async {
        let r = records(&s, "shape").await;
        (r.len() >= 2).then_some(r)
    })
    .await;
    assert_eq!(got.len(), 2, "delivered once each: {got:?}");
    let batch = &batches(&s, "shape").await[0];
    assert_eq!(
        batch.as_object().unwrap().keys().collect::<Vec<_>>(),
        vec!["Records"]
    );
    let by_id: HashMap<&str, &Value> = got
        .iter()
        .map(|r| (r["messageId"].as_str().unwrap(), r))
        .collect();
    let r = by_id[rich.message_id().unwrap()];
    assert_eq!(r.as_object().unwrap().len(), 10, "{r}");
    // The members in Lambda's order, as the function received the bytes.
    let log = s.log_text("shape").await;
    let line = log.lines().find(|l| l.contains("BATCH ")).unwrap();
    let at = |key: &str| line.find(&format!("\"{key}\":")).unwrap_or(usize::MAX);
    let order = [
        "messageId",
        "receiptHandle",
        "body",
        "attributes",
        "messageAttributes",
        "md5OfMessageAttributes",
        "md5OfBody",
        "eventSource",
        "eventSourceARN",
        "awsRegion",
    ];
    assert!(
        line.contains(r#"BATCH {"Records":[{"messageId":"#),
        "{line}"
    );
    assert!(
        order.windows(2).all(|w| at(w[0]) < at(w[1])),
        "Lambda's members, in Lambda's order: {line}"
    );
    assert!(!r["receiptHandle"].as_str().unwrap().is_empty());
    assert_eq!(r["body"], r#"{"kind":"rich"}"#);
    assert_eq!(r["eventSource"], "aws:sqs");
    assert_eq!(r["eventSourceARN"], queue_arn("shape-q"));
    assert_eq!(r["awsRegion"], "us-east-1");
    assert_eq!(r["md5OfBody"], rich.md5_of_message_body().unwrap());
    assert_eq!(
        r["md5OfMessageAttributes"],
        rich.md5_of_message_attributes().unwrap()
    );
    let a = &r["attributes"];
    assert_eq!(a["ApproximateReceiveCount"], "1");
    assert_eq!(a["SenderId"], ACCOUNT);
    assert_eq!(
        a["AWSTraceHeader"],
        "Root=1-6553f100-c2a6f2ae1234400080000000;Sampled=0"
    );
    let sent: u64 = a["SentTimestamp"].as_str().unwrap().parse().unwrap();
    let first: u64 = a["ApproximateFirstReceiveTimestamp"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(sent <= sent_before && first >= sent, "{a}");
    assert_eq!(
        r["messageAttributes"],
        serde_json::json!({
            "Author": {"stringValue": "John Grisham", "stringListValues": [], "binaryListValues": [], "dataType": "String"},
            "Raw": {"binaryValue": "AQID", "stringListValues": [], "binaryListValues": [], "dataType": "Binary"},
            "WeeksOn": {"stringValue": "6", "stringListValues": [], "binaryListValues": [], "dataType": "Number"}
        })
    );
    let p = by_id[plain.message_id().unwrap()];
    assert_eq!(p["body"], "plain text");
    assert_eq!(p["messageAttributes"], serde_json::json!({}));
    assert_eq!(p["md5OfMessageAttributes"], Value::Null);
    assert!(p["attributes"].get("AWSTraceHeader").is_none());
    // Success deleted both.
    wait_empty(&sqs, &url).await;
}

#[tokio::test]
async fn esm_report_batch_item_failures_returns_only_the_listed_messages() {
    let (s, sqs, url, dlq) = setup_with_dlq("partial", "partial-q", 2).await;
    let ids = send_all(&sqs, &url, &["ok one", "fail two", "ok three"]).await;
    s.lambda
        .create_event_source_mapping()
        .event_source_arn(queue_arn("partial-q"))
        .function_name("partial")
        .function_response_types(FunctionResponseType::ReportBatchItemFailures)
        .send()
        .await
        .unwrap();
    // The failed one comes back (after its 1 s visibility timeout) and fails again; its second
    // receive is the queue's maxReceiveCount, so it moves to the dead-letter queue.
    assert_eq!(ids_in(&sqs, &dlq, 1).await, vec![ids[1].clone()]);
    wait_empty(&sqs, &url).await;
    let seen = deliveries(&records(&s, "partial").await);
    assert_eq!(seen[&ids[0]], 1, "{seen:?}");
    assert_eq!(seen[&ids[1]], 2, "{seen:?}");
    assert_eq!(seen[&ids[2]], 1, "{seen:?}");
}

#[tokio::test]
async fn esm_an_invalid_item_failure_answer_fails_the_whole_batch() {
    let (s, sqs, url, dlq) = setup_with_dlq("invalid", "invalid-q", 1).await;
    let mut ids = send_all(&sqs, &url, &["ok", "bad-id"]).await;
    ids.sort();
    s.lambda
        .create_event_source_mapping()
        .event_source_arn(queue_arn("invalid-q"))
        .function_name("invalid")
        .function_response_types(FunctionResponseType::ReportBatchItemFailures)
        .send()
        .await
        .unwrap();
    // An empty itemIdentifier fails the batch: both come back, and with maxReceiveCount 1
    // both move on.
    assert_eq!(ids_in(&sqs, &dlq, 2).await, ids);
    wait_empty(&sqs, &url).await;
}

#[tokio::test]
async fn esm_a_function_error_returns_the_whole_batch_until_the_dead_letter_queue() {
    let (s, sqs, url, dlq) = setup_with_dlq("whole", "whole-q", 2).await;
    let mut ids = send_all(&sqs, &url, &["throw", "innocent"]).await;
    ids.sort();
    map(&s, "whole-q", "whole", 10, 0).await;
    assert_eq!(ids_in(&sqs, &dlq, 2).await, ids);
    wait_empty(&sqs, &url).await;
    let all = records(&s, "whole").await;
    let seen = deliveries(&all);
    assert_eq!(
        (seen[&ids[0]], seen[&ids[1]]),
        (2, 2),
        "each received twice (maxReceiveCount 2): {seen:?}"
    );
    let counts: Vec<&str> = all
        .iter()
        .map(|r| r["attributes"]["ApproximateReceiveCount"].as_str().unwrap())
        .collect();
    assert_eq!(
        counts.iter().filter(|c| **c == "2").count(),
        2,
        "{counts:?}"
    );
}

#[tokio::test]
async fn esm_filter_criteria_delete_what_they_do_not_match() {
    let (s, sqs, url) = setup("filtered", "filtered-q", &[]).await;
    let ids = send_all(
        &sqs,
        &url,
        &[
            r#"{"kind":"order","n":1}"#,
            r#"{"kind":"refund","n":2}"#,
            "plain order text",
        ],
    )
    .await;
    s.lambda
        .create_event_source_mapping()
        .event_source_arn(queue_arn("filtered-q"))
        .function_name("filtered")
        .filter_criteria(
            FilterCriteria::builder()
                .filters(
                    Filter::builder()
                        .pattern(r#"{"body":{"kind":["order"]}}"#)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    // The two that do not match are deleted unseen: the queue empties, nothing in flight.
    wait_empty(&sqs, &url).await;
    let got = eventually("the matching record", Duration::from_secs(10), || async {
        let r = records(&s, "filtered").await;
        (!r.is_empty()).then_some(r)
    })
    .await;
    let delivered: Vec<&str> = got
        .iter()
        .map(|r| r["messageId"].as_str().unwrap())
        .collect();
    assert_eq!(delivered, vec![ids[0].as_str()]);
}
