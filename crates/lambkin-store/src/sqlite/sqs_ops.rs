//! [`SqsStore`] on SQLite: the `sqs_queues` (attributes and tags as JSON) and `sqs_messages`
//! tables. Every mutation goes
//! through the group-commit writer, so an acknowledged send survives a crash; a receive is a
//! write too (it records the receipt and the new invisibility).

use std::collections::{BTreeMap, HashSet};

use async_trait::async_trait;
use lambkin_model::{MessageAttributes, Timestamp};
use rusqlite::{Connection, OptionalExtension, params};

use super::{SqliteStore, update_json_map};
use crate::{
    NewSqsMessage, SqsQueueCounts, SqsQueueRecord, SqsReceipt, SqsReceive, SqsStore,
    SqsStoredMessage, SqsVisibilityChange, StoreError,
};

pub(super) fn migrate(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "
        CREATE TABLE IF NOT EXISTS sqs_queues (
            name          TEXT PRIMARY KEY,
            attributes    TEXT NOT NULL,
            created_at    INTEGER NOT NULL,
            last_modified INTEGER NOT NULL,
            tags          TEXT NOT NULL DEFAULT '{}'
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS sqs_messages (
            seq               INTEGER PRIMARY KEY,
            queue             TEXT NOT NULL,
            message_id        TEXT NOT NULL,
            body              TEXT NOT NULL,
            attributes        TEXT NOT NULL,
            sent_at           INTEGER NOT NULL,
            visible_at        INTEGER NOT NULL,
            receive_count     INTEGER NOT NULL DEFAULT 0,
            first_received_at INTEGER,
            -- the receipt of the latest receive; NULL until received (and after a redrive)
            receipt           TEXT,
            dlq_source_arn    TEXT,
            system_attributes TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX IF NOT EXISTS sqs_messages_visible ON sqs_messages (queue, visible_at, seq);
        CREATE INDEX IF NOT EXISTS sqs_messages_by_id ON sqs_messages (message_id);
        ",
    )?;
    // Folders created before messages kept their system attributes.
    super::schema::add_column(
        conn,
        "sqs_messages",
        "system_attributes",
        "TEXT NOT NULL DEFAULT '{}'",
    )?;
    // Folders created before queues had tags: their queues have none.
    super::schema::add_column(conn, "sqs_queues", "tags", "TEXT NOT NULL DEFAULT '{}'")?;
    Ok(())
}

fn encode_map<T: serde::Serialize>(what: &str, value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

fn decode_map<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|_| StoreError::Corrupt(format!("{what} {text}")))
}

fn queue_exists(conn: &Connection, name: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM sqs_queues WHERE name = ?1")?
        .query_row(params![name], |_| Ok(()))
        .optional()?
        .is_some())
}

fn read_queue(conn: &Connection, name: &str) -> Result<Option<SqsQueueRecord>, StoreError> {
    let row = conn
        .prepare_cached(
            "SELECT attributes, created_at, last_modified, tags FROM sqs_queues WHERE name = ?1",
        )?
        .query_row(params![name], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
            ))
        })
        .optional()?;
    row.map(|(attributes, created, modified, tags)| {
        Ok(SqsQueueRecord {
            name: name.to_string(),
            attributes: decode_map("queue attributes", &attributes)?,
            tags: decode_map("queue tags", &tags)?,
            created_at: Timestamp(created),
            last_modified: Timestamp(modified),
        })
    })
    .transpose()
}

/// A visible candidate for a receive, before the receive decides what to do with it.
struct Candidate {
    seq: i64,
    message_id: String,
    body: String,
    attributes: String,
    sent_at: i64,
    receive_count: u32,
    first_received_at: Option<i64>,
    /// Received in this queue since it arrived (sent or moved here).
    received_here: bool,
    dlq_source_arn: Option<String>,
    system_attributes: String,
}

