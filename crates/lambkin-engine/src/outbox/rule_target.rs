//! EventBridge deliveries: an event (or a target's input built from it) to a rule's or a
//! schedule's target (a function, invoked asynchronously; a queue; a topic; another bus),
//! retried under the target's own `RetryPolicy` and, once given up, sent to its dead-letter
//! queue with EventBridge's attributes, or dropped.

use bytes::Bytes;
use lambkin_model::{FunctionRef, MessageAttribute, MessageAttributes};
use lambkin_store::{Delivery, DeliveryResult, TargetRetry};

use super::deliverer::Deliverer;
use super::delivery_policy::{Failure, RuleVerdict, rule_target_after_failure};
use crate::EngineError;
use crate::destinations::Target;

/// EventBridge's `ERROR_CODE` for a failure: a target that does not exist is
/// `RESOURCE_NOT_FOUND`; anything else lambkin reports as `SDK_CLIENT_ERROR`.
fn error_code(failure: &Failure) -> &'static str {
    match failure {
        Failure::Permanent(e)
            if e.contains("does not exist") || e.to_lowercase().contains("not found") =>
        {
            "RESOURCE_NOT_FOUND"
        }
        _ => "SDK_CLIENT_ERROR",
    }
}

/// The attributes EventBridge puts on what it sends to a target's dead-letter queue.
fn dead_letter_attributes(
    retry: &TargetRetry,
    target_arn: &str,
    failure: &Failure,
    condition: Option<&str>,
    retries: u32,
) -> MessageAttributes {
    let message = match failure {
        Failure::Permanent(e) | Failure::Transient(e) => e.clone(),
    };
    let mut attributes = MessageAttributes::from([
        (
            "RULE_ARN".to_string(),
            MessageAttribute::string(&retry.rule_arn),
        ),
        (
            "TARGET_ARN".to_string(),
            MessageAttribute::string(target_arn),
        ),
        (
            "ERROR_CODE".to_string(),
            MessageAttribute::string(error_code(failure)),
        ),
        (
            "ERROR_MESSAGE".to_string(),
            MessageAttribute::string(message),
        ),
        (
            "RETRY_ATTEMPTS".to_string(),
            MessageAttribute::number(retries.to_string()),
        ),
    ]);
    if let Some(c) = condition {
        attributes.insert(
            "EXHAUSTED_RETRY_CONDITION".to_string(),
            MessageAttribute::string(c),
        );
    }
    attributes
}

impl Deliverer {
    /// One attempt at an EventBridge delivery, and what to record.
    pub(super) async fn attempt_rule_target(&self, d: Delivery) -> DeliveryResult {
        let Some(retry) = d.retry.clone() else {
            return DeliveryResult::Failed("an EventBridge delivery without its policy".into());
        };
        let failure = match self.deliver_event(&d).await {
            Ok(()) => {
                self.metrics.rule_target_delivery("delivered");
                return DeliveryResult::Delivered;
            }
            Err(f) => f,
        };
        let now = self.clock.now();
        let verdict = rule_target_after_failure(
            &retry,
            d.attempts,
            d.created_at,
            &failure,
            now,
            self.time_scale,
        );
        let error = match &failure {
            Failure::Permanent(e) | Failure::Transient(e) => e.clone(),
        };
        let condition = match verdict {
            RuleVerdict::Retry(at) => {
                self.metrics.rule_target_delivery("retried");
                return DeliveryResult::RetryAt(at, error);
            }
            RuleVerdict::GiveUp(condition) => condition,
        };
        let Some(dlq) = retry.dead_letter_arn.as_deref() else {
            self.metrics.rule_target_delivery("dropped");
            return DeliveryResult::Failed(format!("dropped (no dead-letter queue): {error}"));
        };
        let attributes = dead_letter_attributes(&retry, &d.target, &failure, condition, d.attempts);
        let body = String::from_utf8_lossy(&d.body).into_owned();
        match self.sqs.send_to_arn(dlq, body, attributes).await {
            Ok(_) => {
                self.metrics.rule_target_delivery("dead_lettered");
                DeliveryResult::Failed(format!("sent to the dead-letter queue {dlq}: {error}"))
            }
            // The queue is busy: the whole delivery is tried again (and may be delivered).
            Err(e) if e.is_transient() => DeliveryResult::RetryAt(
                now.plus(self.time_scale.apply(std::time::Duration::from_secs(1))),
                format!("{error}; the dead-letter queue {dlq} is busy: {e}"),
            ),
            Err(e) => {
                self.metrics.rule_target_delivery("dropped");
                DeliveryResult::Failed(format!(
                    "dropped: {error}; the dead-letter queue {dlq} refused it: {e}"
                ))
            }
        }
    }

    async fn deliver_event(&self, d: &Delivery) -> Result<(), Failure> {
        let text = || {
            String::from_utf8(d.body.clone())
                .map_err(|_| Failure::Permanent("the event is not valid UTF-8 text".into()))
        };
        match Target::parse(&d.target, &self.scope) {
            Target::Function(f) => self.invoke_function(&f, &d.body, d.chain).await,
            Target::Queue(arn) => {
                self.send_to_queue(&arn, text()?, MessageAttributes::new())
                    .await
            }
            Target::Topic(arn) => {
                self.publish_to_topic(&arn, text()?, None, MessageAttributes::new(), d.chain)
                    .await
            }
            Target::Bus(arn) => match self.events.put_to_bus(&arn, &text()?, d.chain).await {
                Ok(()) => Ok(()),
                Err(lambkin_events::EventsError::Store(e)) if e.is_transient() => {
                    Err(Failure::Transient(e.to_string()))
                }
                Err(e) => Err(Failure::Permanent(format!("{arn}: {e}"))),
            },
            Target::Bucket(_) | Target::Invalid => Err(Failure::Permanent(format!(
                "lambkin does not deliver EventBridge events to {}",
                d.target
            ))),
        }
    }

    /// A Lambda target is invoked asynchronously, as EventBridge does.
    async fn invoke_function(
        &self,
        f: &FunctionRef,
        body: &[u8],
        chain: u32,
    ) -> Result<(), Failure> {
        match self
            .accept
            .enqueue(f, Bytes::copy_from_slice(body), chain)
            .await
        {
            Ok(_) => Ok(()),
            Err(e @ (EngineError::Store(_) | EngineError::ShuttingDown)) => {
                Err(Failure::Transient(e.to_string()))
            }
            Err(e) => Err(Failure::Permanent(format!("{}: {e}", f.name))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_table() {
        let cases = [
            (
                Failure::Permanent("The specified queue does not exist.".into()),
                "RESOURCE_NOT_FOUND",
            ),
            (
                Failure::Permanent("f: Function not found: arn:aws:lambda:…".into()),
                "RESOURCE_NOT_FOUND",
            ),
            (Failure::Permanent("too large".into()), "SDK_CLIENT_ERROR"),
            (Failure::Transient("busy".into()), "SDK_CLIENT_ERROR"),
        ];
        for (failure, want) in cases {
            assert_eq!(error_code(&failure), want, "{failure:?}");
        }
    }
}
