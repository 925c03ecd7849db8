//! ReceiveMessage with long polling: one receive is one store write; a poller with nothing to
//! receive parks until a send wakes it, until the queue's next message becomes visible, or until
//! its wait time ends, whichever comes first (`waiters.rs` says who wakes whom). It never
//! polls the store in a loop.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::time::Duration;

use lambkin_model::{MessageAttributes, Timestamp};
use lambkin_store::{SqsReceipt, SqsReceive, SqsRedrive, SqsStoredMessage};
use tokio::sync::futures::Notified;
use tokio::time::Instant;

use crate::digest::{md5_of_attributes, md5_of_body};
use crate::message::{AWS_TRACE_HEADER, receipt_handle};
use crate::queue_settings::MAX_VISIBILITY_TIMEOUT_S;
use crate::waiters::QueueSignals;
use crate::{QueueName, QueueSettings, ReceivedMessage, Sqs, SqsError};

const MAX_WAIT_S: i64 = 20;

/// ReceiveMessage's parameters as given (validated here, so errors carry AWS's messages).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceiveOptions {
    pub max_number_of_messages: Option<i64>,
    pub visibility_timeout: Option<i64>,
    pub wait_time_seconds: Option<i64>,
    /// System attributes to return (`All` in any case, `SentTimestamp`, ...); names SQS does
    /// not know are ignored, as SQS ignores them.
    pub attribute_names: Vec<String>,
    /// Message attributes to return (`All`, `.*`, `prefix.*` or exact names).
    pub message_attribute_names: Vec<String>,
}

impl Sqs {
    /// ReceiveMessage: returns at once if messages are visible, else waits up to the wait time
    /// for one to arrive or become visible.
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
        self.receive_until(q, max, options, deadline).await
    }

    /// Receives up to `max` messages, waiting until `deadline` for one to arrive or become
    /// visible; `options` are already checked. Event source mappings wait on a deadline of
    /// their own (a batching window is not whole long polls).
    pub(crate) async fn receive_until(
        &self,
        q: &QueueName,
        max: u32,
        options: &ReceiveOptions,
        deadline: Instant,
    ) -> Result<Vec<ReceivedMessage>, SqsError> {
        loop {
            // Looked up each round: a queue deleted and created again meanwhile has new
            // signals, and a poller left on the old ones would never be woken.
            let signals = self.inner.waiters.of(q.as_str());
            // Registered before looking, and kept while parked, so a send after the look
            // still wakes this poller.
            let sent = signals.sent.notified();
            tokio::pin!(sent);
            sent.as_mut().enable();
            let (_, settings) = self.load(q).await?;
            let visibility = options
                .visibility_timeout
                .unwrap_or(i64::from(settings.visibility_timeout_s));
            let got = self.receive_once(q, &settings, max, visibility).await?;
            if !got.is_empty() || Instant::now() >= deadline || self.inner.waiters.ended() {
                return Ok(got
                    .into_iter()
                    .map(|(m, handle)| shape(m, handle, options, self.scope().account.as_str()))
                    .collect());
            }
            self.park(q, &signals, sent, deadline).await?;
        }
    }

    /// Waits until `sent` fires, the queue's earliest message becomes visible, or the deadline.
    /// A visibility change elsewhere only makes it re-read the earliest visibility.
    async fn park(
        &self,
        q: &QueueName,
        signals: &QueueSignals,
        mut sent: Pin<&mut Notified<'_>>,
        deadline: Instant,
    ) -> Result<(), SqsError> {
        let _parked = signals.park();
        loop {
            let changed = signals.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let mut until = deadline;
            // In the past (a zero wait) if a message became visible since the last receive.
            if let Some(next) = self.inner.store.sqs_next_visible(q.as_str()).await? {
                until = until.min(Instant::now() + next.since(self.now()));
            }
            if self.inner.waiters.ended() {
                return Ok(());
            }
            tokio::select! {
                _ = &mut sent => return Ok(()),
                _ = &mut changed => {}
                _ = tokio::time::sleep_until(until) => return Ok(()),
            }
        }
    }

    /// One non-waiting receive; returns each message with its receipt handle.
    async fn receive_once(
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
            // The receive may have moved messages there, visible now.
            self.inner.waiters.visibility_changed(&dlq);
        }
        if !got.is_empty() {
            // A short visibility timeout can bring these back before other pollers' timers.
            self.inner.waiters.visibility_changed(q.as_str());
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

    /// Server shutdown: parked long polls answer now (with what is visible, usually nothing)
    /// instead of holding the shutdown for up to 20 s, and later receives do not wait.
    /// Messages were sent to `queue` through another node: long polls parked on it here
    /// look again.
    pub fn remote_sent(&self, queue: &str) {
        self.inner.waiters.visibility_changed(queue);
    }

    pub fn end_long_polls(&self) {
        self.inner.waiters.end();
    }

    /// How many ReceiveMessage calls are parked on the queue now, waiting for a message.
    pub fn parked_pollers(&self, q: &QueueName) -> usize {
        self.inner.waiters.parked(q.as_str())
    }
}

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
    let all = options.attribute_names.iter().any(|n| is_all(n));
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
        (
            AWS_TRACE_HEADER,
            m.system_attributes.get(AWS_TRACE_HEADER).cloned(),
        ),
        (
            "MessageGroupId",
            m.system_attributes.get("MessageGroupId").cloned(),
        ),
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

/// `All` in any letter case: SQS answers `ALL` (what kombu, Celery's SQS broker, sends) and
/// `all` as it answers `All` (docs/api-compat.md has the sources).
fn is_all(requested: &str) -> bool {
    requested.eq_ignore_ascii_case("All")
}

/// `All` (any case), `*` and `.*` ask for every attribute; `<prefix>.*` for the names that
/// start with the prefix as a string (AWS returns `Hello` and `Help.Me` for `Hel.*`); anything
/// else for that exact name. Names no attribute could have (`AWS.`, `..foo`) and names no
/// message has just match nothing: SQS refuses no name here, and neither does lambkin.
fn wants_message_attribute(requested: &[String], name: &str) -> bool {
    requested.iter().any(|r| match r.as_str() {
        "*" | ".*" => true,
        r if is_all(r) => true,
        r => match r.strip_suffix(".*") {
            Some(prefix) => name.starts_with(prefix),
            None => r == name,
        },
    })
}

#[cfg(test)]
mod tests;
