//! Every metric lambkin serves at `/metrics`, in one place: AWS's `AWS/Lambda` metrics per
//! function, and the server's own. `docs/metrics.md` maps each name to its AWS metric.
//!
//! Counted as things happen, through handles taken once per function ([`FunctionMetrics`]:
//! an increment is an atomic add, a histogram observation a short uncontended lock; no label
//! lookup or allocation per event). Read when scraped: what the store, the environment pool
//! and SQS already count (events by state, deliveries, environments, queue depths), so
//! `lambkin status` and `/metrics` show the same numbers from the same source.
//!
//! Counters count since the server started, as Prometheus expects; gauges read from the store
//! (events, deliveries) are the data folder's. Encoding is `prometheus-client`'s, in the
//! Prometheus text format or OpenMetrics.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use lambkin_model::{FailureCondition, FunctionName};
use lambkin_sandbox::PoolStats;
use lambkin_store::{CommitObserver, DeliveryStats, QueueStats, SqsQueueCounts};
use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FunctionLabels {
    function_name: String,
}

/// AWS's `Resource` (`fn:alias` or `fn:version`) and `ExecutedVersion` dimensions, for runs
/// of a qualified invocation or of a published version.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResourceLabels {
    function_name: String,
    resource: String,
    executed_version: String,
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
#[allow(non_camel_case_types)]
enum DropReason {
    retries_exhausted,
    event_age_exceeded,
    zero_reserved_concurrency,
    recursive_invocation,
}

