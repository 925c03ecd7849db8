//! The retention half of the storage contract: removing what has been finished for longer
//! than the retention, in small steps, and giving the space back.
//!
//! Removed: events that reached a final state before the cutoff with their attempts, once no
//! delivery they owe is pending; deliveries that finished before it; SNS messages published
//! before it that no delivery refers to any more. Never removed, however old: an event that is
//! queued, running or scheduled for a retry, an event with a pending delivery, a pending
//! delivery.

use async_trait::async_trait;
use lambkin_model::Timestamp;

use crate::StoreError;

/// What one [`Retention::prune`] step removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    pub events: u64,
    pub deliveries: u64,
    pub sns_messages: u64,
}

impl Pruned {
    pub fn total(&self) -> u64 {
        self.events + self.deliveries + self.sns_messages
    }
}

#[async_trait]
pub trait Retention: Send + Sync + std::fmt::Debug {
    /// Removes up to `limit` events, `limit` deliveries and `limit` SNS messages finished
    /// before `before`, in one short write. Call again while it removes anything.
    async fn prune(&self, before: Timestamp, limit: usize) -> Result<Pruned, StoreError>;

    /// The latest cutoff any prune has used: an event accepted before it that cannot be
    /// found may have been removed by retention.
    async fn pruned_before(&self) -> Result<Option<Timestamp>, StoreError>;

    /// Returns up to `max_pages` free pages of storage to the file system; the number given
    /// back (0 for a backend that manages its own space).
    async fn reclaim_space(&self, _max_pages: u32) -> Result<u64, StoreError> {
        Ok(0)
    }
}
