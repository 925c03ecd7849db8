//! Queue operations: CreateQueue, GetQueueUrl, ListQueues, DeleteQueue, GetQueueAttributes,
//! SetQueueAttributes and PurgeQueue.

use std::collections::BTreeMap;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use lambkin_store::{SqsQueueCounts, SqsQueueRecord};

use crate::tags::check_tags;
use crate::{QueueName, QueueSettings, Sqs, SqsError};

/// Attributes `GetQueueAttributes` computes rather than stores.
const COMPUTED: [&str; 6] = [
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "QueueArn",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
];

/// Every attribute `All` expands to (opaque ones only when set).
const SETTABLE: [&str; 11] = [
    "VisibilityTimeout",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds",
    "RedrivePolicy",
    "Policy",
    "RedriveAllowPolicy",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled",
];

const PURGE_INTERVAL: Duration = Duration::from_secs(60);
const LIST_LIMIT: usize = 1000;

/// `MaxResults`: 1–1000 when given; 1000 otherwise.
fn page_limit(max_results: Option<i64>) -> Result<usize, SqsError> {
    match max_results {
        None => Ok(LIST_LIMIT),
        Some(m @ 1..=1000) => Ok(m as usize),
        Some(m) => Err(SqsError::bad_value(
            "MaxResults",
            m,
            "MaxResults must be an integer between 1 and 1000.",
        )),
    }
}

/// The name a `NextToken` continues after.
fn page_start(next_token: Option<&str>) -> Result<Option<String>, SqsError> {
    next_token
        .map(|t| {
            URL_SAFE_NO_PAD
                .decode(t)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| SqsError::invalid("Invalid NextToken value."))
        })
        .transpose()
}

/// The first `limit` queues, and a token for the rest when paging was asked for (AWS pages
/// only when `MaxResults` is given).
fn page(
    mut queues: Vec<QueueName>,
    limit: usize,
    max_results: Option<i64>,
) -> (Vec<QueueName>, Option<String>) {
    let more = queues.len() > limit;
    queues.truncate(limit);
    let token = (more && max_results.is_some())
        .then(|| queues.last().map(|q| URL_SAFE_NO_PAD.encode(q.as_str())))
        .flatten();
    (queues, token)
}

impl Sqs {
    /// The queue's record and settings, or `QueueDoesNotExist`.
    pub(crate) async fn load(
        &self,
        q: &QueueName,
    ) -> Result<(SqsQueueRecord, QueueSettings), SqsError> {
        let record = self
            .inner
            .store
            .sqs_queue(q.as_str())
            .await?
            .ok_or(SqsError::QueueDoesNotExist)?;
        let settings = QueueSettings::from_attributes(&record.attributes)?;
        Ok((record, settings))
    }

    /// Validates requested attributes for queue `q`, including that a redrive target exists
    /// and is another queue (a queue that is its own dead-letter queue would hand a message
    /// back to itself on every receive).
    async fn check_attributes(
        &self,
        q: &QueueName,
        attributes: &BTreeMap<String, String>,
    ) -> Result<QueueSettings, SqsError> {
        let settings = QueueSettings::from_attributes(attributes)?;
        if let Some(r) = &settings.redrive {
            let reason = match QueueName::from_arn(&r.dead_letter_target_arn, self.scope()) {
                Ok(dlq) if dlq == *q => Some("Dead letter target cannot be the source queue."),
                Ok(dlq) if self.inner.store.sqs_queue(dlq.as_str()).await?.is_none() => {
                    Some("Dead letter target does not exist.")
                }
                Ok(_) => None,
                Err(_) => Some("Dead letter target does not exist."),
            };
            if let Some(reason) = reason {
                let value = attributes.get("RedrivePolicy").cloned().unwrap_or_default();
                return Err(SqsError::bad_value("RedrivePolicy", value, reason));
            }
        }
        Ok(settings)
    }

