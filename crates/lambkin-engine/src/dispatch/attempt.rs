//! One attempt of one claimed event. The dispatcher builds an [`Attempt`] from the event and
//! the function's current snapshot and asks [`Attempt::gate`] whether it may run (age,
//! reserved concurrency 0); [`throttled`] is what an event is told when every slot is busy.
//! The [`Runner`] then runs it on an environment holding a slot's permit, or ends it without
//! running; both do their I/O and hand the rest to the pure rules of `finish.rs`.

use std::sync::Arc;

use bytes::Bytes;
use lambkin_model::{
    BeforeRun, Clock, FailureCondition, Gate, MAX_CHAIN, Qualifier, RetryPolicy, Scope, TimeScale,
    Timestamp, gate, with_lineage,
};
use lambkin_sandbox::{EnvironmentPool, EnvironmentSpec, Invocation, InvocationResult};
use lambkin_store::{ClaimedEvent, Store};

use super::finish::{self, Finish, Ran, history};
use crate::concurrency::Permit;
use crate::destinations::{LastRun, Routes};
use crate::metrics::Metrics;
use crate::registry::FunctionEntry;

/// A claimed event with the function snapshot it will run on.
#[derive(Debug)]
pub(crate) struct Attempt {
    ev: ClaimedEvent,
    entry: Arc<FunctionEntry>,
    qualifier: Qualifier,
    /// The environment of the version it was routed to at enqueue (`ev.version`).
    spec: Arc<EnvironmentSpec>,
    policy: RetryPolicy,
}

/// The qualifier an event was sent to, and the policy of that qualifier's event-invoke config.
fn policy(ev: &ClaimedEvent, entry: &FunctionEntry, scale: TimeScale) -> (Qualifier, RetryPolicy) {
    let qualifier = ev
        .qualifier
        .as_deref()
        .and_then(|q| Qualifier::parse(q).ok())
        .unwrap_or_else(Qualifier::latest);
    let policy = RetryPolicy::new(&entry.invoke_config(&qualifier), scale);
    (qualifier, policy)
}

/// What an event is told when it is due and every slot of its function is busy: wait for one
/// until its age runs out, or fail now.
pub(crate) fn throttled(
    ev: &ClaimedEvent,
    entry: &FunctionEntry,
    scale: TimeScale,
    now: Timestamp,
) -> Gate {
    gate(
        BeforeRun::Throttled,
        history(ev),
        &policy(ev, entry, scale).1,
        now,
    )
}

/// The version an event was routed to (`None` is `$LATEST`), without copying it.
fn version_of(ev: &ClaimedEvent) -> &str {
    ev.version.as_deref().unwrap_or(Qualifier::LATEST)
}

/// An event routed to a version deleted since: its version's events are discarded, as a
/// deleted function's are.
#[derive(Debug)]
pub(crate) struct VersionGone {
    pub seq: i64,
    pub function: lambkin_model::FunctionName,
    pub version: Option<String>,
}

impl Attempt {
    pub(crate) fn new(
        ev: ClaimedEvent,
        entry: Arc<FunctionEntry>,
        scale: TimeScale,
    ) -> Result<Self, VersionGone> {
        let version = version_of(&ev);
        let Some((_, spec)) = entry.version(version) else {
            return Err(VersionGone {
                seq: ev.seq,
                function: ev.function,
                version: ev.version,
            });
        };
        let spec = spec.clone();
        let (qualifier, policy) = policy(&ev, &entry, scale);
        Ok(Attempt {
            ev,
            entry,
            qualifier,
            spec,
            policy,
        })
    }

    pub(crate) fn seq(&self) -> i64 {
        self.ev.seq
    }

    /// Before it takes a slot: run, or end now (a recursive loop, too old, or reserved
    /// concurrency 0).
    pub(crate) fn gate(&self, now: Timestamp) -> Gate {
        let step = if self.ev.chain > MAX_CHAIN && !self.entry.config.recursive_loop_allowed {
            BeforeRun::RecursiveLoop
        } else if self.entry.config.reserved_concurrency == Some(0) {
            BeforeRun::ZeroReservedConcurrency
        } else {
            BeforeRun::Due
        };
        gate(step, history(&self.ev), &self.policy, now)
    }
}

