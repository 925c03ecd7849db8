//! SNS answers as the AWS SDK for Rust sees them: each error the model documents decodes to
//! its typed variant with AWS's code and message, and the semantics issue 10 names
//! (AddPermission/RemovePermission in the topic's `Policy`, `SubscriptionPrincipal`,
//! ConfirmSubscription's InvalidParameter, what AWS accepts and lambkin once refused).

use aws_sdk_sns::operation::publish::PublishError;

use super::*;

fn tag(k: &str, v: &str) -> Tag {
    Tag::builder().key(k).value(v).build().unwrap()
}

fn entry(id: &str, message: &str) -> PublishBatchRequestEntry {
    PublishBatchRequestEntry::builder()
        .id(id)
        .message(message)
        .build()
        .unwrap()
}

#[tokio::test]
async fn sns_sdk_typed_errors_decode() {
    let s = TestServer::start();
    let sns = sns_client(&s.url);
    let topic = create(&sns, "typed").await;

    let err = sns
        .get_topic_attributes()
        .topic_arn("test-topic")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_invalid_parameter_exception()
    );
    assert_eq!(
        failure(err),
        expect(
            400,
            "InvalidParameter",
            "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1"
        )
    );

    let err = sns
        .confirm_subscription()
        .topic_arn(&topic)
        .token("randomtoken")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_invalid_parameter_exception()
    );
    assert_eq!(
        failure(err),
        expect(400, "InvalidParameter", "Invalid token")
    );

    let mut too_many = sns.tag_resource().resource_arn(&topic);
    for i in 0..51 {
        too_many = too_many.tags(tag(&format!("k{i}"), "v"));
    }
    let err = too_many.send().await.unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_tag_limit_exceeded_exception()
    );
    assert_eq!(
        failure(err),
        expect(
            400,
            "TagLimitExceeded",
            "Could not complete request: tag quota of per resource exceeded"
        )
    );
    let err = sns
        .tag_resource()
        .resource_arn("arn:aws:sns:us-east-1:000000000000:missing")
        .tags(tag("k", "v"))
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_resource_not_found_exception()
    );

    let err = sns
        .publish()
        .topic_arn(&topic)
        .message("m")
        .message_attributes(
            ".abc",
            MessageAttributeValue::builder()
                .data_type("String")
                .string_value("v")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    assert!(matches!(
        err.as_service_error(),
        Some(PublishError::InvalidParameterValueException(_))
    ));
    assert_eq!(
        failure(err),
        expect(
            400,
            "ParameterValueInvalid",
            "Invalid message attribute name starting with character '.' was found."
        )
    );

    let err = sns
        .publish_batch()
        .topic_arn(&topic)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_empty_batch_request_exception()
    );
    let mut eleven = sns.publish_batch().topic_arn(&topic);
    for i in 0..11 {
        eleven = eleven.publish_batch_request_entries(entry(&format!("e{i}"), "m"));
    }
    let err = eleven.send().await.unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_too_many_entries_in_batch_request_exception()
    );
    let err = sns
        .publish_batch()
        .topic_arn(&topic)
        .publish_batch_request_entries(entry("a", "m"))
        .publish_batch_request_entries(entry("a", "m"))
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_batch_entry_ids_not_distinct_exception()
    );
    let err = sns
        .publish_batch()
        .topic_arn(&topic)
        .publish_batch_request_entries(entry("message.id", "m"))
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_invalid_batch_entry_id_exception()
    );
    assert_eq!(
        failure(err),
        expect(
            400,
            "InvalidBatchEntryId",
            "The Id of a batch entry in the batch request contains an impermissible character: message.id"
        )
    );
    let half = "x".repeat(130 * 1024);
    let err = sns
        .publish_batch()
        .topic_arn(&topic)
        .publish_batch_request_entries(entry("a", &half))
        .publish_batch_request_entries(entry("b", &half))
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_batch_request_too_long_exception()
    );

    // ValidationError is not the model's ValidationException (code `ValidationException`), so
    // it decodes as unhandled, as it does from AWS; its code and message are AWS's.
    let err = sns
        .tag_resource()
        .resource_arn(&topic)
        .tags(tag("", "v"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(err),
        expect(
            400,
            "ValidationError",
            "1 validation error detected: Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1"
        )
    );
}

