//! The queue half of the storage contract.

use async_trait::async_trait;
use lambkin_model::{FunctionName, RequestId, Timestamp};

use crate::{
    AttemptFinish, ClaimRequest, Claimed, EventRecord, EventSummary, NewEvent, QueueStats,
    StoreError,
};

/// Told of every durable write the store makes: how long the commit took (from the start of
/// the transaction to the end of its fsync) and how many writes it held. The engine turns it
/// into metrics; the store stays free of any metrics library.
pub trait CommitObserver: Send + Sync + std::fmt::Debug {
    fn committed(&self, took: std::time::Duration, writes: usize);
}

/// Told when work arrived that another node (sharing the backend) wrote: events queued and
/// deliveries owed. A backend one process owns never calls it.
pub trait RemoteWork: Send + Sync + std::fmt::Debug {
    /// Events were queued (or became due) elsewhere.
    fn events(&self);
    /// Deliveries were owed elsewhere.
    fn deliveries(&self);
    /// Messages were sent to this SQS queue elsewhere (long polls parked here may get them).
    fn sqs_sent(&self, _queue: &str) {}
}

#[async_trait]
pub trait Queue: Send + Sync + std::fmt::Debug {
    /// Installs the observer of commits (once; later calls are ignored). A backend without
    /// group commit may ignore it.
    fn observe_commits(&self, _observer: std::sync::Arc<dyn CommitObserver>) {}

    /// Installs who to tell of work other nodes wrote (once; later calls are ignored). A
    /// backend only one process uses ignores it.
    fn observe_remote_work(&self, _observer: std::sync::Arc<dyn RemoteWork>) {}

    /// Returns once the event is durable (committed and fsync'd), never before.
    async fn enqueue(&self, event: NewEvent) -> Result<(), StoreError>;

    /// Takes events due at `request.now` (queued, retry due, or running with an expired
    /// lease), within the request's limits, and marks them `Running` until
    /// `request.lease_until`. Each function's events come oldest due first; functions sharing
    /// `others` get equal shares, taken in the order of their oldest due event. The cost grows
    /// with the number of functions with unfinished events, never with one function's backlog.
    async fn claim(&self, request: &ClaimRequest) -> Result<Claimed, StoreError>;

    /// Extends the lease of claimed events that are still `Running` (a dispatcher holding
    /// them for a busy function's next free slot).
    async fn extend_lease(&self, seqs: Vec<i64>, lease_until: Timestamp) -> Result<(), StoreError>;

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

    /// Drops a deleted function's unfinished events (AWS discards them with the function), or
    /// with `version`, only those routed to that deleted version.
    async fn discard_events(
        &self,
        function: &FunctionName,
        version: Option<&str>,
    ) -> Result<u64, StoreError>;

    async fn stats(&self) -> Result<QueueStats, StoreError>;
}
