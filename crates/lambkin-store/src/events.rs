//! The EventBridge half of the storage contract: event buses, rules (with their targets), the
//! deliveries a PutEvents owes, and the schedules that fire rules and Scheduler schedules.
//!
//! A rule's configuration is opaque JSON here (`lambkin-events` owns its shape); the store
//! keeps it and hands it back at start. Schedules are durable rows holding the time of their
//! next firing: [`EventsStore::fire_schedule`] moves that time forward only if it is still the
//! one the caller read, and records the firing's deliveries in the same commit, so a firing
//! happens once even if two nodes (or a node and its restart) try it.

use async_trait::async_trait;
use lambkin_model::Timestamp;

use crate::{NewDelivery, StoreError};

/// An event bus as stored (the default bus is made by the service, not stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusRecord {
    pub name: String,
    pub arn: String,
    pub description: Option<String>,
    pub created_at: Timestamp,
}

/// A rule: its bus, its name and its configuration (targets included) as JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRecord {
    pub bus: String,
    pub name: String,
    pub config: String,
}

/// An EventBridge Scheduler schedule group as stored (the default group is made by the
/// service, not stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleGroupRecord {
    pub name: String,
    pub arn: String,
    pub created_at: Timestamp,
}

/// An EventBridge Scheduler schedule: its group, its name and its configuration as JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchedulerRecord {
    pub group: String,
    pub name: String,
    pub config: String,
}

/// A schedule's durable state: when it fires next. `key` names its owner (a rule or a
/// Scheduler schedule); `anchor` is the instant its timeline starts from (a rate counts from
/// it; a compressed time scale is applied around it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleRecord {
    pub key: String,
    pub anchor: Timestamp,
    pub next_at: Timestamp,
}

/// What a rule write does to the rule's schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleChange {
    /// Leave the row as it is (the expression and state did not change).
    Keep,
    /// Insert or replace the row.
    Set(ScheduleRecord),
    /// Delete the row with this key, if any.
    Remove(String),
}

#[async_trait]
pub trait EventsStore: Send + Sync + std::fmt::Debug {
    /// Adds the bus; false (nothing written) if a bus of that name exists.
    async fn create_bus(&self, bus: BusRecord) -> Result<bool, StoreError>;

    /// Deletes the bus and its rules (and their schedules); false if there was none.
    async fn delete_bus(&self, name: &str) -> Result<bool, StoreError>;

    /// Every stored bus, by name.
    async fn buses(&self) -> Result<Vec<BusRecord>, StoreError>;

    /// Inserts or replaces the rule, and changes its schedule, in one commit.
    async fn put_rule(&self, rule: RuleRecord, schedule: ScheduleChange) -> Result<(), StoreError>;

    /// Deletes the rule and the schedule `schedule_key`; false if there was no such rule.
    async fn delete_rule(
        &self,
        bus: &str,
        name: &str,
        schedule_key: &str,
    ) -> Result<bool, StoreError>;

    /// Every stored rule, by bus and name.
    async fn rules(&self) -> Result<Vec<RuleRecord>, StoreError>;

    /// Records deliveries (the targets an event matched), in one commit; resolves after the
    /// commit is durable.
    async fn record_deliveries(
        &self,
        deliveries: Vec<NewDelivery>,
        now: Timestamp,
    ) -> Result<(), StoreError>;

    /// The schedules due at `now` (next firing at or before it), soonest first.
    async fn due_schedules(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<ScheduleRecord>, StoreError>;

    /// The soonest next firing of any schedule.
    async fn next_schedule_due(&self) -> Result<Option<Timestamp>, StoreError>;

    /// A firing, if the schedule's next firing is still `due` (nobody fired it meanwhile): in
    /// one commit, moves it to `next` (or deletes the row when `None`: the schedule is over)
    /// and records `deliveries`. Returns false, writing nothing, if it was not `due` any more.
    async fn fire_schedule(
        &self,
        key: &str,
        due: Timestamp,
        next: Option<Timestamp>,
        deliveries: Vec<NewDelivery>,
        now: Timestamp,
    ) -> Result<bool, StoreError>;

    /// One schedule's row, if any.
    async fn schedule(&self, key: &str) -> Result<Option<ScheduleRecord>, StoreError>;

    /// Adds the Scheduler group; false (nothing written) if it exists.
    async fn create_schedule_group(&self, group: ScheduleGroupRecord) -> Result<bool, StoreError>;

    /// Deletes the group, its schedules and their rows (keys `schedule/<group>/…`).
    async fn delete_schedule_group(&self, name: &str) -> Result<(), StoreError>;

    async fn schedule_groups(&self) -> Result<Vec<ScheduleGroupRecord>, StoreError>;

    /// Inserts or replaces a Scheduler schedule, and changes its row, in one commit.
    async fn put_schedule(
        &self,
        schedule: SchedulerRecord,
        change: ScheduleChange,
    ) -> Result<(), StoreError>;

    /// Deletes a Scheduler schedule and its row `key`; false if there was no such schedule.
    async fn delete_schedule(&self, group: &str, name: &str, key: &str)
    -> Result<bool, StoreError>;

    /// Every stored Scheduler schedule, by group and name.
    async fn scheduler_schedules(&self) -> Result<Vec<SchedulerRecord>, StoreError>;
}
