//! Functions reach lambkin's S3, SQS and SNS with the AWS SDKs, their code written for AWS:
//! boto3 (`examples/functions/python-boto3`) and the AWS SDK for JavaScript v3
//! (`examples/functions/node-sdk-v3`, installed with npm) read the `AWS_ENDPOINT_URL`, region
//! and credentials lambkin gives every function.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::Runtime;

use crate::support::{
    TestServer, create_topic, eventually, fixtures, payload_json, s3_client, sqs_client,
    zip_fixture,
};

/// Installs the v3 example's packages into a copy of it; the test fails, with npm's output, if
/// npm cannot.
fn node_sdk_v3_zip(work: &Path) -> Vec<u8> {
    let from = fixtures().join("node-sdk-v3");
    std::fs::create_dir_all(work).expect("dir");
    for file in ["index.mjs", "package.json", "package-lock.json"] {
        std::fs::copy(from.join(file), work.join(file)).expect("copy");
    }
    let out = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(work)
        .output()
        .unwrap_or_else(|e| panic!("this test needs npm (Node.js 20): {e}"));
    assert!(
        out.status.success(),
        "npm could not install the AWS SDK for JavaScript v3 (is the npm registry reachable?):\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    lambkin_engine::zip_folder(work).expect("zip")
}

#[tokio::test]
async fn boto3_and_the_javascript_sdk_v3_reach_s3_sqs_and_sns() {
    let work = tempfile::tempdir().expect("tempdir");
    let node_zip = node_sdk_v3_zip(&work.path().join("node-sdk-v3"));
    let s = TestServer::start();
    let (s3, sqs) = (s3_client(&s.url), sqs_client(&s.url));
    let sns = crate::support::sns_client(&s.url);
    s3.create_bucket()
        .bucket("sdk")
        .send()
        .await
        .expect("bucket");
    let mut queues = Vec::new();
    for name in ["sdk", "fanout"] {
        queues.push(
            sqs.create_queue()
                .queue_name(name)
                .send()
                .await
                .expect("queue")
                .queue_url
                .expect("url"),
        );
    }
    let topic = create_topic(&sns, "sdk").await;
    sns.subscribe()
        .topic_arn(&topic)
        .protocol("sqs")
        .endpoint("arn:aws:sqs:us-east-1:000000000000:fanout")
        .attributes("RawMessageDelivery", "true")
        .send()
        .await
        .expect("subscribe");

    s.create(
        "with-boto3",
        Runtime::Python312,
        "lambda_function.lambda_handler",
        zip_fixture("python-boto3"),
    )
    .await;
    s.create("with-sdk-v3", Runtime::Nodejs20x, "index.handler", node_zip)
        .await;
    let event = serde_json::json!({"bucket": "sdk", "queueUrl": queues[0], "topicArn": topic});

    for (function, key, who) in [
        ("with-boto3", "from-boto3.txt", "boto3"),
        ("with-sdk-v3", "from-sdk-v3.txt", "@aws-sdk/client-"),
    ] {
        let out = s
            .lambda
            .invoke()
            .function_name(function)
            .payload(Blob::new(event.to_string()))
            .send()
            .await
            .expect("invoke");
        let answer = payload_json(out.payload());
        assert_eq!(out.function_error(), None, "{function}: {answer}");
        assert!(answer["messageId"].is_string(), "{function}: {answer}");

        let object = s3
            .get_object()
            .bucket("sdk")
            .key(key)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{function} wrote no {key}: {e:?}"));
        assert_eq!(object.e_tag(), answer["etag"].as_str(), "{function}");
        let text =
            String::from_utf8(object.body.collect().await.expect("body").to_vec()).expect("utf-8");
        assert!(text.contains(who), "{function}: {text}");

        for (queue, what) in [(&queues[0], "sent by"), (&queues[1], "published by")] {
            let body = eventually(
                "the function's message",
                Duration::from_secs(10),
                || async {
                    let got = sqs
                        .receive_message()
                        .queue_url(queue)
                        .send()
                        .await
                        .expect("receive");
                    let m = got.messages().first()?;
                    sqs.delete_message()
                        .queue_url(queue)
                        .receipt_handle(m.receipt_handle()?)
                        .send()
                        .await
                        .expect("delete");
                    m.body().map(str::to_string)
                },
            )
            .await;
            assert!(
                body.starts_with(what) && body.contains(who),
                "{function}: {body}"
            );
        }
    }
}