    /// Creates the queue with its attributes and tags, or returns it if it exists and every
    /// given attribute has the same value there (AWS's idempotent create) and every given tag
    /// too; otherwise `QueueNameExists`. AWS refuses a create naming tags the existing queue
    /// does not have, even when it has none (dramatiq_sqs #13, amazon-sqs-java-temporary-
    /// queues-client #70, both against AWS); a create without tags never compares them.
    pub async fn create_queue(
        &self,
        name: &str,
        attributes: BTreeMap<String, String>,
        tags: BTreeMap<String, String>,
    ) -> Result<QueueName, SqsError> {
        if attributes.get("FifoQueue").is_some_and(|v| v == "true") {
            if name.ends_with(".fifo") {
                return Err(SqsError::UnsupportedOperation(
                    "lambkin does not support FIFO queues (see docs/api-compat.md)".into(),
                ));
            }
            return Err(SqsError::invalid(
                "The name of a FIFO queue can only include alphanumeric characters, hyphens, or \
                 underscores, must end with .fifo suffix and be 1 to 80 in length.",
            ));
        }
        let q = QueueName::parse(name)?;
        self.check_attributes(&q, &attributes).await?;
        check_tags(&q, &tags)?;
        let now = self.now();
        let record = SqsQueueRecord {
            name: q.as_str().to_string(),
            attributes: QueueSettings::merged(&BTreeMap::new(), &attributes),
            tags: tags.clone(),
            created_at: now,
            last_modified: now,
        };
        // Compared as stored: an attribute given at its default is stored as left out, so the
        // request must be read the same way to match an existing queue.
        let requested = QueueSettings::from_attributes(&record.attributes)?;
        if let Some(existing) = self.inner.store.sqs_create_queue(record).await? {
            let current = QueueSettings::from_attributes(&existing.attributes)?;
            for name in attributes.keys() {
                if requested.attribute(name) != current.attribute(name) {
                    return Err(SqsError::queue_exists_attribute(name));
                }
            }
            if tags.iter().any(|(k, v)| existing.tags.get(k) != Some(v)) {
                return Err(SqsError::queue_exists_tags());
            }
        }
        Ok(q)
    }

    /// GetQueueUrl: the queue of that name, if it exists.
    pub async fn get_queue(&self, name: &str) -> Result<QueueName, SqsError> {
        let q = QueueName::parse(name).map_err(|_| SqsError::QueueDoesNotExist)?;
        self.load(&q).await?;
        Ok(q)
    }

    /// ListQueues: names with the prefix; paged only when `max_results` is given, as AWS.
    pub async fn list_queues(
        &self,
        prefix: Option<&str>,
        max_results: Option<i64>,
        next_token: Option<&str>,
    ) -> Result<(Vec<QueueName>, Option<String>), SqsError> {
        let limit = page_limit(max_results)?;
        let after = page_start(next_token)?;
        // One more than the page, to know whether another follows. Stored names were parsed
        // when their queues were created, so none is dropped here.
        let names = self
            .inner
            .store
            .sqs_list_queues(prefix.unwrap_or_default(), after, limit + 1)
            .await?;
        let queues = names
            .iter()
            .filter_map(|n| QueueName::parse(n).ok())
            .collect();
        Ok(page(queues, limit, max_results))
    }

    /// ListDeadLetterSourceQueues: the queues whose `RedrivePolicy` names `dlq`, paged like
    /// ListQueues. Reads every queue's attributes, as lambkin keeps no index of redrive targets.
    pub async fn list_dead_letter_source_queues(
        &self,
        dlq: &QueueName,
        max_results: Option<i64>,
        next_token: Option<&str>,
    ) -> Result<(Vec<QueueName>, Option<String>), SqsError> {
        let limit = page_limit(max_results)?;
        let mut after = page_start(next_token)?;
        self.load(dlq).await?;
        let mut sources = Vec::new();
        loop {
            let (queues, next) = self.settings_page(after).await?;
            for (q, settings) in queues {
                let target = settings.redrive.and_then(|r| {
                    QueueName::from_arn(&r.dead_letter_target_arn, self.scope()).ok()
                });
                if target.as_ref() == Some(dlq) {
                    sources.push(q);
                }
            }
            after = next;
            if sources.len() > limit || after.is_none() {
                return Ok(page(sources, limit, max_results));
            }
        }
    }

    /// The next page of queues after `after` (all of them, in name order, a page at a time)
    /// with their settings, and where the following page starts (`None` after the last). A
    /// queue deleted meanwhile is left out.
    async fn settings_page(
        &self,
        after: Option<String>,
    ) -> Result<(Vec<(QueueName, QueueSettings)>, Option<String>), SqsError> {
        let names = self
            .inner
            .store
            .sqs_list_queues("", after, LIST_LIMIT)
            .await?;
        let next = (names.len() == LIST_LIMIT)
            .then(|| names.last().cloned())
            .flatten();
        let mut out = Vec::with_capacity(names.len());
        for name in &names {
            let Ok(q) = QueueName::parse(name) else {
                continue;
            };
            match self.load(&q).await {
                Ok((_, settings)) => out.push((q, settings)),
                Err(SqsError::QueueDoesNotExist) => {}
                Err(e) => return Err(e),
            }
        }
        Ok((out, next))
    }

