//! Every SNS validation error with AWS's status, code and message, each followed by a check
//! that the refused request changed nothing.

use super::*;

/// Every validation error with AWS's status, code and message; none changes anything.
#[tokio::test]
async fn sns_validation_errors_change_nothing() {
    let s = TestServer::start();
    let sns = sns_client(&s.url);
    let topic = create(&sns, "valid").await;
    let sub = sns
        .subscribe()
        .topic_arn(&topic)
        .protocol("sqs")
        .endpoint(QUEUE)
        .send()
        .await
        .unwrap()
        .subscription_arn()
        .unwrap()
        .to_string();
    let missing = "arn:aws:sns:us-east-1:000000000000:missing";
    let bad_param = |m: &str| expect(400, "InvalidParameter", m);
    let fifo = "Invalid parameter: FifoTopic Reason: lambkin does not support FIFO topics";

    let cases: Vec<(&str, (u16, String, String))> = vec![
        (
            "bad topic name",
            failure(
                sns.create_topic()
                    .name("bad name")
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "fifo topic",
            failure(sns.create_topic().name("t.fifo").send().await.unwrap_err()),
        ),
        (
            "FifoTopic attribute",
            failure(
                sns.create_topic()
                    .name("f")
                    .attributes("FifoTopic", "true")
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "unknown topic attribute",
            failure(
                sns.create_topic()
                    .name("f")
                    .attributes("Colour", "red")
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "malformed topic arn",
            failure(
                sns.get_topic_attributes()
                    .topic_arn("nope")
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "subscribe to missing topic",
            failure(
                sns.subscribe()
                    .topic_arn(missing)
                    .protocol("sqs")
                    .endpoint(QUEUE)
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "unsupported protocol",
            failure(
                sns.subscribe()
                    .topic_arn(&topic)
                    .protocol("email")
                    .endpoint("a@example.com")
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "sqs endpoint not an ARN",
            failure(
                sns.subscribe()
                    .topic_arn(&topic)
                    .protocol("sqs")
                    .endpoint("https://sqs.us-east-1.amazonaws.com/000000000000/q")
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "lambda endpoint not a function ARN",
            failure(
                sns.subscribe()
                    .topic_arn(&topic)
                    .protocol("lambda")
                    .endpoint(QUEUE)
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "lambda endpoint in another region and account",
            failure(
                sns.subscribe()
                    .topic_arn(&topic)
                    .protocol("lambda")
                    .endpoint("arn:aws:lambda:eu-west-1:999999999999:function:f")
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "sqs endpoint in another account",
            failure(
                sns.subscribe()
                    .topic_arn(&topic)
                    .protocol("sqs")
                    .endpoint("arn:aws:sqs:us-east-1:999999999999:q")
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "subscription exists with different attributes",
            failure(
                sns.subscribe()
                    .topic_arn(&topic)
                    .protocol("sqs")
                    .endpoint(QUEUE)
                    .attributes("RawMessageDelivery", "true")
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "https endpoint with http scheme",
            failure(
                sns.subscribe()
                    .topic_arn(&topic)
                    .protocol("https")
                    .endpoint("http://example.com")
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "filter policy",
            failure(
                sns.subscribe()
                    .topic_arn(&topic)
                    .protocol("sqs")
                    .endpoint(format!("{QUEUE}2"))
                    .attributes("FilterPolicy", r#"{"store": "example_corp"}"#)
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "raw delivery to lambda",
            failure(
                sns.subscribe()
                    .topic_arn(&topic)
                    .protocol("lambda")
                    .endpoint(FUNCTION)
                    .attributes("RawMessageDelivery", "true")
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "publish to missing topic",
            failure(
                sns.publish()
                    .topic_arn(missing)
                    .message("m")
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "message too long",
            failure(
                sns.publish()
                    .topic_arn(&topic)
                    .message("x".repeat(256 * 1024 + 1))
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "empty message",
            failure(
                sns.publish()
                    .topic_arn(&topic)
                    .message("")
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "bad subject",
            failure(
                sns.publish()
                    .topic_arn(&topic)
                    .message("m")
                    .subject("two\nlines")
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "structure not json",
            failure(
                sns.publish()
                    .topic_arn(&topic)
                    .message("plain")
                    .message_structure("json")
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "structure without default",
            failure(
                sns.publish()
                    .topic_arn(&topic)
                    .message(r#"{"sqs":"q"}"#)
                    .message_structure("json")
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "number attribute not a number",
            failure(
                sns.publish()
                    .topic_arn(&topic)
                    .message("m")
                    .message_attributes(
                        "n",
                        MessageAttributeValue::builder()
                            .data_type("Number")
                            .string_value("ten")
                            .build()
                            .unwrap(),
                    )
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "deduplication id on a standard topic",
            failure(
                sns.publish()
                    .topic_arn(&topic)
                    .message("m")
                    .message_deduplication_id("d")
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "empty batch",
            failure(
                sns.publish_batch()
                    .topic_arn(&topic)
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "too many entries",
            failure({
                let mut b = sns.publish_batch().topic_arn(&topic);
                for i in 0..11 {
                    b = b.publish_batch_request_entries(
                        PublishBatchRequestEntry::builder()
                            .id(format!("e{i}"))
                            .message("m")
                            .build()
                            .unwrap(),
                    );
                }
                b.send().await.unwrap_err()
            }),
        ),
        (
            "duplicate ids",
            failure({
                let e = PublishBatchRequestEntry::builder()
                    .id("same")
                    .message("m")
                    .build()
                    .unwrap();
                sns.publish_batch()
                    .topic_arn(&topic)
                    .publish_batch_request_entries(e.clone())
                    .publish_batch_request_entries(e)
                    .send()
                    .await
                    .unwrap_err()
            }),
        ),
        (
            "bad entry id",
            failure(
                sns.publish_batch()
                    .topic_arn(&topic)
                    .publish_batch_request_entries(
                        PublishBatchRequestEntry::builder()
                            .id("no spaces")
                            .message("m")
                            .build()
                            .unwrap(),
                    )
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "batch too long",
            failure(
                sns.publish_batch()
                    .topic_arn(&topic)
                    .publish_batch_request_entries(
                        PublishBatchRequestEntry::builder()
                            .id("a")
                            .message("x".repeat(200 * 1024))
                            .build()
                            .unwrap(),
                    )
                    .publish_batch_request_entries(
                        PublishBatchRequestEntry::builder()
                            .id("b")
                            .message("x".repeat(100 * 1024))
                            .build()
                            .unwrap(),
                    )
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "batch to missing topic",
            failure(
                sns.publish_batch()
                    .topic_arn(missing)
                    .publish_batch_request_entries(
                        PublishBatchRequestEntry::builder()
                            .id("a")
                            .message("m")
                            .build()
                            .unwrap(),
                    )
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "bad raw delivery value",
            failure(
                sns.set_subscription_attributes()
                    .subscription_arn(&sub)
                    .attribute_name("RawMessageDelivery")
                    .attribute_value("yes")
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "malformed subscription arn",
            failure(
                sns.unsubscribe()
                    .subscription_arn("nope")
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
    ];
    let want: Vec<(&str, (u16, String, String))> = vec![
        ("bad topic name", bad_param("Invalid parameter: Topic Name")),
        ("fifo topic", bad_param("Invalid parameter: Topic Name")),
        ("FifoTopic attribute", bad_param(fifo)),
        (
            "unknown topic attribute",
            bad_param("Invalid parameter: AttributeName"),
        ),
        (
            "malformed topic arn",
            bad_param(
                "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1",
            ),
        ),
        (
            "subscribe to missing topic",
            expect(404, "NotFound", "Topic does not exist"),
        ),
        (
            "unsupported protocol",
            bad_param(
                "Invalid parameter: Protocol Reason: lambkin supports the lambda, sqs, http and https protocols",
            ),
        ),
        (
            "sqs endpoint not an ARN",
            bad_param("Invalid parameter: SQS endpoint ARN"),
        ),
        (
            "lambda endpoint not a function ARN",
            bad_param("Invalid parameter: Lambda endpoint ARN"),
        ),
        (
            "lambda endpoint in another region and account",
            bad_param(
                "Invalid parameter: Lambda endpoint ARN Reason: lambkin delivers only to functions in its own region (us-east-1) and account (000000000000)",
            ),
        ),
        (
            "sqs endpoint in another account",
            bad_param(
                "Invalid parameter: SQS endpoint ARN Reason: lambkin delivers only to queues in its own region (us-east-1) and account (000000000000)",
            ),
        ),
        (
            "subscription exists with different attributes",
            bad_param(
                "Invalid parameter: Attributes Reason: Subscription already exists with different attributes",
            ),
        ),
        (
            "https endpoint with http scheme",
            bad_param("Invalid parameter: Endpoint must match the specified protocol"),
        ),
        (
            "filter policy",
            bad_param(
                "Invalid parameter: Attributes Reason: FilterPolicy: \"store\" must be an object or an array",
            ),
        ),
        (
            "raw delivery to lambda",
            bad_param(
                "Invalid parameter: Attributes Reason: Delivery protocol [lambda] does not support raw message delivery.",
            ),
        ),
        (
            "publish to missing topic",
            expect(404, "NotFound", "Topic does not exist"),
        ),
        (
            "message too long",
            bad_param("Invalid parameter: Message too long"),
        ),
        (
            "empty message",
            bad_param("Invalid parameter: Empty message"),
        ),
        ("bad subject", bad_param("Invalid parameter: Subject")),
        (
            "structure not json",
            bad_param("Invalid parameter: Message Structure - JSON message body failed to parse"),
        ),
        (
            "structure without default",
            bad_param(
                "Invalid parameter: Message Structure - No default entry in JSON message body",
            ),
        ),
        (
            "number attribute not a number",
            expect(
                400,
                "ParameterValueInvalid",
                "Could not cast message attribute 'n' value to number.",
            ),
        ),
        (
            "deduplication id on a standard topic",
            bad_param(
                "Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type",
            ),
        ),
        (
            "empty batch",
            expect(
                400,
                "EmptyBatchRequest",
                "The batch request doesn't contain any entries.",
            ),
        ),
        (
            "too many entries",
            expect(
                400,
                "TooManyEntriesInBatchRequest",
                "The batch request contains more entries than permissible.",
            ),
        ),
        (
            "duplicate ids",
            expect(
                400,
                "BatchEntryIdsNotDistinct",
                "Two or more batch entries in the request have the same Id.",
            ),
        ),
        (
            "bad entry id",
            expect(
                400,
                "InvalidBatchEntryId",
                "The Id of a batch entry in the batch request contains an impermissible character: no spaces",
            ),
        ),
        (
            "batch too long",
            expect(
                400,
                "BatchRequestTooLong",
                "The length of all the messages put together is more than the limit.",
            ),
        ),
        (
            "batch to missing topic",
            expect(404, "NotFound", "Topic does not exist"),
        ),
        (
            "bad raw delivery value",
            bad_param(
                "Invalid parameter: RawMessageDelivery: Invalid value [yes]. Must be true or false.",
            ),
        ),
        (
            "malformed subscription arn",
            bad_param(
                "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1",
            ),
        ),
    ];
    assert_eq!(cases.len(), want.len());
    for ((name, got), (want_name, want)) in cases.into_iter().zip(want) {
        assert_eq!(name, want_name);
        assert_eq!(got, want, "{name}");
    }

    // Nothing above changed anything: one topic, one subscription, its attributes as set.
    assert_eq!(all_topics(&sns).await, vec![topic.clone()]);
    assert_eq!(subscription_arns(&sns, &topic).await, vec![sub.clone()]);
    let attrs = sns
        .get_subscription_attributes()
        .subscription_arn(&sub)
        .send()
        .await
        .unwrap();
    assert_eq!(attrs.attributes().unwrap()["RawMessageDelivery"], "false");
    let err = sns
        .publish()
        .topic_arn(missing)
        .message("m")
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_not_found_exception());
    let err = sns
        .create_topic()
        .name("bad name")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_invalid_parameter_exception()
    );
}
