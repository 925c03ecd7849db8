//! The calls the engine makes with a queue ARN (dead-letter queues, destinations, SNS→SQS,
//! `lambkin dlq redrive`, event source mappings): the same semantics as the API's operations,
//! addressed by ARN.

use lambkin_model::MessageAttributes;
use tokio::time::Instant;

use crate::batch::BatchEntry;
use crate::message::parse_receipt_handle;
use crate::{OutgoingMessage, QueueName, ReceivedMessage, Sqs, SqsError};

impl Sqs {
    /// SendMessage to the queue with this ARN (validates size ≤ 1 MiB incl. attributes,
    /// contents, existence); wakes long pollers. Returns the MessageId.
    pub async fn send_to_arn(
        &self,
        queue_arn: &str,
        body: String,
        attributes: MessageAttributes,
    ) -> Result<String, SqsError> {
        let q = QueueName::from_arn(queue_arn, self.scope())?;
        let message = OutgoingMessage {
            body,
            attributes,
            ..OutgoingMessage::default()
        };
        Ok(self.send_message(&q, message).await?.message_id)
    }

    pub async fn queue_exists(&self, queue_arn: &str) -> Result<bool, SqsError> {
        let q = match QueueName::from_arn(queue_arn, self.scope()) {
            Ok(q) => q,
            Err(SqsError::QueueDoesNotExist) => return Ok(false),
            Err(e) => return Err(e),
        };
        Ok(self.inner.store.sqs_queue(q.as_str()).await?.is_some())
    }

    /// ReceiveMessage without waiting; every message and system attribute is returned.
    pub async fn receive_by_arn(
        &self,
        queue_arn: &str,
        max: u32,
        visibility_timeout_s: u32,
    ) -> Result<Vec<ReceivedMessage>, SqsError> {
        let q = QueueName::from_arn(queue_arn, self.scope())?;
        let options = crate::ReceiveOptions {
            max_number_of_messages: Some(i64::from(max)),
            visibility_timeout: Some(i64::from(visibility_timeout_s)),
            wait_time_seconds: Some(0),
            attribute_names: vec!["All".to_string()],
            message_attribute_names: vec!["All".to_string()],
        };
        self.receive_message(&q, &options).await
    }

    /// An event source mapping's receive: up to `max` (1–10) messages under the queue's own
    /// visibility timeout, with every attribute, waiting until `deadline` for one to arrive
    /// or become visible (parked on the queue's signals like a long poll, never polling).
    pub async fn receive_for_mapping(
        &self,
        queue_arn: &str,
        max: u32,
        deadline: Instant,
    ) -> Result<Vec<ReceivedMessage>, SqsError> {
        let q = QueueName::from_arn(queue_arn, self.scope())?;
        let options = crate::ReceiveOptions {
            attribute_names: vec!["All".to_string()],
            message_attribute_names: vec!["All".to_string()],
            ..crate::ReceiveOptions::default()
        };
        self.load(&q).await?;
        self.receive_until(&q, max.clamp(1, 10), &options, deadline)
            .await
    }

    /// Deletes the messages these handles name, in one store write (an event source mapping
    /// deletes a whole batch at once, past the 10 entries of DeleteMessageBatch).
    pub async fn delete_all_by_arn(
        &self,
        queue_arn: &str,
        handles: &[String],
    ) -> Result<(), SqsError> {
        if handles.is_empty() {
            return Ok(());
        }
        let q = QueueName::from_arn(queue_arn, self.scope())?;
        let receipts = handles
            .iter()
            .map(|h| parse_receipt_handle(h))
            .collect::<Result<Vec<_>, _>>()?;
        self.load(&q).await?;
        self.inner
            .store
            .sqs_delete_messages(q.as_str(), receipts)
            .await?;
        Ok(())
    }

    /// Makes these in-flight messages visible again now (ChangeMessageVisibility to 0), as a
    /// mapping does with a batch its function could not take (throttled).
    pub async fn return_by_arn(&self, queue_arn: &str, handles: &[String]) -> Result<(), SqsError> {
        if handles.is_empty() {
            return Ok(());
        }
        let q = QueueName::from_arn(queue_arn, self.scope())?;
        let entries = handles
            .iter()
            .enumerate()
            .map(|(i, h)| BatchEntry {
                id: i.to_string(),
                entry: (h.clone(), 0),
            })
            .collect();
        for result in self.change_visibility_entries(&q, entries).await? {
            result.entry?;
        }
        Ok(())
    }

