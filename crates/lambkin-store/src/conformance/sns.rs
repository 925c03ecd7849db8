//! The SNS behaviour every storage backend must show: topics and subscriptions, and a publish
//! that stores each message once and records its fan-out in the outbox in the same commit.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;

use lambkin_model::{MessageAttributes, Timestamp};

use crate::{
    DeliveryKind, SnsMessage, SnsStore, Store, Subscribed, SubscriptionRecord, TopicRecord,
};

const TOPIC: &str = "arn:aws:sns:us-east-1:000000000000:t";

fn topic(arn: &str) -> TopicRecord {
    TopicRecord {
        arn: arn.to_string(),
        name: arn.rsplit(':').next().unwrap().to_string(),
        attributes: BTreeMap::from([("DisplayName".into(), "shown".into())]),
        tags: BTreeMap::from([("team".into(), "a".into())]),
        created_at: Timestamp(10),
    }
}

fn subscription(topic_arn: &str, n: u32) -> SubscriptionRecord {
    SubscriptionRecord {
        arn: format!("{topic_arn}:sub-{n}"),
        topic_arn: topic_arn.to_string(),
        protocol: "sqs".into(),
        endpoint: format!("arn:aws:sqs:us-east-1:000000000000:q{n}"),
        attributes: BTreeMap::new(),
        service_url: "http://127.0.0.1:9000".into(),
        created_at: Timestamp(20),
    }
}

