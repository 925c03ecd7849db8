//! The SQS query protocol (form in, XML out), as the AWS SDK for Java v1, the AWS SDK for Go v1
//! and botocore before its JSON switch send it: every operation with raw requests, the
//! query-era element names, errors with the query code, requests sent to the queue URL, and
//! one queue shared with the JSON protocol.

use std::time::{Duration, Instant};

use aws_sdk_sqs::types::{MessageAttributeValue, MessageSystemAttributeName};
use bytes::Bytes;

use super::{attributes_md5, create_queue, md5_hex, sqs_client};
use crate::support::{TestServer, http_full};

const NAMESPACE: &str = "http://queue.amazonaws.com/doc/2012-11-05/";

struct Answer {
    status: u16,
    request_id: String,
    content_type: String,
    xml: String,
}

/// POSTs `Action=<action>&Version=2012-11-05&<params>` to `path`, as query-era SDKs do.
async fn query_at(
    server: &TestServer,
    path: &str,
    action: &str,
    params: &[(&str, &str)],
) -> Answer {
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("Action", action)
        .append_pair("Version", "2012-11-05");
    for (k, v) in params {
        form.append_pair(k, v);
    }
    let (status, headers, body) = http_full(
        &server.url,
        "POST",
        path,
        &[(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8",
        )],
        Bytes::from(form.finish()),
    )
    .await;
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    Answer {
        status,
        request_id: header("x-amzn-requestid"),
        content_type: header("content-type"),
        xml: String::from_utf8(body.to_vec()).expect("utf-8 xml"),
    }
}

async fn query(server: &TestServer, action: &str, params: &[(&str, &str)]) -> Answer {
    query_at(server, "/", action, params).await
}

/// Asserts a 200 `<{action}Response>` in SQS's namespace with the header's request id, and
/// returns the inside of its `<{action}Result>` (empty for operations without output).
fn result(action: &str, a: &Answer) -> String {
    assert_eq!(a.status, 200, "{action}: {}", a.xml);
    assert_eq!(a.content_type, "text/xml");
    let open = format!("<{action}Response xmlns=\"{NAMESPACE}\">");
    assert!(a.xml.starts_with(&open), "{}", a.xml);
    let metadata = format!(
        "<ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></{action}Response>",
        a.request_id
    );
    assert!(a.xml.ends_with(&metadata), "{}", a.xml);
    texts(&a.xml, &format!("{action}Result"))
        .first()
        .map(|s| s.to_string())
        .unwrap_or_default()
}

/// The contents of each `<tag>…</tag>` in order (tags of that name must not nest).
fn texts<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let end = after.find(&close).expect("closed element");
        out.push(&after[..end]);
        rest = &after[end + close.len()..];
    }
    out
}

fn text<'a>(xml: &'a str, tag: &str) -> &'a str {
    texts(xml, tag)
        .first()
        .copied()
        .unwrap_or_else(|| panic!("no <{tag}> in {xml}"))
}

/// Asserts the query-protocol error AWS sends: status, `<Type>`, `<Code>` and `<Message>`.
fn assert_error(a: &Answer, status: u16, code: &str, message: &str) {
    assert_eq!(a.status, status, "{}", a.xml);
    assert_eq!(
        a.xml,
        format!(
            "<ErrorResponse xmlns=\"{NAMESPACE}\"><Error><Type>Sender</Type><Code>{code}</Code>\
             <Message>{message}</Message><Detail/></Error><RequestId>{}</RequestId></ErrorResponse>",
            a.request_id
        )
    );
}

