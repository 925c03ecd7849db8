//! The outbox: deliveries an event or a publish owes (dead-letter queue, destinations, SNS
//! subscribers), written in the same commit as the state change that owes them, then performed
//! by the engine's deliverer and marked done. Nothing here performs a delivery.

use async_trait::async_trait;
use lambkin_model::{MessageAttributes, Timestamp};
use serde::{Deserialize, Serialize};

use crate::StoreError;

/// Why a delivery is owed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryKind {
    /// The original payload to the function's `DeadLetterConfig.TargetArn`.
    DeadLetter,
    /// The invocation record to `DestinationConfig.OnSuccess`.
    OnSuccess,
    /// The invocation record to `DestinationConfig.OnFailure`.
    OnFailure,
    /// An SNS message to one subscription.
    Subscription,
    /// An S3 event record to a bucket's notification target (function, queue or topic).
    BucketNotification,
    /// An EventBridge event (or its transformed input) to a rule's or schedule's target, under
    /// the target's own retry policy and dead-letter queue ([`TargetRetry`]).
    RuleTarget,
}

impl DeliveryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryKind::DeadLetter => "dead_letter",
            DeliveryKind::OnSuccess => "on_success",
            DeliveryKind::OnFailure => "on_failure",
            DeliveryKind::Subscription => "subscription",
            DeliveryKind::BucketNotification => "bucket_notification",
            DeliveryKind::RuleTarget => "rule_target",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "dead_letter" => DeliveryKind::DeadLetter,
            "on_success" => DeliveryKind::OnSuccess,
            "on_failure" => DeliveryKind::OnFailure,
            "subscription" => DeliveryKind::Subscription,
            "bucket_notification" => DeliveryKind::BucketNotification,
            "rule_target" => DeliveryKind::RuleTarget,
            _ => return None,
        })
    }
}

/// A delivery to record in the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDelivery {
    pub kind: DeliveryKind,
    /// What owes it: the request id of an async event, or the message id of an SNS publish.
    pub source: String,
    /// A queue, topic or function ARN (dead letter, destinations); the subscription ARN
    /// (SNS subscribers).
    pub target: String,
    pub body: Vec<u8>,
    pub attributes: MessageAttributes,
    /// The length of the chain of invocations that caused it (0: none), which an invoke it
    /// makes continues (recursive loop detection).
    pub chain: u32,
    /// An EventBridge target's own retry policy and dead-letter queue, kept with the delivery
    /// so that its retries follow the target as it was when the event matched; `None` for
    /// every other kind, which lambkin's own delivery policy retries.
    pub retry: Option<TargetRetry>,
}

/// An EventBridge target's `RetryPolicy` and `DeadLetterConfig`, and the rule or schedule it
/// belongs to (the `RULE_ARN` attribute of what reaches the dead-letter queue).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetRetry {
    pub rule_arn: String,
    pub maximum_retry_attempts: u32,
    pub maximum_event_age_seconds: u32,
    pub dead_letter_arn: Option<String>,
}

/// Which claim a completion answers: a completion whose lease has run out (and whose delivery
/// may have been claimed again) changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryLease {
    pub id: i64,
    pub until: Timestamp,
}

/// A pending delivery handed to the deliverer under a lease.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub id: i64,
    pub lease: DeliveryLease,
    pub kind: DeliveryKind,
    pub source: String,
    pub target: String,
    pub body: Vec<u8>,
    pub attributes: MessageAttributes,
    /// [`NewDelivery::chain`].
    pub chain: u32,
    /// [`NewDelivery::retry`].
    pub retry: Option<TargetRetry>,
    /// Attempts made before this one.
    pub attempts: u32,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    Pending,
    Delivered,
    /// Given up: the target is missing or refused the message. Counted, never retried.
    Failed,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => DeliveryState::Pending,
            "delivered" => DeliveryState::Delivered,
            "failed" => DeliveryState::Failed,
            _ => return None,
        })
    }
}

/// How one delivery attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryResult {
    Delivered,
    /// Permanent failure (target missing, message too large).
    Failed(String),
    /// Transient failure: try again at the given time.
    RetryAt(Timestamp, String),
}

/// What `inspect` shows of one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub id: i64,
    pub kind: DeliveryKind,
    pub target: String,
    pub state: DeliveryState,
    pub attempts: u32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub last_error: Option<String>,
}

/// Failed deliveries so far, by kind: the `DeadLetterErrors` and
/// `DestinationDeliveryFailures` metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryStats {
    pub pending: u64,
    pub delivered: u64,
    pub dead_letter_errors: u64,
    pub destination_delivery_failures: u64,
    pub subscription_failures: u64,
    /// S3 event records given up on.
    pub notification_failures: u64,
    /// EventBridge deliveries given up on (dead-lettered or dropped).
    pub rule_target_failures: u64,
}

impl DeliveryStats {
    /// Counts `n` more deliveries of `kind` in `state`: where each kind's failures are counted,
    /// for a backend that counts its rows rather than keeping the figures.
    pub fn add(&mut self, kind: DeliveryKind, state: DeliveryState, n: u64) {
        let figure = match (state, kind) {
            (DeliveryState::Pending, _) => &mut self.pending,
            (DeliveryState::Delivered, _) => &mut self.delivered,
            (DeliveryState::Failed, DeliveryKind::DeadLetter) => &mut self.dead_letter_errors,
            (DeliveryState::Failed, DeliveryKind::OnSuccess | DeliveryKind::OnFailure) => {
                &mut self.destination_delivery_failures
            }
            (DeliveryState::Failed, DeliveryKind::Subscription) => &mut self.subscription_failures,
            (DeliveryState::Failed, DeliveryKind::BucketNotification) => {
                &mut self.notification_failures
            }
            (DeliveryState::Failed, DeliveryKind::RuleTarget) => &mut self.rule_target_failures,
        };
        *figure += n;
    }
}

#[async_trait]
pub trait Outbox: Send + Sync + std::fmt::Debug {
    /// Takes up to `limit` pending deliveries due at `now` and leases them until `lease_until`
    /// (a deliverer that dies mid-delivery leaves them to be taken again: at least once).
    async fn claim_deliveries(
        &self,
        now: Timestamp,
        limit: usize,
        lease_until: Timestamp,
    ) -> Result<Vec<Delivery>, StoreError>;

    /// Records how attempts ended, all in one commit; a result whose lease is no longer the
    /// delivery's current one is ignored.
    async fn complete_deliveries(
        &self,
        results: Vec<(DeliveryLease, DeliveryResult)>,
        now: Timestamp,
    ) -> Result<(), StoreError>;

    /// Called by an exclusive owner at start: deliveries leased by a dead process are due at
    /// once instead of waiting for their lease. Returns how many.
    async fn recover_deliveries(&self, now: Timestamp) -> Result<u64, StoreError>;

    /// The earliest due time of a pending delivery.
    async fn next_delivery_due(&self) -> Result<Option<Timestamp>, StoreError>;

    /// Every delivery owed by one source (request id or SNS message id), oldest first.
    async fn deliveries(&self, source: &str) -> Result<Vec<DeliveryRecord>, StoreError>;

    async fn delivery_stats(&self) -> Result<DeliveryStats, StoreError>;
}
