//! The deliverer: takes due deliveries from the outbox under a lease, performs them (SQS send,
//! SNS publish, asynchronous Lambda invoke, HTTP POST), and records each result. A delivery is
//! marked done only after its target has durably accepted it, so a crash at any point leaves it
//! pending and it is performed again after restart (at least once).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use lambkin_model::limits::ASYNC_PAYLOAD_MAX;
use lambkin_model::{Clock, FunctionRef, MessageAttributes, RequestId, Scope, TimeScale};
use lambkin_sns::Rendered;
use lambkin_store::{Delivery, DeliveryKind, DeliveryLease, DeliveryResult, Store};
use tokio::sync::{Notify, Semaphore, mpsc, watch};

use super::delivery_policy::{Channel, Failure, after_failure};
use super::http::{HttpClient, http_client, post};
use crate::EngineError;
use crate::accept::Accept;
use crate::destinations::Target;
use crate::metrics::{Metrics, SnsOutcome};
use crate::registry::Registry;

/// A deliverer that dies mid-delivery leaves its deliveries to be taken again after this.
const LEASE: Duration = Duration::from_secs(60);
/// Deliveries in flight at once; each finishes on its own, so one slow HTTP endpoint holds one
/// slot, not the others.
const IN_FLIGHT: usize = 256;
/// Longest idle sleep, so a clock jump or a missed wake-up costs at most this.
const MAX_IDLE: Duration = Duration::from_secs(1);
/// The deliverer, with what deliveries go through: lambkin's SQS and SNS, the accept path for
/// function targets, and HTTP for SNS subscribers.
#[derive(Debug, Clone)]
pub(crate) struct Deliverer {
    pub store: Arc<dyn Store>,
    pub sqs: lambkin_sqs::Sqs,
    pub sns: lambkin_sns::Sns,
    pub s3: lambkin_s3::S3,
    pub events: lambkin_events::Events,
    pub accept: Accept,
    /// For the failure metrics of the function that owed a delivery.
    pub registry: Arc<Registry>,
    pub metrics: Arc<Metrics>,
    pub clock: Arc<dyn Clock>,
    pub scope: Scope,
    pub time_scale: TimeScale,
    /// Told when an event or a publish committed deliveries.
    pub owed: Arc<Notify>,
}

impl Deliverer {
    /// Delivers until `stop` is set.
    pub(crate) async fn run(self, mut stop: watch::Receiver<bool>) {
        let http = http_client();
        let slots = Arc::new(Semaphore::new(IN_FLIGHT));
        let (done, results) = mpsc::unbounded_channel();
        tokio::spawn(record_results(self.clone(), results));
        loop {
            if *stop.borrow() {
                return;
            }
            // Wait for a free slot, then claim as many deliveries as there are free slots.
            let first = tokio::select! {
                permit = slots.clone().acquire_owned() => match permit {
                    Ok(p) => p,
                    Err(_) => return,
                },
                _ = stop.changed() => return,
            };
            let now = self.clock.now();
            let free = slots.available_permits() + 1;
            let idle = match self
                .store
                .claim_deliveries(now, free, now.plus(LEASE))
                .await
            {
                Ok(batch) if !batch.is_empty() => {
                    let mut permit = Some(first);
                    for delivery in batch {
                        let Some(slot) = permit
                            .take()
                            .or_else(|| slots.clone().try_acquire_owned().ok())
                        else {
                            // Cannot happen (we claimed no more than the free slots); the
                            // delivery's lease runs out and it is claimed again.
                            break;
                        };
                        let (deliverer, http, done) = (self.clone(), http.clone(), done.clone());
                        tokio::spawn(async move {
                            let lease = delivery.lease;
                            let counted = Counted {
                                kind: delivery.kind,
                                source: (delivery.kind != DeliveryKind::Subscription)
                                    .then(|| delivery.source.clone()),
                            };
                            let result = deliverer.attempt_delivery(delivery, &http).await;
                            let _ = done.send((lease, result, counted));
                            drop(slot);
                        });
                    }
                    continue;
                }
                Ok(_) => match self.store.next_delivery_due().await {
                    Ok(Some(due)) => due
                        .since(self.clock.now())
                        .clamp(Duration::from_millis(1), MAX_IDLE),
                    _ => MAX_IDLE,
                },
                Err(e) => {
                    tracing::error!(error = %e, "cannot claim deliveries");
                    Duration::from_millis(100)
                }
            };
            drop(first);
            tokio::select! {
                _ = self.owed.notified() => {}
                _ = tokio::time::sleep(idle) => {}
                _ = stop.changed() => {}
            }
        }
    }

