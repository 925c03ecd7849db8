//! SNS delivery end to end: a published message reaches a Lambda subscriber as an async
//! invoke carrying the SNS event (the seed's SNS handler, as written), an SQS subscriber as
//! the JSON envelope, a raw SQS subscriber as the bare message, an HTTP subscriber as AWS's
//! notification POST; and a function's dead-letter topic publishes the failed payload.

use std::time::Duration;

use aws_sdk_lambda::operation::RequestId;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{DeadLetterConfig, FunctionCode, InvocationType, Runtime};
use aws_sdk_sns::types::MessageAttributeValue;
use aws_sdk_sqs::types::Message;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{ROLE, TestServer, eventually, sns_client, sqs_client, zip_with};

const WITHIN: Duration = Duration::from_secs(30);

async fn queue(sqs: &aws_sdk_sqs::Client, name: &str) -> (String, String) {
    let url = sqs
        .create_queue()
        .queue_name(name)
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_string();
    (url, format!("arn:aws:sqs:us-east-1:000000000000:{name}"))
}

async fn receive_one(sqs: &aws_sdk_sqs::Client, url: &str) -> Message {
    eventually(&format!("a message in {url}"), WITHIN, || async {
        sqs.receive_message()
            .queue_url(url)
            .wait_time_seconds(2)
            .message_attribute_names("All")
            .send()
            .await
            .unwrap()
            .messages()
            .first()
            .cloned()
    })
    .await
}

async fn subscribe(
    sns: &aws_sdk_sns::Client,
    topic: &str,
    protocol: &str,
    endpoint: &str,
) -> String {
    sns.subscribe()
        .topic_arn(topic)
        .protocol(protocol)
        .endpoint(endpoint)
        .return_subscription_arn(true)
        .send()
        .await
        .unwrap()
        .subscription_arn()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_publish_reaches_lambda_sqs_and_raw_sqs_subscribers() {
    let s = TestServer::start();
    let sqs = sqs_client(&s.url);
    let sns = sns_client(&s.url);
    let topic = sns
        .create_topic()
        .name("orders")
        .send()
        .await
        .unwrap()
        .topic_arn()
        .unwrap()
        .to_string();
    assert_eq!(topic, "arn:aws:sns:us-east-1:000000000000:orders");
    s.create_node("notify", "seed-sns", "index.handler").await;
    let lambda_sub = subscribe(
        &sns,
        &topic,
        "lambda",
        "arn:aws:lambda:us-east-1:000000000000:function:notify",
    )
    .await;
    let (env_url, env_arn) = queue(&sqs, "enveloped").await;
    let env_sub = subscribe(&sns, &topic, "sqs", &env_arn).await;
    let (raw_url, raw_arn) = queue(&sqs, "raw").await;
    let raw_sub = subscribe(&sns, &topic, "sqs", &raw_arn).await;
    sns.set_subscription_attributes()
        .subscription_arn(&raw_sub)
        .attribute_name("RawMessageDelivery")
        .attribute_value("true")
        .send()
        .await
        .unwrap();

    let published = sns
        .publish()
        .topic_arn(&topic)
        .subject("New order")
        .message("order 42 placed")
        .message_attributes(
            "priority",
            MessageAttributeValue::builder()
                .data_type("String")
                .string_value("high")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let message_id = published.message_id().unwrap().to_string();

    // Lambda: the seed's handler logs what it received.
    s.log_with("notify", "Received: New order - order 42 placed")
        .await;
    let (_, events) = s.admin("/_lambkin/v1/functions/notify/events").await;
    let id = events["events"][0]["requestId"]
        .as_str()
        .unwrap()
        .to_string();
    let v = s.finished_event(&id, WITHIN).await;
    assert_eq!(v["state"], "succeeded");
    let records = v["payload"]["Records"].as_array().unwrap();
    assert_eq!(records.len(), 1, "one record per invocation");
    let r = &records[0];
    assert_eq!(r["EventVersion"], "1.0");
    assert_eq!(r["EventSource"], "aws:sns");
    assert_eq!(r["EventSubscriptionArn"], lambda_sub.as_str());
    assert_eq!(r["Sns"]["Type"], "Notification");
    assert_eq!(r["Sns"]["MessageId"], message_id.as_str());
    assert_eq!(r["Sns"]["TopicArn"], topic.as_str());
    assert_eq!(r["Sns"]["Subject"], "New order");
    assert_eq!(r["Sns"]["Message"], "order 42 placed");
    assert_eq!(
        r["Sns"]["MessageAttributes"]["priority"],
        json!({"Type": "String", "Value": "high"})
    );
    for key in [
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertUrl",
        "UnsubscribeUrl",
    ] {
        assert!(r["Sns"][key].is_string(), "{key} in {r}");
    }

    // SQS: the JSON envelope.
    let m = receive_one(&sqs, &env_url).await;
    let envelope: Value = serde_json::from_str(m.body().unwrap()).unwrap();
    assert_eq!(envelope["Type"], "Notification");
    assert_eq!(envelope["MessageId"], message_id.as_str());
    assert_eq!(envelope["TopicArn"], topic.as_str());
    assert_eq!(envelope["Subject"], "New order");
    assert_eq!(envelope["Message"], "order 42 placed");
    assert_eq!(
        envelope["MessageAttributes"]["priority"],
        json!({"Type": "String", "Value": "high"})
    );
    assert!(
        envelope["UnsubscribeURL"]
            .as_str()
            .unwrap()
            .contains(&env_sub)
    );

    // Raw SQS: the bare message, attributes as SQS message attributes.
    let m = receive_one(&sqs, &raw_url).await;
    assert_eq!(m.body(), Some("order 42 placed"));
    let priority = m.message_attributes().unwrap().get("priority").unwrap();
    assert_eq!(
        (priority.data_type(), priority.string_value()),
        ("String", Some("high"))
    );
}

/// A tiny HTTP endpoint that fails its first request with 500 and records the second.
async fn flaky_endpoint() -> (
    String,
    tokio::sync::mpsc::Receiver<(Vec<(String, String)>, String)>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    tokio::spawn(async move {
        let mut served = 0;
        loop {
            let Ok((mut conn, _)) = listener.accept().await else {
                return;
            };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            // Read headers, then the body by Content-Length.
            let (head, body) = loop {
                let n = conn.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    break (String::new(), String::new());
                }
                buf.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buf).to_string();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let len = head
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse::<usize>().ok())?
                        })
                        .unwrap_or(0);
                    if body.len() >= len {
                        break (head.to_string(), body.to_string());
                    }
                }
            };
            served += 1;
            let status = if served == 1 {
                "500 Internal Server Error"
            } else {
                "200 OK"
            };
            let _ = conn
                .write_all(
                    format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                        .as_bytes(),
                )
                .await;
            if served > 1 {
                let headers = head
                    .lines()
                    .skip(1)
                    .filter_map(|l| l.split_once(':'))
                    .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_string()))
                    .collect();
                let _ = tx.send((headers, body)).await;
            }
        }
    });
    (url, rx)
}

