//! [`Queue`] on SQLite. Writes go through the group-commit writer; reads use the reader pool.

use async_trait::async_trait;
use lambkin_model::{EventState, FunctionError, FunctionName, OutcomeKind, RequestId, Timestamp};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::SqliteStore;
use super::counts::Counts;
use crate::{
    AttemptFinish, AttemptRecord, ClaimPlan, ClaimRequest, Claimed, ClaimedEvent, EventRecord,
    EventSummary, NewEvent, Queue, QueueStats, StoreError,
};

const RUNNING: &str = "running";

#[async_trait]
impl Queue for SqliteStore {
    fn observe_commits(&self, observer: std::sync::Arc<dyn crate::CommitObserver>) {
        let _ = self.inner.observer.set(observer);
    }

    async fn enqueue(&self, event: NewEvent) -> Result<(), StoreError> {
        self.inner
            .writer
            .write(move |conn, counts| {
                let mut stmt = conn.prepare_cached(
                    "INSERT INTO events (request_id, function, qualifier, payload, state,
                         enqueued_at, updated_at, due_at, chain, version)
                     VALUES (?1, ?2, ?3, ?4, 'queued', ?5, ?5, ?5, ?6, ?7)",
                )?;
                let t = event.enqueued_at.0;
                match stmt.execute(params![
                    event.request_id.as_str(),
                    event.function.as_str(),
                    event.qualifier,
                    event.payload,
                    t,
                    event.chain,
                    event.version
                ]) {
                    Ok(_) => {
                        counts.add("queued", 1);
                        Ok(())
                    }
                    Err(rusqlite::Error::SqliteFailure(e, _))
                        if e.code == rusqlite::ErrorCode::ConstraintViolation =>
                    {
                        Err(StoreError::DuplicateEvent(event.request_id.to_string()))
                    }
                    Err(e) => Err(e.into()),
                }
            })
            .await
    }

    async fn claim(&self, request: &ClaimRequest) -> Result<Claimed, StoreError> {
        let request = request.clone();
        self.inner
            .writer
            .write(move |conn, counts| claim(conn, counts, &request))
            .await
    }

    async fn extend_lease(&self, seqs: Vec<i64>, lease_until: Timestamp) -> Result<(), StoreError> {
        self.inner
            .writer
            .write(move |conn, _| {
                let mut stmt = conn.prepare_cached(
                    "UPDATE events SET due_at = ?2 WHERE id = ?1 AND state = 'running'",
                )?;
                for seq in seqs {
                    stmt.execute(params![seq, lease_until.0])?;
                }
                Ok(())
            })
            .await
    }

    async fn finish(&self, f: AttemptFinish) -> Result<(), StoreError> {
        self.inner
            .writer
            .write(move |conn, counts| finish(conn, counts, &f))
            .await
    }

    async fn finish_batch(&self, finishes: Vec<AttemptFinish>) -> Result<(), StoreError> {
        if finishes.is_empty() {
            return Ok(());
        }
        self.inner
            .writer
            .write(move |conn, counts| {
                // Fast path: the whole batch under one savepoint. Should one completion fail,
                // the batch is undone and redone one completion at a time, so a failure leaves
                // only its own event Running under its lease (to run again).
                conn.prepare_cached("SAVEPOINT finish_batch")?.execute([])?;
                let mut moved = Counts::default();
                let all = finishes.iter().try_for_each(|f| finish(conn, &mut moved, f));
                if all.is_ok() {
                    conn.prepare_cached("RELEASE finish_batch")?.execute([])?;
                    counts.apply(&moved);
                    return Ok(());
                }
                conn.prepare_cached("ROLLBACK TO finish_batch")?.execute([])?;
                conn.prepare_cached("RELEASE finish_batch")?.execute([])?;
                for f in &finishes {
                    conn.prepare_cached("SAVEPOINT finish")?.execute([])?;
                    let mut moved = Counts::default();
                    match finish(conn, &mut moved, f) {
                        Ok(()) => counts.apply(&moved),
                        Err(e) => {
                            tracing::error!(error = %e, seq = f.seq, "cannot record an attempt; its event stays running under its lease");
                            conn.prepare_cached("ROLLBACK TO finish")?.execute([])?;
                        }
                    }
                    conn.prepare_cached("RELEASE finish")?.execute([])?;
                }
                Ok(())
            })
            .await
    }

    async fn release(&self, seqs: Vec<i64>, now: Timestamp) -> Result<(), StoreError> {
        self.inner
            .writer
            .write(move |conn, counts| {
                let mut stmt = conn.prepare_cached(
                    "UPDATE events SET state = 'queued', due_at = ?2, updated_at = ?2
                     WHERE id = ?1 AND state = 'running'",
                )?;
                for seq in seqs {
                    let n = stmt.execute(params![seq, now.0])?;
                    counts.moved(RUNNING, "queued", n as i64);
                }
                Ok(())
            })
            .await
    }

    async fn recover(&self, now: Timestamp) -> Result<u64, StoreError> {
        self.inner
            .writer
            .write(move |conn, counts| {
                let n = conn.execute(
                    "UPDATE events SET state = 'queued', due_at = ?1, updated_at = ?1,
                         interrupted = interrupted + 1
                     WHERE state = 'running'",
                    params![now.0],
                )?;
                counts.moved(RUNNING, "queued", n as i64);
                counts.rerun(n as i64);
                Ok(n as u64)
            })
            .await
    }

    async fn event(&self, id: &RequestId) -> Result<Option<EventRecord>, StoreError> {
        let id = id.to_string();
        self.read(move |conn| event_record(conn, &id)).await
    }

    async fn events(
        &self,
        function: &FunctionName,
        limit: usize,
    ) -> Result<Vec<EventSummary>, StoreError> {
        let function = function.to_string();
        self.read(move |conn| {
            let stmt = conn.prepare_cached(
                "SELECT request_id, state, condition, enqueued_at, updated_at, invocations
                 FROM events WHERE function = ?1 ORDER BY id DESC LIMIT ?2",
            )?;
            summaries(stmt, &function, limit)
        })
        .await
    }

    async fn failed_events(
        &self,
        function: &FunctionName,
        limit: usize,
    ) -> Result<Vec<EventSummary>, StoreError> {
        let function = function.to_string();
        self.read(move |conn| {
            let stmt = conn.prepare_cached(
                "SELECT request_id, state, condition, enqueued_at, updated_at, invocations
                 FROM events WHERE function = ?1 AND state = 'failed' ORDER BY id DESC LIMIT ?2",
            )?;
            summaries(stmt, &function, limit)
        })
        .await
    }

    async fn discard_events(
        &self,
        function: &FunctionName,
        version: Option<&str>,
    ) -> Result<u64, StoreError> {
        let function = function.to_string();
        let version = version.map(str::to_string);
        // `?2 IS NULL`: every unfinished event of the function; else only one version's.
        const OF: &str = "function = ?1 AND due_at IS NOT NULL AND (?2 IS NULL OR version = ?2)";
        self.inner
            .writer
            .write(move |conn, counts| {
                let mut by_state = conn.prepare_cached(&format!(
                    "SELECT state, count(*) FROM events WHERE {OF} GROUP BY state"
                ))?;
                let rows = by_state.query_map(params![function, version], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
                })?;
                for row in rows {
                    let (state, n) = row?;
                    counts.add(&state, -n);
                }
                conn.execute(
                    &format!(
                        "DELETE FROM attempts WHERE event_id IN (SELECT id FROM events WHERE {OF})"
                    ),
                    params![function, version],
                )?;
                let n = conn.execute(
                    &format!("DELETE FROM events WHERE {OF}"),
                    params![function, version],
                )?;
                Ok(n as u64)
            })
            .await
    }

    async fn stats(&self) -> Result<QueueStats, StoreError> {
        let counts = self.inner.counts.lock().map_err(|_| StoreError::Closed)?;
        Ok(counts.stats())
    }
}

