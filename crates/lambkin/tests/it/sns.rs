//! SNS through the AWS SDK for Rust (query protocol, XML answers): every operation,
//! pagination, MessageStructure json, PublishBatch partial failures, each validation error
//! with its status, code and message (and that a refused request changes nothing), and the
//! durability of an acknowledged publish across `kill -9`. Delivery to subscribers is tested in
//! `sns_delivery.rs`.

mod catalogue;
mod sdk;
mod validation;

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_sns::config::http::HttpResponse;
use aws_sdk_sns::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sns::primitives::Blob;
use aws_sdk_sns::types::{MessageAttributeValue, PublishBatchRequestEntry, Tag};
use bytes::Bytes;

use crate::support::{TestServer, http_full, sns_client};

const QUEUE: &str = "arn:aws:sqs:us-east-1:000000000000:q";
const FUNCTION: &str = "arn:aws:lambda:us-east-1:000000000000:function:f";

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

use crate::support::create_topic as create;

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
    let same_attributes = sns
        .subscribe()
        .topic_arn(&topic)
        .protocol("sqs")
        .endpoint(QUEUE)
        .attributes("RawMessageDelivery", "false")
        .send()
        .await
        .unwrap();
    assert_eq!(
        same_attributes.subscription_arn(),
        Some(arns[0].as_str()),
        "attributes that agree with the subscription, same ARN"
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

    // Unsubscribe is idempotent, as on AWS: a second call (or one for a subscription that
    // never existed) succeeds.
    for _ in 0..2 {
        sns.unsubscribe()
            .subscription_arn(&arns[1])
            .send()
            .await
            .unwrap();
    }
    sns.unsubscribe()
        .subscription_arn(format!("{topic}:never-existed"))
        .send()
        .await
        .unwrap();
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
    assert!(batch.failed().is_empty());

    // As on AWS, one invalid entry fails the whole batch with that entry's error.
    let err = sns
        .publish_batch()
        .topic_arn(&topic)
        .publish_batch_request_entries(entry("ok-2", "two"))
        .publish_batch_request_entries(
            PublishBatchRequestEntry::builder()
                .id("bad_structure")
                .message(r#"{"sqs":"x"}"#)
                .message_structure("json")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(err),
        expect(
            400,
            "InvalidParameter",
            "Invalid parameter: Message Structure - No default entry in JSON message body"
        )
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
        Bytes::from("Action=CreatePlatformApplication&Version=2010-03-31"),
    )
    .await;
    let body = String::from_utf8(body.to_vec()).unwrap();
    assert_eq!(status, 400);
    assert_eq!(headers["content-type"], "text/xml");
    let request_id = headers["x-amzn-requestid"].to_str().unwrap();
    assert_eq!(
        body,
        format!(
            "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>lambkin does not implement SNS CreatePlatformApplication (see docs/api-compat.md)</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
    );
    // An action SNS does not have at all gets SNS's own answer.
    let (status, _, body) = http_full(
        &s.url,
        "POST",
        "/",
        &form,
        Bytes::from("Action=CreateTopics&Version=2010-03-31"),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        String::from_utf8_lossy(&body).contains(
            "<Message>The action CreateTopics is not valid for this web service.</Message>"
        ),
        "{}",
        String::from_utf8_lossy(&body)
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
        assert!(
            lambkin_store::SnsStore::sns_message(&store, id)
                .await
                .unwrap()
                .is_some(),
            "message {id} committed with its deliveries"
        );
    }
}

/// Filter policies, on message attributes (the default scope) and on the body, decide which
/// subscribed queues get a message; GetSubscriptionAttributes reports the policy and scope.
#[tokio::test]
async fn sns_filter_policies_choose_subscribers() {
    let s = TestServer::start();
    let sns = sns_client(&s.url);
    let sqs = crate::support::sqs_client(&s.url);
    let topic = create(&sns, "orders").await;
    let mut urls = HashMap::new();
    for name in ["all", "big-orders", "corp-body"] {
        let url = sqs
            .create_queue()
            .queue_name(name)
            .send()
            .await
            .unwrap()
            .queue_url
            .unwrap();
        urls.insert(name, url);
    }
    let subscribe = |queue: &'static str, policy: Option<(&'static str, &'static str)>| {
        let (sns, topic) = (sns.clone(), topic.clone());
        async move {
            let mut call = sns
                .subscribe()
                .topic_arn(topic)
                .protocol("sqs")
                .endpoint(format!("arn:aws:sqs:us-east-1:000000000000:{queue}"))
                .attributes("RawMessageDelivery", "true");
            if let Some((policy, scope)) = policy {
                call = call
                    .attributes("FilterPolicy", policy)
                    .attributes("FilterPolicyScope", scope);
            }
            call.send().await.unwrap().subscription_arn.unwrap()
        }
    };
    subscribe("all", None).await;
    let big = subscribe(
        "big-orders",
        Some((
            r#"{"price_usd": [{"numeric": [">=", 100]}], "store": [{"prefix": "example"}]}"#,
            "MessageAttributes",
        )),
    )
    .await;
    subscribe(
        "corp-body",
        Some((r#"{"customer": {"tier": ["gold"]}}"#, "MessageBody")),
    )
    .await;

    let attrs = sns
        .get_subscription_attributes()
        .subscription_arn(&big)
        .send()
        .await
        .unwrap();
    let attrs = attrs.attributes().unwrap();
    assert_eq!(attrs["FilterPolicyScope"], "MessageAttributes");
    assert!(attrs["FilterPolicy"].contains("numeric"));

    let number = |n: &str| {
        MessageAttributeValue::builder()
            .data_type("Number")
            .string_value(n)
            .build()
            .unwrap()
    };
    let messages = [
        ("cheap", r#"{"customer": {"tier": "gold"}}"#, "5"),
        ("big", r#"{"customer": {"tier": "silver"}}"#, "250"),
        ("plain text", "not json", "500"),
    ];
    for (_label, body, price) in messages {
        sns.publish()
            .topic_arn(&topic)
            .message(body)
            .message_attributes("price_usd", number(price))
            .message_attributes("store", string_attribute("example_corp"))
            .send()
            .await
            .unwrap();
    }
    // Every delivery is decided once the outbox is empty.
    crate::support::eventually("deliveries done", Duration::from_secs(10), || async {
        let (_, status) = s.admin("/_lambkin/v1/status").await;
        (status["deliveries"]["pending"] == 0).then_some(())
    })
    .await;
    let mut got = HashMap::new();
    for (name, url) in &urls {
        let mut bodies = Vec::new();
        loop {
            let out = sqs
                .receive_message()
                .queue_url(url)
                .max_number_of_messages(10)
                .send()
                .await
                .unwrap();
            if out.messages().is_empty() {
                break;
            }
            for m in out.messages() {
                bodies.push(m.body().unwrap_or_default().to_string());
                sqs.delete_message()
                    .queue_url(url)
                    .receipt_handle(m.receipt_handle().unwrap())
                    .send()
                    .await
                    .unwrap();
            }
        }
        bodies.sort();
        got.insert(*name, bodies);
    }
    assert_eq!(got["all"].len(), 3, "{got:?}");
    assert_eq!(
        got["big-orders"],
        [
            "not json".to_string(),
            r#"{"customer": {"tier": "silver"}}"#.to_string()
        ],
        "price >= 100 from an example store"
    );
    assert_eq!(
        got["corp-body"],
        [r#"{"customer": {"tier": "gold"}}"#.to_string()],
        "the body's customer tier"
    );
}
