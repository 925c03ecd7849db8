//! The conformance behaviours on a real PostgreSQL: each test gets a fresh schema in a
//! database made for this test run (`LAMBKIN_TEST_POSTGRES`, default the local server's
//! `postgres` database with trust auth, as on this project's machines and CI).

use std::sync::Arc;

use lambkin_store::StoreError;
use tokio::sync::OnceCell;

use crate::PgStore;

fn admin_url() -> String {
    std::env::var("LAMBKIN_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// The database of this test run, made once per test process; databases of earlier runs
/// whose process is gone are dropped first, so they do not pile up.
async fn run_database() -> &'static str {
    static DB: OnceCell<String> = OnceCell::const_new();
    DB.get_or_init(|| async {
        let (client, conn) = tokio_postgres::connect(&admin_url(), tokio_postgres::NoTls)
            .await
            .expect("PostgreSQL is not reachable (set LAMBKIN_TEST_POSTGRES, or start it)");
        tokio::spawn(conn);
        let old = client
            .query(
                "SELECT datname FROM pg_database WHERE datname LIKE 'lambkin_test_%'",
                &[],
            )
            .await
            .expect("list databases");
        for row in old {
            let name: String = row.get(0);
            let pid = name.trim_start_matches("lambkin_test_");
            if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
                let _ = client
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await;
            }
        }
        let name = format!("lambkin_test_{}", std::process::id());
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create the test run's database");
        name
    })
    .await
}

/// A store on a fresh schema of the run's database.
pub(crate) async fn fresh() -> Arc<PgStore> {
    nodes(1).await.remove(0)
}

/// `n` stores (as `n` lambkin nodes would open) on one fresh schema.
pub(crate) async fn nodes(n: usize) -> Vec<Arc<PgStore>> {
    let config = fresh_schema().await;
    let mut stores = Vec::with_capacity(n);
    for _ in 0..n {
        stores.push(Arc::new(
            PgStore::with_config(config.clone())
                .await
                .expect("open store"),
        ));
    }
    stores
}

/// A fresh schema of the run's database, and the configuration that reaches it (a second
/// store on the same configuration stands for another node, or this one restarted).
pub(crate) async fn fresh_schema() -> tokio_postgres::Config {
    let database = run_database().await;
    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut config: tokio_postgres::Config = admin_url().parse().expect("URL");
    config.dbname(database);
    let (client, conn) = config
        .connect(tokio_postgres::NoTls)
        .await
        .expect("connect to the run's database");
    let task = tokio::spawn(conn);
    client
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .await
        .expect("create schema");
    drop(client);
    let _ = task.await;
    config.options(format!("-c search_path={schema}"));
    config
}

/// Runs conformance behaviours of `$module`, each against a store on a fresh schema.
macro_rules! conformance_tests {
    ($module:path; $($name:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            use $module as behaviours;
            behaviours::$name($crate::tests::fresh().await).await;
        }
    )*};
}

conformance_tests!(
    lambkin_store::conformance;
    enqueue_then_claim_in_due_order,
    claim_respects_due_time_and_limit,
    claim_keeps_within_each_functions_room,
    claim_shares_room_between_functions,
    extend_lease_keeps_a_claim,
    finish_moves_to_next_state_and_records_attempts,
    expired_lease_is_reclaimed_as_rerun,
    release_hands_events_back,
    recover_requeues_running_events,
    duplicate_request_id_is_rejected,
    events_lists_newest_first,
    discard_drops_unfinished_events,
    catalog_crud,
    versions_and_aliases,
    event_invoke_config_crud,
    concurrent_enqueues_are_all_durable,
    finishing_an_event_that_is_not_running_changes_nothing,
    finish_batch_records_every_event,
    final_state_records_its_deliveries,
    deliveries_complete_retry_and_fail,
    recover_makes_leased_deliveries_due,
    concurrent_delivery_claims_never_share_a_delivery,
    a_lease_answered_twice_in_one_batch_counts_once,
    prune_removes_only_what_finished_before_the_cutoff,
    concurrent_prunes_count_each_row_once,
);

mod events {

