//! What happens after a delivery attempt fails: the pure rule, tested from a table.
//!
//! Permanent failures (the target does not exist, refuses the message's size or content) are
//! given up at once and counted (`DeadLetterErrors`, `DestinationDeliveryFailures`): AWS never
//! retries those and never fails or re-runs the invocation because of them. Transient ones
//! (storage busy, an HTTP endpoint down or answering 5xx/429) are retried: lambkin's own
//! targets with exponential backoff from 1 s up to 5 min, HTTP(S) subscribers on SNS's
//! default delivery policy (3 retries, 20 s apart). Delays follow the server's time scale.

use std::time::Duration;

use lambkin_model::{TimeScale, Timestamp};
use lambkin_store::{DeliveryResult, TargetRetry};

/// Attempts at an internal target (queue, topic, function) before giving up on a transient
/// failure: 1+2+4+…+128 s ≈ 4 min of retrying.
const INTERNAL_ATTEMPTS: u32 = 9;
const INTERNAL_BACKOFF_CAP: Duration = Duration::from_secs(300);
/// SNS's default HTTP/S delivery policy: `numRetries` 3, `minDelayTarget` = `maxDelayTarget` 20.
const HTTP_ATTEMPTS: u32 = 4;
const HTTP_DELAY: Duration = Duration::from_secs(20);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Channel {
    /// A queue, topic or function served by this lambkin.
    Internal,
    /// An HTTP(S) SNS subscriber.
    Http,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    Permanent(String),
    Transient(String),
}

/// The outcome to record after attempt number `attempts_before + 1` failed at `now`.
pub(crate) fn after_failure(
    channel: Channel,
    attempts_before: u32,
    failure: Failure,
    now: Timestamp,
    scale: TimeScale,
) -> DeliveryResult {
    let error = match failure {
        Failure::Permanent(e) => return DeliveryResult::Failed(e),
        Failure::Transient(e) => e,
    };
    let made = attempts_before + 1;
    let (limit, delay) = match channel {
        Channel::Internal => (
            INTERNAL_ATTEMPTS,
            Duration::from_secs(1u64 << attempts_before.min(20)).min(INTERNAL_BACKOFF_CAP),
        ),
        Channel::Http => (HTTP_ATTEMPTS, HTTP_DELAY),
    };
    if made >= limit {
        return DeliveryResult::Failed(format!("gave up after {made} attempts: {error}"));
    }
    DeliveryResult::RetryAt(now.plus(scale.apply(delay)), error)
}

/// What becomes of an EventBridge target's failed delivery, under the target's `RetryPolicy`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RuleVerdict {
    /// Try again at this time.
    Retry(Timestamp),
    /// Give up: dead-letter it (if the target has a dead-letter queue) or drop it. The
    /// condition is the `EXHAUSTED_RETRY_CONDITION` attribute; none for a failure EventBridge
    /// does not retry (the target does not exist or refuses the event).
    GiveUp(Option<&'static str>),
}

/// EventBridge's first retry delay; each retry doubles it, up to [`RULE_BACKOFF_CAP`]
/// (EventBridge adds jitter; lambkin's delays are exact so tests can predict them).
const RULE_FIRST_DELAY: Duration = Duration::from_secs(1);
const RULE_BACKOFF_CAP: Duration = Duration::from_secs(300);