fn body(id: &str) -> Vec<u8> {
    format!(r#"{{"m":"{id}"}}"#).into_bytes()
}

fn message(id: &str) -> SnsMessage {
    SnsMessage {
        message_id: id.to_string(),
        body: body(id),
        chain: 2,
    }
}

async fn subscribe<S: SnsStore + ?Sized>(
    store: &Arc<S>,
    sub: SubscriptionRecord,
) -> SubscriptionRecord {
    match store.subscribe(sub).await.unwrap() {
        Subscribed::Created(s) => s,
        other => panic!("expected a new subscription, got {other:?}"),
    }
}

pub async fn topic_crud_is_idempotent<S: SnsStore + ?Sized>(store: Arc<S>) {
    let created = store.create_topic(topic(TOPIC)).await.unwrap();
    assert_eq!(created, topic(TOPIC));
    let mut again = topic(TOPIC);
    again.attributes.clear();
    again.created_at = Timestamp(99);
    assert_eq!(
        store.create_topic(again).await.unwrap(),
        topic(TOPIC),
        "a second create returns the stored topic unchanged"
    );
    assert_eq!(store.topic(TOPIC).await.unwrap(), Some(topic(TOPIC)));
    assert!(store.delete_topic(TOPIC).await.unwrap());
    assert!(!store.delete_topic(TOPIC).await.unwrap());
    assert_eq!(store.topic(TOPIC).await.unwrap(), None);
}

pub async fn topic_attributes_and_tags<S: SnsStore + ?Sized>(store: Arc<S>) {
    store.create_topic(topic(TOPIC)).await.unwrap();
    assert!(
        store
            .set_topic_attribute(TOPIC, "Policy", Some("{}".into()))
            .await
            .unwrap()
    );
    assert!(
        store
            .set_topic_attribute(TOPIC, "DisplayName", None)
            .await
            .unwrap()
    );
    assert!(
        store
            .tag_topic(TOPIC, BTreeMap::from([("env".into(), "dev".into())]))
            .await
            .unwrap()
    );
    assert!(
        store
            .untag_topic(TOPIC, vec!["team".into(), "absent".into()])
            .await
            .unwrap()
    );
    let t = store.topic(TOPIC).await.unwrap().unwrap();
    assert_eq!(
        t.attributes,
        BTreeMap::from([("Policy".into(), "{}".into())])
    );
    assert_eq!(t.tags, BTreeMap::from([("env".into(), "dev".into())]));
    let missing = "arn:aws:sns:us-east-1:000000000000:none";
    assert!(!store.set_topic_attribute(missing, "A", None).await.unwrap());
    assert!(!store.tag_topic(missing, BTreeMap::new()).await.unwrap());
    assert!(!store.untag_topic(missing, Vec::new()).await.unwrap());
}

pub async fn subscribe_needs_a_topic_and_is_idempotent<S: SnsStore + ?Sized>(store: Arc<S>) {
    assert_eq!(
        store.subscribe(subscription(TOPIC, 1)).await.unwrap(),
        Subscribed::TopicNotFound
    );
    store.create_topic(topic(TOPIC)).await.unwrap();
    let first = subscribe(&store, subscription(TOPIC, 1)).await;
    let mut same_endpoint = subscription(TOPIC, 1);
    same_endpoint.arn = format!("{TOPIC}:other");
    assert_eq!(
        store.subscribe(same_endpoint).await.unwrap(),
        Subscribed::Existing(first.clone())
    );
    assert_eq!(
        store.subscription(&first.arn).await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(store.subscription_count(TOPIC).await.unwrap(), 1);
    assert!(store.unsubscribe(&first.arn).await.unwrap());
    assert!(!store.unsubscribe(&first.arn).await.unwrap());
    assert_eq!(store.subscription(&first.arn).await.unwrap(), None);
    assert_eq!(store.subscription_count(TOPIC).await.unwrap(), 0);
}

pub async fn subscription_attributes<S: SnsStore + ?Sized>(store: Arc<S>) {
    store.create_topic(topic(TOPIC)).await.unwrap();
    let sub = subscribe(&store, subscription(TOPIC, 1)).await;
    assert!(
        store
            .set_subscription_attribute(&sub.arn, "RawMessageDelivery", Some("true".into()))
            .await
            .unwrap()
    );
    let got = store.subscription(&sub.arn).await.unwrap().unwrap();
    assert_eq!(got.attributes["RawMessageDelivery"], "true");
    assert!(
        !store
            .set_subscription_attribute("arn:none", "RawMessageDelivery", None)
            .await
            .unwrap()
    );
}

pub async fn listings_page_in_creation_order<S: SnsStore + ?Sized>(store: Arc<S>) {
    let arns: Vec<String> = (0..5)
        .map(|i| format!("arn:aws:sns:us-east-1:000000000000:t{i}"))
        .collect();
    for arn in &arns {
        store.create_topic(topic(arn)).await.unwrap();
    }
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store.list_topics(after, 2).await.unwrap();
        assert!(page.items.len() <= 2);
        seen.extend(page.items.into_iter().map(|t| t.arn));
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    assert_eq!(seen, arns);
    let exact = store.list_topics(None, 5).await.unwrap();
    assert_eq!(
        (exact.items.len(), exact.next),
        (5, None),
        "no empty last page"
    );

    for n in 0..3 {
        subscribe(&store, subscription(&arns[0], n)).await;
        subscribe(&store, subscription(&arns[1], n)).await;
    }
    let first = store
        .list_subscriptions(Some(arns[1].clone()), None, 2)
        .await
        .unwrap();
    assert_eq!(first.items.len(), 2);
    assert!(first.items.iter().all(|s| s.topic_arn == arns[1]));
    let rest = store
        .list_subscriptions(Some(arns[1].clone()), first.next, 2)
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 1);
    assert_eq!(rest.next, None);
    let all = store.list_subscriptions(None, None, 100).await.unwrap();
    assert_eq!(all.items.len(), 6);
}

pub async fn deleting_a_topic_removes_its_subscriptions<S: SnsStore + ?Sized>(store: Arc<S>) {
    store.create_topic(topic(TOPIC)).await.unwrap();
    let sub = subscribe(&store, subscription(TOPIC, 1)).await;
    store.delete_topic(TOPIC).await.unwrap();
    assert_eq!(store.subscription(&sub.arn).await.unwrap(), None);
    // A topic created again under the same name starts without subscribers.
    store.create_topic(topic(TOPIC)).await.unwrap();
    assert_eq!(store.subscription_count(TOPIC).await.unwrap(), 0);
}

pub async fn publish_records_one_delivery_per_subscription(store: Arc<dyn Store>) {
    store.create_topic(topic(TOPIC)).await.unwrap();
    let other = "arn:aws:sns:us-east-1:000000000000:other";
    store.create_topic(topic(other)).await.unwrap();
    let mut subs = Vec::new();
    for n in 0..3 {
        subs.push(subscribe(&store, subscription(TOPIC, n)).await.arn);
    }
    subscribe(&store, subscription(other, 9)).await;
    let n = store
        .publish(TOPIC, vec![message("m1"), message("m2")], Timestamp(50))
        .await
        .unwrap();
    assert_eq!(n, Some(6));
    let claimed = store
        .claim_deliveries(Timestamp(50), 100, Timestamp(1000))
        .await
        .unwrap();
    assert_eq!(claimed.len(), 6);
    for id in ["m1", "m2"] {
        let mut targets: Vec<_> = claimed
            .iter()
            .filter(|d| d.source == id)
            .map(|d| d.target.clone())
            .collect();
        targets.sort();
        assert_eq!(
            targets, subs,
            "one delivery of {id} per subscription of the topic"
        );
    }
    for d in &claimed {
        assert_eq!(d.kind, DeliveryKind::Subscription);
        assert_eq!(
            d.body,
            d.source.as_bytes(),
            "a delivery refers to its message by id instead of copying it"
        );
        assert_eq!(d.attributes, MessageAttributes::new());
        assert_eq!(d.chain, 2, "deliveries continue the publisher's chain");
        assert_eq!(d.created_at, Timestamp(50));
    }
    for id in ["m1", "m2"] {
        assert_eq!(
            store.sns_message(id).await.unwrap(),
            Some(body(id)),
            "the message itself is stored once, under its id"
        );
    }
    assert_eq!(store.sns_message("absent").await.unwrap(), None);
}

/// A maximum-size message to many subscribers: one delivery each, every one a reference to the
/// single stored copy. Returns the message's size and the number of subscribers.
pub async fn large_fan_out_references_one_copy(store: Arc<dyn Store>) -> (usize, usize) {
    const SUBSCRIBERS: usize = 100;
    store.create_topic(topic(TOPIC)).await.unwrap();
    for n in 0..SUBSCRIBERS {
        subscribe(&store, subscription(TOPIC, n as u32)).await;
    }
    let big = vec![b'x'; 256 * 1024];
    let n = store
        .publish(
            TOPIC,
            vec![SnsMessage {
                message_id: "big".into(),
                body: big.clone(),
                chain: 0,
            }],
            Timestamp(50),
        )
        .await
        .unwrap();
    assert_eq!(n, Some(SUBSCRIBERS));
    let claimed = store
        .claim_deliveries(Timestamp(50), 1000, Timestamp(1000))
        .await
        .unwrap();
    assert_eq!(claimed.len(), SUBSCRIBERS);
    assert!(claimed.iter().all(|d| d.body == b"big"));
    assert_eq!(store.sns_message("big").await.unwrap(), Some(big.clone()));
    (big.len(), SUBSCRIBERS)
}

pub async fn publish_without_subscriptions_records_nothing(store: Arc<dyn Store>) {
    store.create_topic(topic(TOPIC)).await.unwrap();
    let n = store
        .publish(TOPIC, vec![message("m1")], Timestamp(50))
        .await
        .unwrap();
    assert_eq!(n, Some(0));
    assert_eq!(store.next_delivery_due().await.unwrap(), None);
    assert_eq!(
        store.sns_message("m1").await.unwrap(),
        None,
        "a message nobody is owed is not kept"
    );
}

pub async fn publish_to_missing_topic_records_nothing(store: Arc<dyn Store>) {
    let n = store
        .publish(TOPIC, vec![message("m1")], Timestamp(50))
        .await
        .unwrap();
    assert_eq!(n, None);
    assert_eq!(store.next_delivery_due().await.unwrap(), None);
    assert_eq!(store.sns_message("m1").await.unwrap(), None);
}

/// First half of the reopen test: a topic with two subscribers and one acknowledged publish.
pub async fn publish_to_two_subscribers<S: SnsStore + ?Sized>(store: Arc<S>) {
    store.create_topic(topic(TOPIC)).await.unwrap();
    subscribe(&store, subscription(TOPIC, 1)).await;
    subscribe(&store, subscription(TOPIC, 2)).await;
    let n = store
        .publish(TOPIC, vec![message("durable")], Timestamp(50))
        .await
        .unwrap();
    assert_eq!(n, Some(2));
}

/// Second half, against the reopened store: both deliveries are still owed.
pub async fn two_deliveries_are_pending(store: Arc<dyn Store>) {
    let claimed = store
        .claim_deliveries(Timestamp(60), 100, Timestamp(1000))
        .await
        .unwrap();
    assert_eq!(claimed.len(), 2, "acknowledged publish lost across reopen");
    assert!(claimed.iter().all(|d| d.source == "durable"));
    assert_eq!(
        store.sns_message("durable").await.unwrap(),
        Some(body("durable")),
        "the message committed with its deliveries"
    );
}

/// A published message goes once no delivery refers to it and it is older than the cutoff.
pub async fn prune_removes_sns_messages_once_delivered(store: Arc<dyn Store>) {
    use crate::DeliveryResult;
    store.create_topic(topic(TOPIC)).await.unwrap();
    subscribe(&store, subscription(TOPIC, 0)).await;
    store
        .publish(
            TOPIC,
            vec![message("old"), message("pending")],
            Timestamp(50),
        )
        .await
        .unwrap();
    let claimed = store
        .claim_deliveries(Timestamp(60), 10, Timestamp(1000))
        .await
        .unwrap();
    let done: Vec<_> = claimed
        .iter()
        .filter(|d| d.source == "old")
        .map(|d| (d.lease, DeliveryResult::Delivered))
        .collect();
    store
        .complete_deliveries(done, Timestamp(70))
        .await
        .unwrap();

    let pruned = store.prune(Timestamp(100), 10).await.unwrap();
    assert_eq!(
        (pruned.deliveries, pruned.sns_messages),
        (1, 1),
        "{pruned:?}"
    );
    assert_eq!(store.sns_message("old").await.unwrap(), None);
    assert_eq!(
        store.sns_message("pending").await.unwrap(),
        Some(body("pending")),
        "a message with a pending delivery stays, however old"
    );
    assert_eq!(store.deliveries("pending").await.unwrap().len(), 1);
}
