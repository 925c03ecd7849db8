//! [`Outbox`] on PostgreSQL: the `deliveries` table. Rows are inserted inside other writes (an
//! event's final state, later an SNS publish) so a state change and the deliveries it owes
//! commit together. Several nodes deliver at once: a claim takes due rows with
//! `FOR UPDATE SKIP LOCKED`, so no two claims hand out the same delivery and none waits on
//! another's rows. A result names the lease it answers (the row's `due_at` while leased), so a
//! late result from a lease that ran out and was claimed again changes nothing.

use std::collections::HashSet;

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use lambkin_model::{MessageAttributes, Timestamp};
use lambkin_store::{
    Delivery, DeliveryKind, DeliveryLease, DeliveryRecord, DeliveryResult, DeliveryState,
    DeliveryStats, NewDelivery, Outbox, StoreError, TargetRetry,
};

use crate::error::db;
use crate::{PgStore, from_json, to_json};

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value}"))
}

fn kind(s: &str) -> Result<DeliveryKind, StoreError> {
    DeliveryKind::parse(s).ok_or_else(|| corrupt("delivery kind", s))
}

fn u32_of(v: i32) -> u32 {
    u32::try_from(v).unwrap_or(0)
}

/// Inserts pending deliveries, due at `now`, inside the caller's transaction: one statement
/// for all of them, however many a final state (or a publish) owes. Ids follow the order
/// given, so deliveries owed together are claimed in the order they were listed.
pub(crate) async fn insert_deliveries(
    client: &impl GenericClient,
    deliveries: &[NewDelivery],
    now: Timestamp,
) -> Result<(), StoreError> {
    if deliveries.is_empty() {
        return Ok(());
    }
    let kinds: Vec<&str> = deliveries.iter().map(|d| d.kind.as_str()).collect();
    let sources: Vec<&str> = deliveries.iter().map(|d| d.source.as_str()).collect();
    let targets: Vec<&str> = deliveries.iter().map(|d| d.target.as_str()).collect();
    let bodies: Vec<&[u8]> = deliveries.iter().map(|d| d.body.as_slice()).collect();
    let attributes: Vec<String> = deliveries
        .iter()
        .map(|d| to_json(&d.attributes))
        .collect::<Result<_, _>>()?;
    let chains: Vec<i32> = deliveries
        .iter()
        .map(|d| i32::try_from(d.chain).unwrap_or(i32::MAX))
        .collect();
    let retries: Vec<Option<String>> = deliveries
        .iter()
        .map(|d| d.retry.as_ref().map(to_json).transpose())
        .collect::<Result<_, _>>()?;
    let insert = client
        .prepare_cached(
            // Other nodes' deliverers are told at commit (LISTEN/NOTIFY, `listen.rs`).
            "WITH ins AS (
                 INSERT INTO deliveries (kind, source, target, body, attributes, state,
                     created_at, updated_at, due_at, chain, retry)
                 SELECT k, s, t, b, a, 'pending', $8::bigint, $8::bigint, $8::bigint, c, r
                 FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::text[],
                             $6::int[], $7::text[]) WITH ORDINALITY AS u(k, s, t, b, a, c, r, n)
                 ORDER BY n
                 RETURNING 1)
             SELECT pg_notify('lambkin_deliveries', '') FROM (SELECT 1 FROM ins LIMIT 1) AS x",
        )
        .await
        .map_err(db)?;
    client
        .execute(
            &insert,
            &[
                &kinds,
                &sources,
                &targets,
                &bodies,
                &attributes,
                &chains,
                &retries,
                &now.0,
            ],
        )
        .await
        .map_err(db)?;
    Ok(())
}

