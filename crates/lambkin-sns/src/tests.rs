//! The service over a real SQLite store: publish fans out through the outbox, wakes the
//! deliverer, and each delivery renders for its subscription as it is now.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use lambkin_model::{ManualClock, MessageAttribute, MessageAttributes, Scope, Timestamp};
use lambkin_store::{Delivery, DeliveryKind, SqliteStore, Store, SubscriptionRecord};
use tokio::sync::Notify;

use crate::{BatchEntry, PublishRequest, Rendered, Sns};

struct Fixture {
    _dir: tempfile::TempDir,
    store: Arc<dyn Store>,
    owed: Arc<Notify>,
    sns: Sns,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let owed = Arc::new(Notify::new());
    let clock = Arc::new(ManualClock::new(Timestamp(1_546_433_107_000)));
    let sns = Sns::new(store.clone(), clock, Scope::default(), owed.clone());
    Fixture {
        _dir: dir,
        store,
        owed,
        sns,
    }
}

const QUEUE: &str = "arn:aws:sqs:us-east-1:000000000000:q";
const FUNCTION: &str = "arn:aws:lambda:us-east-1:000000000000:function:f";

async fn topic_with_two_subscribers(f: &Fixture) -> (String, String, String) {
    let topic = f.sns.create_topic("t", BTreeMap::new(), &[]).await.unwrap();
    let url = "http://127.0.0.1:4566";
    let sqs = f
        .sns
        .subscribe(&topic, "sqs", Some(QUEUE), BTreeMap::new(), url)
        .await
        .unwrap();
    let lambda = f
        .sns
        .subscribe(&topic, "lambda", Some(FUNCTION), BTreeMap::new(), url)
        .await
        .unwrap();
    (topic, sqs, lambda)
}

