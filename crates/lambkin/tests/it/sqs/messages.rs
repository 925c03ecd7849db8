//! Messages: MD5s, attributes, long polling, visibility timeouts, delays, redrive to a
//! dead-letter queue, and batches with partial failures.

use std::time::{Duration, Instant};

use aws_sdk_sqs::primitives::Blob;
use aws_sdk_sqs::types::{
    ChangeMessageVisibilityBatchRequestEntry, DeleteMessageBatchRequestEntry,
    MessageAttributeValue, MessageSystemAttributeName, SendMessageBatchRequestEntry,
};

use super::{attributes_md5, counts, create_queue, md5_hex, sqs_client};
use crate::support::{TestServer, eventually};

fn attr(ty: &str, value: &str) -> MessageAttributeValue {
    MessageAttributeValue::builder()
        .data_type(ty)
        .string_value(value)
        .build()
        .expect("attribute")
}

#[tokio::test]
async fn send_receive_delete_with_aws_md5s() {
    let server = TestServer::start();
    let sqs = sqs_client(&server.url);
    let url = create_queue(&sqs, "q", &[]).await;
    let binary = MessageAttributeValue::builder()
        .data_type("Binary")
        .binary_value(Blob::new(vec![0u8, 1, 2]))
        .build()
        .expect("binary");
    let sent = sqs
        .send_message()
        .queue_url(&url)
        .message_body("hello")
        .message_attributes("name", attr("String", "x"))
        .message_attributes("count", attr("Number", "42"))
        .message_attributes("blob", binary)
        .send()
        .await
        .expect("send");
    assert_eq!(
        sent.md5_of_message_body(),
        Some("5d41402abc4b2a76b9719d911017c592")
    );
    let want_attrs_md5 = attributes_md5(&[
        ("blob", "Binary", 2, &[0, 1, 2]),
        ("count", "Number", 1, b"42"),
        ("name", "String", 1, b"x"),
    ]);
    assert_eq!(
        sent.md5_of_message_attributes(),
        Some(want_attrs_md5.as_str())
    );

    let got = sqs
        .receive_message()
        .queue_url(&url)
        .message_attribute_names("All")
        .message_system_attribute_names(MessageSystemAttributeName::All)
        .send()
        .await
        .expect("receive");
    let m = &got.messages()[0];
    assert_eq!(m.message_id(), sent.message_id());
    assert_eq!(m.body(), Some("hello"));
    assert_eq!(m.md5_of_body(), Some(md5_hex(b"hello").as_str()));
    assert_eq!(m.md5_of_message_attributes(), Some(want_attrs_md5.as_str()));
    let attrs = m.message_attributes().expect("attributes");
    assert_eq!(
        attrs["blob"].binary_value().map(|b| b.as_ref().to_vec()),
        Some(vec![0, 1, 2])
    );
    assert_eq!(attrs["count"].string_value(), Some("42"));
    let system = m.attributes().expect("system attributes");
    assert_eq!(
        system[&MessageSystemAttributeName::ApproximateReceiveCount],
        "1"
    );
    let sent_ms: i64 = system[&MessageSystemAttributeName::SentTimestamp]
        .parse()
        .expect("ms");
    assert!(
        sent_ms > 1_600_000_000_000,
        "SentTimestamp is epoch milliseconds"
    );
    assert_eq!(counts(&sqs, &url).await, (0, 1, 0));

    sqs.delete_message()
        .queue_url(&url)
        .receipt_handle(m.receipt_handle().expect("handle"))
        .send()
        .await
        .expect("delete");
    assert_eq!(counts(&sqs, &url).await, (0, 0, 0));

    // Only the requested attributes come back, and the MD5 covers just those.
    sqs.send_message()
        .queue_url(&url)
        .message_body("two")
        .message_attributes("app.a", attr("String", "1"))
        .message_attributes("other", attr("String", "2"))
        .send()
        .await
        .expect("send");
    let got = sqs
        .receive_message()
        .queue_url(&url)
        .message_attribute_names("app.*")
        .send()
        .await
        .expect("receive");
    let m = &got.messages()[0];
    assert_eq!(m.message_attributes().map(|a| a.len()), Some(1));
    assert_eq!(
        m.md5_of_message_attributes(),
        Some(attributes_md5(&[("app.a", "String", 1, b"1")]).as_str())
    );
    assert!(
        m.attributes().is_none(),
        "no system attributes unless asked"
    );
}

