//! Read-only views for `lambkin inspect`, `events` and the status endpoint.

use lambkin_model::{FunctionName, RequestId};
use lambkin_sandbox::PoolStats;
use lambkin_store::{DeliveryRecord, DeliveryStats, EventRecord, EventSummary, QueueStats};

use crate::{Engine, EngineError};

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
            .map(|f| f.slots.throttles.load(std::sync::atomic::Ordering::Relaxed))
            .sum();
        Ok(Status {
            throttles,
            queue: self.inner.store.stats().await?,
            environments: self.inner.pool.stats(),
            functions: functions.len(),
            deliveries: self.inner.store.delivery_stats().await?,
        })
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