    conformance_tests!(
        lambkin_store::conformance::events;
        buses_are_created_once_and_deleted_with_their_rules,
        rules_keep_their_config_and_schedule,
        a_finished_schedule_is_removed,
        scheduler_groups_take_their_schedules_with_them,
    );
}

mod dynamodb {

    conformance_tests!(
        lambkin_store::conformance::dynamodb;
        tables_are_created_once_and_deleted_with_their_items,
        a_refused_write_changes_nothing,
        writes_see_the_items_they_replace,
        queries_read_one_partition_in_sort_key_order,
        indexes_follow_their_items,
        scans_page_through_every_item,
        expired_items_are_found_by_their_ttl,
        writes_across_tables_are_all_or_nothing,
    );
}

mod sns {

    conformance_tests!(
        lambkin_store::conformance::sns;
        topic_crud_is_idempotent,
        topic_attributes_and_tags,
        subscribe_needs_a_topic_and_is_idempotent,
        subscription_attributes,
        listings_page_in_creation_order,
        deleting_a_topic_removes_its_subscriptions,
        publish_to_two_subscribers,
    );
}

mod s3 {

    conformance_tests!(
        lambkin_store::conformance::s3;
        buckets_are_created_once_and_listed_by_name,
        a_bucket_with_objects_is_not_deleted,
        objects_replace_and_delete,
        listing_by_prefix_and_after_in_byte_order,
        objects_need_their_bucket,
        multipart_uploads_complete_and_abort,
    );
}

mod mappings {

    conformance_tests!(
        lambkin_store::conformance::mappings;
        mappings_put_replace_and_delete,
        mappings_are_listed_by_uuid,
    );
}

