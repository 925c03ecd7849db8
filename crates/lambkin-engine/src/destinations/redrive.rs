//! `lambkin dlq redrive`: runs a function's failed events again. Takes the messages from its
//! dead-letter queue (or, without one, its OnFailure queue), queues each original payload as a
//! new asynchronous event, and deletes the message only after that event is durable, so a
//! crash in between repeats a message rather than losing it. Beyond AWS; what DLQ users ask for.

use std::sync::Arc;

use bytes::Bytes;
use lambkin_model::{FunctionName, FunctionRef, Qualifier, Scope};
use serde_json::value::RawValue;

use super::Target;
use crate::EngineError;
use crate::accept::Accept;
use crate::registry::Registry;

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

/// `lambkin dlq redrive`, with what it uses: the function's targets, the queue, and the
/// accept path for the new events.
#[derive(Debug, Clone)]
pub struct Redrive {
    pub(crate) registry: Arc<Registry>,
    pub(crate) sqs: lambkin_sqs::Sqs,
    pub(crate) accept: Accept,
    pub(crate) scope: Scope,
}

impl Redrive {
    /// Re-queues up to `max` messages from the function's DLQ or OnFailure SQS queue.
    pub async fn run(&self, r: &FunctionRef, max: usize) -> Result<RedriveReport, EngineError> {
        let scope = &self.scope;
        let entry = self.registry.get(&r.name).ok_or_else(|| {
            EngineError::NotFound(format!(
                "Function not found: {}",
                scope.function_arn(&r.name)
            ))
        })?;
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
        let sqs_error = |e| sqs_failure(&queue_arn, e);
        let mut report = RedriveReport {
            queue_arn: queue_arn.clone(),
            ..Default::default()
        };
        let target = FunctionRef {
            name: r.name.clone(),
            qualifier: r.qualifier.clone(),
        };
        // Messages that are not this function's failures stay hidden until the end (so they
        // are not received again in this run), then are made visible again untouched, also
        // when the run stops on an error.
        let mut left: Vec<String> = Vec::new();
        let moved = self
            .move_messages(&queue_arn, records, &target, max, &mut report, &mut left)
            .await;
        if !left.is_empty() {
            let q = lambkin_sqs::QueueName::from_arn(&queue_arn, scope).map_err(sqs_error)?;
            for handle in left {
                if let Err(e) = self.sqs.change_message_visibility(&q, &handle, 0).await {
                    tracing::warn!(error = %e, "a skipped message stays hidden until its visibility timeout");
                }
            }
        }
        moved.map(|()| report)
    }

    async fn move_messages(
        &self,
        queue_arn: &str,
        records: bool,
        target: &FunctionRef,
        max: usize,
        report: &mut RedriveReport,
        left: &mut Vec<String>,
    ) -> Result<(), EngineError> {
        let sqs_error = |e| sqs_failure(queue_arn, e);
        while report.requeued.len() + report.skipped.len() < max {
            let want = (max - report.requeued.len() - report.skipped.len()).min(10) as u32;
            let batch = self
                .sqs
                .receive_by_arn(queue_arn, want, VISIBILITY_S)
                .await
                .map_err(sqs_error)?;
            if batch.is_empty() {
                return Ok(());
            }
            for message in batch {
                let payload = if records {
                    match failed_payload(&message.body, &target.name) {
                        Ok(p) => p,
                        Err(why) => {
                            report
                                .skipped
                                .push(format!("{}: {why}", message.message_id));
                            left.push(message.receipt_handle);
                            continue;
                        }
                    }
                } else {
                    message.body.clone()
                };
                // A redrive is a person's decision: it starts a new chain.
                let id = self.accept.enqueue(target, Bytes::from(payload), 0).await?;
                self.sqs
                    .delete_by_arn(queue_arn, &message.receipt_handle)
                    .await
                    .map_err(sqs_error)?;
                report.requeued.push(id.to_string());
            }
        }
        Ok(())
    }
}

/// A storage failure is the server's (500); anything else means the queue cannot be used.
fn sqs_failure(queue_arn: &str, e: lambkin_sqs::SqsError) -> EngineError {
    match e {
        lambkin_sqs::SqsError::Store(e) => EngineError::Store(e),
        e => EngineError::InvalidParameter(format!("cannot read {queue_arn}: {e}")),
    }
}

/// The original payload of a failure record of `function`; why not, otherwise (a shared
/// OnFailure queue may hold other functions' records, or success records).
fn failed_payload(record: &str, function: &FunctionName) -> Result<String, &'static str> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Record<'a> {
        #[serde(borrow)]
        request_payload: &'a RawValue,
        request_context: Context,
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Context {
        function_arn: String,
        condition: String,
    }
    let r: Record<'_> = serde_json::from_str(record).map_err(|_| "not an invocation record")?;
    let of_function = FunctionRef::parse(&r.request_context.function_arn, None)
        .is_ok_and(|f| &f.name == function);
    if !of_function {
        return Err("a record of another function");
    }
    if r.request_context.condition == "Success" {
        return Err("a success record");
    }
    Ok(r.request_payload.get().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_functions_failure_records_are_redriven() {
        let f = FunctionName::parse("f").expect("valid");
        let record = |arn: &str, condition: &str| {
            format!(
                r#"{{"version":"1.0","requestContext":{{"requestId":"r","functionArn":"{arn}","condition":"{condition}","approximateInvokeCount":1}},"requestPayload":{{"n": 1}}}}"#
            )
        };
        let own = "arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST";
        let other = "arn:aws:lambda:us-east-1:000000000000:function:g:$LATEST";
        let cases: Vec<(String, Result<&str, &str>)> = vec![
            (record(own, "RetriesExhausted"), Ok(r#"{"n": 1}"#)),
            (record(own, "EventAgeExceeded"), Ok(r#"{"n": 1}"#)),
            (record(own, "ZeroReservedConcurrency"), Ok(r#"{"n": 1}"#)),
            (record(own, "Success"), Err("a success record")),
            (
                record(other, "RetriesExhausted"),
                Err("a record of another function"),
            ),
            (r#"{"n":1}"#.to_string(), Err("not an invocation record")),
            ("not json".to_string(), Err("not an invocation record")),
        ];
        for (body, want) in cases {
            assert_eq!(
                failed_payload(&body, &f).as_deref().map_err(|e| *e),
                want,
                "{body}"
            );
        }
    }
}