#[tokio::test]
async fn queue_operations_answer_query_xml() {
    let server = TestServer::start();
    let created = query(
        &server,
        "CreateQueue",
        &[
            ("QueueName", "orders"),
            ("Attribute.1.Name", "VisibilityTimeout"),
            ("Attribute.1.Value", "7"),
            ("Attribute.2.Name", "DelaySeconds"),
            ("Attribute.2.Value", "0"),
            ("Tag.1.Key", "team"),
            ("Tag.1.Value", "x"),
        ],
    )
    .await;
    let url = text(&result("CreateQueue", &created), "QueueUrl").to_string();
    assert_eq!(url, format!("{}/000000000000/orders", server.url));
    query(&server, "CreateQueue", &[("QueueName", "other")]).await;

    let got = query(&server, "GetQueueUrl", &[("QueueName", "orders")]).await;
    assert_eq!(
        result("GetQueueUrl", &got),
        format!("<QueueUrl>{url}</QueueUrl>")
    );

    let listed = query(&server, "ListQueues", &[]).await;
    let listed = result("ListQueues", &listed);
    assert_eq!(
        texts(&listed, "QueueUrl"),
        [url.as_str(), &url.replace("orders", "other")],
        "a flattened <QueueUrl> list"
    );
    let prefixed = query(&server, "ListQueues", &[("QueueNamePrefix", "ord")]).await;
    assert_eq!(
        texts(&result("ListQueues", &prefixed), "QueueUrl"),
        [url.as_str()]
    );

    let set = query(
        &server,
        "SetQueueAttributes",
        &[
            ("QueueUrl", &url),
            ("Attribute.1.Name", "MaximumMessageSize"),
            ("Attribute.1.Value", "2048"),
        ],
    )
    .await;
    assert_eq!(result("SetQueueAttributes", &set), "");

    let attrs = query(
        &server,
        "GetQueueAttributes",
        &[
            ("QueueUrl", &url),
            ("AttributeName.1", "VisibilityTimeout"),
            ("AttributeName.2", "MaximumMessageSize"),
        ],
    )
    .await;
    assert_eq!(
        result("GetQueueAttributes", &attrs),
        "<Attribute><Name>MaximumMessageSize</Name><Value>2048</Value></Attribute>\
         <Attribute><Name>VisibilityTimeout</Name><Value>7</Value></Attribute>"
    );
    let all = query(
        &server,
        "GetQueueAttributes",
        &[("QueueUrl", &url), ("AttributeName.1", "All")],
    )
    .await;
    let all = result("GetQueueAttributes", &all);
    assert!(
        all.contains(
            "<Attribute><Name>QueueArn</Name><Value>arn:aws:sqs:us-east-1:000000000000:orders</Value></Attribute>"
        ),
        "{all}"
    );

    let purged = query(&server, "PurgeQueue", &[("QueueUrl", &url)]).await;
    assert_eq!(result("PurgeQueue", &purged), "");
    let again = query(&server, "PurgeQueue", &[("QueueUrl", &url)]).await;
    assert_eq!(again.status, 403, "{}", again.xml);
    assert_eq!(
        text(&again.xml, "Code"),
        "AWS.SimpleQueueService.PurgeQueueInProgress"
    );

    let deleted = query(&server, "DeleteQueue", &[("QueueUrl", &url)]).await;
    assert_eq!(result("DeleteQueue", &deleted), "");
    let gone = query(&server, "GetQueueUrl", &[("QueueName", "orders")]).await;
    assert_error(
        &gone,
        400,
        "AWS.SimpleQueueService.NonExistentQueue",
        // The query protocol's wording differs from the JSON protocol's.
        "The specified queue does not exist for this wsdl version.",
    );
    let gone = query(
        &server,
        "SendMessage",
        &[("QueueUrl", &url), ("MessageBody", "x")],
    )
    .await;
    assert_eq!(
        text(&gone.xml, "Code"),
        "AWS.SimpleQueueService.NonExistentQueue"
    );
}