/// The first function after `?1` with an unfinished event, and its earliest due time.
pub(super) const HEAD_AFTER: &str = "SELECT function, due_at FROM events
     WHERE due_at IS NOT NULL AND function > ?1
     ORDER BY function, due_at LIMIT 1";

/// Up to `?3` events of function `?1` due by `?2`, oldest due first.
pub(super) const DUE_OF_FUNCTION: &str =
    "SELECT id, request_id, function, qualifier, payload, state, enqueued_at,
            invocations, throttles, due_at, chain, version
     FROM events WHERE function = ?1 AND due_at IS NOT NULL AND due_at <= ?2
     ORDER BY due_at, id LIMIT ?3";

/// Each function's oldest due event (or lease expiry), one index seek per function.
fn heads(conn: &Connection) -> Result<Vec<(String, i64)>, StoreError> {
    let mut next = conn.prepare_cached(HEAD_AFTER)?;
    let mut heads = Vec::new();
    let mut after = String::new();
    while let Some((function, due)) = next
        .query_row(params![after], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))
        .optional()?
    {
        after.clone_from(&function);
        heads.push((function, due));
    }
    Ok(heads)
}

fn claim(
    conn: &Connection,
    counts: &mut Counts,
    request: &ClaimRequest,
) -> Result<Claimed, StoreError> {
    let now = request.now;
    let mut plan = ClaimPlan::new(request, heads(conn)?);

    let mut select = conn.prepare_cached(DUE_OF_FUNCTION)?;
    let mut claimed: Vec<(i64, ClaimedEvent)> = Vec::new();
    for function in plan.order() {
        let take = plan.take(&function);
        if take == 0 {
            continue;
        }
        let name =
            FunctionName::parse(&function).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let before = claimed.len();
        let rows = select.query_map(params![function, now.0, take as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Vec<u8>>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, u32>(7)?,
                r.get::<_, u32>(8)?,
                r.get::<_, i64>(9)?,
                r.get::<_, u32>(10)?,
                r.get::<_, Option<String>>(11)?,
            ))
        })?;
        for row in rows {
            let (seq, id, qualifier, payload, state, enq, inv, thr, due_at, chain, version) = row?;
            counts.moved(&state, RUNNING, 1);
            claimed.push((
                due_at,
                ClaimedEvent {
                    seq,
                    request_id: RequestId::from_stored(id),
                    function: name.clone(),
                    qualifier,
                    version,
                    payload,
                    enqueued_at: Timestamp(enq),
                    invocations: inv,
                    throttles: thr,
                    rerun: state == RUNNING,
                    chain,
                },
            ));
        }
        plan.took(&function, take, claimed.len() - before);
    }
    let mut update = conn.prepare_cached(
        "UPDATE events SET state = 'running', due_at = ?2, updated_at = ?3,
             interrupted = interrupted + ?4
         WHERE id = ?1",
    )?;
    for (_, ev) in &claimed {
        update.execute(params![
            ev.seq,
            request.lease_until.0,
            now.0,
            i64::from(ev.rerun)
        ])?;
        counts.rerun(i64::from(ev.rerun));
    }
    // After the claim: the earliest due event of a function that still has room.
    let next_due = plan.next_due(heads(conn)?);
    claimed.sort_by_key(|(due_at, ev)| (*due_at, ev.seq));
    Ok(Claimed {
        events: claimed.into_iter().map(|(_, ev)| ev).collect(),
        next_due,
    })
}

