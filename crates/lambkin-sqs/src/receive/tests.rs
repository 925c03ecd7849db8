//! Long polling against a real store with a [`ManualClock`]: who wakes a parked poller, and
//! that it is woken rather than left to its deadline. Parking is observed with
//! [`Sqs::parked_pollers`], never assumed after a sleep.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use lambkin_model::{ManualClock, Scope};
use lambkin_store::SqliteStore;
use tokio::task::JoinHandle;

use super::*;
use crate::OutgoingMessage;

/// Well under the pollers' 20 s wait: a poller left to its deadline fails the test.
const WOKEN_WITHIN: Duration = Duration::from_secs(5);

fn service() -> (tempfile::TempDir, Sqs, ManualClock) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let clock = ManualClock::new(Timestamp(1_700_000_000_000));
    let sqs = Sqs::new(store, Arc::new(clock.clone()), Scope::default());
    (dir, sqs, clock)
}

async fn queue(sqs: &Sqs) -> QueueName {
    sqs.create_queue("q", BTreeMap::new(), BTreeMap::new())
        .await
        .unwrap()
}

async fn send(sqs: &Sqs, q: &QueueName, body: &str) {
    let m = OutgoingMessage {
        body: body.to_string(),
        ..OutgoingMessage::default()
    };
    sqs.send_message(q, m).await.unwrap();
}

/// Receives now with this visibility timeout; returns the receipt handles.
async fn receive_now(sqs: &Sqs, q: &QueueName, visibility: i64) -> Vec<String> {
    let options = ReceiveOptions {
        visibility_timeout: Some(visibility),
        wait_time_seconds: Some(0),
        ..ReceiveOptions::default()
    };
    let got = sqs.receive_message(q, &options).await.unwrap();
    got.into_iter().map(|m| m.receipt_handle).collect()
}

