//! The SQS storage behaviour every backend must show, written against [`SqsStore`] only (so a
//! backend being built runs it before it has every part). Each function gets a fresh, empty
//! store.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use lambkin_model::{MessageAttribute, MessageAttributes, Timestamp};

use crate::{
    NewSqsMessage, SqsQueueCounts, SqsQueueRecord, SqsReceipt, SqsReceive, SqsRedrive, SqsStore,
    SqsVisibilityChange,
};

fn queue(name: &str) -> SqsQueueRecord {
    SqsQueueRecord {
        name: name.to_string(),
        attributes: BTreeMap::from([("VisibilityTimeout".to_string(), "30".to_string())]),
        tags: BTreeMap::new(),
        created_at: Timestamp(1_000),
        last_modified: Timestamp(1_000),
    }
}

fn message(id: &str, sent: i64, delay: i64) -> NewSqsMessage {
    NewSqsMessage {
        message_id: id.to_string(),
        body: format!("body of {id}"),
        attributes: MessageAttributes::from([("k".to_string(), MessageAttribute::string("v"))]),
        system_attributes: BTreeMap::from([("AWSTraceHeader".to_string(), format!("Root={id}"))]),
        sent_at: Timestamp(sent),
        visible_at: Timestamp(sent + delay),
    }
}

fn receive(queue: &str, now: i64, max: u32, receipt: &str) -> SqsReceive {
    SqsReceive {
        queue: queue.to_string(),
        now: Timestamp(now),
        max,
        invisible_until: Timestamp(now + 30_000),
        expire_before: Timestamp(0),
        redrive: None,
        receipt: receipt.to_string(),
    }
}

fn ids(messages: &[crate::SqsStoredMessage]) -> Vec<&str> {
    messages.iter().map(|m| m.message_id.as_str()).collect()
}

fn receipt(id: &str, receipt: &str) -> SqsReceipt {
    SqsReceipt {
        message_id: id.to_string(),
        receipt: receipt.to_string(),
    }
}

async fn create<S: SqsStore + ?Sized>(store: &Arc<S>, name: &str) {
    assert_eq!(store.sqs_create_queue(queue(name)).await.unwrap(), None);
}

pub async fn queue_crud<S: SqsStore + ?Sized + 'static>(store: Arc<S>) {
    create(&store, "q").await;
    let again = store.sqs_create_queue(queue("q")).await.unwrap();
    assert_eq!(
        again,
        Some(queue("q")),
        "second create returns the existing queue"
    );
    assert_eq!(store.sqs_queue("q").await.unwrap(), Some(queue("q")));
    assert_eq!(store.sqs_queue("other").await.unwrap(), None);

    let attrs = BTreeMap::from([("DelaySeconds".to_string(), "5".to_string())]);
    assert!(
        store
            .sqs_set_queue_attributes("q", attrs.clone(), Timestamp(2_000))
            .await
            .unwrap()
    );
    let q = store.sqs_queue("q").await.unwrap().unwrap();
    assert_eq!((q.attributes, q.last_modified), (attrs, Timestamp(2_000)));
    assert!(
        !store
            .sqs_set_queue_attributes("nope", BTreeMap::new(), Timestamp(2_000))
            .await
            .unwrap()
    );

    assert!(store.sqs_delete_queue("q").await.unwrap());
    assert!(!store.sqs_delete_queue("q").await.unwrap());
    assert_eq!(store.sqs_queue("q").await.unwrap(), None);
}

fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub async fn queue_tags<S: SqsStore + ?Sized + 'static>(store: Arc<S>) {
    let tagged = SqsQueueRecord {
        tags: tags(&[("team", "a"), ("env", "")]),
        ..queue("q")
    };
    assert_eq!(store.sqs_create_queue(tagged.clone()).await.unwrap(), None);
    let stored =
        |store: Arc<S>| async move { store.sqs_queue("q").await.unwrap().expect("queue").tags };
    assert_eq!(stored(store.clone()).await, tagged.tags);
    // A second create returns the queue as it is, tags included.
    let again = store.sqs_create_queue(queue("q")).await.unwrap();
    assert_eq!(again.map(|q| q.tags), Some(tagged.tags.clone()));

    // Tagging adds and overwrites; untagging ignores keys the queue does not have.
    let more = tags(&[("team", "b"), ("cost", "7")]);
    assert!(store.sqs_tag_queue("q", more).await.unwrap());
    assert_eq!(
        stored(store.clone()).await,
        tags(&[("cost", "7"), ("env", ""), ("team", "b")])
    );
    let keys = vec!["env".to_string(), "nope".to_string()];
    assert!(store.sqs_untag_queue("q", keys).await.unwrap());
    assert_eq!(
        stored(store.clone()).await,
        tags(&[("cost", "7"), ("team", "b")])
    );
    // Attributes and tags are kept apart.
    let attrs = BTreeMap::from([("DelaySeconds".to_string(), "5".to_string())]);
    assert!(
        store
            .sqs_set_queue_attributes("q", attrs, Timestamp(2_000))
            .await
            .unwrap()
    );
    assert_eq!(
        stored(store.clone()).await,
        tags(&[("cost", "7"), ("team", "b")])
    );

    assert!(
        !store
            .sqs_tag_queue("nope", tags(&[("k", "v")]))
            .await
            .unwrap()
    );
    assert!(
        !store
            .sqs_untag_queue("nope", vec!["k".into()])
            .await
            .unwrap()
    );
    assert_eq!(store.sqs_queue("nope").await.unwrap(), None);

    // A queue deleted and created again starts without the old tags.
    assert!(store.sqs_delete_queue("q").await.unwrap());
    create(&store, "q").await;
    assert!(stored(store.clone()).await.is_empty());
}

pub async fn list_queues_by_prefix_in_pages<S: SqsStore + ?Sized + 'static>(store: Arc<S>) {
    for name in ["b-2", "a-1", "b-1", "b-3", "c"] {
        create(&store, name).await;
    }
    let all = store.sqs_list_queues("", None, 100).await.unwrap();
    assert_eq!(all, ["a-1", "b-1", "b-2", "b-3", "c"]);
    let page = store.sqs_list_queues("b-", None, 2).await.unwrap();
    assert_eq!(page, ["b-1", "b-2"]);
    let next = store
        .sqs_list_queues("b-", Some("b-2".into()), 2)
        .await
        .unwrap();
    assert_eq!(next, ["b-3"]);
    // `_` and `%` are literal characters in a prefix, not patterns.
    assert!(
        store
            .sqs_list_queues("b_", None, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn send_then_receive_in_order_under_a_receipt<S: SqsStore + ?Sized + 'static>(
    store: Arc<S>,
) {
    create(&store, "q").await;
    let sent = vec![
        message("m1", 10, 0),
        message("m2", 11, 0),
        message("m3", 12, 0),
    ];
    assert!(store.sqs_send("q", sent).await.unwrap());
    let got = store.sqs_receive(receive("q", 100, 2, "r1")).await.unwrap();
    assert_eq!(ids(&got), ["m1", "m2"]);
    assert_eq!(got[0].body, "body of m1");
    assert_eq!(got[0].attributes["k"], MessageAttribute::string("v"));
    assert_eq!(got[0].system_attributes["AWSTraceHeader"], "Root=m1");
    assert_eq!(got[0].sent_at, Timestamp(10));
    assert_eq!(got[0].receive_count, 1);
    assert_eq!(got[0].first_received_at, Timestamp(100));
    let rest = store
        .sqs_receive(receive("q", 101, 10, "r2"))
        .await
        .unwrap();
    assert_eq!(ids(&rest), ["m3"]);
    let none = store
        .sqs_receive(receive("q", 102, 10, "r3"))
        .await
        .unwrap();
    assert!(none.is_empty(), "received messages are invisible");
}

pub async fn received_messages_reappear_after_their_visibility<S: SqsStore + ?Sized + 'static>(
    store: Arc<S>,
) {
    create(&store, "q").await;
    store
        .sqs_send("q", vec![message("m1", 10, 0)])
        .await
        .unwrap();
    store.sqs_receive(receive("q", 100, 1, "r1")).await.unwrap();
    assert_eq!(
        store.sqs_next_visible("q").await.unwrap(),
        Some(Timestamp(30_100))
    );
    let early = store
        .sqs_receive(receive("q", 30_099, 1, "r2"))
        .await
        .unwrap();
    assert!(early.is_empty());
    let again = store
        .sqs_receive(receive("q", 30_100, 1, "r3"))
        .await
        .unwrap();
    assert_eq!(ids(&again), ["m1"]);
    assert_eq!(again[0].receive_count, 2);
    assert_eq!(
        again[0].first_received_at,
        Timestamp(100),
        "first receive is kept"
    );
}