fn finish(conn: &Connection, counts: &mut Counts, f: &AttemptFinish) -> Result<(), StoreError> {
    let stored = f.next.state();
    let (state, condition, due) = (
        stored.name(),
        stored.condition().map(|c| c.as_str()),
        f.next.due_at().map(|t| t.0),
    );
    let ended = f.attempt.as_ref().map(|a| a.ended_at.0);
    // An event failed without running changed state when it was decided (retention counts
    // from then), not when it was claimed.
    let mut update = conn.prepare_cached(
        "UPDATE events SET state = ?2, condition = ?3, due_at = ?4,
             updated_at = coalesce(?5, ?10),
             invocations = ?6, throttles = ?7, attempt_count = attempt_count + (?5 IS NOT NULL),
             response = coalesce(?8, response),
             function_error = CASE WHEN ?8 IS NULL THEN function_error ELSE ?9 END
         WHERE id = ?1 AND state = 'running'",
    )?;
    let updated = update.execute(params![
        f.seq,
        state,
        condition,
        due,
        ended,
        f.invocations,
        f.throttles,
        f.response,
        f.function_error,
        f.decided_at.0,
    ])?;
    if updated == 0 {
        // Not running (released or reclaimed meanwhile): this attempt's result is stale.
        return Ok(());
    }
    counts.moved(RUNNING, state, 1);
    for d in &f.deliveries {
        super::outbox_ops::insert_delivery(conn, counts, d, f.decided_at)?;
    }
    if let Some(attempt) = &f.attempt {
        let mut insert = conn.prepare_cached(
            "INSERT INTO attempts (event_id, n, started_at, ended_at, outcome, error_type, error_message)
             SELECT ?1, attempt_count, ?2, ?3, ?4, ?5, ?6 FROM events WHERE id = ?1",
        )?;
        let err = attempt.error.as_ref();
        insert.execute(params![
            f.seq,
            attempt.started_at.0,
            attempt.ended_at.0,
            attempt.outcome.as_str(),
            err.map(|e| e.error_type.as_str()),
            err.map(|e| e.error_message.as_str()),
        ])?;
    }
    Ok(())
}

