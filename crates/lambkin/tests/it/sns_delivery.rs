//! SNS delivery end to end: a published message reaches a Lambda subscriber as an async
//! invoke carrying the SNS event (the seed's SNS handler, as written), an SQS subscriber as
//! the JSON envelope, a raw SQS subscriber as the bare message, an HTTP subscriber as AWS's
//! notification POST; and a function's dead-letter topic publishes the failed payload.

use std::time::{Duration, Instant};

use aws_sdk_lambda::operation::RequestId;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{DeadLetterConfig, FunctionCode, InvocationType, Runtime};
use aws_sdk_sns::types::MessageAttributeValue;
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

use crate::support::{
    ROLE, TestServer, create_topic, eventually, receive_one, sns_client, sqs_client, zip_with,
};

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

/// How the test endpoint answers one request.
#[derive(Debug, Clone, Copy)]
enum Answer {
    Status(u16),
    /// Reads the request and never answers (the connection stays open).
    Hang,
}

/// A request the endpoint received.
#[derive(Debug)]
struct Received {
    headers: Vec<(String, String)>,
    body: String,
    at: Instant,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }
}

/// A tiny HTTP endpoint answering requests in the order of `script` (then 200), reporting each.
async fn endpoint(script: Vec<Answer>) -> (String, mpsc::UnboundedReceiver<Received>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut script = script.into_iter();
        loop {
            let Ok((mut conn, _)) = listener.accept().await else {
                return;
            };
            let Some((head, body)) = read_request(&mut conn).await else {
                continue;
            };
            let headers = head
                .lines()
                .skip(1)
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_string()))
                .collect();
            let _ = tx.send(Received {
                headers,
                body,
                at: Instant::now(),
            });
            match script.next().unwrap_or(Answer::Status(200)) {
                Answer::Status(code) => {
                    let reply = format!(
                        "HTTP/1.1 {code} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    );
                    let _ = conn.write_all(reply.as_bytes()).await;
                }
                Answer::Hang => {
                    tokio::spawn(async move {
                        let mut sink = [0u8; 64];
                        while conn.read(&mut sink).await.is_ok_and(|n| n > 0) {}
                    });
                }
            }
        }
    });
    (url, rx)
}

/// Headers and body of one request, by Content-Length.
async fn read_request<C: AsyncRead + Unpin>(conn: &mut C) -> Option<(String, String)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = conn.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
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
                return Some((head.to_string(), body.to_string()));
            }
        }
    }
}

async fn next_request(rx: &mut mpsc::UnboundedReceiver<Received>) -> Received {
    tokio::time::timeout(WITHIN, rx.recv())
        .await
        .expect("a request within the deadline")
        .expect("endpoint running")
}

#[tokio::test]
async fn http_subscribers_get_the_notification_post_with_retries() {
    let s = TestServer::start();
    let sns = sns_client(&s.url);
    let topic = create_topic(&sns, "hooks").await;
    let (url, mut received) = endpoint(vec![Answer::Status(500), Answer::Status(200)]).await;
    let sub = subscribe(&sns, &topic, "http", &url).await;
    sns.publish()
        .topic_arn(&topic)
        .message("ping")
        .send()
        .await
        .unwrap();
    let first = next_request(&mut received).await;
    // The first POST got a 500; SNS's policy retries 20 s later (0.2 s at this time scale).
    let second = next_request(&mut received).await;
    let gap = second.at - first.at;
    assert!(
        gap >= Duration::from_millis(200) && gap < Duration::from_secs(10),
        "retry after {gap:?}"
    );
    assert_eq!(first.body, second.body, "the same notification again");
    assert_eq!(second.header("x-amz-sns-message-type"), "Notification");
    assert_eq!(second.header("x-amz-sns-topic-arn"), topic);
    assert_eq!(second.header("x-amz-sns-subscription-arn"), sub);
    let body: Value = serde_json::from_str(&second.body).unwrap();
    assert_eq!(body["Type"], "Notification");
    assert_eq!(body["Message"], "ping");
    assert_eq!(
        second.header("x-amz-sns-message-id"),
        body["MessageId"].as_str().unwrap()
    );
    assert!(body["SigningCertURL"].is_string() && body["UnsubscribeURL"].is_string());
    // Delivered on the 2nd attempt: no third request follows. The deliverer records the
    // result right after the answer, so the status shows it delivered.
    let status = eventually("the delivery recorded", WITHIN, || async {
        let (_, v) = s.admin("/_lambkin/v1/status").await;
        (v["deliveries"]["delivered"] == 1).then_some(v)
    })
    .await;
    assert_eq!(status["deliveries"]["pending"], 0, "{status}");
    assert!(received.try_recv().is_err(), "no third POST");
}

