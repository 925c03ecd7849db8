//! Which deliveries an event owes when it reaches a final state: the pure rule, tested from a
//! table. AWS sends a failed event to the dead-letter queue *and* to the OnFailure destination
//! when both are set, and a succeeded one to OnSuccess; nothing else gets a delivery.

use lambkin_model::{
    DestinationConfig, FailureCondition, MessageAttribute, MessageAttributes, NextState,
};
use lambkin_store::{DeliveryKind, NewDelivery};

use super::ending::Ending;
use super::record::invocation_record;

/// AWS keeps the first 1 KB of the error message in the DLQ's `ErrorMessage` attribute.
const DLQ_MESSAGE_LIMIT: usize = 1024;

/// The deliveries `ending` owes under the function's dead-letter target and the qualifier's
/// destinations.
pub(crate) fn owed(
    ending: &Ending<'_>,
    dead_letter: Option<&str>,
    destinations: &DestinationConfig,
) -> Vec<NewDelivery> {
    let mut owed = Vec::new();
    let record = |kind, target: &str| NewDelivery {
        kind,
        source: ending.request_id.to_string(),
        target: target.to_string(),
        body: invocation_record(ending),
        attributes: MessageAttributes::new(),
        chain: ending.chain,
        retry: None,
    };
    match ending.result {
        // A retry is not an ending: nothing is owed yet.
        NextState::RetryAt(_) => {}
        NextState::Succeeded => {
            if let Some(target) = &destinations.on_success {
                owed.push(record(DeliveryKind::OnSuccess, target));
            }
        }
        NextState::Failed(condition) => {
            if let Some(target) = dead_letter {
                owed.push(NewDelivery {
                    kind: DeliveryKind::DeadLetter,
                    source: ending.request_id.to_string(),
                    target: target.to_string(),
                    body: ending.request_payload.to_vec(),
                    attributes: dead_letter_attributes(ending, condition),
                    chain: ending.chain,
                    retry: None,
                });
            }
            if let Some(target) = &destinations.on_failure {
                owed.push(record(DeliveryKind::OnFailure, target));
            }
        }
    }
    owed
}

