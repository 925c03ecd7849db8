//! What an attempt finishes with: the pure rule from the event, what happened to it and its
//! policy to the [`AttemptFinish`] the recorder writes (next state, what is kept, deliveries
//! owed). Tested from a table; `attempt.rs` does the I/O around it.

use lambkin_model::{
    FailureCondition, FunctionName, History, NextState, Outcome, RetryPolicy, RunEnded, Timestamp,
    after_run,
};
use lambkin_store::{AttemptFinish, AttemptRecord, ClaimedEvent};

use crate::destinations::{Decided, LastRun, Routes};
use crate::metrics::FunctionMetrics;

/// What to record once the slot is free again.
pub(crate) enum Finish {
    /// The attempt's result, and the drop to count once it is durable (AWS's
    /// AsyncEventsDropped; counted after the commit, so a rerun does not count it twice).
    Record(AttemptFinish, Option<Box<Dropped>>),
    /// The function was deleted (or, with a version, that version): its events are discarded.
    Discard(FunctionName, Option<String>),
    /// Nothing can be decided now: the event stays `Running` under its lease and is taken
    /// again when the lease runs out (or at the next start).
    Abandon,
}

/// An event that ended failed, for its function's metrics.
pub(crate) struct Dropped {
    pub metrics: FunctionMetrics,
    pub condition: FailureCondition,
}

impl Finish {
    /// `finish`, with the drop its final state counts.
    pub(crate) fn record(finish: AttemptFinish, metrics: &FunctionMetrics) -> Finish {
        let dropped = match finish.next {
            NextState::Failed(condition) => Some(Box::new(Dropped {
                metrics: metrics.clone(),
                condition,
            })),
            _ => None,
        };
        Finish::Record(finish, dropped)
    }
}

/// One run of function code, as it ended.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ran<'a> {
    pub started_at: Timestamp,
    pub ended_at: Timestamp,
    pub outcome: &'a Outcome,
    /// The response, or the error object of a failed run.
    pub payload: &'a [u8],
}

pub(crate) fn history(ev: &ClaimedEvent) -> History {
    History {
        enqueued_at: ev.enqueued_at,
        invocations: ev.invocations,
    }
}

/// An event that ran: `after_run` says where it goes; the response is kept when a record may
/// need it; the deliveries are those the next state owes.
pub(crate) fn after_running(
    ev: &ClaimedEvent,
    payload: &[u8],
    ran: Ran<'_>,
    policy: &RetryPolicy,
    routes: &Routes<'_>,
) -> AttemptFinish {
    let mut history = history(ev);
    history.invocations += 1;
    let ended = if ran.outcome.is_function_error() {
        RunEnded::FunctionError
    } else {
        RunEnded::Success
    };
    let next = after_run(ended, history, policy, ran.ended_at);
    let function_error = ran
        .outcome
        .is_function_error()
        .then(|| "Unhandled".to_string());
    let keep_response = match ran.outcome {
        Outcome::Success => routes.keeps_success_response(),
        _ => true,
    };
    let deliveries = routes.owed(Decided {
        request_id: ev.request_id.as_str(),
        next,
        invocations: history.invocations,
        payload,
        last: LastRun {
            response: Some(ran.payload),
            function_error: function_error.as_deref(),
            error: ran.outcome.error(),
        },
        at: ran.ended_at,
        chain: ev.chain,
    });
    AttemptFinish {
        seq: ev.seq,
        attempt: Some(AttemptRecord {
            started_at: ran.started_at,
            ended_at: ran.ended_at,
            outcome: ran.outcome.kind(),
            error: ran.outcome.error().cloned(),
        }),
        next,
        invocations: history.invocations,
        throttles: ev.throttles,
        function_error,
        response: keep_response.then(|| ran.payload.to_vec()),
        decided_at: ran.ended_at,
        deliveries,
    }
}

/// An event the gate failed without running (reserved concurrency 0, or its age ran out):
/// no attempt and no response (AWS's records for ZeroReservedConcurrency carry neither); its
/// deliveries carry the last earlier run's response and error, if it had one.
pub(crate) fn without_running(
    ev: &ClaimedEvent,
    condition: FailureCondition,
    earlier: LastRun<'_>,
    routes: &Routes<'_>,
    now: Timestamp,
) -> AttemptFinish {
    let next = NextState::Failed(condition);
    let deliveries = routes.owed(Decided {
        request_id: ev.request_id.as_str(),
        next,
        invocations: ev.invocations,
        payload: &ev.payload,
        last: earlier,
        at: now,
        chain: ev.chain,
    });
    AttemptFinish {
        seq: ev.seq,
        attempt: None,
        next,
        invocations: ev.invocations,
        throttles: ev.throttles,
        response: None,
        function_error: None,
        decided_at: now,
        deliveries,
    }
}

#[cfg(test)]
mod tests {
    use lambkin_model::{
        DestinationConfig, EventInvokeConfig, FunctionError, RequestId, TimeScale,
    };
    use lambkin_store::DeliveryKind;

    use super::*;

    const S: i64 = 1000;
    const DLQ: &str = "arn:aws:sqs:us-east-1:000000000000:dlq";
    const OK: &str = "arn:aws:sqs:us-east-1:000000000000:ok";
    const KO: &str = "arn:aws:sns:us-east-1:000000000000:ko";