#[tokio::test]
async fn http_subscribers_get_the_notification_post_with_retries() {
    let s = TestServer::start();
    let sns = sns_client(&s.url);
    let topic = sns
        .create_topic()
        .name("hooks")
        .send()
        .await
        .unwrap()
        .topic_arn()
        .unwrap()
        .to_string();
    let (url, mut received) = flaky_endpoint().await;
    let sub = subscribe(&sns, &topic, "http", &url).await;
    sns.publish()
        .topic_arn(&topic)
        .message("ping")
        .send()
        .await
        .unwrap();
    // The first POST got a 500; SNS's policy retries (20 s, scaled to 0.2 s here).
    let (headers, body) = tokio::time::timeout(WITHIN, received.recv())
        .await
        .expect("a retried POST")
        .expect("endpoint running");
    let header = |k: &str| {
        headers
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    };
    assert_eq!(header("x-amz-sns-message-type"), "Notification");
    assert_eq!(header("x-amz-sns-topic-arn"), topic);
    assert_eq!(header("x-amz-sns-subscription-arn"), sub);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["Type"], "Notification");
    assert_eq!(body["Message"], "ping");
    assert_eq!(
        header("x-amz-sns-message-id"),
        body["MessageId"].as_str().unwrap()
    );
    assert!(body["SigningCertURL"].is_string() && body["UnsubscribeURL"].is_string());
}

#[tokio::test]
async fn a_dead_letter_topic_publishes_the_failed_payload() {
    let s = TestServer::start();
    let sqs = sqs_client(&s.url);
    let sns = sns_client(&s.url);
    let topic = sns
        .create_topic()
        .name("failures")
        .send()
        .await
        .unwrap()
        .topic_arn()
        .unwrap()
        .to_string();
    let (url, arn) = queue(&sqs, "failure-inbox").await;
    let sub = subscribe(&sns, &topic, "sqs", &arn).await;
    sns.set_subscription_attributes()
        .subscription_arn(&sub)
        .attribute_name("RawMessageDelivery")
        .attribute_value("true")
        .send()
        .await
        .unwrap();
    s.lambda
        .create_function()
        .function_name("f")
        .runtime(Runtime::Nodejs20x)
        .handler("index.handler")
        .role(ROLE)
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(zip_with(&[(
                    "index.js",
                    "exports.handler = async () => { throw new Error('no'); };",
                    0o644,
                )])))
                .build(),
        )
        .dead_letter_config(DeadLetterConfig::builder().target_arn(&topic).build())
        .send()
        .await
        .unwrap();
    s.lambda
        .put_function_event_invoke_config()
        .function_name("f")
        .maximum_retry_attempts(0)
        .send()
        .await
        .unwrap();
    let out = s
        .lambda
        .invoke()
        .function_name("f")
        .invocation_type(InvocationType::Event)
        .payload(Blob::new(r#"{"k":"v"}"#))
        .send()
        .await
        .unwrap();
    let id = out.request_id().unwrap().to_string();
    let m = receive_one(&sqs, &url).await;
    assert_eq!(m.body(), Some(r#"{"k":"v"}"#));
    let attrs = m.message_attributes().unwrap();
    assert_eq!(attrs["RequestID"].string_value(), Some(id.as_str()));
    assert_eq!(
        (
            attrs["ErrorCode"].data_type(),
            attrs["ErrorCode"].string_value()
        ),
        ("Number", Some("200"))
    );
    assert_eq!(attrs["ErrorMessage"].string_value(), Some("no"));
}
