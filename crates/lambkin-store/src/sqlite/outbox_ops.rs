//! [`Outbox`] on SQLite: the `deliveries` table. Rows are inserted inside other writes (an
//! event's final state, an SNS publish) so the state change and the deliveries it owes commit
//! together.

use async_trait::async_trait;
use lambkin_model::{MessageAttributes, Timestamp};
use rusqlite::{Connection, OptionalExtension, params};

use super::SqliteStore;
use super::counts::Counts;
use crate::{
    Delivery, DeliveryKind, DeliveryLease, DeliveryRecord, DeliveryResult, DeliveryState,
    DeliveryStats, NewDelivery, Outbox, StoreError,
};

pub(super) fn migrate(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "
        CREATE TABLE IF NOT EXISTS deliveries (
            id          INTEGER PRIMARY KEY,
            kind        TEXT NOT NULL,
            source      TEXT NOT NULL,
            target      TEXT NOT NULL,
            body        BLOB NOT NULL,
            attributes  TEXT NOT NULL,
            state       TEXT NOT NULL,
            attempts    INTEGER NOT NULL DEFAULT 0,
            -- 1 while a deliverer holds it under a lease (due_at = lease expiry)
            leased      INTEGER NOT NULL DEFAULT 0,
            created_at  INTEGER NOT NULL,
            updated_at  INTEGER NOT NULL,
            -- next attempt (pending) or lease expiry (being delivered); NULL once done
            due_at      INTEGER,
            last_error  TEXT
        );
        CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (due_at) WHERE due_at IS NOT NULL;
        CREATE INDEX IF NOT EXISTS deliveries_by_source ON deliveries (source);
        -- Retention: finished deliveries by the time they finished.
        CREATE INDEX IF NOT EXISTS deliveries_finished ON deliveries (updated_at)
            WHERE due_at IS NULL;
        ",
    )?;
    // Folders created before deliveries carried their chain (recursive loop detection).
    super::schema::add_column(conn, "deliveries", "chain", "INTEGER NOT NULL DEFAULT 0")?;
    // Folders created before EventBridge targets (their retry policy, as JSON).
    super::schema::add_column(conn, "deliveries", "retry", "TEXT")?;
    Ok(())
}

/// Inserts one pending delivery, due at once; call inside the write that owes it.
pub(super) fn insert_delivery(
    conn: &Connection,
    counts: &mut Counts,
    d: &NewDelivery,
    now: Timestamp,
) -> Result<(), StoreError> {
    let attributes = serde_json::to_string(&d.attributes)
        .map_err(|e| StoreError::Corrupt(format!("attributes: {e}")))?;
    let retry = d.retry.as_ref().map(super::to_json).transpose()?;
    conn.prepare_cached(
        "INSERT INTO deliveries (kind, source, target, body, attributes, state, created_at,
             updated_at, due_at, chain, retry)
         VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?6, ?6, ?7, ?8)",
    )?
    .execute(params![
        d.kind.as_str(),
        d.source,
        d.target,
        d.body,
        attributes,
        now.0,
        d.chain,
        retry
    ])?;
    counts.delivery(d.kind, DeliveryState::Pending, 1);
    Ok(())
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value}"))
}