/// Tags in the query protocol: `Tag.N.Key`/`.Value` on CreateQueue and TagQueue (and the
/// `Tags.N.*` the AWS SDK for Java v2 sends), `TagKey.N` on UntagQueue, a flattened
/// `<Tag><Key/><Value/></Tag>` list from ListQueueTags, at `/` and at the queue's URL, and the
/// same tags seen through the JSON protocol.
#[tokio::test]
async fn queue_tags_in_the_query_protocol() {
    let server = TestServer::start();
    let created = query(
        &server,
        "CreateQueue",
        &[
            ("QueueName", "tagged"),
            ("Tag.1.Key", "team"),
            ("Tag.1.Value", "orders"),
            ("Tag.2.Key", "env"),
            ("Tag.2.Value", ""),
        ],
    )
    .await;
    let url = text(&result("CreateQueue", &created), "QueueUrl").to_string();
    let listed = query(&server, "ListQueueTags", &[("QueueUrl", &url)]).await;
    assert_eq!(
        result("ListQueueTags", &listed),
        "<Tag><Key>env</Key><Value></Value></Tag><Tag><Key>team</Key><Value>orders</Value></Tag>"
    );

    let tagged = query(
        &server,
        "TagQueue",
        &[
            ("QueueUrl", &url),
            ("Tag.1.Key", "team"),
            ("Tag.1.Value", "billing"),
        ],
    )
    .await;
    assert_eq!(result("TagQueue", &tagged), "");
    let java_v2 = query_at(
        &server,
        "/000000000000/tagged",
        "TagQueue",
        &[("Tags.1.Key", "cost"), ("Tags.1.Value", "42")],
    )
    .await;
    assert_eq!(result("TagQueue", &java_v2), "");
    let untagged = query(
        &server,
        "UntagQueue",
        &[
            ("QueueUrl", &url),
            ("TagKey.1", "env"),
            ("TagKey.2", "nope"),
        ],
    )
    .await;
    assert_eq!(result("UntagQueue", &untagged), "");
    let listed = query_at(&server, "/000000000000/tagged", "ListQueueTags", &[]).await;
    assert_eq!(
        result("ListQueueTags", &listed),
        "<Tag><Key>cost</Key><Value>42</Value></Tag><Tag><Key>team</Key><Value>billing</Value></Tag>"
    );
    let json = sqs_client(&server.url)
        .list_queue_tags()
        .queue_url(&url)
        .send()
        .await
        .expect("json list");
    let mut seen: Vec<(String, String)> = json.tags.unwrap_or_default().into_iter().collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("cost".to_string(), "42".to_string()),
            ("team".to_string(), "billing".to_string())
        ]
    );

    // A queue without tags has an empty result.
    query(&server, "CreateQueue", &[("QueueName", "bare")]).await;
    let bare = query_at(&server, "/000000000000/bare", "ListQueueTags", &[]).await;
    assert_eq!(result("ListQueueTags", &bare), "");

    let conflict = query(
        &server,
        "CreateQueue",
        &[
            ("QueueName", "tagged"),
            ("Tag.1.Key", "team"),
            ("Tag.1.Value", "orders"),
        ],
    )
    .await;
    assert_error(
        &conflict,
        400,
        "QueueAlreadyExists",
        "A queue already exists with the same name and different tags",
    );
    let empty = query(&server, "TagQueue", &[("QueueUrl", &url)]).await;
    assert_error(
        &empty,
        400,
        "MissingParameter",
        "The request must contain the parameter Tags.",
    );
    let mut many: Vec<(String, String)> = Vec::new();
    for i in 1..=51 {
        many.push((format!("Tag.{i}.Key"), format!("k{i}")));
        many.push((format!("Tag.{i}.Value"), "v".to_string()));
    }
    let mut params: Vec<(&str, &str)> = vec![("QueueUrl", &url)];
    params.extend(many.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let too_many = query(&server, "TagQueue", &params).await;
    assert_error(
        &too_many,
        400,
        "InvalidParameterValue",
        "Too many tags added for queue tagged.",
    );
    let missing = query_at(&server, "/000000000000/nowhere", "ListQueueTags", &[]).await;
    assert_error(
        &missing,
        400,
        "AWS.SimpleQueueService.NonExistentQueue",
        "The specified queue does not exist for this wsdl version.",
    );
}

