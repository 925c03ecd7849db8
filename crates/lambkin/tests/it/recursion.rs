//! Recursive loops are stopped after 16 invocations of one chain, as on AWS: a Python function
//! using boto3 (which sends `_X_AMZN_TRACE_ID` back as `X-Amzn-Trace-Id`) writes into its own
//! trigger bucket; the 17th invocation is not run, goes to the on-failure destination, is
//! counted and logged. A synchronous invoke past the limit is `RecursiveInvocationException`.

use std::time::Duration;

use aws_sdk_lambda::types::{DestinationConfig, OnFailure, Runtime};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    Event, FilterRule, FilterRuleName, LambdaFunctionConfiguration, NotificationConfiguration,
    NotificationConfigurationFilter, S3KeyFilter,
};
use bytes::Bytes;

use crate::support::{TestServer, eventually, http_full, s3_client, sqs_client, zip_with};

/// Each upload of `loop/<n>` writes `loop/<n+1>` into the same bucket, with the trace header
/// the function saw as the body.
const LOOPER: &str = r#"
import os

try:
    import boto3
except ImportError:
    raise SystemExit("boto3 is not installed for python3: pip install boto3")

s3 = boto3.client("s3")

def handler(event, context):
    record = event["Records"][0]["s3"]
    bucket = record["bucket"]["name"]
    n = int(record["object"]["key"].split("/")[1])
    s3.put_object(Bucket=bucket, Key=f"loop/{n + 1}",
                  Body=os.environ.get("_X_AMZN_TRACE_ID", "").encode())
    return n
"#;

#[tokio::test]
async fn a_function_writing_into_its_trigger_bucket_is_stopped_after_16() {
    let s = TestServer::start();
    let (s3, sqs) = (s3_client(&s.url), sqs_client(&s.url));
    let stopped = sqs
        .create_queue()
        .queue_name("stopped")
        .send()
        .await
        .expect("queue")
        .queue_url
        .expect("url");
    s.create(
        "looper",
        Runtime::Python312,
        "handler.handler",
        zip_with(&[("handler.py", LOOPER, 0o644)]),
    )
    .await;
    s.lambda
        .put_function_event_invoke_config()
        .function_name("looper")
        .destination_config(
            DestinationConfig::builder()
                .on_failure(
                    OnFailure::builder()
                        .destination("arn:aws:sqs:us-east-1:000000000000:stopped")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("destinations");
    s3.create_bucket()
        .bucket("loopy")
        .send()
        .await
        .expect("bucket");
    let loop_prefix = NotificationConfigurationFilter::builder()
        .key(
            S3KeyFilter::builder()
                .filter_rules(
                    FilterRule::builder()
                        .name(FilterRuleName::Prefix)
                        .value("loop/")
                        .build(),
                )
                .build(),
        )
        .build();
    s3.put_bucket_notification_configuration()
        .bucket("loopy")
        .notification_configuration(
            NotificationConfiguration::builder()
                .lambda_function_configurations(
                    LambdaFunctionConfiguration::builder()
                        .lambda_function_arn(
                            "arn:aws:lambda:us-east-1:000000000000:function:looper",
                        )
                        .events(Event::S3ObjectCreated)
                        .filter(loop_prefix)
                        .build()
                        .expect("config"),
                )
                .build(),
        )
        .send()
        .await
        .expect("notifications");

    // An upload from outside any function starts the chain.
    s3.put_object()
        .bucket("loopy")
        .key("loop/0")
        .body(ByteStream::from_static(b"start"))
        .send()
        .await
        .expect("upload");

    // The 17th invocation is stopped unrun and goes to the on-failure destination.
    let record = eventually(
        "the stopped event's record",
        Duration::from_secs(90),
        || {
            let (sqs, url) = (sqs.clone(), stopped.clone());
            async move {
                let out = sqs
                    .receive_message()
                    .queue_url(url)
                    .send()
                    .await
                    .expect("receive");
                out.messages()
                    .first()
                    .and_then(|m| m.body())
                    .map(|b| serde_json::from_str::<serde_json::Value>(b).expect("record"))
            }
        },
    )
    .await;
    assert_eq!(
        record["requestContext"]["condition"], "RecursiveInvocationException",
        "{record}"
    );
    assert_eq!(record["requestContext"]["approximateInvokeCount"], 0);
    assert_eq!(
        record["requestPayload"]["Records"][0]["s3"]["object"]["key"],
        "loop/16"
    );

    // Invocations 1 to 16 ran, each one further down the chain; nothing wrote loop/17.
    let keys: Vec<String> = s3
        .list_objects_v2()
        .bucket("loopy")
        .send()
        .await
        .expect("list")
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_string))
        .collect();
    let mut want: Vec<String> = (0..=16).map(|n| format!("loop/{n}")).collect();
    want.sort();
    assert_eq!(keys, want);
    for n in [1u32, 8, 16] {
        let trace = s3
            .get_object()
            .bucket("loopy")
            .key(format!("loop/{n}"))
            .send()
            .await
            .expect("get")
            .body
            .collect()
            .await
            .expect("body")
            .to_vec();
        let trace = String::from_utf8(trace).expect("utf-8");
        assert!(
            trace.starts_with("Root=1-") && trace.ends_with(&format!(":{n}")),
            "invocation {n} saw the trace header {trace:?}"
        );
        assert_eq!(lambkin_model::chain_length(&trace), n);
    }

    // Counted as AWS's RecursiveInvocationsDropped (and as an async drop), and logged.
    let (_, _, metrics) = http_full(&s.url, "GET", "/metrics", &[], Bytes::new()).await;
    let metrics = String::from_utf8_lossy(&metrics).to_string();
    assert!(
        metrics
            .contains(r#"lambkin_recursive_invocations_dropped_total{function_name="looper"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(
            r#"lambkin_async_events_dropped_total{function_name="looper",reason="recursive_invocation"} 1"#
        ),
        "{metrics}"
    );
    let log = eventually("the log line", Duration::from_secs(5), || async {
        let log = s.server_log();
        log.contains("recursive loop stopped").then_some(log)
    })
    .await;
    assert!(log.contains("looper"), "{log}");
}

