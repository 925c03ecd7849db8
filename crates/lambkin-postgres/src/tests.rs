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
    let config = fresh_schema().await;
    Arc::new(PgStore::with_config(config).await.expect("open store"))
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
