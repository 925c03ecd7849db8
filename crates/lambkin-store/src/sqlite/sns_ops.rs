//! [`SnsStore`] on SQLite: tables `sns_topics`, `sns_subscriptions` and `sns_messages`. A
//! publish stores each message once in `sns_messages` and inserts its outbox deliveries (each
//! naming the message by id) inside the same write, so an acknowledged message is owed to every
//! subscriber even across a crash. Message rows are kept as long as the deliveries that refer
//! to them (the outbox keeps finished deliveries for `inspect`).

use std::collections::BTreeMap;

use async_trait::async_trait;
use lambkin_model::{MessageAttributes, Timestamp};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::outbox_ops::insert_delivery;
use super::{SqliteStore, update_json_map};
use crate::{
    DeliveryKind, NewDelivery, Page, SnsMessage, SnsStore, StoreError, Subscribed,
    SubscriptionRecord, TopicRecord,
};

pub(super) fn migrate(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "
        CREATE TABLE IF NOT EXISTS sns_topics (
            id          INTEGER PRIMARY KEY,
            arn         TEXT NOT NULL UNIQUE,
            name        TEXT NOT NULL,
            attributes  TEXT NOT NULL,
            tags        TEXT NOT NULL,
            created_at  INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS sns_subscriptions (
            id           INTEGER PRIMARY KEY,
            arn          TEXT NOT NULL UNIQUE,
            topic_arn    TEXT NOT NULL,
            protocol     TEXT NOT NULL,
            endpoint     TEXT NOT NULL,
            attributes   TEXT NOT NULL,
            service_url  TEXT NOT NULL,
            created_at   INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS sns_subscriptions_by_topic
            ON sns_subscriptions (topic_arn, id);
        CREATE TABLE IF NOT EXISTS sns_messages (
            message_id  TEXT PRIMARY KEY,
            topic_arn   TEXT NOT NULL,
            body        BLOB NOT NULL,
            created_at  INTEGER NOT NULL
        );
        ",
    )?;
    Ok(())
}

fn to_json(map: &BTreeMap<String, String>) -> Result<String, StoreError> {
    serde_json::to_string(map).map_err(|e| StoreError::Corrupt(format!("sns map: {e}")))
}

fn from_json(text: &str) -> Result<BTreeMap<String, String>, StoreError> {
    serde_json::from_str(text).map_err(|_| StoreError::Corrupt(format!("sns map {text}")))
}

const TOPIC_COLUMNS: &str = "id, arn, name, attributes, tags, created_at";

fn topic_row(r: &Row<'_>) -> rusqlite::Result<(i64, String, String, String, String, i64)> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

fn topic_record(
    row: (i64, String, String, String, String, i64),
) -> Result<(i64, TopicRecord), StoreError> {
    let (id, arn, name, attributes, tags, created) = row;
    Ok((
        id,
        TopicRecord {
            arn,
            name,
            attributes: from_json(&attributes)?,
            tags: from_json(&tags)?,
            created_at: Timestamp(created),
        },
    ))
}

fn read_topic(conn: &Connection, arn: &str) -> Result<Option<TopicRecord>, StoreError> {
    let row = conn
        .prepare_cached(&format!(
            "SELECT {TOPIC_COLUMNS} FROM sns_topics WHERE arn = ?1"
        ))?
        .query_row(params![arn], topic_row)
        .optional()?;
    row.map(|r| topic_record(r).map(|(_, t)| t)).transpose()
}

const SUBSCRIPTION_COLUMNS: &str =
    "id, arn, topic_arn, protocol, endpoint, attributes, service_url, created_at";

type SubscriptionRow = (i64, String, String, String, String, String, String, i64);

fn subscription_row(r: &Row<'_>) -> rusqlite::Result<SubscriptionRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
    ))
}

fn subscription_record(row: SubscriptionRow) -> Result<(i64, SubscriptionRecord), StoreError> {
    let (id, arn, topic_arn, protocol, endpoint, attributes, service_url, created) = row;
    Ok((
        id,
        SubscriptionRecord {
            arn,
            topic_arn,
            protocol,
            endpoint,
            attributes: from_json(&attributes)?,
            service_url,
            created_at: Timestamp(created),
        },
    ))
}

fn set_or_remove(map: &mut BTreeMap<String, String>, name: String, value: Option<String>) {
    match value {
        Some(v) => map.insert(name, v),
        None => map.remove(&name),
    };
}

