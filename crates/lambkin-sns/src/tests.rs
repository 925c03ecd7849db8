//! The service over a real SQLite store: publish fans out through the outbox, wakes the
//! deliverer, and each delivery renders for its subscription as it is now.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use lambkin_model::{ManualClock, MessageAttribute, MessageAttributes, Scope, Timestamp};
use lambkin_store::{SqliteStore, Store};
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
    let topic = f
        .sns
        .create_topic("t", BTreeMap::new(), BTreeMap::new())
        .await
        .unwrap();
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
async fn publish_batch_publishes_valid_entries_and_reports_the_rest() {
    let f = fixture();
    let (topic, _, _) = topic_with_two_subscribers(&f).await;
    let entry = |id: &str, message: &str| BatchEntry {
        id: id.into(),
        message: Some(message.into()),
        ..BatchEntry::default()
    };
    let outcome = f
        .sns
        .publish_batch(
            &topic,
            vec![entry("a", "one"), entry("b", ""), entry("c", "three")],
        )
        .await
        .unwrap();
    let ok: Vec<_> = outcome
        .successful
        .iter()
        .map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(ok, ["a", "c"]);
    assert_eq!(outcome.failed.len(), 1);
    assert_eq!(outcome.failed[0].id, "b");
    assert_eq!(outcome.failed[0].code, "InvalidParameter");
    assert_eq!(
        outcome.failed[0].message,
        "Invalid parameter: Empty message"
    );
    assert!(outcome.failed[0].sender_fault);
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
