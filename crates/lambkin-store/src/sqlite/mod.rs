//! The embedded backend: one SQLite database (`queue.db`) in the data folder, WAL journal,
//! `synchronous=FULL`, and a single writer thread that group-commits every pending write.
//!
//! Why one writer: SQLite serialises writers anyway, and an fsync per event caps durable
//! throughput at a few thousand events/s. The writer drains everything queued while the
//! previous commit was flushing (enqueues, claims, completions, catalog changes) into one
//! transaction and one fsync, then answers each caller. Reads use a small pool of separate
//! connections and never wait for the writer (WAL readers see the last commit).

/// Runs conformance behaviours, each against a fresh store in a temporary folder; shared by
/// the tests of every `*_ops.rs` (defined before them so they can use it).
#[cfg(test)]
macro_rules! conformance_tests {
    ($module:path; $($name:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            use $module as behaviours;
            let dir = tempfile::tempdir().expect("tempdir");
            let store: std::sync::Arc<dyn crate::Store> = std::sync::Arc::new(
                crate::SqliteStore::open(dir.path()).expect("open store"),
            );
            behaviours::$name(store).await;
        }
    )*};
}

mod catalog_ops;
mod counts;
mod dynamodb_ops;
mod events_ops;
mod mapping_ops;
mod outbox_ops;
mod prune_ops;
mod queue_ops;
mod s3_ops;
mod schema;
mod sns_ops;
mod sqs_ops;
mod writer;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OpenFlags};

use crate::StoreError;
use counts::Counts;
use writer::Writer;

/// A value kept as a JSON column (configs, attribute and metadata maps).
fn to_json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Reads the JSON string map in `column` of the row of `table` whose `key_column` is `key`,
/// changes it with `change` and writes it back, inside the caller's write; false if there is
/// no such row. (A topic's tags and attributes, a subscription's attributes, a queue's tags.)
fn update_json_map(
    conn: &Connection,
    table: &str,
    key_column: &str,
    key: &str,
    column: &str,
    change: impl FnOnce(&mut std::collections::BTreeMap<String, String>),
) -> Result<bool, StoreError> {
    use rusqlite::{OptionalExtension, params};
    let current: Option<String> = conn
        .prepare_cached(&format!(
            "SELECT {column} FROM {table} WHERE {key_column} = ?1"
        ))?
        .query_row(params![key], |r| r.get(0))
        .optional()?;
    let Some(current) = current else {
        return Ok(false);
    };
    let mut map = from_json(&current)?;
    change(&mut map);
    conn.prepare_cached(&format!(
        "UPDATE {table} SET {column} = ?2 WHERE {key_column} = ?1"
    ))?
    .execute(params![key, to_json(&map)?])?;
    Ok(true)
}

#[derive(Debug, Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    writer: Writer,
    observer: writer::Observer,
    readers: Mutex<Vec<Connection>>,
    counts: Arc<Mutex<Counts>>,
    db_path: PathBuf,
    /// Held for the store's lifetime: a second server on the same folder fails to take it.
    _lock: File,
}

