//! [`Queue`] on PostgreSQL. Enqueues go through the batching task (`enqueue.rs`); a claim takes
//! each function's due events in due order with `FOR UPDATE SKIP LOCKED`, so several nodes
//! claiming at once never take the same event and never wait on each other's rows; a
//! completion moves a `running` event on and inserts the deliveries its final state owes in the
//! same transaction.

use std::time::{Duration, Instant};

/// How long a batch of completions is tried again while the database is unreachable.
const FINISH_RETRY_FOR: Duration = Duration::from_secs(60);

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use lambkin_model::{EventState, FunctionError, FunctionName, OutcomeKind, RequestId, Timestamp};
use lambkin_store::{
    AttemptFinish, AttemptRecord, ClaimPlan, ClaimRequest, Claimed, ClaimedEvent, EventRecord,
    EventSummary, NewEvent, Queue, QueueStats, StoreError,
};

use crate::PgStore;
use crate::error::db;
use crate::outbox_ops::insert_deliveries;

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

fn state(name: &str, condition: Option<&str>) -> Result<EventState, StoreError> {
    EventState::from_parts(name, condition)
        .ok_or_else(|| corrupt(format!("state {name} condition {condition:?}")))
}

fn u32_of(v: i32) -> u32 {
    u32::try_from(v).unwrap_or(0)
}

fn i32_of(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// Each function with unfinished events and its earliest due time (or lease expiry).
async fn heads(client: &impl GenericClient) -> Result<Vec<(String, i64)>, StoreError> {
    let heads = client
        .prepare_cached(
            // One index probe per function (a loose index scan over events_due_by_function),
            // so the cost grows with the functions that have work, never with a backlog.
            "WITH RECURSIVE heads AS (
                 (SELECT function, due_at FROM events WHERE due_at IS NOT NULL
                  ORDER BY function, due_at, id LIMIT 1)
                 UNION ALL
                 SELECT n.function, n.due_at FROM heads h, LATERAL (
                     SELECT function, due_at FROM events
                     WHERE due_at IS NOT NULL AND function > h.function
                     ORDER BY function, due_at, id LIMIT 1) n)
             SELECT function, due_at FROM heads",
        )
        .await
        .map_err(db)?;
    let rows = client.query(&heads, &[]).await.map_err(db)?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

async fn claim(
    client: &mut deadpool_postgres::Object,
    request: &ClaimRequest,
    node: &str,
) -> Result<Claimed, StoreError> {
    let now = request.now;
    let tx = client.transaction().await.map_err(db)?;
    let mut plan = ClaimPlan::new(request, heads(&tx).await?);
    let take_due = tx
        .prepare_cached(
            "WITH picked AS (
                 SELECT id, state AS was, due_at AS was_due FROM events
                 WHERE function = $1 AND due_at IS NOT NULL AND due_at <= $2
                 ORDER BY due_at, id LIMIT $3
                 FOR UPDATE SKIP LOCKED)
             UPDATE events e SET state = 'running', due_at = $4, updated_at = $2, owner = $5,
                 interrupted = e.interrupted + (picked.was = 'running')::int
             FROM picked WHERE e.id = picked.id
             RETURNING e.id, e.request_id, e.qualifier, e.version, e.payload, picked.was,
                 e.enqueued_at, e.invocations, e.throttles, picked.was_due, e.chain",
        )
        .await
        .map_err(db)?;
    let mut claimed: Vec<(i64, ClaimedEvent)> = Vec::new();
    for function in plan.order() {
        let take = plan.take(&function);
        if take == 0 {
            continue;
        }
        let name = FunctionName::parse(&function).map_err(corrupt)?;
        let rows = tx
            .query(
                &take_due,
                &[
                    &function,
                    &now.0,
                    &(take as i64),
                    &request.lease_until.0,
                    &node,
                ],
            )
            .await
            .map_err(db)?;
        let got = rows.len();
        for r in rows {
            let was: String = r.get(5);
            claimed.push((
                // The due time it was claimed at (the lease replaced it).
                r.get::<_, i64>(9),
                ClaimedEvent {
                    seq: r.get(0),
                    request_id: RequestId::from_stored(r.get(1)),
                    function: name.clone(),
                    qualifier: r.get(2),
                    version: r.get(3),
                    payload: r.get(4),
                    enqueued_at: Timestamp(r.get(6)),
                    invocations: u32_of(r.get(7)),
                    throttles: u32_of(r.get(8)),
                    rerun: was == "running",
                    chain: u32_of(r.get(10)),
                },
            ));
        }
        plan.took(&function, take, got);
    }
    let next_due = plan.next_due(heads(&tx).await?);
    tx.commit().await.map_err(db)?;
    claimed.sort_by_key(|(due_at, ev)| (*due_at, ev.seq));
    Ok(Claimed {
        events: claimed.into_iter().map(|(_, ev)| ev).collect(),
        next_due,
    })
}

