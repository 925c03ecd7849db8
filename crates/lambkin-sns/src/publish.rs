//! Publish, PublishBatch, and lambkin's own publishes (dead-letter and destination deliveries
//! to a topic). A publish returns only after its outbox deliveries are committed and fsync'd,
//! then wakes the deliverer: an acknowledged message reaches every subscriber even across a
//! crash.

use std::collections::{BTreeMap, HashSet};

use lambkin_model::MessageAttributes;
use lambkin_store::SnsMessage;

use crate::arn::{fifo_unsupported, parse_topic_arn};
use crate::message::StoredMessage;
use crate::validate::{
    MAX_MESSAGE_BYTES, check_message, check_message_attributes, check_subject, message_size,
    parse_structure,
};
use crate::{Sns, SnsError};

/// AWS's limit on entries per PublishBatch.
const MAX_BATCH_ENTRIES: usize = 10;

/// A Publish request as the API decoded it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PublishRequest {
    pub topic_arn: Option<String>,
    pub target_arn: Option<String>,
    pub phone_number: Option<String>,
    pub message: Option<String>,
    pub subject: Option<String>,
    pub message_structure: Option<String>,
    pub attributes: MessageAttributes,
    pub message_deduplication_id: Option<String>,
    pub message_group_id: Option<String>,
}

/// One entry of a PublishBatch request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchEntry {
    pub id: String,
    pub message: Option<String>,
    pub subject: Option<String>,
    pub message_structure: Option<String>,
    pub attributes: MessageAttributes,
    pub message_deduplication_id: Option<String>,
    pub message_group_id: Option<String>,
}

/// An entry PublishBatch refused (`BatchResultErrorEntry`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchFailure {
    pub id: String,
    pub code: &'static str,
    pub message: String,
    pub sender_fault: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    /// `(entry id, message id)` of each published entry, in request order.
    pub successful: Vec<(String, String)>,
    pub failed: Vec<BatchFailure>,
}

/// What one message looks like once checked, before it has an id.
struct Checked {
    subject: Option<String>,
    message: String,
    per_protocol: BTreeMap<String, String>,
    attributes: MessageAttributes,
}

fn check(
    message: Option<String>,
    subject: Option<String>,
    structure: Option<String>,
    attributes: MessageAttributes,
    dedup_id: Option<&str>,
    group_id: Option<&str>,
) -> Result<Checked, SnsError> {
    // Deduplication and group ids only mean something on FIFO topics, which lambkin lacks.
    if dedup_id.is_some() || group_id.is_some() {
        return Err(fifo_unsupported());
    }
    let message = message.unwrap_or_default();
    check_message(&message, &attributes)?;
    if let Some(s) = &subject {
        check_subject(s)?;
    }
    check_message_attributes(&attributes)?;
    let (message, per_protocol) = match structure.as_deref() {
        Some(structure) => parse_structure(structure, &message)?,
        None => (message, BTreeMap::new()),
    };
    Ok(Checked {
        subject,
        message,
        per_protocol,
        attributes,
    })
}

impl Sns {
    /// Publishes to a topic; returns the MessageId once every subscriber's delivery is durable.
    pub async fn publish(&self, request: PublishRequest) -> Result<String, SnsError> {
        if request.phone_number.is_some() {
            return Err(SnsError::invalid(
                "PhoneNumber Reason: lambkin does not send SMS",
            ));
        }
        let topic_arn = match (request.topic_arn, request.target_arn) {
            (Some(t), None) | (None, Some(t)) => t,
            (Some(_), Some(_)) => {
                return Err(SnsError::invalid(
                    "TopicArn or TargetArn Reason: Only one of TopicArn or TargetArn may be specified",
                ));
            }
            (None, None) => {
                return Err(SnsError::invalid(
                    "TopicArn or TargetArn Reason: no value for required parameter",
                ));
            }
        };
        parse_topic_arn(&topic_arn, "TopicArn")?;
        let checked = check(
            request.message,
            request.subject,
            request.message_structure,
            request.attributes,
            request.message_deduplication_id.as_deref(),
            request.message_group_id.as_deref(),
        )?;
        let mut ids = self.commit(&topic_arn, vec![checked]).await?;
        ids.pop()
            .ok_or_else(|| SnsError::InvalidParameter("Invalid parameter: Message".into()))
    }

