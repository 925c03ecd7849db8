//! Read-only views for `lambkin inspect`, `events` and the status endpoint.

use lambkin_model::{FunctionName, RequestId};
use lambkin_sandbox::PoolStats;
use lambkin_store::{EventRecord, EventSummary, QueueStats};

use crate::{Engine, EngineError};

#[derive(Debug, Clone)]
pub struct Status {
    pub queue: QueueStats,
    pub environments: PoolStats,
    pub functions: usize,
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
        Ok(Status {
            queue: self.inner.store.stats().await?,
            environments: self.inner.pool.stats(),
            functions: self.inner.registry.all().len(),
        })
    }
}
