//! ChangeMessageVisibility(Batch): moves an in-flight message's return to the queue earlier or
//! later. Does not receive; wakes the queue's parked pollers so they re-read their timers. The
//! handle of the message's latest receive is needed (an older one must not move a later
//! consumer's lease); a message already visible again is left as it is and the call succeeds,
//! as on AWS.

use lambkin_model::Timestamp;
use lambkin_store::{SqsReceipt, SqsVisibilityChange};

use crate::batch::{self, BatchEntry};
use crate::message::parse_receipt_handle;
use crate::queue_settings::MAX_VISIBILITY_TIMEOUT_S;
use crate::{QueueName, Sqs, SqsError};

impl Sqs {
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

    pub(crate) async fn change_visibility_entries(
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
        let mut any_changed = false;
        let results = checked
            .into_iter()
            .map(|(id, handle, r)| {
                let entry = r.and_then(|_| match outcomes.next() {
                    Some(SqsVisibilityChange::Changed) => {
                        any_changed = true;
                        Ok(())
                    }
                    // AWS accepts a change for a message whose visibility already ended and
                    // leaves it visible (only a receive hides it again).
                    Some(SqsVisibilityChange::NotInFlight) => Ok(()),
                    _ => Err(SqsError::bad_value(
                        "ReceiptHandle",
                        handle,
                        "Message does not exist or is not available for visibility timeout change.",
                    )),
                });
                BatchEntry { id, entry }
            })
            .collect();
        if any_changed {
            // Sooner (not only 0) can be earlier than a parked poller's timer.
            self.inner.waiters.visibility_changed(q.as_str());
        }
        Ok(results)
    }
}
/// A visibility change entry after its own checks: id, handle as given, receipt and timeout.
type CheckedChange = (String, String, Result<(SqsReceipt, i64), SqsError>);
