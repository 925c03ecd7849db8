//! Behaviour recorded from real SQS that clients notice: the SDK's typed errors, handles whose
//! visibility ended or that an later receive replaced, attribute-name filters, default
//! encryption, X-Ray trace headers and system-attribute digests, queue names in place of URLs,
//! ListDeadLetterSourceQueues, and the query API over `GET` on a queue URL.

use aws_sdk_sqs::types::{
    MessageAttributeValue, MessageSystemAttributeName, MessageSystemAttributeNameForSends,
    MessageSystemAttributeValue, QueueAttributeName, SendMessageBatchRequestEntry,
};
use bytes::Bytes;
use serde_json::json;

use super::{attributes, counts, create_queue, sqs_client};
use crate::support::{TestServer, http_full};

/// Every error the model documents that lambkin produces decodes as the SDK's typed error.
#[tokio::test]
async fn model_errors_decode_as_typed_errors() {
    let server = TestServer::start();
    let sqs = sqs_client(&server.url);
    let url = create_queue(&sqs, "q", &[("DelaySeconds", "1")]).await;
    let gone = url.replace("/q", "/gone");

    let e = sqs.get_queue_url().queue_name("gone").send().await;
    assert!(
        e.unwrap_err()
            .into_service_error()
            .is_queue_does_not_exist()
    );
    let e = sqs.delete_queue().queue_url(&gone).send().await;
    assert!(
        e.unwrap_err()
            .into_service_error()
            .is_queue_does_not_exist()
    );
    let e = sqs
        .create_queue()
        .queue_name("q")
        .attributes(QueueAttributeName::DelaySeconds, "2")
        .send()
        .await;
    assert!(e.unwrap_err().into_service_error().is_queue_name_exists());
    let e = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::from("Nope"))
        .send()
        .await;
    assert!(
        e.unwrap_err()
            .into_service_error()
            .is_invalid_attribute_name()
    );
    let e = sqs
        .set_queue_attributes()
        .queue_url(&url)
        .attributes(QueueAttributeName::DelaySeconds, "901")
        .send()
        .await;
    assert!(
        e.unwrap_err()
            .into_service_error()
            .is_invalid_attribute_value()
    );
    let e = sqs
        .send_message()
        .queue_url(&url)
        .message_body("a\u{1}")
        .send()
        .await;
    assert!(
        e.unwrap_err()
            .into_service_error()
            .is_invalid_message_contents()
    );
    let e = sqs
        .delete_message()
        .queue_url(&url)
        .receipt_handle("garbage")
        .send()
        .await;
    assert!(
        e.unwrap_err()
            .into_service_error()
            .is_receipt_handle_is_invalid()
    );
    let e = sqs
        .change_message_visibility()
        .queue_url(&url)
        .receipt_handle("garbage")
        .visibility_timeout(1)
        .send()
        .await;
    assert!(
        e.unwrap_err()
            .into_service_error()
            .is_receipt_handle_is_invalid()
    );
    let e = sqs
        .delete_message_batch()
        .queue_url(&url)
        .set_entries(Some(vec![]))
        .send()
        .await;
    assert!(e.unwrap_err().into_service_error().is_empty_batch_request());
    let entry = |id: &str| {
        SendMessageBatchRequestEntry::builder()
            .id(id)
            .message_body("x")
            .build()
            .expect("entry")
    };
    let e = sqs
        .send_message_batch()
        .queue_url(&url)
        .set_entries(Some((0..11).map(|i| entry(&format!("e{i}"))).collect()))
        .send()
        .await;
    assert!(
        e.unwrap_err()
            .into_service_error()
            .is_too_many_entries_in_batch_request()
    );
    let e = sqs
        .send_message_batch()
        .queue_url(&url)
        .entries(entry("a"))
        .entries(entry("a"))
        .send()
        .await;
    assert!(
        e.unwrap_err()
            .into_service_error()
            .is_batch_entry_ids_not_distinct()
    );
    sqs.purge_queue()
        .queue_url(&url)
        .send()
        .await
        .expect("purge");
    let e = sqs.purge_queue().queue_url(&url).send().await;
    assert!(
        e.unwrap_err()
            .into_service_error()
            .is_purge_queue_in_progress()
    );
    let e = sqs
        .list_message_move_tasks()
        .source_arn("arn:aws:sqs:us-east-1:000000000000:q")
        .send()
        .await;
    assert!(
        e.unwrap_err()
            .into_service_error()
            .is_unsupported_operation()
    );
}

