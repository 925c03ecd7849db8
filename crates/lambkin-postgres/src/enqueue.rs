//! Group commit of enqueues: callers hand their event to one task, which writes every event
//! waiting at that moment with one multi-row `INSERT … SELECT FROM unnest(…)` in one commit, and
//! answers each caller once that commit is durable. Under load a commit carries many events,
//! so the database does one round trip and one WAL flush for all of them.

use std::collections::HashSet;

use deadpool_postgres::Pool;
use lambkin_store::{NewEvent, StoreError};
use tokio::sync::{mpsc, oneshot};

use crate::error::{db, pool};

/// The most events one commit carries.
const MAX_BATCH: usize = 512;

type Pending = (NewEvent, oneshot::Sender<Result<(), StoreError>>);

#[derive(Debug)]
pub(crate) struct Batcher {
    tx: mpsc::UnboundedSender<Pending>,
}

impl Batcher {
    /// `node` names this node's notifications, so its own listener ignores them.
    pub(crate) fn start(pool: Pool, node: std::sync::Arc<str>) -> Self {
        let (tx, mut rx) = mpsc::unbounded_channel::<Pending>();
        tokio::spawn(async move {
            let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
            while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
                let events: Vec<&NewEvent> = batch.iter().map(|(e, _)| e).collect();
                match insert(&pool, &events, &node).await {
                    Ok(inserted) => {
                        // A request id given twice in one batch is inserted once: the first
                        // caller gets it, the others a duplicate.
                        let mut answered: HashSet<String> = HashSet::new();
                        for (event, reply) in batch.drain(..) {
                            let id = event.request_id.as_str();
                            let fresh = inserted.contains(id) && answered.insert(id.to_string());
                            let result = if fresh {
                                Ok(())
                            } else {
                                Err(StoreError::DuplicateEvent(id.to_string()))
                            };
                            let _ = reply.send(result);
                        }
                    }
                    Err(e) => {
                        for (_, reply) in batch.drain(..) {
                            let _ = reply.send(Err(clone_error(&e)));
                        }
                    }
                }
            }
        });
        Batcher { tx }
    }

    /// Returns once the event is committed (or the commit failed: nothing of it is stored).
    pub(crate) async fn enqueue(&self, event: NewEvent) -> Result<(), StoreError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send((event, reply))
            .map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }
}

/// Inserts the batch in one statement and commit; the request ids that were inserted.
async fn insert(
    pool: &Pool,
    events: &[&NewEvent],
    node: &str,
) -> Result<HashSet<String>, StoreError> {
    let ids: Vec<&str> = events.iter().map(|e| e.request_id.as_str()).collect();
    let functions: Vec<&str> = events.iter().map(|e| e.function.as_str()).collect();
    let qualifiers: Vec<Option<&str>> = events.iter().map(|e| e.qualifier.as_deref()).collect();
    let versions: Vec<Option<&str>> = events.iter().map(|e| e.version.as_deref()).collect();
    let payloads: Vec<&[u8]> = events.iter().map(|e| e.payload.as_slice()).collect();
    let times: Vec<i64> = events.iter().map(|e| e.enqueued_at.0).collect();
    let chains: Vec<i32> = events
        .iter()
        .map(|e| i32::try_from(e.chain).unwrap_or(i32::MAX))
        .collect();
    let client = pool.get().await.map_err(pool_error)?;
    // One statement is its own transaction: committed (and flushed) before it returns.
    let insert = client
        .prepare_cached(
            // Other nodes are told in the same commit (LISTEN/NOTIFY, `listen.rs`).
            "WITH ins AS (
                 INSERT INTO events (request_id, function, qualifier, version, payload, state,
                     enqueued_at, updated_at, due_at, chain)
                 SELECT r, f, q, v, p, 'queued', t, t, t, c
                 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bytea[],
                             $6::bigint[], $7::int[]) AS u(r, f, q, v, p, t, c)
                 ON CONFLICT (request_id) DO NOTHING
                 RETURNING request_id)
             -- The notification's column is selected, so the planner cannot drop the join.
             SELECT ins.request_id, n.sent FROM ins
             LEFT JOIN (SELECT pg_notify('lambkin_events', $8::text)::text AS sent) AS n ON true",
        )
        .await
        .map_err(db)?;
    let rows = client
        .query(
            &insert,
            &[
                &ids,
                &functions,
                &qualifiers,
                &versions,
                &payloads,
                &times,
                &chains,
                &node,
            ],
        )
        .await
        .map_err(db)?;
    Ok(rows.iter().map(|r| r.get::<_, String>(0)).collect())
}

fn pool_error(e: deadpool_postgres::PoolError) -> StoreError {
    pool(e)
}

/// Every caller of a failed batch gets the same error.
fn clone_error(e: &StoreError) -> StoreError {
    match e {
        StoreError::Backend { message, transient } => StoreError::Backend {
            message: message.clone(),
            transient: *transient,
        },
        other => StoreError::CommitFailed(other.to_string()),
    }
}