#[tokio::test]
async fn long_poll_returns_as_soon_as_a_message_is_sent() {
    let server = TestServer::start();
    let sqs = sqs_client(&server.url);
    let url = create_queue(&sqs, "lp", &[]).await;

    let started = Instant::now();
    let empty = sqs
        .receive_message()
        .queue_url(&url)
        .wait_time_seconds(1)
        .send()
        .await
        .expect("poll");
    assert!(empty.messages().is_empty());
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited the full second"
    );

    let mut poller = {
        let (sqs, url) = (sqs.clone(), url.clone());
        tokio::spawn(async move {
            sqs.receive_message()
                .queue_url(&url)
                .wait_time_seconds(20)
                .send()
                .await
        })
    };
    // The server offers no view of parked pollers (the lambkin-sqs unit tests prove a parked
    // poller is woken); here a send is repeated until the long poll answers, which it must do
    // long before its 20 seconds.
    let started = Instant::now();
    let got = loop {
        sqs.send_message()
            .queue_url(&url)
            .message_body("wake")
            .send()
            .await
            .expect("send");
        match tokio::time::timeout(Duration::from_millis(200), &mut poller).await {
            Ok(joined) => break joined.expect("poller").expect("poll"),
            Err(_) => assert!(
                started.elapsed() < Duration::from_secs(3),
                "the long poll was not woken by sends"
            ),
        }
    };
    assert_eq!(got.messages()[0].body(), Some("wake"));
}

#[tokio::test]
async fn unacknowledged_messages_come_back_after_their_visibility_timeout() {
    let server = TestServer::start();
    let sqs = sqs_client(&server.url);
    let url = create_queue(&sqs, "vis", &[("VisibilityTimeout", "1")]).await;
    sqs.send_message()
        .queue_url(&url)
        .message_body("m")
        .send()
        .await
        .expect("send");
    let first = sqs
        .receive_message()
        .queue_url(&url)
        .send()
        .await
        .expect("receive");
    assert_eq!(first.messages().len(), 1);
    let hidden = sqs
        .receive_message()
        .queue_url(&url)
        .send()
        .await
        .expect("receive");
    assert!(hidden.messages().is_empty(), "invisible while in flight");

    // A long poll spanning the expiry returns when the message becomes visible again.
    let started = Instant::now();
    let again = sqs
        .receive_message()
        .queue_url(&url)
        .wait_time_seconds(10)
        .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
        .send()
        .await
        .expect("receive");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "woken by the expiry"
    );
    let m = &again.messages()[0];
    assert_eq!(
        m.attributes().expect("attrs")[&MessageSystemAttributeName::ApproximateReceiveCount],
        "2"
    );

    // ChangeMessageVisibility: longer hides it, 0 releases it at once.
    let handle = m.receipt_handle().expect("handle");
    sqs.change_message_visibility()
        .queue_url(&url)
        .receipt_handle(handle)
        .visibility_timeout(60)
        .send()
        .await
        .expect("extend");
    assert_eq!(counts(&sqs, &url).await, (0, 1, 0));
    sqs.change_message_visibility()
        .queue_url(&url)
        .receipt_handle(handle)
        .visibility_timeout(0)
        .send()
        .await
        .expect("release");
    let back = sqs
        .receive_message()
        .queue_url(&url)
        .send()
        .await
        .expect("receive");
    assert_eq!(back.messages().len(), 1);

    // The earlier receipt no longer deletes it; the latest one does.
    sqs.delete_message()
        .queue_url(&url)
        .receipt_handle(handle)
        .send()
        .await
        .expect("stale handle accepted");
    sqs.delete_message()
        .queue_url(&url)
        .receipt_handle(back.messages()[0].receipt_handle().expect("h"))
        .send()
        .await
        .expect("delete");
    let e = sqs
        .change_message_visibility()
        .queue_url(&url)
        .receipt_handle(handle)
        .visibility_timeout(0)
        .send()
        .await;
    assert!(e.is_err(), "a deleted message cannot change visibility");
}

#[tokio::test]
async fn delayed_messages_wait_out_their_delay() {
    let server = TestServer::start();
    let sqs = sqs_client(&server.url);
    let url = create_queue(&sqs, "d", &[]).await;
    sqs.send_message()
        .queue_url(&url)
        .message_body("later")
        .delay_seconds(1)
        .send()
        .await
        .expect("send");
    assert_eq!(counts(&sqs, &url).await, (0, 0, 1));
    assert!(
        sqs.receive_message()
            .queue_url(&url)
            .send()
            .await
            .expect("r")
            .messages()
            .is_empty()
    );
    eventually("the delayed message", Duration::from_secs(5), || async {
        let got = sqs
            .receive_message()
            .queue_url(&url)
            .send()
            .await
            .expect("receive");
        (!got.messages().is_empty()).then_some(())
    })
    .await;
}