#[tokio::test]
async fn message_operations_answer_query_xml() {
    let server = TestServer::start();
    let created = query(&server, "CreateQueue", &[("QueueName", "m")]).await;
    let url = text(&result("CreateQueue", &created), "QueueUrl").to_string();

    let body = "a <b> & \"c\"";
    let sent = query(
        &server,
        "SendMessage",
        &[
            ("QueueUrl", &url),
            ("MessageBody", body),
            ("MessageAttribute.1.Name", "color"),
            ("MessageAttribute.1.Value.DataType", "String"),
            ("MessageAttribute.1.Value.StringValue", "red"),
            ("MessageAttribute.2.Name", "blob"),
            ("MessageAttribute.2.Value.DataType", "Binary"),
            ("MessageAttribute.2.Value.BinaryValue", "AAH/"),
        ],
    )
    .await;
    let sent = result("SendMessage", &sent);
    let attrs_md5 = attributes_md5(&[
        ("blob", "Binary", 2, &[0, 1, 255]),
        ("color", "String", 1, b"red"),
    ]);
    assert_eq!(text(&sent, "MD5OfMessageBody"), md5_hex(body.as_bytes()));
    assert_eq!(text(&sent, "MD5OfMessageAttributes"), attrs_md5);
    let message_id = text(&sent, "MessageId").to_string();

    let received = query(
        &server,
        "ReceiveMessage",
        &[
            ("QueueUrl", &url),
            ("AttributeName.1", "SentTimestamp"),
            ("AttributeName.2", "ApproximateReceiveCount"),
            ("MessageAttributeName.1", "All"),
            ("VisibilityTimeout", "0"),
        ],
    )
    .await;
    let received = result("ReceiveMessage", &received);
    let messages = texts(&received, "Message");
    assert_eq!(messages.len(), 1, "{received}");
    let m = messages[0];
    assert_eq!(text(m, "MessageId"), message_id);
    assert_eq!(text(m, "Body"), "a &lt;b&gt; &amp; &quot;c&quot;");
    assert_eq!(text(m, "MD5OfBody"), md5_hex(body.as_bytes()));
    assert_eq!(text(m, "MD5OfMessageAttributes"), attrs_md5);
    let system = texts(m, "Attribute");
    assert_eq!(system.len(), 2, "{m}");
    assert_eq!(
        system[0],
        "<Name>ApproximateReceiveCount</Name><Value>1</Value>"
    );
    assert!(
        system[1].starts_with("<Name>SentTimestamp</Name><Value>1"),
        "{m}"
    );
    assert_eq!(
        texts(m, "MessageAttribute"),
        [
            "<Name>blob</Name><Value><BinaryValue>AAH/</BinaryValue><DataType>Binary</DataType></Value>",
            "<Name>color</Name><Value><StringValue>red</StringValue><DataType>String</DataType></Value>",
        ]
    );

    // The message is visible again (VisibilityTimeout 0): hide it, then make it visible.
    let again = query(&server, "ReceiveMessage", &[("QueueUrl", &url)]).await;
    let again = result("ReceiveMessage", &again);
    let handle = text(&again, "ReceiptHandle").to_string();
    assert!(!again.contains("<MessageAttribute>"), "only when asked");
    let changed = query(
        &server,
        "ChangeMessageVisibility",
        &[
            ("QueueUrl", &url),
            ("ReceiptHandle", &handle),
            ("VisibilityTimeout", "0"),
        ],
    )
    .await;
    assert_eq!(result("ChangeMessageVisibility", &changed), "");
    let again = query(&server, "ReceiveMessage", &[("QueueUrl", &url)]).await;
    let handle = text(&result("ReceiveMessage", &again), "ReceiptHandle").to_string();
    let deleted = query(
        &server,
        "DeleteMessage",
        &[("QueueUrl", &url), ("ReceiptHandle", &handle)],
    )
    .await;
    assert_eq!(result("DeleteMessage", &deleted), "");
    let empty = query(&server, "ReceiveMessage", &[("QueueUrl", &url)]).await;
    assert_eq!(result("ReceiveMessage", &empty), "");

    let batch = query(
        &server,
        "SendMessageBatch",
        &[
            ("QueueUrl", &url),
            ("SendMessageBatchRequestEntry.1.Id", "one"),
            ("SendMessageBatchRequestEntry.1.MessageBody", "1"),
            (
                "SendMessageBatchRequestEntry.1.MessageAttribute.1.Name",
                "n",
            ),
            (
                "SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType",
                "Number",
            ),
            (
                "SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue",
                "5",
            ),
            ("SendMessageBatchRequestEntry.2.Id", "two"),
            ("SendMessageBatchRequestEntry.2.MessageBody", "2"),
            ("SendMessageBatchRequestEntry.3.Id", "bad"),
            ("SendMessageBatchRequestEntry.3.MessageBody", "3"),
            ("SendMessageBatchRequestEntry.3.DelaySeconds", "901"),
        ],
    )
    .await;
    let batch = result("SendMessageBatch", &batch);
    let ok = texts(&batch, "SendMessageBatchResultEntry");
    assert_eq!(ok.len(), 2, "{batch}");
    assert_eq!(text(ok[0], "Id"), "one");
    assert_eq!(text(ok[0], "MD5OfMessageBody"), md5_hex(b"1"));
    assert_eq!(
        text(ok[0], "MD5OfMessageAttributes"),
        attributes_md5(&[("n", "Number", 1, b"5")])
    );
    assert_eq!(text(ok[1], "Id"), "two");
    assert!(!ok[1].contains("MD5OfMessageAttributes"), "none sent");
    let failed = texts(&batch, "BatchResultErrorEntry");
    assert_eq!(failed.len(), 1, "{batch}");
    assert_eq!(text(failed[0], "Id"), "bad");
    assert_eq!(text(failed[0], "SenderFault"), "true");
    assert_eq!(text(failed[0], "Code"), "InvalidParameterValue");

    let received = query(
        &server,
        "ReceiveMessage",
        &[("QueueUrl", &url), ("MaxNumberOfMessages", "10")],
    )
    .await;
    let received = result("ReceiveMessage", &received);
    let handles: Vec<String> = texts(&received, "ReceiptHandle")
        .into_iter()
        .map(str::to_string)
        .collect();
    assert_eq!(handles.len(), 2, "{received}");

    let changed = query(
        &server,
        "ChangeMessageVisibilityBatch",
        &[
            ("QueueUrl", &url),
            ("ChangeMessageVisibilityBatchRequestEntry.1.Id", "a"),
            (
                "ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle",
                &handles[0],
            ),
            (
                "ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout",
                "60",
            ),
            ("ChangeMessageVisibilityBatchRequestEntry.2.Id", "b"),
            (
                "ChangeMessageVisibilityBatchRequestEntry.2.ReceiptHandle",
                "nonsense",
            ),
            (
                "ChangeMessageVisibilityBatchRequestEntry.2.VisibilityTimeout",
                "60",
            ),
        ],
    )
    .await;
    let changed = result("ChangeMessageVisibilityBatch", &changed);
    assert_eq!(
        texts(&changed, "ChangeMessageVisibilityBatchResultEntry"),
        ["<Id>a</Id>"]
    );
    let failed = texts(&changed, "BatchResultErrorEntry");
    assert_eq!(text(failed[0], "Id"), "b");
    assert_eq!(text(failed[0], "Code"), "ReceiptHandleIsInvalid");

    let deleted = query(
        &server,
        "DeleteMessageBatch",
        &[
            ("QueueUrl", &url),
            ("DeleteMessageBatchRequestEntry.1.Id", "x"),
            (
                "DeleteMessageBatchRequestEntry.1.ReceiptHandle",
                &handles[0],
            ),
            ("DeleteMessageBatchRequestEntry.2.Id", "y"),
            (
                "DeleteMessageBatchRequestEntry.2.ReceiptHandle",
                &handles[1],
            ),
        ],
    )
    .await;
    assert_eq!(
        result("DeleteMessageBatch", &deleted),
        "<DeleteMessageBatchResultEntry><Id>x</Id></DeleteMessageBatchResultEntry>\
         <DeleteMessageBatchResultEntry><Id>y</Id></DeleteMessageBatchResultEntry>"
    );
    let attrs = query(
        &server,
        "GetQueueAttributes",
        &[
            ("QueueUrl", &url),
            ("AttributeName.1", "ApproximateNumberOfMessages"),
        ],
    )
    .await;
    assert_eq!(
        result("GetQueueAttributes", &attrs),
        "<Attribute><Name>ApproximateNumberOfMessages</Name><Value>0</Value></Attribute>"
    );
}

