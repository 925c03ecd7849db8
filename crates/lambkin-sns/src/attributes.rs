//! AWS's checks on subscription attributes (Subscribe, SetSubscriptionAttributes) and topic
//! attributes (CreateTopic, SetTopicAttributes), with AWS's messages. Subscribe words its
//! messages `Invalid parameter: Attributes Reason: <name>: ...`, SetSubscriptionAttributes
//! `Invalid parameter: <name>: ...` (both recorded from AWS). Pure functions.

use lambkin_model::Arn;

use crate::SnsError;
use crate::arn::fifo_unsupported;

/// Which call names the attributes; it decides the wording of AWS's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeCall {
    /// Subscribe's `Attributes`, CreateTopic's `Attributes`.
    Create,
    /// SetSubscriptionAttributes, SetTopicAttributes.
    Set,
}

impl AttributeCall {
    fn invalid(self, what: impl std::fmt::Display) -> SnsError {
        match self {
            AttributeCall::Create => SnsError::invalid(format!("Attributes Reason: {what}")),
            AttributeCall::Set => SnsError::invalid(what),
        }
    }
}

/// Checks one subscription attribute for a subscription of `protocol`; returns the value to
/// store (`RawMessageDelivery` normalised to `true`/`false`), or `None` when the value sets
/// nothing (an empty `FilterPolicy`).
pub fn check_subscription_attribute(
    call: AttributeCall,
    protocol: &str,
    name: &str,
    value: &str,
) -> Result<Option<String>, SnsError> {
    match name {
        "RawMessageDelivery" => {
            let v = value.to_ascii_lowercase();
            if v != "true" && v != "false" {
                return Err(call.invalid(format!(
                    "RawMessageDelivery: Invalid value [{value}]. Must be true or false."
                )));
            }
            if protocol == "lambda" && v == "true" {
                return Err(call.invalid(
                    "Delivery protocol [lambda] does not support raw message delivery.",
                ));
            }
            Ok(Some(v))
        }
        "DeliveryPolicy" => {
            json_object(call, name, value)?;
            Ok(Some(value.to_string()))
        }
        "RedrivePolicy" => {
            let policy = json_object(call, name, value)?;
            let target = policy
                .get("deadLetterTargetArn")
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default();
            if Arn::parse(target).is_err() {
                return Err(call.invalid("RedrivePolicy: deadLetterTargetArn is an invalid arn"));
            }
            Ok(Some(value.to_string()))
        }
        "FilterPolicy" if value.is_empty() => Ok(None),
        "FilterPolicy" => {
            json_object(call, name, value)?;
            crate::filter::compile(value)
                .map_err(|reason| call.invalid(format!("FilterPolicy: {reason}")))?;
            Ok(Some(value.to_string()))
        }
        // Only the scope of a filter policy: harmless without one, so kept as given.
        "FilterPolicyScope" => match value {
            "MessageAttributes" | "MessageBody" => Ok(Some(value.to_string())),
            _ => Err(call.invalid(format!(
                "FilterPolicyScope: Invalid value [{value}]. Please use either MessageBody or MessageAttributes"
            ))),
        },
        "SubscriptionRoleArn" | "ReplayPolicy" => Err(call.invalid(format!(
            "{name}: not supported by lambkin"
        ))),
        _ => Err(call.invalid("AttributeName")),
    }
}

/// Checks one topic attribute as CreateTopic (`Create`) and SetTopicAttributes (`Set`) do.
/// `FifoTopic` is a creation-time attribute: `false` is accepted (and, as AWS does, not
/// kept), `true` is refused because lambkin has no FIFO topics, and setting it later is an
/// unknown attribute name, as on AWS.
pub fn check_topic_attribute(call: AttributeCall, name: &str, value: &str) -> Result<(), SnsError> {
    match name {
        "FifoTopic" if call == AttributeCall::Set => Err(SnsError::invalid("AttributeName")),
        "FifoTopic" if value.eq_ignore_ascii_case("false") => Ok(()),
        "FifoTopic" | "ContentBasedDeduplication" | "FifoThroughputScope" => {
            Err(fifo_unsupported())
        }
        "DisplayName" | "KmsMasterKeyId" | "TracingConfig" => Ok(()),
        "SignatureVersion" => match value {
            "1" | "2" => Ok(()),
            _ => Err(SnsError::invalid("SignatureVersion")),
        },
        "Policy" | "DeliveryPolicy" | "DataProtectionPolicy" | "ArchivePolicy" => {
            json_object(AttributeCall::Set, name, value).map(drop)
        }
        _ if name.ends_with("FeedbackRoleArn") || name.ends_with("FeedbackSampleRate") => Ok(()),
        _ => Err(SnsError::invalid("AttributeName")),
    }
}