impl From<FailureCondition> for DropReason {
    fn from(c: FailureCondition) -> Self {
        match c {
            FailureCondition::RetriesExhausted => DropReason::retries_exhausted,
            FailureCondition::EventAgeExceeded => DropReason::event_age_exceeded,
            FailureCondition::ZeroReservedConcurrency => DropReason::zero_reserved_concurrency,
            FailureCondition::RecursiveInvocation => DropReason::recursive_invocation,
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DroppedLabels {
    function_name: String,
    reason: DropReason,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct QueueLabels {
    queue: String,
    state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

/// What became of one SNS delivery attempt.
#[derive(Debug, Clone, Copy)]
pub(crate) enum SnsOutcome {
    Delivered,
    Retried,
    Failed,
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

/// Invocation durations: 1 ms to the 900 s maximum timeout.
fn duration_buckets() -> Histogram {
    Histogram::new([
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
        300.0, 900.0,
    ])
}

/// Async event ages: 1 ms to the 6-hour maximum.
fn age_buckets() -> Histogram {
    Histogram::new([
        0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0,
        1800.0, 3600.0, 10800.0, 21600.0,
    ])
}

/// One function's handles, shared by every snapshot of it in the registry.
#[derive(Debug, Clone)]
pub(crate) struct FunctionMetrics {
    pub invocations: Counter,
    pub errors: Counter,
    pub throttles: Counter,
    pub duration: Histogram,
    pub async_received: Counter,
    pub async_age: Histogram,
    pub dead_letter_errors: Counter,
    pub destination_failures: Counter,
    concurrent: Gauge,
    dropped: [Counter; 4],
    recursive_dropped: Counter,
}

impl FunctionMetrics {
    /// One invocation that ran function code, sync or async (AWS's Invocations, Errors,
    /// Duration).
    pub(crate) fn invoked(&self, duration: Duration, function_error: bool) {
        self.invocations.inc();
        if function_error {
            self.errors.inc();
        }
        self.duration.observe(duration.as_secs_f64());
    }

    /// An async event that ended failed (AWS's AsyncEventsDropped).
    pub(crate) fn dropped(&self, condition: FailureCondition) {
        let i = match DropReason::from(condition) {
            DropReason::retries_exhausted => 0,
            DropReason::event_age_exceeded => 1,
            DropReason::zero_reserved_concurrency => 2,
            DropReason::recursive_invocation => {
                self.recursive_dropped.inc();
                3
            }
        };
        self.dropped[i].inc();
    }

    /// A synchronous invoke refused as a recursive loop (AWS's RecursiveInvocationsDropped;
    /// not an async drop).
    pub(crate) fn dropped_recursive(&self) {
        self.recursive_dropped.inc();
    }
}

#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    invocations: Family<FunctionLabels, Counter>,
    errors: Family<FunctionLabels, Counter>,
    throttles: Family<FunctionLabels, Counter>,
    duration: HistogramFamily<FunctionLabels>,
    concurrent: Family<FunctionLabels, Gauge>,
    dead_letter_errors: Family<FunctionLabels, Counter>,
    destination_failures: Family<FunctionLabels, Counter>,
    async_received: Family<FunctionLabels, Counter>,
    async_age: HistogramFamily<FunctionLabels>,
    dropped: Family<DroppedLabels, Counter>,
    recursive_dropped: Family<FunctionLabels, Counter>,
    resource_invocations: Family<ResourceLabels, Counter>,
    resource_errors: Family<ResourceLabels, Counter>,
    /// The resource series made so far, so a deleted function's go with it.
    resources: Mutex<Vec<ResourceLabels>>,
    unreserved_concurrent: Gauge,
    events: Family<StateLabels, Gauge>,
    reruns: Gauge,
    deliveries: Family<StateLabels, Gauge>,
    delivery_failures: Family<KindLabels, Gauge>,
    environments: Family<StateLabels, Gauge>,
    cold_starts: Counter,
    warm_starts: Counter,
    pub(crate) init_duration: Histogram,
    commit: Arc<Commits>,
    sqs_messages: Family<QueueLabels, Gauge>,
    sns_deliveries: Family<OutcomeLabels, Counter>,
    rule_target_deliveries: Family<OutcomeLabels, Counter>,
    schedule_firings: Counter,
    schedule_firings_missed: Counter,
    schedule_lateness: Histogram,
    /// Serialises refresh-and-encode, so two scrapes never interleave their refreshes.
    scrape: Mutex<()>,
}

/// Store commit latency and size, fed by the store's writer.
#[derive(Debug)]
struct Commits {
    seconds: Histogram,
    writes: Histogram,
}

impl CommitObserver for Commits {
    fn committed(&self, took: Duration, writes: usize) {
        self.seconds.observe(took.as_secs_f64());
        self.writes.observe(writes as f64);
    }
}

fn catch_up(counter: &Counter, total: u64) {
    counter.inc_by(total.saturating_sub(counter.get()));
}

/// What the scrape reads from the rest of lambkin.
#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    pub queue: QueueStats,
    pub deliveries: DeliveryStats,
    pub environments: PoolStats,
    pub unreserved_in_use: u32,
    /// Each function's in-flight invocations.
    pub functions: Vec<(FunctionName, FunctionMetrics, u32)>,
    pub queues: Vec<(String, SqsQueueCounts)>,
}

/// The format a scraper asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricsFormat {
    /// `text/plain; version=0.0.4`
    Prometheus,
    /// `application/openmetrics-text; version=1.0.0`
    OpenMetrics,
}

impl MetricsFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            MetricsFormat::Prometheus => "text/plain; version=0.0.4; charset=utf-8",
            MetricsFormat::OpenMetrics => {
                "application/openmetrics-text; version=1.0.0; charset=utf-8"
            }
        }
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("lambkin");
        let invocations = Family::default();
        let errors = Family::default();
        let throttles = Family::default();
        let duration = HistogramFamily::new_with_constructor(duration_buckets as fn() -> Histogram);
        let concurrent = Family::default();
        let dead_letter_errors = Family::default();
        let destination_failures = Family::default();
        let async_received = Family::default();
        let async_age = HistogramFamily::new_with_constructor(age_buckets as fn() -> Histogram);
        let dropped = Family::default();
        let recursive_dropped = Family::default();
        let resource_invocations = Family::default();
        let resource_errors = Family::default();
        let unreserved_concurrent = Gauge::default();
        let events = Family::default();
        let reruns = Gauge::default();
        let deliveries = Family::default();
        let delivery_failures = Family::default();
        let environments = Family::default();
        let cold_starts = Counter::default();
        let warm_starts = Counter::default();
        let init_duration = Histogram::new([
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
        ]);
        let commit = Arc::new(Commits {
            seconds: Histogram::new([
                0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
            ]),
            writes: Histogram::new([
                1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 1024.0, 8192.0,
            ]),
        });
        let sqs_messages = Family::default();
        let sns_deliveries = Family::default();
        let rule_target_deliveries = Family::default();
        let schedule_firings = Counter::default();
        let schedule_firings_missed = Counter::default();
        let schedule_lateness = Histogram::new([
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0, 60.0,
        ]);

        let r = &mut registry;
        r.register(
            "invocations",
            "Runs of function code, sync and async, each retry counted (AWS Invocations)",
            invocations.clone(),
        );
        r.register(
            "errors",
            "Invocations that ended in a function error (AWS Errors)",
            errors.clone(),
        );
        r.register(
            "resource_invocations",
            "Runs of a qualified invocation or a published version, by alias or version and the version that ran (AWS Invocations by Resource and ExecutedVersion)",
            resource_invocations.clone(),
        );
        r.register(
            "resource_errors",
            "Those runs that ended in a function error (AWS Errors by Resource and ExecutedVersion)",
            resource_errors.clone(),
        );
        r.register("throttles", "Sync invokes refused with 429, and async events that found every slot busy, once each (AWS Throttles)", throttles.clone());
        r.register_with_unit(
            "duration",
            "Time spent running an event (AWS Duration)",
            Unit::Seconds,
            duration.clone(),
        );
        r.register(
            "concurrent_executions",
            "Invocations running now (AWS ConcurrentExecutions)",
            concurrent.clone(),
        );
        r.register("unreserved_concurrent_executions", "Invocations of functions without reserved concurrency running now (AWS UnreservedConcurrentExecutions)", unreserved_concurrent.clone());
        r.register(
            "dead_letter_errors",
            "Dead-letter deliveries given up (AWS DeadLetterErrors)",
            dead_letter_errors.clone(),
        );
        r.register(
            "destination_delivery_failures",
            "OnSuccess/OnFailure deliveries given up (AWS DestinationDeliveryFailures)",
            destination_failures.clone(),
        );
        r.register(
            "async_events_received",
            "Events queued for async invocation (AWS AsyncEventsReceived)",
            async_received.clone(),
        );
        r.register_with_unit(
            "async_event_age",
            "From an event's 202 to the start of each of its attempts (AWS AsyncEventAge)",
            Unit::Seconds,
            async_age.clone(),
        );
        r.register(
            "async_events_dropped",
            "Async events that ended without a successful run, by reason (AWS AsyncEventsDropped)",
            dropped.clone(),
        );
        r.register(
            "recursive_invocations_dropped",
            "Invocations stopped because they would continue a recursive loop past 16 (AWS RecursiveInvocationsDropped)",
            recursive_dropped.clone(),
        );
        r.register(
            "events",
            "Async events in the data folder, by state",
            events.clone(),
        );
        r.register(
            "event_reruns",
            "Runs cut off by a crash or an expired lease and started again, in the data folder",
            reruns.clone(),
        );
        r.register(
            "deliveries",
            "Outbox deliveries (dead letter, destinations, SNS) in the data folder, by state",
            deliveries.clone(),
        );
        r.register(
            "delivery_failures",
            "Outbox deliveries given up, in the data folder, by kind",
            delivery_failures.clone(),
        );
        r.register(
            "environments",
            "Execution environments, by state",
            environments.clone(),
        );
        r.register(
            "cold_starts",
            "Environments started for an invocation, since the server started",
            cold_starts.clone(),
        );
        r.register(
            "warm_starts",
            "Invocations that reused an idle environment, since the server started",
            warm_starts.clone(),
        );
        r.register_with_unit(
            "init_duration",
            "Init phase of new environments (AWS Init Duration)",
            Unit::Seconds,
            init_duration.clone(),
        );
        r.register_with_unit(
            "store_commit",
            "Store commits, from the start of the transaction to the end of its fsync",
            Unit::Seconds,
            commit.seconds.clone(),
        );
        r.register(
            "store_commit_writes",
            "Writes folded into one store commit",
            commit.writes.clone(),
        );
        r.register(
            "sqs_messages",
            "Messages in each SQS queue, by state",
            sqs_messages.clone(),
        );
        r.register(
            "sns_deliveries",
            "SNS subscription delivery attempts, by outcome",
            sns_deliveries.clone(),
        );
        r.register(
            "eventbridge_deliveries",
            "EventBridge rule and schedule target delivery attempts, by outcome (delivered, retried, dead_lettered, dropped)",
            rule_target_deliveries.clone(),
        );
        r.register(
            "schedule_firings",
            "Schedule firings committed, each delivered once to every target",
            schedule_firings.clone(),
        );
        r.register(
            "schedule_firings_missed",
            "Firings that fell due while the server was down (or one period late) and were folded into the one firing made instead",
            schedule_firings_missed.clone(),
        );
        r.register_with_unit(
            "schedule_lateness",
            "From a firing's due time to its commit",
            Unit::Seconds,
            schedule_lateness.clone(),
        );

        Metrics {
            registry,
            invocations,
            errors,
            throttles,
            duration,
            concurrent,
            dead_letter_errors,
            destination_failures,
            async_received,
            async_age,
            dropped,
            recursive_dropped,
            resource_invocations,
            resource_errors,
            resources: Mutex::new(Vec::new()),
            unreserved_concurrent,
            events,
            reruns,
            deliveries,
            delivery_failures,
            environments,
            cold_starts,
            warm_starts,
            init_duration,
            commit,
            sqs_messages,
            sns_deliveries,
            rule_target_deliveries,
            schedule_firings,
            schedule_firings_missed,
            schedule_lateness,
            scrape: Mutex::new(()),
        }
    }

