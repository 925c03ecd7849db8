//! What Create/UpdateEventSourceMapping ask for, and AWS's checks of it with AWS's messages:
//! the model's constraints first (a `ValidationException` listing each, in member order),
//! then Lambda's rules for SQS sources on the mapping as it would be after the call.

use lambkin_model::validation::{self as shapes, Violations};
use lambkin_model::{Arn, EventSourceMapping};
use lambkin_patterns::Pattern;

use crate::EngineError;

pub(crate) const REPORT_BATCH_ITEM_FAILURES: &str = "ReportBatchItemFailures";
/// Lambda's default for SQS sources.
pub(crate) const DEFAULT_BATCH_SIZE: u32 = 10;
/// The filters a mapping may have (Lambda's default quota, which AWS raises to 10 on request).
pub(crate) const MAX_FILTERS: usize = 5;

/// The members of a Create or Update request, as given (`None`: absent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MappingRequest {
    pub event_source_arn: Option<String>,
    pub function_name: Option<String>,
    pub enabled: Option<bool>,
    pub batch_size: Option<i64>,
    /// `FilterCriteria` given: the `Pattern` of each filter (`None`: a filter without one).
    /// An empty list (or `FilterCriteria: {}`) removes the filters.
    pub filters: Option<Vec<Option<String>>>,
    /// `ScalingConfig` given: its `MaximumConcurrency` (`None`: `{}`, which removes it).
    pub scaling: Option<Option<i64>>,
    pub maximum_batching_window_s: Option<i64>,
    pub function_response_types: Option<Vec<String>>,
}

/// The model's constraints on the request's members; `None` if it keeps them all.
/// `create`: `FunctionName` is required (CreateEventSourceMapping) rather than optional.
pub(crate) fn violations(req: &MappingRequest, create: bool) -> Option<String> {
    let mut v = Violations::default();
    if let Some(arn) = &req.event_source_arn {
        v.string(arn, "eventSourceArn", &shapes::ARN);
    }
    match &req.function_name {
        Some(name) => v.string(name, "functionName", &shapes::NAMESPACED_FUNCTION_NAME),
        None if create => v.null("functionName"),
        None => {}
    }
    if let Some(n) = req.batch_size {
        v.range(n, "batchSize", Some(1), Some(10_000));
    }
    if let Some(Some(n)) = req.scaling {
        v.range(n, "scalingConfig.maximumConcurrency", Some(2), Some(1000));
    }
    if let Some(n) = req.maximum_batching_window_s {
        v.range(n, "maximumBatchingWindowInSeconds", Some(0), Some(300));
    }
    if let Some(types) = &req.function_response_types {
        let listed = format!("[{}]", types.join(", "));
        if types.len() > 1 {
            v.push(
                &listed,
                "functionResponseTypes",
                "Member must have length less than or equal to 1",
            );
        }
        if types.iter().any(|t| t != REPORT_BATCH_ITEM_FAILURES) {
            v.push(
                &listed,
                "functionResponseTypes",
                "Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]",
            );
        }
    }
    v.message()
}

/// The queue a Create names: an SQS ARN, or AWS's answer for anything else (lambkin has no
/// Kinesis, DynamoDB, MQ or Kafka to read).
pub(crate) fn sqs_source(arn: Option<&str>) -> Result<Arn, EngineError> {
    let unrecognized = || EngineError::InvalidParameter("Unrecognized event source.".into());
    let arn = Arn::parse(arn.ok_or_else(unrecognized)?).map_err(|_| unrecognized())?;
    if arn.service() != "sqs" {
        return Err(unrecognized());
    }
    Ok(arn)
}

/// Lambda's rules for an SQS mapping, on the mapping as it would be after the call.
pub(crate) fn check(m: &EventSourceMapping) -> Result<(), EngineError> {
    let invalid = |m: &str| Err(EngineError::InvalidParameter(m.to_string()));
    if m.batch_size > 10 && m.maximum_batching_window_s == 0 {
        return invalid(
            "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10",
        );
    }
    // With the rule above, this one also keeps a FIFO queue's batches at 10 messages or fewer
    // (AWS's maximum for FIFO sources): above 10 needs a window, which FIFO refuses.
    if m.event_source_arn.ends_with(".fifo") && m.maximum_batching_window_s > 0 {
        return invalid("Batching window is not supported for FIFO queues");
    }
    Ok(())
}

