//! Message operations that write: SendMessage(Batch) and DeleteMessage(Batch). Receiving and
//! long polling are in `receive.rs`, visibility changes in `visibility.rs`.

use lambkin_model::Timestamp;
use lambkin_store::{NewSqsMessage, SqsReceipt};

use crate::batch::{self, BatchEntry};
use crate::digest::{md5_of_attributes, md5_of_body};
use crate::message::{Sending, parse_receipt_handle};
use crate::queue_settings::MAX_MESSAGE_SIZE;
use crate::{OutgoingMessage, QueueName, QueueSettings, Sqs, SqsError};

/// What SendMessage answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMessage {
    pub message_id: String,
    pub md5_of_body: String,
    pub md5_of_message_attributes: Option<String>,
    /// Over the `MessageSystemAttributes` sent, when there were any.
    pub md5_of_message_system_attributes: Option<String>,
}

impl Sqs {
    pub(crate) fn expire_before(&self, settings: &QueueSettings, now: Timestamp) -> Timestamp {
        Timestamp(now.0 - i64::from(settings.message_retention_s) * 1000)
    }

    /// Validates and stores messages in one commit, then wakes one poller per visible message.
    async fn send_all(
        &self,
        q: &QueueName,
        settings: &QueueSettings,
        messages: Vec<OutgoingMessage>,
    ) -> Result<Vec<SentMessage>, SqsError> {
        let now = self.now();
        let mut rows = Vec::with_capacity(messages.len());
        let mut sent = Vec::with_capacity(messages.len());
        for m in messages {
            let delay = m.delay_seconds.unwrap_or(i64::from(settings.delay_s));
            let message_id = uuid::Uuid::new_v4().to_string();
            sent.push(SentMessage {
                message_id: message_id.clone(),
                md5_of_body: md5_of_body(&m.body),
                md5_of_message_attributes: md5_of_attributes(&m.attributes),
                md5_of_message_system_attributes: md5_of_attributes(&m.system_attributes),
            });
            rows.push(NewSqsMessage {
                message_id,
                system_attributes: m.stored_system_attributes(),
                body: m.body,
                attributes: m.attributes,
                sent_at: now,
                visible_at: Timestamp(now.0 + delay * 1000),
            });
        }
        let visible_now = rows.iter().filter(|r| r.visible_at <= now).count();
        let delayed = rows.len() > visible_now;
        if !self.inner.store.sqs_send(q.as_str(), rows).await? {
            return Err(SqsError::QueueDoesNotExist);
        }
        self.inner.waiters.sent(q.as_str(), visible_now);
        if delayed {
            // Every parked poller learns when the delay ends, not only the one woken.
            self.inner.waiters.visibility_changed(q.as_str());
        }
        Ok(sent)
    }

    pub async fn send_message(
        &self,
        q: &QueueName,
        message: OutgoingMessage,
    ) -> Result<SentMessage, SqsError> {
        let (_, settings) = self.load(q).await?;
        message.validate(settings.maximum_message_size, Sending::Single)?;
        let mut sent = self.send_all(q, &settings, vec![message]).await?;
        sent.pop()
            .ok_or_else(|| SqsError::invalid("no message was sent"))
    }

    /// SendMessageBatch: request-level problems fail the call; an invalid entry fails alone.
    pub async fn send_message_batch(
        &self,
        q: &QueueName,
        entries: Vec<BatchEntry<OutgoingMessage>>,
    ) -> Result<Vec<BatchEntry<Result<SentMessage, SqsError>>>, SqsError> {
        batch::check(&entries, "SendMessageBatchRequestEntry")?;
        // The whole batch's size is checked first, entries valid or not, as on AWS.
        let total: usize = entries.iter().map(|e| e.entry.counted_size()).sum();
        if total > MAX_MESSAGE_SIZE as usize {
            return Err(SqsError::BatchRequestTooLong {
                size: total,
                limit: MAX_MESSAGE_SIZE as usize,
            });
        }
        let (_, settings) = self.load(q).await?;
        let mut results: Vec<BatchEntry<Result<SentMessage, SqsError>>> = Vec::new();
        let mut valid = Vec::new();
        for e in entries {
            match e
                .entry
                .validate(settings.maximum_message_size, Sending::BatchEntry)
            {
                Ok(_) => valid.push(e),
                Err(err) => results.push(BatchEntry {
                    id: e.id,
                    entry: Err(err),
                }),
            }
        }
        let ids: Vec<String> = valid.iter().map(|e| e.id.clone()).collect();
        let messages = valid.into_iter().map(|e| e.entry).collect();
        let sent = if ids.is_empty() {
            Vec::new()
        } else {
            self.send_all(q, &settings, messages).await?
        };
        for (id, s) in ids.into_iter().zip(sent) {
            results.push(BatchEntry { id, entry: Ok(s) });
        }
        Ok(results)
    }

    /// DeleteMessage. As on AWS, any handle issued for the message deletes it (an earlier
    /// receive's too), and a well-formed handle of a message already deleted succeeds without
    /// effect.
    pub async fn delete_message(&self, q: &QueueName, handle: &str) -> Result<(), SqsError> {
        let receipt = parse_receipt_handle(handle)?;
        self.load(q).await?;
        self.inner
            .store
            .sqs_delete_messages(q.as_str(), vec![receipt])
            .await?;
        Ok(())
    }

    pub async fn delete_message_batch(
        &self,
        q: &QueueName,
        entries: Vec<BatchEntry<String>>,
    ) -> Result<Vec<BatchEntry<Result<(), SqsError>>>, SqsError> {
        batch::check(&entries, "DeleteMessageBatchRequestEntry")?;
        self.load(q).await?;
        let parsed: Vec<(String, Result<SqsReceipt, SqsError>)> = entries
            .into_iter()
            .map(|e| (e.id, parse_receipt_handle(&e.entry)))
            .collect();
        let receipts = parsed
            .iter()
            .filter_map(|(_, r)| r.as_ref().ok().cloned())
            .collect();
        self.inner
            .store
            .sqs_delete_messages(q.as_str(), receipts)
            .await?;
        Ok(parsed
            .into_iter()
            .map(|(id, r)| BatchEntry {
                id,
                entry: r.map(|_| ()),
            })
            .collect())
    }
}
