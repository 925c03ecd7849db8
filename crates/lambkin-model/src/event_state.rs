//! The states of an asynchronous event. This file and `docs/state-machine.md` are the one
//! description of the lifecycle; every backend stores these states and nothing else.
//!
//! ```text
//! enqueue ─► Queued ─claim─► Running ─┬─ success ───────────────► Succeeded
//!              ▲                      ├─ error/throttle, retry ─► RetryScheduled (due at T)
//!              │ release/crash        │                              │ due → claim → Running
//!              └──────────────────────┤
//!                                     └─ after_run/gate: stop ──► Failed(condition)
//! ```

use std::fmt;

/// Why an event stopped without a successful run; the `condition` of an AWS failure record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureCondition {
    /// Function errors used up `MaximumRetryAttempts`.
    RetriesExhausted,
    /// The event, or its next scheduled attempt, is older than `MaximumEventAgeInSeconds`.
    EventAgeExceeded,
    /// The function's reserved concurrency is 0: AWS fails such events at once (since 2021).
    ZeroReservedConcurrency,
    /// The event would be the 17th invocation of one chain (a recursive loop): stopped unrun,
    /// as AWS stops it.
    RecursiveInvocation,
}

impl FailureCondition {
    pub fn as_str(self) -> &'static str {
        match self {
            FailureCondition::RetriesExhausted => "RetriesExhausted",
            FailureCondition::EventAgeExceeded => "EventAgeExceeded",
            FailureCondition::ZeroReservedConcurrency => "ZeroReservedConcurrency",
            FailureCondition::RecursiveInvocation => "RecursiveInvocationException",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            FailureCondition::RetriesExhausted,
            FailureCondition::EventAgeExceeded,
            FailureCondition::ZeroReservedConcurrency,
            FailureCondition::RecursiveInvocation,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }
}

impl fmt::Display for FailureCondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an event goes once it is decided: after a run, or when the gate fails it without one.
/// The dispatcher's one answer; the store keeps it as an [`EventState`] ([`NextState::state`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextState {
    Succeeded,
    RetryAt(crate::Timestamp),
    Failed(FailureCondition),
}

impl NextState {
    /// The state stored for it; a retry is due at its time.
    pub fn state(self) -> EventState {
        match self {
            NextState::Succeeded => EventState::Succeeded,
            NextState::RetryAt(_) => EventState::RetryScheduled,
            NextState::Failed(c) => EventState::Failed(c),
        }
    }

    /// When a scheduled retry is due.
    pub fn due_at(self) -> Option<crate::Timestamp> {
        match self {
            NextState::RetryAt(t) => Some(t),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventState {
    /// Accepted and durable, due now. In: the accept path (enqueue) and recovery/shutdown,
    /// which hand back events whose run was cut off. Out: the dispatcher's claim.
    Queued,
    /// Claimed by a dispatcher under a lease (the due time holds the lease expiry).
    /// In: claim. Out: the attempt's completion, or lease expiry/recovery back to Queued.
    Running,
    /// Waiting for its due time after a function error or throttle. In: completion with a
    /// retry decision. Out: claim when due.
    RetryScheduled,
    /// Terminal: an attempt succeeded.
    Succeeded,
    /// Terminal: stopped by the decision function with a condition; kept for inspection and
    /// for dead-letter/destination delivery.
    Failed(FailureCondition),
}

impl EventState {
    pub fn name(self) -> &'static str {
        match self {
            EventState::Queued => "queued",
            EventState::Running => "running",
            EventState::RetryScheduled => "retry_scheduled",
            EventState::Succeeded => "succeeded",
            EventState::Failed(_) => "failed",
        }
    }

    pub fn condition(self) -> Option<FailureCondition> {
        match self {
            EventState::Failed(c) => Some(c),
            _ => None,
        }
    }

    /// Inverse of (`name`, `condition`), for backends reading rows back.
    pub fn from_parts(name: &str, condition: Option<&str>) -> Option<Self> {
        Some(match name {
            "queued" => EventState::Queued,
            "running" => EventState::Running,
            "retry_scheduled" => EventState::RetryScheduled,
            "succeeded" => EventState::Succeeded,
            "failed" => EventState::Failed(FailureCondition::parse(condition?)?),
            _ => return None,
        })
    }
}

impl fmt::Display for EventState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventState::Failed(c) => write!(f, "failed ({c})"),
            other => f.write_str(other.name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_through_their_parts() {
        let all = [
            EventState::Queued,
            EventState::Running,
            EventState::RetryScheduled,
            EventState::Succeeded,
            EventState::Failed(FailureCondition::RetriesExhausted),
            EventState::Failed(FailureCondition::EventAgeExceeded),
            EventState::Failed(FailureCondition::ZeroReservedConcurrency),
        ];
        for s in all {
            let cond = s.condition().map(FailureCondition::as_str);
            assert_eq!(EventState::from_parts(s.name(), cond), Some(s));
        }
        assert_eq!(EventState::from_parts("failed", None), None);
        assert_eq!(EventState::from_parts("bogus", None), None);
    }
}
