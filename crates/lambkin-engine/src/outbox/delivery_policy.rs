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
use lambkin_store::DeliveryResult;

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

#[cfg(test)]
mod tests {
    use super::*;

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