    /// One delivery, turned into what to record.
    async fn attempt_delivery(&self, delivery: Delivery, http: &HttpClient) -> DeliveryResult {
        if delivery.kind == DeliveryKind::RuleTarget {
            return self.attempt_rule_target(delivery).await;
        }
        let attempts = delivery.attempts;
        let (channel, outcome) = self.deliver_one(delivery, http).await;
        match outcome {
            Ok(()) => DeliveryResult::Delivered,
            Err(failure) => after_failure(
                channel,
                attempts,
                failure,
                self.clock.now(),
                self.time_scale,
            ),
        }
    }

    /// AWS's DeadLetterErrors and DestinationDeliveryFailures for the function that owed the
    /// delivery (found through its event; failures are rare), and SNS deliveries by outcome.
    /// Called once the result is durable, so a retried completion does not count twice.
    async fn count_delivery(&self, counted: &Counted, result: &DeliveryResult) {
        let (kind, source) = (counted.kind, counted.source.as_deref());
        let metrics = &self.metrics;
        if kind == DeliveryKind::Subscription {
            metrics.sns_delivery(match result {
                DeliveryResult::Delivered => SnsOutcome::Delivered,
                DeliveryResult::RetryAt(..) => SnsOutcome::Retried,
                DeliveryResult::Failed(_) => SnsOutcome::Failed,
            });
            return;
        }
        if !matches!(result, DeliveryResult::Failed(_)) {
            return;
        }
        let Some(id) = source.and_then(RequestId::parse) else {
            return;
        };
        let Ok(Some(event)) = self.store.event(&id).await else {
            return;
        };
        let Some(entry) = self.registry.get(&event.function) else {
            return;
        };
        match kind {
            DeliveryKind::DeadLetter => entry.slots.metrics.dead_letter_errors.inc(),
            _ => entry.slots.metrics.destination_failures.inc(),
        };
    }

    async fn deliver_one(&self, d: Delivery, http: &HttpClient) -> (Channel, Result<(), Failure>) {
        if d.kind == DeliveryKind::Subscription {
            return self.deliver_subscription(d, http).await;
        }
        let result = match Target::parse(&d.target, &self.scope) {
            Target::Queue(arn) => match text(d.body) {
                Ok(body) => self.send_to_queue(&arn, body, d.attributes).await,
                Err(f) => Err(f),
            },
            Target::Topic(arn) => match text(d.body) {
                Ok(body) => {
                    // S3 publishes its event records with this subject.
                    let subject = (d.kind == DeliveryKind::BucketNotification)
                        .then(|| "Amazon S3 Notification".to_string());
                    self.publish_to_topic(&arn, body, subject, d.attributes, d.chain)
                        .await
                }
                Err(f) => Err(f),
            },
            Target::Function(f) => self.invoke_destination(&f, d.body, d.chain).await,
            Target::Bucket(bucket) => self.write_record(&bucket, d.created_at, d.body).await,
            Target::Bus(arn) => self.put_record_on_bus(&arn, &d).await,
            Target::Invalid => Err(Failure::Permanent(format!(
                "{} is not a queue, topic or function of this server",
                d.target
            ))),
        };
        (Channel::Internal, result)
    }

