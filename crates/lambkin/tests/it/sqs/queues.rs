//! Queue operations: create (idempotent, conflicting), URL, list with prefix and pages,
//! attributes, delete and purge.

use aws_sdk_sqs::types::QueueAttributeName;

use super::{attributes, code_and_message, counts, create_queue, sqs_client};
use crate::support::TestServer;

#[tokio::test]
async fn queue_lifecycle() {
    let server = TestServer::start();
    let sqs = sqs_client(&server.url);
    let url = create_queue(
        &sqs,
        "orders",
        &[("VisibilityTimeout", "45"), ("DelaySeconds", "2")],
    )
    .await;
    let host = server.url.trim_start_matches("http://");
    assert_eq!(url, format!("http://{host}/000000000000/orders"));

    // Same name, same attributes: the existing queue. A different value: QueueNameExists.
    let again = create_queue(&sqs, "orders", &[("VisibilityTimeout", "45")]).await;
    assert_eq!(again, url);
    let conflict = sqs
        .create_queue()
        .queue_name("orders")
        .attributes(QueueAttributeName::VisibilityTimeout, "46")
        .send()
        .await;
    let e = conflict.expect_err("conflict");
    assert!(
        e.as_service_error()
            .is_some_and(|e| e.is_queue_name_exists()),
        "{e:?}"
    );

    // Attributes given at their default (as Terraform sends them) are stored as left out;
    // the same request again still finds the same queue.
    let defaults = [("KmsDataKeyReusePeriodSeconds", "300"), ("Policy", "")];
    let first = create_queue(&sqs, "with-defaults", &defaults).await;
    assert_eq!(create_queue(&sqs, "with-defaults", &defaults).await, first);

    let got = sqs
        .get_queue_url()
        .queue_name("orders")
        .send()
        .await
        .expect("url");
    assert_eq!(got.queue_url(), Some(url.as_str()));

    let a = attributes(&sqs, &url).await;
    assert_eq!(a["VisibilityTimeout"], "45");
    assert_eq!(a["DelaySeconds"], "2");
    assert_eq!(a["MessageRetentionPeriod"], "345600");
    assert_eq!(a["MaximumMessageSize"], "1048576");
    assert_eq!(a["ReceiveMessageWaitTimeSeconds"], "0");
    assert_eq!(a["QueueArn"], "arn:aws:sqs:us-east-1:000000000000:orders");
    assert_eq!(a["ApproximateNumberOfMessages"], "0");
    let created: i64 = a["CreatedTimestamp"].parse().expect("seconds");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    assert!(
        (now - created).abs() < 60,
        "CreatedTimestamp is in seconds: {created}"
    );

    // Only the requested names come back.
    let one = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("one attribute");
    assert_eq!(one.attributes().map(|a| a.len()), Some(1));

    sqs.set_queue_attributes()
        .queue_url(&url)
        .attributes(QueueAttributeName::VisibilityTimeout, "5")
        .attributes(QueueAttributeName::ReceiveMessageWaitTimeSeconds, "3")
        .send()
        .await
        .expect("set attributes");
    let a = attributes(&sqs, &url).await;
    assert_eq!(
        (
            a["VisibilityTimeout"].as_str(),
            a["ReceiveMessageWaitTimeSeconds"].as_str()
        ),
        ("5", "3")
    );
    assert_eq!(a["DelaySeconds"], "2", "unchanged attributes are kept");

    sqs.delete_queue()
        .queue_url(&url)
        .send()
        .await
        .expect("delete");
    let e = sqs
        .get_queue_url()
        .queue_name("orders")
        .send()
        .await
        .expect_err("gone");
    assert!(
        e.as_service_error()
            .is_some_and(|e| e.is_queue_does_not_exist()),
        "{e:?}"
    );
    let e = sqs
        .delete_queue()
        .queue_url(&url)
        .send()
        .await
        .expect_err("gone");
    assert!(
        e.as_service_error()
            .is_some_and(|e| e.is_queue_does_not_exist()),
        "{e:?}"
    );
}

#[tokio::test]
async fn list_queues_by_prefix_and_page() {
    let server = TestServer::start();
    let sqs = sqs_client(&server.url);
    let empty = sqs.list_queues().send().await.expect("list");
    assert!(empty.queue_urls().is_empty());
    for name in ["jobs-a", "jobs-b", "jobs-c", "other"] {
        create_queue(&sqs, name, &[]).await;
    }
    let names = |urls: &[String]| {
        urls.iter()
            .map(|u| u.rsplit('/').next().unwrap_or_default().to_string())
            .collect::<Vec<_>>()
    };
    let all = sqs.list_queues().send().await.expect("list");
    assert_eq!(
        names(all.queue_urls()),
        ["jobs-a", "jobs-b", "jobs-c", "other"]
    );
    assert_eq!(all.next_token(), None);

    let first = sqs
        .list_queues()
        .queue_name_prefix("jobs")
        .max_results(2)
        .send()
        .await
        .expect("page 1");
    assert_eq!(names(first.queue_urls()), ["jobs-a", "jobs-b"]);
    let token = first.next_token().expect("more pages").to_string();
    let second = sqs
        .list_queues()
        .queue_name_prefix("jobs")
        .max_results(2)
        .next_token(token)
        .send()
        .await
        .expect("page 2");
    assert_eq!(names(second.queue_urls()), ["jobs-c"]);
    assert_eq!(second.next_token(), None);

    let (code, message) = code_and_message(sqs.list_queues().max_results(1001).send().await);
    assert_eq!(code, "InvalidParameterValue");
    assert_eq!(
        message,
        "Value 1001 for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000."
    );
}

#[tokio::test]
async fn purge_queue_drops_messages_once_a_minute() {
    let server = TestServer::start();
    let sqs = sqs_client(&server.url);
    let url = create_queue(&sqs, "p", &[]).await;
    for i in 0..3 {
        sqs.send_message()
            .queue_url(&url)
            .message_body(format!("m{i}"))
            .send()
            .await
            .expect("send");
    }
    assert_eq!(counts(&sqs, &url).await, (3, 0, 0));
    sqs.purge_queue()
        .queue_url(&url)
        .send()
        .await
        .expect("purge");
    assert_eq!(counts(&sqs, &url).await, (0, 0, 0));
    let e = sqs
        .purge_queue()
        .queue_url(&url)
        .send()
        .await
        .expect_err("too soon");
    assert!(
        e.as_service_error()
            .is_some_and(|e| e.is_purge_queue_in_progress()),
        "{e:?}"
    );
    let (_, message) = code_and_message(Err::<(), _>(e));
    assert_eq!(
        message,
        "Only one PurgeQueue operation on p is allowed every 60 seconds."
    );
}