/// AWS accepts ChangeMessageVisibility for a message whose visibility already ended, and
/// deletes a message with the handle of an earlier receive.
#[tokio::test]
async fn expired_and_older_receipt_handles_are_accepted() {
    let server = TestServer::start();
    let sqs = sqs_client(&server.url);
    let url = create_queue(&sqs, "q", &[]).await;
    sqs.send_message()
        .queue_url(&url)
        .message_body("m")
        .send()
        .await
        .expect("send");
    let receive = || async {
        let got = sqs
            .receive_message()
            .queue_url(&url)
            .visibility_timeout(0)
            .send()
            .await
            .expect("receive");
        got.messages()[0]
            .receipt_handle()
            .expect("handle")
            .to_string()
    };
    // Received with a zero visibility timeout: visible again at once.
    let first = receive().await;
    sqs.change_message_visibility()
        .queue_url(&url)
        .receipt_handle(&first)
        .visibility_timeout(30)
        .send()
        .await
        .expect("a change after the visibility ended is accepted");
    assert_eq!(
        counts(&sqs, &url).await,
        (1, 0, 0),
        "and leaves the message visible"
    );
    let second = receive().await;
    assert_ne!(first, second);
    sqs.delete_message()
        .queue_url(&url)
        .receipt_handle(&first)
        .send()
        .await
        .expect("an older handle deletes");
    assert_eq!(counts(&sqs, &url).await, (0, 0, 0));
    // Deleting again, with either handle, still succeeds.
    for handle in [&first, &second] {
        sqs.delete_message()
            .queue_url(&url)
            .receipt_handle(handle)
            .send()
            .await
            .expect("a deleted message's handle");
    }
}

/// `MessageAttributeNames`: `All`, `*`, `.*`, exact names and string prefixes (`Hel.*`), as
/// recorded from AWS with the same attributes and digests.
#[tokio::test]
async fn message_attribute_name_filters_match_aws() {
    let server = TestServer::start();
    let sqs = sqs_client(&server.url);
    let url = create_queue(&sqs, "q", &[("VisibilityTimeout", "0")]).await;
    let attr = |v: &str| {
        MessageAttributeValue::builder()
            .data_type("String")
            .string_value(v)
            .build()
            .expect("attr")
    };
    let sent = sqs
        .send_message()
        .queue_url(&url)
        .message_body("msg")
        .message_attributes("Help.Me", attr("Me"))
        .message_attributes("Hello", attr("There"))
        .message_attributes("General", attr("Kenobi"))
        .send()
        .await
        .expect("send");
    assert_eq!(
        sent.md5_of_message_attributes(),
        Some("4c360f3fdafd970e05fae2f149d997f5")
    );
    let cases: [(&[&str], &[&str], Option<&str>); 9] = [
        (&[], &[], None),
        (
            &["All"],
            &["General", "Hello", "Help.Me"],
            Some("4c360f3fdafd970e05fae2f149d997f5"),
        ),
        (
            &["*"],
            &["General", "Hello", "Help.Me"],
            Some("4c360f3fdafd970e05fae2f149d997f5"),
        ),
        (
            &[".*"],
            &["General", "Hello", "Help.Me"],
            Some("4c360f3fdafd970e05fae2f149d997f5"),
        ),
        (&["Foo", "Help"], &[], None),
        (
            &["Hello", "General"],
            &["General", "Hello"],
            Some("fca026605781cb4126a1e9044df24232"),
        ),
        (
            &["Foo", "Hello"],
            &["Hello"],
            Some("a311262e065454b75da111d535b8dacd"),
        ),
        (
            &["Hel.*"],
            &["Hello", "Help.Me"],
            Some("83fee93c1bcd8b9a5a923ffacdc636c7"),
        ),
        (&["AWS.", "..foo"], &[], None),
    ];
    for (filter, names, md5) in cases {
        let got = sqs
            .receive_message()
            .queue_url(&url)
            .set_message_attribute_names(Some(filter.iter().map(|s| s.to_string()).collect()))
            .send()
            .await
            .expect("receive");
        let m = &got.messages()[0];
        let mut returned: Vec<&str> = m
            .message_attributes()
            .map(|a| a.keys().map(String::as_str).collect())
            .unwrap_or_default();
        returned.sort_unstable();
        assert_eq!(
            (returned.as_slice(), m.md5_of_message_attributes()),
            (names, md5),
            "{filter:?}"
        );
    }
}