async fn finish(
    client: &impl GenericClient,
    f: &AttemptFinish,
    node: &str,
) -> Result<(), StoreError> {
    let stored = f.next.state();
    let (name, condition, due) = (
        stored.name(),
        stored.condition().map(|c| c.as_str()),
        f.next.due_at().map(|t| t.0),
    );
    let ended = f.attempt.as_ref().map(|a| a.ended_at.0);
    // As on SQLite: an event failed without running changed state when it was decided.
    let update = client
        .prepare_cached(
            "UPDATE events SET state = $2::text, condition = $3::text, due_at = $4::bigint,
                 updated_at = coalesce($5::bigint, $10::bigint),
                 invocations = $6::int, throttles = $7::int,
                 attempt_count = attempt_count + ($5::bigint IS NOT NULL)::int,
                 response = coalesce($8::bytea, response),
                 function_error = CASE WHEN $8::bytea IS NULL THEN function_error ELSE $9::text END
             WHERE id = $1::bigint AND state = 'running' AND (owner = $11 OR owner IS NULL)
             RETURNING attempt_count",
        )
        .await
        .map_err(db)?;
    let row = client
        .query_opt(
            &update,
            &[
                &f.seq,
                &name,
                &condition,
                &due,
                &ended,
                &i32_of(f.invocations),
                &i32_of(f.throttles),
                &f.response,
                &f.function_error,
                &f.decided_at.0,
                &node,
            ],
        )
        .await
        .map_err(db)?;
    let Some(row) = row else {
        // Not running (released or reclaimed meanwhile): this attempt's result is stale.
        return Ok(());
    };
    let n: i32 = row.get(0);
    insert_deliveries(client, &f.deliveries, f.decided_at).await?;
    if let Some(attempt) = &f.attempt {
        let err = attempt.error.as_ref();
        let insert = client
            .prepare_cached(
                "INSERT INTO attempts (event_id, n, started_at, ended_at, outcome, error_type,
                     error_message)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .await
            .map_err(db)?;
        client
            .execute(
                &insert,
                &[
                    &f.seq,
                    &n,
                    &attempt.started_at.0,
                    &attempt.ended_at.0,
                    &attempt.outcome.as_str(),
                    &err.map(|e| e.error_type.as_str()),
                    &err.map(|e| e.error_message.as_str()),
                ],
            )
            .await
            .map_err(db)?;
    }
    Ok(())
}