/// Runs attempts, with what a run uses: the environments, the clock, the metrics, and the
/// store for an event's earlier run.
#[derive(Debug, Clone)]
pub(crate) struct Runner {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) pool: Arc<EnvironmentPool>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) scope: Scope,
}

impl Runner {
    /// Runs the event on an environment while holding `permit`, and decides what follows.
    pub(crate) async fn run(&self, attempt: Attempt, permit: Permit) -> Finish {
        let Attempt {
            mut ev,
            entry,
            qualifier,
            spec,
            policy,
        } = attempt;
        // Shared, not copied: the run and the records both read it.
        let payload = Bytes::from(std::mem::take(&mut ev.payload));
        let started_at = self.clock.now();
        let metrics = &entry.slots.metrics;
        metrics
            .async_age
            .observe(started_at.since(ev.enqueued_at).as_secs_f64());
        let result = self
            .run_on_environment(&entry, &spec, &ev, &qualifier, payload.clone())
            .await;
        drop(permit);
        let ended_at = self.clock.now();
        self.metrics.count_run(metrics, &result);
        self.metrics.count_resource_run(
            &entry.config.name,
            ev.qualifier.as_deref(),
            version_of(&ev),
            &result,
        );
        let ran = Ran {
            started_at,
            ended_at,
            outcome: &result.outcome,
            payload: &result.payload,
        };
        let routes = Routes::of(&entry, &qualifier, version_of(&ev), &self.scope);
        let finish = finish::after_running(&ev, &payload, ran, &policy, &routes);
        Finish::record(finish, metrics)
    }

    /// Fails an event without running it, as `gate` or `throttled` decided. An earlier run's
    /// response and error, if any, come from the store: this path is rare, so the claim does
    /// not carry them for every event.
    pub(crate) async fn end_without_run(
        &self,
        attempt: Attempt,
        condition: FailureCondition,
        now: Timestamp,
    ) -> Finish {
        let Attempt {
            ev,
            entry,
            qualifier,
            ..
        } = attempt;
        if condition == FailureCondition::RecursiveInvocation {
            tracing::warn!(
                function = %entry.config.name,
                request_id = %ev.request_id,
                chain = ev.chain,
                "recursive loop stopped: this event would be invocation {} of one chain (at most {MAX_CHAIN} run); it goes to the dead-letter queue or on-failure destination, if set",
                ev.chain
            );
        }
        let routes = Routes::of(&entry, &qualifier, version_of(&ev), &self.scope);
        let earlier = if ev.invocations > 0 {
            match self.store.event(&ev.request_id).await {
                Ok(record) => record,
                Err(e) => {
                    // Deciding without the last response would send a wrong record; leave the
                    // event to be decided again after its lease.
                    tracing::error!(error = %e, request_id = %ev.request_id, "cannot read the event's last run");
                    return Finish::Abandon;
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
        let finish = finish::without_running(&ev, condition, last, &routes, now);
        Finish::record(finish, &entry.slots.metrics)
    }

    async fn run_on_environment(
        &self,
        entry: &FunctionEntry,
        spec: &Arc<EnvironmentSpec>,
        ev: &ClaimedEvent,
        qualifier: &Qualifier,
        payload: Bytes,
    ) -> InvocationResult {
        let scope = &self.scope;
        let invoked_arn = match &ev.qualifier {
            Some(_) => scope.qualified_arn(&entry.config.name, qualifier),
            None => scope.function_arn(&entry.config.name),
        };
        let invocation = Invocation {
            request_id: ev.request_id.clone(),
            payload,
            invoked_arn,
            // Derived from the event, so every attempt carries the same trace; its lineage is
            // the event's place in its chain, which the SDKs send back on the calls the
            // function makes.
            trace_id: with_lineage(
                &ev.request_id.trace_id(ev.enqueued_at.millis()),
                entry.config.name.as_str(),
                ev.chain.max(1),
            ),
            client_context: None,
            tail_log: false,
        };
        self.pool.invoke(spec, invocation).await
    }
}
