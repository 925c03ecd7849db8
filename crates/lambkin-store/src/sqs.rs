//! The SQS half of the storage contract: queues and their messages, durable in the same store
//! as the async event queue.
//!
//! The store keeps rows and applies the moves it is told to make; it decides nothing about SQS
//! semantics. Queue attributes are an opaque map of AWS attribute names to their string values
//! (the service validates and interprets them), and so are a queue's tags. A receive is a write:
//! it marks the messages it hands out invisible under a new receipt, and on the way it drops
//! expired messages and moves over-received ones to the dead-letter queue, all in one commit.

use std::collections::BTreeMap;

use async_trait::async_trait;
use lambkin_model::{MessageAttributes, Timestamp};

use crate::StoreError;

/// One queue as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqsQueueRecord {
    pub name: String,
    /// The settable attributes (`VisibilityTimeout`, `RedrivePolicy`, ...) by AWS name.
    pub attributes: BTreeMap<String, String>,
    /// The queue's tags (cost allocation tags), key to value, as the service checked them.
    pub tags: BTreeMap<String, String>,
    pub created_at: Timestamp,
    pub last_modified: Timestamp,
}

/// A message to append to a queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSqsMessage {
    pub message_id: String,
    pub body: String,
    pub attributes: MessageAttributes,
    /// The message system attributes the sender set (`AWSTraceHeader`, `MessageGroupId`), by
    /// AWS name; opaque to the store.
    pub system_attributes: BTreeMap<String, String>,
    pub sent_at: Timestamp,
    /// `sent_at` plus the message's delay.
    pub visible_at: Timestamp,
}

/// Where over-received messages go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqsRedrive {
    /// Name of the dead-letter queue; if it no longer exists, or is the receiving queue
    /// itself, messages stay where they are.
    pub dead_letter_queue: String,
    /// A message received this many times is moved instead of received again, provided it
    /// has been received at least once in the receiving queue: a message that arrived by
    /// redrive is handed out once before it moves on, so queues that redrive into each other
    /// pass it along one receive (and one visibility timeout) at a time, never in a loop.
    pub max_receive_count: u32,
    /// Recorded on moved messages (`DeadLetterQueueSourceArn`).
    pub source_arn: String,
}

/// One receive: which queue, when, and what to do with the messages on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqsReceive {
    pub queue: String,
    pub now: Timestamp,
    pub max: u32,
    /// The received messages stay invisible until then.
    pub invisible_until: Timestamp,
    /// Messages sent before this instant have outlived the retention period and are dropped.
    pub expire_before: Timestamp,
    pub redrive: Option<SqsRedrive>,
    /// Unique per receive call; becomes the receipt of every message it hands out.
    pub receipt: String,
}

/// A message as handed out by a receive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqsStoredMessage {
    pub message_id: String,
    pub body: String,
    pub attributes: MessageAttributes,
    /// As sent (see [`NewSqsMessage::system_attributes`]).
    pub system_attributes: BTreeMap<String, String>,
    pub sent_at: Timestamp,
    /// Including the receive that returned it.
    pub receive_count: u32,
    pub first_received_at: Timestamp,
    pub dead_letter_source_arn: Option<String>,
}

/// Identifies one receive of one message. Deleting finds the message by its id among the
/// received messages of the queue, whichever of its receives the receipt names (AWS deletes
/// with any receipt handle it issued for a message, not only the latest); changing visibility
/// needs the latest receipt, so an older handle cannot move a later consumer's lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqsReceipt {
    pub message_id: String,
    pub receipt: String,
}

/// How a visibility change went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqsVisibilityChange {
    Changed,
    /// The message was received but is visible again; nothing changed.
    NotInFlight,
    /// No such received message in the queue (deleted, moved, or never received).
    Unknown,
}

/// The message counts `GetQueueAttributes` reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SqsQueueCounts {
    /// Visible now.
    pub visible: u64,
    /// Received and invisible.
    pub not_visible: u64,
    /// Never received and waiting out their delay.
    pub delayed: u64,
}

#[async_trait]
pub trait SqsStore: Send + Sync + std::fmt::Debug {
    /// Inserts the queue unless one of that name exists; returns the existing one if so.
    async fn sqs_create_queue(
        &self,
        queue: SqsQueueRecord,
    ) -> Result<Option<SqsQueueRecord>, StoreError>;

    async fn sqs_queue(&self, name: &str) -> Result<Option<SqsQueueRecord>, StoreError>;

    /// Names starting with `prefix` and sorting after `after`, in name order, at most `limit`.
    async fn sqs_list_queues(
        &self,
        prefix: &str,
        after: Option<String>,
        limit: usize,
    ) -> Result<Vec<String>, StoreError>;

    /// Replaces the attribute map; false if the queue does not exist.
    async fn sqs_set_queue_attributes(
        &self,
        name: &str,
        attributes: BTreeMap<String, String>,
        now: Timestamp,
    ) -> Result<bool, StoreError>;

    /// Adds or overwrites tags; false if the queue does not exist.
    async fn sqs_tag_queue(
        &self,
        name: &str,
        tags: BTreeMap<String, String>,
    ) -> Result<bool, StoreError>;

    /// Removes tags (keys the queue does not have are ignored); false if the queue does not
    /// exist.
    async fn sqs_untag_queue(&self, name: &str, keys: Vec<String>) -> Result<bool, StoreError>;

    /// Deletes the queue and every message in it; false if it did not exist.
    async fn sqs_delete_queue(&self, name: &str) -> Result<bool, StoreError>;

    /// Appends messages in one commit; false (and nothing written) if the queue does not exist.
    async fn sqs_send(&self, queue: &str, messages: Vec<NewSqsMessage>)
    -> Result<bool, StoreError>;

    /// Hands out up to `max` visible messages, oldest first, under a new receipt. Examines
    /// each message at most once, so it always ends.
    async fn sqs_receive(&self, receive: SqsReceive) -> Result<Vec<SqsStoredMessage>, StoreError>;

    /// Deletes each received message the receipt names (see [`SqsReceipt`]); one flag per
    /// entry, in one commit.
    async fn sqs_delete_messages(
        &self,
        queue: &str,
        receipts: Vec<SqsReceipt>,
    ) -> Result<Vec<bool>, StoreError>;

    /// Sets each in-flight message's invisibility end (see [`SqsReceipt`]); one outcome per
    /// entry, in one commit.
    async fn sqs_change_visibility(
        &self,
        queue: &str,
        changes: Vec<(SqsReceipt, Timestamp)>,
        now: Timestamp,
    ) -> Result<Vec<SqsVisibilityChange>, StoreError>;

    /// Deletes every message in the queue; returns how many.
    async fn sqs_purge(&self, queue: &str) -> Result<u64, StoreError>;

    /// Counts of unexpired messages (sent at or after `expire_before`).
    async fn sqs_counts(
        &self,
        queue: &str,
        now: Timestamp,
        expire_before: Timestamp,
    ) -> Result<SqsQueueCounts, StoreError>;

    /// The earliest instant at which a message of the queue is or becomes visible: in the
    /// past if one is visible now (say, one that arrived after the caller's last receive).
    async fn sqs_next_visible(&self, queue: &str) -> Result<Option<Timestamp>, StoreError>;
}