/// The patterns of a `FilterCriteria`, each checked as an event pattern.
pub(crate) fn filters(given: &[Option<String>]) -> Result<Vec<String>, EngineError> {
    if given.len() > MAX_FILTERS {
        // lambkin's wording: AWS's text for this quota is not recorded anywhere we could read.
        return Err(EngineError::InvalidParameter(format!(
            "The FilterCriteria of an event source mapping can have at most {MAX_FILTERS} filters."
        )));
    }
    given
        .iter()
        .map(|p| match p {
            Some(text) if Pattern::parse(text).is_ok() => Ok(text.clone()),
            _ => Err(EngineError::InvalidParameter(
                "Invalid filter pattern definition.".into(),
            )),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use lambkin_model::{FunctionName, MappingState, Timestamp};

    #[test]
    fn model_constraints() {
        let req = |f: &dyn Fn(&mut MappingRequest)| {
            let mut r = MappingRequest {
                function_name: Some("f".into()),
                ..MappingRequest::default()
            };
            f(&mut r);
            r
        };
        // (case, request, create, message)
        let cases: Vec<(&str, MappingRequest, bool, Option<&str>)> = vec![
            ("nothing wrong", req(&|_| {}), true, None),
            (
                "FunctionName missing from a create",
                MappingRequest::default(),
                true,
                Some(
                    "1 validation error detected: Value null at 'functionName' failed to satisfy constraint: Member must not be null",
                ),
            ),
            (
                "FunctionName missing from an update",
                MappingRequest::default(),
                false,
                None,
            ),
            (
                "batch size 0",
                req(&|r| r.batch_size = Some(0)),
                true,
                Some(
                    "1 validation error detected: Value '0' at 'batchSize' failed to satisfy constraint: Member must have value greater than or equal to 1",
                ),
            ),
            (
                "batch size 10001",
                req(&|r| r.batch_size = Some(10_001)),
                true,
                Some(
                    "1 validation error detected: Value '10001' at 'batchSize' failed to satisfy constraint: Member must have value less than or equal to 10000",
                ),
            ),
            (
                "window 301",
                req(&|r| r.maximum_batching_window_s = Some(301)),
                true,
                Some(
                    "1 validation error detected: Value '301' at 'maximumBatchingWindowInSeconds' failed to satisfy constraint: Member must have value less than or equal to 300",
                ),
            ),
            (
                "MaximumConcurrency 1",
                req(&|r| r.scaling = Some(Some(1))),
                true,
                Some(
                    "1 validation error detected: Value '1' at 'scalingConfig.maximumConcurrency' failed to satisfy constraint: Member must have value greater than or equal to 2",
                ),
            ),
            (
                "ScalingConfig {}",
                req(&|r| r.scaling = Some(None)),
                true,
                None,
            ),
            (
                "an unknown response type",
                req(&|r| r.function_response_types = Some(vec!["Partial".into()])),
                true,
                Some(
                    "1 validation error detected: Value '[Partial]' at 'functionResponseTypes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]",
                ),
            ),
            (
                "a bad ARN and a bad name, in member order",
                req(&|r| {
                    r.event_source_arn = Some("queue".into());
                    r.function_name = Some("a b".into());
                    r.batch_size = Some(0);
                }),
                true,
                Some(concat!(
                    "3 validation errors detected: Value 'queue' at 'eventSourceArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ",
                    r"arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)",
                    "; Value 'a b' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: ",
                    r"(arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:|(((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?))(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?",
                    "; Value '0' at 'batchSize' failed to satisfy constraint: Member must have value greater than or equal to 1"
                )),
            ),
        ];
        for (case, r, create, want) in cases {
            assert_eq!(violations(&r, create).as_deref(), want, "{case}");
        }
    }

    fn mapping(arn: &str, batch: u32, window: u32) -> EventSourceMapping {
        EventSourceMapping {
            uuid: "u".into(),
            event_source_arn: arn.into(),
            function: FunctionName::parse("f").unwrap(),
            qualifier: None,
            enabled: true,
            batch_size: batch,
            maximum_batching_window_s: window,
            report_batch_item_failures: false,
            maximum_concurrency: None,
            filters: Vec::new(),
            last_modified: Timestamp(0),
            state: MappingState::Creating,
        }
    }

    #[test]
    fn sqs_rules() {
        const Q: &str = "arn:aws:sqs:us-east-1:000000000000:q";
        const FIFO: &str = "arn:aws:sqs:us-east-1:000000000000:q.fifo";
        let window = "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10";
        let fifo = "Batching window is not supported for FIFO queues";
        // (queue, batch size, window, refusal)
        let cases = [
            (Q, 10, 0, None),
            (Q, 1, 0, None),
            (Q, 11, 0, Some(window)),
            (Q, 11, 1, None),
            (Q, 10_000, 300, None),
            (FIFO, 10, 0, None),
            (FIFO, 11, 0, Some(window)),
            (FIFO, 11, 1, Some(fifo)),
            (FIFO, 5, 2, Some(fifo)),
        ];
        for (arn, batch, w, want) in cases {
            let got = check(&mapping(arn, batch, w)).err().map(|e| e.to_string());
            assert_eq!(got.as_deref(), want, "{arn} {batch} {w}");
        }
    }

    #[test]
    fn sources_and_filters() {
        let unrecognized = Some("Unrecognized event source.".to_string());
        for (arn, want) in [
            (Some("arn:aws:sqs:us-east-1:000000000000:q"), None),
            (None, unrecognized.clone()),
            (
                Some("arn:aws:kinesis:us-east-1:000000000000:stream/s"),
                unrecognized.clone(),
            ),
            (Some("not-an-arn"), unrecognized.clone()),
        ] {
            assert_eq!(
                sqs_source(arn).err().map(|e| e.to_string()),
                want,
                "{arn:?}"
            );
        }
        let invalid = Some("Invalid filter pattern definition.".to_string());
        for (patterns, want) in [
            (vec![Some(r#"{"body":{"kind":["a"]}}"#)], None),
            (
                vec![
                    Some(r#"{"body":["a"]}"#),
                    Some(r#"{"attributes":{"SenderId":[{"exists":true}]}}"#),
                ],
                None,
            ),
            (vec![None], invalid.clone()),
            (vec![Some("simple string")], invalid.clone()),
            (vec![Some(r#"{"body":"not an array"}"#)], invalid.clone()),
            (vec![Some("")], invalid.clone()),
            (vec![Some(r#"{"body":["a"]}"#); 5], None),
            (
                vec![Some(r#"{"body":["a"]}"#); 6],
                Some(
                    "The FilterCriteria of an event source mapping can have at most 5 filters."
                        .to_string(),
                ),
            ),
        ] {
            let given: Vec<Option<String>> =
                patterns.iter().map(|p| p.map(str::to_string)).collect();
            assert_eq!(
                filters(&given).err().map(|e| e.to_string()),
                want,
                "{patterns:?}"
            );
        }
    }
}
