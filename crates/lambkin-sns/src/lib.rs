//! SNS semantics over the store: topics, subscriptions, durable publish (the message stored
//! once and one outbox delivery per subscription referring to it, in the publish's commit), and
//! the rendering of a message for each subscriber protocol. The engine's deliverer performs
//! the deliveries; the query/XML wire format lives in `lambkin-api/src/sns/`.
//!
//! Data flow: the api crate decodes a request and calls one method of [`Sns`] (`topics.rs`,
//! `subscriptions.rs`, `publish.rs`, `policy.rs`), which checks it with AWS's rules and
//! messages (`arn.rs`, `validate.rs`, `message_attributes.rs`, `attributes.rs`, `tags.rs`)
//! and reads or writes [`lambkin_store::SnsStore`]. A publish serialises the
//! message once (`message.rs`); the store keeps it once, under its MessageId, and records one
//! outbox delivery per subscription whose body is that id, all in the same commit. After it
//! returns, [`Sns`] wakes the deliverer, which claims each delivery and asks [`Sns::render`]
//! (`render.rs`) what to send where; rendering loads the message by id.
//!
//! Deliberate limits (see docs/api-compat.md): subscriptions are confirmed at once (no
//! confirmation handshake, so ConfirmSubscription takes a subscription's id or ARN as its
//! token), messages are not signed (a fixed placeholder signature), topic policies are stored
//! but not enforced, and FIFO topics, filter policies, protocols other than
//! lambda/sqs/http/https, and SQS or Lambda endpoints outside lambkin's one region and account
//! are refused.

mod arn;
mod attributes;
mod error;
mod filter;
mod message;
mod message_attributes;
mod policy;
mod publish;
mod render;
mod subscriptions;
mod tags;
mod topics;
mod validate;

use std::sync::Arc;

use lambkin_model::{Clock, Scope};
use lambkin_store::Store;
use tokio::sync::Notify;

pub use arn::{topic_arn, validate_topic_name};
pub use error::SnsError;
pub use publish::{BatchEntry, BatchOutcome, PublishRequest};
pub use render::{PLACEHOLDER_SIGNATURE, Rendered};
pub use subscriptions::SubscriptionSummary;
pub use validate::MAX_MESSAGE_BYTES;

/// Page size of ListTopics and ListSubscriptions(ByTopic), as AWS.
pub const PAGE_SIZE: usize = 100;

/// The SNS service; cheap to clone.
#[derive(Debug, Clone)]
pub struct Sns {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    scope: Scope,
    /// Wakes the engine's deliverer after a publish has committed its deliveries.
    deliveries_owed: Arc<Notify>,
    /// Serialises AddPermission/RemovePermission, which read, edit and write a topic's policy.
    policy_edits: tokio::sync::Mutex<()>,
}

/// One page of a listing and the token for the next, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub next_token: Option<String>,
}

impl Sns {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        scope: Scope,
        deliveries_owed: Arc<Notify>,
    ) -> Sns {
        Sns {
            inner: Arc::new(Inner {
                store,
                clock,
                scope,
                deliveries_owed,
                policy_edits: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// The account that owns every topic and subscription (the `Owner` fields).
    pub fn account(&self) -> &str {
        &self.inner.scope.account
    }
}

/// Decodes a `NextToken` (the store's cursor, as text).
fn parse_token(token: Option<&str>) -> Result<Option<i64>, SnsError> {
    token
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| SnsError::invalid("NextToken"))
        })
        .transpose()
}

#[cfg(test)]
mod tests;
