//! The event-source-mapping half of the storage contract: each mapping as one record keyed by
//! its UUID. The store keeps what it is given; which state follows which, and what a mapping
//! may name, is the engine's business.

use async_trait::async_trait;
use lambkin_model::EventSourceMapping;

use crate::StoreError;

#[async_trait]
pub trait MappingStore: Send + Sync + std::fmt::Debug {
    /// Inserts the mapping, or replaces the one with its UUID.
    async fn put_mapping(&self, mapping: EventSourceMapping) -> Result<(), StoreError>;
    async fn mapping(&self, uuid: &str) -> Result<Option<EventSourceMapping>, StoreError>;
    /// Every mapping, ordered by UUID.
    async fn mappings(&self) -> Result<Vec<EventSourceMapping>, StoreError>;
    /// False if there was none with this UUID.
    async fn delete_mapping(&self, uuid: &str) -> Result<bool, StoreError>;
}