/// A JSON object, or AWS's `<name>: failed to parse JSON.` (AWS appends its parser's own
/// account of the fault, which lambkin cannot reproduce).
fn json_object(
    call: AttributeCall,
    name: &str,
    value: &str,
) -> Result<serde_json::Map<String, serde_json::Value>, SnsError> {
    match serde_json::from_str::<serde_json::Value>(value) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        _ => Err(call.invalid(format!("{name}: failed to parse JSON."))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AttributeCall::{Create, Set};

    fn err(r: Result<impl std::fmt::Debug, SnsError>) -> Option<String> {
        r.err().map(|e| {
            assert_eq!(e.code(), "InvalidParameter");
            e.to_string()
        })
    }

    #[test]
    fn subscription_attributes() {
        let ok = [
            ("sqs", "RawMessageDelivery", "TRUE", Some("true")),
            ("lambda", "RawMessageDelivery", "false", Some("false")),
            ("http", "DeliveryPolicy", "{}", Some("{}")),
            (
                "sqs",
                "RedrivePolicy",
                r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq"}"#,
                Some(r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq"}"#),
            ),
            ("sqs", "FilterPolicy", "", None),
            (
                "sqs",
                "FilterPolicyScope",
                "MessageBody",
                Some("MessageBody"),
            ),
        ];
        for (protocol, name, value, want) in ok {
            assert_eq!(
                check_subscription_attribute(Set, protocol, name, value)
                    .ok()
                    .flatten()
                    .as_deref(),
                want,
                "{name}={value}"
            );
        }
        // (name, value, message after the call's prefix), as AWS words them.
        let cases = [
            ("Nope", "1", "AttributeName"),
            (
                "RawMessageDelivery",
                "test-ValUe",
                "RawMessageDelivery: Invalid value [test-ValUe]. Must be true or false.",
            ),
            (
                "RawMessageDelivery",
                "",
                "RawMessageDelivery: Invalid value []. Must be true or false.",
            ),
            (
                "RedrivePolicy",
                r#"{"deadLetterTargetArn":"not-an-arn"}"#,
                "RedrivePolicy: deadLetterTargetArn is an invalid arn",
            ),
            (
                "RedrivePolicy",
                "{}",
                "RedrivePolicy: deadLetterTargetArn is an invalid arn",
            ),
            (
                "RedrivePolicy",
                "{invalid",
                "RedrivePolicy: failed to parse JSON.",
            ),
            (
                "FilterPolicy",
                "{invalid",
                "FilterPolicy: failed to parse JSON.",
            ),
            (
                "FilterPolicy",
                r#"{"a":"b"}"#,
                "FilterPolicy: \"a\" must be an object or an array",
            ),
            (
                "FilterPolicy",
                r#"{"a":[{"foo":1}]}"#,
                "FilterPolicy: Unrecognized match type foo",
            ),
            (
                "FilterPolicyScope",
                "Body",
                "FilterPolicyScope: Invalid value [Body]. Please use either MessageBody or MessageAttributes",
            ),
            (
                "DeliveryPolicy",
                "[]",
                "DeliveryPolicy: failed to parse JSON.",
            ),
        ];
        for (name, value, want) in cases {
            assert_eq!(
                err(check_subscription_attribute(Set, "sqs", name, value)).as_deref(),
                Some(format!("Invalid parameter: {want}").as_str()),
                "{name}={value}"
            );
            assert_eq!(
                err(check_subscription_attribute(Create, "sqs", name, value)).as_deref(),
                Some(format!("Invalid parameter: Attributes Reason: {want}").as_str()),
                "{name}={value}"
            );
        }
        assert_eq!(
            err(check_subscription_attribute(
                Create,
                "lambda",
                "RawMessageDelivery",
                "true"
            ))
            .as_deref(),
            Some(
                "Invalid parameter: Attributes Reason: Delivery protocol [lambda] does not support raw message delivery."
            )
        );
    }

    #[test]
    fn topic_attributes() {
        assert!(check_topic_attribute(Create, "DisplayName", "x").is_ok());
        assert!(check_topic_attribute(Create, "FifoTopic", "false").is_ok());
        assert!(check_topic_attribute(Set, "SignatureVersion", "2").is_ok());
        assert!(check_topic_attribute(Set, "Policy", "{}").is_ok());
        let fifo = "Invalid parameter: FifoTopic Reason: lambkin does not support FIFO topics";
        let cases = [
            (Create, "FifoTopic", "true", fifo),
            (Create, "ContentBasedDeduplication", "true", fifo),
            // AWS: FifoTopic cannot be set after creation, whatever the value.
            (
                Set,
                "FifoTopic",
                "false",
                "Invalid parameter: AttributeName",
            ),
            (
                Set,
                "Policy",
                "nope",
                "Invalid parameter: Policy: failed to parse JSON.",
            ),
            (
                Set,
                "SignatureVersion",
                "3",
                "Invalid parameter: SignatureVersion",
            ),
            (Create, "Bogus", "x", "Invalid parameter: AttributeName"),
        ];
        for (call, name, value, want) in cases {
            assert_eq!(
                err(check_topic_attribute(call, name, value)).as_deref(),
                Some(want),
                "{name}={value}"
            );
        }
    }
}