#[tokio::test]
async fn redrive_moves_a_message_to_the_dead_letter_queue_after_max_receive_count() {
    let server = TestServer::start();
    let sqs = sqs_client(&server.url);
    let dlq = create_queue(&sqs, "dlq", &[]).await;
    let policy =
        r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":"2"}"#;
    let src = create_queue(&sqs, "src", &[("RedrivePolicy", policy)]).await;
    let sent = sqs
        .send_message()
        .queue_url(&src)
        .message_body("poison")
        .send()
        .await
        .expect("send");
    for _ in 0..2 {
        // Visibility 0: back at once, as if the consumer failed.
        let got = sqs
            .receive_message()
            .queue_url(&src)
            .visibility_timeout(0)
            .send()
            .await
            .expect("r");
        assert_eq!(got.messages().len(), 1);
    }
    let third = sqs
        .receive_message()
        .queue_url(&src)
        .visibility_timeout(0)
        .send()
        .await
        .expect("r");
    assert!(
        third.messages().is_empty(),
        "the third receive moves it instead"
    );
    let moved = sqs
        .receive_message()
        .queue_url(&dlq)
        .message_system_attribute_names(MessageSystemAttributeName::All)
        .send()
        .await
        .expect("receive dlq");
    let m = &moved.messages()[0];
    assert_eq!(
        (m.message_id(), m.body()),
        (sent.message_id(), Some("poison"))
    );
    let a = super::attributes(&sqs, &src).await;
    assert_eq!(
        a["RedrivePolicy"],
        r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":2}"#
    );
}

#[tokio::test]
async fn batches_report_partial_failures() {
    let server = TestServer::start();
    let sqs = sqs_client(&server.url);
    let url = create_queue(&sqs, "b", &[]).await;
    let entry = |id: &str, body: &str| {
        SendMessageBatchRequestEntry::builder()
            .id(id)
            .message_body(body)
            .build()
            .expect("entry")
    };
    let bad_delay = SendMessageBatchRequestEntry::builder()
        .id("late")
        .message_body("x")
        .delay_seconds(901)
        .build()
        .expect("entry");
    let out = sqs
        .send_message_batch()
        .queue_url(&url)
        .entries(entry("a", "hello"))
        .entries(bad_delay)
        .entries(entry("b", "world"))
        .send()
        .await
        .expect("batch");
    let ok: Vec<&str> = out.successful().iter().map(|s| s.id()).collect();
    assert_eq!(ok, ["a", "b"]);
    assert_eq!(
        out.successful()[0].md5_of_message_body(),
        "5d41402abc4b2a76b9719d911017c592"
    );
    let failed = &out.failed()[0];
    assert_eq!(
        (failed.id(), failed.code(), failed.sender_fault()),
        ("late", "InvalidParameterValue", true)
    );
    assert_eq!(
        failed.message(),
        Some(
            "Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900."
        )
    );
    assert_eq!(counts(&sqs, &url).await, (2, 0, 0));

    let got = sqs
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(10)
        .send()
        .await
        .expect("r");
    assert_eq!(got.messages().len(), 2);
    let handle = |i: usize| {
        got.messages()[i]
            .receipt_handle()
            .expect("handle")
            .to_string()
    };

    let vis = sqs
        .change_message_visibility_batch()
        .queue_url(&url)
        .entries(
            ChangeMessageVisibilityBatchRequestEntry::builder()
                .id("ok")
                .receipt_handle(handle(0))
                .visibility_timeout(0)
                .build()
                .expect("e"),
        )
        .entries(
            ChangeMessageVisibilityBatchRequestEntry::builder()
                .id("bad")
                .receipt_handle("garbage")
                .visibility_timeout(0)
                .build()
                .expect("e"),
        )
        .send()
        .await
        .expect("visibility batch");
    assert_eq!(
        vis.successful().iter().map(|s| s.id()).collect::<Vec<_>>(),
        ["ok"]
    );
    assert_eq!(
        (vis.failed()[0].id(), vis.failed()[0].code()),
        ("bad", "ReceiptHandleIsInvalid")
    );
    assert_eq!(counts(&sqs, &url).await, (1, 1, 0));

    let del = sqs
        .delete_message_batch()
        .queue_url(&url)
        .entries(
            DeleteMessageBatchRequestEntry::builder()
                .id("one")
                .receipt_handle(handle(1))
                .build()
                .expect("e"),
        )
        .entries(
            DeleteMessageBatchRequestEntry::builder()
                .id("two")
                .receipt_handle("garbage")
                .build()
                .expect("e"),
        )
        .send()
        .await
        .expect("delete batch");
    assert_eq!(
        del.successful().iter().map(|s| s.id()).collect::<Vec<_>>(),
        ["one"]
    );
    let f = &del.failed()[0];
    assert_eq!(
        (f.id(), f.code(), f.sender_fault()),
        ("two", "ReceiptHandleIsInvalid", true)
    );
    assert_eq!(
        f.message(),
        Some("The input receipt handle \"garbage\" is not a valid receipt handle.")
    );
    assert_eq!(counts(&sqs, &url).await, (1, 0, 0));
}