#[tokio::test]
async fn long_poll_over_query_returns_when_a_message_is_sent() {
    let server = TestServer::start();
    let created = query(&server, "CreateQueue", &[("QueueName", "lp")]).await;
    let url = text(&result("CreateQueue", &created), "QueueUrl").to_string();

    let mut poller = {
        let (base, url) = (server.url.clone(), url.clone());
        tokio::spawn(async move {
            let body = form_urlencoded::Serializer::new(String::new())
                .append_pair("Action", "ReceiveMessage")
                .append_pair("Version", "2012-11-05")
                .append_pair("QueueUrl", &url)
                .append_pair("WaitTimeSeconds", "20")
                .finish();
            let (status, _, body) = http_full(&base, "POST", "/", &[], Bytes::from(body)).await;
            (status, String::from_utf8(body.to_vec()).expect("utf-8"))
        })
    };
    // As in the JSON long-poll test: the server offers no view of parked pollers, so a send is
    // repeated until the poll answers, which it must do long before its 20 seconds.
    let started = Instant::now();
    let (status, xml) = loop {
        query(
            &server,
            "SendMessage",
            &[("QueueUrl", &url), ("MessageBody", "wake")],
        )
        .await;
        match tokio::time::timeout(Duration::from_millis(200), &mut poller).await {
            Ok(joined) => break joined.expect("poller"),
            Err(_) => assert!(
                started.elapsed() < Duration::from_secs(3),
                "the long poll was not woken by sends"
            ),
        }
    };
    assert_eq!(status, 200, "{xml}");
    assert_eq!(text(&xml, "Body"), "wake");
}

