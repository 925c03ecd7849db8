//! EventBridge semantics with no HTTP types: event buses, rules with event patterns or
//! schedules, their targets, PutEvents, and the firing of scheduled rules.
//!
//! Data flow: the api crate decodes a request and calls one method of [`Events`] (`buses.rs`,
//! `rules.rs`, `targets.rs`, `put_events.rs`), which checks it with AWS's rules and messages
//! (`names.rs`, the model's shapes) and writes [`lambkin_store::EventsStore`], then its own
//! in-memory copy of the buses and rules (compiled patterns and schedules), which PutEvents
//! matches against without touching the store. An event that matches records one outbox
//! delivery per target of each matching rule (kind `RuleTarget`, the payload already built by
//! `transform.rs`, the target's retry policy and dead-letter queue with it) in one commit,
//! and PutEvents answers only after it; the engine's deliverer performs them. A scheduled
//! rule keeps its next firing as a durable row; `firing.rs` fires due rows once each (a
//! compare-and-set on the row, with the deliveries in the same commit), which the engine's
//! schedule loop drives.
//!
//! Deliberate limits (see docs/api-compat.md): rules, targets and buses live in one process's
//! memory as well as the store (one server owns a data folder); archives, replays, API
//! destinations, partner buses and resource policies are not served.

mod buses;
mod config;
mod envelope;
mod error;
mod firing;
mod names;
mod put_events;
mod rules;
mod schedule;
mod scheduler;
mod targets;
mod transform;

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use lambkin_model::{Clock, Scope, TimeScale, Timestamp};
use lambkin_patterns::Pattern;
use lambkin_store::{BusRecord, Store};
use tokio::sync::Notify;

pub use buses::BusView;
pub use config::{DeadLetterConfig, InputTransformer, RetryPolicy, RuleConfig, Target};
pub use envelope::{Envelope, event_time};
pub use error::EventsError;
pub use firing::FiringReport;
pub use names::{DEFAULT_BUS, bus_arn, rule_arn};
pub use put_events::{EntryResult, PutEntry};
pub use rules::PutRule;
pub use schedule::{ScheduleError, ScheduleExpression};
pub use scheduler::{
    DEFAULT_GROUP, FlexibleTimeWindow, GroupView, ScheduleConfig, ScheduleRequest, SchedulerTarget,
};
pub use targets::TargetFailure;

/// The EventBridge service; cheap to clone.
#[derive(Debug, Clone)]
pub struct Events {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    scope: Scope,
    /// Schedules run on the server's time scale, like retries.
    time_scale: TimeScale,
    /// Wakes the engine's deliverer after deliveries were committed.
    deliveries_owed: Arc<Notify>,
    /// Wakes the engine's schedule loop after a schedule was added or changed.
    schedules_changed: Arc<Notify>,
    catalog: RwLock<Catalog>,
    /// Serialises control-plane writes, each a read of the catalog, a store write and an
    /// update of the catalog.
    edits: tokio::sync::Mutex<()>,
}

/// Every bus and its rules, as the store holds them, with patterns and schedules compiled.
#[derive(Debug, Default)]
struct Catalog {
    buses: BTreeMap<String, Bus>,
    /// EventBridge Scheduler's schedule groups and their schedules.
    groups: BTreeMap<String, scheduler::Group>,
}

#[derive(Debug)]
struct Bus {
    record: BusRecord,
    rules: BTreeMap<String, Arc<Rule>>,
}

#[derive(Debug)]
struct Rule {
    config: RuleConfig,
    pattern: Option<Pattern>,
    schedule: Option<ScheduleExpression>,
}

impl Rule {
    /// A stored rule; its pattern and schedule were checked when it was put.
    fn compile(config: RuleConfig) -> Rule {
        let pattern = config
            .event_pattern
            .as_deref()
            .and_then(|p| Pattern::parse(p).ok());
        let schedule = config
            .schedule_expression
            .as_deref()
            .and_then(|s| ScheduleExpression::parse(s).ok());
        Rule {
            config,
            pattern,
            schedule,
        }
    }
}

/// What [`Events::new`] needs from the engine.
#[derive(Debug, Clone)]
pub struct EventsParts {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub scope: Scope,
    pub time_scale: TimeScale,
    pub deliveries_owed: Arc<Notify>,
    pub schedules_changed: Arc<Notify>,
}

