//! One attempt of one claimed event. The dispatcher builds an [`Attempt`] from the event and
//! the function's current snapshot, asks [`Attempt::gate`] whether it may run (age, reserved
//! concurrency 0), and then either runs it holding a slot's permit or ends it without running.
//! [`throttled`] is what an event that found every slot busy is told. Every path goes through
//! `gate` or `after_run` and ends with the deliveries a final state owes (dead-letter queue, destinations),
//! so they commit with it.

use std::sync::Arc;

use bytes::Bytes;
use lambkin_model::{
    BeforeRun, EventInvokeConfig, FailureCondition, Gate, History, NextState, Outcome, Qualifier,
    RetryPolicy, RunEnded, TimeScale, Timestamp, after_run, gate,
};
use lambkin_sandbox::Invocation;
use lambkin_store::{AttemptFinish, AttemptRecord, ClaimedEvent, NewDelivery};

use crate::Engine;
use crate::concurrency::Permit;
use crate::destinations::{Decided, LastRun};
use crate::invoke::trace_id;
use crate::registry::FunctionEntry;

/// What to record once the slot is free again.
pub(crate) enum Finish {
    /// The attempt's result, and the drop to count once it is durable (AWS's
    /// AsyncEventsDropped; counted after the commit, so a rerun does not count it twice).
    Record(AttemptFinish, Option<Box<Dropped>>),
    /// The function was deleted: its events are discarded.
    Discard(lambkin_model::FunctionName),
    /// Nothing can be decided now: the event stays `Running` under its lease and is taken
    /// again when the lease runs out (or at the next start).
    Abandon,
}

/// An event that ended failed, for its function's metrics.
pub(crate) struct Dropped {
    pub metrics: crate::metrics::FunctionMetrics,
    pub condition: FailureCondition,
}

/// The qualifier an event was sent to and that qualifier's event-invoke config.
fn invoke_config(entry: &FunctionEntry, ev: &ClaimedEvent) -> (Qualifier, EventInvokeConfig) {
    let qualifier = ev
        .qualifier
        .as_deref()
        .and_then(|q| Qualifier::parse(q).ok())
        .unwrap_or_else(Qualifier::latest);
    let config = entry.invoke_config(&qualifier);
    (qualifier, config)
}

fn history(ev: &ClaimedEvent) -> History {
    History {
        enqueued_at: ev.enqueued_at,
        invocations: ev.invocations,
    }
}

/// What an event is told when it is due and every slot of its function is busy: wait for one
/// until its age runs out, or fail now.
pub(crate) fn throttled(
    ev: &ClaimedEvent,
    entry: &FunctionEntry,
    scale: TimeScale,
    now: Timestamp,
) -> Gate {
    let (_, config) = invoke_config(entry, ev);
    gate(
        BeforeRun::Throttled,
        history(ev),
        &RetryPolicy::new(&config, scale),
        now,
    )
}

/// A claimed event with the function snapshot it will run on.
#[derive(Debug)]
pub(crate) struct Attempt {
    ev: ClaimedEvent,
    entry: Arc<FunctionEntry>,
    qualifier: Qualifier,
    invoke_config: EventInvokeConfig,
    policy: RetryPolicy,
}

impl Attempt {
    pub(crate) fn new(ev: ClaimedEvent, entry: Arc<FunctionEntry>, scale: TimeScale) -> Self {
        let (qualifier, invoke_config) = invoke_config(&entry, &ev);
        let policy = RetryPolicy::new(&invoke_config, scale);
        Attempt {
            ev,
            entry,
            qualifier,
            invoke_config,
            policy,
        }
    }

    pub(crate) fn seq(&self) -> i64 {
        self.ev.seq
    }

    /// Before it takes a slot: run, or end now (too old, or reserved concurrency 0).
    pub(crate) fn gate(&self, now: Timestamp) -> Gate {
        let step = if self.entry.config.reserved_concurrency == Some(0) {
            BeforeRun::ZeroReservedConcurrency
        } else {
            BeforeRun::Due
        };
        gate(step, history(&self.ev), &self.policy, now)
    }
}

impl Engine {
    /// Fails an event without running it, as `gate` or `throttled` decided.
    pub(crate) async fn end_without_run(
        &self,
        attempt: Attempt,
        condition: FailureCondition,
        now: Timestamp,
    ) -> Finish {
        // Failed before running: no attempt, no response (AWS's records for
        // ZeroReservedConcurrency carry neither).
        let Attempt {
            ev,
            entry,
            qualifier,
            ..
        } = attempt;
        let next = NextState::Failed(condition);
        let dropped = Dropped {
            metrics: entry.slots.metrics.clone(),
            condition,
        };
        let Some(deliveries) = self
            .owed_without_run(&entry, &qualifier, &ev, next, ev.invocations, now)
            .await
        else {
            return Finish::Abandon;
        };
        Finish::Record(
            AttemptFinish {
                seq: ev.seq,
                attempt: None,
                next,
                invocations: ev.invocations,
                throttles: ev.throttles,
                response: None,
                function_error: None,
                decided_at: now,
                deliveries,
            },
            Some(Box::new(dropped)),
        )
    }