/// AWS deletes a message with any receipt handle it issued for it, an older one too.
pub async fn delete_takes_any_receipt_of_a_received_message<S: SqsStore + ?Sized + 'static>(
    store: Arc<S>,
) {
    create(&store, "q").await;
    create(&store, "other").await;
    store
        .sqs_send("q", vec![message("m1", 10, 0), message("m2", 11, 0)])
        .await
        .unwrap();
    let unreceived = store
        .sqs_delete_messages("q", vec![receipt("m2", "r0")])
        .await
        .unwrap();
    assert_eq!(
        unreceived,
        [false],
        "a message never received has no receipt"
    );
    store.sqs_receive(receive("q", 100, 1, "r1")).await.unwrap();
    store
        .sqs_receive(receive("q", 30_100, 1, "r2"))
        .await
        .unwrap();
    let wrong_queue = store
        .sqs_delete_messages("other", vec![receipt("m1", "r2")])
        .await;
    assert_eq!(wrong_queue.unwrap(), [false]);
    let stale = store
        .sqs_delete_messages("q", vec![receipt("m1", "r1"), receipt("m1", "r2")])
        .await
        .unwrap();
    assert_eq!(
        stale,
        [true, false],
        "the older receipt deletes; then nothing is left"
    );
    let rest = store
        .sqs_receive(receive("q", 99_999, 10, "r3"))
        .await
        .unwrap();
    assert_eq!(ids(&rest), ["m2"]);
}

pub async fn change_visibility_outcomes<S: SqsStore + ?Sized + 'static>(store: Arc<S>) {
    create(&store, "q").await;
    store
        .sqs_send("q", vec![message("m1", 10, 0)])
        .await
        .unwrap();
    store.sqs_receive(receive("q", 100, 1, "r1")).await.unwrap();
    let changes = vec![
        (receipt("m1", "r1"), Timestamp(200)),
        (receipt("m2", "r1"), Timestamp(200)),
    ];
    let outcomes = store
        .sqs_change_visibility("q", changes, Timestamp(150))
        .await
        .unwrap();
    assert_eq!(
        outcomes,
        [SqsVisibilityChange::Changed, SqsVisibilityChange::Unknown]
    );
    let back = store.sqs_receive(receive("q", 199, 1, "r2")).await.unwrap();
    assert!(back.is_empty());
    let late = store
        .sqs_change_visibility(
            "q",
            vec![(receipt("m1", "r1"), Timestamp(999))],
            Timestamp(250),
        )
        .await
        .unwrap();
    assert_eq!(late, [SqsVisibilityChange::NotInFlight]);
    let visible = store.sqs_receive(receive("q", 250, 1, "r3")).await.unwrap();
    assert_eq!(ids(&visible), ["m1"]);
    // Received again: only the latest receipt changes its visibility, so a consumer holding an
    // older handle cannot end or stretch the current consumer's lease.
    let stale_then_current = store
        .sqs_change_visibility(
            "q",
            vec![
                (receipt("m1", "r1"), Timestamp(260)),
                (receipt("m1", "r3"), Timestamp(400)),
            ],
            Timestamp(255),
        )
        .await
        .unwrap();
    assert_eq!(
        stale_then_current,
        [SqsVisibilityChange::Unknown, SqsVisibilityChange::Changed]
    );
    let hidden = store.sqs_receive(receive("q", 300, 1, "r4")).await.unwrap();
    assert!(
        hidden.is_empty(),
        "the stale change did not shorten the lease"
    );
}