/// A batch of completions in three statements (events, attempts, deliveries), whatever its
/// size: the per-event round trips of [`finish`] were most of PostgreSQL's cost per drained
/// event. The same rules as `finish`: only events still `running` move on, and only those get
/// their attempt and deliveries. A batch naming one event twice takes the one-by-one path.
async fn finish_many(
    client: &impl GenericClient,
    fs: &[AttemptFinish],
    node: &str,
) -> Result<(), StoreError> {
    let mut seen = std::collections::HashSet::with_capacity(fs.len());
    if !fs.iter().all(|f| seen.insert(f.seq)) {
        for f in fs {
            finish(client, f, node).await?;
        }
        return Ok(());
    }
    let seqs: Vec<i64> = fs.iter().map(|f| f.seq).collect();
    let states: Vec<&str> = fs.iter().map(|f| f.next.state().name()).collect();
    let conditions: Vec<Option<&str>> = fs
        .iter()
        .map(|f| f.next.state().condition().map(|c| c.as_str()))
        .collect();
    let dues: Vec<Option<i64>> = fs.iter().map(|f| f.next.due_at().map(|t| t.0)).collect();
    let ended: Vec<Option<i64>> = fs
        .iter()
        .map(|f| f.attempt.as_ref().map(|a| a.ended_at.0))
        .collect();
    let invocations: Vec<i32> = fs.iter().map(|f| i32_of(f.invocations)).collect();
    let throttles: Vec<i32> = fs.iter().map(|f| i32_of(f.throttles)).collect();
    let responses: Vec<Option<&[u8]>> = fs.iter().map(|f| f.response.as_deref()).collect();
    let errors: Vec<Option<&str>> = fs.iter().map(|f| f.function_error.as_deref()).collect();
    let decided: Vec<i64> = fs.iter().map(|f| f.decided_at.0).collect();
    let update = client
        .prepare_cached(
            "UPDATE events e SET state = u.state, condition = u.cond, due_at = u.due,
                 updated_at = coalesce(u.ended, u.decided),
                 invocations = u.inv, throttles = u.thr,
                 attempt_count = e.attempt_count + (u.ended IS NOT NULL)::int,
                 response = coalesce(u.resp, e.response),
                 function_error = CASE WHEN u.resp IS NULL THEN e.function_error ELSE u.ferr END
             FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::bigint[],
                         $6::int[], $7::int[], $8::bytea[], $9::text[], $10::bigint[])
                  AS u(seq, state, cond, due, ended, inv, thr, resp, ferr, decided)
             WHERE e.id = u.seq AND e.state = 'running' AND (e.owner = $11 OR e.owner IS NULL)
             RETURNING e.id, e.attempt_count",
        )
        .await
        .map_err(db)?;
    let rows = client
        .query(
            &update,
            &[
                &seqs,
                &states,
                &conditions,
                &dues,
                &ended,
                &invocations,
                &throttles,
                &responses,
                &errors,
                &decided,
                &node,
            ],
        )
        .await
        .map_err(db)?;
    // Events not running any more (released or reclaimed meanwhile) are left as they are.
    let moved: std::collections::HashMap<i64, i32> =
        rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    let done: Vec<&AttemptFinish> = fs.iter().filter(|f| moved.contains_key(&f.seq)).collect();
    let ran: Vec<(&AttemptFinish, &AttemptRecord)> = done
        .iter()
        .filter_map(|f| f.attempt.as_ref().map(|a| (*f, a)))
        .collect();
    if !ran.is_empty() {
        let ids: Vec<i64> = ran.iter().map(|(f, _)| f.seq).collect();
        let ns: Vec<i32> = ran.iter().map(|(f, _)| moved[&f.seq]).collect();
        let started: Vec<i64> = ran.iter().map(|(_, a)| a.started_at.0).collect();
        let ends: Vec<i64> = ran.iter().map(|(_, a)| a.ended_at.0).collect();
        let outcomes: Vec<&str> = ran.iter().map(|(_, a)| a.outcome.as_str()).collect();
        let types: Vec<Option<&str>> = ran
            .iter()
            .map(|(_, a)| a.error.as_ref().map(|e| e.error_type.as_str()))
            .collect();
        let messages: Vec<Option<&str>> = ran
            .iter()
            .map(|(_, a)| a.error.as_ref().map(|e| e.error_message.as_str()))
            .collect();
        let insert = client
            .prepare_cached(
                "INSERT INTO attempts (event_id, n, started_at, ended_at, outcome, error_type,
                     error_message)
                 SELECT * FROM unnest($1::bigint[], $2::int[], $3::bigint[], $4::bigint[],
                                      $5::text[], $6::text[], $7::text[])",
            )
            .await
            .map_err(db)?;
        client
            .execute(
                &insert,
                &[&ids, &ns, &started, &ends, &outcomes, &types, &messages],
            )
            .await
            .map_err(db)?;
    }
    // Deliveries stamped with their own decision time, in batch order.
    for f in done.iter().filter(|f| !f.deliveries.is_empty()) {
        insert_deliveries(client, &f.deliveries, f.decided_at).await?;
    }
    Ok(())
}

const SUMMARY: &str = "SELECT request_id, state, condition, enqueued_at, updated_at, invocations
     FROM events";

