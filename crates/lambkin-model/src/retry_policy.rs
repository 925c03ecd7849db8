//! The pure decisions an asynchronous event goes through: before it runs, [`gate`] says run,
//! wait for a slot, or fail now ([`Gate`]); after it ran, [`after_run`] says where it goes
//! ([`NextState`]: succeeded, retry at T, or failed with a condition).
//!
//! AWS's rules (reference §4): function errors (exceptions, timeouts, runtime exits) are retried
//! up to `MaximumRetryAttempts` (default 2) about 1 and then 2 minutes later; the age check
//! looks ahead — if the next attempt would be later than `MaximumEventAgeInSeconds` the event
//! fails now with `EventAgeExceeded`; reserved concurrency 0 fails at once.
//!
//! Throttles are where lambkin departs from the letter of AWS's description on purpose. AWS
//! says a throttled event is "returned to the queue" and retried with backoff from 1 s to
//! 5 min; that backoff paces AWS's pollers, and what its users see is a function working
//! through its backlog at its concurrency limit, continuously. Giving every event its own
//! backoff timer instead makes a backlog retry in lockstep and strands it, so a
//! throttled event here waits for its function's next free slot, in due order, with no timer
//! of its own — still ageing: it fails with `EventAgeExceeded` when its age runs out first.

use std::time::Duration;

use crate::{EventInvokeConfig, FailureCondition, NextState, Timestamp};

/// Compresses the platform's schedule: the retry delays after a function error and the maximum
/// event age (with 0.01 the 1-minute retry happens after 0.6 s and the 6-hour maximum age
/// becomes 216 s), and the outbox's delivery retry delays. Never scaled: function timeouts and
/// run time, keep-alive, leases. So at a scale below 1 an event waiting behind a busy function
/// ages faster, relative to the run time it waits for, than it would on AWS.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeScale(f64);

impl TimeScale {
    pub const REAL: TimeScale = TimeScale(1.0);

    pub fn new(factor: f64) -> Option<Self> {
        (factor.is_finite() && factor > 0.0 && factor <= 1.0).then_some(TimeScale(factor))
    }

    pub fn factor(self) -> f64 {
        self.0
    }

    pub fn apply(self, d: Duration) -> Duration {
        d.mul_f64(self.0)
    }
}

impl Default for TimeScale {
    fn default() -> Self {
        TimeScale::REAL
    }
}

/// The schedule one event is held to, with the time scale already applied.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    pub max_retry_attempts: u32,
    pub max_event_age: Duration,
    /// Delay before the 2nd and 3rd attempt after a function error.
    pub retry_delays: [Duration; 2],
}

impl RetryPolicy {
    pub fn new(config: &EventInvokeConfig, scale: TimeScale) -> Self {
        RetryPolicy {
            max_retry_attempts: config.retry_attempts(),
            max_event_age: scale.apply(Duration::from_secs(u64::from(config.event_age_s()))),
            retry_delays: [
                scale.apply(Duration::from_secs(60)),
                scale.apply(Duration::from_secs(120)),
            ],
        }
    }

    fn retry_delay(&self, invocations: u32) -> Duration {
        let i = usize::try_from(invocations.saturating_sub(1)).unwrap_or(usize::MAX);
        self.retry_delays
            .get(i)
            .or(self.retry_delays.last())
            .copied()
            .unwrap_or_default()
    }
}

/// Where an event stands before it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BeforeRun {
    /// Claimed and about to run: is it still young enough?
    Due,
    /// The function's reserved concurrency is 0.
    ZeroReservedConcurrency,
    /// It would be an invocation past [`crate::MAX_CHAIN`] of its chain: a recursive loop.
    RecursiveLoop,
    /// Due, young enough, but every slot the function may use is busy.
    Throttled,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEnded {
    /// The function (or its runtime) failed: an error, a timeout, a crash.
    FunctionError,
    Success,
}

/// What has happened to the event so far, counting the step being decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct History {
    pub enqueued_at: Timestamp,
    /// Attempts that ran function code.
    pub invocations: u32,
}