pub async fn receive_drops_expired_messages<S: SqsStore + ?Sized + 'static>(store: Arc<S>) {
    create(&store, "q").await;
    let sent = vec![message("old", 10, 0), message("new", 500, 0)];
    store.sqs_send("q", sent).await.unwrap();
    let counts = store
        .sqs_counts("q", Timestamp(600), Timestamp(100))
        .await
        .unwrap();
    assert_eq!(counts.visible, 1, "expired messages are not counted");
    let mut r = receive("q", 600, 10, "r1");
    r.expire_before = Timestamp(100);
    assert_eq!(ids(&store.sqs_receive(r).await.unwrap()), ["new"]);
    let later = store
        .sqs_receive(receive("q", 99_999, 10, "r2"))
        .await
        .unwrap();
    assert_eq!(ids(&later), ["new"], "the expired message was deleted");
}

pub async fn receive_moves_over_received_messages_to_the_dead_letter_queue<
    S: SqsStore + ?Sized + 'static,
>(
    store: Arc<S>,
) {
    create(&store, "q").await;
    create(&store, "dlq").await;
    store
        .sqs_send("q", vec![message("m1", 10, 0)])
        .await
        .unwrap();
    let redrive = SqsRedrive {
        dead_letter_queue: "dlq".into(),
        max_receive_count: 2,
        source_arn: "arn:aws:sqs:us-east-1:000000000000:q".into(),
    };
    let at = |now: i64, r: &str| SqsReceive {
        redrive: Some(redrive.clone()),
        ..receive("q", now, 1, r)
    };
    assert_eq!(store.sqs_receive(at(100, "r1")).await.unwrap().len(), 1);
    assert_eq!(store.sqs_receive(at(40_000, "r2")).await.unwrap().len(), 1);
    let third = store.sqs_receive(at(80_000, "r3")).await.unwrap();
    assert!(
        third.is_empty(),
        "a third receive moves the message instead"
    );
    let moved = store
        .sqs_receive(receive("dlq", 80_001, 1, "r4"))
        .await
        .unwrap();
    assert_eq!(ids(&moved), ["m1"], "the message keeps its id");
    assert_eq!(moved[0].body, "body of m1");
    assert_eq!(moved[0].sent_at, Timestamp(10));
    assert_eq!(
        moved[0].dead_letter_source_arn,
        Some(redrive.source_arn.clone())
    );

    // Without a dead-letter queue to move to, the message stays and is received.
    store
        .sqs_send("q", vec![message("m2", 10, 0)])
        .await
        .unwrap();
    store.sqs_delete_queue("dlq").await.unwrap();
    for (n, now) in [100_000, 140_000, 180_000].into_iter().enumerate() {
        let got = store.sqs_receive(at(now, &format!("x{n}"))).await.unwrap();
        assert_eq!(ids(&got), ["m2"]);
    }
}

/// A receive that runs too long holds the single writer; these receives must end at once.
async fn receive_in_time<S: SqsStore + ?Sized>(
    store: &Arc<S>,
    r: SqsReceive,
) -> Vec<crate::SqsStoredMessage> {
    tokio::time::timeout(Duration::from_secs(5), store.sqs_receive(r))
        .await
        .expect("the receive ends")
        .unwrap()
}

fn redrive_to(dlq: &str, source: &str) -> SqsRedrive {
    SqsRedrive {
        dead_letter_queue: dlq.into(),
        max_receive_count: 1,
        source_arn: format!("arn:aws:sqs:us-east-1:000000000000:{source}"),
    }
}

pub async fn receive_never_moves_a_message_into_its_own_queue<S: SqsStore + ?Sized + 'static>(
    store: Arc<S>,
) {
    create(&store, "q").await;
    store
        .sqs_send("q", vec![message("m1", 10, 0), message("m2", 10, 0)])
        .await
        .unwrap();
    let at = |now: i64, max: u32, r: &str| SqsReceive {
        redrive: Some(redrive_to("q", "q")),
        ..receive("q", now, max, r)
    };
    assert_eq!(receive_in_time(&store, at(100, 2, "r1")).await.len(), 2);
    let again = receive_in_time(&store, at(40_000, 1, "r2")).await;
    assert_eq!(
        ids(&again),
        ["m1"],
        "over-received, but there is nowhere to move it"
    );
    assert_eq!(again[0].receive_count, 2);
    assert_eq!(
        ids(&receive_in_time(&store, at(40_001, 10, "r3")).await),
        ["m2"]
    );
}