    /// The handles of one function's metrics (created at zero if new).
    pub(crate) fn function(&self, name: &FunctionName) -> FunctionMetrics {
        let labels = FunctionLabels {
            function_name: name.to_string(),
        };
        let dropped = |reason| {
            self.dropped
                .get_or_create(&DroppedLabels {
                    function_name: name.to_string(),
                    reason,
                })
                .clone()
        };
        FunctionMetrics {
            invocations: self.invocations.get_or_create(&labels).clone(),
            errors: self.errors.get_or_create(&labels).clone(),
            throttles: self.throttles.get_or_create(&labels).clone(),
            duration: self.duration.get_or_create(&labels).clone(),
            concurrent: self.concurrent.get_or_create(&labels).clone(),
            async_received: self.async_received.get_or_create(&labels).clone(),
            async_age: self.async_age.get_or_create(&labels).clone(),
            dead_letter_errors: self.dead_letter_errors.get_or_create(&labels).clone(),
            destination_failures: self.destination_failures.get_or_create(&labels).clone(),
            dropped: [
                dropped(DropReason::retries_exhausted),
                dropped(DropReason::event_age_exceeded),
                dropped(DropReason::zero_reserved_concurrency),
                dropped(DropReason::recursive_invocation),
            ],
            recursive_dropped: self.recursive_dropped.get_or_create(&labels).clone(),
        }
    }

