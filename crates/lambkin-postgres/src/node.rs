//! This node's identity and heartbeat, and the takeover of dead nodes' work.
//!
//! Every claim and delivery lease names the node holding it (`owner`). A task beats every
//! `heartbeat_every` (PostgreSQL's clock, `nodes.heartbeat_at`) and, on each beat, makes the
//! running events and leased deliveries of nodes silent for longer than `dead_after` due at
//! once, so the next claim of any live node takes them (as reruns). A restarting node recovers
//! only what it holds itself ([`lambkin_store::Queue::recover`]); nobody touches a live node's
//! work.

use std::time::Duration;

use deadpool_postgres::Pool;
use lambkin_store::StoreError;

use crate::error::db;

/// This node's identity and how it beats.
#[derive(Debug, Clone)]
pub struct NodeSettings {
    /// Stable across restarts (`lambkin serve` keeps it in the data folder), so a restarted
    /// node recovers the work it held before.
    pub id: String,
    pub heartbeat_every: Duration,
    /// A node silent for this long is dead: its work is taken over.
    pub dead_after: Duration,
}

impl NodeSettings {
    /// A fresh id, a beat a second, dead after ten silent seconds.
    pub fn random() -> Self {
        NodeSettings {
            id: format!("node-{}", uuid::Uuid::new_v4().simple()),
            heartbeat_every: Duration::from_secs(1),
            dead_after: Duration::from_secs(10),
        }
    }
}

/// PostgreSQL's clock in milliseconds, the heartbeat's timeline.
const DB_NOW: &str = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

/// Registers the node and beats until dropped.
#[derive(Debug)]
pub(crate) struct Heartbeat {
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Heartbeat {
    pub(crate) async fn start(pool: Pool, node: NodeSettings) -> Result<Self, StoreError> {
        beat(&pool, &node.id, true).await?;
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(node.heartbeat_every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = beat(&pool, &node.id, false).await {
                    tracing::warn!(error = %e, "node heartbeat failed");
                    continue;
                }
                match take_over(&pool, &node).await {
                    Ok((0, 0)) => {}
                    Ok((events, deliveries)) => tracing::warn!(
                        events,
                        deliveries,
                        "took over the work of a node silent for {:?}",
                        node.dead_after
                    ),
                    Err(e) => tracing::warn!(error = %e, "cannot take over dead nodes' work"),
                }
            }
        });
        Ok(Heartbeat { task })
    }
}

async fn beat(pool: &Pool, id: &str, starting: bool) -> Result<(), StoreError> {
    let client = pool.get().await.map_err(crate::error::pool)?;
    let sql = if starting {
        format!(
            "INSERT INTO nodes (id, started_at, heartbeat_at) VALUES ($1, {DB_NOW}, {DB_NOW})
             ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at,
                 heartbeat_at = excluded.heartbeat_at"
        )
    } else {
        format!(
            "INSERT INTO nodes (id, started_at, heartbeat_at) VALUES ($1, {DB_NOW}, {DB_NOW})
             ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at"
        )
    };
    client.execute(&sql, &[&id]).await.map_err(db)?;
    Ok(())
}

/// Makes the work of nodes silent for longer than `dead_after` due now; how many events and
/// deliveries. Their rows are removed: a node that comes back registers again.
pub(crate) async fn take_over(pool: &Pool, node: &NodeSettings) -> Result<(u64, u64), StoreError> {
    let mut client = pool.get().await.map_err(crate::error::pool)?;
    let tx = client.transaction().await.map_err(db)?;
    let dead_after = i64::try_from(node.dead_after.as_millis()).unwrap_or(i64::MAX);
    let dead: Vec<String> = tx
        .query(
            &format!(
                "DELETE FROM nodes WHERE id <> $1 AND heartbeat_at < {DB_NOW} - $2::bigint
                 RETURNING id"
            ),
            &[&node.id, &dead_after],
        )
        .await
        .map_err(db)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    if dead.is_empty() {
        tx.commit().await.map_err(db)?;
        return Ok((0, 0));
    }
    // Due at once: the next claim of a live node takes them, as reruns.
    let events = tx
        .execute(
            "UPDATE events SET due_at = 0 WHERE state = 'running' AND owner = ANY($1)",
            &[&dead],
        )
        .await
        .map_err(db)?;
    let deliveries = tx
        .execute(
            "UPDATE deliveries SET due_at = 0
             WHERE leased AND state = 'pending' AND due_at IS NOT NULL AND owner = ANY($1)",
            &[&dead],
        )
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok((events, deliveries))
}
