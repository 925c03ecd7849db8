//! EventBridge semantics with no HTTP types (issue 13, in progress). So far: schedule
//! expressions (`schedule.rs`), as EventBridge rules and EventBridge Scheduler parse them, and
//! when a schedule fires next.

mod schedule;

pub use schedule::{ScheduleError, ScheduleExpression};
