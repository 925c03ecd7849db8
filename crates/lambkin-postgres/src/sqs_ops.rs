//! [`SqsStore`] on PostgreSQL: the `sqs_queues` (attributes and tags as JSON) and
//! `sqs_messages` tables, with SQLite's semantics. Every write commits before it answers, so an
//! acknowledged send is durable. Several nodes serve one queue: a receive takes visible
//! messages with `FOR UPDATE SKIP LOCKED`, so two receives never hand out the same message and
//! neither waits on the other; sends and redrives hold the queue's row (`FOR KEY SHARE`) while
//! they write into it, so a queue deleted meanwhile never keeps their messages.
//!
//! Not here: long polling across nodes (a node parked on a queue learns of another node's
//! send on its next poll until `LISTEN/NOTIFY` lands, issue 16 §1).

use std::collections::{BTreeMap, HashMap, HashSet};

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use lambkin_model::{MessageAttributes, Timestamp};
use lambkin_store::{
    NewSqsMessage, SqsQueueCounts, SqsQueueRecord, SqsReceipt, SqsReceive, SqsStore,
    SqsStoredMessage, SqsVisibilityChange, StoreError,
};

use crate::PgStore;
use crate::error::db;

fn encode_map<T: serde::Serialize>(what: &str, value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

fn decode_map<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|_| StoreError::Corrupt(format!("{what} {text}")))
}

fn u32_of(v: i32) -> u32 {
    u32::try_from(v).unwrap_or(0)
}

async fn read_queue(
    client: &impl GenericClient,
    name: &str,
) -> Result<Option<SqsQueueRecord>, StoreError> {
    let row = client
        .query_opt(
            "SELECT attributes, created_at, last_modified, tags FROM sqs_queues WHERE name = $1",
            &[&name],
        )
        .await
        .map_err(db)?;
    row.map(|r| {
        Ok(SqsQueueRecord {
            name: name.to_string(),
            attributes: decode_map("queue attributes", r.get(0))?,
            tags: decode_map("queue tags", r.get(3))?,
            created_at: Timestamp(r.get(1)),
            last_modified: Timestamp(r.get(2)),
        })
    })
    .transpose()
}