    /// Runs the event on an environment while holding `permit`, and decides what follows.
    pub(crate) async fn run(&self, attempt: Attempt, permit: Permit) -> Finish {
        let Attempt {
            mut ev,
            entry,
            qualifier,
            invoke_config,
            policy,
        } = attempt;
        let inner = &self.inner;
        // Shared, not copied: the run and the records both read it.
        let payload = Bytes::from(std::mem::take(&mut ev.payload));
        let started_at = inner.clock.now();
        let metrics = &entry.slots.metrics;
        metrics
            .async_age
            .observe(started_at.since(ev.enqueued_at).as_secs_f64());
        let result = self
            .run_on_environment(&entry, &ev, &qualifier, payload.clone())
            .await;
        drop(permit);
        let ended_at = inner.clock.now();
        self.count_run(metrics, &result);
        let mut history = history(&ev);
        history.invocations += 1;
        let ended = if result.outcome.is_function_error() {
            RunEnded::FunctionError
        } else {
            RunEnded::Success
        };
        let next = after_run(ended, history, &policy, ended_at);
        let dropped = match next {
            NextState::Failed(condition) => Some(Box::new(Dropped {
                metrics: metrics.clone(),
                condition,
            })),
            _ => None,
        };
        let keep_response = match result.outcome {
            Outcome::Success => invoke_config.destinations.on_success.is_some(),
            _ => true,
        };
        let function_error = result
            .outcome
            .is_function_error()
            .then(|| "Unhandled".to_string());
        let deliveries = self.deliveries_owed(
            &entry,
            &qualifier,
            Decided {
                request_id: ev.request_id.as_str(),
                next,
                invocations: history.invocations,
                payload: &payload,
                last: LastRun {
                    response: Some(&result.payload),
                    function_error: function_error.as_deref(),
                    error: result.outcome.error(),
                },
                at: ended_at,
            },
        );
        Finish::Record(
            AttemptFinish {
                seq: ev.seq,
                attempt: Some(AttemptRecord {
                    started_at,
                    ended_at,
                    outcome: result.outcome.kind(),
                    error: result.outcome.error().cloned(),
                }),
                next,
                invocations: history.invocations,
                throttles: ev.throttles,
                function_error,
                response: keep_response.then(|| result.payload.to_vec()),
                decided_at: ended_at,
                deliveries,
            },
            dropped,
        )
    }

    /// Deliveries of an event that ends without running now (reserved concurrency 0, or its
    /// age ran out while waiting). An earlier run's response and error, if any, come from the
    /// store: this path is rare, so the claim does not carry them for every event.
    async fn owed_without_run(
        &self,
        entry: &Arc<FunctionEntry>,
        qualifier: &Qualifier,
        ev: &ClaimedEvent,
        next: NextState,
        invocations: u32,
        now: Timestamp,
    ) -> Option<Vec<NewDelivery>> {
        if !matches!(next, NextState::Failed(_)) {
            return Some(Vec::new());
        }
        let earlier = if invocations > 0 {
            match self.inner.store.event(&ev.request_id).await {
                Ok(record) => record,
                Err(e) => {
                    // Deciding without the last response would send a wrong record; leave the
                    // event to be decided again after its lease.
                    tracing::error!(error = %e, request_id = %ev.request_id, "cannot read the event's last run");
                    return None;
                }
            }
        } else {
            None
        };
        let last = earlier.as_ref().map_or_else(LastRun::default, |r| LastRun {
            response: r.response.as_deref(),
            function_error: r.function_error.as_deref(),
            error: r.attempts.iter().rev().find_map(|a| a.error.as_ref()),
        });
        Some(self.deliveries_owed(
            entry,
            qualifier,
            Decided {
                request_id: ev.request_id.as_str(),
                next,
                invocations,
                payload: &ev.payload,
                last,
                at: now,
            },
        ))
    }

    async fn run_on_environment(
        &self,
        entry: &Arc<FunctionEntry>,
        ev: &ClaimedEvent,
        qualifier: &Qualifier,
        payload: Bytes,
    ) -> lambkin_sandbox::InvocationResult {
        let scope = &self.inner.config.scope;
        let invoked_arn = match &ev.qualifier {
            Some(_) => scope.qualified_arn(&entry.config.name, qualifier),
            None => scope.function_arn(&entry.config.name),
        };
        let invocation = Invocation {
            request_id: ev.request_id.clone(),
            payload,
            invoked_arn,
            // Derived from the event, so every attempt carries the same trace.
            trace_id: trace_id(&ev.request_id, ev.enqueued_at.millis()),
            client_context: None,
            tail_log: false,
        };
        self.inner.pool.invoke(&entry.spec, invocation).await
    }
}