/// New queues have SQS-managed encryption; a KMS key turns it off, and setting the KMS
/// attributes back to their defaults removes them.
#[tokio::test]
async fn sqs_managed_encryption_is_on_by_default() {
    let server = TestServer::start();
    let sqs = sqs_client(&server.url);
    let url = create_queue(&sqs, "q", &[]).await;
    let all = attributes(&sqs, &url).await;
    assert_eq!(all["SqsManagedSseEnabled"], "true");
    assert!(!all.contains_key("KmsMasterKeyId"));
    let set = |k: &str, v: &str| {
        sqs.set_queue_attributes()
            .queue_url(&url)
            .attributes(QueueAttributeName::from(k), v)
    };
    set("KmsMasterKeyId", "testKeyId")
        .attributes(QueueAttributeName::KmsDataKeyReusePeriodSeconds, "6000")
        .send()
        .await
        .expect("kms");
    let all = attributes(&sqs, &url).await;
    assert_eq!(
        (
            all["SqsManagedSseEnabled"].as_str(),
            all["KmsMasterKeyId"].as_str(),
            all["KmsDataKeyReusePeriodSeconds"].as_str()
        ),
        ("false", "testKeyId", "6000")
    );
    set("KmsMasterKeyId", "")
        .attributes(QueueAttributeName::KmsDataKeyReusePeriodSeconds, "300")
        .send()
        .await
        .expect("defaults");
    let all = attributes(&sqs, &url).await;
    assert_eq!(all["SqsManagedSseEnabled"], "false");
    assert!(
        !all.contains_key("KmsMasterKeyId") && !all.contains_key("KmsDataKeyReusePeriodSeconds")
    );
    set("Policy", "").send().await.expect("empty policy");
    assert!(!attributes(&sqs, &url).await.contains_key("Policy"));
}

/// `AWSTraceHeader` from `MessageSystemAttributes` (with its digest in the answer, which the
/// message attributes' digest ignores) or from the request's `X-Amzn-Trace-Id`; a standard
/// queue's `MessageGroupId` comes back as a system attribute.
#[tokio::test]
async fn trace_headers_and_group_ids_are_system_attributes() {
    let server = TestServer::start();
    let sqs = sqs_client(&server.url);
    let url = create_queue(&sqs, "q", &[]).await;
    let trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
    let timestamp = MessageAttributeValue::builder()
        .data_type("Number")
        .string_value("1493147359900")
        .build()
        .expect("attr");
    let plain = sqs
        .send_message()
        .queue_url(&url)
        .message_body("test")
        .message_attributes("timestamp", timestamp.clone())
        .send()
        .await
        .expect("send");
    let traced = sqs
        .send_message()
        .queue_url(&url)
        .message_body("test")
        .message_attributes("timestamp", timestamp)
        .message_system_attributes(
            MessageSystemAttributeNameForSends::AwsTraceHeader,
            MessageSystemAttributeValue::builder()
                .data_type("String")
                .string_value(trace)
                .build()
                .expect("system attr"),
        )
        .message_group_id("g-1")
        .send()
        .await
        .expect("send traced");
    assert_eq!(
        plain.md5_of_message_attributes(),
        traced.md5_of_message_attributes()
    );
    assert_eq!(plain.md5_of_message_system_attributes(), None);
    assert_eq!(
        traced.md5_of_message_system_attributes(),
        Some("5ae4d5d7636402d80f4eb6d213245a88")
    );

    // The X-Ray header of a raw JSON request.
    let header_trace = "Root=1-3152b799-8954dae64eda91bc9a23a7e8;Parent=7fa8c0f79203be72;Sampled=1";
    let (status, _, _) = http_full(
        &server.url,
        "POST",
        "/",
        &[
            ("x-amz-target", "AmazonSQS.SendMessage"),
            ("content-type", "application/x-amz-json-1.0"),
            ("x-amzn-trace-id", header_trace),
        ],
        Bytes::from(json!({"QueueUrl": url, "MessageBody": "header"}).to_string()),
    )
    .await;
    assert_eq!(status, 200);

    let got = sqs
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(10)
        .message_system_attribute_names(MessageSystemAttributeName::AwsTraceHeader)
        .message_system_attribute_names(MessageSystemAttributeName::MessageGroupId)
        .send()
        .await
        .expect("receive");
    let by_header = got
        .messages()
        .iter()
        .find(|m| m.body() == Some("header"))
        .and_then(|m| m.attributes())
        .and_then(|a| a.get(&MessageSystemAttributeName::AwsTraceHeader));
    let traced_message = got
        .messages()
        .iter()
        .find(|m| {
            m.attributes()
                .is_some_and(|a| a.contains_key(&MessageSystemAttributeName::MessageGroupId))
        })
        .expect("the traced message");
    let a = traced_message.attributes().expect("attributes");
    assert_eq!(
        a.get(&MessageSystemAttributeName::AwsTraceHeader)
            .map(String::as_str),
        Some(trace)
    );
    assert_eq!(
        a.get(&MessageSystemAttributeName::MessageGroupId)
            .map(String::as_str),
        Some("g-1")
    );
    assert_eq!(by_header.map(String::as_str), Some(header_trace));
    assert_eq!(got.messages().len(), 3);
}

