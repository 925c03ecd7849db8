//! The SNS half of the storage contract: topics, subscriptions, and publishing (which records
//! one outbox delivery per subscription in the same commit).

use async_trait::async_trait;

#[async_trait]
pub trait SnsStore: Send + Sync + std::fmt::Debug {}