    async fn deliver_subscription(
        &self,
        d: Delivery,
        http: &HttpClient,
    ) -> (Channel, Result<(), Failure>) {
        let rendered = match self.sns.render(&d).await {
            Ok(r) => r,
            Err(e) if e.is_transient() => {
                return (Channel::Internal, Err(Failure::Transient(e.to_string())));
            }
            Err(e) => return (Channel::Internal, Err(Failure::Permanent(e.to_string()))),
        };
        match rendered {
            Rendered::Sqs {
                queue_arn,
                body,
                attributes,
            } => (
                Channel::Internal,
                self.send_to_queue(&queue_arn, body, attributes).await,
            ),
            Rendered::Lambda {
                function_arn,
                payload,
            } => {
                let result = match FunctionRef::parse(&function_arn, None) {
                    Ok(f) => self.invoke_destination(&f, payload, d.chain).await,
                    Err(e) => Err(Failure::Permanent(e.to_string())),
                };
                (Channel::Internal, result)
            }
            Rendered::Http { url, headers, body } => {
                (Channel::Http, post(http, &url, headers, body).await)
            }
            // Unsubscribed after the publish: nothing is owed any more.
            Rendered::Gone => (Channel::Internal, Ok(())),
            // Not for this subscriber (its filter policy), as on AWS: done, delivered nowhere.
            Rendered::FilteredOut => (Channel::Internal, Ok(())),
        }
    }

    /// A destination on an event bus: the invocation record as the `detail` of a
    /// "Lambda Function Invocation Result" event.
    async fn put_record_on_bus(&self, bus_arn: &str, d: &Delivery) -> Result<(), Failure> {
        let record = text(d.body.clone())?;
        let function_arn = serde_json::from_str::<serde_json::Value>(&record)
            .ok()
            .and_then(|r| {
                r["requestContext"]["functionArn"]
                    .as_str()
                    .map(str::to_string)
            })
            .unwrap_or_default();
        let success = d.kind == DeliveryKind::OnSuccess;
        let event = self
            .events
            .lambda_destination_event(success, &function_arn, bus_arn, &record)
            .map_err(|e| Failure::Permanent(e.to_string()))?;
        match self.events.put_to_bus(bus_arn, &event, d.chain).await {
            Ok(()) => Ok(()),
            Err(lambkin_events::EventsError::Store(e)) if e.is_transient() => {
                Err(Failure::Transient(e.to_string()))
            }
            Err(e) => Err(Failure::Permanent(format!("{bus_arn}: {e}"))),
        }
    }

    pub(super) async fn send_to_queue(
        &self,
        arn: &str,
        body: String,
        attributes: MessageAttributes,
    ) -> Result<(), Failure> {
        match self.sqs.send_to_arn(arn, body, attributes).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_transient() => Err(Failure::Transient(e.to_string())),
            Err(e) => Err(Failure::Permanent(format!("{arn}: {e}"))),
        }
    }

    pub(super) async fn publish_to_topic(
        &self,
        arn: &str,
        message: String,
        subject: Option<String>,
        attributes: MessageAttributes,
        chain: u32,
    ) -> Result<(), Failure> {
        match self
            .sns
            .publish_to_arn(arn, message, subject, attributes, chain)
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.is_transient() => Err(Failure::Transient(e.to_string())),
            Err(e) => Err(Failure::Permanent(format!("{arn}: {e}"))),
        }
    }

    /// An S3 on-failure destination: the record as a JSON object at the key AWS writes,
    /// `aws/lambda/async/<function>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<uuid>`.
    async fn write_record(
        &self,
        bucket: &str,
        at: lambkin_model::Timestamp,
        record: Vec<u8>,
    ) -> Result<(), Failure> {
        let function = serde_json::from_slice::<serde_json::Value>(&record)
            .ok()
            .and_then(|r| {
                let arn = r["requestContext"]["functionArn"].as_str()?.to_string();
                FunctionRef::parse(&arn, None).ok()
            })
            .map(|f| f.name.to_string())
            .ok_or_else(|| Failure::Permanent("the record names no function".into()))?;
        let key = record_key(&function, at, &uuid::Uuid::new_v4().to_string());
        let new = lambkin_s3::NewObject {
            content_type: Some("application/json".into()),
            ..Default::default()
        };
        match self
            .s3
            .put_object_bytes(bucket, &key, new, Bytes::from(record))
            .await
        {
            Ok(_) => Ok(()),
            Err(lambkin_s3::S3Error::Store(e)) if e.is_transient() => {
                Err(Failure::Transient(e.to_string()))
            }
            Err(e) => Err(Failure::Permanent(format!("arn:aws:s3:::{bucket}: {e}"))),
        }
    }

    /// A function target is invoked asynchronously, continuing the delivery's chain of
    /// invocations: delivered once its event is durable.
    async fn invoke_destination(
        &self,
        f: &FunctionRef,
        payload: Vec<u8>,
        chain: u32,
    ) -> Result<(), Failure> {
        // The Event limit applies to records too: a 1 MB payload plus its response cannot go.
        if payload.len() > ASYNC_PAYLOAD_MAX {
            return Err(Failure::Permanent(format!(
                "{}: {} byte payload is too large for the Event invocation type (limit {ASYNC_PAYLOAD_MAX} bytes)",
                f.name,
                payload.len()
            )));
        }
        match self.accept.enqueue(f, Bytes::from(payload), chain).await {
            Ok(_) => Ok(()),
            Err(e @ (EngineError::Store(_) | EngineError::ShuttingDown)) => {
                Err(Failure::Transient(e.to_string()))
            }
            Err(e) => Err(Failure::Permanent(format!("{}: {e}", f.name))),
        }
    }
}

