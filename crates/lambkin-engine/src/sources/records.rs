//! The SQS event a mapping invokes its function with: `{"Records":[…]}`, each record as Lambda
//! writes it (field order included), and the JSON its `FilterCriteria` are matched against.

use std::collections::BTreeMap;

use base64::Engine as _;
use lambkin_model::MessageAttributes;
use lambkin_sqs::ReceivedMessage;
use serde::Serialize;
use serde_json::Value;

/// One record of the event.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SqsRecord<'a> {
    message_id: &'a str,
    receipt_handle: &'a str,
    body: &'a str,
    attributes: RecordAttributes<'a>,
    message_attributes: BTreeMap<&'a str, RecordMessageAttribute<'a>>,
    /// `null` when the message has no attributes (observed on AWS), never absent.
    md5_of_message_attributes: Option<&'a str>,
    md5_of_body: &'a str,
    event_source: &'static str,
    #[serde(rename = "eventSourceARN")]
    event_source_arn: &'a str,
    aws_region: &'a str,
}

/// The system attributes, all strings, in the order Lambda's examples show them; the FIFO
/// fields appear only when the message has them.
#[derive(Debug, Serialize)]
struct RecordAttributes<'a> {
    #[serde(rename = "ApproximateReceiveCount")]
    approximate_receive_count: &'a str,
    #[serde(rename = "AWSTraceHeader", skip_serializing_if = "Option::is_none")]
    aws_trace_header: Option<&'a str>,
    #[serde(rename = "SentTimestamp")]
    sent_timestamp: &'a str,
    #[serde(rename = "SequenceNumber", skip_serializing_if = "Option::is_none")]
    sequence_number: Option<&'a str>,
    #[serde(rename = "MessageGroupId", skip_serializing_if = "Option::is_none")]
    message_group_id: Option<&'a str>,
    #[serde(rename = "SenderId")]
    sender_id: &'a str,
    #[serde(
        rename = "MessageDeduplicationId",
        skip_serializing_if = "Option::is_none"
    )]
    message_deduplication_id: Option<&'a str>,
    #[serde(rename = "ApproximateFirstReceiveTimestamp")]
    approximate_first_receive_timestamp: &'a str,
    #[serde(
        rename = "DeadLetterQueueSourceArn",
        skip_serializing_if = "Option::is_none"
    )]
    dead_letter_queue_source_arn: Option<&'a str>,
}

/// A message attribute as Lambda writes it: camelCase, the list members always present (and
/// empty: SQS has never filled them), binary values in base64.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RecordMessageAttribute<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    string_value: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    binary_value: Option<String>,
    string_list_values: [(); 0],
    binary_list_values: [(); 0],
    data_type: &'a str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct SqsEvent<'a> {
    records: &'a [SqsRecord<'a>],
}

/// The record of `m`, received from the queue `queue_arn`.
pub(crate) fn record<'a>(
    m: &'a ReceivedMessage,
    queue_arn: &'a str,
    region: &'a str,
) -> SqsRecord<'a> {
    let attr = |name: &str| m.system_attributes.get(name).map(String::as_str);
    SqsRecord {
        message_id: &m.message_id,
        receipt_handle: &m.receipt_handle,
        body: &m.body,
        attributes: RecordAttributes {
            approximate_receive_count: attr("ApproximateReceiveCount").unwrap_or("1"),
            aws_trace_header: attr("AWSTraceHeader"),
            sent_timestamp: attr("SentTimestamp").unwrap_or_default(),
            sequence_number: attr("SequenceNumber"),
            message_group_id: attr("MessageGroupId"),
            sender_id: attr("SenderId").unwrap_or_default(),
            message_deduplication_id: attr("MessageDeduplicationId"),
            approximate_first_receive_timestamp: attr("ApproximateFirstReceiveTimestamp")
                .unwrap_or_default(),
            dead_letter_queue_source_arn: attr("DeadLetterQueueSourceArn"),
        },
        message_attributes: message_attributes(&m.attributes),
        md5_of_message_attributes: m.md5_of_message_attributes.as_deref(),
        md5_of_body: &m.md5_of_body,
        event_source: "aws:sqs",
        event_source_arn: queue_arn,
        aws_region: region,
    }
}

fn message_attributes(
    attributes: &MessageAttributes,
) -> BTreeMap<&str, RecordMessageAttribute<'_>> {
    attributes
        .iter()
        .map(|(name, a)| {
            (
                name.as_str(),
                RecordMessageAttribute {
                    string_value: a.string_value.as_deref(),
                    binary_value: a
                        .binary_value
                        .as_ref()
                        .map(|b| base64::engine::general_purpose::STANDARD.encode(b)),
                    string_list_values: [],
                    binary_list_values: [],
                    data_type: &a.data_type,
                },
            )
        })
        .collect()
}