/// `kill -9` while a delivery is in flight (leased, its HTTP request unanswered): after the
/// restart the delivery is due at once and performed again.
#[tokio::test]
async fn kill_9_during_a_delivery_delivers_it_after_restart() {
    let mut s = TestServer::start();
    let sns = sns_client(&s.url);
    let topic = create_topic(&sns, "crashy").await;
    let (url, mut received) = endpoint(vec![Answer::Hang]).await;
    subscribe(&sns, &topic, "http", &url).await;
    let id = sns
        .publish()
        .topic_arn(&topic)
        .message("survive")
        .send()
        .await
        .unwrap()
        .message_id()
        .unwrap()
        .to_string();
    let in_flight = next_request(&mut received).await;
    assert_eq!(in_flight.header("x-amz-sns-message-id"), id);

    s.kill9();
    let _restarted = TestServer::start_in(&s.data.clone(), &["--time-scale", "0.01"]);
    let again = next_request(&mut received).await;
    assert_eq!(again.header("x-amz-sns-message-id"), id);
    assert_eq!(again.body, in_flight.body);
}

#[tokio::test]
async fn a_dead_letter_topic_publishes_the_failed_payload() {
    let s = TestServer::start();
    let sqs = sqs_client(&s.url);
    let sns = sns_client(&s.url);
    let topic = create_topic(&sns, "failures").await;
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

/// HTTPS subscribers get the same POST over TLS, verified against the system's trust store
/// (here a test CA given to lambkin through `SSL_CERT_FILE`).
#[tokio::test]
async fn https_subscribers_are_delivered_over_tls() {
    let certified =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, certified.cert.pem()).unwrap();
    let s = TestServer::start_with_env(
        &["--time-scale", "0.01"],
        &[("SSL_CERT_FILE", ca.to_str().unwrap())],
    );

    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![certified.cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(certified.key_pair.serialize_der().into()),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "https://127.0.0.1:{}/secure",
        listener.local_addr().unwrap().port()
    );
    let (tx, mut rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let Ok(mut tls) = acceptor.accept(tcp).await else {
                continue;
            };
            if let Some((head, body)) = read_request(&mut tls).await {
                let _ = tls
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    .await;
                let _ = tls.shutdown().await;
                let _ = tx.send((head, body));
            }
        }
    });

    let sns = sns_client(&s.url);
    let topic = create_topic(&sns, "secure").await;
    subscribe(&sns, &topic, "https", &url).await;
    sns.publish()
        .topic_arn(&topic)
        .message("over tls")
        .send()
        .await
        .unwrap();
    let (head, body) = tokio::time::timeout(WITHIN, rx.recv())
        .await
        .expect("a POST over TLS")
        .expect("endpoint running");
    assert!(head.starts_with("POST /secure HTTP/1.1"), "{head}");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["Message"], "over tls");
    eventually("the delivery recorded", WITHIN, || async {
        let (_, v) = s.admin("/_lambkin/v1/status").await;
        (v["deliveries"]["delivered"] == 1).then_some(())
    })
    .await;
}
