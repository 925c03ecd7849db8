//! [`SnsStore`] on PostgreSQL: `sns_topics`, `sns_subscriptions` and `sns_messages`, as on
//! SQLite. A publish locks the topic row (so it cannot be deleted meanwhile), stores each
//! message once and inserts one outbox delivery per subscription with one statement per
//! message, all in one commit.

use std::collections::BTreeMap;

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use lambkin_model::Timestamp;
use lambkin_store::{
    DeliveryKind, Page, SnsMessage, SnsStore, StoreError, Subscribed, SubscriptionRecord,
    TopicRecord,
};

use crate::error::db;
use crate::{PgStore, from_json, to_json};

const TOPIC_COLUMNS: &str = "id, arn, name, attributes, tags, created_at";
const SUBSCRIPTION_COLUMNS: &str =
    "id, arn, topic_arn, protocol, endpoint, attributes, service_url, created_at";

fn topic(r: &tokio_postgres::Row) -> Result<(i64, TopicRecord), StoreError> {
    Ok((
        r.get(0),
        TopicRecord {
            arn: r.get(1),
            name: r.get(2),
            attributes: from_json(r.get(3))?,
            tags: from_json(r.get(4))?,
            created_at: Timestamp(r.get(5)),
        },
    ))
}

fn subscription(r: &tokio_postgres::Row) -> Result<(i64, SubscriptionRecord), StoreError> {
    Ok((
        r.get(0),
        SubscriptionRecord {
            arn: r.get(1),
            topic_arn: r.get(2),
            protocol: r.get(3),
            endpoint: r.get(4),
            attributes: from_json(r.get(5))?,
            service_url: r.get(6),
            created_at: Timestamp(r.get(7)),
        },
    ))
}

async fn read_topic(
    client: &impl GenericClient,
    arn: &str,
    lock: &str,
) -> Result<Option<TopicRecord>, StoreError> {
    let row = client
        .query_opt(
            &format!("SELECT {TOPIC_COLUMNS} FROM sns_topics WHERE arn = $1 {lock}"),
            &[&arn],
        )
        .await
        .map_err(db)?;
    row.map(|r| topic(&r).map(|(_, t)| t)).transpose()
}

fn set_or_remove(map: &mut BTreeMap<String, String>, name: String, value: Option<String>) {
    match value {
        Some(v) => map.insert(name, v),
        None => map.remove(&name),
    };
}

impl PgStore {
    /// Reads the JSON map in `column` of the row of `table` whose `arn` is `arn` under a row
    /// lock, changes it and writes it back; false if there is no such row.
    async fn update_map(
        &self,
        table: &str,
        arn: &str,
        column: &str,
        change: impl FnOnce(&mut BTreeMap<String, String>) + Send,
    ) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let Some(row) = tx
            .query_opt(
                &format!("SELECT {column} FROM {table} WHERE arn = $1 FOR UPDATE"),
                &[&arn],
            )
            .await
            .map_err(db)?
        else {
            return Ok(false);
        };
        let mut map: BTreeMap<String, String> = from_json(row.get(0))?;
        change(&mut map);
        tx.execute(
            &format!("UPDATE {table} SET {column} = $2 WHERE arn = $1"),
            &[&arn, &to_json(&map)?],
        )
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(true)
    }
}