#[async_trait]
impl Outbox for SqliteStore {
    async fn claim_deliveries(
        &self,
        now: Timestamp,
        limit: usize,
        lease_until: Timestamp,
    ) -> Result<Vec<Delivery>, StoreError> {
        self.inner
            .writer
            .write(move |conn, _| {
                let mut select = conn.prepare_cached(
                    "SELECT id, kind, source, target, body, attributes, attempts, created_at, chain,
                         retry
                     FROM deliveries WHERE due_at <= ?1 ORDER BY due_at LIMIT ?2",
                )?;
                let rows = select.query_map(params![now.0, limit as i64], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, Vec<u8>>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, u32>(6)?,
                        r.get::<_, i64>(7)?,
                        r.get::<_, u32>(8)?,
                        r.get::<_, Option<String>>(9)?,
                    ))
                })?;
                let mut lease = conn.prepare_cached(
                    "UPDATE deliveries SET due_at = ?2, leased = 1 WHERE id = ?1",
                )?;
                let mut claimed = Vec::new();
                for row in rows {
                    let (
                        id,
                        kind,
                        source,
                        target,
                        body,
                        attributes,
                        attempts,
                        created,
                        chain,
                        retry,
                    ) = row?;
                    let retry = retry.as_deref().map(super::from_json).transpose()?;
                    lease.execute(params![id, lease_until.0])?;
                    let attributes: MessageAttributes = serde_json::from_str(&attributes)
                        .map_err(|_| corrupt("delivery attributes", &attributes))?;
                    claimed.push(Delivery {
                        id,
                        lease: DeliveryLease {
                            id,
                            until: lease_until,
                        },
                        kind: DeliveryKind::parse(&kind)
                            .ok_or_else(|| corrupt("delivery kind", &kind))?,
                        source,
                        target,
                        body,
                        attributes,
                        chain,
                        retry,
                        attempts,
                        created_at: Timestamp(created),
                    });
                }
                Ok(claimed)
            })
            .await
    }

    async fn complete_deliveries(
        &self,
        results: Vec<(DeliveryLease, DeliveryResult)>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        if results.is_empty() {
            return Ok(());
        }
        self.inner
            .writer
            .write(move |conn, counts| {
                let mut update = conn.prepare_cached(
                    "UPDATE deliveries SET state = ?2, due_at = ?3, last_error = ?4,
                         attempts = attempts + 1, updated_at = ?5, leased = 0
                     WHERE id = ?1 AND state = 'pending' AND leased = 1 AND due_at = ?6
                     RETURNING kind",
                )?;
                for (lease, result) in results {
                    let (state, due, error) = match result {
                        DeliveryResult::Delivered => (DeliveryState::Delivered, None, None),
                        DeliveryResult::Failed(e) => (DeliveryState::Failed, None, Some(e)),
                        DeliveryResult::RetryAt(t, e) => {
                            (DeliveryState::Pending, Some(t.0), Some(e))
                        }
                    };
                    let kind: Option<String> = update
                        .query_row(
                            params![lease.id, state.as_str(), due, error, now.0, lease.until.0],
                            |r| r.get(0),
                        )
                        .optional()?;
                    // None: already final, or claimed again after this lease ran out.
                    if let Some(kind) = kind {
                        let kind = DeliveryKind::parse(&kind)
                            .ok_or_else(|| corrupt("delivery kind", &kind))?;
                        counts.delivery(kind, DeliveryState::Pending, -1);
                        counts.delivery(kind, state, 1);
                    }
                }
                Ok(())
            })
            .await
    }

    async fn recover_deliveries(&self, now: Timestamp) -> Result<u64, StoreError> {
        self.inner
            .writer
            .write(move |conn, _| {
                let n = conn.execute(
                    "UPDATE deliveries SET due_at = ?1, leased = 0
                     WHERE leased = 1 AND state = 'pending'",
                    params![now.0],
                )?;
                Ok(n as u64)
            })
            .await
    }

    async fn next_delivery_due(&self) -> Result<Option<Timestamp>, StoreError> {
        self.read(|conn| {
            let t: Option<i64> = conn
                .prepare_cached(
                    "SELECT due_at FROM deliveries WHERE due_at IS NOT NULL ORDER BY due_at LIMIT 1",
                )?
                .query_row([], |r| r.get(0))
                .optional()?;
            Ok(t.map(Timestamp))
        })
        .await
    }

    async fn deliveries(&self, source: &str) -> Result<Vec<DeliveryRecord>, StoreError> {
        let source = source.to_string();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, kind, target, state, attempts, created_at, updated_at, last_error
                 FROM deliveries WHERE source = ?1 ORDER BY id",
            )?;
            let rows = stmt.query_map(params![source], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, u32>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, i64>(6)?,
                    r.get::<_, Option<String>>(7)?,
                ))
            })?;
            rows.map(|row| {
                let (id, kind, target, state, attempts, created, updated, last_error) = row?;
                Ok(DeliveryRecord {
                    id,
                    kind: DeliveryKind::parse(&kind)
                        .ok_or_else(|| corrupt("delivery kind", &kind))?,
                    target,
                    state: DeliveryState::parse(&state)
                        .ok_or_else(|| corrupt("delivery state", &state))?,
                    attempts,
                    created_at: Timestamp(created),
                    updated_at: Timestamp(updated),
                    last_error,
                })
            })
            .collect()
        })
        .await
    }

    async fn delivery_stats(&self) -> Result<DeliveryStats, StoreError> {
        let counts = self.inner.counts.lock().map_err(|_| StoreError::Closed)?;
        Ok(counts.delivery_stats())
    }
}