/// Holds the queue's row until the caller's transaction ends, so the queue is not deleted
/// under a write into it; false if there is no such queue.
async fn hold_queue(client: &impl GenericClient, name: &str) -> Result<bool, StoreError> {
    Ok(client
        .query_opt(
            "SELECT 1 FROM sqs_queues WHERE name = $1 FOR KEY SHARE",
            &[&name],
        )
        .await
        .map_err(db)?
        .is_some())
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

async fn receive(
    tx: &deadpool_postgres::Transaction<'_>,
    r: &SqsReceive,
) -> Result<Vec<SqsStoredMessage>, StoreError> {
    // Moving into the receiving queue itself would make the row visible again at once.
    let redrive = match &r.redrive {
        Some(d)
            if d.dead_letter_queue != r.queue && hold_queue(tx, &d.dead_letter_queue).await? =>
        {
            Some(d)
        }
        _ => None,
    };
    let select = tx
        .prepare_cached(
            "SELECT seq, message_id, body, attributes, sent_at, receive_count, first_received_at,
                 receipt IS NOT NULL, dlq_source_arn, system_attributes
             FROM sqs_messages WHERE queue = $1 AND visible_at <= $2::bigint
             ORDER BY visible_at, seq LIMIT $3::bigint
             FOR UPDATE SKIP LOCKED",
        )
        .await
        .map_err(db)?;
    let max = r.max as usize;
    let mut received = Vec::new();
    // As on SQLite, each row is examined at most once: a pass changes the rows it uses
    // (expired, moved away or handed out), and `seen` skips any that could still come back
    // (a visibility of 0 hands a message out visible), so the loop ends after at most one pass
    // per row. Asking for `seen.len()` more rows than wanted keeps a pass from being filled by
    // rows already seen. Rows another receive holds are skipped, never waited for.
    let mut seen = HashSet::new();
    while received.len() < max {
        let limit = (max - received.len() + seen.len()) as i64;
        let rows = tx
            .query(&select, &[&r.queue, &r.now.0, &limit])
            .await
            .map_err(db)?;
        let batch: Vec<Candidate> = rows
            .iter()
            .map(|row| Candidate {
                seq: row.get(0),
                message_id: row.get(1),
                body: row.get(2),
                attributes: row.get(3),
                sent_at: row.get(4),
                receive_count: u32_of(row.get(5)),
                first_received_at: row.get(6),
                received_here: row.get(7),
                dlq_source_arn: row.get(8),
                system_attributes: row.get(9),
            })
            .filter(|c| seen.insert(c.seq))
            .collect();
        if batch.is_empty() {
            break;
        }
        let (mut expired, mut moved, mut handed_out) = (Vec::new(), Vec::new(), Vec::new());
        for c in batch {
            if received.len() == max {
                break;
            }
            if c.sent_at < r.expire_before.0 {
                expired.push(c.seq);
                continue;
            }
            // A message that arrived by redrive is handed out once before it moves on, so
            // queues that redrive into each other pass it along one receive at a time.
            if redrive.is_some_and(|d| c.receive_count >= d.max_receive_count && c.received_here) {
                moved.push(c.seq);
                continue;
            }
            handed_out.push(c.seq);
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
        if !expired.is_empty() {
            tx.execute("DELETE FROM sqs_messages WHERE seq = ANY($1)", &[&expired])
                .await
                .map_err(db)?;
        }
        if let (Some(d), false) = (redrive, moved.is_empty()) {
            tx.execute(
                "UPDATE sqs_messages SET queue = $2, visible_at = $3::bigint, receipt = NULL,
                     dlq_source_arn = $4
                 WHERE seq = ANY($1)",
                &[&moved, &d.dead_letter_queue, &r.now.0, &d.source_arn],
            )
            .await
            .map_err(db)?;
        }
        if !handed_out.is_empty() {
            tx.execute(
                "UPDATE sqs_messages SET visible_at = $2::bigint,
                     receive_count = receive_count + 1,
                     first_received_at = coalesce(first_received_at, $3::bigint), receipt = $4
                 WHERE seq = ANY($1)",
                &[&handed_out, &r.invisible_until.0, &r.now.0, &r.receipt],
            )
            .await
            .map_err(db)?;
        }
    }
    Ok(received)
}

#[async_trait]
impl SqsStore for PgStore {
    async fn sqs_create_queue(
        &self,
        queue: SqsQueueRecord,
    ) -> Result<Option<SqsQueueRecord>, StoreError> {
        let attributes = encode_map("queue attributes", &queue.attributes)?;
        let tags = encode_map("queue tags", &queue.tags)?;
        let client = self.client().await?;
        // Another node may create (or delete) the same name at the same moment: whichever
        // insert commits first wins, and the others answer with its queue.
        loop {
            let inserted = client
                .execute(
                    "INSERT INTO sqs_queues (name, attributes, created_at, last_modified, tags)
                     VALUES ($1, $2, $3::bigint, $4::bigint, $5)
                     ON CONFLICT (name) DO NOTHING",
                    &[
                        &queue.name,
                        &attributes,
                        &queue.created_at.0,
                        &queue.last_modified.0,
                        &tags,
                    ],
                )
                .await
                .map_err(db)?;
            if inserted == 1 {
                return Ok(None);
            }
            if let Some(existing) = read_queue(&client, &queue.name).await? {
                return Ok(Some(existing));
            }
        }
    }

    async fn sqs_queue(&self, name: &str) -> Result<Option<SqsQueueRecord>, StoreError> {
        read_queue(&self.client().await?, name).await
    }

    async fn sqs_list_queues(
        &self,
        prefix: &str,
        after: Option<String>,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        // Byte order, as SQLite sorts; `starts_with` takes `_` and `%` literally.
        let rows = self
            .client()
            .await?
            .query(
                "SELECT name FROM sqs_queues
                 WHERE starts_with(name, $1) AND name COLLATE \"C\" > $2
                 ORDER BY name COLLATE \"C\" LIMIT $3::bigint",
                &[&prefix, &after.unwrap_or_default(), &(limit as i64)],
            )
            .await
            .map_err(db)?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    async fn sqs_set_queue_attributes(
        &self,
        name: &str,
        attributes: BTreeMap<String, String>,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let attributes = encode_map("queue attributes", &attributes)?;
        let n = self
            .client()
            .await?
            .execute(
                "UPDATE sqs_queues SET attributes = $2, last_modified = $3::bigint
                 WHERE name = $1",
                &[&name, &attributes, &now.0],
            )
            .await
            .map_err(db)?;
        Ok(n == 1)
    }

    async fn sqs_tag_queue(
        &self,
        name: &str,
        tags: BTreeMap<String, String>,
    ) -> Result<bool, StoreError> {
        // Merged in one statement, so tags written through two nodes at once are both kept.
        let tags = encode_map("queue tags", &tags)?;
        let n = self
            .client()
            .await?
            .execute(
                "UPDATE sqs_queues SET tags = (tags::jsonb || $2::text::jsonb)::text
                 WHERE name = $1",
                &[&name, &tags],
            )
            .await
            .map_err(db)?;
        Ok(n == 1)
    }

    async fn sqs_untag_queue(&self, name: &str, keys: Vec<String>) -> Result<bool, StoreError> {
        let n = self
            .client()
            .await?
            .execute(
                "UPDATE sqs_queues SET tags = (tags::jsonb - $2::text[])::text WHERE name = $1",
                &[&name, &keys],
            )
            .await
            .map_err(db)?;
        Ok(n == 1)
    }

    async fn sqs_delete_queue(&self, name: &str) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        // The queue's row first: it waits for sends and redrives holding it, and once it is
        // gone no new one finds the queue, so the messages deleted next are all there are.
        let n = tx
            .execute("DELETE FROM sqs_queues WHERE name = $1", &[&name])
            .await
            .map_err(db)?;
        tx.execute("DELETE FROM sqs_messages WHERE queue = $1", &[&name])
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(n == 1)
    }

    async fn sqs_send(
        &self,
        queue: &str,
        messages: Vec<NewSqsMessage>,
    ) -> Result<bool, StoreError> {
        let mut ids = Vec::with_capacity(messages.len());
        let mut bodies = Vec::with_capacity(messages.len());
        let mut attributes = Vec::with_capacity(messages.len());
        let mut system = Vec::with_capacity(messages.len());
        let mut sent = Vec::with_capacity(messages.len());
        let mut visible = Vec::with_capacity(messages.len());
        for m in &messages {
            ids.push(m.message_id.as_str());
            bodies.push(m.body.as_str());
            attributes.push(encode_map("message attributes", &m.attributes)?);
            system.push(encode_map(
                "message system attributes",
                &m.system_attributes,
            )?);
            sent.push(m.sent_at.0);
            visible.push(m.visible_at.0);
        }
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        if !hold_queue(&tx, queue).await? {
            return Ok(false);
        }
        // One statement for the batch; `seq` follows the order sent.
        tx.execute(
            "INSERT INTO sqs_messages (queue, message_id, body, attributes, sent_at, visible_at,
                 system_attributes)
             SELECT $1, m, b, a, s, v, y
             FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[],
                         $7::text[]) WITH ORDINALITY AS u(m, b, a, s, v, y, n)
             ORDER BY n",
            &[&queue, &ids, &bodies, &attributes, &sent, &visible, &system],
        )
        .await
        .map_err(db)?;
        // Long polls parked on other nodes are told at commit (LISTEN/NOTIFY, `listen.rs`).
        tx.execute(
            "SELECT pg_notify('lambkin_sqs', $1 || chr(9) || $2)",
            &[&&*self.node, &queue],
        )
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(true)
    }

    async fn sqs_receive(&self, r: SqsReceive) -> Result<Vec<SqsStoredMessage>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let received = receive(&tx, &r).await?;
        tx.commit().await.map_err(db)?;
        Ok(received)
    }

    async fn sqs_delete_messages(
        &self,
        queue: &str,
        receipts: Vec<SqsReceipt>,
    ) -> Result<Vec<bool>, StoreError> {
        // Any receipt of the message will do (see `SqsReceipt`); only received messages have
        // one, so a message moved to a dead-letter queue needs a receipt from there. As on
        // SQLite, where entries delete one after another, an id named twice is deleted by its
        // first entry and the later ones find nothing.
        let mut first: HashMap<&str, usize> = HashMap::new();
        for (i, r) in receipts.iter().enumerate() {
            first.entry(r.message_id.as_str()).or_insert(i);
        }
        let ids: Vec<&str> = first.keys().copied().collect();
        let rows = self
            .client()
            .await?
            .query(
                "DELETE FROM sqs_messages
                 WHERE queue = $1 AND message_id = ANY($2) AND receipt IS NOT NULL
                 RETURNING message_id",
                &[&queue, &ids],
            )
            .await
            .map_err(db)?;
        let mut deleted = vec![false; receipts.len()];
        for r in &rows {
            if let Some(&i) = first.get(r.get::<_, &str>(0)) {
                deleted[i] = true;
            }
        }
        Ok(deleted)
    }

    async fn sqs_change_visibility(
        &self,
        queue: &str,
        changes: Vec<(SqsReceipt, Timestamp)>,
        now: Timestamp,
    ) -> Result<Vec<SqsVisibilityChange>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        // Unlike a delete, a visibility change needs the latest receipt: an older handle must
        // not move the lease of whoever received the message since. Entries apply in order
        // (one may make the message visible, and the next then finds it not in flight).
        let change = tx
            .prepare_cached(
                "WITH found AS (
                     SELECT seq, visible_at FROM sqs_messages
                     WHERE queue = $1 AND message_id = $2 AND receipt = $3
                     FOR UPDATE),
                 changed AS (
                     UPDATE sqs_messages m SET visible_at = $5::bigint FROM found
                     WHERE m.seq = found.seq AND found.visible_at > $4::bigint)
                 SELECT visible_at FROM found",
            )
            .await
            .map_err(db)?;
        let mut outcomes = Vec::with_capacity(changes.len());
        for (r, until) in &changes {
            let found = tx
                .query_opt(
                    &change,
                    &[&queue, &r.message_id, &r.receipt, &now.0, &until.0],
                )
                .await
                .map_err(db)?;
            outcomes.push(match found.map(|row| row.get::<_, i64>(0)) {
                None => SqsVisibilityChange::Unknown,
                Some(visible_at) if visible_at <= now.0 => SqsVisibilityChange::NotInFlight,
                Some(_) => SqsVisibilityChange::Changed,
            });
        }
        tx.commit().await.map_err(db)?;
        Ok(outcomes)
    }

    async fn sqs_purge(&self, queue: &str) -> Result<u64, StoreError> {
        self.client()
            .await?
            .execute("DELETE FROM sqs_messages WHERE queue = $1", &[&queue])
            .await
            .map_err(db)
    }

    async fn sqs_counts(
        &self,
        queue: &str,
        now: Timestamp,
        expire_before: Timestamp,
    ) -> Result<SqsQueueCounts, StoreError> {
        let r = self
            .client()
            .await?
            .query_one(
                "SELECT count(*) FILTER (WHERE visible_at <= $2::bigint),
                        count(*) FILTER (WHERE visible_at > $2::bigint AND receive_count > 0),
                        count(*) FILTER (WHERE visible_at > $2::bigint AND receive_count = 0)
                 FROM sqs_messages WHERE queue = $1 AND sent_at >= $3::bigint",
                &[&queue, &now.0, &expire_before.0],
            )
            .await
            .map_err(db)?;
        let n = |i: usize| u64::try_from(r.get::<_, i64>(i)).unwrap_or(0);
        Ok(SqsQueueCounts {
            visible: n(0),
            not_visible: n(1),
            delayed: n(2),
        })
    }

    async fn sqs_next_visible(&self, queue: &str) -> Result<Option<Timestamp>, StoreError> {
        let row = self
            .client()
            .await?
            .query_one(
                "SELECT min(visible_at) FROM sqs_messages WHERE queue = $1",
                &[&queue],
            )
            .await
            .map_err(db)?;
        Ok(row.get::<_, Option<i64>>(0).map(Timestamp))
    }
}
