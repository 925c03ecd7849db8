//! Every dead-letter and destination validation error with AWS's code and message; a refused
//! configuration changes nothing.

use super::*;

#[tokio::test]
async fn dead_letter_and_destination_validation_errors_change_nothing() {
    let s = TestServer::start();
    let sqs = sqs_client(&s.url);
    create_queue(&sqs, "real").await;

    let bad_create = |arn: &'static str| {
        let lambda = s.lambda.clone();
        async move {
            lambda
                .create_function()
                .function_name("v")
                .runtime(Runtime::Nodejs20x)
                .handler("index.handler")
                .role(ROLE)
                .code(
                    FunctionCode::builder()
                        .zip_file(Blob::new(zip_fixture("node-echo-cjs")))
                        .build(),
                )
                .dead_letter_config(DeadLetterConfig::builder().target_arn(arn).build())
                .send()
                .await
                .unwrap_err()
        }
    };
    let cases = [
        (
            "not-an-arn",
            "Invalid dead letter queue ARN: ARNs must start with 'arn:': not-an-arn",
        ),
        (
            "arn:aws:sqs:us-east-1:000000000000:missing",
            "The provided execution role does not have permissions to call SendMessage on SQS",
        ),
        (
            "arn:aws:sns:us-east-1:000000000000:missing",
            "The provided execution role does not have permissions to call Publish on SNS",
        ),
    ];
    for (arn, message) in cases {
        let (code, got, status) = aws_error(&bad_create(arn).await);
        assert_eq!(
            (code.as_str(), got.as_str(), status),
            ("InvalidParameterValueException", message, 400),
            "{arn}"
        );
    }
    assert!(
        s.lambda
            .get_function()
            .function_name("v")
            .send()
            .await
            .is_err(),
        "nothing was created"
    );

    create_js(&s, "v", ECHOES, None).await;
    let err = s
        .lambda
        .update_function_configuration()
        .function_name("v")
        .dead_letter_config(
            DeadLetterConfig::builder()
                .target_arn(queue_arn("missing"))
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(aws_error(&err).0, "InvalidParameterValueException");
    let cfg = s
        .lambda
        .get_function_configuration()
        .function_name("v")
        .send()
        .await
        .unwrap();
    assert!(cfg.dead_letter_config().is_none(), "{cfg:?}");

    let own = function_arn("v");
    let missing_queue = queue_arn("missing");
    let cases: Vec<(Option<&str>, Option<&str>, String)> = vec![
        (
            None,
            Some(&missing_queue),
            format!("The destination ARN {missing_queue} is invalid."),
        ),
        (
            Some("arn:aws:lambda:us-east-1:000000000000:function:nope"),
            None,
            "The destination ARN arn:aws:lambda:us-east-1:000000000000:function:nope is invalid."
                .into(),
        ),
        (
            Some(&own),
            None,
            "You can't specify the function as a destination for itself.".into(),
        ),
        (
            Some("arn:aws:s3:::bucket"),
            None,
            "The provided destination config DestinationConfig(onSuccess=OnSuccess(destination=arn:aws:s3:::bucket), onFailure=null) is invalid.".into(),
        ),
        (
            Some("arn:aws:iam::000000000000:role/r"),
            None,
            "The provided destination config DestinationConfig(onSuccess=OnSuccess(destination=arn:aws:iam::000000000000:role/r), onFailure=null) is invalid.".into(),
        ),
        (
            None,
            Some("arn:aws:events:us-east-1:000000000000:event-bus/gone"),
            // A bus of this server is a destination; this one does not exist.
            "The destination ARN arn:aws:events:us-east-1:000000000000:event-bus/gone is invalid.".into(),
        ),
        (
            None,
            Some("arn:aws:s3:::bucket"),
            // A bucket is a valid on-failure destination once it exists; this one does not.
            "The destination ARN arn:aws:s3:::bucket is invalid.".into(),
        ),
    ];
    for (on_success, on_failure, message) in cases {
        let mut d = DestinationConfig::builder();
        if let Some(arn) = on_success {
            d = d.on_success(OnSuccess::builder().destination(arn).build());
        }
        if let Some(arn) = on_failure {
            d = d.on_failure(OnFailure::builder().destination(arn).build());
        }
        let err = s
            .lambda
            .put_function_event_invoke_config()
            .function_name("v")
            .destination_config(d.build())
            .send()
            .await
            .unwrap_err();
        let (code, got, status) = aws_error(&err);
        assert_eq!(
            (code.as_str(), got.as_str(), status),
            ("InvalidParameterValueException", message.as_str(), 400)
        );
    }
    let err = s
        .lambda
        .get_function_event_invoke_config()
        .function_name("v")
        .send()
        .await
        .unwrap_err();
    assert_eq!(aws_error(&err).2, 404, "no config was stored");

    // A valid one is accepted.
    set_destinations(&s, "v", 1, None, Some(&queue_arn("real"))).await;
}

/// A destination deleted after it was configured does not block changing the retry settings:
/// Update re-checks only the destinations it changes.
#[tokio::test]
async fn update_keeps_a_destination_deleted_since_without_rechecking_it() {
    let s = TestServer::start();
    let sqs = sqs_client(&s.url);
    let url = create_queue(&sqs, "gone-later").await;
    create_js(&s, "u", ECHOES, None).await;
    set_destinations(&s, "u", 2, None, Some(&queue_arn("gone-later"))).await;
    sqs.delete_queue().queue_url(&url).send().await.unwrap();

    let updated = s
        .lambda
        .update_function_event_invoke_config()
        .function_name("u")
        .maximum_retry_attempts(0)
        .send()
        .await
        .unwrap();
    assert_eq!(updated.maximum_retry_attempts(), Some(0));
    assert_eq!(
        updated
            .destination_config()
            .and_then(|d| d.on_failure())
            .and_then(|f| f.destination()),
        Some(queue_arn("gone-later").as_str())
    );
    // Naming a new missing destination is still refused.
    let err = s
        .lambda
        .update_function_event_invoke_config()
        .function_name("u")
        .destination_config(
            DestinationConfig::builder()
                .on_success(OnSuccess::builder().destination(queue_arn("never")).build())
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_error(&err).1,
        format!("The destination ARN {} is invalid.", queue_arn("never"))
    );
}