pub async fn queues_that_redrive_into_each_other_pass_a_message_one_receive_at_a_time<
    S: SqsStore + ?Sized + 'static,
>(
    store: Arc<S>,
) {
    create(&store, "a").await;
    create(&store, "b").await;
    store
        .sqs_send("a", vec![message("m1", 10, 0)])
        .await
        .unwrap();
    let from = |q: &str, other: &str, now: i64, r: &str| SqsReceive {
        redrive: Some(redrive_to(other, q)),
        ..receive(q, now, 10, r)
    };
    assert_eq!(
        ids(&receive_in_time(&store, from("a", "b", 100, "r1")).await),
        ["m1"]
    );
    let moved = receive_in_time(&store, from("a", "b", 40_000, "r2")).await;
    assert!(moved.is_empty(), "over-received in a: moved to b");
    // In b it is over-received too, but it arrived by redrive: b hands it out first.
    let in_b = receive_in_time(&store, from("b", "a", 40_000, "r3")).await;
    assert_eq!(ids(&in_b), ["m1"]);
    assert_eq!(
        in_b[0].dead_letter_source_arn.as_deref(),
        Some("arn:aws:sqs:us-east-1:000000000000:a")
    );
    assert!(
        receive_in_time(&store, from("b", "a", 80_000, "r4"))
            .await
            .is_empty()
    );
    let back = receive_in_time(&store, from("a", "b", 80_000, "r5")).await;
    assert_eq!(ids(&back), ["m1"], "back in a after one receive in b");
    assert_eq!(back[0].receive_count, 3);
}

pub async fn counts_split_visible_in_flight_and_delayed<S: SqsStore + ?Sized + 'static>(
    store: Arc<S>,
) {
    create(&store, "q").await;
    let sent = vec![
        message("a", 10, 0),
        message("b", 10, 0),
        message("c", 10, 5_000),
    ];
    store.sqs_send("q", sent).await.unwrap();
    store.sqs_receive(receive("q", 100, 1, "r1")).await.unwrap();
    let counts = store
        .sqs_counts("q", Timestamp(100), Timestamp(0))
        .await
        .unwrap();
    assert_eq!(
        counts,
        SqsQueueCounts {
            visible: 1,
            not_visible: 1,
            delayed: 1
        }
    );
    assert_eq!(
        store.sqs_next_visible("q").await.unwrap(),
        Some(Timestamp(10)),
        "a message visible now is the earliest"
    );
    store.sqs_receive(receive("q", 100, 1, "r2")).await.unwrap();
    assert_eq!(
        store.sqs_next_visible("q").await.unwrap(),
        Some(Timestamp(5_010))
    );
    assert_eq!(store.sqs_next_visible("none").await.unwrap(), None);
    let empty = store.sqs_counts("none", Timestamp(100), Timestamp(0)).await;
    assert_eq!(empty.unwrap(), SqsQueueCounts::default());
}

pub async fn send_to_a_missing_queue_writes_nothing<S: SqsStore + ?Sized + 'static>(store: Arc<S>) {
    assert!(
        !store
            .sqs_send("nope", vec![message("m", 1, 0)])
            .await
            .unwrap()
    );
    create(&store, "nope").await;
    let got = store
        .sqs_receive(receive("nope", 100, 10, "r"))
        .await
        .unwrap();
    assert!(got.is_empty());
}

pub async fn purge_and_delete_queue_drop_messages<S: SqsStore + ?Sized + 'static>(store: Arc<S>) {
    create(&store, "q").await;
    let sent = vec![message("a", 10, 0), message("b", 10, 0)];
    store.sqs_send("q", sent).await.unwrap();
    assert_eq!(store.sqs_purge("q").await.unwrap(), 2);
    assert!(
        store
            .sqs_receive(receive("q", 100, 10, "r"))
            .await
            .unwrap()
            .is_empty()
    );

    store
        .sqs_send("q", vec![message("c", 10, 0)])
        .await
        .unwrap();
    store.sqs_delete_queue("q").await.unwrap();
    create(&store, "q").await;
    let got = store
        .sqs_receive(receive("q", 100, 10, "r2"))
        .await
        .unwrap();
    assert!(got.is_empty(), "a recreated queue starts empty");
}