/// Before a run: what the event may do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    Run,
    /// Wait for the function's next free slot, but not past `until` (the maximum event age):
    /// an event still waiting then fails with `EventAgeExceeded`.
    AwaitSlot {
        until: Timestamp,
    },
    Fail(FailureCondition),
}

pub fn gate(step: BeforeRun, history: History, policy: &RetryPolicy, now: Timestamp) -> Gate {
    let deadline = history.enqueued_at.plus(policy.max_event_age);
    match step {
        BeforeRun::Due if now > deadline => Gate::Fail(FailureCondition::EventAgeExceeded),
        BeforeRun::Due => Gate::Run,
        BeforeRun::ZeroReservedConcurrency => Gate::Fail(FailureCondition::ZeroReservedConcurrency),
        BeforeRun::RecursiveLoop => Gate::Fail(FailureCondition::RecursiveInvocation),
        BeforeRun::Throttled if now > deadline => Gate::Fail(FailureCondition::EventAgeExceeded),
        BeforeRun::Throttled => Gate::AwaitSlot { until: deadline },
    }
}

/// After a run: where the event goes. The age check looks ahead: a retry that would come after
/// the maximum age fails now.
pub fn after_run(
    ended: RunEnded,
    history: History,
    policy: &RetryPolicy,
    now: Timestamp,
) -> NextState {
    match ended {
        RunEnded::Success => NextState::Succeeded,
        RunEnded::FunctionError if history.invocations > policy.max_retry_attempts => {
            NextState::Failed(FailureCondition::RetriesExhausted)
        }
        RunEnded::FunctionError => {
            let at = now.plus(policy.retry_delay(history.invocations));
            if at > history.enqueued_at.plus(policy.max_event_age) {
                NextState::Failed(FailureCondition::EventAgeExceeded)
            } else {
                NextState::RetryAt(at)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1000;

    fn policy(retries: Option<u32>, age_s: Option<u32>) -> RetryPolicy {
        let cfg = EventInvokeConfig {
            maximum_retry_attempts: retries,
            maximum_event_age_s: age_s,
            ..Default::default()
        };
        RetryPolicy::new(&cfg, TimeScale::REAL)
    }

    fn h(invocations: u32) -> History {
        History {
            enqueued_at: Timestamp(0),
            invocations,
        }
    }

    #[test]
    fn gate_table() {
        use FailureCondition::*;
        let default = policy(None, None);
        let cases: &[(&str, BeforeRun, History, RetryPolicy, i64, Gate)] = &[
            (
                "fresh event runs",
                BeforeRun::Due,
                h(0),
                default.clone(),
                0,
                Gate::Run,
            ),
            (
                "due but too old",
                BeforeRun::Due,
                h(1),
                policy(None, Some(60)),
                61 * S,
                Gate::Fail(EventAgeExceeded),
            ),
            (
                "throttled: waits for a slot until its age runs out",
                BeforeRun::Throttled,
                h(0),
                default.clone(),
                0,
                Gate::AwaitSlot {
                    until: Timestamp(6 * 3600 * S),
                },
            ),
            (
                "throttles do not use up retries",
                BeforeRun::Throttled,
                h(3),
                default.clone(),
                200 * S,
                Gate::AwaitSlot {
                    until: Timestamp(6 * 3600 * S),
                },
            ),
            (
                "throttled with a short maximum age",
                BeforeRun::Throttled,
                h(1),
                policy(None, Some(60)),
                59 * S,
                Gate::AwaitSlot {
                    until: Timestamp(60 * S),
                },
            ),
            (
                "waiting exactly until the deadline is allowed",
                BeforeRun::Throttled,
                h(0),
                policy(None, Some(60)),
                60 * S,
                Gate::AwaitSlot {
                    until: Timestamp(60 * S),
                },
            ),
            (
                "still waiting past the maximum age fails",
                BeforeRun::Throttled,
                h(0),
                policy(None, Some(60)),
                60 * S + 1,
                Gate::Fail(EventAgeExceeded),
            ),
            (
                "reserved concurrency 0",
                BeforeRun::ZeroReservedConcurrency,
                h(0),
                default.clone(),
                0,
                Gate::Fail(ZeroReservedConcurrency),
            ),
            (
                "a recursive loop is stopped, however young",
                BeforeRun::RecursiveLoop,
                h(0),
                default.clone(),
                0,
                Gate::Fail(RecursiveInvocation),
            ),
        ];
        for (name, step, history, policy, now, want) in cases {
            assert_eq!(
                gate(*step, *history, policy, Timestamp(*now)),
                *want,
                "{name}"
            );
        }
    }

    #[test]
    fn after_run_table() {
        use FailureCondition::*;
        let default = policy(None, None);
        let cases: &[(&str, RunEnded, History, RetryPolicy, i64, NextState)] = &[
            (
                "success finishes",
                RunEnded::Success,
                h(1),
                default.clone(),
                5 * S,
                NextState::Succeeded,
            ),
            (
                "1st error: retry ~1 min later",
                RunEnded::FunctionError,
                h(1),
                default.clone(),
                2 * S,
                NextState::RetryAt(Timestamp(62 * S)),
            ),
            (
                "2nd error: retry ~2 min later",
                RunEnded::FunctionError,
                h(2),
                default.clone(),
                70 * S,
                NextState::RetryAt(Timestamp(190 * S)),
            ),
            (
                "3rd error: retries exhausted",
                RunEnded::FunctionError,
                h(3),
                default.clone(),
                200 * S,
                NextState::Failed(RetriesExhausted),
            ),
            (
                "MaximumRetryAttempts 0",
                RunEnded::FunctionError,
                h(1),
                policy(Some(0), None),
                S,
                NextState::Failed(RetriesExhausted),
            ),
            (
                "MaximumRetryAttempts 1, first error retries",
                RunEnded::FunctionError,
                h(1),
                policy(Some(1), None),
                S,
                NextState::RetryAt(Timestamp(61 * S)),
            ),
            (
                "MaximumRetryAttempts 1, second error fails",
                RunEnded::FunctionError,
                h(2),
                policy(Some(1), None),
                70 * S,
                NextState::Failed(RetriesExhausted),
            ),
            // Observed on AWS: max age 60 s, retries 2 → EventAgeExceeded right after the 1st failure.
            (
                "age look-ahead fails now",
                RunEnded::FunctionError,
                h(1),
                policy(None, Some(60)),
                S,
                NextState::Failed(EventAgeExceeded),
            ),
            (
                "age 100 s allows the 1st retry",
                RunEnded::FunctionError,
                h(1),
                policy(None, Some(100)),
                S,
                NextState::RetryAt(Timestamp(61 * S)),
            ),
            (
                "age 100 s stops before the 2nd retry",
                RunEnded::FunctionError,
                h(2),
                policy(None, Some(100)),
                62 * S,
                NextState::Failed(EventAgeExceeded),
            ),
            (
                "retry exactly at the deadline is allowed",
                RunEnded::FunctionError,
                h(1),
                policy(None, Some(61)),
                S,
                NextState::RetryAt(Timestamp(61 * S)),
            ),
        ];
        for (name, ended, history, policy, now, want) in cases {
            assert_eq!(
                after_run(*ended, *history, policy, Timestamp(*now)),
                *want,
                "{name}"
            );
        }
    }

    #[test]
    fn time_scale_compresses_the_schedule() {
        let scale = TimeScale::new(0.01).expect("valid scale");
        let p = RetryPolicy::new(&EventInvokeConfig::default(), scale);
        assert_eq!(
            p.retry_delays,
            [Duration::from_millis(600), Duration::from_millis(1200)]
        );
        assert_eq!(p.max_event_age, Duration::from_secs(216));
        assert!(TimeScale::new(0.0).is_none());
        assert!(TimeScale::new(2.0).is_none());
        assert!(TimeScale::new(f64::NAN).is_none());
    }
}
