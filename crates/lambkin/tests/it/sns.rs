//! SNS through the AWS SDK for Rust (query protocol, XML answers): every operation,
//! pagination, MessageStructure json, PublishBatch partial failures, each validation error
//! with its status, code and message (and that a refused request changes nothing), and the
//! durability of an acknowledged publish across `kill -9`. Delivery itself is the engine's
//! deliverer's and is tested there.

use std::collections::HashMap;

use aws_sdk_sns::config::http::HttpResponse;
use aws_sdk_sns::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_sns::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sns::primitives::Blob;
use aws_sdk_sns::types::{MessageAttributeValue, PublishBatchRequestEntry, Tag};
use bytes::Bytes;

use crate::support::{TestServer, http_full};

const QUEUE: &str = "arn:aws:sqs:us-east-1:000000000000:q";
const FUNCTION: &str = "arn:aws:lambda:us-east-1:000000000000:function:f";

fn sns_client(url: &str) -> aws_sdk_sns::Client {
    let conf = aws_sdk_sns::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .endpoint_url(url)
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .retry_config(aws_sdk_sns::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_sns::Client::from_conf(conf)
}

/// Status, code and message of a failed call.
fn failure<E: ProvideErrorMetadata>(e: SdkError<E, HttpResponse>) -> (u16, String, String) {
    let status = e.raw_response().map_or(0, |r| r.status().as_u16());
    (
        status,
        e.code().unwrap_or_default().to_string(),
        e.message().unwrap_or_default().to_string(),
    )
}

fn expect(status: u16, code: &str, message: &str) -> (u16, String, String) {
    (status, code.to_string(), message.to_string())
}

async fn create(sns: &aws_sdk_sns::Client, name: &str) -> String {
    sns.create_topic()
        .name(name)
        .send()
        .await
        .unwrap()
        .topic_arn()
        .unwrap()
        .to_string()
}

async fn attributes(sns: &aws_sdk_sns::Client, topic: &str) -> HashMap<String, String> {
    sns.get_topic_attributes()
        .topic_arn(topic)
        .send()
        .await
        .unwrap()
        .attributes()
        .cloned()
        .unwrap_or_default()
}

async fn all_topics(sns: &aws_sdk_sns::Client) -> Vec<String> {
    let mut topics = Vec::new();
    let mut token = None;
    loop {
        let page = sns
            .list_topics()
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        assert!(page.topics().len() <= 100);
        topics.extend(
            page.topics()
                .iter()
                .filter_map(|t| t.topic_arn().map(str::to_string)),
        );
        match page.next_token() {
            Some(t) => token = Some(t.to_string()),
            None => return topics,
        }
    }
}

async fn subscription_arns(sns: &aws_sdk_sns::Client, topic: &str) -> Vec<String> {
    let mut arns = Vec::new();
    let mut token = None;
    loop {
        let page = sns
            .list_subscriptions_by_topic()
            .topic_arn(topic)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        arns.extend(
            page.subscriptions()
                .iter()
                .filter_map(|s| s.subscription_arn().map(str::to_string)),
        );
        match page.next_token() {
            Some(t) => token = Some(t.to_string()),
            None => return arns,
        }
    }
}

fn string_attribute(v: &str) -> MessageAttributeValue {
    MessageAttributeValue::builder()
        .data_type("String")
        .string_value(v)
        .build()
        .unwrap()
}

#[tokio::test]
async fn sns_topic_lifecycle() {
    let s = TestServer::start();
    let sns = sns_client(&s.url);
    let created = sns
        .create_topic()
        .name("orders")
        .attributes("DisplayName", "Orders")
        .tags(Tag::builder().key("team").value("a").build().unwrap())
        .send()
        .await
        .unwrap();
    let arn = created.topic_arn().unwrap().to_string();
    assert_eq!(arn, "arn:aws:sns:us-east-1:000000000000:orders");
    assert_eq!(
        create(&sns, "orders").await,
        arn,
        "CreateTopic is idempotent"
    );

    let attrs = attributes(&sns, &arn).await;
    assert_eq!(attrs["TopicArn"], arn);
    assert_eq!(attrs["Owner"], "000000000000");
    assert_eq!(attrs["DisplayName"], "Orders");
    assert_eq!(attrs["SubscriptionsConfirmed"], "0");
    assert!(attrs["Policy"].contains("__default_policy_ID"));

    sns.set_topic_attributes()
        .topic_arn(&arn)
        .attribute_name("DisplayName")
        .attribute_value("Renamed <&>")
        .send()
        .await
        .unwrap();
    assert_eq!(attributes(&sns, &arn).await["DisplayName"], "Renamed <&>");

    sns.tag_resource()
        .resource_arn(&arn)
        .tags(Tag::builder().key("env").value("dev").build().unwrap())
        .send()
        .await
        .unwrap();
    sns.untag_resource()
        .resource_arn(&arn)
        .tag_keys("team")
        .send()
        .await
        .unwrap();
    let tags = sns
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .unwrap();
    let tags: Vec<_> = tags.tags().iter().map(|t| (t.key(), t.value())).collect();
    assert_eq!(tags, [("env", "dev")]);

    assert_eq!(all_topics(&sns).await, vec![arn.clone()]);
    sns.delete_topic().topic_arn(&arn).send().await.unwrap();
    // Deleting a topic that is already gone succeeds, as on AWS.
    sns.delete_topic().topic_arn(&arn).send().await.unwrap();
    assert!(all_topics(&sns).await.is_empty());
    let err = sns
        .get_topic_attributes()
        .topic_arn(&arn)
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_not_found_exception());
    assert_eq!(
        failure(err),
        expect(404, "NotFound", "Topic does not exist")
    );
    let err = sns
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_resource_not_found_exception()
    );
}