#[tokio::test]
async fn migrations_are_applied_once_and_a_newer_schema_is_refused() {
    let store = fresh().await;
    let client = store.client().await.expect("client");
    let applied: i64 = client
        .query_one("SELECT count(*) FROM lambkin_schema", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(applied, crate::SCHEMA_VERSION);
    // Migrating again (another node starting) applies nothing.
    let mut again = store.client().await.expect("client");
    crate::migrate::migrate(&mut again)
        .await
        .expect("migrate again");
    let applied: i64 = client
        .query_one("SELECT count(*) FROM lambkin_schema", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(applied, crate::SCHEMA_VERSION);
    // A newer lambkin migrated this database: this one refuses it, and says why.
    client
        .execute(
            "INSERT INTO lambkin_schema (version, name) VALUES ($1, 'from the future')",
            &[&(crate::SCHEMA_VERSION + 1)],
        )
        .await
        .expect("insert");
    let err = crate::migrate::migrate(&mut again)
        .await
        .expect_err("a newer schema is refused");
    assert!(
        matches!(err, StoreError::SchemaTooNew { found, known } if found == crate::SCHEMA_VERSION + 1 && known == crate::SCHEMA_VERSION),
        "{err:?}"
    );
    assert!(err.to_string().contains("upgrade lambkin"), "{err}");
}

#[tokio::test]
async fn an_unreachable_database_is_a_transient_error() {
    let err = PgStore::connect("postgres://postgres@127.0.0.1:1/postgres?connect_timeout=2")
        .await
        .expect_err("nothing listens on port 1");
    assert!(err.is_transient(), "{err:?}");
}

/// Two nodes claiming from one queue at once never take the same event, and together take
/// every due one (`FOR UPDATE SKIP LOCKED`).
#[tokio::test]
async fn nodes_claiming_at_once_share_the_queue_without_overlap() {
    use lambkin_model::Timestamp;
    use lambkin_store::{ClaimRequest, Queue, conformance::new_event};

    let stores = nodes(2).await;
    for i in 0..200 {
        stores[0]
            .enqueue(new_event(&format!("f{}", i % 4), i))
            .await
            .expect("enqueue");
    }
    let claim = |store: Arc<PgStore>| async move {
        let mut ids = Vec::new();
        loop {
            let got = store
                .claim(&ClaimRequest::any(Timestamp(1_000), 7, Timestamp(60_000)))
                .await
                .expect("claim");
            if got.events.is_empty() {
                return ids;
            }
            ids.extend(got.events.into_iter().map(|e| e.seq));
        }
    };
    let (a, b) = tokio::join!(
        tokio::spawn(claim(stores[0].clone())),
        tokio::spawn(claim(stores[1].clone()))
    );
    let (a, b) = (a.expect("node a"), b.expect("node b"));
    let mut all: Vec<i64> = a.iter().chain(&b).copied().collect();
    all.sort_unstable();
    let before = all.len();
    all.dedup();
    assert_eq!(before, all.len(), "an event was claimed twice");
    assert_eq!(all.len(), 200, "every due event was claimed");
}

/// Two nodes firing the same schedule at once: one firing, one set of deliveries.
#[tokio::test]
async fn a_schedule_fires_once_across_nodes() {
    use lambkin_model::Timestamp;
    use lambkin_store::{EventsStore, RuleRecord, ScheduleChange, ScheduleRecord};

    let stores = nodes(2).await;
    let key = "rule/default/tick".to_string();
    stores[0]
        .put_rule(
            RuleRecord {
                bus: "default".into(),
                name: "tick".into(),
                config: "{}".into(),
            },
            ScheduleChange::Set(ScheduleRecord {
                key: key.clone(),
                anchor: Timestamp(0),
                next_at: Timestamp(60_000),
            }),
        )
        .await
        .expect("put rule");
    let fire = |store: Arc<PgStore>, key: String| async move {
        store
            .fire_schedule(
                &key,
                Timestamp(60_000),
                Some(Timestamp(120_000)),
                Vec::new(),
                Timestamp(60_001),
            )
            .await
            .expect("fire")
    };
    let (a, b) = tokio::join!(
        tokio::spawn(fire(stores[0].clone(), key.clone())),
        tokio::spawn(fire(stores[1].clone(), key.clone()))
    );
    let fired = [a.expect("node a"), b.expect("node b")];
    assert_eq!(fired.iter().filter(|f| **f).count(), 1, "{fired:?}");
    let row = stores[1].schedule(&key).await.expect("read").expect("row");
    assert_eq!(row.next_at, Timestamp(120_000));
}

/// Conditional puts of one new item from two nodes at once (`attribute_not_exists`, as
/// Powertools' idempotency records use): exactly one wins, though the row did not exist to
/// lock.
#[tokio::test]
async fn a_conditional_put_of_a_new_key_wins_once_across_nodes() {
    use lambkin_model::Timestamp;
    use lambkin_store::{DynamoStore, ItemKey, ItemWrite, TableRecord};

    let stores = nodes(2).await;
    stores[0]
        .create_table(TableRecord {
            name: "idem".into(),
            description: "{}".into(),
            created_at: Timestamp(0),
        })
        .await
        .expect("create table");
    let put = |store: Arc<PgStore>, who: u8| async move {
        let key = ItemKey {
            pk: b"request-1".to_vec(),
            sk: Vec::new(),
        };
        store
            .write_items(
                "idem",
                vec![key],
                Box::new(move |old: Vec<Option<Vec<u8>>>| {
                    if old[0].is_some() {
                        return Err("ConditionalCheckFailed".into());
                    }
                    Ok(vec![ItemWrite::Put {
                        item: vec![who],
                        expires_at: None,
                        indexes: Vec::new(),
                    }])
                }),
            )
            .await
            .expect("store")
            .is_ok()
    };
    for round in 0..20u8 {
        let (a, b) = tokio::join!(
            tokio::spawn(put(stores[0].clone(), 1)),
            tokio::spawn(put(stores[1].clone(), 2))
        );
        let won = [a.expect("node a"), b.expect("node b")];
        assert_eq!(
            won.iter().filter(|w| **w).count(),
            1,
            "round {round}: {won:?}"
        );
        let winner: u8 = if won[0] { 1 } else { 2 };
        let item = stores[0]
            .get_items(
                "idem",
                vec![ItemKey {
                    pk: b"request-1".to_vec(),
                    sk: Vec::new(),
                }],
            )
            .await
            .expect("get");
        assert_eq!(
            item,
            vec![Some(vec![winner])],
            "the winner's item is stored"
        );
        // Remove it for the next round.
        stores[0]
            .write_items(
                "idem",
                vec![ItemKey {
                    pk: b"request-1".to_vec(),
                    sk: Vec::new(),
                }],
                Box::new(|_| Ok(vec![ItemWrite::Delete])),
            )
            .await
            .expect("store")
            .expect("delete");
    }
}

mod sqs {
    use crate::PgStore;
    use lambkin_store::conformance::sqs as conformance;

    conformance_tests!(
        lambkin_store::conformance::sqs;
        queue_crud,
        queue_tags,
        list_queues_by_prefix_in_pages,
        send_then_receive_in_order_under_a_receipt,
        received_messages_reappear_after_their_visibility,
        delete_takes_any_receipt_of_a_received_message,
        change_visibility_outcomes,
        receive_drops_expired_messages,
        receive_moves_over_received_messages_to_the_dead_letter_queue,
        receive_never_moves_a_message_into_its_own_queue,
        queues_that_redrive_into_each_other_pass_a_message_one_receive_at_a_time,
        counts_split_visible_in_flight_and_delayed,
        send_to_a_missing_queue_writes_nothing,
        purge_and_delete_queue_drop_messages,
        concurrent_receives_never_share_a_message,
        a_receive_hands_out_each_message_once_without_a_visibility_timeout,
        tags_written_at_once_are_all_kept,
    );

    /// A send acknowledged by one store is there for another on the same database (another
    /// node, or this one restarted).
    #[tokio::test]
    async fn messages_are_there_for_a_second_store() {
        let config = super::fresh_schema().await;
        let first = std::sync::Arc::new(PgStore::with_config(config.clone()).await.expect("open"));
        conformance::send_durable_messages(first).await;
        let second = std::sync::Arc::new(PgStore::with_config(config).await.expect("open"));
        conformance::durable_messages_are_there(second).await;
    }
}

/// The behaviours that need several parts at once (the outbox with the events, SNS or S3
/// stores, retention with SNS), now that every part is here: a whole `Store`.
mod whole {
    conformance_tests!(
        lambkin_store::conformance;
        mixed_workload,
    );

    mod events {
        conformance_tests!(
            lambkin_store::conformance::events;
            a_firing_happens_once,
            recorded_deliveries_are_claimable,
        );
    }

    mod s3 {
        conformance_tests!(
            lambkin_store::conformance::s3;
            notifications_commit_with_the_object_write,
        );
    }

    mod sns {
        conformance_tests!(
            lambkin_store::conformance::sns;
            publish_records_one_delivery_per_subscription,
            publish_without_subscriptions_records_nothing,
            publish_to_missing_topic_records_nothing,
            prune_removes_sns_messages_once_delivered,
        );

        /// A publish to many subscribers stores the body once; deliveries refer to it.
        #[tokio::test]
        async fn large_fan_out_references_one_copy() {
            let store = crate::tests::fresh().await;
            let (size, subscribers) =
                lambkin_store::conformance::sns::large_fan_out_references_one_copy(store.clone())
                    .await;
            let client = store.client().await.expect("client");
            let row = client
                .query_one(
                    "SELECT (SELECT sum(length(body)) FROM sns_messages)::bigint,
                            (SELECT count(*) FROM deliveries)::bigint,
                            (SELECT max(length(body)) FROM deliveries)::bigint",
                    &[],
                )
                .await
                .expect("measure");
            let (messages, deliveries, largest): (i64, i64, i64) =
                (row.get(0), row.get(1), row.get(2));
            assert_eq!(messages, size as i64, "one copy of the body");
            assert_eq!(deliveries, subscribers as i64);
            assert!(
                largest < 100,
                "deliveries hold a reference, not the body: {largest}"
            );
        }

        /// Acknowledged deliveries are there for another node (or this one restarted).
        #[tokio::test]
        async fn published_deliveries_are_there_for_a_second_store() {
            let config = crate::tests::fresh_schema().await;
            let first = std::sync::Arc::new(
                crate::PgStore::with_config(config.clone())
                    .await
                    .expect("open"),
            );
            lambkin_store::conformance::sns::publish_to_two_subscribers(first).await;
            let second: std::sync::Arc<dyn lambkin_store::Store> =
                std::sync::Arc::new(crate::PgStore::with_config(config).await.expect("open"));
            lambkin_store::conformance::sns::two_deliveries_are_pending(second).await;
        }
    }
}

/// Completions recorded while the database is unreachable are kept and committed once it is
/// back, instead of leaving their events Running until the lease runs out. The outage is made
/// on a database of this test's own, so no other test loses its sessions.
#[tokio::test]
async fn completions_wait_out_a_database_outage() {
    use lambkin_model::{NextState, OutcomeKind, Timestamp};
    use lambkin_store::{
        AttemptFinish, AttemptRecord, ClaimRequest, Queue, conformance::new_event,
    };

    let (admin, conn) = tokio_postgres::connect(&admin_url(), tokio_postgres::NoTls)
        .await
        .expect("admin");
    tokio::spawn(conn);
    let _ = run_database().await; // drops leftovers of finished runs first
    let name = format!("lambkin_test_{}_outage", std::process::id());
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .expect("drop a leftover");
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create database");
    let mut config: tokio_postgres::Config = admin_url().parse().expect("URL");
    config.dbname(&name);
    let store = PgStore::with_config(config).await.expect("open");
    for i in 0..3 {
        store.enqueue(new_event("f", i)).await.expect("enqueue");
    }
    let claimed = store
        .claim(&ClaimRequest::any(Timestamp(10), 10, Timestamp(60_000)))
        .await
        .expect("claim");
    assert_eq!(claimed.events.len(), 3);
    let finishes: Vec<AttemptFinish> = claimed
        .events
        .iter()
        .map(|e| AttemptFinish {
            seq: e.seq,
            attempt: Some(AttemptRecord {
                started_at: Timestamp(20),
                ended_at: Timestamp(30),
                outcome: OutcomeKind::Success,
                error: None,
            }),
            next: NextState::Succeeded,
            invocations: 1,
            throttles: 0,
            response: Some(b"{}".to_vec()),
            function_error: None,
            decided_at: Timestamp(30),
            deliveries: Vec::new(),
        })
        .collect();

    // The outage: sessions cut, new ones refused; it ends half a second later.
    admin
        .batch_execute(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"))
        .await
        .expect("refuse");
    admin
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
            &[&name],
        )
        .await
        .expect("cut");
    let reopen = {
        let name = name.clone();
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            admin
                .batch_execute(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
                .await
                .expect("allow");
            admin
        })
    };
    store
        .finish_batch(finishes)
        .await
        .expect("recorded once the database is back");
    let admin = reopen.await.expect("reopen");
    assert_eq!(store.stats().await.expect("stats").succeeded, 3);
    drop(store);
    let _ = admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await;
}

/// A node that stops beating has its running events taken over by a live node (as reruns)
/// within its heartbeat timeout; while it beats, nobody touches them, not even another node's
/// recovery; a node restarting under its own id recovers what it held.
#[tokio::test]
async fn a_dead_nodes_work_is_taken_over_and_a_live_nodes_is_not() {
    use std::time::{Duration, Instant};

    use lambkin_model::Timestamp;
    use lambkin_store::{ClaimRequest, Queue, conformance::new_event};

    let config = fresh_schema().await;
    let settings = |id: &str| crate::NodeSettings {
        id: id.into(),
        heartbeat_every: Duration::from_millis(100),
        dead_after: Duration::from_millis(800),
    };
    let a = PgStore::with_node(config.clone(), settings("a"))
        .await
        .expect("node a");
    let b = PgStore::with_node(config.clone(), settings("b"))
        .await
        .expect("node b");
    for i in 0..3 {
        a.enqueue(new_event("f", i)).await.expect("enqueue");
    }
    // Leases far in the future: only a takeover (or a's own recovery) frees them.
    let far = Timestamp(i64::MAX / 2);
    let now = || Timestamp(1_000);
    let held = a
        .claim(&ClaimRequest::any(now(), 10, far))
        .await
        .expect("a claims");
    assert_eq!(held.events.len(), 3);

    // a is alive: b's recovery and claims leave its events alone.
    assert_eq!(b.recover(now()).await.expect("recover"), 0);
    let nothing = b
        .claim(&ClaimRequest::any(now(), 10, far))
        .await
        .expect("b claims");
    assert!(nothing.events.is_empty());

    // a restarts under its own id (same owner): its recovery takes back what it held.
    let a2 = PgStore::with_node(config.clone(), settings("a"))
        .await
        .expect("node a again");
    drop(a);
    assert_eq!(a2.recover(now()).await.expect("recover"), 3);
    let held = a2
        .claim(&ClaimRequest::any(now(), 10, far))
        .await
        .expect("a claims again");
    assert_eq!(held.events.len(), 3);

    // a dies (stops beating): b takes its events over within the timeout.
    let died = Instant::now();
    drop(a2);
    let taken = loop {
        let got = b
            .claim(&ClaimRequest::any(now(), 10, far))
            .await
            .expect("b claims");
        if !got.events.is_empty() {
            break got;
        }
        assert!(
            died.elapsed() < Duration::from_secs(10),
            "a's work was not taken over"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let took = died.elapsed();
    assert_eq!(taken.events.len(), 3);
    assert!(taken.events.iter().all(|e| e.rerun), "taken over as reruns");
    assert!(
        took >= Duration::from_millis(700),
        "not before the node was silent for its timeout: {took:?}"
    );
    println!("takeover after {took:?} (heartbeat 100 ms, dead after 800 ms)");
}

/// Work one node writes wakes another within milliseconds (LISTEN/NOTIFY): events it queues
/// and deliveries it owes; a node is not woken by its own enqueues.
#[tokio::test]
async fn another_nodes_work_wakes_this_one() {
    use lambkin_model::{MessageAttributes, Timestamp};
    use lambkin_store::{
        DeliveryKind, EventsStore, NewDelivery, Queue, RemoteWork, conformance::new_event,
    };
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Debug, Default)]
    struct Count {
        events: AtomicUsize,
        deliveries: AtomicUsize,
        sqs: std::sync::Mutex<Vec<String>>,
    }
    impl RemoteWork for Count {
        fn events(&self) {
            self.events.fetch_add(1, Ordering::SeqCst);
        }
        fn deliveries(&self) {
            self.deliveries.fetch_add(1, Ordering::SeqCst);
        }
        fn sqs_sent(&self, queue: &str) {
            if let Ok(mut sent) = self.sqs.lock() {
                sent.push(queue.to_string());
            }
        }
    }
    let stores = nodes(2).await;
    let (a, b) = (&stores[0], &stores[1]);
    let (seen_by_a, seen_by_b) = (Arc::new(Count::default()), Arc::new(Count::default()));
    a.observe_remote_work(seen_by_a.clone());
    b.observe_remote_work(seen_by_b.clone());
    // Listeners start with their stores; wait until b hears a's enqueues.
    a.enqueue(new_event("f", 1)).await.expect("enqueue");
    let took = until("b woken for a's events", || {
        seen_by_b.events.load(Ordering::SeqCst) > 0
    })
    .await;
    println!("b woken {took:?} after a's enqueue committed");
    a.record_deliveries(
        vec![NewDelivery {
            kind: DeliveryKind::RuleTarget,
            source: "e-1".into(),
            target: "arn:aws:sqs:us-east-1:000000000000:q".into(),
            body: b"{}".to_vec(),
            attributes: MessageAttributes::new(),
            chain: 0,
            retry: None,
        }],
        Timestamp(1),
    )
    .await
    .expect("deliveries");
    until("b woken for a's deliveries", || {
        seen_by_b.deliveries.load(Ordering::SeqCst) > 0
    })
    .await;
    // An SQS send through a wakes long polls parked on b for that queue.
    lambkin_store::conformance::sqs::send_durable_messages(a.clone()).await;
    until("b woken for a's SQS send", || {
        seen_by_b
            .sqs
            .lock()
            .is_ok_and(|sent| sent.iter().any(|q| q == "q"))
    })
    .await;
    assert!(seen_by_a.sqs.lock().is_ok_and(|sent| sent.is_empty()));
    // a's own enqueues never woke a (b's enqueue does).
    assert_eq!(seen_by_a.events.load(Ordering::SeqCst), 0);
    b.enqueue(new_event("f", 2)).await.expect("enqueue");
    until("a woken for b's events", || {
        seen_by_a.events.load(Ordering::SeqCst) > 0
    })
    .await;
}

/// Waits for `done` with a deadline; how long it took.
async fn until(what: &str, done: impl Fn() -> bool) -> std::time::Duration {
    let started = std::time::Instant::now();
    while !done() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    started.elapsed()
}