#[tokio::test]
async fn publish_is_durable_wakes_the_deliverer_and_renders_per_subscriber() {
    let f = fixture();
    let (topic, sqs, lambda) = topic_with_two_subscribers(&f).await;
    let id = f
        .sns
        .publish(PublishRequest {
            topic_arn: Some(topic.clone()),
            message: Some("hello".into()),
            subject: Some("s".into()),
            attributes: MessageAttributes::from([("k".into(), MessageAttribute::string("v"))]),
            ..PublishRequest::default()
        })
        .await
        .unwrap();
    tokio::time::timeout(Duration::from_secs(5), f.owed.notified())
        .await
        .expect("publish wakes the deliverer");
    let deliveries = f
        .store
        .claim_deliveries(
            Timestamp(2_000_000_000_000),
            10,
            Timestamp(3_000_000_000_000),
        )
        .await
        .unwrap();
    assert_eq!(deliveries.len(), 2);
    for d in &deliveries {
        assert_eq!(d.source, id);
        match f.sns.render(d).await.unwrap() {
            Rendered::Sqs {
                queue_arn, body, ..
            } => {
                assert_eq!(d.target, sqs);
                assert_eq!(queue_arn, QUEUE);
                let v: serde_json::Value = serde_json::from_str(&body).unwrap();
                assert_eq!(v["MessageId"], id.as_str());
                assert_eq!(v["Timestamp"], "2019-01-02T12:45:07.000Z");
                assert_eq!(v["MessageAttributes"]["k"]["Value"], "v");
            }
            Rendered::Lambda {
                function_arn,
                payload,
            } => {
                assert_eq!(d.target, lambda);
                assert_eq!(function_arn, FUNCTION);
                let v: serde_json::Value = serde_json::from_slice(&payload).unwrap();
                assert_eq!(v["Records"][0]["EventSubscriptionArn"], lambda.as_str());
                assert_eq!(v["Records"][0]["Sns"]["Subject"], "s");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    // A subscription removed after the publish has nothing left to receive.
    f.sns.unsubscribe(&sqs).await.unwrap();
    let d = deliveries.iter().find(|d| d.target == sqs).unwrap();
    assert_eq!(f.sns.render(d).await.unwrap(), Rendered::Gone);
}

#[tokio::test]
async fn publish_batch_commits_all_entries_or_none() {
    let f = fixture();
    let (topic, _, _) = topic_with_two_subscribers(&f).await;
    let entry = |id: &str, message: &str| BatchEntry {
        id: id.into(),
        message: Some(message.into()),
        ..BatchEntry::default()
    };
    // One invalid entry fails the whole batch with its own error, as on AWS.
    let err = f
        .sns
        .publish_batch(
            &topic,
            vec![entry("a", "one"), entry("b", ""), entry("c", "three")],
            0,
        )
        .await
        .unwrap_err();
    assert_eq!(
        (err.code(), err.to_string().as_str()),
        ("InvalidParameter", "Invalid parameter: Empty message")
    );
    assert_eq!(f.store.delivery_stats().await.unwrap().pending, 0);
    let outcome = f
        .sns
        .publish_batch(&topic, vec![entry("a", "one"), entry("c", "three")], 0)
        .await
        .unwrap();
    let ok: Vec<_> = outcome
        .successful
        .iter()
        .map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(ok, ["a", "c"]);
    let stats = f.store.delivery_stats().await.unwrap();
    assert_eq!(stats.pending, 4, "two messages to two subscribers");
}

#[tokio::test]
async fn publish_to_a_missing_topic_records_nothing() {
    let f = fixture();
    let err = f
        .sns
        .publish_to_arn(
            "arn:aws:sns:us-east-1:000000000000:none",
            "m".into(),
            None,
            MessageAttributes::new(),
            0,
        )
        .await
        .unwrap_err();
    assert_eq!(
        (err.code(), err.to_string().as_str()),
        ("NotFound", "Topic does not exist")
    );
    assert_eq!(f.store.delivery_stats().await.unwrap().pending, 0);
    assert!(
        !f.sns
            .topic_exists("arn:aws:sns:us-east-1:000000000000:none")
            .await
            .unwrap()
    );
}

/// A delivery as the deliverer would claim it, for a subscription and a message id.
fn delivery(target: &str, message_id: &str) -> Delivery {
    Delivery {
        id: 7,
        lease: lambkin_store::DeliveryLease {
            id: 7,
            until: Timestamp(60_000),
        },
        kind: DeliveryKind::Subscription,
        source: message_id.into(),
        target: target.into(),
        body: message_id.as_bytes().to_vec(),
        attributes: MessageAttributes::new(),
        chain: 0,
        retry: None,
        attempts: 0,
        created_at: Timestamp(0),
    }
}

#[tokio::test]
async fn a_delivery_whose_message_is_not_stored_fails_for_good() {
    let f = fixture();
    let (_, sqs, _) = topic_with_two_subscribers(&f).await;
    let err = f.sns.render(&delivery(&sqs, "lost")).await.unwrap_err();
    assert_eq!(
        (err.code(), err.to_string().as_str()),
        (
            "NotFound",
            "delivery 7 refers to SNS message lost, which is not stored"
        )
    );
    assert!(
        !err.is_transient(),
        "retrying cannot bring the message back"
    );
}

#[tokio::test]
async fn endpoints_in_another_region_or_account_are_refused_and_never_delivered() {
    let f = fixture();
    let (topic, _, _) = topic_with_two_subscribers(&f).await;
    let url = "http://127.0.0.1:4566";
    let foreign = [
        (
            "lambda",
            "arn:aws:lambda:eu-west-1:999999999999:function:f",
            "Invalid parameter: Lambda endpoint ARN Reason: lambkin delivers only to functions in its own region (us-east-1) and account (000000000000)",
        ),
        (
            "sqs",
            "arn:aws:sqs:eu-west-1:000000000000:q",
            "Invalid parameter: SQS endpoint ARN Reason: lambkin delivers only to queues in its own region (us-east-1) and account (000000000000)",
        ),
    ];
    for (protocol, endpoint, want) in foreign {
        let err = f
            .sns
            .subscribe(&topic, protocol, Some(endpoint), BTreeMap::new(), url)
            .await
            .unwrap_err();
        assert_eq!(
            (err.code(), err.to_string().as_str()),
            ("InvalidParameter", want)
        );
    }
    assert_eq!(f.store.subscription_count(&topic).await.unwrap(), 2);

    // A subscription stored before Subscribe refused such endpoints is not delivered to the
    // local function of the same name.
    let arn = format!("{topic}:old");
    f.store
        .subscribe(SubscriptionRecord {
            arn: arn.clone(),
            topic_arn: topic.clone(),
            protocol: "lambda".into(),
            endpoint: foreign[0].1.into(),
            attributes: BTreeMap::new(),
            service_url: url.into(),
            created_at: Timestamp(0),
        })
        .await
        .unwrap();
    let id = f
        .sns
        .publish_to_arn(&topic, "m".into(), None, MessageAttributes::new(), 0)
        .await
        .unwrap();
    let err = f.sns.render(&delivery(&arn, &id)).await.unwrap_err();
    assert_eq!(err.code(), "InvalidParameter");
    assert_eq!(
        err.to_string(),
        format!(
            "subscription {arn} cannot be delivered to arn:aws:lambda:eu-west-1:999999999999:function:f: lambkin delivers only to functions in its own region (us-east-1) and account (000000000000)"
        )
    );
    assert!(!err.is_transient());
}

#[tokio::test]
async fn subscribe_again_returns_the_arn_unless_attributes_differ() {
    let f = fixture();
    let (topic, sqs, _) = topic_with_two_subscribers(&f).await;
    let url = "http://127.0.0.1:4566";
    let again = |attributes: &[(&str, &str)]| {
        let attributes = attributes
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let (sns, topic) = (f.sns.clone(), topic.clone());
        async move {
            sns.subscribe(&topic, "sqs", Some(QUEUE), attributes, url)
                .await
        }
    };
    assert_eq!(again(&[]).await.unwrap(), sqs);
    assert_eq!(
        again(&[("RawMessageDelivery", "false")]).await.unwrap(),
        sqs,
        "the default agrees with a subscription that never set it"
    );
    let err = again(&[("RawMessageDelivery", "true")]).await.unwrap_err();
    assert_eq!(
        (err.code(), err.to_string().as_str()),
        (
            "InvalidParameter",
            "Invalid parameter: Attributes Reason: Subscription already exists with different attributes"
        )
    );
    let attributes = f.sns.get_subscription_attributes(&sqs).await.unwrap();
    assert_eq!(attributes["RawMessageDelivery"], "false", "nothing changed");
}

#[tokio::test]
async fn unsubscribe_is_idempotent() {
    let f = fixture();
    let (topic, sqs, lambda) = topic_with_two_subscribers(&f).await;
    f.sns.unsubscribe(&sqs).await.unwrap();
    f.sns.unsubscribe(&sqs).await.unwrap();
    f.sns
        .unsubscribe(&format!("{topic}:never-existed"))
        .await
        .unwrap();
    let err = f.sns.unsubscribe("nope").await.unwrap_err();
    assert_eq!(
        (err.code(), err.to_string().as_str()),
        (
            "InvalidParameter",
            "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1"
        )
    );
    let left = f.sns.list_subscriptions(None).await.unwrap();
    let left: Vec<_> = left.items.into_iter().map(|s| s.subscription_arn).collect();
    assert_eq!(left, [lambda]);
}

#[tokio::test]
async fn permissions_edit_the_topic_policy() {
    let f = fixture();
    let (topic, _, _) = topic_with_two_subscribers(&f).await;
    let strings = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    // Concurrent edits all land: each reads the policy the previous one wrote.
    let adds = (0..5).map(|i| {
        let (sns, topic) = (f.sns.clone(), topic.clone());
        let accounts = strings(&["111111111111"]);
        let actions = strings(&["Publish"]);
        async move {
            sns.add_permission(&topic, &format!("l{i}"), &accounts, &actions)
                .await
        }
    });
    for r in futures_join(adds).await {
        r.unwrap();
    }
    let policy = |attributes: std::collections::BTreeMap<String, String>| {
        serde_json::from_str::<serde_json::Value>(&attributes["Policy"]).unwrap()
    };
    let p = policy(f.sns.get_topic_attributes(&topic).await.unwrap());
    let sids: Vec<_> = p["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Sid"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(sids.len(), 6);
    assert_eq!(sids[0], "__default_statement_ID");
    for i in 0..5 {
        f.sns
            .remove_permission(&topic, &format!("l{i}"))
            .await
            .unwrap();
    }
    f.sns
        .remove_permission(&topic, "never-added")
        .await
        .unwrap();
    let p = policy(f.sns.get_topic_attributes(&topic).await.unwrap());
    assert_eq!(p["Statement"].as_array().unwrap().len(), 1);
    let err = f
        .sns
        .add_permission(
            "arn:aws:sns:us-east-1:000000000000:none",
            "l",
            &strings(&["1"]),
            &strings(&["Publish"]),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "NotFound");
}

#[tokio::test]
async fn a_policy_set_during_add_permission_is_not_lost() {
    let f = fixture();
    let (topic, _, _) = topic_with_two_subscribers(&f).await;
    for i in 0..20 {
        let set = {
            let (sns, topic) = (f.sns.clone(), topic.clone());
            let policy = serde_json::json!({
                "Version": "2008-10-17",
                "Statement": [{"Sid": format!("set-{i}"), "Effect": "Allow",
                    "Principal": {"AWS": "*"}, "Action": "SNS:Publish", "Resource": topic}],
            })
            .to_string();
            tokio::spawn(async move {
                sns.set_topic_attributes(&topic, "Policy", Some(policy))
                    .await
            })
        };
        let add = {
            let (sns, topic) = (f.sns.clone(), topic.clone());
            tokio::spawn(async move {
                let one = |s: &str| vec![s.to_string()];
                sns.add_permission(&topic, &format!("add-{i}"), &one("1"), &one("Publish"))
                    .await
            })
        };
        set.await.unwrap().unwrap();
        add.await.unwrap().unwrap();
        // Whichever ran first, the policy that was set survives: either it was written last,
        // or AddPermission read it and added to it.
        let attributes = f.sns.get_topic_attributes(&topic).await.unwrap();
        assert!(
            attributes["Policy"].contains(&format!("\"set-{i}\"")),
            "round {i}: {}",
            attributes["Policy"]
        );
    }
}

/// Runs the futures concurrently and returns their outputs in order.
async fn futures_join<F: std::future::Future + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}