#[async_trait]
impl SnsStore for PgStore {
    async fn create_topic(&self, t: TopicRecord) -> Result<TopicRecord, StoreError> {
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO sns_topics (arn, name, attributes, tags, created_at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (arn) DO NOTHING",
                &[
                    &t.arn,
                    &t.name,
                    &to_json(&t.attributes)?,
                    &to_json(&t.tags)?,
                    &t.created_at.0,
                ],
            )
            .await
            .map_err(db)?;
        // The topic as stored: this one, or the one that existed (CreateTopic is idempotent).
        read_topic(&client, &t.arn, "")
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("topic {} vanished", t.arn)))
    }

    async fn delete_topic(&self, arn: &str) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let n = tx
            .execute("DELETE FROM sns_topics WHERE arn = $1", &[&arn])
            .await
            .map_err(db)?;
        tx.execute(
            "DELETE FROM sns_subscriptions WHERE topic_arn = $1",
            &[&arn],
        )
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(n > 0)
    }

    async fn topic(&self, arn: &str) -> Result<Option<TopicRecord>, StoreError> {
        read_topic(&self.client().await?, arn, "").await
    }

    async fn subscription_count(&self, topic_arn: &str) -> Result<u64, StoreError> {
        let n: i64 = self
            .client()
            .await?
            .query_one(
                "SELECT count(*) FROM sns_subscriptions WHERE topic_arn = $1",
                &[&topic_arn],
            )
            .await
            .map_err(db)?
            .get(0);
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn list_topics(
        &self,
        after: Option<i64>,
        limit: usize,
    ) -> Result<Page<TopicRecord>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                &format!(
                    "SELECT {TOPIC_COLUMNS} FROM sns_topics WHERE id > $1 ORDER BY id LIMIT $2"
                ),
                &[&after.unwrap_or(0), &(limit as i64 + 1)],
            )
            .await
            .map_err(db)?;
        let rows = rows.iter().map(topic).collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_rows(rows, limit))
    }

    async fn set_topic_attribute(
        &self,
        arn: &str,
        name: &str,
        value: Option<String>,
    ) -> Result<bool, StoreError> {
        let name = name.to_string();
        self.update_map("sns_topics", arn, "attributes", |m| {
            set_or_remove(m, name, value)
        })
        .await
    }

    async fn tag_topic(
        &self,
        arn: &str,
        tags: BTreeMap<String, String>,
    ) -> Result<bool, StoreError> {
        self.update_map("sns_topics", arn, "tags", |m| m.extend(tags))
            .await
    }

    async fn untag_topic(&self, arn: &str, keys: Vec<String>) -> Result<bool, StoreError> {
        self.update_map("sns_topics", arn, "tags", |m| {
            for k in &keys {
                m.remove(k);
            }
        })
        .await
    }

    async fn subscribe(&self, sub: SubscriptionRecord) -> Result<Subscribed, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        // The topic row is locked so it cannot be deleted between the check and the insert.
        if read_topic(&tx, &sub.topic_arn, "FOR SHARE")
            .await?
            .is_none()
        {
            return Ok(Subscribed::TopicNotFound);
        }
        let inserted = tx
            .execute(
                "INSERT INTO sns_subscriptions (arn, topic_arn, protocol, endpoint, attributes,
                     service_url, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (topic_arn, protocol, endpoint) DO NOTHING",
                &[
                    &sub.arn,
                    &sub.topic_arn,
                    &sub.protocol,
                    &sub.endpoint,
                    &to_json(&sub.attributes)?,
                    &sub.service_url,
                    &sub.created_at.0,
                ],
            )
            .await
            .map_err(db)?;
        if inserted == 1 {
            tx.commit().await.map_err(db)?;
            return Ok(Subscribed::Created(sub));
        }
        let existing = tx
            .query_one(
                &format!(
                    "SELECT {SUBSCRIPTION_COLUMNS} FROM sns_subscriptions
                     WHERE topic_arn = $1 AND protocol = $2 AND endpoint = $3"
                ),
                &[&sub.topic_arn, &sub.protocol, &sub.endpoint],
            )
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(Subscribed::Existing(subscription(&existing)?.1))
    }

    async fn unsubscribe(&self, arn: &str) -> Result<bool, StoreError> {
        let n = self
            .client()
            .await?
            .execute("DELETE FROM sns_subscriptions WHERE arn = $1", &[&arn])
            .await
            .map_err(db)?;
        Ok(n > 0)
    }

    async fn subscription(&self, arn: &str) -> Result<Option<SubscriptionRecord>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt(
                &format!("SELECT {SUBSCRIPTION_COLUMNS} FROM sns_subscriptions WHERE arn = $1"),
                &[&arn],
            )
            .await
            .map_err(db)?;
        row.map(|r| subscription(&r).map(|(_, s)| s)).transpose()
    }

    async fn set_subscription_attribute(
        &self,
        arn: &str,
        name: &str,
        value: Option<String>,
    ) -> Result<bool, StoreError> {
        let name = name.to_string();
        self.update_map("sns_subscriptions", arn, "attributes", |m| {
            set_or_remove(m, name, value)
        })
        .await
    }

    async fn list_subscriptions(
        &self,
        topic_arn: Option<String>,
        after: Option<i64>,
        limit: usize,
    ) -> Result<Page<SubscriptionRecord>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                &format!(
                    "SELECT {SUBSCRIPTION_COLUMNS} FROM sns_subscriptions
                     WHERE id > $1 AND ($2::text IS NULL OR topic_arn = $2) ORDER BY id LIMIT $3"
                ),
                &[&after.unwrap_or(0), &topic_arn, &(limit as i64 + 1)],
            )
            .await
            .map_err(db)?;
        let rows = rows
            .iter()
            .map(subscription)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_rows(rows, limit))
    }

    async fn publish(
        &self,
        topic_arn: &str,
        messages: Vec<SnsMessage>,
        now: Timestamp,
    ) -> Result<Option<usize>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        if read_topic(&tx, topic_arn, "FOR SHARE").await?.is_none() {
            return Ok(None);
        }
        let targets: Vec<String> = tx
            .query(
                "SELECT arn FROM sns_subscriptions WHERE topic_arn = $1 ORDER BY id",
                &[&topic_arn],
            )
            .await
            .map_err(db)?
            .iter()
            .map(|r| r.get(0))
            .collect();
        if targets.is_empty() {
            return Ok(Some(0));
        }
        let no_attributes = to_json(&lambkin_model::MessageAttributes::new())?;
        for message in &messages {
            tx.execute(
                "INSERT INTO sns_messages (message_id, topic_arn, body, created_at)
                 VALUES ($1, $2, $3, $4)",
                &[&message.message_id, &topic_arn, &message.body, &now.0],
            )
            .await
            .map_err(db)?;
            // One delivery per subscription, naming the message by id (never a copy of it).
            let chain = i32::try_from(message.chain).unwrap_or(i32::MAX);
            tx.execute(
                "INSERT INTO deliveries (kind, source, target, body, attributes, state,
                     created_at, updated_at, due_at, chain)
                 SELECT $1, $2, target, $3, $4, 'pending', $5, $5, $5, $6
                 FROM unnest($7::text[]) WITH ORDINALITY AS t(target, n) ORDER BY n",
                &[
                    &DeliveryKind::Subscription.as_str(),
                    &message.message_id,
                    &message.message_id.as_bytes(),
                    &no_attributes,
                    &now.0,
                    &chain,
                    &targets,
                ],
            )
            .await
            .map_err(db)?;
        }
        // Other nodes' deliverers are told at commit (LISTEN/NOTIFY, `listen.rs`).
        tx.execute("SELECT pg_notify('lambkin_deliveries', '')", &[])
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(Some(messages.len() * targets.len()))
    }

    async fn sns_message(&self, message_id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT body FROM sns_messages WHERE message_id = $1",
                &[&message_id],
            )
            .await
            .map_err(db)?;
        Ok(row.map(|r| r.get(0)))
    }
}
