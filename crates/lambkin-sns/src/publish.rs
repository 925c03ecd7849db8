//! Publish, PublishBatch, and lambkin's own publishes (dead-letter and destination deliveries
//! to a topic). A publish returns only after its outbox deliveries are committed and fsync'd,
//! then wakes the deliverer: an acknowledged message reaches every subscriber even across a
//! crash. As on AWS, a batch with one invalid entry fails as a whole (no partial delivery).

use std::collections::{BTreeMap, HashSet};

use lambkin_model::MessageAttributes;
use lambkin_store::SnsMessage;

use crate::arn::parse_topic_arn;
use crate::message::StoredMessage;
use crate::message_attributes::check_message_attributes;
use crate::validate::{
    MAX_MESSAGE_BYTES, check_message, check_message_group_id, check_phone_number, check_subject,
    message_size, parse_structure,
};
use crate::{Sns, SnsError};

/// AWS's limit on entries per PublishBatch.
const MAX_BATCH_ENTRIES: usize = 10;
/// AWS's limit on the length of a batch entry id.
const MAX_BATCH_ENTRY_ID: usize = 80;

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
    /// The chain of invocations the caller is part of (from its trace header; 0: none).
    pub chain: u32,
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

/// What a PublishBatch published: `(entry id, message id)` of each entry, in request order.
/// (AWS's `Failed` list reports entries that failed inside AWS; lambkin commits a batch whole,
/// so it has none.)
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    pub successful: Vec<(String, String)>,
}

/// What one message looks like once checked, before it has an id.
struct Checked {
    subject: Option<String>,
    message: String,
    per_protocol: BTreeMap<String, String>,
    attributes: MessageAttributes,
}

/// The checks of one message, in AWS's order.
fn check(
    message: Option<String>,
    subject: Option<String>,
    structure: Option<String>,
    attributes: MessageAttributes,
    dedup_id: Option<&str>,
    group_id: Option<&str>,
) -> Result<Checked, SnsError> {
    if let Some(s) = &subject {
        check_subject(s)?;
    }
    let message = message.unwrap_or_default();
    if message.is_empty() {
        return Err(SnsError::invalid("Empty message"));
    }
    check_message_attributes(&attributes)?;
    check_message(&message, &attributes)?;
    // lambkin's topics are all standard topics: a deduplication id is AWS's error for those;
    // a group id is accepted (AWS forwards it to SQS subscriptions for fair queues; lambkin
    // checks it and does not forward it).
    if dedup_id.is_some() {
        return Err(SnsError::invalid(
            "MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type",
        ));
    }
    if let Some(g) = group_id {
        check_message_group_id(g)?;
    }
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

/// AWS's rule for a batch entry id: 1–80 of letters, digits, `-` and `_`.
fn check_entry_id(id: &str) -> Result<(), SnsError> {
    if id.chars().count() > MAX_BATCH_ENTRY_ID {
        return Err(SnsError::InvalidBatchEntryId(format!(
            "The Id of a batch entry in the batch request is too long: {id}"
        )));
    }
    let valid = !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if valid {
        Ok(())
    } else {
        Err(SnsError::InvalidBatchEntryId(format!(
            "The Id of a batch entry in the batch request contains an impermissible character: {id}"
        )))
    }
}

impl Sns {
    /// Publishes to a topic; returns the MessageId once every subscriber's delivery is durable.
    pub async fn publish(&self, request: PublishRequest) -> Result<String, SnsError> {
        let checked = check(
            request.message,
            request.subject,
            request.message_structure,
            request.attributes,
            request.message_deduplication_id.as_deref(),
            request.message_group_id.as_deref(),
        )?;
        if let Some(number) = &request.phone_number {
            check_phone_number(number)?;
            return Err(SnsError::invalid(
                "PhoneNumber Reason: lambkin does not send SMS",
            ));
        }
        let topic_arn = match (request.topic_arn, request.target_arn) {
            (Some(t), None) => {
                parse_topic_arn(&t, "TopicArn", &self.inner.scope)?;
                t
            }
            // A platform endpoint's ARN (`...:endpoint/<platform>/<app>/<id>`): lambkin has
            // no platform endpoints, so none is found, in AWS's words.
            (None, Some(t)) if t.contains(":endpoint/") => {
                return Err(SnsError::invalid(
                    "TargetArn Reason: No endpoint found for the target arn specified",
                ));
            }
            (None, Some(t)) => {
                parse_topic_arn(&t, "TargetArn", &self.inner.scope)?;
                t
            }
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
        let mut ids = self
            .commit(&topic_arn, vec![checked], request.chain)
            .await?;
        ids.pop()
            .ok_or_else(|| SnsError::InvalidParameter("Invalid parameter: Message".into()))
    }

    /// Publishes every entry in one commit, or none: as on AWS, any invalid entry fails the
    /// whole call, with the error a Publish of that entry would get.
    pub async fn publish_batch(
        &self,
        topic_arn: &str,
        entries: Vec<BatchEntry>,
        chain: u32,
    ) -> Result<BatchOutcome, SnsError> {
        if entries.is_empty() {
            return Err(SnsError::EmptyBatchRequest);
        }
        if entries.len() > MAX_BATCH_ENTRIES {
            return Err(SnsError::TooManyEntriesInBatchRequest);
        }
        self.topic(topic_arn).await?;
        let mut seen = HashSet::new();
        if !entries.iter().all(|e| seen.insert(e.id.as_str())) {
            return Err(SnsError::BatchEntryIdsNotDistinct);
        }
        for e in &entries {
            check_entry_id(&e.id)?;
        }
        let total: usize = entries
            .iter()
            .map(|e| message_size(e.message.as_deref().unwrap_or_default(), &e.attributes))
            .sum();
        if total > MAX_MESSAGE_BYTES {
            return Err(SnsError::BatchRequestTooLong);
        }
        let mut ids = Vec::with_capacity(entries.len());
        let mut accepted = Vec::with_capacity(entries.len());
        for e in entries {
            accepted.push(check(
                e.message,
                e.subject,
                e.message_structure,
                e.attributes,
                e.message_deduplication_id.as_deref(),
                e.message_group_id.as_deref(),
            )?);
            ids.push(e.id);
        }
        let message_ids = self.commit(topic_arn, accepted, chain).await?;
        Ok(BatchOutcome {
            successful: ids.into_iter().zip(message_ids).collect(),
        })
    }

    /// Publish on behalf of lambkin itself (dead-letter and destination deliveries to a
    /// topic, S3 notifications), with the same checks as Publish, continuing `chain`. Returns
    /// the MessageId.
    pub async fn publish_to_arn(
        &self,
        topic_arn: &str,
        message: String,
        subject: Option<String>,
        attributes: MessageAttributes,
        chain: u32,
    ) -> Result<String, SnsError> {
        self.publish(PublishRequest {
            topic_arn: Some(topic_arn.to_string()),
            message: Some(message),
            subject,
            attributes,
            chain,
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
        chain: u32,
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
                chain,
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