    pub async fn delete_by_arn(
        &self,
        queue_arn: &str,
        receipt_handle: &str,
    ) -> Result<(), SqsError> {
        let q = QueueName::from_arn(queue_arn, self.scope())?;
        self.delete_message(&q, receipt_handle).await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::collections::BTreeMap;
    use std::sync::Arc;
    use std::time::Duration;

    use lambkin_model::{ManualClock, MessageAttribute, Scope, Timestamp};
    use lambkin_store::SqliteStore;

    use super::*;

    fn service() -> (tempfile::TempDir, Sqs, ManualClock) {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
        let clock = ManualClock::new(Timestamp(1_700_000_000_000));
        let sqs = Sqs::new(store, Arc::new(clock.clone()), Scope::default());
        (dir, sqs, clock)
    }

    const ARN: &str = "arn:aws:sqs:us-east-1:000000000000:dlq";

    #[tokio::test]
    async fn send_receive_delete_by_arn() {
        let (_dir, sqs, clock) = service();
        assert!(!sqs.queue_exists(ARN).await.unwrap());
        sqs.create_queue("dlq", BTreeMap::new(), BTreeMap::new())
            .await
            .unwrap();
        assert!(sqs.queue_exists(ARN).await.unwrap());
        let attrs =
            MessageAttributes::from([("RequestID".to_string(), MessageAttribute::string("abc"))]);
        let id = sqs
            .send_to_arn(ARN, "payload".into(), attrs.clone())
            .await
            .unwrap();

        let got = sqs.receive_by_arn(ARN, 10, 5).await.unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(
            (got[0].message_id.as_str(), got[0].body.as_str()),
            (id.as_str(), "payload")
        );
        assert_eq!(got[0].attributes, attrs);
        assert_eq!(got[0].system_attributes["ApproximateReceiveCount"], "1");
        assert!(sqs.receive_by_arn(ARN, 10, 5).await.unwrap().is_empty());

        clock.advance(Duration::from_secs(5));
        let again = sqs.receive_by_arn(ARN, 10, 5).await.unwrap();
        assert_eq!(again.len(), 1, "visible again after its visibility timeout");
        sqs.delete_by_arn(ARN, &again[0].receipt_handle)
            .await
            .unwrap();
        clock.advance(Duration::from_secs(5));
        assert!(sqs.receive_by_arn(ARN, 10, 5).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_mapping_receive_parks_until_a_send_then_deletes_or_returns_all() {
        let (_dir, sqs, _) = service();
        sqs.create_queue("dlq", BTreeMap::new(), BTreeMap::new())
            .await
            .unwrap();
        let parked = {
            let sqs = sqs.clone();
            tokio::spawn(async move {
                let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
                sqs.receive_for_mapping(ARN, 10, deadline).await.unwrap()
            })
        };
        let q = QueueName::parse("dlq").unwrap();
        while sqs.parked_pollers(&q) == 0 {
            tokio::task::yield_now().await;
        }
        let started = std::time::Instant::now();
        sqs.send_to_arn(ARN, "one".into(), MessageAttributes::new())
            .await
            .unwrap();
        let got = parked.await.unwrap();
        assert_eq!(got.len(), 1);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "woken by the send"
        );
        for body in ["two", "three"] {
            sqs.send_to_arn(ARN, body.into(), MessageAttributes::new())
                .await
                .unwrap();
        }
        let now = tokio::time::Instant::now();
        let more = sqs.receive_for_mapping(ARN, 10, now).await.unwrap();
        assert_eq!(more.len(), 2);
        let handles: Vec<String> = more.iter().map(|m| m.receipt_handle.clone()).collect();
        sqs.return_by_arn(ARN, &handles).await.unwrap();
        let again = sqs.receive_for_mapping(ARN, 10, now).await.unwrap();
        assert_eq!(again.len(), 2, "returned messages are visible at once");
        let mut handles: Vec<String> = again.iter().map(|m| m.receipt_handle.clone()).collect();
        handles.push(got[0].receipt_handle.clone());
        sqs.delete_all_by_arn(ARN, &handles).await.unwrap();
        let counts = sqs.message_counts().await.unwrap();
        let dlq = counts.iter().find(|(n, _)| n == "dlq").unwrap();
        assert_eq!(
            (dlq.1.visible, dlq.1.not_visible),
            (0, 0),
            "all deleted: {counts:?}"
        );
    }

    #[tokio::test]
    async fn by_arn_errors_are_permanent_or_transient_as_they_should_be() {
        let (_dir, sqs, _) = service();
        let missing = sqs
            .send_to_arn(ARN, "x".into(), MessageAttributes::new())
            .await;
        let e = missing.unwrap_err();
        assert!(matches!(e, SqsError::QueueDoesNotExist) && !e.is_transient());
        sqs.create_queue("dlq", BTreeMap::new(), BTreeMap::new())
            .await
            .unwrap();
        let big = "x".repeat(1_048_577);
        let e = sqs
            .send_to_arn(ARN, big, MessageAttributes::new())
            .await
            .unwrap_err();
        assert!(matches!(e, SqsError::InvalidParameterValue(_)) && !e.is_transient());
        let e = sqs
            .send_to_arn("not-an-arn", "x".into(), MessageAttributes::new())
            .await;
        assert!(!e.unwrap_err().is_transient());
        assert!(
            !sqs.queue_exists("arn:aws:sqs:us-east-1:999999999999:dlq")
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn redrive_moves_to_the_dead_letter_queue_after_max_receive_count() {
        let (_dir, sqs, clock) = service();
        sqs.create_queue("dlq", BTreeMap::new(), BTreeMap::new())
            .await
            .unwrap();
        let policy = format!(r#"{{"deadLetterTargetArn":"{ARN}","maxReceiveCount":2}}"#);
        let attrs = BTreeMap::from([("RedrivePolicy".to_string(), policy)]);
        sqs.create_queue("src", attrs, BTreeMap::new())
            .await
            .unwrap();
        let src = "arn:aws:sqs:us-east-1:000000000000:src";
        let id = sqs
            .send_to_arn(src, "b".into(), MessageAttributes::new())
            .await
            .unwrap();
        for _ in 0..2 {
            assert_eq!(sqs.receive_by_arn(src, 1, 1).await.unwrap().len(), 1);
            clock.advance(Duration::from_secs(1));
        }
        assert!(sqs.receive_by_arn(src, 1, 1).await.unwrap().is_empty());
        let moved = sqs.receive_by_arn(ARN, 1, 1).await.unwrap();
        assert_eq!(moved[0].message_id, id);
        assert_eq!(moved[0].system_attributes["DeadLetterQueueSourceArn"], src);
    }
}