    /// Publishes the valid entries in one commit and reports the others as failed, as AWS
    /// does; request-level problems (no entries, too many, duplicate or bad ids, total size)
    /// fail the whole call.
    pub async fn publish_batch(
        &self,
        topic_arn: &str,
        entries: Vec<BatchEntry>,
    ) -> Result<BatchOutcome, SnsError> {
        parse_topic_arn(topic_arn, "TopicArn")?;
        if entries.is_empty() {
            return Err(SnsError::EmptyBatchRequest);
        }
        if entries.len() > MAX_BATCH_ENTRIES {
            return Err(SnsError::TooManyEntriesInBatchRequest);
        }
        let mut seen = HashSet::new();
        for e in &entries {
            let valid_id = (1..=80).contains(&e.id.len())
                && e.id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !valid_id {
                return Err(SnsError::InvalidBatchEntryId);
            }
            if !seen.insert(e.id.clone()) {
                return Err(SnsError::BatchEntryIdsNotDistinct);
            }
        }
        let total: usize = entries
            .iter()
            .map(|e| message_size(e.message.as_deref().unwrap_or_default(), &e.attributes))
            .sum();
        if total > MAX_MESSAGE_BYTES {
            return Err(SnsError::BatchRequestTooLong);
        }
        let mut outcome = BatchOutcome::default();
        let mut accepted = Vec::new();
        let mut accepted_ids = Vec::new();
        for e in entries {
            match check(
                e.message,
                e.subject,
                e.message_structure,
                e.attributes,
                e.message_deduplication_id.as_deref(),
                e.message_group_id.as_deref(),
            ) {
                Ok(c) => {
                    accepted.push(c);
                    accepted_ids.push(e.id);
                }
                Err(err) => outcome.failed.push(BatchFailure {
                    id: e.id,
                    code: err.code(),
                    message: err.to_string(),
                    sender_fault: !err.is_transient(),
                }),
            }
        }
        if accepted.is_empty() {
            // Nothing to record, but a missing topic is still an error for the whole call.
            self.topic(topic_arn).await?;
            return Ok(outcome);
        }
        let message_ids = self.commit(topic_arn, accepted).await?;
        outcome.successful = accepted_ids.into_iter().zip(message_ids).collect();
        Ok(outcome)
    }

    /// Publish on behalf of lambkin itself (dead-letter and destination deliveries to a
    /// topic), with the same checks as Publish. Returns the MessageId.
    pub async fn publish_to_arn(
        &self,
        topic_arn: &str,
        message: String,
        subject: Option<String>,
        attributes: MessageAttributes,
    ) -> Result<String, SnsError> {
        self.publish(PublishRequest {
            topic_arn: Some(topic_arn.to_string()),
            message: Some(message),
            subject,
            attributes,
            ..PublishRequest::default()
        })
        .await
    }

    /// Records the messages (each once) and their fan-out in one durable write; returns their
    /// ids.
    async fn commit(
        &self,
        topic_arn: &str,
        messages: Vec<Checked>,
    ) -> Result<Vec<String>, SnsError> {
        let now = self.inner.clock.now();
        let mut ids = Vec::with_capacity(messages.len());
        let mut records = Vec::with_capacity(messages.len());
        for m in messages {
            let message_id = uuid::Uuid::new_v4().to_string();
            let stored = StoredMessage {
                message_id: message_id.clone(),
                topic_arn: topic_arn.to_string(),
                subject: m.subject,
                message: m.message,
                per_protocol: m.per_protocol,
                attributes: m.attributes,
                timestamp_ms: now.millis(),
            };
            records.push(SnsMessage {
                message_id: message_id.clone(),
                body: stored.to_bytes(),
            });
            ids.push(message_id);
        }
        match self.inner.store.publish(topic_arn, records, now).await? {
            None => Err(SnsError::topic_not_found()),
            Some(deliveries) => {
                if deliveries > 0 {
                    self.inner.deliveries_owed.notify_one();
                }
                Ok(ids)
            }
        }
    }
}