/// First half of the durability check: run against a store that is then dropped.
pub async fn send_durable_messages<S: SqsStore + ?Sized + 'static>(store: Arc<S>) {
    create(&store, "q").await;
    let sent = (0..5)
        .map(|i| message(&format!("m{i}"), 10 + i, 0))
        .collect();
    assert!(store.sqs_send("q", sent).await.unwrap());
}

/// Second half: run against the same data reopened.
pub async fn durable_messages_are_there<S: SqsStore + ?Sized + 'static>(store: Arc<S>) {
    let got = store.sqs_receive(receive("q", 100, 10, "r")).await.unwrap();
    assert_eq!(ids(&got), ["m0", "m1", "m2", "m3", "m4"]);
}

/// Receives through several nodes at once never hand the same message to two receivers, and
/// between them hand out every one.
pub async fn concurrent_receives_never_share_a_message<S: SqsStore + ?Sized + 'static>(
    store: Arc<S>,
) {
    create(&store, "q").await;
    let sent = (0..200).map(|i| message(&format!("m{i}"), 10, 0)).collect();
    assert!(store.sqs_send("q", sent).await.unwrap());
    let start = Arc::new(tokio::sync::Barrier::new(8));
    let mut tasks = Vec::new();
    for t in 0..8 {
        let (store, start) = (store.clone(), start.clone());
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            let mut mine = Vec::new();
            // Empty only when every visible message is taken (a message another receive holds
            // is skipped, and that receive hands it out).
            for n in 0.. {
                let got = store
                    .sqs_receive(receive("q", 100, 10, &format!("r{t}-{n}")))
                    .await
                    .unwrap();
                if got.is_empty() {
                    break;
                }
                assert!(got.iter().all(|m| m.receive_count == 1), "received once");
                mine.extend(got.into_iter().map(|m| m.message_id));
            }
            mine
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let distinct: std::collections::HashSet<&String> = all.iter().collect();
    assert_eq!(distinct.len(), all.len(), "a message was handed out twice");
    assert_eq!(all.len(), 200, "every visible message is handed out");
}

/// With no visibility timeout a message stays visible as it is handed out; one receive still
/// hands out each message once, and the next receive gets it again.
pub async fn a_receive_hands_out_each_message_once_without_a_visibility_timeout<
    S: SqsStore + ?Sized + 'static,
>(
    store: Arc<S>,
) {
    create(&store, "q").await;
    store
        .sqs_send("q", vec![message("m1", 10, 0), message("m2", 10, 0)])
        .await
        .unwrap();
    let at_once = |r: &str| SqsReceive {
        invisible_until: Timestamp(100),
        ..receive("q", 100, 10, r)
    };
    let first = receive_in_time(&store, at_once("r1")).await;
    assert_eq!(ids(&first), ["m1", "m2"]);
    let again = receive_in_time(&store, at_once("r2")).await;
    assert_eq!(ids(&again), ["m1", "m2"]);
    assert!(again.iter().all(|m| m.receive_count == 2));
}

/// Tags written at once (through several nodes) are all kept: each write merges into the
/// queue's tags as they are when it applies.
pub async fn tags_written_at_once_are_all_kept<S: SqsStore + ?Sized + 'static>(store: Arc<S>) {
    create(&store, "q").await;
    let start = Arc::new(tokio::sync::Barrier::new(8));
    let mut tasks = Vec::new();
    for t in 0..8 {
        let (store, start) = (store.clone(), start.clone());
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            let key = format!("k{t}");
            assert!(
                store
                    .sqs_tag_queue("q", tags(&[(&key, "v")]))
                    .await
                    .unwrap()
            );
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let stored = store.sqs_queue("q").await.unwrap().expect("queue").tags;
    let keys: Vec<&str> = stored.keys().map(String::as_str).collect();
    assert_eq!(keys, ["k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"]);
}
