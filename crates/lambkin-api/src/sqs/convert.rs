//! Between SQS wire shapes and `lambkin-sqs` types: message attributes (base64 blobs on the
//! wire, bytes inside), received messages, and batch results.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use lambkin_model::{MessageAttribute, MessageAttributes};
use lambkin_sqs::{BatchEntry, OutgoingMessage, ReceivedMessage, SentMessage, SqsError};
use std::collections::BTreeMap;

use super::error::code;
use super::wire;

pub(crate) fn message_attributes(
    wire: BTreeMap<String, wire::MessageAttributeValue>,
) -> Result<MessageAttributes, SqsError> {
    wire.into_iter()
        .map(|(name, v)| {
            if !v.string_list_values.is_empty() || !v.binary_list_values.is_empty() {
                return Err(SqsError::InvalidParameterValue(format!(
                    "Message (user) attribute '{name}': StringListValues and BinaryListValues \
                     are not supported."
                )));
            }
            let binary_value = match v.binary_value {
                Some(b64) => Some(STANDARD.decode(b64).map_err(|_| {
                    SqsError::InvalidParameterValue(format!(
                        "Message (user) attribute '{name}' has an invalid base64 BinaryValue."
                    ))
                })?),
                None => None,
            };
            let attribute = MessageAttribute {
                data_type: v.data_type,
                string_value: v.string_value,
                binary_value,
            };
            Ok((name, attribute))
        })
        .collect()
}

/// A message to send, from its wire members and the request's `X-Amzn-Trace-Id`.
pub(crate) fn outgoing(
    m: wire::MessageToSend,
    trace_header: Option<&str>,
) -> Result<OutgoingMessage, SqsError> {
    Ok(OutgoingMessage {
        body: m.message_body.unwrap_or_default(),
        delay_seconds: m.delay_seconds,
        attributes: message_attributes(m.message_attributes)?,
        system_attributes: message_attributes(m.message_system_attributes)?,
        trace_header: trace_header.map(str::to_string),
        message_group_id: m.message_group_id,
        message_deduplication_id: m.message_deduplication_id,
    })
}

fn wire_attributes(attributes: MessageAttributes) -> BTreeMap<String, wire::MessageAttributeValue> {
    attributes
        .into_iter()
        .map(|(name, a)| {
            let v = wire::MessageAttributeValue {
                data_type: a.data_type,
                string_value: a.string_value,
                binary_value: a.binary_value.map(|b| STANDARD.encode(b)),
                ..Default::default()
            };
            (name, v)
        })
        .collect()
}

pub(crate) fn message(m: ReceivedMessage) -> wire::Message {
    wire::Message {
        message_id: m.message_id,
        receipt_handle: m.receipt_handle,
        md5_of_body: m.md5_of_body,
        body: m.body,
        attributes: m.system_attributes,
        md5_of_message_attributes: m.md5_of_message_attributes,
        message_attributes: wire_attributes(m.attributes),
    }
}

pub(crate) fn sent(s: SentMessage) -> wire::SendMessageResult {
    wire::SendMessageResult {
        message_id: s.message_id,
        md5_of_message_body: s.md5_of_body,
        md5_of_message_attributes: s.md5_of_message_attributes,
        md5_of_message_system_attributes: s.md5_of_message_system_attributes,
    }
}

/// Splits per-entry outcomes into AWS's `Successful` and `Failed` lists.
pub(crate) fn batch_result<T, W>(
    results: Vec<BatchEntry<Result<T, SqsError>>>,
    success: impl Fn(String, T) -> W,
) -> wire::BatchResult<W> {
    let mut out = wire::BatchResult {
        successful: Vec::new(),
        failed: Vec::new(),
    };
    for BatchEntry { id, entry } in results {
        match entry {
            Ok(v) => out.successful.push(success(id, v)),
            Err(e) => {
                let c = code(&e);
                out.failed.push(wire::BatchResultErrorEntry {
                    id,
                    sender_fault: c.sender_fault,
                    code: c.query.to_string(),
                    message: e.to_string(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_attributes_round_trip_through_base64() {
        let wire = BTreeMap::from([(
            "b".to_string(),
            wire::MessageAttributeValue {
                data_type: "Binary".into(),
                binary_value: Some("AAEC".into()),
                ..Default::default()
            },
        )]);
        let attrs = message_attributes(wire).expect("valid");
        assert_eq!(attrs["b"].binary_value.as_deref(), Some(&[0u8, 1, 2][..]));
        let back = wire_attributes(attrs);
        assert_eq!(back["b"].binary_value.as_deref(), Some("AAEC"));
        let bad = BTreeMap::from([(
            "b".to_string(),
            wire::MessageAttributeValue {
                data_type: "Binary".into(),
                binary_value: Some("!!".into()),
                ..Default::default()
            },
        )]);
        assert!(message_attributes(bad).is_err());
    }
}
