//! [`Retention`] on SQLite: each prune step is one writer job of at most a few hundred rows
//! per table, through indexes on the time things finished, so it never holds the group commit
//! for long; the in-memory counts follow what it removes.

use async_trait::async_trait;
use lambkin_model::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};

use super::SqliteStore;
use super::counts::Counts;
use crate::{DeliveryKind, DeliveryState, Pruned, Retention, StoreError};

pub(super) fn migrate(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "
        CREATE TABLE IF NOT EXISTS meta (
            key   TEXT PRIMARY KEY,
            value INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS sns_messages_created ON sns_messages (created_at);
        ",
    )?;
    Ok(())
}

const PRUNED_BEFORE: &str = "pruned_before";

#[async_trait]
impl Retention for SqliteStore {
    async fn prune(&self, before: Timestamp, limit: usize) -> Result<Pruned, StoreError> {
        self.inner
            .writer
            .write(move |conn, counts| {
                let pruned = Pruned {
                    events: prune_events(conn, counts, before, limit)?,
                    deliveries: prune_deliveries(conn, counts, before, limit)?,
                    sns_messages: prune_sns_messages(conn, before, limit)?,
                };
                conn.prepare_cached(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)",
                )?
                .execute(params![PRUNED_BEFORE, before.0])?;
                Ok(pruned)
            })
            .await
    }

    async fn pruned_before(&self) -> Result<Option<Timestamp>, StoreError> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
                .query_row(params![PRUNED_BEFORE], |r| r.get::<_, i64>(0))
                .optional()?
                .map(Timestamp))
        })
        .await
    }

    async fn reclaim_space(&self, max_pages: u32) -> Result<u64, StoreError> {
        self.inner
            .writer
            .write(move |conn, _| {
                let mode: i64 = conn.pragma_query_value(None, "auto_vacuum", |r| r.get(0))?;
                if mode != 2 {
                    // Not incremental (a folder from before retention): pages are reused only.
                    return Ok(0);
                }
                let free: i64 = conn.pragma_query_value(None, "freelist_count", |r| r.get(0))?;
                let pages = free.min(i64::from(max_pages));
                if pages > 0 {
                    // `incremental_vacuum` returns a row per page; stepping through them is
                    // what frees them.
                    let mut stmt = conn.prepare(&format!("PRAGMA incremental_vacuum({pages})"))?;
                    let mut rows = stmt.query([])?;
                    while rows.next()?.is_some() {}
                }
                Ok(u64::try_from(pages).unwrap_or(0))
            })
            .await
    }
}

/// Final events that ended before `before` and owe no pending delivery, with their attempts.
fn prune_events(
    conn: &Connection,
    counts: &mut Counts,
    before: Timestamp,
    limit: usize,
) -> Result<u64, StoreError> {
    let mut select = conn.prepare_cached(
        "SELECT id, state, interrupted FROM events
         WHERE due_at IS NULL AND updated_at < ?1
           AND NOT EXISTS (SELECT 1 FROM deliveries d
                           WHERE d.source = events.request_id AND d.due_at IS NOT NULL)
         ORDER BY updated_at LIMIT ?2",
    )?;
    let rows: Vec<(i64, String, i64)> = select
        .query_map(params![before.0, limit as i64], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<Result<_, _>>()?;
    let mut attempts = conn.prepare_cached("DELETE FROM attempts WHERE event_id = ?1")?;
    let mut event = conn.prepare_cached("DELETE FROM events WHERE id = ?1")?;
    for (id, state, interrupted) in &rows {
        attempts.execute(params![id])?;
        event.execute(params![id])?;
        counts.add(state, -1);
        counts.rerun(-interrupted);
    }
    Ok(rows.len() as u64)
}

/// Deliveries that finished (delivered or given up) before `before`.
fn prune_deliveries(
    conn: &Connection,
    counts: &mut Counts,
    before: Timestamp,
    limit: usize,
) -> Result<u64, StoreError> {
    let mut select = conn.prepare_cached(
        "SELECT id, kind, state FROM deliveries
         WHERE due_at IS NULL AND updated_at < ?1 ORDER BY updated_at LIMIT ?2",
    )?;
    let rows: Vec<(i64, String, String)> = select
        .query_map(params![before.0, limit as i64], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<Result<_, _>>()?;
    let mut delete = conn.prepare_cached("DELETE FROM deliveries WHERE id = ?1")?;
    for (id, kind, state) in &rows {
        delete.execute(params![id])?;
        let kind = DeliveryKind::parse(kind)
            .ok_or_else(|| StoreError::Corrupt(format!("delivery kind {kind}")))?;
        let state = DeliveryState::parse(state)
            .ok_or_else(|| StoreError::Corrupt(format!("delivery state {state}")))?;
        counts.delivery(kind, state, -1);
    }
    Ok(rows.len() as u64)
}

/// SNS messages published before `before` that no delivery refers to any more.
fn prune_sns_messages(
    conn: &Connection,
    before: Timestamp,
    limit: usize,
) -> Result<u64, StoreError> {
    let n = conn
        .prepare_cached(
            "DELETE FROM sns_messages WHERE message_id IN (
                 SELECT message_id FROM sns_messages m
                 WHERE m.created_at < ?1
                   AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.source = m.message_id)
                 ORDER BY m.created_at LIMIT ?2)",
        )?
        .execute(params![before.0, limit as i64])?;
    Ok(n as u64)
}