/// The function's payload: `{"Records":[…]}`.
pub(crate) fn event(records: &[SqsRecord<'_>]) -> Vec<u8> {
    serde_json::to_vec(&SqsEvent { records }).expect("records serialise")
}

/// What filters are matched against: the record, with a body that is JSON parsed (a pattern
/// then reaches into it, `{"body":{"kind":["order"]}}`); any other body stays a string.
pub(crate) fn filter_view(record: &SqsRecord<'_>) -> Value {
    let mut v = serde_json::to_value(record).expect("records serialise");
    if let Ok(parsed) = serde_json::from_str::<Value>(record.body) {
        v["body"] = parsed;
    }
    v
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use lambkin_model::MessageAttribute;
    use serde_json::json;

    fn message(body: &str, attributes: MessageAttributes, trace: Option<&str>) -> ReceivedMessage {
        let mut system = BTreeMap::from([
            ("ApproximateReceiveCount".to_string(), "2".to_string()),
            ("SentTimestamp".to_string(), "1700000000000".to_string()),
            ("SenderId".to_string(), "000000000000".to_string()),
            (
                "ApproximateFirstReceiveTimestamp".to_string(),
                "1700000000005".to_string(),
            ),
        ]);
        if let Some(t) = trace {
            system.insert("AWSTraceHeader".to_string(), t.to_string());
        }
        ReceivedMessage {
            message_id: "0d2a5b1c-0000-4000-8000-000000000001".into(),
            receipt_handle: "handle-1".into(),
            body: body.into(),
            md5_of_message_attributes: (!attributes.is_empty()).then(|| "aa".to_string()),
            attributes,
            md5_of_body: "bb".into(),
            system_attributes: system,
        }
    }

    const ARN: &str = "arn:aws:sqs:us-east-1:000000000000:orders";

    /// The record field by field against the shape Lambda sends (its documentation's example,
    /// and recorded AWS events: `md5OfMessageAttributes` null without attributes).
    #[test]
    fn a_record_is_shaped_as_lambda_sends_it() {
        let plain = message("hello", MessageAttributes::new(), None);
        let got = serde_json::to_value(record(&plain, ARN, "us-east-1")).unwrap();
        assert_eq!(
            got,
            json!({
                "messageId": "0d2a5b1c-0000-4000-8000-000000000001",
                "receiptHandle": "handle-1",
                "body": "hello",
                "attributes": {
                    "ApproximateReceiveCount": "2",
                    "SentTimestamp": "1700000000000",
                    "SenderId": "000000000000",
                    "ApproximateFirstReceiveTimestamp": "1700000000005"
                },
                "messageAttributes": {},
                "md5OfMessageAttributes": null,
                "md5OfBody": "bb",
                "eventSource": "aws:sqs",
                "eventSourceARN": ARN,
                "awsRegion": "us-east-1"
            })
        );
        let text = serde_json::to_string(&record(&plain, ARN, "us-east-1")).unwrap();
        assert!(
            text.starts_with(r#"{"messageId":"0d2a5b1c-0000-4000-8000-000000000001","receiptHandle":"handle-1","body":"hello","attributes":{"ApproximateReceiveCount":"2","SentTimestamp""#),
            "Lambda's field order: {text}"
        );

        let attributes = MessageAttributes::from([
            (
                "Author".to_string(),
                MessageAttribute::string("John Grisham"),
            ),
            ("WeeksOn".to_string(), MessageAttribute::number("6")),
            (
                "Raw".to_string(),
                MessageAttribute {
                    data_type: "Binary".into(),
                    string_value: None,
                    binary_value: Some(vec![1, 2, 3]),
                },
            ),
        ]);
        let rich = message("{}", attributes, Some("Root=1-abc;Lineage=a87bd80c:3"));
        let got = serde_json::to_value(record(&rich, ARN, "us-east-1")).unwrap();
        assert_eq!(
            got["messageAttributes"],
            json!({
                "Author": {"stringValue": "John Grisham", "stringListValues": [], "binaryListValues": [], "dataType": "String"},
                "Raw": {"binaryValue": "AQID", "stringListValues": [], "binaryListValues": [], "dataType": "Binary"},
                "WeeksOn": {"stringValue": "6", "stringListValues": [], "binaryListValues": [], "dataType": "Number"}
            })
        );
        assert_eq!(got["md5OfMessageAttributes"], "aa");
        assert_eq!(
            got["attributes"]["AWSTraceHeader"],
            "Root=1-abc;Lineage=a87bd80c:3"
        );
        let event: Value =
            serde_json::from_slice(&event(&[record(&plain, ARN, "us-east-1")])).unwrap();
        assert_eq!(event["Records"][0]["body"], "hello");
        assert_eq!(event.as_object().unwrap().len(), 1);
    }

    #[test]
    fn filters_see_a_json_body_parsed_and_any_other_as_a_string() {
        let cases = [
            (
                r#"{"kind":"order","n":3}"#,
                json!({"kind": "order", "n": 3}),
            ),
            ("[1,2]", json!([1, 2])),
            ("plain text", json!("plain text")),
            ("{broken", json!("{broken")),
        ];
        for (body, want) in cases {
            let m = message(body, MessageAttributes::new(), None);
            let v = filter_view(&record(&m, ARN, "us-east-1"));
            assert_eq!(v["body"], want, "{body}");
            assert_eq!(v["eventSource"], "aws:sqs");
        }
    }
}
