//! The Runtime API's edges, exercised by a hand-written runtime: the headers of `next`, and
//! the status codes for a wrong request id (400), a second response (403) and an oversized
//! response (413, seen by the caller as `Function.ResponseSizeTooLarge`).

use aws_sdk_lambda::operation::RequestId;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::Runtime;
use base64::Engine as _;

use crate::support::{TestServer, payload_json, zip_with};

/// A custom `bootstrap` in Python: each invocation's answer reports what the API said.
const BOOTSTRAP: &str = r#"#!/usr/bin/env python3
import http.client, json, os
host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
conn = http.client.HTTPConnection(host, int(port))
base = "/2018-06-01/runtime/invocation/"
def call(method, path, body=None):
    conn.request(method, path, body=body)
    r = conn.getresponse()
    return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read()
notes = {}
while True:
    status, headers, body = call("GET", base + "next")
    rid = headers["lambda-runtime-aws-request-id"]
    event = json.loads(body)
    step = event.get("step")
    if step == "headers":
        wrong, _, _ = call("POST", base + "00000000-0000-4000-8000-000000000000/response", b"{}")
        answer = {"headers": headers, "status": status, "wrong_id": wrong}
        call("POST", base + rid + "/response", json.dumps(answer).encode())
        notes["second"], _, _ = call("POST", base + rid + "/response", b"{}")
    elif step == "report":
        call("POST", base + rid + "/response", json.dumps(notes).encode())
    elif step == "huge":
        notes["huge"], _, _ = call("POST", base + rid + "/response", b"[" + b"1," * 3200000 + b"1]")
    else:
        call("POST", base + rid + "/response", body)
"#;

#[tokio::test]
async fn runtime_api_status_codes_and_headers() {
    let s = TestServer::start();
    s.create(
        "custom",
        Runtime::Providedal2023,
        "custom.handler",
        zip_with(&[("bootstrap", BOOTSTRAP, 0o755)]),
    )
    .await;
    let context = base64::engine::general_purpose::STANDARD.encode(r#"{"custom":{"k":"v"}}"#);
    let out = s
        .lambda
        .invoke()
        .function_name("custom")
        .client_context(context)
        .payload(Blob::new(r#"{"step":"headers"}"#))
        .send()
        .await
        .unwrap();
    let first = payload_json(out.payload());
    let h = &first["headers"];
    assert_eq!(first["status"], 200);
    assert_eq!(
        h["lambda-runtime-aws-request-id"].as_str(),
        out.request_id()
    );
    assert_eq!(h["content-type"], "application/json");
    assert_eq!(
        h["lambda-runtime-invoked-function-arn"],
        "arn:aws:lambda:us-east-1:000000000000:function:custom"
    );
    assert!(
        h["lambda-runtime-trace-id"]
            .as_str()
            .is_some_and(|t| t.starts_with("Root=1-")),
        "{h}"
    );
    assert!(
        h["lambda-runtime-deadline-ms"]
            .as_str()
            .and_then(|d| d.parse::<u64>().ok())
            .is_some()
    );
    assert_eq!(
        h["lambda-runtime-client-context"],
        r#"{"custom":{"k":"v"}}"#
    );
    assert_eq!(first["wrong_id"], 400);

    let report = s
        .lambda
        .invoke()
        .function_name("custom")
        .payload(Blob::new(r#"{"step":"report"}"#))
        .send()
        .await
        .unwrap();
    assert_eq!(payload_json(report.payload())["second"], 403);

    let huge = s
        .lambda
        .invoke()
        .function_name("custom")
        .payload(Blob::new(r#"{"step":"huge"}"#))
        .send()
        .await
        .unwrap();
    assert_eq!(huge.function_error(), Some("Unhandled"));
    let body = payload_json(huge.payload());
    assert_eq!(body["errorType"], "Function.ResponseSizeTooLarge");
    assert_eq!(
        body["errorMessage"],
        "Response payload size exceeded maximum allowed payload size (6291556 bytes)."
    );
    let report = s
        .lambda
        .invoke()
        .function_name("custom")
        .payload(Blob::new(r#"{"step":"report"}"#))
        .send()
        .await
        .unwrap();
    assert_eq!(payload_json(report.payload())["huge"], 413);
}