/// A queue's name where its URL is expected names this account's queue.
#[tokio::test]
async fn a_queue_name_works_as_its_url() {
    let server = TestServer::start();
    let sqs = sqs_client(&server.url);
    let url = create_queue(&sqs, "named", &[]).await;
    let sent = sqs
        .send_message()
        .queue_url("named")
        .message_body("Using name instead of URL")
        .send()
        .await
        .expect("send by name");
    assert_eq!(
        sent.md5_of_message_body(),
        Some("86a83f96652a1bfad3891e7d523750cb")
    );
    sqs.set_queue_attributes()
        .queue_url("named")
        .attributes(QueueAttributeName::RedrivePolicy, "")
        .send()
        .await
        .expect("set by name");
    assert_eq!(counts(&sqs, &url).await, (1, 0, 0));
    let e = sqs
        .send_message()
        .queue_url("other")
        .message_body("x")
        .send()
        .await;
    assert!(
        e.unwrap_err()
            .into_service_error()
            .is_queue_does_not_exist()
    );
}

#[tokio::test]
async fn list_dead_letter_source_queues_pages_through_sources() {
    let server = TestServer::start();
    let sqs = sqs_client(&server.url);
    let dlq = create_queue(&sqs, "dlq", &[]).await;
    let policy =
        r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":50}"#;
    for name in ["src-a", "src-b", "src-c"] {
        create_queue(&sqs, name, &[("RedrivePolicy", policy)]).await;
    }
    create_queue(&sqs, "unrelated", &[]).await;
    let all = sqs
        .list_dead_letter_source_queues()
        .queue_url(&dlq)
        .send()
        .await
        .expect("list");
    let names = |urls: &[String]| -> Vec<String> {
        urls.iter()
            .map(|u| u.rsplit('/').next().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(names(all.queue_urls()), ["src-a", "src-b", "src-c"]);
    assert_eq!(all.next_token(), None, "no token without MaxResults");
    let first = sqs
        .list_dead_letter_source_queues()
        .queue_url(&dlq)
        .max_results(2)
        .send()
        .await
        .expect("page 1");
    assert_eq!(names(first.queue_urls()), ["src-a", "src-b"]);
    let rest = sqs
        .list_dead_letter_source_queues()
        .queue_url(&dlq)
        .max_results(2)
        .set_next_token(first.next_token().map(str::to_string))
        .send()
        .await
        .expect("page 2");
    assert_eq!(names(rest.queue_urls()), ["src-c"]);
    assert_eq!(rest.next_token(), None);
    let none = sqs
        .list_dead_letter_source_queues()
        .queue_url(url_of(&dlq, "unrelated"))
        .send()
        .await
        .expect("none");
    assert!(none.queue_urls().is_empty());
}

fn url_of(url: &str, name: &str) -> String {
    let (base, _) = url.rsplit_once('/').expect("queue url");
    format!("{base}/{name}")
}

/// `GET` on a queue URL with the query API in the query string, as presigned URLs and older
/// clients use it.
#[tokio::test]
async fn query_api_over_get_on_the_queue_url() {
    let server = TestServer::start();
    let sqs = sqs_client(&server.url);
    create_queue(&sqs, "q1", &[]).await;
    create_queue(&sqs, "q2", &[]).await;
    let get = |path: String| {
        let url = server.url.clone();
        async move {
            let (status, _, body) = http_full(&url, "GET", &path, &[], Bytes::new()).await;
            (status, String::from_utf8_lossy(&body).to_string())
        }
    };
    let (status, xml) =
        get("/000000000000/q1?Action=GetQueueAttributes&AttributeName.1=All".into()).await;
    assert_eq!(status, 200, "{xml}");
    assert!(xml.starts_with("<GetQueueAttributesResponse"), "{xml}");
    assert!(
        xml.contains("<Attribute><Name>QueueArn</Name><Value>arn:aws:sqs:us-east-1:000000000000:q1</Value></Attribute>"),
        "{xml}"
    );
    assert!(xml.contains("<Attribute><Name>VisibilityTimeout</Name><Value>30</Value>"));

    let (status, _) = get("/000000000000/q1?Action=SendMessage&MessageBody=foobar".into()).await;
    assert_eq!(status, 200);
    let (_, xml) = get("/000000000000/q2?Action=ReceiveMessage".into()).await;
    assert!(!xml.contains("foobar"), "{xml}");
    let (_, xml) = get("/000000000000/q1?Action=ReceiveMessage&VisibilityTimeout=0".into()).await;
    assert!(
        xml.contains("<Body>foobar</Body>") && xml.contains("<MD5OfBody>"),
        "{xml}"
    );

    // A QueueUrl parameter wins over the path.
    let (_, xml) = get(format!(
        "/000000000000/q1?Action=GetQueueAttributes&AttributeName.1=QueueArn&QueueUrl={}",
        "http%3A%2F%2Fh%2F000000000000%2Fq2"
    ))
    .await;
    assert!(
        xml.contains(":q2</Value>") && !xml.contains(":q1<"),
        "{xml}"
    );

    let (status, xml) = get("/000000000000/q1?Action=SendMessage".into()).await;
    assert_eq!(status, 400);
    assert!(
        xml.contains("<Type>Sender</Type><Code>MissingParameter</Code><Message>The request must contain the parameter MessageBody.</Message>"),
        "{xml}"
    );
    let (status, xml) =
        get("/000000000000/q1?Action=GetQueueAttributes&AttributeName.1=Foobar".into()).await;
    assert_eq!(status, 400);
    assert!(
        xml.contains(
            "<Code>InvalidAttributeName</Code><Message>Unknown Attribute Foobar.</Message>"
        ),
        "{xml}"
    );
    for action in ["FooBar", "CreateQueue", "ListQueues"] {
        let (status, xml) = get(format!("/000000000000/q1?Action={action}&QueueName=x")).await;
        assert_eq!(status, 400, "{action}");
        assert!(
            xml.contains(&format!(
                "<Code>InvalidAction</Code><Message>The action {action} is not valid for this endpoint.</Message>"
            )),
            "{action}: {xml}"
        );
    }
    let (status, xml) = get("/000000000000/q1?Action=GetQueueUrl&QueueName=q2".into()).await;
    assert_eq!(status, 200);
    assert!(xml.contains("/000000000000/q2</QueueUrl>"), "{xml}");
    let (status, xml) = get("/000000000000/q1".into()).await;
    assert_eq!(status, 404);
    assert!(xml.contains("<UnknownOperationException"), "{xml}");

    let (status, xml) = get("/000000000000/q2?Action=DeleteQueue".into()).await;
    assert_eq!(status, 200);
    assert!(xml.starts_with("<DeleteQueueResponse"), "{xml}");
    let (status, xml) =
        get("/000000000000/q2?Action=GetQueueAttributes&AttributeName.1=QueueArn".into()).await;
    assert_eq!(status, 400);
    assert!(
        xml.contains("<Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>The specified queue does not exist for this wsdl version.</Message>"),
        "{xml}"
    );
}

/// kombu (Celery's SQS broker) receives with `ALL` in capitals, in the JSON request botocore
/// writes for it (`MessageSystemAttributeNames` and `MessageAttributeNames`, as kombu's
/// `fetch_message_attributes` builds them). SQS takes `All` in any case and ignores names it
/// does not know rather than refusing the receive: every attribute comes back for `ALL`, and
/// unknown names (a queue attribute, a typo) just add nothing. The query protocol takes the
/// same spellings.
#[tokio::test]
async fn kombus_all_spelling_returns_every_attribute() {
    let server = TestServer::start();
    let sqs = sqs_client(&server.url);
    let url = create_queue(&sqs, "celery", &[("VisibilityTimeout", "0")]).await;
    let sent = sqs
        .send_message()
        .queue_url(&url)
        .message_body(r#"{"task": "add"}"#)
        .message_attributes(
            "S3MessageBodyKey",
            MessageAttributeValue::builder()
                .data_type("String")
                .string_value("bucket/key")
                .build()
                .expect("attr"),
        )
        .message_attributes(
            "Priority",
            MessageAttributeValue::builder()
                .data_type("Number")
                .string_value("5")
                .build()
                .expect("attr"),
        )
        .send()
        .await
        .expect("send");
    let receive = |body: serde_json::Value| {
        let server_url = server.url.clone();
        async move {
            let (status, _, bytes) = http_full(
                &server_url,
                "POST",
                "/",
                &[
                    ("x-amz-target", "AmazonSQS.ReceiveMessage"),
                    ("content-type", "application/x-amz-json-1.0"),
                ],
                Bytes::from(body.to_string()),
            )
            .await;
            assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
            let answer: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
            answer["Messages"][0].clone()
        }
    };
    let names = |m: &serde_json::Value, member: &str| -> Vec<String> {
        m[member]
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    };
    let every_system = [
        "ApproximateFirstReceiveTimestamp",
        "ApproximateReceiveCount",
        "SenderId",
        "SentTimestamp",
    ];

    // Exactly what kombu's async connection (and boto3 for its sync path) sends.
    let kombu = receive(json!({
        "MaxNumberOfMessages": 10,
        "MessageSystemAttributeNames": ["ALL"],
        "MessageAttributeNames": ["ALL"],
        "WaitTimeSeconds": 0,
        "QueueUrl": url,
    }))
    .await;
    assert_eq!(names(&kombu, "Attributes"), every_system);
    assert_eq!(
        names(&kombu, "MessageAttributes"),
        ["Priority", "S3MessageBodyKey"]
    );
    assert_eq!(
        kombu["MD5OfMessageAttributes"].as_str(),
        sent.md5_of_message_attributes()
    );
    assert_eq!(kombu["Attributes"]["ApproximateReceiveCount"], "1");

    // Other cases of `All`, in the deprecated member too.
    let lower = receive(json!({
        "QueueUrl": url,
        "AttributeNames": ["all"],
        "MessageAttributeNames": ["all"],
    }))
    .await;
    assert_eq!(names(&lower, "Attributes"), every_system);
    assert_eq!(
        names(&lower, "MessageAttributes"),
        ["Priority", "S3MessageBodyKey"]
    );

    // kombu's default (`ApproximateReceiveCount`) beside names SQS does not know: no error,
    // and only what the known names ask for.
    let unknown = receive(json!({
        "QueueUrl": url,
        "MessageSystemAttributeNames": ["ApproximateReceiveCount", "VisibilityTimeout", "Bogus"],
        "MessageAttributeNames": ["Nope", "Priority"],
    }))
    .await;
    assert_eq!(names(&unknown, "Attributes"), ["ApproximateReceiveCount"]);
    assert_eq!(names(&unknown, "MessageAttributes"), ["Priority"]);
    let nothing = receive(json!({
        "QueueUrl": url,
        "MessageSystemAttributeNames": ["Bogus"],
        "MessageAttributeNames": ["Nope"],
    }))
    .await;
    assert_eq!(nothing["Body"], r#"{"task": "add"}"#);
    assert!(nothing.get("Attributes").is_none(), "{nothing}");
    assert!(nothing.get("MessageAttributes").is_none(), "{nothing}");
    assert!(nothing.get("MD5OfMessageAttributes").is_none(), "{nothing}");

    // The typed SDK sends the same names as strings.
    let typed = sqs
        .receive_message()
        .queue_url(&url)
        .message_system_attribute_names(MessageSystemAttributeName::from("ALL"))
        .message_attribute_names("ALL")
        .send()
        .await
        .expect("receive");
    let m = &typed.messages()[0];
    assert_eq!(m.attributes().map(|a| a.len()), Some(every_system.len()));
    assert_eq!(m.message_attributes().map(|a| a.len()), Some(2));

    // The query protocol takes the same spellings.
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("Action", "ReceiveMessage")
        .append_pair("Version", "2012-11-05")
        .append_pair("QueueUrl", &url)
        .append_pair("MessageSystemAttributeName.1", "ALL")
        .append_pair("MessageAttributeName.1", "ALL");
    let (status, _, body) = http_full(
        &server.url,
        "POST",
        "/",
        &[("content-type", "application/x-www-form-urlencoded")],
        Bytes::from(form.finish()),
    )
    .await;
    let xml = String::from_utf8_lossy(&body);
    assert_eq!(status, 200, "{xml}");
    for name in every_system.iter().chain(&["Priority", "S3MessageBodyKey"]) {
        assert!(
            xml.contains(&format!("<Name>{name}</Name>")),
            "{name}: {xml}"
        );
    }
}