#[async_trait]
impl SnsStore for SqliteStore {
    async fn create_topic(&self, topic: TopicRecord) -> Result<TopicRecord, StoreError> {
        self.inner
            .writer
            .write(move |conn, _| {
                if let Some(existing) = read_topic(conn, &topic.arn)? {
                    return Ok(existing);
                }
                conn.prepare_cached(
                    "INSERT INTO sns_topics (arn, name, attributes, tags, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![
                    topic.arn,
                    topic.name,
                    to_json(&topic.attributes)?,
                    to_json(&topic.tags)?,
                    topic.created_at.0
                ])?;
                Ok(topic)
            })
            .await
    }

    async fn delete_topic(&self, arn: &str) -> Result<bool, StoreError> {
        let arn = arn.to_string();
        self.inner
            .writer
            .write(move |conn, _| {
                let n = conn
                    .prepare_cached("DELETE FROM sns_topics WHERE arn = ?1")?
                    .execute(params![arn])?;
                conn.prepare_cached("DELETE FROM sns_subscriptions WHERE topic_arn = ?1")?
                    .execute(params![arn])?;
                Ok(n > 0)
            })
            .await
    }

    async fn topic(&self, arn: &str) -> Result<Option<TopicRecord>, StoreError> {
        let arn = arn.to_string();
        self.read(move |conn| read_topic(conn, &arn)).await
    }

    async fn subscription_count(&self, topic_arn: &str) -> Result<u64, StoreError> {
        let arn = topic_arn.to_string();
        self.read(move |conn| {
            let n: i64 = conn
                .prepare_cached("SELECT count(*) FROM sns_subscriptions WHERE topic_arn = ?1")?
                .query_row(params![arn], |r| r.get(0))?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
        .await
    }

    async fn list_topics(
        &self,
        after: Option<i64>,
        limit: usize,
    ) -> Result<Page<TopicRecord>, StoreError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {TOPIC_COLUMNS} FROM sns_topics WHERE id > ?1 ORDER BY id LIMIT ?2"
            ))?;
            let rows = stmt
                .query_map(params![after.unwrap_or(0), limit as i64 + 1], topic_row)?
                .map(|r| topic_record(r?))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Page::from_rows(rows, limit))
        })
        .await
    }

    async fn set_topic_attribute(
        &self,
        arn: &str,
        name: &str,
        value: Option<String>,
    ) -> Result<bool, StoreError> {
        let (arn, name) = (arn.to_string(), name.to_string());
        self.inner
            .writer
            .write(move |conn, _| {
                update_json_map(conn, "sns_topics", "arn", &arn, "attributes", |m| {
                    set_or_remove(m, name, value)
                })
            })
            .await
    }

    async fn tag_topic(
        &self,
        arn: &str,
        tags: BTreeMap<String, String>,
    ) -> Result<bool, StoreError> {
        let arn = arn.to_string();
        self.inner
            .writer
            .write(move |conn, _| {
                update_json_map(conn, "sns_topics", "arn", &arn, "tags", |m| m.extend(tags))
            })
            .await
    }

    async fn untag_topic(&self, arn: &str, keys: Vec<String>) -> Result<bool, StoreError> {
        let arn = arn.to_string();
        self.inner
            .writer
            .write(move |conn, _| {
                update_json_map(conn, "sns_topics", "arn", &arn, "tags", |m| {
                    for k in &keys {
                        m.remove(k);
                    }
                })
            })
            .await
    }

    async fn subscribe(&self, sub: SubscriptionRecord) -> Result<Subscribed, StoreError> {
        self.inner
            .writer
            .write(move |conn, _| {
                if read_topic(conn, &sub.topic_arn)?.is_none() {
                    return Ok(Subscribed::TopicNotFound);
                }
                let existing = conn
                    .prepare_cached(&format!(
                        "SELECT {SUBSCRIPTION_COLUMNS} FROM sns_subscriptions
                         WHERE topic_arn = ?1 AND protocol = ?2 AND endpoint = ?3"
                    ))?
                    .query_row(
                        params![sub.topic_arn, sub.protocol, sub.endpoint],
                        subscription_row,
                    )
                    .optional()?;
                if let Some(row) = existing {
                    return Ok(Subscribed::Existing(subscription_record(row)?.1));
                }
                conn.prepare_cached(
                    "INSERT INTO sns_subscriptions (arn, topic_arn, protocol, endpoint,
                         attributes, service_url, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![
                    sub.arn,
                    sub.topic_arn,
                    sub.protocol,
                    sub.endpoint,
                    to_json(&sub.attributes)?,
                    sub.service_url,
                    sub.created_at.0
                ])?;
                Ok(Subscribed::Created(sub))
            })
            .await
    }

    async fn unsubscribe(&self, arn: &str) -> Result<bool, StoreError> {
        let arn = arn.to_string();
        self.inner
            .writer
            .write(move |conn, _| {
                let n = conn
                    .prepare_cached("DELETE FROM sns_subscriptions WHERE arn = ?1")?
                    .execute(params![arn])?;
                Ok(n > 0)
            })
            .await
    }

    async fn subscription(&self, arn: &str) -> Result<Option<SubscriptionRecord>, StoreError> {
        let arn = arn.to_string();
        self.read(move |conn| {
            let row = conn
                .prepare_cached(&format!(
                    "SELECT {SUBSCRIPTION_COLUMNS} FROM sns_subscriptions WHERE arn = ?1"
                ))?
                .query_row(params![arn], subscription_row)
                .optional()?;
            row.map(|r| subscription_record(r).map(|(_, s)| s))
                .transpose()
        })
        .await
    }

    async fn set_subscription_attribute(
        &self,
        arn: &str,
        name: &str,
        value: Option<String>,
    ) -> Result<bool, StoreError> {
        let (arn, name) = (arn.to_string(), name.to_string());
        self.inner
            .writer
            .write(move |conn, _| {
                update_json_map(conn, "sns_subscriptions", "arn", &arn, "attributes", |m| {
                    set_or_remove(m, name, value)
                })
            })
            .await
    }

    async fn list_subscriptions(
        &self,
        topic_arn: Option<String>,
        after: Option<i64>,
        limit: usize,
    ) -> Result<Page<SubscriptionRecord>, StoreError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {SUBSCRIPTION_COLUMNS} FROM sns_subscriptions
                 WHERE id > ?1 AND (?2 IS NULL OR topic_arn = ?2) ORDER BY id LIMIT ?3"
            ))?;
            let rows = stmt
                .query_map(
                    params![after.unwrap_or(0), topic_arn, limit as i64 + 1],
                    subscription_row,
                )?
                .map(|r| subscription_record(r?))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Page::from_rows(rows, limit))
        })
        .await
    }

    async fn publish(
        &self,
        topic_arn: &str,
        messages: Vec<SnsMessage>,
        now: Timestamp,
    ) -> Result<Option<usize>, StoreError> {
        let topic_arn = topic_arn.to_string();
        self.inner
            .writer
            .write(move |conn, counts| {
                if read_topic(conn, &topic_arn)?.is_none() {
                    return Ok(None);
                }
                let targets = conn
                    .prepare_cached(
                        "SELECT arn FROM sns_subscriptions WHERE topic_arn = ?1 ORDER BY id",
                    )?
                    .query_map(params![topic_arn], |r| r.get::<_, String>(0))?
                    .collect::<Result<Vec<_>, _>>()?;
                if targets.is_empty() {
                    return Ok(Some(0));
                }
                let mut store_message = conn.prepare_cached(
                    "INSERT INTO sns_messages (message_id, topic_arn, body, created_at)
                     VALUES (?1, ?2, ?3, ?4)",
                )?;
                for message in &messages {
                    store_message.execute(params![
                        message.message_id,
                        topic_arn,
                        message.body,
                        now.0
                    ])?;
                    for target in &targets {
                        let delivery = NewDelivery {
                            kind: DeliveryKind::Subscription,
                            source: message.message_id.clone(),
                            target: target.clone(),
                            body: message.message_id.as_bytes().to_vec(),
                            attributes: MessageAttributes::new(),
                            chain: message.chain,
                            retry: None,
                        };
                        insert_delivery(conn, counts, &delivery, now)?;
                    }
                }
                Ok(Some(messages.len() * targets.len()))
            })
            .await
    }

    async fn sns_message(&self, message_id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let message_id = message_id.to_string();
        self.read(move |conn| {
            let body = conn
                .prepare_cached("SELECT body FROM sns_messages WHERE message_id = ?1")?
                .query_row(params![message_id], |r| r.get(0))
                .optional()?;
            Ok(body)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::conformance::sns as conformance;

    conformance_tests!(
        crate::conformance::sns;
        topic_crud_is_idempotent,
        prune_removes_sns_messages_once_delivered,
        topic_attributes_and_tags,
        subscribe_needs_a_topic_and_is_idempotent,
        subscription_attributes,
        listings_page_in_creation_order,
        deleting_a_topic_removes_its_subscriptions,
        publish_records_one_delivery_per_subscription,
        publish_without_subscriptions_records_nothing,
        publish_to_missing_topic_records_nothing,
    );

    /// The reviewed failure: a 256 KiB publish to N subscribers wrote N copies of the body
    /// (and two of the attributes) in one transaction. Now the bytes on disk are one copy plus
    /// N short references.
    #[tokio::test]
    async fn a_large_fan_out_writes_the_body_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let sqlite = Arc::new(SqliteStore::open(dir.path()).expect("open store"));
        let (size, subscribers) =
            conformance::large_fan_out_references_one_copy(sqlite.clone()).await;
        let (messages, deliveries): (i64, i64) = sqlite
            .read(|conn| {
                Ok(conn.query_row(
                    "SELECT (SELECT sum(length(body)) FROM sns_messages),
                            (SELECT sum(length(body)) + sum(length(attributes)) FROM deliveries)",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?)
            })
            .await
            .expect("measure");
        assert_eq!(messages, size as i64);
        assert!(
            deliveries < 64 * subscribers as i64,
            "{deliveries} bytes of delivery bodies for {subscribers} subscribers"
        );
    }

    #[tokio::test]
    async fn published_deliveries_survive_reopen() {
        let dir = tempfile::tempdir().expect("tempdir");
        {
            let store: Arc<dyn crate::Store> =
                Arc::new(SqliteStore::open(dir.path()).expect("open"));
            conformance::publish_to_two_subscribers(store.clone()).await;
        }
        // The first store (and its writer thread) is dropped; the lock is released with it.
        let store: Arc<dyn crate::Store> = Arc::new(SqliteStore::open(dir.path()).expect("reopen"));
        conformance::two_deliveries_are_pending(store).await;
    }
}
