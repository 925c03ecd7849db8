//! [`Retention`] on PostgreSQL: each prune step is one short transaction of at most `limit`
//! rows per table, found through the indexes on the time things finished (`events_finished`,
//! `deliveries_finished`). Rows are taken with `FOR UPDATE SKIP LOCKED`, so nodes pruning at
//! once share the work instead of queueing behind each other, and each step counts only what
//! it removed itself.
//!
//! Space is PostgreSQL's to manage: autovacuum marks removed rows' space for reuse, so
//! `reclaim_space` keeps the trait's default (nothing to give back, 0). A full `VACUUM` that
//! would shrink the files locks the tables and is an operator's decision, never lambkin's.

use async_trait::async_trait;
use lambkin_model::Timestamp;
use lambkin_store::{Pruned, Retention, StoreError};

use crate::PgStore;
use crate::error::db;

const PRUNED_BEFORE: &str = "pruned_before";

#[async_trait]
impl Retention for PgStore {
    async fn prune(&self, before: Timestamp, limit: usize) -> Result<Pruned, StoreError> {
        let limit = limit as i64;
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        // Final events that ended before the cutoff and owe no pending delivery, with their
        // attempts.
        let events = tx
            .execute(
                "WITH doomed AS (
                     SELECT id FROM events e
                     WHERE due_at IS NULL AND updated_at < $1::bigint
                       AND NOT EXISTS (SELECT 1 FROM deliveries d
                                       WHERE d.source = e.request_id AND d.due_at IS NOT NULL)
                     ORDER BY updated_at LIMIT $2::bigint
                     FOR UPDATE OF e SKIP LOCKED),
                 attempts_gone AS (
                     DELETE FROM attempts WHERE event_id IN (SELECT id FROM doomed))
                 DELETE FROM events WHERE id IN (SELECT id FROM doomed)",
                &[&before.0, &limit],
            )
            .await
            .map_err(db)?;
        // Deliveries that finished (delivered or given up) before the cutoff.
        let deliveries = tx
            .execute(
                "DELETE FROM deliveries WHERE id IN (
                     SELECT id FROM deliveries
                     WHERE due_at IS NULL AND updated_at < $1::bigint
                     ORDER BY updated_at LIMIT $2::bigint
                     FOR UPDATE SKIP LOCKED)",
                &[&before.0, &limit],
            )
            .await
            .map_err(db)?;
        // SNS messages published before the cutoff that no delivery refers to any more.
        let sns_messages = tx
            .execute(
                "DELETE FROM sns_messages WHERE message_id IN (
                     SELECT message_id FROM sns_messages m
                     WHERE m.created_at < $1::bigint
                       AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.source = m.message_id)
                     ORDER BY m.created_at LIMIT $2::bigint
                     FOR UPDATE SKIP LOCKED)",
                &[&before.0, &limit],
            )
            .await
            .map_err(db)?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ($1, $2::bigint)
             ON CONFLICT (key) DO UPDATE SET value = greatest(meta.value, excluded.value)",
            &[&PRUNED_BEFORE, &before.0],
        )
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(Pruned {
            events,
            deliveries,
            sns_messages,
        })
    }

    async fn pruned_before(&self) -> Result<Option<Timestamp>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt("SELECT value FROM meta WHERE key = $1", &[&PRUNED_BEFORE])
            .await
            .map_err(db)?;
        Ok(row.map(|r| Timestamp(r.get(0))))
    }
}