#[tokio::test]
async fn sns_listings_paginate() {
    let s = TestServer::start();
    let sns = sns_client(&s.url);
    let mut created = Vec::new();
    for i in 0..105 {
        created.push(create(&sns, &format!("t{i:03}")).await);
    }
    let first = sns.list_topics().send().await.unwrap();
    assert_eq!(first.topics().len(), 100);
    assert!(first.next_token().is_some());
    assert_eq!(all_topics(&sns).await, created);

    let topic = &created[0];
    let mut subs = Vec::new();
    for i in 0..101 {
        let arn = sns
            .subscribe()
            .topic_arn(topic)
            .protocol("sqs")
            .endpoint(format!("{QUEUE}{i}"))
            .send()
            .await
            .unwrap()
            .subscription_arn()
            .unwrap()
            .to_string();
        subs.push(arn);
    }
    sns.subscribe()
        .topic_arn(&created[1])
        .protocol("lambda")
        .endpoint(FUNCTION)
        .send()
        .await
        .unwrap();
    assert_eq!(subscription_arns(&sns, topic).await, subs);
    let page = sns.list_subscriptions().send().await.unwrap();
    assert_eq!(page.subscriptions().len(), 100);
    let rest = sns
        .list_subscriptions()
        .next_token(page.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(rest.subscriptions().len(), 2);
    assert_eq!(rest.next_token(), None);
    let last = &rest.subscriptions()[1];
    assert_eq!(last.topic_arn(), Some(created[1].as_str()));
    assert_eq!(last.protocol(), Some("lambda"));
    assert_eq!(last.endpoint(), Some(FUNCTION));
    assert_eq!(last.owner(), Some("000000000000"));

    let err = sns
        .list_topics()
        .next_token("not-a-token")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(err),
        expect(400, "InvalidParameter", "Invalid parameter: NextToken")
    );
}