#[tokio::test]
async fn sns_permissions_land_in_the_topic_policy() {
    let s = TestServer::start();
    let sns = sns_client(&s.url);
    let topic = create(&sns, "perm").await;
    let policy = |attrs: HashMap<String, String>| -> serde_json::Value {
        serde_json::from_str(&attrs["Policy"]).unwrap()
    };
    let default = policy(attributes(&sns, &topic).await);

    sns.add_permission()
        .topic_arn(&topic)
        .label("test")
        .aws_account_id("111111111111")
        .action_name("Publish")
        .send()
        .await
        .unwrap();
    sns.add_permission()
        .topic_arn(&topic)
        .label("multi")
        .aws_account_id("111111111111")
        .aws_account_id("222222222222")
        .action_name("Publish")
        .action_name("Subscribe")
        .send()
        .await
        .unwrap();
    let p = policy(attributes(&sns, &topic).await);
    let statements = p["Statement"].as_array().unwrap();
    assert_eq!(statements.len(), 3);
    assert_eq!(statements[0], default["Statement"][0]);
    assert_eq!(
        statements[1],
        serde_json::json!({
            "Sid": "test",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
            "Action": "SNS:Publish",
            "Resource": topic,
        })
    );
    assert_eq!(
        statements[2]["Action"],
        serde_json::json!(["SNS:Publish", "SNS:Subscribe"])
    );

    let err = sns
        .add_permission()
        .topic_arn(&topic)
        .label("test")
        .aws_account_id("111111111111")
        .action_name("AddPermission")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_invalid_parameter_exception()
    );
    assert_eq!(
        failure(err),
        expect(
            400,
            "InvalidParameter",
            "Invalid parameter: Statement already exists"
        )
    );
    let err = sns
        .remove_permission()
        .topic_arn(format!("{topic}-not-existing"))
        .label("test")
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_not_found_exception());

    for label in ["test", "multi"] {
        sns.remove_permission()
            .topic_arn(&topic)
            .label(label)
            .send()
            .await
            .unwrap();
    }
    assert_eq!(policy(attributes(&sns, &topic).await), default);
}

/// What AWS reports and accepts that lambkin did not: SubscriptionPrincipal, no FifoTopic
/// attribute for FifoTopic=false, a MessageGroupId on a standard topic, more than ten message
/// attributes, a UTF-8 subject, and JSON message entries that are not strings (ignored).
#[tokio::test]
async fn sns_accepts_what_aws_accepts() {
    let s = TestServer::start();
    let sns = sns_client(&s.url);
    let topic = sns
        .create_topic()
        .name("std")
        .attributes("FifoTopic", "false")
        .send()
        .await
        .unwrap()
        .topic_arn()
        .unwrap()
        .to_string();
    assert!(!attributes(&sns, &topic).await.contains_key("FifoTopic"));

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
    let attrs = sns
        .get_subscription_attributes()
        .subscription_arn(&sub)
        .send()
        .await
        .unwrap();
    assert_eq!(
        attrs.attributes().unwrap()["SubscriptionPrincipal"],
        "arn:aws:iam::000000000000:root"
    );

    let mut publish = sns
        .publish()
        .topic_arn(&topic)
        .message(r#"{"default":"d","sqs":{"not":"a string"}}"#)
        .message_structure("json")
        .subject("Caf\u{e9} \u{2603}")
        .message_group_id("group-1");
    for i in 0..12 {
        publish = publish.message_attributes(format!("a{i}"), string_attribute("v"));
    }
    publish.send().await.unwrap();
}

/// Subscriptions are confirmed at once and lambkin sends no `SubscriptionConfirmation`, so a
/// subscription's token is its id or its ARN: ConfirmSubscription with either answers with the
/// subscription's ARN (as AWS answers a repeated confirmation); an unknown topic is `NotFound`,
/// a token of no subscription AWS's `InvalidParameter`, and a token of another topic's
/// subscription is no token of this topic.
#[tokio::test]
async fn sns_confirm_subscription_answers_with_the_subscription_arn() {
    let s = TestServer::start();
    let sns = sns_client(&s.url);
    let topic = create(&sns, "confirm").await;
    let other = create(&sns, "other").await;
    let subscribe = |topic: String| {
        let sns = sns.clone();
        async move {
            sns.subscribe()
                .topic_arn(topic)
                .protocol("sqs")
                .endpoint(QUEUE)
                .send()
                .await
                .unwrap()
                .subscription_arn()
                .unwrap()
                .to_string()
        }
    };
    let sub = subscribe(topic.clone()).await;
    let other_sub = subscribe(other.clone()).await;
    let id = sub.rsplit(':').next().unwrap().to_string();

    for token in [id.as_str(), sub.as_str()] {
        let confirmed = sns
            .confirm_subscription()
            .topic_arn(&topic)
            .token(token)
            .authenticate_on_unsubscribe("true")
            .send()
            .await
            .unwrap();
        assert_eq!(confirmed.subscription_arn(), Some(sub.as_str()), "{token}");
    }
    // Still one confirmed subscription, nothing pending.
    assert_eq!(
        subscription_arns(&sns, &topic).await,
        std::slice::from_ref(&sub)
    );
    let attrs = attributes(&sns, &topic).await;
    assert_eq!(
        (
            attrs["SubscriptionsConfirmed"].as_str(),
            attrs["SubscriptionsPending"].as_str()
        ),
        ("1", "0")
    );

    let err = sns
        .confirm_subscription()
        .topic_arn("arn:aws:sns:us-east-1:000000000000:missing")
        .token(&id)
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_not_found_exception());
    assert_eq!(
        failure(err),
        expect(404, "NotFound", "Topic does not exist")
    );

    let err = sns
        .confirm_subscription()
        .topic_arn(&topic)
        .token("5".repeat(288))
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_invalid_parameter_exception()
    );
    assert_eq!(
        failure(err),
        expect(400, "InvalidParameter", "Invalid parameter: Token")
    );

    for token in [other_sub.as_str(), other_sub.rsplit(':').next().unwrap()] {
        let err = sns
            .confirm_subscription()
            .topic_arn(&topic)
            .token(token)
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            failure(err),
            expect(400, "InvalidParameter", "Invalid token"),
            "{token}"
        );
    }
}