/// Starts a 20-second long poll and returns once it is parked.
async fn parked_poller(sqs: &Sqs, q: &QueueName) -> JoinHandle<Vec<ReceivedMessage>> {
    let before = sqs.parked_pollers(q);
    let poller = {
        let (sqs, q) = (sqs.clone(), q.clone());
        tokio::spawn(async move {
            let options = ReceiveOptions {
                wait_time_seconds: Some(20),
                ..ReceiveOptions::default()
            };
            sqs.receive_message(&q, &options).await.unwrap()
        })
    };
    let deadline = Instant::now() + WOKEN_WITHIN;
    while sqs.parked_pollers(q) == before {
        assert!(Instant::now() < deadline, "the poller never parked");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    poller
}

async fn woken(poller: JoinHandle<Vec<ReceivedMessage>>) -> Vec<ReceivedMessage> {
    tokio::time::timeout(WOKEN_WITHIN, poller)
        .await
        .expect("the parked poller was woken, not left to its deadline")
        .unwrap()
}

#[tokio::test]
async fn a_send_wakes_a_parked_poller() {
    let (_dir, sqs, _) = service();
    let q = queue(&sqs).await;
    let poller = parked_poller(&sqs, &q).await;
    send(&sqs, &q, "wake").await;
    let got = woken(poller).await;
    assert_eq!(got[0].body, "wake");
    assert_eq!(sqs.parked_pollers(&q), 0);
}

#[tokio::test]
async fn shutdown_ends_parked_long_polls_and_later_ones_do_not_wait() {
    let (_dir, sqs, _) = service();
    let q = queue(&sqs).await;
    let poller = parked_poller(&sqs, &q).await;
    sqs.end_long_polls();
    assert!(woken(poller).await.is_empty());
    let options = ReceiveOptions {
        wait_time_seconds: Some(20),
        ..ReceiveOptions::default()
    };
    let later = tokio::time::timeout(WOKEN_WITHIN, sqs.receive_message(&q, &options))
        .await
        .expect("a receive after shutdown answers at once")
        .unwrap();
    assert!(later.is_empty());
}

#[tokio::test]
async fn one_message_wakes_one_poller_and_the_next_message_the_next() {
    let (_dir, sqs, _) = service();
    let q = queue(&sqs).await;
    let first = parked_poller(&sqs, &q).await;
    let second = parked_poller(&sqs, &q).await;
    send(&sqs, &q, "one").await;
    assert_eq!(woken(first).await[0].body, "one");
    send(&sqs, &q, "two").await;
    assert_eq!(woken(second).await[0].body, "two");
}

#[tokio::test]
async fn a_shorter_visibility_timeout_wakes_a_parked_poller() {
    let (_dir, sqs, clock) = service();
    let q = queue(&sqs).await;
    send(&sqs, &q, "m").await;
    let handles = receive_now(&sqs, &q, 30).await;
    // Its timer is set for the wait time (20 s), before the message's return (30 s).
    let poller = parked_poller(&sqs, &q).await;
    sqs.change_message_visibility(&q, &handles[0], 1)
        .await
        .unwrap();
    clock.advance(Duration::from_secs(1));
    assert_eq!(woken(poller).await[0].body, "m");
}

#[tokio::test]
async fn another_consumers_short_receive_wakes_a_parked_poller() {
    let (_dir, sqs, clock) = service();
    let q = queue(&sqs).await;
    send(&sqs, &q, "m").await;
    receive_now(&sqs, &q, 30).await;
    let poller = parked_poller(&sqs, &q).await;
    // Visible again, but the poller's timer still waits for the end of its wait time.
    clock.advance(Duration::from_secs(30));
    assert_eq!(receive_now(&sqs, &q, 1).await.len(), 1);
    clock.advance(Duration::from_secs(1));
    assert_eq!(woken(poller).await[0].body, "m");
}

#[tokio::test]
async fn deleting_the_queue_ends_its_long_polls() {
    let (_dir, sqs, _) = service();
    let q = queue(&sqs).await;
    let poller = {
        let (sqs, q) = (sqs.clone(), q.clone());
        tokio::spawn(async move {
            let options = ReceiveOptions {
                wait_time_seconds: Some(20),
                ..ReceiveOptions::default()
            };
            sqs.receive_message(&q, &options).await
        })
    };
    let deadline = Instant::now() + WOKEN_WITHIN;
    while sqs.parked_pollers(&q) == 0 {
        assert!(Instant::now() < deadline, "the poller never parked");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    sqs.delete_queue(&q).await.unwrap();
    let ended = tokio::time::timeout(WOKEN_WITHIN, poller).await.unwrap();
    assert!(matches!(ended.unwrap(), Err(SqsError::QueueDoesNotExist)));
}

#[test]
fn message_attribute_name_filters() {
    let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let cases: &[(&[&str], &str, bool)] = &[
        (&["All"], "x", true),
        // kombu's spelling, and any other case of `All`.
        (&["ALL"], "x", true),
        (&["all"], "x", true),
        (&["aLL"], "x", true),
        (&["Al"], "x", false),
        (&["All.*"], "x", false),
        (&["All.*"], "All.x", true),
        (&[".*"], "x", true),
        (&["x"], "x", true),
        (&["x"], "y", false),
        (&["*"], "x", true),
        (&["bar.*"], "bar.baz", true),
        // A string prefix, as AWS answers `Hel.*` with `Hello` and `Help.Me`.
        (&["Hel.*"], "Hello", true),
        (&["Hel.*"], "Help.Me", true),
        (&["Hel.*"], "General", false),
        (&["bar.*"], "ba", false),
        (&["AWS."], "AWS.x", false),
        (&["..foo"], "foo", false),
        (&[], "x", false),
    ];
    for (requested, name, want) in cases {
        assert_eq!(
            wants_message_attribute(&names(requested), name),
            *want,
            "{requested:?} {name}"
        );
    }
}

#[test]
fn system_attribute_names() {
    let stored = || SqsStoredMessage {
        message_id: "m".into(),
        body: "b".into(),
        attributes: MessageAttributes::new(),
        system_attributes: BTreeMap::new(),
        sent_at: Timestamp(1),
        receive_count: 1,
        first_received_at: Timestamp(2),
        dead_letter_source_arn: None,
    };
    let every = [
        "ApproximateFirstReceiveTimestamp",
        "ApproximateReceiveCount",
        "SenderId",
        "SentTimestamp",
    ];
    let cases: &[(&[&str], &[&str])] = &[
        (&["All"], &every),
        (&["ALL"], &every),
        (&["all"], &every),
        (&["SenderId"], &["SenderId"]),
        // Names SQS does not know (a queue attribute, a typo, a FIFO-only one) are ignored,
        // not refused, and do not spoil the names it knows.
        (
            &["SenderId", "VisibilityTimeout", "Nope", "SequenceNumber"],
            &["SenderId"],
        ),
        (&["senderid"], &[]),
        (&[], &[]),
    ];
    for (requested, want) in cases {
        let options = ReceiveOptions {
            attribute_names: requested.iter().map(|s| s.to_string()).collect(),
            ..ReceiveOptions::default()
        };
        let got = shape(stored(), "h".into(), &options, "000000000000");
        let names: Vec<&str> = got.system_attributes.keys().map(String::as_str).collect();
        assert_eq!(names, *want, "{requested:?}");
    }
}