#[tokio::test]
async fn sns_subscriptions() {
    let s = TestServer::start();
    let sns = sns_client(&s.url);
    let topic = create(&sns, "events").await;
    let endpoints = [
        ("sqs", QUEUE.to_string()),
        ("lambda", FUNCTION.to_string()),
        ("http", "http://127.0.0.1:9/hook".to_string()),
        ("https", "https://example.com/hook".to_string()),
    ];
    let mut arns = Vec::new();
    for (protocol, endpoint) in &endpoints {
        let arn = sns
            .subscribe()
            .topic_arn(&topic)
            .protocol(*protocol)
            .endpoint(endpoint)
            .send()
            .await
            .unwrap()
            .subscription_arn()
            .unwrap()
            .to_string();
        assert!(arn.starts_with(&format!("{topic}:")), "{arn}");
        arns.push(arn);
    }
    let again = sns
        .subscribe()
        .topic_arn(&topic)
        .protocol("sqs")
        .endpoint(QUEUE)
        .send()
        .await
        .unwrap();
    assert_eq!(
        again.subscription_arn(),
        Some(arns[0].as_str()),
        "same endpoint, same ARN"
    );
    assert_eq!(
        attributes(&sns, &topic).await["SubscriptionsConfirmed"],
        "4"
    );

    let sub = sns
        .get_subscription_attributes()
        .subscription_arn(&arns[0])
        .send()
        .await
        .unwrap();
    let attrs = sub.attributes().unwrap();
    assert_eq!(attrs["Protocol"], "sqs");
    assert_eq!(attrs["Endpoint"], QUEUE);
    assert_eq!(attrs["TopicArn"], topic);
    assert_eq!(attrs["PendingConfirmation"], "false");
    assert_eq!(attrs["RawMessageDelivery"], "false");
    sns.set_subscription_attributes()
        .subscription_arn(&arns[0])
        .attribute_name("RawMessageDelivery")
        .attribute_value("true")
        .send()
        .await
        .unwrap();
    let sub = sns
        .get_subscription_attributes()
        .subscription_arn(&arns[0])
        .send()
        .await
        .unwrap();
    assert_eq!(sub.attributes().unwrap()["RawMessageDelivery"], "true");

    let raw = sns
        .subscribe()
        .topic_arn(&topic)
        .protocol("sqs")
        .endpoint(format!("{QUEUE}-raw"))
        .attributes("RawMessageDelivery", "true")
        .send()
        .await
        .unwrap();
    arns.push(raw.subscription_arn().unwrap().to_string());
    assert_eq!(subscription_arns(&sns, &topic).await, arns);

    sns.unsubscribe()
        .subscription_arn(&arns[1])
        .send()
        .await
        .unwrap();
    let err = sns
        .unsubscribe()
        .subscription_arn(&arns[1])
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_not_found_exception());
    assert_eq!(
        failure(err),
        expect(404, "NotFound", "Subscription does not exist")
    );
    arns.remove(1);
    assert_eq!(subscription_arns(&sns, &topic).await, arns);

    // Deleting the topic removes its subscriptions.
    sns.delete_topic().topic_arn(&topic).send().await.unwrap();
    let all = sns.list_subscriptions().send().await.unwrap();
    assert!(all.subscriptions().is_empty());
}