#[async_trait]
impl Outbox for PgStore {
    async fn claim_deliveries(
        &self,
        now: Timestamp,
        limit: usize,
        lease_until: Timestamp,
    ) -> Result<Vec<Delivery>, StoreError> {
        // Due rows are pending ones whose time has come and leased ones whose lease ran out
        // (`due_at` is the lease's expiry while leased, NULL once final), as on SQLite.
        let rows = self
            .client()
            .await?
            .query(
                "WITH picked AS (
                     SELECT id, due_at AS was_due FROM deliveries
                     WHERE due_at <= $1::bigint
                     ORDER BY due_at, id LIMIT $2::bigint
                     FOR UPDATE SKIP LOCKED)
                 UPDATE deliveries d SET due_at = $3::bigint, leased = TRUE, owner = $4
                 FROM picked WHERE d.id = picked.id
                 RETURNING d.id, d.kind, d.source, d.target, d.body, d.attributes, d.attempts,
                     d.created_at, d.chain, d.retry, picked.was_due",
                &[&now.0, &(limit as i64), &lease_until.0, &&*self.node],
            )
            .await
            .map_err(db)?;
        let mut claimed = rows
            .iter()
            .map(|r| {
                let id: i64 = r.get(0);
                let attributes: &str = r.get(5);
                let attributes: MessageAttributes = serde_json::from_str(attributes)
                    .map_err(|_| corrupt("delivery attributes", attributes))?;
                let retry: Option<TargetRetry> =
                    r.get::<_, Option<&str>>(9).map(from_json).transpose()?;
                let delivery = Delivery {
                    id,
                    lease: DeliveryLease {
                        id,
                        until: lease_until,
                    },
                    kind: kind(r.get(1))?,
                    source: r.get(2),
                    target: r.get(3),
                    body: r.get(4),
                    attributes,
                    chain: u32_of(r.get(8)),
                    retry,
                    attempts: u32_of(r.get(6)),
                    created_at: Timestamp(r.get(7)),
                };
                Ok((r.get::<_, i64>(10), delivery))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        // `RETURNING` has no order: hand them out in the order they were due.
        claimed.sort_by_key(|(was_due, d)| (*was_due, d.id));
        Ok(claimed.into_iter().map(|(_, d)| d).collect())
    }

    async fn complete_deliveries(
        &self,
        results: Vec<(DeliveryLease, DeliveryResult)>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        // On SQLite the results apply one after another, so of two results for the same lease
        // the first wins; a joined UPDATE would pick either, so later duplicates go here.
        let mut seen = HashSet::new();
        let mut ids = Vec::with_capacity(results.len());
        let mut leases = Vec::with_capacity(results.len());
        let mut states = Vec::with_capacity(results.len());
        let mut dues = Vec::with_capacity(results.len());
        let mut errors = Vec::with_capacity(results.len());
        for (lease, result) in results {
            if !seen.insert((lease.id, lease.until)) {
                continue;
            }
            let (state, due, error) = match result {
                DeliveryResult::Delivered => (DeliveryState::Delivered, None, None),
                DeliveryResult::Failed(e) => (DeliveryState::Failed, None, Some(e)),
                DeliveryResult::RetryAt(t, e) => (DeliveryState::Pending, Some(t.0), Some(e)),
            };
            ids.push(lease.id);
            leases.push(lease.until.0);
            states.push(state.as_str());
            dues.push(due);
            errors.push(error);
        }
        if ids.is_empty() {
            return Ok(());
        }
        // One statement, so one commit, for the whole batch. A row no longer pending under
        // this lease (already final, or claimed again after the lease ran out) does not join.
        self.client()
            .await?
            .execute(
                "UPDATE deliveries d SET state = u.state, due_at = u.due, last_error = u.error,
                     attempts = d.attempts + 1, updated_at = $6::bigint, leased = FALSE
                 FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::text[])
                     AS u(id, lease_until, state, due, error)
                 WHERE d.id = u.id AND d.state = 'pending' AND d.leased
                     AND d.due_at = u.lease_until",
                &[&ids, &leases, &states, &dues, &errors, &now.0],
            )
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn recover_deliveries(&self, now: Timestamp) -> Result<u64, StoreError> {
        // `due_at IS NOT NULL` holds for every pending row; saying so lets the partial index
        // of due rows find the leased ones.
        // Only this node's own leases (and those made before leases named a node); a dead
        // node's are taken over by the heartbeat (`node.rs`).
        self.client()
            .await?
            .execute(
                "UPDATE deliveries SET due_at = $1::bigint, leased = FALSE
                 WHERE leased AND state = 'pending' AND due_at IS NOT NULL
                   AND (owner = $2 OR owner IS NULL)",
                &[&now.0, &&*self.node],
            )
            .await
            .map_err(db)
    }

    async fn next_delivery_due(&self) -> Result<Option<Timestamp>, StoreError> {
        let row = self
            .client()
            .await?
            .query_one(
                "SELECT min(due_at) FROM deliveries WHERE due_at IS NOT NULL",
                &[],
            )
            .await
            .map_err(db)?;
        Ok(row.get::<_, Option<i64>>(0).map(Timestamp))
    }

    async fn deliveries(&self, source: &str) -> Result<Vec<DeliveryRecord>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT id, kind, target, state, attempts, created_at, updated_at, last_error
                 FROM deliveries WHERE source = $1 ORDER BY id",
                &[&source],
            )
            .await
            .map_err(db)?;
        rows.iter()
            .map(|r| {
                let state: &str = r.get(3);
                Ok(DeliveryRecord {
                    id: r.get(0),
                    kind: kind(r.get(1))?,
                    target: r.get(2),
                    state: DeliveryState::parse(state)
                        .ok_or_else(|| corrupt("delivery state", state))?,
                    attempts: u32_of(r.get(4)),
                    created_at: Timestamp(r.get(5)),
                    updated_at: Timestamp(r.get(6)),
                    last_error: r.get(7),
                })
            })
            .collect()
    }

    async fn delivery_stats(&self) -> Result<DeliveryStats, StoreError> {
        // Counted from the rows: SQLite keeps these figures in memory, which one node of many
        // cannot. The table holds what retention keeps, so this scan is bounded by it.
        let rows = self
            .client()
            .await?
            .query(
                "SELECT kind, state, count(*) FROM deliveries GROUP BY kind, state",
                &[],
            )
            .await
            .map_err(db)?;
        let mut stats = DeliveryStats::default();
        for r in &rows {
            let state: &str = r.get(1);
            let state =
                DeliveryState::parse(state).ok_or_else(|| corrupt("delivery state", state))?;
            let n = u64::try_from(r.get::<_, i64>(2)).unwrap_or(0);
            stats.add(kind(r.get(0))?, state, n);
        }
        Ok(stats)
    }
}