/// The rule for a failed EventBridge delivery: after `retries_before` retries (attempts made
/// before the one that just failed), of an event first owed at `created_at`.
pub(crate) fn rule_target_after_failure(
    retry: &TargetRetry,
    retries_before: u32,
    created_at: Timestamp,
    failure: &Failure,
    now: Timestamp,
    scale: TimeScale,
) -> RuleVerdict {
    if matches!(failure, Failure::Permanent(_)) {
        return RuleVerdict::GiveUp(None);
    }
    if retries_before >= retry.maximum_retry_attempts {
        return RuleVerdict::GiveUp(Some("MaximumRetryAttempts"));
    }
    let delay = RULE_FIRST_DELAY
        .saturating_mul(1u32 << retries_before.min(16))
        .min(RULE_BACKOFF_CAP);
    let at = now.plus(scale.apply(delay));
    let max_age = scale.apply(Duration::from_secs(u64::from(
        retry.maximum_event_age_seconds,
    )));
    if at.since(created_at) > max_age {
        return RuleVerdict::GiveUp(Some("MaximumEventAgeInSeconds"));
    }
    RuleVerdict::Retry(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_target_failures_table() {
        let created = Timestamp(1_000_000);
        let policy = |retries: u32, age: u32| TargetRetry {
            rule_arn: "arn:aws:events:us-east-1:000000000000:rule/r".into(),
            maximum_retry_attempts: retries,
            maximum_event_age_seconds: age,
            dead_letter_arn: None,
        };
        let real = TimeScale::REAL;
        let fast = TimeScale::new(0.01).expect("valid scale");
        let t = Failure::Transient("throttled".into());
        let p = Failure::Permanent("does not exist".into());
        let at = |ms: i64| Timestamp(1_000_000 + ms);
        let cases: Vec<(TargetRetry, u32, &Failure, i64, TimeScale, RuleVerdict)> = vec![
            // A target that does not exist is never retried.
            (
                policy(185, 86_400),
                0,
                &p,
                0,
                real,
                RuleVerdict::GiveUp(None),
            ),
            // Exponential backoff from 1 s.
            (
                policy(185, 86_400),
                0,
                &t,
                0,
                real,
                RuleVerdict::Retry(at(1_000)),
            ),
            (
                policy(185, 86_400),
                3,
                &t,
                10_000,
                real,
                RuleVerdict::Retry(at(18_000)),
            ),
            (
                policy(185, 86_400),
                12,
                &t,
                0,
                real,
                RuleVerdict::Retry(at(300_000)),
            ),
            (
                policy(185, 86_400),
                3,
                &t,
                0,
                fast,
                RuleVerdict::Retry(at(80)),
            ),
            // MaximumRetryAttempts 0: the first failure is final.
            (
                policy(0, 86_400),
                0,
                &t,
                0,
                real,
                RuleVerdict::GiveUp(Some("MaximumRetryAttempts")),
            ),
            (
                policy(2, 86_400),
                2,
                &t,
                0,
                real,
                RuleVerdict::GiveUp(Some("MaximumRetryAttempts")),
            ),
            (
                policy(2, 86_400),
                1,
                &t,
                0,
                real,
                RuleVerdict::Retry(at(2_000)),
            ),
            // The next attempt would come after the event's maximum age.
            (
                policy(185, 60),
                5,
                &t,
                30_000,
                real,
                RuleVerdict::GiveUp(Some("MaximumEventAgeInSeconds")),
            ),
            (
                policy(185, 60),
                4,
                &t,
                30_000,
                real,
                RuleVerdict::Retry(at(46_000)),
            ),
            (
                policy(185, 60),
                4,
                &t,
                300,
                fast,
                RuleVerdict::Retry(at(460)),
            ),
            (
                policy(185, 60),
                5,
                &t,
                300,
                fast,
                RuleVerdict::GiveUp(Some("MaximumEventAgeInSeconds")),
            ),
        ];
        for (policy, before, failure, elapsed, scale, want) in cases {
            let got =
                rule_target_after_failure(&policy, before, created, failure, at(elapsed), scale);
            assert_eq!(got, want, "{before} retries, {elapsed} ms, {failure:?}");
        }
    }

    #[test]
    fn failures_table() {
        let now = Timestamp(1_000_000);
        let real = TimeScale::REAL;
        let fast = TimeScale::new(0.01).expect("valid scale");
        let p = || Failure::Permanent("queue does not exist".into());
        let t = || Failure::Transient("busy".into());
        let retry = |ms: i64| DeliveryResult::RetryAt(Timestamp(1_000_000 + ms), "busy".into());
        let cases: Vec<(Channel, u32, Failure, TimeScale, DeliveryResult)> = vec![
            (
                Channel::Internal,
                0,
                p(),
                real,
                DeliveryResult::Failed("queue does not exist".into()),
            ),
            (
                Channel::Http,
                0,
                p(),
                real,
                DeliveryResult::Failed("queue does not exist".into()),
            ),
            (Channel::Internal, 0, t(), real, retry(1_000)),
            (Channel::Internal, 1, t(), real, retry(2_000)),
            (Channel::Internal, 7, t(), real, retry(128_000)),
            (Channel::Internal, 7, t(), fast, retry(1_280)),
            (
                Channel::Internal,
                8,
                t(),
                real,
                DeliveryResult::Failed("gave up after 9 attempts: busy".into()),
            ),
            (Channel::Http, 0, t(), real, retry(20_000)),
            (Channel::Http, 2, t(), real, retry(20_000)),
            (Channel::Http, 2, t(), fast, retry(200)),
            (
                Channel::Http,
                3,
                t(),
                real,
                DeliveryResult::Failed("gave up after 4 attempts: busy".into()),
            ),
        ];
        for (channel, before, failure, scale, want) in cases {
            let got = after_failure(channel, before, failure.clone(), now, scale);
            assert_eq!(got, want, "{channel:?} after {before} with {failure:?}");
        }
    }
}