/// The key AWS writes an invocation record under in an S3 destination.
fn record_key(function: &str, at: lambkin_model::Timestamp, id: &str) -> String {
    // "2026-12-07T16:17:23.123Z" → day "2026/12/07", time "2026-12-07T16.17.23".
    let iso = at.to_iso_millis();
    let day = iso.get(..10).unwrap_or_default().replace('-', "/");
    let time = iso.get(..19).unwrap_or_default().replace(':', ".");
    format!("aws/lambda/async/{function}/{day}/{time}-{id}")
}

/// What a delivery's result counts towards, once recorded.
struct Counted {
    kind: DeliveryKind,
    /// The request id that owes it (not needed for SNS deliveries).
    source: Option<String>,
}

/// Records delivery results as they come, everything that arrived meanwhile in one write.
async fn record_results(
    deliverer: Deliverer,
    mut results: mpsc::UnboundedReceiver<(DeliveryLease, DeliveryResult, Counted)>,
) {
    let mut batch = Vec::with_capacity(IN_FLIGHT);
    while results.recv_many(&mut batch, IN_FLIGHT).await > 0 {
        for (lease, result, _) in &batch {
            if let DeliveryResult::Failed(error) = result {
                tracing::warn!(delivery = lease.id, %error, "delivery failed");
            }
        }
        let (completions, counted): (Vec<_>, Vec<_>) = batch
            .drain(..)
            .map(|(lease, result, counted)| ((lease, result.clone()), (counted, result)))
            .unzip();
        let store = &deliverer.store;
        match store
            .complete_deliveries(completions, deliverer.clock.now())
            .await
        {
            Ok(()) => {
                for (c, result) in &counted {
                    deliverer.count_delivery(c, result).await;
                }
            }
            // They stay leased and are delivered again when the lease runs out.
            Err(e) => tracing::error!(error = %e, "cannot record delivery results"),
        }
    }
}

fn text(body: Vec<u8>) -> Result<String, Failure> {
    String::from_utf8(body)
        .map_err(|_| Failure::Permanent("the message is not valid UTF-8 text".into()))
}

#[cfg(test)]
mod record_key_tests {
    use super::*;

    #[test]
    fn keys_as_aws_names_them() {
        // 2019-11-24T23:08:25.651Z
        let at = lambkin_model::Timestamp(1_574_636_905_651);
        assert_eq!(
            record_key(
                "event-destinations",
                at,
                "0f8fad5b-d9cb-469f-a165-70867728950e"
            ),
            "aws/lambda/async/event-destinations/2019/11/24/2019-11-24T23.08.25-0f8fad5b-d9cb-469f-a165-70867728950e"
        );
    }
}