    pub async fn delete_queue(&self, q: &QueueName) -> Result<(), SqsError> {
        if !self.inner.store.sqs_delete_queue(q.as_str()).await? {
            return Err(SqsError::QueueDoesNotExist);
        }
        self.inner.waiters.forget(q.as_str());
        let mut purges = self.inner.purges.lock().unwrap_or_else(|e| e.into_inner());
        purges.remove(q.as_str());
        Ok(())
    }

    /// Every queue's message counts, by name (for metrics). A queue deleted meanwhile is left
    /// out.
    pub async fn message_counts(&self) -> Result<Vec<(String, SqsQueueCounts)>, SqsError> {
        let mut out = Vec::new();
        let mut after = None;
        loop {
            let (queues, next) = self.settings_page(after).await?;
            for (q, settings) in queues {
                let now = self.now();
                let counts = self
                    .inner
                    .store
                    .sqs_counts(q.as_str(), now, self.expire_before(&settings, now))
                    .await?;
                out.push((q.as_str().to_string(), counts));
            }
            match next {
                Some(n) => after = Some(n),
                None => return Ok(out),
            }
        }
    }

    /// GetQueueAttributes: `names` may hold `All`; unknown names fail the whole call.
    pub async fn get_queue_attributes(
        &self,
        q: &QueueName,
        names: &[String],
    ) -> Result<BTreeMap<String, String>, SqsError> {
        for n in names {
            if n != "All" && !COMPUTED.contains(&n.as_str()) && !SETTABLE.contains(&n.as_str()) {
                return Err(SqsError::InvalidAttributeName(format!(
                    "Unknown Attribute {n}."
                )));
            }
        }
        let (record, settings) = self.load(q).await?;
        let all = names.iter().any(|n| n == "All");
        let wanted = |n: &str| all || names.iter().any(|w| w == n);
        let mut out = BTreeMap::new();
        for n in SETTABLE.iter().filter(|n| wanted(n)) {
            if let Some(v) = settings.attribute(n) {
                out.insert(n.to_string(), v);
            }
        }
        if COMPUTED.iter().any(|n| wanted(n)) {
            let now = self.now();
            let counts = self
                .inner
                .store
                .sqs_counts(q.as_str(), now, self.expire_before(&settings, now))
                .await?;
            let computed = [
                ("ApproximateNumberOfMessages", counts.visible.to_string()),
                (
                    "ApproximateNumberOfMessagesNotVisible",
                    counts.not_visible.to_string(),
                ),
                (
                    "ApproximateNumberOfMessagesDelayed",
                    counts.delayed.to_string(),
                ),
                ("QueueArn", q.arn(self.scope())),
                ("CreatedTimestamp", (record.created_at.0 / 1000).to_string()),
                (
                    "LastModifiedTimestamp",
                    (record.last_modified.0 / 1000).to_string(),
                ),
            ];
            for (n, v) in computed.into_iter().filter(|(n, _)| wanted(n)) {
                out.insert(n.to_string(), v);
            }
        }
        Ok(out)
    }

    pub async fn set_queue_attributes(
        &self,
        q: &QueueName,
        attributes: BTreeMap<String, String>,
    ) -> Result<(), SqsError> {
        self.check_attributes(q, &attributes).await?;
        let (record, _) = self.load(q).await?;
        let merged = QueueSettings::merged(&record.attributes, &attributes);
        if !self
            .inner
            .store
            .sqs_set_queue_attributes(q.as_str(), merged, self.now())
            .await?
        {
            return Err(SqsError::QueueDoesNotExist);
        }
        Ok(())
    }

    /// PurgeQueue; AWS allows one per queue every 60 seconds.
    pub async fn purge_queue(&self, q: &QueueName) -> Result<(), SqsError> {
        self.load(q).await?;
        let now = self.now();
        {
            let mut purges = self.inner.purges.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(last) = purges.get(q.as_str())
                && now.since(*last) < PURGE_INTERVAL
            {
                return Err(SqsError::PurgeQueueInProgress(q.to_string()));
            }
            purges.insert(q.as_str().to_string(), now);
        }
        self.inner.store.sqs_purge(q.as_str()).await?;
        Ok(())
    }
}
