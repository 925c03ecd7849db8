//! The accept path: `Invoke` in its three types. `Event` returns once the event is durable
//! (then the API answers 202) and wakes the dispatcher; `RequestResponse` runs now on an
//! environment or answers 429, never queued; `DryRun` only checks the function.
//!
//! [`Accept`] is also how lambkin itself queues events: function destinations and SNS
//! subscriptions (the outbox), and `lambkin dlq redrive`.

use std::sync::Arc;

use bytes::Bytes;
use lambkin_model::{Clock, FunctionRef, MAX_CHAIN, Qualifier, RequestId, Scope, with_lineage};
use lambkin_sandbox::{EnvironmentPool, Invocation};
use lambkin_store::{NewEvent, Store};
use tokio::sync::watch;

use crate::EngineError;
use crate::concurrency::Limiter;
use crate::dispatch::Wake;
use crate::metrics::Metrics;
use crate::registry::{FunctionEntry, Registry};

#[derive(Debug, Clone, Default)]
pub struct SyncOptions {
    pub tail_log: bool,
    /// Decoded `X-Amz-Client-Context` JSON.
    pub client_context: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SyncInvocation {
    pub request_id: RequestId,
    pub payload: Bytes,
    /// `Some("Unhandled")` for every function error, as modern runtimes report.
    pub function_error: Option<&'static str>,
    pub log_tail: Option<String>,
    pub executed_version: String,
}

/// The invoke paths, with what they use.
#[derive(Debug, Clone)]
pub struct Accept {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) registry: Arc<Registry>,
    pub(crate) limiter: Arc<Limiter>,
    pub(crate) pool: Arc<EnvironmentPool>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) metrics: Arc<Metrics>,
    /// Wakes the dispatcher for each event queued.
    pub(crate) wake: Arc<Wake>,
    pub(crate) scope: Scope,
    /// Set once the engine stops: no more events are accepted.
    pub(crate) stop: watch::Receiver<bool>,
}

impl Accept {
    /// The function an invoke names and the version this invocation runs (an alias picks one
    /// by its weights; `None` is `$LATEST`, the common case, without an allocation); AWS
    /// appends `:$LATEST` to the ARN in its 404 message when unqualified.
    fn target(&self, r: &FunctionRef) -> Result<(Arc<FunctionEntry>, Option<String>), EngineError> {
        let not_found = || {
            let arn = self.scope.qualified_arn(&r.name, &r.effective_qualifier());
            EngineError::NotFound(format!("Function not found: {arn}"))
        };
        let entry = self.registry.get(&r.name).ok_or_else(not_found)?;
        let version = match &r.qualifier {
            None => None,
            Some(q) => {
                let v = entry
                    .route(Some(q), fastrand::f64())
                    .ok_or_else(not_found)?;
                (v != Qualifier::LATEST).then(|| v.to_string())
            }
        };
        Ok((entry, version))
    }

    /// The ARN the caller used, as `Lambda-Runtime-Invoked-Function-Arn`.
    fn invoked_arn(&self, r: &FunctionRef) -> String {
        match &r.qualifier {
            Some(q) => self.scope.qualified_arn(&r.name, q),
            None => self.scope.function_arn(&r.name),
        }
    }

    /// `RequestResponse`: runs now or answers 429; never queued. `chain` as for
    /// [`Accept::enqueue`]: an invocation past [`MAX_CHAIN`] of its chain is refused.
    pub async fn invoke(
        &self,
        r: &FunctionRef,
        payload: Bytes,
        opts: SyncOptions,
        chain: u32,
    ) -> Result<SyncInvocation, EngineError> {
        let (entry, version) = self.target(r)?;
        let Some((_, spec)) = entry.version(version.as_deref().unwrap_or(Qualifier::LATEST)) else {
            return Err(EngineError::NotFound(format!(
                "Function not found: {}",
                self.scope.qualified_arn(&r.name, &r.effective_qualifier())
            )));
        };
        let spec = spec.clone();
        let place = chain.saturating_add(1);
        if place > MAX_CHAIN && !entry.config.recursive_loop_allowed {
            entry.slots.metrics.dropped_recursive();
            tracing::warn!(function = %entry.config.name, chain = place, "recursive loop stopped: a synchronous invoke would be invocation {place} of one chain (at most {MAX_CHAIN} run)");
            return Err(EngineError::RecursiveInvocation(
                entry.config.name.to_string(),
                place,
            ));
        }
        let permit = self
            .limiter
            .acquire(&entry.slots, entry.config.reserved_concurrency)
            .map_err(|reason| {
                entry.slots.metrics.throttles.inc();
                EngineError::Throttled(reason)
            })?;
        let request_id = RequestId::random();
        let invocation = Invocation {
            trace_id: with_lineage(
                &request_id.trace_id(self.clock.now().millis()),
                entry.config.name.as_str(),
                place,
            ),
            request_id: request_id.clone(),
            payload,
            invoked_arn: self.invoked_arn(r),
            client_context: opts.client_context,
            tail_log: opts.tail_log,
        };
        // The invocation runs in its own task: a caller that hangs up does not cut the function
        // off mid-run (AWS lets it finish), and the slot stays taken until it does.
        let (pool, metrics) = (self.pool.clone(), self.metrics.clone());
        // Only qualified invocations are counted by resource (AWS's Resource dimension).
        let resource = r.qualifier.clone().map(|q| {
            (
                q,
                version.clone().unwrap_or_else(|| Qualifier::LATEST.into()),
            )
        });
        let result = tokio::spawn(async move {
            let result = pool.invoke(&spec, invocation).await;
            drop(permit);
            metrics.count_run(&entry.slots.metrics, &result);
            if let Some((q, ran)) = &resource {
                metrics.count_resource_run(&entry.config.name, Some(q.as_str()), ran, &result);
            }
            result
        })
        .await
        .map_err(|_| EngineError::ShuttingDown)?;
        Ok(SyncInvocation {
            request_id,
            function_error: result.outcome.is_function_error().then_some("Unhandled"),
            payload: result.payload,
            log_tail: result.log,
            executed_version: version.unwrap_or_else(|| Qualifier::LATEST.into()),
        })
    }

    /// `Event`: returns once the event is durable; the dispatcher runs it later. `chain` is how
    /// many invocations the chain that caused it has had (0: nothing caused it); the event is
    /// the next one, and the dispatcher stops it if that makes a recursive loop.
    pub async fn enqueue(
        &self,
        r: &FunctionRef,
        payload: Bytes,
        chain: u32,
    ) -> Result<RequestId, EngineError> {
        let (entry, version) = self.target(r)?;
        if *self.stop.borrow() {
            return Err(EngineError::ShuttingDown);
        }
        let request_id = RequestId::random();
        self.store
            .enqueue(NewEvent {
                request_id: request_id.clone(),
                function: entry.config.name.clone(),
                qualifier: r.qualifier.as_ref().map(ToString::to_string),
                // Routed now and kept: its retries run the same version.
                version,
                payload: payload.to_vec(),
                enqueued_at: self.clock.now(),
                chain: chain.saturating_add(1),
            })
            .await?;
        self.wake.work();
        entry.slots.metrics.async_received.inc();
        Ok(request_id)
    }

    /// `DryRun`: validates that the function exists and could be invoked.
    pub fn dry_run(&self, r: &FunctionRef) -> Result<(), EngineError> {
        self.target(r).map(|_| ())
    }
}
