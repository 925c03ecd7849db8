//! The invocation record AWS sends to destinations (reference §6): version 1.0, the
//! decision's timestamp, the request context with the qualified function ARN, and the request
//! and response payloads embedded as JSON values, not strings.

use serde::Serialize;
use serde_json::value::RawValue;

use lambkin_model::NextState;

use super::ending::Ending;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Record<'a> {
    version: &'static str,
    timestamp: String,
    request_context: RequestContext<'a>,
    request_payload: Box<RawValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_context: Option<ResponseContext<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_payload: Option<Box<RawValue>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RequestContext<'a> {
    request_id: &'a str,
    function_arn: &'a str,
    condition: &'static str,
    approximate_invoke_count: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResponseContext<'a> {
    status_code: u16,
    executed_version: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    function_error: Option<&'a str>,
}

/// Embeds `bytes` as a JSON value: as-is when they are JSON (event payloads always are, as
/// Invoke checked them), as a JSON string otherwise, `null` when empty.
fn embedded(bytes: &[u8]) -> Box<RawValue> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        if text.trim().is_empty() {
            return RawValue::from_string("null".into()).expect("null is JSON");
        }
        if let Ok(raw) = serde_json::from_str::<Box<RawValue>>(text) {
            return raw;
        }
    }
    let quoted = serde_json::to_string(&String::from_utf8_lossy(bytes)).expect("strings serialize");
    RawValue::from_string(quoted).expect("a serialized string is JSON")
}

/// The record for `ending`, serialized. A record without any run (reserved concurrency 0,
/// or an event that aged out while throttled) has no response context or payload, as AWS's.
pub(crate) fn invocation_record(ending: &Ending<'_>) -> Vec<u8> {
    // Only final states are recorded (`owed` sends nothing for a retry).
    let condition = match ending.result {
        NextState::Failed(c) => c.as_str(),
        NextState::Succeeded | NextState::RetryAt(_) => "Success",
    };
    let record = Record {
        version: "1.0",
        timestamp: ending.at.to_iso_millis(),
        request_context: RequestContext {
            request_id: ending.request_id,
            function_arn: &ending.function_arn,
            condition,
            approximate_invoke_count: ending.invocations,
        },
        request_payload: embedded(ending.request_payload),
        response_context: ending.response.map(|_| ResponseContext {
            status_code: 200,
            executed_version: ending.executed_version,
            function_error: ending.function_error,
        }),
        response_payload: ending.response.map(embedded),
    };
    serde_json::to_vec(&record).expect("records serialize")
}

#[cfg(test)]
mod tests {
    use lambkin_model::{FailureCondition, Timestamp};
    use serde_json::{Value, json};

    use super::*;

    fn ending<'a>(result: NextState, response: Option<&'a [u8]>) -> Ending<'a> {
        Ending {
            request_id: "c2a6f2ae-7dbb-4d22-8782-d0485c9877e2",
            function_arn: "arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST".into(),
            executed_version: "$LATEST",
            result,
            invocations: 3,
            request_payload: br#"{"Success": false, "b": [1, 2]}"#,
            response,
            function_error: response
                .filter(|_| result != NextState::Succeeded)
                .map(|_| "Unhandled"),
            error_message: None,
            at: Timestamp(1_574_636_905_651),
            chain: 1,
        }
    }

    /// The shapes of reference §6, field by field.
    #[test]
    fn records_match_the_reference_shapes() {
        let error = br#"{"errorMessage":"intentional failure","errorType":"Error"}"#;
        let cases: Vec<(Ending<'_>, Value)> = vec![
            (
                ending(NextState::Succeeded, Some(br#"{"ok":true}"#)),
                json!({
                    "version": "1.0",
                    "timestamp": "2019-11-24T23:08:25.651Z",
                    "requestContext": {
                        "requestId": "c2a6f2ae-7dbb-4d22-8782-d0485c9877e2",
                        "functionArn": "arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST",
                        "condition": "Success",
                        "approximateInvokeCount": 3
                    },
                    "requestPayload": {"Success": false, "b": [1, 2]},
                    "responseContext": {"statusCode": 200, "executedVersion": "$LATEST"},
                    "responsePayload": {"ok": true}
                }),
            ),
            (
                ending(
                    NextState::Failed(FailureCondition::RetriesExhausted),
                    Some(error),
                ),
                json!({
                    "version": "1.0",
                    "timestamp": "2019-11-24T23:08:25.651Z",
                    "requestContext": {
                        "requestId": "c2a6f2ae-7dbb-4d22-8782-d0485c9877e2",
                        "functionArn": "arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST",
                        "condition": "RetriesExhausted",
                        "approximateInvokeCount": 3
                    },
                    "requestPayload": {"Success": false, "b": [1, 2]},
                    "responseContext": {
                        "statusCode": 200,
                        "executedVersion": "$LATEST",
                        "functionError": "Unhandled"
                    },
                    "responsePayload": {"errorMessage": "intentional failure", "errorType": "Error"}
                }),
            ),
            (
                ending(
                    NextState::Failed(FailureCondition::ZeroReservedConcurrency),
                    None,
                ),
                json!({
                    "version": "1.0",
                    "timestamp": "2019-11-24T23:08:25.651Z",
                    "requestContext": {
                        "requestId": "c2a6f2ae-7dbb-4d22-8782-d0485c9877e2",
                        "functionArn": "arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST",
                        "condition": "ZeroReservedConcurrency",
                        "approximateInvokeCount": 3
                    },
                    "requestPayload": {"Success": false, "b": [1, 2]}
                }),
            ),
        ];
        for (ending, want) in cases {
            let got: Value = serde_json::from_slice(&invocation_record(&ending)).expect("json");
            assert_eq!(got, want);
        }
    }

    #[test]
    fn payloads_are_embedded_not_quoted() {
        let cases: &[(&[u8], Value)] = &[
            (b"{\"a\":1}", json!({"a": 1})),
            (b"42", json!(42)),
            (b"\"text\"", json!("text")),
            (b"", Value::Null),
            (b"not json", json!("not json")),
            (b"\xff\xfe bytes", json!("\u{fffd}\u{fffd} bytes")),
        ];
        for (bytes, want) in cases {
            let raw = embedded(bytes);
            let got: Value = serde_json::from_str(raw.get()).expect("json");
            assert_eq!(&got, want, "{:?}", String::from_utf8_lossy(bytes));
        }
    }

    #[test]
    fn request_payload_keeps_its_key_order() {
        let record = invocation_record(&ending(NextState::Succeeded, None));
        let text = String::from_utf8(record).expect("utf8");
        assert!(
            text.contains(r#""requestPayload":{"Success": false, "b": [1, 2]}"#),
            "{text}"
        );
    }
}
