//! Durable storage behind lambkin, as traits a backend implements:
//! - [`Queue`]: the asynchronous events, their claims under a lease and their attempts;
//! - [`Catalog`]: functions, their code and concurrency, and their event-invoke configs;
//! - [`Outbox`]: deliveries owed to destinations and subscribers, committed with the state
//!   that owes them;
//! - [`SqsStore`] and [`SnsStore`]: the queues, messages, topics and subscriptions of lambkin's
//!   SQS and SNS;
//! - [`S3Store`]: buckets and object metadata; the objects' bytes are in a [`BodyStore`]
//!   ([`LocalBodies`]: one file per body in the data folder);
//! - [`EventsStore`]: EventBridge buses, rules and the durable next firing of each schedule;
//! - [`MappingStore`]: SQS event source mappings, one record each;
//! - [`DynamoStore`]: DynamoDB tables and items, with atomic conditional writes;
//! - [`Retention`]: pruning of finished events, deliveries and SNS messages.
//!
//! [`Store`] is all of them but the body store. The engine only ever talks to these traits (as `Arc<dyn Store>`),
//! so a backend is a drop-in: today [`SqliteStore`] (one data folder, WAL, `synchronous=FULL`,
//! group commit); a PostgreSQL backend sharing one queue between several nodes (claims with
//! `FOR UPDATE SKIP LOCKED`) fits the same contract. `conformance` is the suite every backend
//! must pass; it is compiled for this crate's tests and, for another backend crate's tests,
//! behind the `conformance` feature.
//!
//! Data flow: the accept path calls [`Queue::enqueue`] and answers 202 only when it returns
//! (the event is committed and fsync'd). The dispatcher calls [`Queue::claim`] for due events
//! within each function's room, which become `Running` under a lease, and [`Queue::finish`]
//! with the attempt record and the next state chosen by `lambkin_model::after_run` (or
//! `gate`). Nothing here decides anything.

mod bodies;
mod catalog;
mod claim_plan;
#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
mod dynamodb;
mod error;
mod events;
mod mappings;
mod outbox;
mod queue;
mod records;
mod retention;
mod s3;
mod sns;
mod sqlite;
mod sqs;

pub use bodies::{BodyStore, BodyWriter, LocalBodies};
pub use catalog::Catalog;
pub use claim_plan::ClaimPlan;
pub use dynamodb::{
    Decide, DynamoStore, IndexKey, ItemKey, ItemWrite, KeyRange, ReadItem, Refusal, StoredItem,
    TableRecord,
};
pub use error::StoreError;
pub use events::{
    BusRecord, EventsStore, RuleRecord, ScheduleChange, ScheduleGroupRecord, ScheduleRecord,
    SchedulerRecord,
};
pub use mappings::MappingStore;
pub use outbox::{
    Delivery, DeliveryKind, DeliveryLease, DeliveryRecord, DeliveryResult, DeliveryState,
    DeliveryStats, NewDelivery, Outbox, TargetRetry,
};
pub use queue::{CommitObserver, Queue, RemoteWork};
pub use records::{
    AttemptFinish, AttemptRecord, ClaimRequest, Claimed, ClaimedEvent, EventRecord, EventSummary,
    NewEvent, QueueStats,
};
pub use retention::{Pruned, Retention};
pub use s3::{
    BucketDeleted, BucketRecord, ChecksumRecord, ObjectDeleted, ObjectPut, ObjectRecord, PartPut,
    PartRecord, S3Store, UploadCompleted, UploadRecord,
};
pub use sns::{Page, SnsMessage, SnsStore, Subscribed, SubscriptionRecord, TopicRecord};
pub use sqlite::SqliteStore;
pub use sqs::{
    NewSqsMessage, SqsQueueCounts, SqsQueueRecord, SqsReceipt, SqsReceive, SqsRedrive, SqsStore,
    SqsStoredMessage, SqsVisibilityChange,
};

/// A complete backend: every part, shareable across tasks.
pub trait Store:
    Queue
    + Catalog
    + Outbox
    + SqsStore
    + SnsStore
    + S3Store
    + EventsStore
    + MappingStore
    + DynamoStore
    + Retention
{
}

impl<
    T: Queue
        + Catalog
        + Outbox
        + SqsStore
        + SnsStore
        + S3Store
        + EventsStore
        + MappingStore
        + DynamoStore
        + Retention,
> Store for T
{
}
