//! The raw JSON protocol: what a request without an SDK gets back, byte for byte where
//! clients depend on it (content type, `x-amzn-query-error`, `__type`).

use bytes::Bytes;
use serde_json::{Value, json};

use crate::support::{TestServer, http_full};

async fn call(server: &TestServer, op: &str, body: Value) -> (u16, hyper::HeaderMap, Value) {
    let target = format!("AmazonSQS.{op}");
    let headers = [
        ("x-amz-target", target.as_str()),
        ("content-type", "application/x-amz-json-1.0"),
    ];
    let (status, h, body) = http_full(
        &server.url,
        "POST",
        "/",
        &headers,
        Bytes::from(body.to_string()),
    )
    .await;
    (
        status,
        h,
        serde_json::from_slice(&body).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn json_protocol_answers_and_errors() {
    let server = TestServer::start();
    let (status, headers, body) = call(&server, "CreateQueue", json!({"QueueName": "w"})).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/x-amz-json-1.0");
    let url = body["QueueUrl"].as_str().expect("url").to_string();

    // Any host in the URL resolves the queue.
    let other_host = url.replace("127.0.0.1", "sqs.example.com");
    let (status, _, body) = call(
        &server,
        "SendMessage",
        json!({"QueueUrl": other_host, "MessageBody": "hi"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["MD5OfMessageBody"], "49f68a5c8493ec2c0bf489821c21fc3b");

    let (status, _, body) = call(&server, "PurgeQueue", json!({"QueueUrl": url})).await;
    assert_eq!((status, body), (200, json!({})));

    let missing = url.replace("/w", "/missing");
    let (status, headers, body) =
        call(&server, "GetQueueAttributes", json!({"QueueUrl": missing})).await;
    assert_eq!(status, 400);
    assert_eq!(headers["content-type"], "application/x-amz-json-1.0");
    assert_eq!(
        headers["x-amzn-query-error"],
        "AWS.SimpleQueueService.NonExistentQueue;Sender"
    );
    assert_eq!(
        body,
        json!({"__type": "com.amazonaws.sqs#QueueDoesNotExist", "message": "The specified queue does not exist."})
    );

    let (status, _, body) = call(&server, "SendMessage", json!({"MessageBody": "x"})).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["message"],
        "The request must contain the parameter QueueUrl."
    );

    let (status, _, body) = call(&server, "StartMessageMoveTask", json!({})).await;
    assert_eq!(status, 400);
    assert_eq!(body["__type"], "com.amazonaws.sqs#UnsupportedOperation");
}

/// A body larger than the shared endpoint accepts gets each protocol's error, not a bare 413.
#[tokio::test]
async fn oversized_bodies_get_protocol_errors() {
    let server = TestServer::start();
    let huge = Bytes::from(vec![b'x'; 9 * 1024 * 1024]);
    let (status, headers, body) = http_full(
        &server.url,
        "POST",
        "/",
        &[
            ("x-amz-target", "AmazonSQS.SendMessage"),
            ("content-type", "application/x-amz-json-1.0"),
        ],
        huge.clone(),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        headers
            .get("x-amzn-query-error")
            .and_then(|v| v.to_str().ok()),
        Some("InvalidParameterValue;Sender")
    );
    let json: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        json["__type"],
        "com.amazonaws.sqs#InvalidParameterValueException"
    );
    assert!(
        json["message"]
            .as_str()
            .unwrap()
            .contains("could not be read"),
        "{json}"
    );

    let (status, _, body) = http_full(
        &server.url,
        "POST",
        "/",
        &[("content-type", "application/x-www-form-urlencoded")],
        huge,
    )
    .await;
    assert_eq!(status, 400);
    let xml = String::from_utf8_lossy(&body);
    assert!(
        xml.contains("<Code>InvalidParameter</Code>") && xml.contains("could not be read"),
        "{xml}"
    );
}

/// The shared endpoint's routes take POST; any other method on them, and any unimplemented
/// two-segment Lambda route (e.g. ListLayers), gets the AWS-shaped unknown-operation answer.
#[tokio::test]
async fn other_methods_on_shared_routes_get_unknown_operation() {
    let server = TestServer::start();
    for (method, path) in [
        ("GET", "/2018-10-31/layers"),
        ("GET", "/"),
        ("DELETE", "/000000000000/q?Action=ReceiveMessage"),
        ("PUT", "/"),
        ("POST", "/2018-10-31/layers"),
    ] {
        let (status, headers, body) = http_full(&server.url, method, path, &[], Bytes::new()).await;
        assert_eq!(status, 404, "{method} {path}");
        assert_eq!(
            headers
                .get("x-amzn-errortype")
                .and_then(|v| v.to_str().ok()),
            Some("UnknownOperationException"),
            "{method} {path}"
        );
        let json: Value = serde_json::from_slice(&body).unwrap();
        assert!(
            json["message"]
                .as_str()
                .is_some_and(|m| m.contains("does not implement")),
            "{method} {path}: {json}"
        );
    }
}
