//! The queue half of the storage contract.

use async_trait::async_trait;
use lambkin_model::{FunctionName, RequestId, Timestamp};

use crate::{
    AttemptFinish, ClaimedEvent, EventRecord, EventSummary, NewEvent, QueueStats, StoreError,
};

#[async_trait]
pub trait Queue: Send + Sync + std::fmt::Debug {
    /// Returns once the event is durable (committed and fsync'd), never before.
    async fn enqueue(&self, event: NewEvent) -> Result<(), StoreError>;

    /// Takes up to `limit` events due at `now` (queued, retry due, or running with an expired
    /// lease), oldest due first, and marks them `Running` until `lease_until`.
    async fn claim(
        &self,
        now: Timestamp,
        limit: usize,
        lease_until: Timestamp,
    ) -> Result<Vec<ClaimedEvent>, StoreError>;

    /// Records an attempt and moves the event to its next state.
    async fn finish(&self, finish: AttemptFinish) -> Result<(), StoreError>;

    /// `finish` for many events, durable together (one commit where the backend allows).
    async fn finish_batch(&self, finishes: Vec<AttemptFinish>) -> Result<(), StoreError> {
        for f in finishes {
            self.finish(f).await?;
        }
        Ok(())
    }

    /// Hands claimed events back unrun (shutdown): they become `Queued`, due at `now`.
    async fn release(&self, seqs: Vec<i64>, now: Timestamp) -> Result<(), StoreError>;

    /// Called by an exclusive owner at start: every `Running` event belongs to a dead process
    /// and is queued again at once instead of waiting for its lease. Returns how many.
    async fn recover(&self, now: Timestamp) -> Result<u64, StoreError>;

    /// The earliest due time of any non-terminal event.
    async fn next_due(&self) -> Result<Option<Timestamp>, StoreError>;

    async fn event(&self, id: &RequestId) -> Result<Option<EventRecord>, StoreError>;

    /// The most recent events of a function, newest first.
    async fn events(
        &self,
        function: &FunctionName,
        limit: usize,
    ) -> Result<Vec<EventSummary>, StoreError>;

    /// The most recent events of a function that ended `Failed`, newest first.
    async fn failed_events(
        &self,
        function: &FunctionName,
        limit: usize,
    ) -> Result<Vec<EventSummary>, StoreError>;

    /// Drops a deleted function's unfinished events (AWS discards them with the function).
    async fn discard_events(&self, function: &FunctionName) -> Result<u64, StoreError>;

    async fn stats(&self) -> Result<QueueStats, StoreError>;
}