#[tokio::test]
async fn sns_publish_and_publish_batch() {
    let s = TestServer::start();
    let sns = sns_client(&s.url);
    let topic = create(&sns, "pub").await;
    sns.subscribe()
        .topic_arn(&topic)
        .protocol("sqs")
        .endpoint(QUEUE)
        .send()
        .await
        .unwrap();
    let published = sns
        .publish()
        .topic_arn(&topic)
        .message("hello <world> & \"you\"")
        .subject("Greeting")
        .message_attributes("s", string_attribute("v"))
        .message_attributes(
            "n",
            MessageAttributeValue::builder()
                .data_type("Number")
                .string_value("42")
                .build()
                .unwrap(),
        )
        .message_attributes(
            "b",
            MessageAttributeValue::builder()
                .data_type("Binary")
                .binary_value(Blob::new(vec![0u8, 1, 2]))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let id = published.message_id().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    // TargetArn is the other spelling of the topic.
    sns.publish()
        .target_arn(&topic)
        .message("m")
        .send()
        .await
        .unwrap();
    sns.publish()
        .topic_arn(&topic)
        .message(r#"{"default":"d","sqs":"for sqs","lambda":"for lambda"}"#)
        .message_structure("json")
        .send()
        .await
        .unwrap();

    let entry = |id: &str, message: &str| {
        PublishBatchRequestEntry::builder()
            .id(id)
            .message(message)
            .build()
            .unwrap()
    };
    let batch = sns
        .publish_batch()
        .topic_arn(&topic)
        .publish_batch_request_entries(entry("ok-1", "one"))
        .publish_batch_request_entries(entry("empty", ""))
        .publish_batch_request_entries(
            PublishBatchRequestEntry::builder()
                .id("bad_structure")
                .message(r#"{"sqs":"x"}"#)
                .message_structure("json")
                .build()
                .unwrap(),
        )
        .publish_batch_request_entries(
            PublishBatchRequestEntry::builder()
                .id("attrs")
                .message("m")
                .subject("S")
                .message_attributes("k", string_attribute("v"))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let ok: Vec<_> = batch.successful().iter().map(|e| e.id().unwrap()).collect();
    assert_eq!(ok, ["ok-1", "attrs"]);
    assert!(batch.successful().iter().all(|e| e.message_id().is_some()));
    let failed: Vec<_> = batch
        .failed()
        .iter()
        .map(|f| {
            (
                f.id(),
                f.code(),
                f.message().unwrap_or_default(),
                f.sender_fault(),
            )
        })
        .collect();
    assert_eq!(
        failed,
        [
            (
                "empty",
                "InvalidParameter",
                "Invalid parameter: Empty message",
                true
            ),
            (
                "bad_structure",
                "InvalidParameter",
                "Invalid parameter: Message Structure - No default entry in JSON message body",
                true
            ),
        ]
    );
}

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
                    .attributes("FilterPolicy", "{}")
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
        ("fifo topic", bad_param(fifo)),
        ("FifoTopic attribute", bad_param(fifo)),
        (
            "unknown topic attribute",
            bad_param("Invalid parameter: AttributeName"),
        ),
        (
            "malformed topic arn",
            bad_param("Invalid parameter: TopicArn"),
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
            "https endpoint with http scheme",
            bad_param("Invalid parameter: Endpoint must match the specified protocol"),
        ),
        (
            "filter policy",
            bad_param(
                "Invalid parameter: Attributes Reason: FilterPolicy: lambkin does not support subscription filter policies",
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
        ("deduplication id on a standard topic", bad_param(fifo)),
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
                "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.",
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
                "Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [yes]. Must be true or false.",
            ),
        ),
        (
            "malformed subscription arn",
            bad_param("Invalid parameter: SubscriptionArn"),
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

/// What the SDK does not show: the raw XML, its content type, the request id in header and
/// body, and the answer to an action lambkin does not know.
#[tokio::test]
async fn sns_wire_format() {
    let s = TestServer::start();
    let form = [("content-type", "application/x-www-form-urlencoded")];
    let (status, headers, body) = http_full(
        &s.url,
        "POST",
        "/",
        &form,
        Bytes::from("Action=CreateTopic&Version=2010-03-31&Name=wire"),
    )
    .await;
    let body = String::from_utf8(body.to_vec()).unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["content-type"], "text/xml");
    let request_id = headers["x-amzn-requestid"].to_str().unwrap();
    assert_eq!(
        body,
        format!(
            "<CreateTopicResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><CreateTopicResult><TopicArn>arn:aws:sns:us-east-1:000000000000:wire</TopicArn></CreateTopicResult><ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></CreateTopicResponse>"
        )
    );

    let (status, headers, body) = http_full(
        &s.url,
        "POST",
        "/",
        &form,
        Bytes::from("Action=ConfirmSubscription&Version=2010-03-31"),
    )
    .await;
    let body = String::from_utf8(body.to_vec()).unwrap();
    assert_eq!(status, 400);
    assert_eq!(headers["content-type"], "text/xml");
    let request_id = headers["x-amzn-requestid"].to_str().unwrap();
    assert_eq!(
        body,
        format!(
            "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>The action ConfirmSubscription is not valid for this web service.</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
    );
}

/// An acknowledged publish owes a delivery to every subscriber even if lambkin is killed right
/// after answering.
#[tokio::test]
async fn sns_acknowledged_publish_survives_kill9() {
    let mut s = TestServer::start();
    let sns = sns_client(&s.url);
    let topic = create(&sns, "durable").await;
    for i in 0..2 {
        sns.subscribe()
            .topic_arn(&topic)
            .protocol("sqs")
            .endpoint(format!("{QUEUE}{i}"))
            .send()
            .await
            .unwrap();
    }
    let mut ids = Vec::new();
    for i in 0..20 {
        let out = sns
            .publish()
            .topic_arn(&topic)
            .message(format!("m{i}"))
            .send()
            .await
            .unwrap();
        ids.push(out.message_id().unwrap().to_string());
    }
    s.kill9();
    let store = lambkin_store::SqliteStore::open(&s.data).unwrap();
    for id in &ids {
        let owed = lambkin_store::Outbox::deliveries(&store, id).await.unwrap();
        assert_eq!(owed.len(), 2, "message {id}: one delivery per subscriber");
    }
}