#[tokio::test]
async fn query_and_json_protocols_share_queues() {
    let server = TestServer::start();
    let sqs = sqs_client(&server.url);
    let url = create_queue(&sqs, "both", &[]).await;

    query(
        &server,
        "SendMessage",
        &[
            ("QueueUrl", &url),
            ("MessageBody", "from query"),
            ("MessageAttribute.1.Name", "k"),
            ("MessageAttribute.1.Value.DataType", "String"),
            ("MessageAttribute.1.Value.StringValue", "v"),
        ],
    )
    .await;
    let got = sqs
        .receive_message()
        .queue_url(&url)
        .message_attribute_names("All")
        .send()
        .await
        .expect("json receive");
    let m = &got.messages()[0];
    assert_eq!(m.body(), Some("from query"));
    assert_eq!(
        m.message_attributes().and_then(|a| a["k"].string_value()),
        Some("v")
    );
    sqs.delete_message()
        .queue_url(&url)
        .receipt_handle(m.receipt_handle().expect("handle"))
        .send()
        .await
        .expect("json delete");

    sqs.send_message()
        .queue_url(&url)
        .message_body("from json")
        .message_attributes(
            "n",
            MessageAttributeValue::builder()
                .data_type("Number")
                .string_value("3")
                .build()
                .expect("attribute"),
        )
        .send()
        .await
        .expect("json send");
    let received = query(
        &server,
        "ReceiveMessage",
        &[
            ("QueueUrl", &url),
            ("MessageAttributeName.1", "All"),
            ("AttributeName.1", "SenderId"),
        ],
    )
    .await;
    let received = result("ReceiveMessage", &received);
    assert_eq!(text(&received, "Body"), "from json");
    assert_eq!(
        text(&received, "MessageAttribute"),
        "<Name>n</Name><Value><StringValue>3</StringValue><DataType>Number</DataType></Value>"
    );
    assert_eq!(
        text(&received, "Attribute"),
        "<Name>SenderId</Name><Value>000000000000</Value>"
    );
    let handle = text(&received, "ReceiptHandle").to_string();
    query(
        &server,
        "DeleteMessage",
        &[("QueueUrl", &url), ("ReceiptHandle", &handle)],
    )
    .await;
    let left = sqs
        .receive_message()
        .queue_url(&url)
        .message_system_attribute_names(MessageSystemAttributeName::All)
        .send()
        .await
        .expect("json receive");
    assert!(
        left.messages().is_empty(),
        "deleted over the query protocol"
    );
}