/// `RequestID`, `ErrorCode` (the status Invoke would have had: 200 for a function error, 429
/// for an event that never ran for lack of concurrency or aged out while throttled) and
/// `ErrorMessage`.
fn dead_letter_attributes(ending: &Ending<'_>, condition: FailureCondition) -> MessageAttributes {
    // SQS and SNS refuse an empty attribute value: never send one.
    let (code, message) = match (ending.function_error, ending.error_message) {
        (Some(_), Some(m)) if !m.is_empty() => ("200", m.to_string()),
        (Some(e), _) => ("200", e.to_string()),
        // Invoke would have answered 400 RecursiveInvocationException.
        (None, _) if condition == FailureCondition::RecursiveInvocation => (
            "400",
            "Lambda detected a recursive loop and stopped the event (RecursiveInvocationException)"
                .to_string(),
        ),
        (None, _) => (
            "429",
            match condition {
                FailureCondition::ZeroReservedConcurrency => {
                    "The function's reserved concurrency is 0 (ZeroReservedConcurrency)".into()
                }
                other => format!("The event was not run ({other})"),
            },
        ),
    };
    MessageAttributes::from([
        (
            "RequestID".to_string(),
            MessageAttribute::string(ending.request_id),
        ),
        ("ErrorCode".to_string(), MessageAttribute::number(code)),
        (
            "ErrorMessage".to_string(),
            MessageAttribute::string(truncate(&message, DLQ_MESSAGE_LIMIT)),
        ),
    ])
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambkin_model::Timestamp;

    const Q: &str = "arn:aws:sqs:us-east-1:000000000000:dlq";
    const OK: &str = "arn:aws:sqs:us-east-1:000000000000:ok";
    const KO: &str = "arn:aws:sns:us-east-1:000000000000:ko";

    fn ending(result: NextState, ran: bool) -> Ending<'static> {
        Ending {
            request_id: "r-1",
            function_arn: "arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST".into(),
            executed_version: "$LATEST",
            result,
            invocations: u32::from(ran) * 3,
            request_payload: br#"{"n":1}"#,
            response: ran.then_some(br#"{"errorMessage":"boom"}"#.as_slice()),
            function_error: ran.then_some("Unhandled"),
            error_message: ran.then_some("boom"),
            at: Timestamp(0),
            chain: 1,
        }
    }

    /// Final state, dead-letter target, destinations, and the deliveries owed.
    type Case<'a> = (
        NextState,
        Option<&'a str>,
        &'a DestinationConfig,
        Vec<(DeliveryKind, &'a str)>,
    );

    #[test]
    fn which_deliveries_are_owed() {
        use DeliveryKind::*;
        use FailureCondition::*;
        use NextState::*;
        let both = DestinationConfig {
            on_success: Some(OK.into()),
            on_failure: Some(KO.into()),
        };
        let none = DestinationConfig::default();
        let cases: Vec<Case<'_>> = vec![
            (Succeeded, Some(Q), &both, vec![(OnSuccess, OK)]),
            (Succeeded, Some(Q), &none, vec![]),
            (
                Failed(RetriesExhausted),
                Some(Q),
                &both,
                vec![(DeadLetter, Q), (OnFailure, KO)],
            ),
            (Failed(EventAgeExceeded), None, &both, vec![(OnFailure, KO)]),
            (
                Failed(ZeroReservedConcurrency),
                Some(Q),
                &none,
                vec![(DeadLetter, Q)],
            ),
            (Failed(RetriesExhausted), None, &none, vec![]),
        ];
        for (result, dlq, dest, want) in cases {
            let got: Vec<(DeliveryKind, String)> = owed(&ending(result, true), dlq, dest)
                .into_iter()
                .map(|d| (d.kind, d.target))
                .collect();
            let want: Vec<(DeliveryKind, String)> =
                want.into_iter().map(|(k, t)| (k, t.to_string())).collect();
            assert_eq!(got, want, "{result:?} dlq={dlq:?}");
        }
    }

    #[test]
    fn dead_letter_carries_the_payload_and_aws_attributes() {
        let cases = [
            (true, FailureCondition::RetriesExhausted, "200", "boom"),
            (
                false,
                FailureCondition::ZeroReservedConcurrency,
                "429",
                "The function's reserved concurrency is 0 (ZeroReservedConcurrency)",
            ),
        ];
        for (ran, condition, code, message) in cases {
            let e = ending(NextState::Failed(condition), ran);
            let d = owed(&e, Some(Q), &DestinationConfig::default()).remove(0);
            assert_eq!(d.body, br#"{"n":1}"#.to_vec(), "payload unchanged");
            assert_eq!(d.attributes["RequestID"], MessageAttribute::string("r-1"));
            assert_eq!(d.attributes["ErrorCode"], MessageAttribute::number(code));
            assert_eq!(
                d.attributes["ErrorMessage"],
                MessageAttribute::string(message)
            );
        }
    }

    #[test]
    fn an_empty_error_message_never_becomes_an_empty_attribute() {
        let mut e = ending(NextState::Failed(FailureCondition::RetriesExhausted), true);
        e.error_message = Some("");
        let d = owed(&e, Some(Q), &DestinationConfig::default()).remove(0);
        assert_eq!(
            d.attributes["ErrorMessage"],
            MessageAttribute::string("Unhandled")
        );
        assert!(
            d.attributes
                .values()
                .all(|a| a.string_value.as_deref().is_some_and(|v| !v.is_empty()))
        );
    }

    #[test]
    fn error_message_is_cut_at_one_kilobyte_on_a_char_boundary() {
        let long = "é".repeat(1000);
        let cut = truncate(&long, DLQ_MESSAGE_LIMIT);
        assert_eq!(cut.len(), 1024);
        assert!(truncate("short", DLQ_MESSAGE_LIMIT) == "short");
        let odd = format!("a{}", "é".repeat(1000));
        assert_eq!(truncate(&odd, DLQ_MESSAGE_LIMIT).len(), 1023);
    }
}
