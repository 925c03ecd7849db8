//! Message operations: SendMessage(Batch), ReceiveMessage with long polling,
//! DeleteMessage(Batch) and ChangeMessageVisibility(Batch).

use std::collections::BTreeMap;
use std::time::Duration;

use lambkin_model::{MessageAttributes, Timestamp};
use lambkin_store::{
    NewSqsMessage, SqsReceipt, SqsReceive, SqsRedrive, SqsStoredMessage, SqsVisibilityChange,
};
use tokio::time::Instant;

use crate::batch::{self, BatchEntry};
use crate::digest::{md5_of_attributes, md5_of_body};
use crate::message::{parse_receipt_handle, receipt_handle};
use crate::queue_settings::{MAX_MESSAGE_SIZE, MAX_VISIBILITY_TIMEOUT_S};
use crate::{OutgoingMessage, QueueName, QueueSettings, ReceivedMessage, Sqs, SqsError};

const MAX_WAIT_S: i64 = 20;

/// What SendMessage answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMessage {
    pub message_id: String,
    pub md5_of_body: String,
    pub md5_of_message_attributes: Option<String>,
}

/// ReceiveMessage's parameters as given (validated here, so errors carry AWS's messages).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceiveOptions {
    pub max_number_of_messages: Option<i64>,
    pub visibility_timeout: Option<i64>,
    pub wait_time_seconds: Option<i64>,
    /// System attributes to return (`All`, `SentTimestamp`, ...).
    pub attribute_names: Vec<String>,
    /// Message attributes to return (`All`, `.*`, `prefix.*` or exact names).
    pub message_attribute_names: Vec<String>,
}

impl Sqs {
    pub(crate) fn expire_before(&self, settings: &QueueSettings, now: Timestamp) -> Timestamp {
        Timestamp(now.0 - i64::from(settings.message_retention_s) * 1000)
    }

