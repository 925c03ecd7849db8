//! One attempt of one claimed event: gate it (age, reserved concurrency 0, a free slot), run
//! it, turn the outcome into the next state with `decide`, and list the deliveries a final
//! state owes (dead-letter queue, destinations) so they commit with it.

use std::sync::Arc;

use bytes::Bytes;
use lambkin_model::{
    Decision, History, Outcome, OutcomeKind, Qualifier, RetryPolicy, Step, Timestamp, decide,
};
use lambkin_sandbox::Invocation;
use lambkin_store::{AttemptFinish, AttemptRecord, ClaimedEvent, NewDelivery, NextState};

use crate::Engine;
use crate::destinations::{Decided, LastRun};
use crate::invoke::trace_id;
use crate::registry::FunctionEntry;

fn next_state(decision: Decision) -> NextState {
    match decision {
        Decision::Succeed | Decision::Run => NextState::Succeeded,
        Decision::RetryAt(t) => NextState::RetryAt(t),
        Decision::Fail(c) => NextState::Failed(c),
    }
}

/// What to record once the slot is free again.
pub(crate) enum Finish {
    Record(AttemptFinish),
    /// The function was deleted: its events are discarded.
    Discard(lambkin_model::FunctionName),
    /// Nothing can be decided now: the event stays `Running` under its lease and is taken
    /// again when the lease runs out (or at the next start).
    Abandon,
}

impl Engine {
    pub(crate) async fn attempt(&self, mut ev: ClaimedEvent) -> Finish {
        let inner = &self.inner;
        let Some(entry) = inner.registry.get(&ev.function) else {
            return Finish::Discard(ev.function);
        };
        let qualifier = ev
            .qualifier
            .as_deref()
            .and_then(|q| Qualifier::parse(q).ok())
            .unwrap_or_else(Qualifier::latest);
        let invoke_config = entry.invoke_config(&qualifier);
        let policy = RetryPolicy::new(&invoke_config, inner.config.time_scale);
        let mut history = History {
            enqueued_at: ev.enqueued_at,
            invocations: ev.invocations,
            throttles: ev.throttles,
        };
        let now = inner.clock.now();
        let gate = if entry.config.reserved_concurrency == Some(0) {
            decide(Step::ZeroReservedConcurrency, history, &policy, now)
        } else {
            decide(Step::Due, history, &policy, now)
        };
        if gate != Decision::Run {
            // Failed before running: no attempt, no response (AWS's records for
            // ZeroReservedConcurrency carry neither).
            let next = next_state(gate);
            let Some(deliveries) = self
                .owed_without_run(&entry, &qualifier, &ev, next, history.invocations, now)
                .await
            else {
                return Finish::Abandon;
            };
            return Finish::Record(AttemptFinish {
                seq: ev.seq,
                attempt: None,
                next,
                invocations: history.invocations,
                throttles: history.throttles,
                response: None,
                function_error: None,
                decided_at: now,
                deliveries,
            });
        }
        let permit = match inner
            .limiter
            .acquire(&entry.slots, entry.config.reserved_concurrency)
        {
            Ok(p) => p,
            Err(_) => {
                history.throttles += 1;
                let next = next_state(decide(Step::Throttled, history, &policy, now));
                let Some(deliveries) = self
                    .owed_without_run(&entry, &qualifier, &ev, next, history.invocations, now)
                    .await
                else {
                    return Finish::Abandon;
                };
                return Finish::Record(AttemptFinish {
                    seq: ev.seq,
                    attempt: Some(AttemptRecord {
                        started_at: now,
                        ended_at: now,
                        outcome: OutcomeKind::Throttled,
                        error: None,
                    }),
                    next,
                    invocations: history.invocations,
                    throttles: history.throttles,
                    response: None,
                    function_error: None,
                    decided_at: now,
                    deliveries,
                });
            }
        };
        // Shared, not copied: the run and the records both read it.
        let payload = Bytes::from(std::mem::take(&mut ev.payload));
        let started_at = inner.clock.now();
        let result = self
            .run_on_environment(&entry, &ev, &qualifier, payload.clone())
            .await;
        drop(permit);
        let ended_at = inner.clock.now();
        history.invocations += 1;
        history.throttles = 0;
        let step = if result.outcome.is_function_error() {
            Step::FunctionError
        } else {
            Step::Success
        };
        let next = next_state(decide(step, history, &policy, ended_at));
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
        Finish::Record(AttemptFinish {
            seq: ev.seq,
            attempt: Some(AttemptRecord {
                started_at,
                ended_at,
                outcome: result.outcome.kind(),
                error: result.outcome.error().cloned(),
            }),
            next,
            invocations: history.invocations,
            throttles: history.throttles,
            function_error,
            response: keep_response.then(|| result.payload.to_vec()),
            decided_at: ended_at,
            deliveries,
        })
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