    /// A deleted function's series go with it.
    pub(crate) fn forget_function(&self, name: &FunctionName) {
        let labels = FunctionLabels {
            function_name: name.to_string(),
        };
        self.invocations.remove(&labels);
        self.errors.remove(&labels);
        self.throttles.remove(&labels);
        self.duration.remove(&labels);
        self.concurrent.remove(&labels);
        self.async_received.remove(&labels);
        self.async_age.remove(&labels);
        self.dead_letter_errors.remove(&labels);
        self.destination_failures.remove(&labels);
        self.recursive_dropped.remove(&labels);
        if let Ok(mut made) = self.resources.lock() {
            made.retain(|r| {
                let gone = r.function_name == labels.function_name;
                if gone {
                    self.resource_invocations.remove(r);
                    self.resource_errors.remove(r);
                }
                !gone
            });
        }
        for reason in [
            DropReason::retries_exhausted,
            DropReason::event_age_exceeded,
            DropReason::zero_reserved_concurrency,
            DropReason::recursive_invocation,
        ] {
            self.dropped.remove(&DroppedLabels {
                function_name: name.to_string(),
                reason,
            });
        }
    }

    /// One run of a qualified invocation or a published version, under AWS's `Resource`
    /// (`fn:qualifier`) and `ExecutedVersion` dimensions. Unqualified `$LATEST` runs are
    /// counted by function only, as AWS does.
    pub(crate) fn count_resource_run(
        &self,
        function: &FunctionName,
        qualifier: Option<&str>,
        version: &str,
        result: &lambkin_sandbox::InvocationResult,
    ) {
        if qualifier.is_none() && version == lambkin_model::Qualifier::LATEST {
            return;
        }
        let labels = ResourceLabels {
            function_name: function.to_string(),
            resource: format!("{function}:{}", qualifier.unwrap_or(version)),
            executed_version: version.to_string(),
        };
        let invocations = self.resource_invocations.get_or_create(&labels).clone();
        if invocations.get() == 0
            && let Ok(mut made) = self.resources.lock()
            && !made.contains(&labels)
        {
            made.push(labels.clone());
        }
        invocations.inc();
        let errors = self.resource_errors.get_or_create(&labels);
        if result.outcome.is_function_error() {
            errors.inc();
        }
    }

