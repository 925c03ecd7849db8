//! The SQS half of the storage contract: queues and their messages, durable in the same store
//! as the async event queue.

use async_trait::async_trait;

#[async_trait]
pub trait SqsStore: Send + Sync + std::fmt::Debug {}