fn receive(conn: &Connection, r: &SqsReceive) -> Result<Vec<SqsStoredMessage>, StoreError> {
    // Moving into the receiving queue itself would make the row visible again at once.
    let redrive = match &r.redrive {
        Some(d) if d.dead_letter_queue != r.queue && queue_exists(conn, &d.dead_letter_queue)? => {
            Some(d)
        }
        _ => None,
    };
    let mut select = conn.prepare_cached(
        "SELECT seq, message_id, body, attributes, sent_at, receive_count, first_received_at,
             receipt IS NOT NULL, dlq_source_arn, system_attributes
         FROM sqs_messages WHERE queue = ?1 AND visible_at <= ?2 ORDER BY visible_at, seq LIMIT ?3",
    )?;
    let mut expire = conn.prepare_cached("DELETE FROM sqs_messages WHERE seq = ?1")?;
    let mut move_to_dlq = conn.prepare_cached(
        "UPDATE sqs_messages SET queue = ?2, visible_at = ?3, receipt = NULL, dlq_source_arn = ?4
         WHERE seq = ?1",
    )?;
    let mut hand_out = conn.prepare_cached(
        "UPDATE sqs_messages SET visible_at = ?2, receive_count = receive_count + 1,
             first_received_at = COALESCE(first_received_at, ?3), receipt = ?4
         WHERE seq = ?1",
    )?;
    let mut received = Vec::new();
    // Each row is examined at most once: every pass changes the rows it selects (expired,
    // moved away or handed out), and `seen` skips any that could still come back, so the loop
    // ends after at most one pass per row. Asking for `seen.len()` more rows than wanted keeps
    // a pass from being filled by rows already seen.
    let mut seen = HashSet::new();
    while received.len() < r.max as usize {
        let limit = r.max as usize - received.len() + seen.len();
        let batch: Vec<Candidate> = select
            .query_map(params![r.queue, r.now.0, limit as i64], |row| {
                Ok(Candidate {
                    seq: row.get(0)?,
                    message_id: row.get(1)?,
                    body: row.get(2)?,
                    attributes: row.get(3)?,
                    sent_at: row.get(4)?,
                    receive_count: row.get(5)?,
                    first_received_at: row.get(6)?,
                    received_here: row.get(7)?,
                    dlq_source_arn: row.get(8)?,
                    system_attributes: row.get(9)?,
                })
            })?
            .filter(|c| c.as_ref().map_or(true, |c| seen.insert(c.seq)))
            .collect::<Result<_, _>>()?;
        if batch.is_empty() {
            break;
        }
        for c in batch {
            if received.len() == r.max as usize {
                break;
            }
            if c.sent_at < r.expire_before.0 {
                expire.execute(params![c.seq])?;
                continue;
            }
            // A message that arrived by redrive is handed out once before it moves on, so
            // queues that redrive into each other pass it along one receive at a time.
            if let Some(d) = redrive
                && c.receive_count >= d.max_receive_count
                && c.received_here
            {
                move_to_dlq.execute(params![c.seq, d.dead_letter_queue, r.now.0, d.source_arn])?;
                continue;
            }
            hand_out.execute(params![c.seq, r.invisible_until.0, r.now.0, r.receipt])?;
            received.push(SqsStoredMessage {
                message_id: c.message_id,
                body: c.body,
                attributes: decode_map::<MessageAttributes>("message attributes", &c.attributes)?,
                system_attributes: decode_map("message system attributes", &c.system_attributes)?,
                sent_at: Timestamp(c.sent_at),
                receive_count: c.receive_count + 1,
                first_received_at: Timestamp(c.first_received_at.unwrap_or(r.now.0)),
                dead_letter_source_arn: c.dlq_source_arn,
            });
        }
    }
    Ok(received)
}

