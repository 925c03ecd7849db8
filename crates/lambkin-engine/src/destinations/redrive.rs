//! `lambkin dlq redrive`: runs a function's failed events again. Takes the messages from its
//! dead-letter queue (or, without one, its OnFailure queue), queues each original payload as a
//! new asynchronous event, and deletes the message only after that event is durable, so a
//! crash in between repeats a message rather than losing it. Beyond AWS; what DLQ users ask for.

use bytes::Bytes;
use lambkin_model::{FunctionRef, Qualifier};
use serde_json::value::RawValue;

use super::Target;
use crate::{Engine, EngineError};

/// Messages are hidden this long while being re-queued; one that cannot be re-queued comes
/// back after it.
const VISIBILITY_S: u32 = 30;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RedriveReport {
    /// The queue the messages came from.
    pub queue_arn: String,
    /// New request ids, one per message re-queued and deleted.
    pub requeued: Vec<String>,
    /// Messages left in the queue, with why.
    pub skipped: Vec<String>,
}

impl Engine {
    /// Re-queues up to `max` messages from the function's DLQ or OnFailure SQS queue.
    pub async fn redrive(&self, r: &FunctionRef, max: usize) -> Result<RedriveReport, EngineError> {
        let entry = self.inner.registry.get(&r.name).ok_or_else(|| {
            EngineError::NotFound(format!(
                "Function not found: {}",
                self.inner.config.scope.function_arn(&r.name)
            ))
        })?;
        let scope = &self.inner.config.scope;
        let on_failure = entry
            .invoke_config(&r.qualifier.clone().unwrap_or_else(Qualifier::latest))
            .destinations
            .on_failure;
        // The DLQ holds payloads; the OnFailure queue holds records that embed them.
        let candidates = [
            (entry.config.dead_letter_target.clone(), false),
            (on_failure, true),
        ];
        let Some((queue_arn, records)) = candidates.into_iter().find_map(|(arn, records)| {
            match Target::parse(arn.as_deref()?, scope) {
                Target::Queue(q) => Some((q, records)),
                _ => None,
            }
        }) else {
            return Err(EngineError::InvalidParameter(format!(
                "{} has no SQS dead-letter queue or OnFailure queue to redrive from",
                r.name
            )));
        };
        let sqs_error = |e: lambkin_sqs::SqsError| {
            EngineError::InvalidParameter(format!("cannot read {queue_arn}: {e}"))
        };
        let mut report = RedriveReport {
            queue_arn: queue_arn.clone(),
            ..Default::default()
        };
        let target = FunctionRef {
            name: r.name.clone(),
            qualifier: r.qualifier.clone(),
        };
        while report.requeued.len() + report.skipped.len() < max {
            let want = (max - report.requeued.len() - report.skipped.len()).min(10) as u32;
            let batch = self
                .inner
                .sqs
                .receive_by_arn(&queue_arn, want, VISIBILITY_S)
                .await
                .map_err(sqs_error)?;
            if batch.is_empty() {
                break;
            }
            for message in batch {
                let payload = if records {
                    match request_payload(&message.body) {
                        Some(p) => p,
                        None => {
                            report
                                .skipped
                                .push(format!("{}: not an invocation record", message.message_id));
                            continue;
                        }
                    }
                } else {
                    message.body.clone()
                };
                let id = self.enqueue(&target, Bytes::from(payload)).await?;
                self.inner
                    .sqs
                    .delete_by_arn(&queue_arn, &message.receipt_handle)
                    .await
                    .map_err(sqs_error)?;
                report.requeued.push(id.to_string());
            }
        }
        Ok(report)
    }
}

/// `requestPayload` of an invocation record, as the JSON text it was.
fn request_payload(record: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Record<'a> {
        #[serde(borrow)]
        request_payload: &'a RawValue,
    }
    serde_json::from_str::<Record<'_>>(record)
        .ok()
        .map(|r| r.request_payload.get().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_is_taken_from_records() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                r#"{"version":"1.0","requestContext":{},"requestPayload":{"n": 1}}"#,
                Some(r#"{"n": 1}"#),
            ),
            (r#"{"requestPayload":[1,2]}"#, Some("[1,2]")),
            (r#"{"n":1}"#, None),
            ("not json", None),
        ];
        for (record, want) in cases {
            assert_eq!(request_payload(record).as_deref(), *want, "{record}");
        }
    }
}
