//! The invoke paths: synchronous (`RequestResponse`), asynchronous accept (`Event`) and `DryRun`.

use bytes::Bytes;
use lambkin_model::{FunctionRef, Qualifier, RequestId};
use lambkin_sandbox::Invocation;
use lambkin_store::NewEvent;

use crate::{Engine, EngineError};

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

/// `Root=1-<8 hex epoch s>-<24 hex>;Parent=<16 hex>;Sampled=0`, derived from the request id
/// so every attempt of an event carries the same trace.
pub(crate) fn trace_id(id: &RequestId, epoch_ms: i64) -> String {
    let hex: String = id
        .as_str()
        .chars()
        .filter(char::is_ascii_hexdigit)
        .collect();
    let (a, b) = hex.split_at(hex.len().min(24));
    format!(
        "Root=1-{:08x}-{a};Parent={:0>16};Sampled=0",
        epoch_ms / 1000,
        &b[..b.len().min(16)]
    )
}

impl Engine {
    /// The function an invoke names; AWS appends `:$LATEST` to the ARN in its 404 message.
    fn invoke_target(
        &self,
        r: &FunctionRef,
    ) -> Result<std::sync::Arc<crate::registry::FunctionEntry>, EngineError> {
        let q = r.effective_qualifier();
        self.entry(r).map_err(|_| {
            let arn = self.inner.config.scope.qualified_arn(&r.name, &q);
            EngineError::NotFound(format!("Function not found: {arn}"))
        })
    }

    /// The ARN the caller used, as `Lambda-Runtime-Invoked-Function-Arn`.
    fn invoked_arn(&self, r: &FunctionRef) -> String {
        let scope = &self.inner.config.scope;
        match &r.qualifier {
            Some(q) => scope.qualified_arn(&r.name, q),
            None => scope.function_arn(&r.name),
        }
    }

    /// `RequestResponse`: runs now or answers 429; never queued.
    pub async fn invoke(
        &self,
        r: &FunctionRef,
        payload: Bytes,
        opts: SyncOptions,
    ) -> Result<SyncInvocation, EngineError> {
        let entry = self.invoke_target(r)?;
        let permit = self
            .inner
            .limiter
            .acquire(&entry.slots, entry.config.reserved_concurrency)
            .map_err(|reason| {
                entry.slots.metrics.throttles.inc();
                EngineError::Throttled(reason)
            })?;
        let request_id = RequestId::random();
        let invocation = Invocation {
            trace_id: trace_id(&request_id, self.inner.clock.now().millis()),
            request_id: request_id.clone(),
            payload,
            invoked_arn: self.invoked_arn(r),
            client_context: opts.client_context,
            tail_log: opts.tail_log,
        };
        // The invocation runs in its own task: a caller that hangs up does not cut the function
        // off mid-run (AWS lets it finish), and the slot stays taken until it does.
        let engine = self.clone();
        let result = tokio::spawn(async move {
            let result = engine.inner.pool.invoke(&entry.spec, invocation).await;
            drop(permit);
            engine.count_run(&entry.slots.metrics, &result);
            result
        })
        .await
        .map_err(|_| EngineError::ShuttingDown)?;
        Ok(SyncInvocation {
            request_id,
            function_error: result.outcome.is_function_error().then_some("Unhandled"),
            payload: result.payload,
            log_tail: result.log,
            executed_version: Qualifier::LATEST.to_string(),
        })
    }

    /// `Event`: returns once the event is durable; the dispatcher runs it later.
    pub async fn enqueue(&self, r: &FunctionRef, payload: Bytes) -> Result<RequestId, EngineError> {
        let entry = self.invoke_target(r)?;
        if *self.inner.stop.borrow() {
            return Err(EngineError::ShuttingDown);
        }
        let request_id = RequestId::random();
        self.inner
            .store
            .enqueue(NewEvent {
                request_id: request_id.clone(),
                function: entry.config.name.clone(),
                qualifier: r.qualifier.as_ref().map(ToString::to_string),
                payload: payload.to_vec(),
                enqueued_at: self.inner.clock.now(),
            })
            .await?;
        self.inner.wake.work();
        entry.slots.metrics.async_received.inc();
        Ok(request_id)
    }

    /// AWS's Invocations, Errors, Duration and Init Duration for one run of function code.
    pub(crate) fn count_run(
        &self,
        metrics: &crate::metrics::FunctionMetrics,
        result: &lambkin_sandbox::InvocationResult,
    ) {
        metrics.invoked(result.duration, result.outcome.is_function_error());
        if let Some(init) = result.init_duration {
            self.inner.metrics.init_duration.observe(init.as_secs_f64());
        }
    }

    /// `DryRun`: validates that the function exists and could be invoked.
    pub fn dry_run(&self, r: &FunctionRef) -> Result<(), EngineError> {
        self.invoke_target(r).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_ids_are_stable_per_request() {
        let id = RequestId::parse("c2a6f2ae-1234-4000-8000-00000000abcd").expect("uuid");
        let t = trace_id(&id, 1_700_000_000_123);
        assert_eq!(
            t,
            "Root=1-6553f100-c2a6f2ae1234400080000000;Parent=000000000000abcd;Sampled=0"
        );
    }
}