fn summaries(rows: Vec<tokio_postgres::Row>) -> Result<Vec<EventSummary>, StoreError> {
    rows.iter()
        .map(|r| {
            Ok(EventSummary {
                request_id: RequestId::from_stored(r.get(0)),
                state: state(r.get(1), r.get(2))?,
                enqueued_at: Timestamp(r.get(3)),
                updated_at: Timestamp(r.get(4)),
                invocations: u32_of(r.get(5)),
            })
        })
        .collect()
}

#[async_trait]
impl Queue for PgStore {
    fn observe_remote_work(&self, observer: std::sync::Arc<dyn lambkin_store::RemoteWork>) {
        let _ = self.remote_work.set(observer);
    }

    async fn enqueue(&self, event: NewEvent) -> Result<(), StoreError> {
        self.enqueues.enqueue(event).await
    }

    async fn claim(&self, request: &ClaimRequest) -> Result<Claimed, StoreError> {
        let mut client = self.client().await?;
        claim(&mut client, request, &self.node).await
    }

    async fn extend_lease(&self, seqs: Vec<i64>, lease_until: Timestamp) -> Result<(), StoreError> {
        self.client()
            .await?
            .execute(
                "UPDATE events SET due_at = $2 WHERE id = ANY($1) AND state = 'running'",
                &[&seqs, &lease_until.0],
            )
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn finish(&self, f: AttemptFinish) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        finish(&tx, &f, &self.node).await?;
        tx.commit().await.map_err(db)
    }