#[async_trait]
impl SqsStore for SqliteStore {
    async fn sqs_create_queue(
        &self,
        queue: SqsQueueRecord,
    ) -> Result<Option<SqsQueueRecord>, StoreError> {
        let attributes = encode_map("queue attributes", &queue.attributes)?;
        let tags = encode_map("queue tags", &queue.tags)?;
        self.inner
            .writer
            .write(move |conn, _| {
                if let Some(existing) = read_queue(conn, &queue.name)? {
                    return Ok(Some(existing));
                }
                conn.prepare_cached(
                    "INSERT INTO sqs_queues (name, attributes, created_at, last_modified, tags)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![
                    queue.name,
                    attributes,
                    queue.created_at.0,
                    queue.last_modified.0,
                    tags
                ])?;
                Ok(None)
            })
            .await
    }

    async fn sqs_queue(&self, name: &str) -> Result<Option<SqsQueueRecord>, StoreError> {
        let name = name.to_string();
        self.read(move |conn| read_queue(conn, &name)).await
    }

    async fn sqs_list_queues(
        &self,
        prefix: &str,
        after: Option<String>,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        let prefix = prefix.to_string();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT name FROM sqs_queues
                 WHERE substr(name, 1, length(?1)) = ?1 AND name > ?2 ORDER BY name LIMIT ?3",
            )?;
            let names = stmt
                .query_map(
                    params![prefix, after.unwrap_or_default(), limit as i64],
                    |r| r.get(0),
                )?
                .collect::<Result<_, _>>()?;
            Ok(names)
        })
        .await
    }

    async fn sqs_set_queue_attributes(
        &self,
        name: &str,
        attributes: BTreeMap<String, String>,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let name = name.to_string();
        let attributes = encode_map("queue attributes", &attributes)?;
        self.inner
            .writer
            .write(move |conn, _| {
                let n = conn
                    .prepare_cached(
                        "UPDATE sqs_queues SET attributes = ?2, last_modified = ?3 WHERE name = ?1",
                    )?
                    .execute(params![name, attributes, now.0])?;
                Ok(n == 1)
            })
            .await
    }

    async fn sqs_tag_queue(
        &self,
        name: &str,
        tags: BTreeMap<String, String>,
    ) -> Result<bool, StoreError> {
        let name = name.to_string();
        self.inner
            .writer
            .write(move |conn, _| {
                update_json_map(conn, "sqs_queues", "name", &name, "tags", |m| {
                    m.extend(tags)
                })
            })
            .await
    }

    async fn sqs_untag_queue(&self, name: &str, keys: Vec<String>) -> Result<bool, StoreError> {
        let name = name.to_string();
        self.inner
            .writer
            .write(move |conn, _| {
                update_json_map(conn, "sqs_queues", "name", &name, "tags", |m| {
                    for k in &keys {
                        m.remove(k);
                    }
                })
            })
            .await
    }

    async fn sqs_delete_queue(&self, name: &str) -> Result<bool, StoreError> {
        let name = name.to_string();
        self.inner
            .writer
            .write(move |conn, _| {
                conn.prepare_cached("DELETE FROM sqs_messages WHERE queue = ?1")?
                    .execute(params![name])?;
                let n = conn
                    .prepare_cached("DELETE FROM sqs_queues WHERE name = ?1")?
                    .execute(params![name])?;
                Ok(n == 1)
            })
            .await
    }

    async fn sqs_send(
        &self,
        queue: &str,
        messages: Vec<NewSqsMessage>,
    ) -> Result<bool, StoreError> {
        let queue = queue.to_string();
        let rows = messages
            .into_iter()
            .map(|m| {
                let attributes = encode_map("message attributes", &m.attributes)?;
                let system = encode_map("message system attributes", &m.system_attributes)?;
                Ok((attributes, system, m))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.inner
            .writer
            .write(move |conn, _| {
                if !queue_exists(conn, &queue)? {
                    return Ok(false);
                }
                let mut insert = conn.prepare_cached(
                    "INSERT INTO sqs_messages (queue, message_id, body, attributes, sent_at,
                         visible_at, system_attributes)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?;
                for (attributes, system, m) in rows {
                    insert.execute(params![
                        queue,
                        m.message_id,
                        m.body,
                        attributes,
                        m.sent_at.0,
                        m.visible_at.0,
                        system
                    ])?;
                }
                Ok(true)
            })
            .await
    }

    async fn sqs_receive(&self, r: SqsReceive) -> Result<Vec<SqsStoredMessage>, StoreError> {
        self.inner
            .writer
            .write(move |conn, _| receive(conn, &r))
            .await
    }

    async fn sqs_delete_messages(
        &self,
        queue: &str,
        receipts: Vec<SqsReceipt>,
    ) -> Result<Vec<bool>, StoreError> {
        let queue = queue.to_string();
        self.inner
            .writer
            .write(move |conn, _| {
                // Any receipt of the message will do (see `SqsReceipt`); only received messages
                // have one, so a message moved to a dead-letter queue needs a receipt from there.
                let mut delete = conn.prepare_cached(
                    "DELETE FROM sqs_messages
                     WHERE queue = ?1 AND message_id = ?2 AND receipt IS NOT NULL",
                )?;
                receipts
                    .iter()
                    .map(|r| Ok(delete.execute(params![queue, r.message_id])? > 0))
                    .collect()
            })
            .await
    }

    async fn sqs_change_visibility(
        &self,
        queue: &str,
        changes: Vec<(SqsReceipt, Timestamp)>,
        now: Timestamp,
    ) -> Result<Vec<SqsVisibilityChange>, StoreError> {
        let queue = queue.to_string();
        self.inner
            .writer
            .write(move |conn, _| {
                // Unlike a delete, a visibility change needs the latest receipt: an older
                // handle must not move the lease of whoever received the message since.
                let mut find = conn.prepare_cached(
                    "SELECT seq, visible_at FROM sqs_messages
                     WHERE queue = ?1 AND message_id = ?2 AND receipt = ?3",
                )?;
                let mut update =
                    conn.prepare_cached("UPDATE sqs_messages SET visible_at = ?2 WHERE seq = ?1")?;
                let mut outcomes = Vec::with_capacity(changes.len());
                for (r, until) in &changes {
                    let found = find
                        .query_row(params![queue, r.message_id, r.receipt], |row| {
                            Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?))
                        })
                        .optional()?;
                    outcomes.push(match found {
                        None => SqsVisibilityChange::Unknown,
                        Some((_, visible_at)) if visible_at <= now.0 => {
                            SqsVisibilityChange::NotInFlight
                        }
                        Some((seq, _)) => {
                            update.execute(params![seq, until.0])?;
                            SqsVisibilityChange::Changed
                        }
                    });
                }
                Ok(outcomes)
            })
            .await
    }

    async fn sqs_purge(&self, queue: &str) -> Result<u64, StoreError> {
        let queue = queue.to_string();
        self.inner
            .writer
            .write(move |conn, _| {
                let n = conn
                    .prepare_cached("DELETE FROM sqs_messages WHERE queue = ?1")?
                    .execute(params![queue])?;
                Ok(n as u64)
            })
            .await
    }

    async fn sqs_counts(
        &self,
        queue: &str,
        now: Timestamp,
        expire_before: Timestamp,
    ) -> Result<SqsQueueCounts, StoreError> {
        let queue = queue.to_string();
        self.read(move |conn| {
            let (visible, not_visible, delayed) = conn
                .prepare_cached(
                    "SELECT
                         COALESCE(SUM(visible_at <= ?2), 0),
                         COALESCE(SUM(visible_at > ?2 AND receive_count > 0), 0),
                         COALESCE(SUM(visible_at > ?2 AND receive_count = 0), 0)
                     FROM sqs_messages WHERE queue = ?1 AND sent_at >= ?3",
                )?
                .query_row(params![queue, now.0, expire_before.0], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, i64>(2)?,
                    ))
                })?;
            Ok(SqsQueueCounts {
                visible: visible as u64,
                not_visible: not_visible as u64,
                delayed: delayed as u64,
            })
        })
        .await
    }

    async fn sqs_next_visible(&self, queue: &str) -> Result<Option<Timestamp>, StoreError> {
        let queue = queue.to_string();
        self.read(move |conn| {
            let t: Option<i64> = conn
                .prepare_cached("SELECT MIN(visible_at) FROM sqs_messages WHERE queue = ?1")?
                .query_row(params![queue], |r| r.get(0))?;
            Ok(t.map(Timestamp))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::conformance::sqs as conformance;

    conformance_tests!(
        crate::conformance::sqs;
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

    /// A data folder made before queues had tags opens with its queues, untagged, and can tag
    /// them.
    #[tokio::test]
    async fn queues_of_a_folder_made_before_tags_open_untagged() {
        let dir = tempfile::tempdir().expect("tempdir");
        {
            let conn = Connection::open(dir.path().join("queue.db")).expect("db");
            conn.execute_batch(
                "CREATE TABLE sqs_queues (
                     name          TEXT PRIMARY KEY,
                     attributes    TEXT NOT NULL,
                     created_at    INTEGER NOT NULL,
                     last_modified INTEGER NOT NULL
                 ) WITHOUT ROWID;
                 INSERT INTO sqs_queues VALUES ('old', '{\"DelaySeconds\":\"5\"}', 1000, 2000);",
            )
            .expect("old schema");
        }
        let store = SqliteStore::open(dir.path()).expect("open");
        let old = store.sqs_queue("old").await.expect("read").expect("queue");
        assert_eq!(
            (old.attributes["DelaySeconds"].as_str(), old.tags.len()),
            ("5", 0)
        );
        let tags = BTreeMap::from([("k".to_string(), "v".to_string())]);
        assert!(store.sqs_tag_queue("old", tags.clone()).await.expect("tag"));
        let tagged = store.sqs_queue("old").await.expect("read").expect("queue");
        assert_eq!(tagged.tags, tags);
    }

    #[tokio::test]
    async fn messages_survive_reopen() {
        let dir = tempfile::tempdir().expect("tempdir");
        {
            let store: Arc<dyn crate::Store> =
                Arc::new(SqliteStore::open(dir.path()).expect("open"));
            conformance::send_durable_messages(store).await;
        }
        let store: Arc<dyn crate::Store> = Arc::new(SqliteStore::open(dir.path()).expect("reopen"));
        conformance::durable_messages_are_there(store).await;
    }
}
