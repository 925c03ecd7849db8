//! Read-only views for `lambkin inspect`, `events`, `status` and `/metrics`. The API gets the
//! engine's own view types, not the store's records, so storage can change underneath.

use std::sync::Arc;

use lambkin_model::{EventState, FunctionError, FunctionName, OutcomeKind, RequestId, Timestamp};
use lambkin_sandbox::EnvironmentPool;
use lambkin_store::{DeliveryRecord, EventRecord, EventSummary, Store};

use crate::EngineError;
use crate::concurrency::Limiter;
use crate::metrics::{Metrics, MetricsFormat, Snapshot};
use crate::registry::Registry;

/// Everything known about one event and the deliveries it owes.
#[derive(Debug, Clone)]
pub struct EventView {
    pub request_id: RequestId,
    pub function: FunctionName,
    /// The alias or version it was invoked as (`None`: unqualified).
    pub qualifier: Option<String>,
    /// The version it was routed to and runs on every attempt.
    pub version: String,
    pub payload: Vec<u8>,
    pub state: EventState,
    pub enqueued_at: Timestamp,
    pub updated_at: Timestamp,
    /// When the next attempt is due (retry scheduled) or the lease expires (running).
    pub due_at: Option<Timestamp>,
    pub invocations: u32,
    pub throttles: u32,
    /// How many times a run of this event was cut off by a crash or shutdown.
    pub interrupted: u32,
    pub response: Option<Vec<u8>>,
    pub function_error: Option<String>,
    pub attempts: Vec<AttemptView>,
    pub deliveries: Vec<DeliveryView>,
}

/// One run of an event's function code.
#[derive(Debug, Clone)]
pub struct AttemptView {
    pub started_at: Timestamp,
    pub ended_at: Timestamp,
    pub duration_ms: i64,
    pub outcome: OutcomeKind,
    pub error: Option<FunctionError>,
}

/// One delivery an event owes (dead letter, destination) and how far it got.
#[derive(Debug, Clone)]
pub struct DeliveryView {
    pub kind: &'static str,
    pub target: String,
    pub state: &'static str,
    pub attempts: u32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub last_error: Option<String>,
}

/// An event in a list.
#[derive(Debug, Clone)]
pub struct EventListItem {
    pub request_id: RequestId,
    pub state: EventState,
    pub enqueued_at: Timestamp,
    pub updated_at: Timestamp,
    pub invocations: u32,
}

/// Events by state, from the store's counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventCounts {
    pub queued: u64,
    pub running: u64,
    pub retry_scheduled: u64,
    pub succeeded: u64,
    pub failed: u64,
    /// Runs cut off by a crash or lease expiry and started again (possible duplicates).
    pub reruns: u64,
}

/// Deliveries by outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryCounts {
    pub pending: u64,
    pub delivered: u64,
    pub dead_letter_errors: u64,
    pub destination_delivery_failures: u64,
    pub subscription_failures: u64,
    pub notification_failures: u64,
}

/// Execution environments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvironmentCounts {
    pub cold_starts: u64,
    pub warm_starts: u64,
    pub idle: u64,
}

#[derive(Debug, Clone)]
pub struct Status {
    pub events: EventCounts,
    pub environments: EnvironmentCounts,
    pub functions: usize,
    pub deliveries: DeliveryCounts,
    /// AWS's `Throttles` since the server started: sync invokes refused with 429, and async
    /// events that were due while every slot of their function was busy (once per event).
    pub throttles: u64,
}

fn event_view(e: EventRecord, deliveries: Vec<DeliveryRecord>) -> EventView {
    EventView {
        attempts: e
            .attempts
            .into_iter()
            .map(|a| AttemptView {
                started_at: a.started_at,
                ended_at: a.ended_at,
                duration_ms: a.duration_ms(),
                outcome: a.outcome,
                error: a.error,
            })
            .collect(),
        deliveries: deliveries
            .into_iter()
            .map(|d| DeliveryView {
                kind: d.kind.as_str(),
                target: d.target,
                state: d.state.as_str(),
                attempts: d.attempts,
                created_at: d.created_at,
                updated_at: d.updated_at,
                last_error: d.last_error,
            })
            .collect(),
        request_id: e.request_id,
        function: e.function,
        qualifier: e.qualifier,
        version: e
            .version
            .unwrap_or_else(|| lambkin_model::Qualifier::LATEST.to_string()),
        payload: e.payload,
        state: e.state,
        enqueued_at: e.enqueued_at,
        updated_at: e.updated_at,
        due_at: e.due_at,
        invocations: e.invocations,
        throttles: e.throttles,
        interrupted: e.interrupted,
        response: e.response,
        function_error: e.function_error,
    }
}