    /// The observer to install on the store.
    /// AWS's Invocations, Errors, Duration and Init Duration for one run of function code
    /// (sync or async).
    pub(crate) fn count_run(
        &self,
        function: &FunctionMetrics,
        result: &lambkin_sandbox::InvocationResult,
    ) {
        function.invoked(result.duration, result.outcome.is_function_error());
        if let Some(init) = result.init_duration {
            self.init_duration.observe(init.as_secs_f64());
        }
    }

    pub(crate) fn commits(&self) -> Arc<dyn CommitObserver> {
        self.commit.clone()
    }

    /// One round of schedule firings.
    pub(crate) fn schedules_fired(&self, report: &lambkin_events::FiringReport) {
        self.schedule_firings.inc_by(report.fired);
        self.schedule_firings_missed.inc_by(report.missed);
        for late in &report.lateness {
            self.schedule_lateness.observe(*late);
        }
    }

    /// An EventBridge target delivery attempt's outcome.
    pub(crate) fn rule_target_delivery(&self, outcome: &'static str) {
        self.rule_target_deliveries
            .get_or_create(&OutcomeLabels { outcome })
            .inc();
    }

    pub(crate) fn sns_delivery(&self, outcome: SnsOutcome) {
        let outcome = match outcome {
            SnsOutcome::Delivered => "delivered",
            SnsOutcome::Retried => "retried",
            SnsOutcome::Failed => "failed",
        };
        self.sns_deliveries
            .get_or_create(&OutcomeLabels { outcome })
            .inc();
    }

    /// Sets the scrape-time gauges from `snapshot` and encodes everything.
    pub(crate) fn render(&self, snapshot: Snapshot, format: MetricsFormat) -> String {
        let _one_at_a_time = self.scrape.lock().unwrap_or_else(|e| e.into_inner());
        let set = |family: &Family<StateLabels, Gauge>, state: &'static str, v: u64| {
            family
                .get_or_create(&StateLabels { state })
                .set(i64::try_from(v).unwrap_or(i64::MAX));
        };
        let q = &snapshot.queue;
        set(&self.events, "queued", q.queued);
        set(&self.events, "running", q.running);
        set(&self.events, "retry_scheduled", q.retry_scheduled);
        set(&self.events, "succeeded", q.succeeded);
        set(&self.events, "failed", q.failed);
        self.reruns.set(i64::try_from(q.reruns).unwrap_or(i64::MAX));
        let d = &snapshot.deliveries;
        set(&self.deliveries, "pending", d.pending);
        set(&self.deliveries, "delivered", d.delivered);
        for (kind, v) in [
            ("dead_letter", d.dead_letter_errors),
            ("destination", d.destination_delivery_failures),
            ("subscription", d.subscription_failures),
            ("bucket_notification", d.notification_failures),
            ("rule_target", d.rule_target_failures),
        ] {
            self.delivery_failures
                .get_or_create(&KindLabels { kind })
                .set(i64::try_from(v).unwrap_or(i64::MAX));
        }
        let e = &snapshot.environments;
        set(&self.environments, "idle", e.idle);
        set(&self.environments, "busy", e.busy);
        set(&self.environments, "starting", e.starting);
        // The pool counts them; the counters catch up (they only ever grow).
        catch_up(&self.cold_starts, e.cold_starts);
        catch_up(&self.warm_starts, e.warm_starts);
        self.unreserved_concurrent
            .set(i64::from(snapshot.unreserved_in_use));
        for (_, m, in_flight) in &snapshot.functions {
            m.concurrent.set(i64::from(*in_flight));
        }
        // Deleted queues disappear from the output.
        self.sqs_messages.clear();
        for (queue, c) in &snapshot.queues {
            for (state, v) in [
                ("visible", c.visible),
                ("in_flight", c.not_visible),
                ("delayed", c.delayed),
            ] {
                self.sqs_messages
                    .get_or_create(&QueueLabels {
                        queue: queue.clone(),
                        state,
                    })
                    .set(i64::try_from(v).unwrap_or(i64::MAX));
            }
        }
        let mut out = String::with_capacity(16 * 1024);
        let encoded = match format {
            MetricsFormat::Prometheus => {
                prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry)
            }
            MetricsFormat::OpenMetrics => {
                prometheus_client::encoding::text::encode(&mut out, &self.registry)
            }
        };
        // Writing into a String cannot fail.
        debug_assert!(encoded.is_ok());
        out
    }
}