    async fn finish_batch(&self, finishes: Vec<AttemptFinish>) -> Result<(), StoreError> {
        if finishes.is_empty() {
            return Ok(());
        }
        // Fast path: the whole batch in one commit. While the database is unreachable the
        // batch is tried again (the results are here; dropping them would leave their events
        // Running until their lease runs out, to run again). Should one completion fail, the
        // batch is redone one completion at a time, so a failure leaves only its own event
        // Running under its lease.
        let mut pause = Duration::from_millis(50);
        let give_up = Instant::now() + FINISH_RETRY_FOR;
        let mut client = loop {
            let attempt = async {
                let mut client = self.client().await?;
                let result = {
                    let tx = client.transaction().await.map_err(db)?;
                    match finish_many(&tx, &finishes, &self.node).await {
                        Ok(()) => tx.commit().await.map_err(db).map(|()| true),
                        Err(e) if e.is_transient() => Err(e),
                        Err(_) => tx.rollback().await.map_err(db).map(|()| false),
                    }
                };
                result.map(|committed| (client, committed))
            };
            match attempt.await {
                Ok((_, true)) => return Ok(()),
                Ok((client, false)) => break client,
                Err(e) if e.is_transient() && Instant::now() < give_up => {
                    tracing::warn!(error = %e, "cannot record attempts yet; trying again");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(2));
                }
                Err(e) => return Err(e),
            }
        };
        for f in &finishes {
            let tx = client.transaction().await.map_err(db)?;
            match finish(&tx, f, &self.node).await {
                Ok(()) => tx.commit().await.map_err(db)?,
                Err(e) => {
                    tracing::error!(error = %e, seq = f.seq, "cannot record an attempt; its event stays running under its lease");
                    tx.rollback().await.map_err(db)?;
                }
            }
        }
        Ok(())
    }

    async fn release(&self, seqs: Vec<i64>, now: Timestamp) -> Result<(), StoreError> {
        self.client()
            .await?
            .execute(
                "UPDATE events SET state = 'queued', due_at = $2, updated_at = $2
                 WHERE id = ANY($1) AND state = 'running'",
                &[&seqs, &now.0],
            )
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn recover(&self, now: Timestamp) -> Result<u64, StoreError> {
        self.client()
            .await?
            .execute(
                // Only this node's own claims (and those made before claims named a node): a
                // live node's running events are its own business.
                "UPDATE events SET state = 'queued', due_at = $1, updated_at = $1,
                     interrupted = interrupted + 1
                 WHERE state = 'running' AND (owner = $2 OR owner IS NULL)",
                &[&now.0, &&*self.node],
            )
            .await
            .map_err(db)
    }

    async fn event(&self, id: &RequestId) -> Result<Option<EventRecord>, StoreError> {
        let client = self.client().await?;
        let Some(r) = client
            .query_opt(
                "SELECT id, request_id, function, qualifier, version, payload, state, condition,
                     enqueued_at, updated_at, due_at, invocations, throttles, interrupted,
                     response, function_error
                 FROM events WHERE request_id = $1",
                &[&id.as_str()],
            )
            .await
            .map_err(db)?
        else {
            return Ok(None);
        };
        let seq: i64 = r.get(0);
        let attempts = client
            .query(
                "SELECT started_at, ended_at, outcome, error_type, error_message
                 FROM attempts WHERE event_id = $1 ORDER BY n",
                &[&seq],
            )
            .await
            .map_err(db)?
            .iter()
            .map(|a| {
                let outcome: String = a.get(2);
                let error_type: Option<String> = a.get(3);
                let error_message: Option<String> = a.get(4);
                Ok(AttemptRecord {
                    started_at: Timestamp(a.get(0)),
                    ended_at: Timestamp(a.get(1)),
                    outcome: OutcomeKind::parse(&outcome)
                        .ok_or_else(|| corrupt(format!("outcome {outcome}")))?,
                    error: error_type.map(|error_type| FunctionError {
                        error_type,
                        error_message: error_message.unwrap_or_default(),
                    }),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Some(EventRecord {
            request_id: RequestId::from_stored(r.get(1)),
            function: FunctionName::parse(r.get(2)).map_err(corrupt)?,
            qualifier: r.get(3),
            version: r.get(4),
            payload: r.get(5),
            state: state(r.get(6), r.get(7))?,
            enqueued_at: Timestamp(r.get(8)),
            updated_at: Timestamp(r.get(9)),
            due_at: r.get::<_, Option<i64>>(10).map(Timestamp),
            invocations: u32_of(r.get(11)),
            throttles: u32_of(r.get(12)),
            interrupted: u32_of(r.get(13)),
            response: r.get(14),
            function_error: r.get(15),
            attempts,
        }))
    }

    async fn events(
        &self,
        function: &FunctionName,
        limit: usize,
    ) -> Result<Vec<EventSummary>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                &format!("{SUMMARY} WHERE function = $1 ORDER BY id DESC LIMIT $2"),
                &[&function.as_str(), &(limit as i64)],
            )
            .await
            .map_err(db)?;
        summaries(rows)
    }

    async fn failed_events(
        &self,
        function: &FunctionName,
        limit: usize,
    ) -> Result<Vec<EventSummary>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                &format!(
                    "{SUMMARY} WHERE function = $1 AND state = 'failed' ORDER BY id DESC LIMIT $2"
                ),
                &[&function.as_str(), &(limit as i64)],
            )
            .await
            .map_err(db)?;
        summaries(rows)
    }

    async fn discard_events(
        &self,
        function: &FunctionName,
        version: Option<&str>,
    ) -> Result<u64, StoreError> {
        const OF: &str =
            "function = $1 AND due_at IS NOT NULL AND ($2::text IS NULL OR version = $2)";
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        tx.execute(
            &format!("DELETE FROM attempts WHERE event_id IN (SELECT id FROM events WHERE {OF})"),
            &[&function.as_str(), &version],
        )
        .await
        .map_err(db)?;
        let n = tx
            .execute(
                &format!("DELETE FROM events WHERE {OF}"),
                &[&function.as_str(), &version],
            )
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(n)
    }

    async fn stats(&self) -> Result<QueueStats, StoreError> {
        let r = self
            .client()
            .await?
            .query_one(
                "SELECT count(*) FILTER (WHERE state = 'queued'),
                        count(*) FILTER (WHERE state = 'running'),
                        count(*) FILTER (WHERE state = 'retry_scheduled'),
                        count(*) FILTER (WHERE state = 'succeeded'),
                        count(*) FILTER (WHERE state = 'failed'),
                        coalesce(sum(interrupted), 0)::bigint
                 FROM events",
                &[],
            )
            .await
            .map_err(db)?;
        let n = |i: usize| u64::try_from(r.get::<_, i64>(i)).unwrap_or(0);
        Ok(QueueStats {
            queued: n(0),
            running: n(1),
            retry_scheduled: n(2),
            succeeded: n(3),
            failed: n(4),
            reruns: n(5),
        })
    }
}
