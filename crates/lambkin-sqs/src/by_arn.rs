//! The calls the engine makes with a queue ARN (dead-letter queues, destinations, SNS→SQS,
//! `lambkin dlq redrive`): the same semantics as the API's operations, addressed by ARN.

use lambkin_model::MessageAttributes;

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
        sqs.create_queue("dlq", BTreeMap::new()).await.unwrap();
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
    async fn by_arn_errors_are_permanent_or_transient_as_they_should_be() {
        let (_dir, sqs, _) = service();
        let missing = sqs
            .send_to_arn(ARN, "x".into(), MessageAttributes::new())
            .await;
        let e = missing.unwrap_err();
        assert!(matches!(e, SqsError::QueueDoesNotExist) && !e.is_transient());
        sqs.create_queue("dlq", BTreeMap::new()).await.unwrap();
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
        sqs.create_queue("dlq", BTreeMap::new()).await.unwrap();
        let policy = format!(r#"{{"deadLetterTargetArn":"{ARN}","maxReceiveCount":2}}"#);
        let attrs = BTreeMap::from([("RedrivePolicy".to_string(), policy)]);
        sqs.create_queue("src", attrs).await.unwrap();
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