impl Events {
    /// Loads the stored buses and rules.
    pub async fn open(parts: EventsParts) -> Result<Events, EventsError> {
        let mut catalog = Catalog::default();
        let now = parts.clock.now();
        catalog.buses.insert(
            DEFAULT_BUS.to_string(),
            Bus {
                record: BusRecord {
                    name: DEFAULT_BUS.into(),
                    arn: bus_arn(&parts.scope, DEFAULT_BUS),
                    description: None,
                    created_at: now,
                },
                rules: BTreeMap::new(),
            },
        );
        for record in parts.store.buses().await? {
            catalog.buses.insert(
                record.name.clone(),
                Bus {
                    record,
                    rules: BTreeMap::new(),
                },
            );
        }
        for record in parts.store.rules().await? {
            let config: RuleConfig = serde_json::from_str(&record.config).map_err(|e| {
                EventsError::Store(lambkin_store::StoreError::Corrupt(format!(
                    "rule {}/{}: {e}",
                    record.bus, record.name
                )))
            })?;
            if let Some(bus) = catalog.buses.get_mut(&record.bus) {
                bus.rules
                    .insert(record.name.clone(), Arc::new(Rule::compile(config)));
            }
        }
        catalog.groups.insert(
            DEFAULT_GROUP.to_string(),
            scheduler::Group {
                name: DEFAULT_GROUP.into(),
                arn: format!(
                    "arn:aws:scheduler:{}:{}:schedule-group/{DEFAULT_GROUP}",
                    parts.scope.region, parts.scope.account
                ),
                created_at: now,
                schedules: BTreeMap::new(),
            },
        );
        for g in parts.store.schedule_groups().await? {
            catalog.groups.insert(
                g.name.clone(),
                scheduler::Group {
                    name: g.name,
                    arn: g.arn,
                    created_at: g.created_at,
                    schedules: BTreeMap::new(),
                },
            );
        }
        for record in parts.store.scheduler_schedules().await? {
            let compiled = serde_json::from_str(&record.config)
                .ok()
                .and_then(scheduler::Scheduled::compile);
            let Some(compiled) = compiled else {
                tracing::warn!(group = %record.group, name = %record.name, "a stored schedule no longer parses; it will not fire");
                continue;
            };
            if let Some(g) = catalog.groups.get_mut(&record.group) {
                g.schedules.insert(record.name, Arc::new(compiled));
            }
        }
        Ok(Events {
            inner: Arc::new(Inner {
                store: parts.store,
                clock: parts.clock,
                scope: parts.scope,
                time_scale: parts.time_scale,
                deliveries_owed: parts.deliveries_owed,
                schedules_changed: parts.schedules_changed,
                catalog: RwLock::new(catalog),
                edits: tokio::sync::Mutex::new(()),
            }),
        })
    }

    pub fn scope(&self) -> &Scope {
        &self.inner.scope
    }

    fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }

    /// Reads the catalog (a poisoned lock means a panic mid-update; the data is still whole,
    /// since every update replaces entries).
    fn read<T>(&self, f: impl FnOnce(&Catalog) -> T) -> T {
        let guard = self
            .inner
            .catalog
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&guard)
    }

    fn write<T>(&self, f: impl FnOnce(&mut Catalog) -> T) -> T {
        let mut guard = self
            .inner
            .catalog
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }
}

/// Decodes a `NextToken` (an offset into a listing, as text).
fn parse_token(token: Option<&str>) -> Result<usize, EventsError> {
    match token {
        None => Ok(0),
        Some(t) => t
            .parse()
            .map_err(|_| EventsError::Validation("The NextToken is not valid.".into())),
    }
}

/// One page of `items` from `offset`, and the token of the next page.
fn page<T>(items: Vec<T>, offset: usize, limit: Option<i64>) -> (Vec<T>, Option<String>) {
    let limit = limit.map_or(100, |l| l.clamp(1, 100) as usize);
    let total = items.len();
    let page: Vec<T> = items.into_iter().skip(offset).take(limit).collect();
    let next = (offset + limit < total).then(|| (offset + limit).to_string());
    (page, next)
}
