//! SQS event source mappings (issue 13 §4) with the AWS SDK for Rust: the control plane and
//! AWS's messages, the records a function receives, what happens to a batch after each kind
//! of answer, filters, disabling, restarts and `kill -9`. The function is
//! `examples/functions/node-sqs-batch`, which logs each event and fails on chosen bodies.

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

#[tokio::test]
async fn esm_crud_answers_as_aws_and_states_settle() {
    let (s, _sqs, _) = setup("crud", "crud-q", &[]).await;
    let out = s
        .lambda
        .create_event_source_mapping()
        .event_source_arn(queue_arn("crud-q"))
        .function_name("crud")
        .send()
        .await
        .unwrap();
    let uuid = out.uuid().unwrap().to_string();
    assert_eq!(uuid.len(), 36);
    assert_eq!(out.state(), Some("Creating"));
    assert_eq!(out.state_transition_reason(), Some("USER_INITIATED"));
    assert_eq!(out.batch_size(), Some(10));
    assert_eq!(out.maximum_batching_window_in_seconds(), Some(0));
    assert_eq!(out.event_source_arn(), Some(queue_arn("crud-q").as_str()));
    assert_eq!(
        out.function_arn(),
        Some(format!("arn:aws:lambda:us-east-1:{ACCOUNT}:function:crud").as_str())
    );
    assert_eq!(
        out.event_source_mapping_arn(),
        Some(format!("arn:aws:lambda:us-east-1:{ACCOUNT}:event-source-mapping:{uuid}").as_str())
    );
    assert!(out.function_response_types().is_empty());
    assert!(out.filter_criteria().is_none() && out.scaling_config().is_none());
    let created = out.last_modified().unwrap().as_secs_f64();
    assert!(created > 1.7e9, "epoch seconds: {created}");

    // The raw body: a 202, epoch-seconds LastModified, the response types always listed.
    let (status, body) = http(
        &s.url,
        "GET",
        &format!("/2015-03-31/event-source-mappings/{uuid}"),
        &[],
        Bytes::new(),
    )
    .await;
    assert_eq!(status, 200);
    let raw: Value = serde_json::from_slice(&body).unwrap();
    assert!(
        raw["LastModified"].is_f64() || raw["LastModified"].is_u64(),
        "{raw}"
    );
    assert_eq!(raw["FunctionResponseTypes"], serde_json::json!([]));
    assert!(
        raw.get("Enabled").is_none(),
        "not a member of the answer: {raw}"
    );

    wait_state(&s, &uuid, "Enabled").await;

    // Update: settings merge; the answer is Updating, then Enabled again.
    let up = s
        .lambda
        .update_event_source_mapping()
        .uuid(&uuid)
        .batch_size(50)
        .maximum_batching_window_in_seconds(2)
        .function_response_types(FunctionResponseType::ReportBatchItemFailures)
        .scaling_config(ScalingConfig::builder().maximum_concurrency(3).build())
        .filter_criteria(
            FilterCriteria::builder()
                .filters(
                    Filter::builder()
                        .pattern(r#"{"body":{"kind":["a"]}}"#)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(up.state(), Some("Updating"));
    assert_eq!(up.batch_size(), Some(50));
    assert_eq!(up.maximum_batching_window_in_seconds(), Some(2));
    assert_eq!(
        up.function_response_types(),
        &[FunctionResponseType::ReportBatchItemFailures]
    );
    assert_eq!(up.scaling_config().unwrap().maximum_concurrency(), Some(3));
    assert_eq!(
        up.filter_criteria().unwrap().filters()[0].pattern(),
        Some(r#"{"body":{"kind":["a"]}}"#)
    );
    wait_state(&s, &uuid, "Enabled").await;
    let got = s
        .lambda
        .get_event_source_mapping()
        .uuid(&uuid)
        .send()
        .await
        .unwrap();
    assert_eq!(got.batch_size(), Some(50), "updates are kept");
    assert!(got.last_modified().unwrap().as_secs_f64() >= created);

    // Disable and enable: Disabling → Disabled, Enabling → Enabled.
    let off = s
        .lambda
        .update_event_source_mapping()
        .uuid(&uuid)
        .enabled(false)
        .send()
        .await
        .unwrap();
    assert_eq!(off.state(), Some("Disabling"));
    wait_state(&s, &uuid, "Disabled").await;
    let on = s
        .lambda
        .update_event_source_mapping()
        .uuid(&uuid)
        .enabled(true)
        .send()
        .await
        .unwrap();
    assert_eq!(on.state(), Some("Enabling"));
    wait_state(&s, &uuid, "Enabled").await;

    // Created disabled: Creating, then Disabled.
    s.create_node("other", "node-sqs-batch", "index.handler")
        .await;
    let second = s
        .lambda
        .create_event_source_mapping()
        .event_source_arn(queue_arn("crud-q"))
        .function_name(format!("arn:aws:lambda:us-east-1:{ACCOUNT}:function:other"))
        .enabled(false)
        .send()
        .await
        .unwrap();
    assert_eq!(second.state(), Some("Creating"));
    let second_uuid = second.uuid().unwrap().to_string();
    wait_state(&s, &second_uuid, "Disabled").await;

    // List: all, by queue, by function (name or ARN), paged.
    let all = s.lambda.list_event_source_mappings().send().await.unwrap();
    assert_eq!(all.event_source_mappings().len(), 2);
    let by_fn = s
        .lambda
        .list_event_source_mappings()
        .function_name("other")
        .send()
        .await
        .unwrap();
    let uuids: Vec<_> = by_fn
        .event_source_mappings()
        .iter()
        .map(|m| m.uuid().unwrap())
        .collect();
    assert_eq!(uuids, vec![second_uuid.as_str()]);
    let by_arn = s
        .lambda
        .list_event_source_mappings()
        .event_source_arn(queue_arn("crud-q"))
        .function_name(format!("arn:aws:lambda:us-east-1:{ACCOUNT}:function:crud"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        by_arn.event_source_mappings()[0].uuid(),
        Some(uuid.as_str())
    );
    let none = s
        .lambda
        .list_event_source_mappings()
        .function_name("doesnotexist")
        .send()
        .await
        .unwrap();
    assert!(none.event_source_mappings().is_empty());
    let first_page = s
        .lambda
        .list_event_source_mappings()
        .max_items(1)
        .send()
        .await
        .unwrap();
    assert_eq!(first_page.event_source_mappings().len(), 1);
    let marker = first_page.next_marker().expect("a second page").to_string();
    let second_page = s
        .lambda
        .list_event_source_mappings()
        .max_items(1)
        .marker(marker)
        .send()
        .await
        .unwrap();
    assert_eq!(second_page.event_source_mappings().len(), 1);
    assert!(second_page.next_marker().is_none());
    assert_ne!(
        first_page.event_source_mappings()[0].uuid(),
        second_page.event_source_mappings()[0].uuid()
    );

    // Delete: 202 Deleting, then gone.
    let del = s
        .lambda
        .delete_event_source_mapping()
        .uuid(&uuid)
        .send()
        .await
        .unwrap();
    assert_eq!(del.state(), Some("Deleting"));
    assert_eq!(del.uuid(), Some(uuid.as_str()));
    eventually(
        "the mapping to be gone",
        Duration::from_secs(10),
        || async {
            let e = s
                .lambda
                .get_event_source_mapping()
                .uuid(&uuid)
                .send()
                .await
                .err()?;
            Some(aws_error(&e))
        },
    )
    .await;
    let e = s
        .lambda
        .get_event_source_mapping()
        .uuid(&uuid)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_error(&e),
        ("ResourceNotFoundException".into(), NOT_FOUND.into(), 404)
    );
}

#[tokio::test]
async fn esm_refusals_carry_aws_codes_and_messages() {
    let (s, _sqs, _) = setup("v", "vq", &[]).await;
    let create = || {
        s.lambda
            .create_event_source_mapping()
            .event_source_arn(queue_arn("vq"))
            .function_name("v")
    };
    let invalid = |m: &str| {
        (
            "InvalidParameterValueException".to_string(),
            m.to_string(),
            400,
        )
    };
    let validation = |m: &str| ("ValidationException".to_string(), m.to_string(), 400);
    let filter = |p: &str| {
        FilterCriteria::builder()
            .filters(Filter::builder().pattern(p).build())
            .build()
    };
    let mut six = FilterCriteria::builder();
    for i in 0..6 {
        six = six.filters(
            Filter::builder()
                .pattern(format!(r#"{{"body":["{i}"]}}"#))
                .build(),
        );
    }
    let cases = vec![
        (
            "no EventSourceArn",
            s.lambda.create_event_source_mapping().function_name("v"),
            invalid("Unrecognized event source."),
        ),
        (
            "a source lambkin cannot read",
            create().event_source_arn(format!("arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/s")),
            invalid("Unrecognized event source."),
        ),
        (
            "no such function",
            create().function_name("doesnotexist"),
            invalid("Function does not exist"),
        ),
        (
            "no such queue",
            create().event_source_arn(queue_arn("nowhere")),
            invalid(
                "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist.",
            ),
        ),
        (
            "a queue of another account",
            create().event_source_arn("arn:aws:sqs:us-east-1:111111111111:vq"),
            invalid(
                "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist.",
            ),
        ),
        (
            "more than 10 without a window",
            create().batch_size(11),
            invalid(
                "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10",
            ),
        ),
        (
            "a FIFO queue with a window",
            create()
                .event_source_arn(queue_arn("vq.fifo"))
                .batch_size(5)
                .maximum_batching_window_in_seconds(2),
            invalid("Batching window is not supported for FIFO queues"),
        ),
        (
            "a FIFO queue with more than 10",
            create()
                .event_source_arn(queue_arn("vq.fifo"))
                .batch_size(11)
                .maximum_batching_window_in_seconds(1),
            invalid("Batching window is not supported for FIFO queues"),
        ),
        (
            "a pattern that is not one",
            create().filter_criteria(filter("simple string")),
            invalid("Invalid filter pattern definition."),
        ),
        (
            "a pattern whose leaves are not arrays",
            create().filter_criteria(filter(r#"{"body":"x"}"#)),
            invalid("Invalid filter pattern definition."),
        ),
        (
            "a filter without a pattern",
            create().filter_criteria(
                FilterCriteria::builder()
                    .filters(Filter::builder().build())
                    .build(),
            ),
            invalid("Invalid filter pattern definition."),
        ),
        (
            "six filters",
            create().filter_criteria(six.build()),
            invalid("The FilterCriteria of an event source mapping can have at most 5 filters."),
        ),
        (
            "batch size 0",
            create().batch_size(0),
            validation(
                "1 validation error detected: Value '0' at 'batchSize' failed to satisfy constraint: Member must have value greater than or equal to 1",
            ),
        ),
        (
            "batch size 10001",
            create()
                .batch_size(10_001)
                .maximum_batching_window_in_seconds(1),
            validation(
                "1 validation error detected: Value '10001' at 'batchSize' failed to satisfy constraint: Member must have value less than or equal to 10000",
            ),
        ),
        (
            "a window of 301 s",
            create().maximum_batching_window_in_seconds(301),
            validation(
                "1 validation error detected: Value '301' at 'maximumBatchingWindowInSeconds' failed to satisfy constraint: Member must have value less than or equal to 300",
            ),
        ),
        (
            "MaximumConcurrency 1",
            create().scaling_config(ScalingConfig::builder().maximum_concurrency(1).build()),
            validation(
                "1 validation error detected: Value '1' at 'scalingConfig.maximumConcurrency' failed to satisfy constraint: Member must have value greater than or equal to 2",
            ),
        ),
        (
            "MaximumConcurrency 1001",
            create().scaling_config(ScalingConfig::builder().maximum_concurrency(1001).build()),
            validation(
                "1 validation error detected: Value '1001' at 'scalingConfig.maximumConcurrency' failed to satisfy constraint: Member must have value less than or equal to 1000",
            ),
        ),
        (
            "an unknown response type",
            create().function_response_types(FunctionResponseType::from("Partial")),
            validation(
                "1 validation error detected: Value '[Partial]' at 'functionResponseTypes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]",
            ),
        ),
    ];
    for (case, req, want) in cases {
        let e = req.send().await.expect_err(case);
        assert_eq!(aws_error(&e), want, "{case}");
    }
    assert!(
        s.lambda
            .list_event_source_mappings()
            .send()
            .await
            .unwrap()
            .event_source_mappings()
            .is_empty(),
        "no refused create left a mapping"
    );

    // One mapping per queue and function.
    let first = create().send().await.unwrap();
    let uuid = first.uuid().unwrap();
    let e = create().send().await.unwrap_err();
    assert_eq!(
        aws_error(&e),
        (
            "ResourceConflictException".into(),
            format!(
                "An event source mapping with SQS arn (\" {} \") and function (\" v \") already exists. Please update or delete the existing mapping with UUID {uuid}",
                queue_arn("vq")
            ),
            409
        )
    );
    // The same rules hold for an update, on the mapping as it would be.
    let e = s
        .lambda
        .update_event_source_mapping()
        .uuid(uuid)
        .batch_size(100)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_error(&e),
        invalid(
            "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10"
        )
    );
    let e = s
        .lambda
        .update_event_source_mapping()
        .uuid(uuid)
        .function_name("doesnotexist")
        .send()
        .await
        .unwrap_err();
    assert_eq!(aws_error(&e), invalid("Function does not exist"));

    // Unknown UUIDs.
    let unknown = "6a4f1b9e-1111-4222-8333-444455556666";
    let not_found = (
        "ResourceNotFoundException".to_string(),
        NOT_FOUND.to_string(),
        404,
    );
    let e = s
        .lambda
        .get_event_source_mapping()
        .uuid(unknown)
        .send()
        .await
        .unwrap_err();
    assert_eq!(aws_error(&e), not_found);
    let e = s
        .lambda
        .update_event_source_mapping()
        .uuid(unknown)
        .enabled(false)
        .send()
        .await
        .unwrap_err();
    assert_eq!(aws_error(&e), not_found);
    let e = s
        .lambda
        .delete_event_source_mapping()
        .uuid(unknown)
        .send()
        .await
        .unwrap_err();
    assert_eq!(aws_error(&e), not_found);

    // List parameters.
    let e = s
        .lambda
        .list_event_source_mappings()
        .max_items(0)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_error(&e),
        validation(
            "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"
        )
    );

    // What the SDK will not send: no FunctionName, and a body that is not JSON.
    let (status, body) = http(
        &s.url,
        "POST",
        "/2015-03-31/event-source-mappings",
        &[("content-type", "application/json")],
        Bytes::from(format!(r#"{{"EventSourceArn":"{}"}}"#, queue_arn("vq"))),
    )
    .await;
    assert_eq!(status, 400);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        v["message"],
        "1 validation error detected: Value null at 'functionName' failed to satisfy constraint: Member must not be null"
    );
    let (status, _) = http(
        &s.url,
        "POST",
        "/2015-03-31/event-source-mappings",
        &[("content-type", "application/json")],
        Bytes::from_static(b"{not json"),
    )
    .await;
    assert_eq!(status, 400);
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

#[tokio::test]
async fn esm_disabling_stops_delivery_and_enabling_resumes_it() {
    let (s, sqs, url) = setup("toggle", "toggle-q", &[]).await;
    let uuid = map(&s, "toggle-q", "toggle", 10, 0).await;
    let first = send_all(&sqs, &url, &["before"]).await;
    eventually("the first message", Duration::from_secs(20), || async {
        deliveries(&records(&s, "toggle").await)
            .contains_key(&first[0])
            .then_some(())
    })
    .await;
    s.lambda
        .update_event_source_mapping()
        .uuid(&uuid)
        .enabled(false)
        .send()
        .await
        .unwrap();
    wait_state(&s, &uuid, "Disabled").await;
    let second = send_all(&sqs, &url, &["while disabled"]).await;
    // Absence over a window: the message stays visible, untouched, while disabled.
    let until = Instant::now() + Duration::from_millis(1500);
    while Instant::now() < until {
        assert_eq!(
            counts(&sqs, &url).await,
            (1, 0),
            "not received while disabled"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!deliveries(&records(&s, "toggle").await).contains_key(&second[0]));
    s.lambda
        .update_event_source_mapping()
        .uuid(&uuid)
        .enabled(true)
        .send()
        .await
        .unwrap();
    wait_state(&s, &uuid, "Enabled").await;
    eventually("the second message", Duration::from_secs(20), || async {
        deliveries(&records(&s, "toggle").await)
            .contains_key(&second[0])
            .then_some(())
    })
    .await;
    wait_empty(&sqs, &url).await;
}

#[tokio::test]
async fn esm_a_mapping_survives_a_restart() {
    let (mut s, _, _) = setup("kept", "kept-q", &[]).await;
    let uuid = map(&s, "kept-q", "kept", 20, 3).await;
    s.kill9();
    let s = TestServer::start_in(&s.data, &["--time-scale", "0.01"]);
    let got = s
        .lambda
        .get_event_source_mapping()
        .uuid(&uuid)
        .send()
        .await
        .unwrap();
    assert_eq!(got.batch_size(), Some(20));
    assert_eq!(got.maximum_batching_window_in_seconds(), Some(3));
    assert_eq!(got.state(), Some("Enabled"));
    let sqs = sqs_client(&s.url);
    let url = sqs
        .get_queue_url()
        .queue_name("kept-q")
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_string();
    let ids = send_all(&sqs, &url, &["after the restart"]).await;
    eventually(
        "delivery after the restart",
        Duration::from_secs(20),
        || async {
            deliveries(&records(&s, "kept").await)
                .contains_key(&ids[0])
                .then_some(())
        },
    )
    .await;
    wait_empty(&sqs, &url).await;
}

/// A batch in flight when the server is killed is neither lost nor counted done: its message
/// comes back after the visibility timeout and runs again after the restart.
#[tokio::test]
async fn esm_an_in_flight_batch_runs_again_after_kill_9() {
    let (mut s, sqs, url) = setup(
        "inflight",
        "inflight-q",
        &[(QueueAttributeName::VisibilityTimeout, "4")],
    )
    .await;
    s.lambda
        .update_function_configuration()
        .function_name("inflight")
        .timeout(30)
        .send()
        .await
        .unwrap();
    map(&s, "inflight-q", "inflight", 10, 0).await;
    let ids = send_all(&sqs, &url, &["sleep:3000 important"]).await;
    eventually("the batch to start", Duration::from_secs(20), || async {
        (!records(&s, "inflight").await.is_empty()).then_some(())
    })
    .await;
    s.kill9();
    let s = TestServer::start_in(&s.data, &["--time-scale", "0.01"]);
    let again = eventually(
        "the batch to run again",
        Duration::from_secs(30),
        || async {
            let r = records(&s, "inflight").await;
            (r.len() >= 2).then_some(r)
        },
    )
    .await;
    assert_eq!(again[1]["messageId"], ids[0].as_str());
    assert_eq!(again[1]["attributes"]["ApproximateReceiveCount"], "2");
    let sqs = sqs_client(&s.url);
    wait_empty(&sqs, &url).await;
}

/// The chain of invocations travels in the messages' `AWSTraceHeader`: a batch continues it,
/// and one that would be invocation 17 of its chain is not run.
#[tokio::test]
async fn esm_batches_continue_the_chain_of_their_messages() {
    let (s, sqs, url, dlq) = setup_with_dlq("chain", "chain-q", 1).await;
    let send = |lineage: u32| {
        sqs.send_message()
            .queue_url(&url)
            .message_body(format!("lineage {lineage}"))
            .message_system_attributes(
                MessageSystemAttributeNameForSends::AwsTraceHeader,
                MessageSystemAttributeValue::builder()
                    .data_type("String")
                    .string_value(format!(
                        "Root=1-6553f100-c2a6f2ae1234400080000000;Lineage=a87bd80c:{lineage}"
                    ))
                    .build()
                    .unwrap(),
            )
            .send()
    };
    map(&s, "chain-q", "chain", 1, 0).await;
    send(15).await.unwrap();
    let log = s.log_with("chain", "TRACE ").await;
    assert!(
        log.contains(":16"),
        "the 16th invocation of the chain runs: {log}"
    );
    let looped = send(16).await.unwrap();
    // Stopped, never run: it returns to the queue and its redrive takes it.
    assert_eq!(
        ids_in(&sqs, &dlq, 1).await,
        vec![looped.message_id().unwrap().to_string()]
    );
    let seen = deliveries(&records(&s, "chain").await);
    assert!(!seen.contains_key(looped.message_id().unwrap()), "{seen:?}");
}

/// A throttled invoke hands its batch back at once (not after the visibility timeout), and the
/// poller backs off; each hand-back is a receive, so redrive still applies.
#[tokio::test]
async fn esm_a_throttled_batch_goes_back_to_the_queue_at_once() {
    let s = TestServer::start();
    s.create_node("held", "node-sqs-batch", "index.handler")
        .await;
    s.reserve("held", 0).await;
    let sqs = sqs_client(&s.url);
    let dlq = create_queue(&sqs, "held-dlq", &[]).await;
    let url = create_queue(
        &sqs,
        "held-q",
        &[
            (QueueAttributeName::VisibilityTimeout, "60"),
            (
                QueueAttributeName::RedrivePolicy,
                &redrive_to("held-dlq", 3),
            ),
        ],
    )
    .await;
    let ids = send_all(&sqs, &url, &["throttled"]).await;
    map(&s, "held-q", "held", 10, 0).await;
    // Three receives within the test's deadline: each throttle released the message at once
    // (a 60 s visibility timeout would have held it for minutes).
    assert_eq!(ids_in(&sqs, &dlq, 1).await, ids);
    assert!(
        records(&s, "held").await.is_empty(),
        "the function never ran"
    );
}