#[tokio::test]
async fn query_requests_to_the_queue_url_and_unknown_actions() {
    let server = TestServer::start();
    let created = query(&server, "CreateQueue", &[("QueueName", "p")]).await;
    result("CreateQueue", &created);

    // Java v1 and Go v1 send queue operations to the queue URL; the path names the queue.
    let sent = query_at(
        &server,
        "/000000000000/p",
        "SendMessage",
        &[("MessageBody", "x")],
    )
    .await;
    assert_eq!(
        text(&result("SendMessage", &sent), "MD5OfMessageBody"),
        md5_hex(b"x")
    );
    let received = query_at(&server, "/000000000000/p", "ReceiveMessage", &[]).await;
    assert_eq!(text(&result("ReceiveMessage", &received), "Body"), "x");
    let missing = query_at(&server, "/000000000000/nope", "PurgeQueue", &[]).await;
    assert_eq!(
        text(&missing.xml, "Code"),
        "AWS.SimpleQueueService.NonExistentQueue"
    );
    // Paths that are not queue URLs stay unknown routes.
    let other = query_at(&server, "/not-an-account/p", "SendMessage", &[]).await;
    assert_eq!(other.status, 404, "{}", other.xml);

    let unsupported = query(&server, "StartMessageMoveTask", &[]).await;
    assert_eq!(unsupported.status, 400);
    assert_eq!(
        text(&unsupported.xml, "Code"),
        "AWS.SimpleQueueService.UnsupportedOperation"
    );
    let invalid = query(&server, "Publish", &[]).await;
    assert_error(
        &invalid,
        400,
        "InvalidAction",
        "The action Publish is not valid for this endpoint.",
    );
    let no_url = query(&server, "SendMessage", &[("MessageBody", "x")]).await;
    assert_error(
        &no_url,
        400,
        "MissingParameter",
        "The request must contain the parameter QueueUrl.",
    );
    let not_a_number = query(
        &server,
        "ReceiveMessage",
        &[("QueueUrl", "/000000000000/p"), ("WaitTimeSeconds", "soon")],
    )
    .await;
    assert_eq!(text(&not_a_number.xml, "Code"), "InvalidParameterValue");

    // SNS keeps its own version and actions on the same endpoint.
    let (status, _, body) = http_full(
        &server.url,
        "POST",
        "/",
        &[],
        Bytes::from_static(b"Action=CreateTopic&Version=2010-03-31&Name=t"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        String::from_utf8_lossy(&body).starts_with("<CreateTopicResponse"),
        "{body:?}"
    );
}
