//! The one pure decision taken whenever an asynchronous event reaches a step: run it, finish
//! it, schedule a retry at time T, or fail it with a condition.
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

use crate::{EventInvokeConfig, FailureCondition, Timestamp};

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

/// The step an event has reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Claimed and about to run: is it still young enough?
    Due,
    /// The function's reserved concurrency is 0.
    ZeroReservedConcurrency,
    /// Due, young enough, but every slot the function may use is busy.
    Throttled,
    /// The attempt ran and the function (or its runtime) failed.
    FunctionError,
    /// The attempt ran and succeeded.
    Success,
}

/// What has happened to the event so far, counting the step being decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct History {
    pub enqueued_at: Timestamp,
    /// Attempts that ran function code.
    pub invocations: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Run,
    Succeed,
    RetryAt(Timestamp),
    /// Wait for the function's next free slot, but not past `until` (the maximum event age):
    /// an event still waiting then fails with `EventAgeExceeded`.
    AwaitSlot {
        until: Timestamp,
    },
    Fail(FailureCondition),
}

pub fn decide(step: Step, history: History, policy: &RetryPolicy, now: Timestamp) -> Decision {
    let deadline = history.enqueued_at.plus(policy.max_event_age);
    let retry_at = |delay: Duration| {
        let at = now.plus(delay);
        if at > deadline {
            Decision::Fail(FailureCondition::EventAgeExceeded)
        } else {
            Decision::RetryAt(at)
        }
    };
    match step {
        Step::Due if now > deadline => Decision::Fail(FailureCondition::EventAgeExceeded),
        Step::Due => Decision::Run,
        Step::ZeroReservedConcurrency => Decision::Fail(FailureCondition::ZeroReservedConcurrency),
        Step::Success => Decision::Succeed,
        Step::Throttled if now > deadline => Decision::Fail(FailureCondition::EventAgeExceeded),
        Step::Throttled => Decision::AwaitSlot { until: deadline },
        Step::FunctionError if history.invocations > policy.max_retry_attempts => {
            Decision::Fail(FailureCondition::RetriesExhausted)
        }
        Step::FunctionError => retry_at(policy.retry_delay(history.invocations)),
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
    fn decision_table() {
        use Decision::*;
        use FailureCondition::*;
        let default = policy(None, None);
        let cases: &[(&str, Step, History, RetryPolicy, i64, Decision)] = &[
            ("fresh event runs", Step::Due, h(0), default.clone(), 0, Run),
            (
                "success finishes",
                Step::Success,
                h(1),
                default.clone(),
                5 * S,
                Succeed,
            ),
            (
                "1st error: retry ~1 min later",
                Step::FunctionError,
                h(1),
                default.clone(),
                2 * S,
                RetryAt(Timestamp(62 * S)),
            ),
            (
                "2nd error: retry ~2 min later",
                Step::FunctionError,
                h(2),
                default.clone(),
                70 * S,
                RetryAt(Timestamp(190 * S)),
            ),
            (
                "3rd error: retries exhausted",
                Step::FunctionError,
                h(3),
                default.clone(),
                200 * S,
                Fail(RetriesExhausted),
            ),
            (
                "MaximumRetryAttempts 0",
                Step::FunctionError,
                h(1),
                policy(Some(0), None),
                S,
                Fail(RetriesExhausted),
            ),
            (
                "MaximumRetryAttempts 1, first error retries",
                Step::FunctionError,
                h(1),
                policy(Some(1), None),
                S,
                RetryAt(Timestamp(61 * S)),
            ),
            (
                "MaximumRetryAttempts 1, second error fails",
                Step::FunctionError,
                h(2),
                policy(Some(1), None),
                70 * S,
                Fail(RetriesExhausted),
            ),
            // Observed on AWS: max age 60 s, retries 2 → EventAgeExceeded right after the 1st failure.
            (
                "age look-ahead fails now",
                Step::FunctionError,
                h(1),
                policy(None, Some(60)),
                S,
                Fail(EventAgeExceeded),
            ),
            (
                "age 100 s allows the 1st retry",
                Step::FunctionError,
                h(1),
                policy(None, Some(100)),
                S,
                RetryAt(Timestamp(61 * S)),
            ),
            (
                "age 100 s stops before the 2nd retry",
                Step::FunctionError,
                h(2),
                policy(None, Some(100)),
                62 * S,
                Fail(EventAgeExceeded),
            ),
            (
                "retry exactly at the deadline is allowed",
                Step::FunctionError,
                h(1),
                policy(None, Some(61)),
                S,
                RetryAt(Timestamp(61 * S)),
            ),
            (
                "due but too old",
                Step::Due,
                h(1),
                policy(None, Some(60)),
                61 * S,
                Fail(EventAgeExceeded),
            ),
            (
                "throttled: waits for a slot until its age runs out",
                Step::Throttled,
                h(0),
                default.clone(),
                0,
                AwaitSlot {
                    until: Timestamp(6 * 3600 * S),
                },
            ),
            (
                "throttles do not use up retries",
                Step::Throttled,
                h(3),
                default.clone(),
                200 * S,
                AwaitSlot {
                    until: Timestamp(6 * 3600 * S),
                },
            ),
            (
                "throttled with a short maximum age",
                Step::Throttled,
                h(1),
                policy(None, Some(60)),
                59 * S,
                AwaitSlot {
                    until: Timestamp(60 * S),
                },
            ),
            (
                "waiting exactly until the deadline is allowed",
                Step::Throttled,
                h(0),
                policy(None, Some(60)),
                60 * S,
                AwaitSlot {
                    until: Timestamp(60 * S),
                },
            ),
            (
                "still waiting past the maximum age fails",
                Step::Throttled,
                h(0),
                policy(None, Some(60)),
                60 * S + 1,
                Fail(EventAgeExceeded),
            ),
            (
                "reserved concurrency 0",
                Step::ZeroReservedConcurrency,
                h(0),
                default.clone(),
                0,
                Fail(ZeroReservedConcurrency),
            ),
        ];
        for (name, step, history, policy, now, want) in cases {
            assert_eq!(
                decide(*step, *history, policy, Timestamp(*now)),
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
