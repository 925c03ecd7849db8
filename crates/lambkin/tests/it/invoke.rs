//! `Invoke` with all three invocation types, the deprecated `InvokeAsync`, and bad input.

use std::time::Duration;

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{InvocationType, LogType};
use base64::Engine as _;
use bytes::Bytes;

use crate::support::{TestServer, aws_error, http, http_full, payload_json};

#[tokio::test]
async fn request_response_returns_the_exact_bytes() {
    let s = TestServer::start();
    s.create_node("echo", "node-echo-cjs", "index.handler")
        .await;
    let out = s
        .lambda
        .invoke()
        .function_name("echo")
        .payload(Blob::new(r#"{"a": [1, 2], "b": "x"}"#))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status_code(), 200);
    assert_eq!(out.executed_version(), Some("$LATEST"));
    assert_eq!(out.function_error(), None);
    assert_eq!(
        out.payload().unwrap().as_ref(),
        br#"{"a":[1,2],"b":"x"}"#,
        "JSON.stringify of the event"
    );

    // No payload means the empty object.
    let out = s
        .lambda
        .invoke()
        .function_name("echo")
        .send()
        .await
        .unwrap();
    assert_eq!(out.payload().unwrap().as_ref(), b"{}");
}

#[tokio::test]
async fn function_errors_are_200_with_x_amz_function_error() {
    let s = TestServer::start();
    s.create_node("boom", "node-echo-cjs", "index.handler")
        .await;
    let out = s
        .lambda
        .invoke()
        .function_name("boom")
        .payload(Blob::new(r#"{"fail":true}"#))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status_code(), 200);
    assert_eq!(out.function_error(), Some("Unhandled"));
    let err = payload_json(out.payload());
    assert_eq!(err["errorType"], "Error");
    assert_eq!(err["errorMessage"], "intentional failure");
    assert!(err["stackTrace"].as_array().is_some_and(|t| !t.is_empty()));
}

#[tokio::test]
async fn tail_returns_this_invocations_log() {
    let s = TestServer::start();
    s.create_node("tail", "node-echo-cjs", "index.handler")
        .await;
    let out = s
        .lambda
        .invoke()
        .function_name("tail")
        .log_type(LogType::Tail)
        .payload(Blob::new(r#"{"log":"hello from the handler"}"#))
        .send()
        .await
        .unwrap();
    let log = base64::engine::general_purpose::STANDARD
        .decode(out.log_result().unwrap())
        .unwrap();
    let log = String::from_utf8(log).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert!(
        lines[0].starts_with("START RequestId: ") && lines[0].ends_with(" Version: $LATEST"),
        "{log}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.ends_with("\tINFO\thello from the handler")),
        "{log}"
    );
    assert!(
        lines[lines.len() - 2].starts_with("END RequestId: "),
        "{log}"
    );
    let report = lines[lines.len() - 1];
    assert!(report.starts_with("REPORT RequestId: "), "{log}");
    for field in [
        "\tDuration: ",
        " ms\tBilled Duration: ",
        "\tMemory Size: 128 MB\tMax Memory Used: ",
        "\tInit Duration: ",
    ] {
        assert!(report.contains(field), "{field:?} missing in {report}");
    }
    assert!(report.ends_with('\t'));

    let second = s
        .lambda
        .invoke()
        .function_name("tail")
        .log_type(LogType::Tail)
        .send()
        .await
        .unwrap();
    let log = base64::engine::general_purpose::STANDARD
        .decode(second.log_result().unwrap())
        .unwrap();
    let log = String::from_utf8(log).unwrap();
    assert!(
        !log.contains("Init Duration"),
        "warm invocations report no init: {log}"
    );
    assert!(
        !log.contains("hello from the handler"),
        "only this invocation's lines: {log}"
    );

    let plain = s
        .lambda
        .invoke()
        .function_name("tail")
        .send()
        .await
        .unwrap();
    assert_eq!(plain.log_result(), None);
}

#[tokio::test]
async fn event_is_accepted_with_the_request_id_the_function_sees() {
    let s = TestServer::start();
    s.create_node("ev", "node-echo-cjs", "index.handler").await;
    let out = s
        .lambda
        .invoke()
        .function_name("ev")
        .invocation_type(InvocationType::Event)
        .payload(Blob::new(r#"{"context":true}"#))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status_code(), 202);
    assert!(out.payload().is_none_or(|p| p.as_ref().is_empty()));
    let (status, headers, _) = http_full(
        &s.url,
        "POST",
        "/2015-03-31/functions/ev/invocations",
        &[("x-amz-invocation-type", "Event")],
        Bytes::from_static(br#"{"context":true}"#),
    )
    .await;
    assert_eq!(status, 202);
    let id = headers["x-amzn-requestid"].to_str().unwrap().to_string();
    let done = s.finished_event(&id, Duration::from_secs(20)).await;
    assert_eq!(done["state"], "succeeded");
    assert_eq!(done["invocations"], 1);
    let log = s.log_with("ev", "REPORT RequestId: ").await;
    assert!(
        log.contains(&format!("START RequestId: {id} Version: $LATEST")),
        "{log}"
    );
}

#[tokio::test]
async fn dry_run_validates_only() {
    let s = TestServer::start();
    s.create_node("dry", "node-echo-cjs", "index.handler").await;
    let out = s
        .lambda
        .invoke()
        .function_name("dry")
        .invocation_type(InvocationType::DryRun)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status_code(), 204);
    let err = s
        .lambda
        .invoke()
        .function_name("nope")
        .invocation_type(InvocationType::DryRun)
        .send()
        .await
        .unwrap_err();
    assert_eq!(aws_error(&err).2, 404);
    let (_, status) = s.admin("/_lambkin/v1/status").await;
    assert_eq!(
        status["environments"]["coldStarts"], 0,
        "DryRun starts nothing"
    );
}

#[tokio::test]
async fn names_arns_and_qualifiers_resolve() {
    let s = TestServer::start();
    s.create_node("named", "node-echo-cjs", "index.handler")
        .await;
    for id in [
        "named",
        "named:$LATEST",
        "000000000000:function:named",
        "arn:aws:lambda:us-east-1:000000000000:function:named",
        "arn:aws:lambda:us-east-1:000000000000:function:named:$LATEST",
    ] {
        let out = s
            .lambda
            .invoke()
            .function_name(id)
            .payload(Blob::new("{\"k\":1}"))
            .send()
            .await
            .unwrap();
        assert_eq!(out.payload().unwrap().as_ref(), b"{\"k\":1}", "{id}");
    }
    let out = s
        .lambda
        .invoke()
        .function_name("named")
        .qualifier("$LATEST")
        .send()
        .await
        .unwrap();
    assert_eq!(out.status_code(), 200);
}

#[tokio::test]
async fn bad_invokes_get_aws_errors_and_queue_nothing() {
    let s = TestServer::start();
    s.create_node("v", "node-echo-cjs", "index.handler").await;

    let e = s
        .lambda
        .invoke()
        .function_name("missing")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_error(&e),
        (
            "ResourceNotFoundException".into(),
            "Function not found: arn:aws:lambda:us-east-1:000000000000:function:missing:$LATEST"
                .into(),
            404
        )
    );
    let e = s
        .lambda
        .invoke()
        .function_name("missing")
        .invocation_type(InvocationType::Event)
        .send()
        .await
        .unwrap_err();
    assert_eq!(aws_error(&e).2, 404);

    for kind in ["RequestResponse", "Event"] {
        let e = s
            .lambda
            .invoke()
            .function_name("v")
            .invocation_type(InvocationType::from(kind))
            .payload(Blob::new("not json"))
            .send()
            .await
            .unwrap_err();
        let (code, message, status) = aws_error(&e);
        assert_eq!(
            (code.as_str(), status),
            ("InvalidRequestContentException", 400),
            "{kind}"
        );
        assert!(
            message.starts_with(
                "Could not parse request body into json: Could not parse payload into json: "
            ),
            "{message}"
        );
    }

    let big_async = format!("{{\"x\":\"{}\"}}", "a".repeat(1_048_576));
    let e = s
        .lambda
        .invoke()
        .function_name("v")
        .invocation_type(InvocationType::Event)
        .payload(Blob::new(big_async.clone()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_error(&e),
        (
            "RequestEntityTooLargeException".into(),
            format!(
                "{} byte payload is too large for the Event invocation type (limit 1048576 bytes)",
                big_async.len()
            ),
            413
        )
    );
    let big_sync = format!("{{\"x\":\"{}\"}}", "a".repeat(6_291_456));
    let e = s
        .lambda
        .invoke()
        .function_name("v")
        .payload(Blob::new(big_sync))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_error(&e),
        (
            "RequestEntityTooLargeException".into(),
            "Request must be smaller than 6291456 bytes for the InvokeFunction operation".into(),
            413
        )
    );
    // 1 MB is fine for sync.
    let out = s
        .lambda
        .invoke()
        .function_name("v")
        .payload(Blob::new(big_async))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status_code(), 200);

    let (status, body) = http(
        &s.url,
        "POST",
        "/2015-03-31/functions/v/invocations",
        &[("x-amz-invocation-type", "Sometimes")],
        Bytes::from_static(b"{}"),
    )
    .await;
    assert_eq!(status, 400, "{body:?}");
    let (status, _) = http(
        &s.url,
        "POST",
        "/2015-03-31/functions/v/invocations",
        &[("x-amz-client-context", "%%%not-base64")],
        Bytes::from_static(b"{}"),
    )
    .await;
    assert_eq!(status, 400);

    let (_, v) = s.admin("/_lambkin/v1/functions/v/events").await;
    assert_eq!(
        v["events"].as_array().map(Vec::len),
        Some(0),
        "nothing was queued: {v}"
    );
}

#[tokio::test]
async fn invoke_async_is_accepted() {
    let s = TestServer::start();
    s.create_node("old", "node-echo-cjs", "index.handler").await;
    #[allow(deprecated)]
    let out = s
        .lambda
        .invoke_async()
        .function_name("old")
        .invoke_args(aws_sdk_lambda::primitives::ByteStream::from_static(
            b"{\"x\":1}",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 202);
    let (status, headers, _) = http_full(
        &s.url,
        "POST",
        "/2014-11-13/functions/old/invoke-async/",
        &[],
        Bytes::from_static(b"{}"),
    )
    .await;
    assert_eq!(status, 202);
    let id = headers["x-amzn-requestid"].to_str().unwrap().to_string();
    assert_eq!(
        s.finished_event(&id, Duration::from_secs(20)).await["state"],
        "succeeded"
    );
}