    fn event(invocations: u32) -> ClaimedEvent {
        ClaimedEvent {
            seq: 7,
            request_id: RequestId::parse("c2a6f2ae-7dbb-4d22-8782-d0485c9877e2").expect("uuid"),
            function: FunctionName::parse("f").expect("name"),
            qualifier: None,
            version: None,
            payload: br#"{"n":1}"#.to_vec(),
            enqueued_at: Timestamp(0),
            invocations,
            throttles: 1,
            rerun: false,
            chain: 1,
        }
    }

    fn routes(
        dead_letter: Option<&'static str>,
        on_success: bool,
        on_failure: bool,
    ) -> Routes<'static> {
        Routes {
            function_arn: "arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST".into(),
            executed_version: "$LATEST",
            dead_letter,
            destinations: DestinationConfig {
                on_success: on_success.then(|| OK.to_string()),
                on_failure: on_failure.then(|| KO.to_string()),
            },
        }
    }

    fn failed(kind: &str) -> Outcome {
        let e = FunctionError {
            error_type: kind.into(),
            error_message: "boom".into(),
        };
        match kind {
            "Sandbox.Timedout" => Outcome::Timeout(e),
            "Runtime.ExitError" => Outcome::RuntimeExit(e),
            _ => Outcome::FunctionError(e),
        }
    }

    /// The attempt that ran: outcome, invocations before it, routes, then what it finishes
    /// with: next state, response kept, function error, deliveries.
    #[test]
    fn what_a_run_finishes_with() {
        use FailureCondition::*;
        use NextState::*;
        let policy = RetryPolicy::new(&EventInvokeConfig::default(), TimeScale::REAL);
        let none = routes(None, false, false);
        let all = routes(Some(DLQ), true, true);
        type Case<'a> = (
            &'a str,
            Outcome,
            u32,
            &'a Routes<'a>,
            NextState,
            bool,
            Option<&'a str>,
            Vec<(DeliveryKind, &'a str)>,
        );
        let cases: Vec<Case<'_>> = vec![
            (
                "success, nothing configured",
                Outcome::Success,
                0,
                &none,
                Succeeded,
                false,
                None,
                vec![],
            ),
            (
                "success with OnSuccess keeps the response",
                Outcome::Success,
                0,
                &all,
                Succeeded,
                true,
                None,
                vec![(DeliveryKind::OnSuccess, OK)],
            ),
            (
                "success of a retry",
                Outcome::Success,
                2,
                &all,
                Succeeded,
                true,
                None,
                vec![(DeliveryKind::OnSuccess, OK)],
            ),
            (
                "1st error retries in a minute",
                failed("Error"),
                0,
                &all,
                RetryAt(Timestamp(62 * S)),
                true,
                Some("Unhandled"),
                vec![],
            ),
            (
                "a timeout is a function error",
                failed("Sandbox.Timedout"),
                1,
                &none,
                RetryAt(Timestamp(122 * S)),
                true,
                Some("Unhandled"),
                vec![],
            ),
            (
                "3rd error: dead letter and OnFailure",
                failed("Error"),
                2,
                &all,
                Failed(RetriesExhausted),
                true,
                Some("Unhandled"),
                vec![
                    (DeliveryKind::DeadLetter, DLQ),
                    (DeliveryKind::OnFailure, KO),
                ],
            ),
            (
                "a crash as the 3rd error, nothing configured",
                failed("Runtime.ExitError"),
                2,
                &none,
                Failed(RetriesExhausted),
                true,
                Some("Unhandled"),
                vec![],
            ),
        ];
        for (name, outcome, before, routes, next, kept, function_error, owed) in cases {
            let ran = Ran {
                started_at: Timestamp(S),
                ended_at: Timestamp(2 * S),
                outcome: &outcome,
                payload: b"{}",
            };
            let ev = event(before);
            let f = after_running(&ev, &ev.payload, ran, &policy, routes);
            assert_eq!(f.next, next, "{name}");
            assert_eq!(f.invocations, before + 1, "{name}");
            assert_eq!(f.throttles, 1, "{name}");
            assert_eq!(f.response.is_some(), kept, "{name}");
            assert_eq!(f.function_error.as_deref(), function_error, "{name}");
            assert_eq!(f.attempt.map(|a| a.outcome), Some(outcome.kind()), "{name}");
            assert_eq!(f.decided_at, Timestamp(2 * S), "{name}");
            let got: Vec<(DeliveryKind, String)> = f
                .deliveries
                .into_iter()
                .map(|d| (d.kind, d.target))
                .collect();
            let want: Vec<(DeliveryKind, String)> =
                owed.into_iter().map(|(k, t)| (k, t.to_string())).collect();
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn an_event_failed_without_running_has_no_attempt_and_owes_its_failure() {
        let all = routes(Some(DLQ), true, true);
        let cases = [
            (FailureCondition::ZeroReservedConcurrency, 0),
            (FailureCondition::EventAgeExceeded, 2),
        ];
        for (condition, invocations) in cases {
            let f = without_running(
                &event(invocations),
                condition,
                LastRun::default(),
                &all,
                Timestamp(9 * S),
            );
            assert_eq!(f.next, NextState::Failed(condition));
            assert!(f.attempt.is_none() && f.response.is_none() && f.function_error.is_none());
            assert_eq!(f.invocations, invocations);
            assert_eq!(f.decided_at, Timestamp(9 * S));
            let kinds: Vec<DeliveryKind> = f.deliveries.iter().map(|d| d.kind).collect();
            assert_eq!(kinds, [DeliveryKind::DeadLetter, DeliveryKind::OnFailure]);
        }
    }
}
