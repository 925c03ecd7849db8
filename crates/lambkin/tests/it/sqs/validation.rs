//! Every validation error with AWS's code and message, and that a refused request changes
//! nothing (no queue created, no message stored).

use aws_sdk_sqs::types::{MessageAttributeValue, QueueAttributeName, SendMessageBatchRequestEntry};

use super::{code_and_message, counts, create_queue, sqs_client};
use crate::support::TestServer;

/// Queue name, attributes, expected code and message.
type CreateCase<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str, String);

#[tokio::test]
async fn a_queue_cannot_be_its_own_dead_letter_queue() {
    let server = TestServer::start();
    let sqs = sqs_client(&server.url);
    let to_self = |name: &str| {
        format!(
            r#"{{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:{name}","maxReceiveCount":1}}"#
        )
    };
    let refusal = |policy: &str| {
        (
            "InvalidParameterValue".to_string(),
            format!(
                "Value {policy} for parameter RedrivePolicy is invalid. Reason: Dead letter target cannot be the source queue."
            ),
        )
    };
    let policy = to_self("loop");
    let r = sqs
        .create_queue()
        .queue_name("loop")
        .attributes(QueueAttributeName::RedrivePolicy, &policy)
        .send()
        .await;
    assert_eq!(code_and_message(r), refusal(&policy));

    let url = create_queue(&sqs, "self", &[]).await;
    let policy = to_self("self");
    let r = sqs
        .set_queue_attributes()
        .queue_url(&url)
        .attributes(QueueAttributeName::RedrivePolicy, &policy)
        .send()
        .await;
    assert_eq!(code_and_message(r), refusal(&policy));
    assert!(
        !super::attributes(&sqs, &url)
            .await
            .contains_key("RedrivePolicy")
    );

    // The queue still works through receives that would have redriven a message into itself.
    sqs.send_message()
        .queue_url(&url)
        .message_body("m")
        .send()
        .await
        .expect("send");
    for _ in 0..3 {
        let got = sqs
            .receive_message()
            .queue_url(&url)
            .visibility_timeout(0)
            .send()
            .await
            .expect("receive");
        assert_eq!(got.messages().len(), 1);
    }
}