/// A synchronous invoke of `echo` from the `chain`-th invocation of a chain, as an SDK inside a
/// function sends it (the trace header's Lineage).
async fn invoke_in_chain(s: &TestServer, chain: u32) -> (u16, hyper::HeaderMap, Bytes) {
    let trace = format!("Root=1-5e272390-8c398be037738dc042009320;Lineage=a87bd80c:{chain}");
    http_full(
        &s.url,
        "POST",
        "/2015-03-31/functions/echo/invocations",
        &[("x-amzn-trace-id", trace.as_str())],
        Bytes::from_static(b"{}"),
    )
    .await
}

/// A synchronous invoke that would be the 17th of its chain is refused with AWS's error; the
/// 16th runs; PutFunctionRecursionConfig `Allow` lets it run.
#[tokio::test]
async fn a_synchronous_invoke_past_16_is_refused_unless_allowed() {
    let s = TestServer::start();
    s.create_rust_echo("echo").await;
    let (status, _, _) = invoke_in_chain(&s, 15).await;
    assert_eq!(status, 200, "the 16th invocation runs");
    let (status, headers, body) = invoke_in_chain(&s, 16).await;
    let body: serde_json::Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        headers["x-amzn-errortype"].to_str().ok(),
        Some("RecursiveInvocationException")
    );
    assert_eq!(body["Type"], "User");
    assert!(
        body["Message"]
            .as_str()
            .is_some_and(|m| m.contains("invocation 17")),
        "{body}"
    );

    // PutFunctionRecursionConfig `Allow` lets the loop run; `Terminate` is the default.
    use aws_sdk_lambda::types::RecursiveLoop;
    let got = s
        .lambda
        .get_function_recursion_config()
        .function_name("echo")
        .send()
        .await
        .expect("get");
    assert_eq!(got.recursive_loop(), Some(&RecursiveLoop::Terminate));
    let put = s
        .lambda
        .put_function_recursion_config()
        .function_name("echo")
        .recursive_loop(RecursiveLoop::Allow)
        .send()
        .await
        .expect("put");
    assert_eq!(put.recursive_loop(), Some(&RecursiveLoop::Allow));
    let (status, _, _) = invoke_in_chain(&s, 16).await;
    assert_eq!(status, 200, "allowed loops run");

    // Bad input changes nothing.
    let recursion = "/2024-08-31/functions/echo/recursion-config";
    let (status, headers, body) = http_full(
        &s.url,
        "PUT",
        recursion,
        &[("content-type", "application/json")],
        Bytes::from_static(br#"{"RecursiveLoop":"Sometimes"}"#),
    )
    .await;
    assert_eq!(status, 400, "{}", String::from_utf8_lossy(&body));
    assert_eq!(
        headers["x-amzn-errortype"].to_str().ok(),
        Some("ValidationException")
    );
    assert!(
        String::from_utf8_lossy(&body).contains(
            "Value 'Sometimes' at 'recursiveLoop' failed to satisfy constraint: Member must satisfy enum value set: [Allow, Terminate]"
        ),
        "{}",
        String::from_utf8_lossy(&body)
    );
    let err = s
        .lambda
        .get_function_recursion_config()
        .function_name("nope")
        .send()
        .await
        .expect_err("unknown function");
    assert_eq!(crate::support::aws_error(&err).2, 404);
    let still = s
        .lambda
        .get_function_recursion_config()
        .function_name("echo")
        .send()
        .await
        .expect("get");
    assert_eq!(still.recursive_loop(), Some(&RecursiveLoop::Allow));
}
