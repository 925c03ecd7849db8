//! The SNS half of the storage contract: topics, subscriptions, and publishing (which stores
//! the message once and records one outbox delivery per subscription, referring to it, in the
//! same commit). Validation, ARNs and the message format belong to `lambkin-sns`; the store
//! keeps what it is given, and a published message's body is opaque bytes here.

use std::collections::BTreeMap;

use async_trait::async_trait;
use lambkin_model::Timestamp;

use crate::StoreError;

/// A topic as stored. `attributes` holds only what the user set (`DisplayName`, `Policy`, ...);
/// computed attributes (`TopicArn`, `SubscriptionsConfirmed`) are added by the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicRecord {
    pub arn: String,
    pub name: String,
    pub attributes: BTreeMap<String, String>,
    pub tags: BTreeMap<String, String>,
    pub created_at: Timestamp,
}

/// A subscription as stored; confirmed from the start (lambkin has no confirmation handshake).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionRecord {
    pub arn: String,
    pub topic_arn: String,
    pub protocol: String,
    pub endpoint: String,
    /// What the user set (`RawMessageDelivery`, ...).
    pub attributes: BTreeMap<String, String>,
    /// The base URL the subscription was created through, for `UnsubscribeURL`.
    pub service_url: String,
    pub created_at: Timestamp,
}

/// One message to fan out. The store keeps `body` once, under `message_id` (read back with
/// [`SnsStore::sns_message`]), and records one outbox delivery per subscription of the topic,
/// with `source` = `message_id`, `target` = the subscription ARN, `body` = the bytes of
/// `message_id` (a reference, never a copy: a 256 KiB message to 1,000 subscribers writes
/// 256 KiB, not 256 MB) and no attributes (they are part of `body`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnsMessage {
    pub message_id: String,
    pub body: Vec<u8>,
    /// The chain of invocations the publisher was part of (0: none), which the deliveries to
    /// functions continue.
    pub chain: u32,
}

/// How [`SnsStore::subscribe`] ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subscribed {
    Created(SubscriptionRecord),
    /// The topic already has a subscription with this protocol and endpoint; it is returned
    /// unchanged, nothing is written. AWS answers a repeated Subscribe with the existing ARN if
    /// the request's attributes agree with it, else InvalidParameter: the service decides.
    Existing(SubscriptionRecord),
    TopicNotFound,
}

/// A page of a listing; `next` is the cursor to pass back for the following page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<i64>,
}

impl<T> Page<T> {
    /// A page of rows `(cursor, item)` fetched with one extra, so a full page knows whether
    /// more follow.
    pub fn from_rows(mut rows: Vec<(i64, T)>, limit: usize) -> Self {
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next = if more {
            rows.last().map(|(id, _)| *id)
        } else {
            None
        };
        Page {
            items: rows.into_iter().map(|(_, t)| t).collect(),
            next,
        }
    }
}

#[async_trait]
pub trait SnsStore: Send + Sync + std::fmt::Debug {
    /// Creates the topic, or returns the existing one with the same ARN unchanged
    /// (CreateTopic is idempotent).
    async fn create_topic(&self, topic: TopicRecord) -> Result<TopicRecord, StoreError>;

    /// Deletes the topic and its subscriptions; false if there was none. Deliveries already
    /// owed stay in the outbox (rendering them finds the subscription gone).
    async fn delete_topic(&self, arn: &str) -> Result<bool, StoreError>;

    async fn topic(&self, arn: &str) -> Result<Option<TopicRecord>, StoreError>;

    /// Subscriptions of the topic (the `SubscriptionsConfirmed` attribute).
    async fn subscription_count(&self, topic_arn: &str) -> Result<u64, StoreError>;

    /// Topics in creation order, starting after the cursor `after`.
    async fn list_topics(
        &self,
        after: Option<i64>,
        limit: usize,
    ) -> Result<Page<TopicRecord>, StoreError>;

    /// Sets (`Some`) or removes (`None`) one attribute; false if the topic does not exist.
    async fn set_topic_attribute(
        &self,
        arn: &str,
        name: &str,
        value: Option<String>,
    ) -> Result<bool, StoreError>;

    /// Adds or overwrites tags; false if the topic does not exist.
    async fn tag_topic(
        &self,
        arn: &str,
        tags: BTreeMap<String, String>,
    ) -> Result<bool, StoreError>;

    /// Removes tags (missing keys are ignored); false if the topic does not exist.
    async fn untag_topic(&self, arn: &str, keys: Vec<String>) -> Result<bool, StoreError>;

    /// Adds the subscription if its topic exists, in the same write as the check.
    async fn subscribe(&self, sub: SubscriptionRecord) -> Result<Subscribed, StoreError>;

    /// Removes the subscription; false if there was none.
    async fn unsubscribe(&self, arn: &str) -> Result<bool, StoreError>;

    async fn subscription(&self, arn: &str) -> Result<Option<SubscriptionRecord>, StoreError>;

    /// Sets (`Some`) or removes (`None`) one attribute; false if the subscription does not exist.
    async fn set_subscription_attribute(
        &self,
        arn: &str,
        name: &str,
        value: Option<String>,
    ) -> Result<bool, StoreError>;

    /// Subscriptions in creation order (of one topic, or all), starting after `after`.
    async fn list_subscriptions(
        &self,
        topic_arn: Option<String>,
        after: Option<i64>,
        limit: usize,
    ) -> Result<Page<SubscriptionRecord>, StoreError>;

    /// In ONE write: checks the topic exists, stores each message once and records one
    /// pending outbox delivery per message per current subscription (see [`SnsMessage`]). A
    /// topic without subscriptions records nothing, not even the messages. Returns `None` if the
    /// topic does not exist (nothing recorded), else the number of deliveries recorded.
    /// Resolves after the commit is durable.
    async fn publish(
        &self,
        topic_arn: &str,
        messages: Vec<SnsMessage>,
        now: Timestamp,
    ) -> Result<Option<usize>, StoreError>;

    /// The body of a message stored by [`SnsStore::publish`], if any.
    async fn sns_message(&self, message_id: &str) -> Result<Option<Vec<u8>>, StoreError>;
}