fn summaries(
    mut stmt: rusqlite::CachedStatement<'_>,
    function: &str,
    limit: usize,
) -> Result<Vec<EventSummary>, StoreError> {
    let rows = stmt.query_map(params![function, limit as i64], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, u32>(5)?,
        ))
    })?;
    rows.map(|row| {
        let (id, state, cond, enq, upd, inv) = row?;
        Ok(EventSummary {
            request_id: RequestId::from_stored(id),
            state: parse_state(&state, cond.as_deref())?,
            enqueued_at: Timestamp(enq),
            updated_at: Timestamp(upd),
            invocations: inv,
        })
    })
    .collect()
}

fn parse_state(state: &str, condition: Option<&str>) -> Result<EventState, StoreError> {
    EventState::from_parts(state, condition)
        .ok_or_else(|| StoreError::Corrupt(format!("state {state} condition {condition:?}")))
}

fn event_record(conn: &Connection, id: &str) -> Result<Option<EventRecord>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, request_id, function, qualifier, payload, state, condition, enqueued_at,
                updated_at, due_at, invocations, throttles, interrupted, response, function_error,
                version
         FROM events WHERE request_id = ?1",
    )?;
    let row = stmt
        .query_row(params![id], |r| {
            Ok((r.get::<_, i64>(0)?, row_to_record(r)?))
        })
        .optional()?;
    let Some((seq, record)) = row else {
        return Ok(None);
    };
    let mut record = record?;
    let mut attempts = conn.prepare_cached(
        "SELECT started_at, ended_at, outcome, error_type, error_message
         FROM attempts WHERE event_id = ?1 ORDER BY n",
    )?;
    record.attempts = attempts
        .query_map(params![seq], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })?
        .map(|row| {
            let (start, end, outcome, error_type, error_message) = row?;
            Ok(AttemptRecord {
                started_at: Timestamp(start),
                ended_at: Timestamp(end),
                outcome: OutcomeKind::parse(&outcome)
                    .ok_or_else(|| StoreError::Corrupt(format!("outcome {outcome}")))?,
                error: error_type.map(|error_type| FunctionError {
                    error_type,
                    error_message: error_message.unwrap_or_default(),
                }),
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Some(record))
}

type RecordResult = Result<EventRecord, StoreError>;

fn row_to_record(r: &Row<'_>) -> rusqlite::Result<RecordResult> {
    let state: String = r.get(5)?;
    let condition: Option<String> = r.get(6)?;
    let function: String = r.get(2)?;
    let build = || -> RecordResult {
        Ok(EventRecord {
            request_id: RequestId::from_stored(r.get(1)?),
            function: FunctionName::parse(&function)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            qualifier: r.get(3)?,
            version: r.get(15)?,
            payload: r.get(4)?,
            state: parse_state(&state, condition.as_deref())?,
            enqueued_at: Timestamp(r.get(7)?),
            updated_at: Timestamp(r.get(8)?),
            due_at: r.get::<_, Option<i64>>(9)?.map(Timestamp),
            invocations: r.get(10)?,
            throttles: r.get(11)?,
            interrupted: r.get(12)?,
            response: r.get(13)?,
            function_error: r.get(14)?,
            attempts: Vec::new(),
        })
    };
    Ok(build())
}