    /// Validates and stores messages in one commit, then wakes the queue's pollers.
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
            });
            rows.push(NewSqsMessage {
                message_id,
                body: m.body,
                attributes: m.attributes,
                sent_at: now,
                visible_at: Timestamp(now.0 + delay * 1000),
            });
        }
        if !self.inner.store.sqs_send(q.as_str(), rows).await? {
            return Err(SqsError::QueueDoesNotExist);
        }
        self.inner.waiters.wake(q.as_str());
        Ok(sent)
    }

    pub async fn send_message(
        &self,
        q: &QueueName,
        message: OutgoingMessage,
    ) -> Result<SentMessage, SqsError> {
        let (_, settings) = self.load(q).await?;
        message.validate(settings.maximum_message_size)?;
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
        let (_, settings) = self.load(q).await?;
        let mut results: Vec<BatchEntry<Result<SentMessage, SqsError>>> = Vec::new();
        let mut valid = Vec::new();
        let mut total = 0;
        for e in entries {
            match e.entry.validate(settings.maximum_message_size) {
                Ok(size) => {
                    total += size;
                    valid.push(e);
                }
                Err(err) => results.push(BatchEntry {
                    id: e.id,
                    entry: Err(err),
                }),
            }
        }
        if total > MAX_MESSAGE_SIZE as usize {
            return Err(SqsError::BatchRequestTooLong {
                size: total,
                limit: MAX_MESSAGE_SIZE as usize,
            });
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

    /// ReceiveMessage: returns at once if messages are visible, else waits up to the wait time
    /// for a send (signalled) or a visibility expiry (timed), whichever comes first.
    pub async fn receive_message(
        &self,
        q: &QueueName,
        options: &ReceiveOptions,
    ) -> Result<Vec<ReceivedMessage>, SqsError> {
        let max = match options.max_number_of_messages {
            None => 1,
            Some(n @ 1..=10) => n as u32,
            Some(n) => {
                return Err(SqsError::bad_value(
                    "MaxNumberOfMessages",
                    n,
                    "Must be between 1 and 10, if provided.",
                ));
            }
        };
        if let Some(v) = options.visibility_timeout
            && !(0..=i64::from(MAX_VISIBILITY_TIMEOUT_S)).contains(&v)
        {
            return Err(SqsError::bad_value(
                "VisibilityTimeout",
                v,
                "Must be >= 0 and <= 43200, if provided.",
            ));
        }
        if let Some(w) = options.wait_time_seconds
            && !(0..=MAX_WAIT_S).contains(&w)
        {
            return Err(SqsError::bad_value(
                "WaitTimeSeconds",
                w,
                "Must be >= 0 and <= 20, if provided.",
            ));
        }
        let (_, settings) = self.load(q).await?;
        let wait = options
            .wait_time_seconds
            .unwrap_or(i64::from(settings.receive_wait_s));
        let deadline = Instant::now() + Duration::from_secs(wait as u64);
        let notify = self.inner.waiters.of(q.as_str());
        loop {
            // Registered before looking, so a send after the look still wakes this poller.
            let woken = notify.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            let (_, settings) = self.load(q).await?;
            let visibility = options
                .visibility_timeout
                .unwrap_or(i64::from(settings.visibility_timeout_s));
            let got = self.receive_once(q, &settings, max, visibility).await?;
            if !got.is_empty() || Instant::now() >= deadline {
                return Ok(got
                    .into_iter()
                    .map(|(m, handle)| shape(m, handle, options, self.scope().account.as_str()))
                    .collect());
            }
            let now = self.now();
            let mut until = deadline;
            if let Some(next) = self.inner.store.sqs_next_visible(q.as_str(), now).await? {
                until = until.min(Instant::now() + next.since(now));
            }
            tokio::select! {
                _ = &mut woken => {}
                _ = tokio::time::sleep_until(until) => {}
            }
        }
    }

    /// One non-waiting receive; returns each message with its receipt handle.
    pub(crate) async fn receive_once(
        &self,
        q: &QueueName,
        settings: &QueueSettings,
        max: u32,
        visibility_s: i64,
    ) -> Result<Vec<(SqsStoredMessage, String)>, SqsError> {
        let now = self.now();
        let redrive = match &settings.redrive {
            Some(r) => QueueName::from_arn(&r.dead_letter_target_arn, self.scope())
                .ok()
                .map(|dlq| SqsRedrive {
                    dead_letter_queue: dlq.as_str().to_string(),
                    max_receive_count: r.max_receive_count,
                    source_arn: q.arn(self.scope()),
                }),
            None => None,
        };
        let receipt = uuid::Uuid::new_v4().to_string();
        let dlq = redrive.as_ref().map(|r| r.dead_letter_queue.clone());
        let got = self
            .inner
            .store
            .sqs_receive(SqsReceive {
                queue: q.as_str().to_string(),
                now,
                max,
                invisible_until: Timestamp(now.0 + visibility_s * 1000),
                expire_before: self.expire_before(settings, now),
                redrive,
                receipt: receipt.clone(),
            })
            .await?;
        if let Some(dlq) = dlq {
            // The receive may have moved messages there.
            self.inner.waiters.wake(&dlq);
        }
        Ok(got
            .into_iter()
            .map(|m| {
                let handle = receipt_handle(&SqsReceipt {
                    message_id: m.message_id.clone(),
                    receipt: receipt.clone(),
                });
                (m, handle)
            })
            .collect())
    }

    /// DeleteMessage. A well-formed handle of an earlier receive, or of a message already
    /// deleted, succeeds without effect, as on AWS.
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

    pub async fn change_message_visibility(
        &self,
        q: &QueueName,
        handle: &str,
        timeout_s: i64,
    ) -> Result<(), SqsError> {
        let entry = BatchEntry {
            id: "only".to_string(),
            entry: (handle.to_string(), timeout_s),
        };
        let mut results = self.change_visibility_entries(q, vec![entry]).await?;
        results.pop().map_or(Ok(()), |r| r.entry)
    }

    pub async fn change_message_visibility_batch(
        &self,
        q: &QueueName,
        entries: Vec<BatchEntry<(String, i64)>>,
    ) -> Result<Vec<BatchEntry<Result<(), SqsError>>>, SqsError> {
        batch::check(&entries, "ChangeMessageVisibilityBatchRequestEntry")?;
        self.change_visibility_entries(q, entries).await
    }

    async fn change_visibility_entries(
        &self,
        q: &QueueName,
        entries: Vec<BatchEntry<(String, i64)>>,
    ) -> Result<Vec<BatchEntry<Result<(), SqsError>>>, SqsError> {
        let checked: Vec<CheckedChange> = entries
            .into_iter()
            .map(|e| {
                let (handle, timeout) = e.entry;
                let r = parse_receipt_handle(&handle).and_then(|r| {
                    if (0..=i64::from(MAX_VISIBILITY_TIMEOUT_S)).contains(&timeout) {
                        Ok((r, timeout))
                    } else {
                        Err(SqsError::bad_value(
                            "VisibilityTimeout",
                            timeout,
                            "Must be between 0 and 43200, if provided.",
                        ))
                    }
                });
                (e.id, handle, r)
            })
            .collect();
        self.load(q).await?;
        let now = self.now();
        let changes: Vec<(SqsReceipt, Timestamp)> = checked
            .iter()
            .filter_map(|(_, _, r)| r.as_ref().ok())
            .map(|(r, t)| (r.clone(), Timestamp(now.0 + t * 1000)))
            .collect();
        let mut outcomes = self
            .inner
            .store
            .sqs_change_visibility(q.as_str(), changes, now)
            .await?
            .into_iter();
        let mut any_visible = false;
        let results = checked
            .into_iter()
            .map(|(id, handle, r)| {
                let entry = r.and_then(|(_, timeout)| match outcomes.next() {
                    Some(SqsVisibilityChange::Changed) => {
                        any_visible |= timeout == 0;
                        Ok(())
                    }
                    Some(SqsVisibilityChange::NotInFlight) => Err(SqsError::MessageNotInflight),
                    _ => Err(SqsError::bad_value(
                        "ReceiptHandle",
                        handle,
                        "Message does not exist or is not available for visibility timeout change.",
                    )),
                });
                BatchEntry { id, entry }
            })
            .collect();
        if any_visible {
            self.inner.waiters.wake(q.as_str());
        }
        Ok(results)
    }
}

/// A visibility change entry after its own checks: id, handle as given, receipt and timeout.
type CheckedChange = (String, String, Result<(SqsReceipt, i64), SqsError>);

/// The public shape of a stored message: message attributes filtered by the requested names
/// (the MD5 covers what is returned), system attributes by name.
fn shape(
    m: SqsStoredMessage,
    receipt_handle: String,
    options: &ReceiveOptions,
    account: &str,
) -> ReceivedMessage {
    let attributes: MessageAttributes = m
        .attributes
        .into_iter()
        .filter(|(name, _)| wants_message_attribute(&options.message_attribute_names, name))
        .collect();
    let all = options.attribute_names.iter().any(|n| n == "All");
    let wanted = |n: &str| all || options.attribute_names.iter().any(|w| w == n);
    let mut system = BTreeMap::new();
    let candidates = [
        ("SenderId", Some(account.to_string())),
        ("SentTimestamp", Some(m.sent_at.0.to_string())),
        ("ApproximateReceiveCount", Some(m.receive_count.to_string())),
        (
            "ApproximateFirstReceiveTimestamp",
            Some(m.first_received_at.0.to_string()),
        ),
        ("DeadLetterQueueSourceArn", m.dead_letter_source_arn),
    ];
    for (name, value) in candidates {
        if let Some(v) = value.filter(|_| wanted(name)) {
            system.insert(name.to_string(), v);
        }
    }
    ReceivedMessage {
        md5_of_body: md5_of_body(&m.body),
        md5_of_message_attributes: md5_of_attributes(&attributes),
        message_id: m.message_id,
        receipt_handle,
        body: m.body,
        attributes,
        system_attributes: system,
    }
}

fn wants_message_attribute(requested: &[String], name: &str) -> bool {
    requested.iter().any(|r| match r.as_str() {
        "All" | ".*" => true,
        r => match r.strip_suffix(".*") {
            Some(prefix) => name.starts_with(prefix) && name[prefix.len()..].starts_with('.'),
            None => r == name,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_attribute_name_filters() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let cases: &[(&[&str], &str, bool)] = &[
            (&["All"], "x", true),
            (&[".*"], "x", true),
            (&["x"], "x", true),
            (&["x"], "y", false),
            (&["bar.*"], "bar.baz", true),
            (&["bar.*"], "barbaz", false),
            (&["bar.*"], "bar", false),
            (&[], "x", false),
        ];
        for (requested, name, want) in cases {
            assert_eq!(
                wants_message_attribute(&names(requested), name),
                *want,
                "{requested:?} {name}"
            );
        }
    }
}