#[tokio::test]
async fn bad_queues_and_attributes_are_refused_with_aws_errors() {
    let server = TestServer::start();
    let sqs = sqs_client(&server.url);
    let dlq_missing =
        r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:nope","maxReceiveCount":3}"#;
    let bad_count =
        r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:nope","maxReceiveCount":0}"#;
    let name_rule =
        "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length";
    let long = "x".repeat(81);
    let cases: Vec<CreateCase> = vec![
        (
            "bad name!",
            vec![],
            "InvalidParameterValue",
            name_rule.into(),
        ),
        (&long, vec![], "InvalidParameterValue", name_rule.into()),
        // A `.fifo` name without `FifoQueue=true` breaks the standard queue name rule.
        ("jobs.fifo", vec![], "InvalidParameterValue", name_rule.into()),
        (
            "q1",
            vec![("FifoQueue", "true")],
            "InvalidParameterValue",
            "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.".into(),
        ),
        (
            "q1",
            vec![("FifoQueue", "false")],
            "InvalidAttributeName",
            "Unknown Attribute FifoQueue.".into(),
        ),
        (
            "q1",
            vec![("ContentBasedDeduplication", "false")],
            "InvalidAttributeName",
            "Unknown Attribute ContentBasedDeduplication.".into(),
        ),
        (
            "q1",
            vec![("DeduplicationScope", "queue")],
            "InvalidAttributeName",
            "You can specify the DeduplicationScope only when FifoQueue is set to true.".into(),
        ),
        (
            "q1",
            vec![("FifoThroughputLimit", "perQueue")],
            "InvalidAttributeName",
            "You can specify the FifoThroughputLimit only when FifoQueue is set to true.".into(),
        ),
        (
            "q2",
            vec![("VisibilityTimeout", "43201")],
            "InvalidAttributeValue",
            "Invalid value for the parameter VisibilityTimeout.".into(),
        ),
        (
            "q3",
            vec![("MessageRetentionPeriod", "59")],
            "InvalidAttributeValue",
            "Invalid value for the parameter MessageRetentionPeriod.".into(),
        ),
        (
            "q4",
            vec![("DelaySeconds", "901")],
            "InvalidAttributeValue",
            "Invalid value for the parameter DelaySeconds.".into(),
        ),
        (
            "q5",
            vec![("ReceiveMessageWaitTimeSeconds", "21")],
            "InvalidAttributeValue",
            "Invalid value for the parameter ReceiveMessageWaitTimeSeconds.".into(),
        ),
        (
            "q6",
            vec![("Colour", "blue")],
            "InvalidAttributeName",
            "Unknown Attribute Colour.".into(),
        ),
        (
            "q7",
            vec![("RedrivePolicy", dlq_missing)],
            "InvalidParameterValue",
            format!(
                "Value {dlq_missing} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist."
            ),
        ),
        (
            "q8",
            vec![("RedrivePolicy", bad_count)],
            "InvalidParameterValue",
            format!(
                "Value {bad_count} for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: 0, valid values are from 1 to 1000 both inclusive."
            ),
        ),
    ];
    for (name, attrs, code, message) in cases {
        let mut req = sqs.create_queue().queue_name(name);
        for (k, v) in &attrs {
            req = req.attributes(QueueAttributeName::from(*k), *v);
        }
        let got = code_and_message(req.send().await);
        assert_eq!(got, (code.to_string(), message), "{name} {attrs:?}");
    }
    let listed = sqs.list_queues().send().await.expect("list");
    assert!(
        listed.queue_urls().is_empty(),
        "no refused queue was created: {listed:?}"
    );

    // SetQueueAttributes refuses the same way and leaves the queue as it was.
    let url = create_queue(&sqs, "kept", &[("VisibilityTimeout", "7")]).await;
    let r = sqs
        .set_queue_attributes()
        .queue_url(&url)
        .attributes(QueueAttributeName::VisibilityTimeout, "9")
        .attributes(QueueAttributeName::DelaySeconds, "-1")
        .send()
        .await;
    assert_eq!(code_and_message(r).0, "InvalidAttributeValue");
    assert_eq!(
        super::attributes(&sqs, &url).await["VisibilityTimeout"],
        "7"
    );
    let r = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::from("Nope"))
        .send()
        .await;
    assert_eq!(
        code_and_message(r),
        (
            "InvalidAttributeName".into(),
            "Unknown Attribute Nope.".into()
        )
    );
}

#[tokio::test]
async fn bad_messages_and_receives_are_refused_with_aws_errors() {
    let server = TestServer::start();
    let sqs = sqs_client(&server.url);
    let url = create_queue(&sqs, "q", &[]).await;
    let too_big = "x".repeat(1_048_577);
    let body_cases: Vec<(String, Option<i32>, &str, &str)> = vec![
        (
            too_big,
            None,
            "InvalidParameterValue",
            "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.",
        ),
        (
            "bad\u{1}char".into(),
            None,
            "InvalidMessageContents",
            "Invalid binary character '#x1' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF",
        ),
        (
            String::new(),
            None,
            "MissingParameter",
            "The request must contain the parameter MessageBody.",
        ),
        (
            "x".into(),
            Some(901),
            "InvalidParameterValue",
            "Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.",
        ),
    ];
    for (body, delay, code, message) in body_cases {
        let r = sqs
            .send_message()
            .queue_url(&url)
            .message_body(body)
            .set_delay_seconds(delay)
            .send()
            .await;
        assert_eq!(code_and_message(r), (code.to_string(), message.to_string()));
    }
    // Exactly the limit is accepted: body plus attribute name, type and value.
    let attr = MessageAttributeValue::builder()
        .data_type("String")
        .string_value("v")
        .build()
        .expect("a");
    let at_limit = "x".repeat(1_048_576 - "k".len() - "String".len() - 1);
    sqs.send_message()
        .queue_url(&url)
        .message_body(at_limit)
        .message_attributes("k", attr)
        .send()
        .await
        .expect("at the limit");

    let bad_number = MessageAttributeValue::builder()
        .data_type("Number")
        .string_value("ten")
        .build()
        .expect("a");
    let r = sqs
        .send_message()
        .queue_url(&url)
        .message_body("x")
        .message_attributes("n", bad_number)
        .send()
        .await;
    assert_eq!(
        code_and_message(r),
        (
            "InvalidParameterValue".into(),
            "Can't cast the value of message (user) attribute 'n' to a number.".into()
        )
    );
    assert_eq!(
        counts(&sqs, &url).await,
        (1, 0, 0),
        "only the valid message was stored"
    );

    let receive_cases = [
        (
            Some(11),
            None,
            None,
            "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.",
        ),
        (
            Some(0),
            None,
            None,
            "Value 0 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.",
        ),
        (
            None,
            Some(21),
            None,
            "Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.",
        ),
        (
            None,
            None,
            Some(43_201),
            "Value 43201 for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.",
        ),
    ];
    for (max, wait, vis, message) in receive_cases {
        let r = sqs
            .receive_message()
            .queue_url(&url)
            .set_max_number_of_messages(max)
            .set_wait_time_seconds(wait)
            .set_visibility_timeout(vis)
            .send()
            .await;
        assert_eq!(
            code_and_message(r),
            ("InvalidParameterValue".into(), message.into())
        );
    }
    assert_eq!(
        counts(&sqs, &url).await,
        (1, 0, 0),
        "a refused receive hides nothing"
    );

    let r = sqs
        .delete_message()
        .queue_url(&url)
        .receipt_handle("nonsense")
        .send()
        .await;
    let e = r.expect_err("invalid handle");
    assert!(
        e.as_service_error()
            .is_some_and(|e| e.is_receipt_handle_is_invalid()),
        "{e:?}"
    );

    let missing = url.replace("/q", "/missing");
    let e = sqs
        .send_message()
        .queue_url(&missing)
        .message_body("x")
        .send()
        .await
        .expect_err("missing");
    assert!(
        e.as_service_error()
            .is_some_and(|e| e.is_queue_does_not_exist()),
        "{e:?}"
    );
    let e = sqs
        .receive_message()
        .queue_url(&missing)
        .send()
        .await
        .expect_err("missing");
    assert!(
        e.as_service_error()
            .is_some_and(|e| e.is_queue_does_not_exist()),
        "{e:?}"
    );
}

