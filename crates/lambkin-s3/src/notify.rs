//! The service side of bucket notifications: storing a configuration after S3's checks (and,
//! unless skipped, a check that each destination exists on this server), and the deliveries an
//! object event owes, which the caller commits with the object write.

use std::sync::atomic::{AtomicU64, Ordering};

use lambkin_model::{Arn, FunctionRef};
use lambkin_store::{DeliveryKind, NewDelivery};

use crate::notifications::{EventFacts, Notifications, ObjectEvent, TargetKind, record};
use crate::{S3, S3Error};

/// `sequencer` values: increasing across the server (so per key), from the clock in
/// nanoseconds, one more than the last when the clock has not moved.
fn next_sequencer(now_ms: i64) -> String {
    static LAST: AtomicU64 = AtomicU64::new(0);
    let now = u64::try_from(now_ms).unwrap_or(0).saturating_mul(1_000_000);
    let mut last = LAST.load(Ordering::Relaxed);
    loop {
        let next = now.max(last + 1);
        match LAST.compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return format!("{next:018X}"),
            Err(seen) => last = seen,
        }
    }
}

impl S3 {
    /// PutBucketNotificationConfiguration: replaces the configuration (an empty one turns
    /// notifications off).
    pub async fn put_bucket_notifications(
        &self,
        bucket: &str,
        config: Notifications,
        skip_destination_validation: bool,
    ) -> Result<(), S3Error> {
        self.head_bucket(bucket).await?;
        config.check()?;
        if !skip_destination_validation {
            for target in &config.targets {
                if !self.destination_exists(target.kind, &target.arn).await? {
                    return Err(S3Error::InvalidArgument(
                        "Unable to validate the following destination configurations".into(),
                    ));
                }
            }
        }
        let text = serde_json::to_string(&config)
            .map_err(|e| lambkin_store::StoreError::Corrupt(format!("notifications: {e}")))?;
        let owed = self.test_events(bucket, &config);
        let count = owed.len();
        let now = self.clock.now();
        if self
            .store
            .set_notifications(bucket, text, owed, now)
            .await?
        {
            self.wake_deliverer(count);
            Ok(())
        } else {
            Err(S3Error::NoSuchBucket(bucket.to_string()))
        }
    }

    /// S3's `s3:TestEvent`, sent to each queue and topic of a configuration when it is set
    /// (not to functions), so a consumer sees its permissions work before the first upload.
    fn test_events(&self, bucket: &str, config: &Notifications) -> Vec<NewDelivery> {
        let request_id = uuid::Uuid::new_v4().simple().to_string().to_uppercase();
        let body = serde_json::json!({
            "Service": "Amazon S3",
            "Event": "s3:TestEvent",
            "Time": self.clock.now().to_iso_millis(),
            "Bucket": bucket,
            "RequestId": &request_id[..16],
            "HostId": "lambkin",
        })
        .to_string();
        let mut seen = std::collections::BTreeSet::new();
        config
            .targets
            .iter()
            .filter(|t| t.kind != TargetKind::Lambda && seen.insert(t.arn.as_str()))
            .map(|t| NewDelivery {
                kind: DeliveryKind::BucketNotification,
                source: format!("s3:{bucket}"),
                target: t.arn.clone(),
                body: body.clone().into_bytes(),
                attributes: Default::default(),
                chain: self.chain,
                retry: None,
            })
            .collect()
    }

    pub async fn bucket_notifications(&self, bucket: &str) -> Result<Notifications, S3Error> {
        self.head_bucket(bucket).await?;
        self.stored_notifications(bucket).await
    }

    async fn stored_notifications(&self, bucket: &str) -> Result<Notifications, S3Error> {
        match self.store.notifications(bucket).await? {
            None => Ok(Notifications::default()),
            Some(text) => serde_json::from_str(&text).map_err(|e| {
                S3Error::Store(lambkin_store::StoreError::Corrupt(format!(
                    "notifications of {bucket}: {e}"
                )))
            }),
        }
    }

    /// Whether `arn` names a function, queue or topic (as `kind` says) of this server.
    async fn destination_exists(&self, kind: TargetKind, arn: &str) -> Result<bool, S3Error> {
        let Ok(parsed) = Arn::parse(arn) else {
            return Ok(false);
        };
        if !parsed.is_local(&self.scope) {
            return Ok(false);
        }
        Ok(match (kind, parsed.service()) {
            (TargetKind::Lambda, "lambda") => match FunctionRef::parse(arn, None) {
                Ok(f) => self.store.function(&f.name).await?.is_some(),
                Err(_) => false,
            },
            (TargetKind::Queue, "sqs") => self.store.sqs_queue(parsed.resource()).await?.is_some(),
            (TargetKind::Topic, "sns") => self.store.topic(arn).await?.is_some(),
            _ => false,
        })
    }

    /// The deliveries `event` on `key` owes under the bucket's configuration: one S3 event
    /// record per matching configuration.
    pub(crate) async fn owed(
        &self,
        bucket: &str,
        event: ObjectEvent,
        key: &str,
        object: Option<(u64, &str)>,
    ) -> Result<Vec<NewDelivery>, S3Error> {
        let config = self.stored_notifications(bucket).await?;
        let targets = config.matching(event, key);
        if targets.is_empty() {
            return Ok(Vec::new());
        }
        let now = self.clock.now();
        let sequencer = next_sequencer(now.millis());
        let request_id = uuid::Uuid::new_v4().simple().to_string().to_uppercase();
        let request_id = &request_id[..16];
        let facts = EventFacts {
            event,
            region: &self.scope.region,
            account: &self.scope.account,
            time: now.to_iso_millis(),
            bucket,
            key,
            object,
            sequencer: &sequencer,
            request_id,
        };
        Ok(targets
            .into_iter()
            .map(|t| NewDelivery {
                kind: DeliveryKind::BucketNotification,
                source: format!("s3:{bucket}"),
                target: t.arn.clone(),
                body: record(&facts, &t.id).to_string().into_bytes(),
                attributes: Default::default(),
                chain: self.chain,
                retry: None,
            })
            .collect())
    }

    /// Wakes the deliverer after a write that owed deliveries.
    pub(crate) fn wake_deliverer(&self, owed: usize) {
        if owed > 0 {
            self.deliveries_owed.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequencers_increase_even_when_the_clock_does_not() {
        let a = next_sequencer(1_000);
        let b = next_sequencer(1_000);
        let c = next_sequencer(999);
        assert!(a < b && b < c, "{a} {b} {c}");
        assert_eq!(a.len(), 18);
    }
}
