//! Read-only views for `lambkin inspect`, `events` and the status endpoint.

use lambkin_model::{FunctionName, RequestId};
use lambkin_sandbox::PoolStats;
use lambkin_store::{DeliveryRecord, DeliveryStats, EventRecord, EventSummary, QueueStats};

use crate::metrics::Snapshot;
use crate::{Engine, EngineError, MetricsFormat};

#[derive(Debug, Clone)]
pub struct Status {
    pub queue: QueueStats,
    pub environments: PoolStats,
    pub functions: usize,
    pub deliveries: DeliveryStats,
    /// AWS's `Throttles` since the server started: sync invokes refused with 429, and async
    /// events that were due while every slot of their function was busy (once per event).
    pub throttles: u64,
}

impl Engine {
    pub async fn event(&self, id: &RequestId) -> Result<Option<EventRecord>, EngineError> {
        Ok(self.inner.store.event(id).await?)
    }

    pub async fn events(
        &self,
        function: &FunctionName,
        limit: usize,
    ) -> Result<Vec<EventSummary>, EngineError> {
        Ok(self.inner.store.events(function, limit).await?)
    }

    pub async fn status(&self) -> Result<Status, EngineError> {
        let functions = self.inner.registry.all();
        let throttles = functions
            .iter()
            .map(|f| f.slots.metrics.throttles.get())
            .sum();
        Ok(Status {
            throttles,
            queue: self.inner.store.stats().await?,
            environments: self.inner.pool.stats(),
            functions: functions.len(),
            deliveries: self.inner.store.delivery_stats().await?,
        })
    }

    /// Everything `/metrics` serves, refreshed from the same sources as [`Engine::status`].
    pub async fn metrics(&self, format: MetricsFormat) -> Result<String, EngineError> {
        let inner = &self.inner;
        let functions = inner
            .registry
            .all()
            .into_iter()
            .map(|f| {
                let in_flight = f.slots.in_flight.load(std::sync::atomic::Ordering::Relaxed);
                (f.config.name.clone(), f.slots.metrics.clone(), in_flight)
            })
            .collect();
        let queues = match inner.sqs.message_counts().await {
            Ok(q) => q,
            Err(lambkin_sqs::SqsError::Store(e)) => return Err(e.into()),
            // Only a store failure can reach here; anything else leaves the queues out.
            Err(e) => {
                tracing::warn!(error = %e, "cannot count SQS messages for /metrics");
                Vec::new()
            }
        };
        let snapshot = Snapshot {
            queue: inner.store.stats().await?,
            deliveries: inner.store.delivery_stats().await?,
            environments: inner.pool.stats(),
            unreserved_in_use: inner.limiter.unreserved_in_use(),
            functions,
            queues,
        };
        Ok(inner.metrics.render(snapshot, format))
    }

    /// The latest retention cutoff: events that ended before it are gone.
    pub async fn pruned_before(&self) -> Result<Option<lambkin_model::Timestamp>, EngineError> {
        Ok(self.inner.store.pruned_before().await?)
    }

    /// The deliveries an event owes and their progress.
    pub async fn deliveries(&self, id: &RequestId) -> Result<Vec<DeliveryRecord>, EngineError> {
        Ok(self.inner.store.deliveries(id.as_str()).await?)
    }

    /// The most recent events of a function that ended `Failed`, newest first.
    pub async fn failed_events(
        &self,
        function: &FunctionName,
        limit: usize,
    ) -> Result<Vec<EventSummary>, EngineError> {
        Ok(self.inner.store.failed_events(function, limit).await?)
    }
}