#[tokio::test]
async fn bad_batches_are_refused_whole() {
    let server = TestServer::start();
    let sqs = sqs_client(&server.url);
    let url = create_queue(&sqs, "q", &[]).await;
    let entry = |id: &str| {
        SendMessageBatchRequestEntry::builder()
            .id(id)
            .message_body("x")
            .build()
            .expect("e")
    };

    let e = sqs
        .send_message_batch()
        .queue_url(&url)
        .set_entries(Some(vec![]))
        .send()
        .await
        .expect_err("empty");
    assert!(
        e.as_service_error()
            .is_some_and(|e| e.is_empty_batch_request()),
        "{e:?}"
    );
    let eleven: Vec<_> = (0..11).map(|i| entry(&format!("e{i}"))).collect();
    let r = sqs
        .send_message_batch()
        .queue_url(&url)
        .set_entries(Some(eleven))
        .send()
        .await;
    assert_eq!(
        code_and_message(r),
        (
            // SDKs read the code from x-amzn-query-error, as AWS sends it.
            "AWS.SimpleQueueService.TooManyEntriesInBatchRequest".into(),
            "Maximum number of entries per request are 10. You have sent 11.".into()
        )
    );
    let r = sqs
        .send_message_batch()
        .queue_url(&url)
        .entries(entry("a"))
        .entries(entry("a"))
        .send()
        .await;
    assert_eq!(
        code_and_message(r),
        (
            "AWS.SimpleQueueService.BatchEntryIdsNotDistinct".into(),
            "Id a repeated.".into()
        )
    );
    let e = sqs
        .send_message_batch()
        .queue_url(&url)
        .entries(entry("a.b"))
        .send()
        .await
        .expect_err("bad id");
    assert!(
        e.as_service_error()
            .is_some_and(|e| e.is_invalid_batch_entry_id()),
        "{e:?}"
    );
    let big = || {
        SendMessageBatchRequestEntry::builder()
            .id(uuid::Uuid::new_v4().simple().to_string())
            .message_body("x".repeat(600_000))
            .build()
            .expect("e")
    };
    let e = sqs
        .send_message_batch()
        .queue_url(&url)
        .entries(big())
        .entries(big())
        .send()
        .await
        .expect_err("too long");
    assert!(
        e.as_service_error()
            .is_some_and(|e| e.is_batch_request_too_long()),
        "{e:?}"
    );
    assert_eq!(
        counts(&sqs, &url).await,
        (0, 0, 0),
        "no refused batch stored anything"
    );
}