fn list_item(e: EventSummary) -> EventListItem {
    EventListItem {
        request_id: e.request_id,
        state: e.state,
        enqueued_at: e.enqueued_at,
        updated_at: e.updated_at,
        invocations: e.invocations,
    }
}

/// The views, with what they read.
#[derive(Debug)]
pub struct Inspect {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) registry: Arc<Registry>,
    pub(crate) pool: Arc<EnvironmentPool>,
    pub(crate) limiter: Arc<Limiter>,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) sqs: lambkin_sqs::Sqs,
}

impl Inspect {
    /// An event with its deliveries.
    pub async fn event(&self, id: &RequestId) -> Result<Option<EventView>, EngineError> {
        let Some(record) = self.store.event(id).await? else {
            return Ok(None);
        };
        let deliveries = self.store.deliveries(id.as_str()).await?;
        Ok(Some(event_view(record, deliveries)))
    }

    /// A function's most recent events, newest first.
    pub async fn events(
        &self,
        function: &FunctionName,
        limit: usize,
    ) -> Result<Vec<EventListItem>, EngineError> {
        let list = self.store.events(function, limit).await?;
        Ok(list.into_iter().map(list_item).collect())
    }

    /// The most recent events of a function that ended `Failed`, newest first.
    pub async fn failed_events(
        &self,
        function: &FunctionName,
        limit: usize,
    ) -> Result<Vec<EventListItem>, EngineError> {
        let list = self.store.failed_events(function, limit).await?;
        Ok(list.into_iter().map(list_item).collect())
    }

    /// The latest retention cutoff: events that ended before it are gone.
    pub async fn pruned_before(&self) -> Result<Option<Timestamp>, EngineError> {
        Ok(self.store.pruned_before().await?)
    }

    pub async fn status(&self) -> Result<Status, EngineError> {
        let functions = self.registry.all();
        let throttles = functions
            .iter()
            .map(|f| f.slots.metrics.throttles.get())
            .sum();
        let q = self.store.stats().await?;
        let d = self.store.delivery_stats().await?;
        let p = self.pool.stats();
        Ok(Status {
            throttles,
            events: EventCounts {
                queued: q.queued,
                running: q.running,
                retry_scheduled: q.retry_scheduled,
                succeeded: q.succeeded,
                failed: q.failed,
                reruns: q.reruns,
            },
            environments: EnvironmentCounts {
                cold_starts: p.cold_starts,
                warm_starts: p.warm_starts,
                idle: p.idle,
            },
            functions: functions.len(),
            deliveries: DeliveryCounts {
                pending: d.pending,
                delivered: d.delivered,
                dead_letter_errors: d.dead_letter_errors,
                destination_delivery_failures: d.destination_delivery_failures,
                subscription_failures: d.subscription_failures,
                notification_failures: d.notification_failures,
            },
        })
    }

    /// Everything `/metrics` serves, refreshed from the same sources as [`Inspect::status`].
    pub async fn metrics(&self, format: MetricsFormat) -> Result<String, EngineError> {
        let functions = self
            .registry
            .all()
            .into_iter()
            .map(|f| {
                let in_flight = f.slots.in_flight.load(std::sync::atomic::Ordering::Relaxed);
                (f.config.name.clone(), f.slots.metrics.clone(), in_flight)
            })
            .collect();
        let queues = match self.sqs.message_counts().await {
            Ok(q) => q,
            Err(lambkin_sqs::SqsError::Store(e)) => return Err(e.into()),
            // Only a store failure can reach here; anything else leaves the queues out.
            Err(e) => {
                tracing::warn!(error = %e, "cannot count SQS messages for /metrics");
                Vec::new()
            }
        };
        let snapshot = Snapshot {
            queue: self.store.stats().await?,
            deliveries: self.store.delivery_stats().await?,
            environments: self.pool.stats(),
            unreserved_in_use: self.limiter.unreserved_in_use(),
            functions,
            queues,
        };
        Ok(self.metrics.render(snapshot, format))
    }
}