impl SqliteStore {
    /// Opens (creating if needed) the store in `dir`, refusing a folder another process holds.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        let open_err = |source| StoreError::Open {
            path: dir.display().to_string(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(open_err)?;
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join("lambkin.lock"))
            .map_err(open_err)?;
        if lock.try_lock().is_err() {
            return Err(StoreError::Locked {
                path: dir.display().to_string(),
            });
        }
        let db_path = dir.join("queue.db");
        let conn = Connection::open(&db_path)?;
        schema::configure_writer(&conn)?;
        schema::migrate(&conn)?;
        let counts = Arc::new(Mutex::new(Counts::load(&conn)?));
        let observer = writer::Observer::default();
        let writer = Writer::start(conn, counts.clone(), observer.clone())?;
        Ok(SqliteStore {
            inner: Arc::new(Inner {
                writer,
                observer,
                readers: Mutex::new(Vec::new()),
                counts,
                db_path,
                _lock: lock,
            }),
        })
    }

    /// Runs a read on a pooled read-only connection, off the async runtime.
    async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let pooled = inner.readers.lock().map_err(|_| StoreError::Closed)?.pop();
            let conn = match pooled {
                Some(c) => c,
                None => {
                    let c = Connection::open_with_flags(
                        &inner.db_path,
                        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                    )?;
                    c.busy_timeout(std::time::Duration::from_secs(5))?;
                    c
                }
            };
            let result = f(&conn);
            if let Ok(mut pool) = inner.readers.lock() {
                pool.push(conn);
            }
            result
        })
        .await
        .map_err(|_| StoreError::Closed)?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance;

    conformance_tests!(
        crate::conformance;
        enqueue_then_claim_in_due_order,
        claim_respects_due_time_and_limit,
        claim_keeps_within_each_functions_room,
        claim_shares_room_between_functions,
        extend_lease_keeps_a_claim,
        prune_removes_only_what_finished_before_the_cutoff,
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
        concurrent_prunes_count_each_row_once,
    );

    /// A claim reaches each function's due events through one index, never by walking
    /// another function's backlog.
    #[test]
    fn claims_use_the_per_function_due_index() {
        let dir = tempfile::tempdir().expect("tempdir");
        let _store = SqliteStore::open(dir.path()).expect("open");
        let conn = Connection::open(dir.path().join("queue.db")).expect("open db");
        let plan = |sql: &str, params: &[&dyn rusqlite::ToSql]| -> String {
            let mut stmt = conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .expect("explain");
            let rows = stmt
                .query_map(params, |r| r.get::<_, String>(3))
                .expect("plan");
            rows.map(|r| r.expect("row")).collect::<Vec<_>>().join("; ")
        };
        let heads = plan(queue_ops::HEAD_AFTER, &[&""]);
        assert!(
            heads.contains("USING COVERING INDEX events_due_by_function (function>?)"),
            "{heads}"
        );
        let due = plan(queue_ops::DUE_OF_FUNCTION, &[&"f", &5, &3]);
        assert!(
            due.starts_with("SEARCH events USING")
                && due.contains("INDEX events_due_by_function (function=? AND due_at"),
            "{due}"
        );
        assert!(!due.contains("TEMP B-TREE"), "no sort: {due}");
    }

    #[tokio::test]
    async fn second_open_of_same_folder_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let _first = SqliteStore::open(dir.path()).expect("first open");
        let second = SqliteStore::open(dir.path());
        assert!(
            matches!(second, Err(StoreError::Locked { .. })),
            "{second:?}"
        );
    }

    /// The in-memory counts must agree with a full recount after any mix of operations.
    #[tokio::test]
    async fn counts_match_a_recount_after_reopen() {
        let dir = tempfile::tempdir().expect("tempdir");
        let before = {
            let (store, _) = (SqliteStore::open(dir.path()).expect("open"), ());
            let s: Arc<dyn crate::Store> = Arc::new(store.clone());
            conformance::mixed_workload(s.clone()).await;
            s.stats().await.expect("stats")
        };
        let reopened = SqliteStore::open(dir.path()).expect("reopen");
        let recount = crate::Queue::stats(&reopened).await.expect("stats");
        assert_eq!(before, recount);
        assert!(
            before.succeeded > 0
                && before.failed > 0
                && before.queued > 0
                && before.retry_scheduled > 0
        );
    }

    /// A job that fails part-way leaves nothing behind (rows or counts); its batch-mates in
    /// the same transaction still commit.
    #[tokio::test]
    async fn a_failed_job_is_rolled_back_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(dir.path()).expect("open");
        // A first job holds the writer thread until both others are queued behind it, so the
        // two land in the next batch together.
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let (started, running) = tokio::sync::oneshot::channel::<()>();
        let holder = {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .inner
                    .writer
                    .write(move |_, _| {
                        let _ = started.send(());
                        hold.recv_timeout(std::time::Duration::from_secs(10))
                            .map_err(|_| StoreError::Corrupt("never released".into()))
                    })
                    .await
            })
        };
        running.await.expect("the holder runs");
        let write = |name: &'static str, fail: bool| {
            store.inner.writer.write(move |conn, counts| {
                conn.execute(
                    "INSERT INTO functions (name, config) VALUES (?1, '{}')",
                    [name],
                )?;
                counts.add("queued", 1);
                if fail {
                    return Err(StoreError::Corrupt("fails after its insert".into()));
                }
                Ok(())
            })
        };
        let failing = write("half-done", true);
        let kept = write("whole", false);
        // `biased`: polled top to bottom, so both jobs are sent before the holder is released.
        let (failed, kept, ()) = tokio::join!(biased; failing, kept, async {
            release.send(()).expect("writer waiting");
        });
        holder.await.expect("task").expect("holder");
        assert!(failed.is_err());
        kept.expect("the other job commits");
        let names: Vec<String> = store
            .read(|conn| {
                let mut stmt = conn.prepare("SELECT name FROM functions ORDER BY name")?;
                let rows = stmt.query_map([], |r| r.get(0))?;
                Ok(rows.collect::<Result<_, _>>()?)
            })
            .await
            .expect("read");
        assert_eq!(names, vec!["whole".to_string()]);
        let stats = crate::Queue::stats(&store).await.expect("stats");
        assert_eq!(stats.queued, 1, "only the committed job's count applies");
    }

    /// One completion of a batch that cannot be written leaves its event Running (to run
    /// again after its lease); the others of the batch are recorded.
    #[tokio::test]
    async fn a_failing_completion_does_not_take_its_batch_with_it() {
        use crate::{AttemptFinish, AttemptRecord, ClaimRequest, Queue};
        use lambkin_model::NextState;
        use lambkin_model::{EventState, OutcomeKind, Timestamp};
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(dir.path()).expect("open");
        let mut ids = Vec::new();
        for _ in 0..3 {
            let ev = conformance::new_event("f", 0);
            ids.push(ev.request_id.clone());
            store.enqueue(ev).await.expect("enqueue");
        }
        let claimed = store
            .claim(&ClaimRequest::any(Timestamp(1), 3, Timestamp(60_000)))
            .await
            .expect("claim")
            .events;
        // A stray attempt row makes the middle event's attempt insert violate its key.
        let blocked = claimed[1].seq;
        store
            .inner
            .writer
            .write(move |conn, _| {
                conn.execute(
                    "INSERT INTO attempts (event_id, n, started_at, ended_at, outcome)
                     VALUES (?1, 1, 0, 0, 'success')",
                    [blocked],
                )?;
                Ok(())
            })
            .await
            .expect("stray row");
        let finishes = claimed
            .iter()
            .map(|c| AttemptFinish {
                seq: c.seq,
                attempt: Some(AttemptRecord {
                    started_at: Timestamp(2),
                    ended_at: Timestamp(3),
                    outcome: OutcomeKind::Success,
                    error: None,
                }),
                next: NextState::Succeeded,
                invocations: 1,
                throttles: 0,
                response: None,
                function_error: None,
                decided_at: Timestamp(3),
                deliveries: Vec::new(),
            })
            .collect();
        store.finish_batch(finishes).await.expect("batch");
        let mut states = Vec::new();
        for id in &ids {
            states.push(store.event(id).await.expect("read").expect("kept").state);
        }
        assert_eq!(
            states,
            vec![
                EventState::Succeeded,
                EventState::Running,
                EventState::Succeeded
            ]
        );
        let stats = store.stats().await.expect("stats");
        assert_eq!((stats.succeeded, stats.running), (2, 1));
    }

    /// Delivery counts kept in memory agree with a recount after reopening.
    #[tokio::test]
    async fn delivery_counts_match_a_recount_after_reopen() {
        let dir = tempfile::tempdir().expect("tempdir");
        let before = {
            let store: Arc<dyn crate::Store> =
                Arc::new(SqliteStore::open(dir.path()).expect("open"));
            conformance::deliveries_complete_retry_and_fail(store.clone()).await;
            store.delivery_stats().await.expect("stats")
        };
        let reopened = SqliteStore::open(dir.path()).expect("reopen");
        let recount = crate::Outbox::delivery_stats(&reopened)
            .await
            .expect("stats");
        assert_eq!(before, recount);
        assert_eq!(
            (before.pending, before.delivered, before.dead_letter_errors),
            (0, 2, 1)
        );
    }

    #[tokio::test]
    async fn events_survive_reopen() {
        let dir = tempfile::tempdir().expect("tempdir");
        let id = {
            let store = SqliteStore::open(dir.path()).expect("open");
            let ev = conformance::new_event("f", 1);
            let id = ev.request_id.clone();
            crate::Queue::enqueue(&store, ev).await.expect("enqueue");
            id
        };
        // The first store (and its writer thread) is dropped; the lock is released with it.
        let store = SqliteStore::open(dir.path()).expect("reopen");
        let rec = crate::Queue::event(&store, &id).await.expect("read");
        assert!(rec.is_some(), "acknowledged event lost across reopen");
    }
}
