//! AWS's checks on what a caller publishes and subscribes, with AWS's messages: message size
//! and structure, subjects, message attributes, subscription endpoints and attributes, and
//! topic attributes. Pure functions; nothing here reads the store.

use std::collections::BTreeMap;

use lambkin_model::{Arn, MessageAttributes, Scope};

use crate::SnsError;
use crate::arn::{fifo_unsupported, lambda_endpoint_arn, sqs_endpoint_arn};

/// 256 KiB: the most a message plus its attributes may take (AWS's publish limit).
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024;
/// AWS allows at most 10 message attributes per message.
pub const MAX_MESSAGE_ATTRIBUTES: usize = 10;
/// The protocols lambkin delivers to.
pub const PROTOCOLS: [&str; 4] = ["lambda", "sqs", "http", "https"];

/// Bytes a message and its attributes count against [`MAX_MESSAGE_BYTES`].
pub fn message_size(message: &str, attributes: &MessageAttributes) -> usize {
    message.len()
        + attributes
            .iter()
            .map(|(name, a)| {
                name.len()
                    + a.data_type.len()
                    + a.string_value.as_ref().map_or(0, String::len)
                    + a.binary_value.as_ref().map_or(0, Vec::len)
            })
            .sum::<usize>()
}

pub fn check_message(message: &str, attributes: &MessageAttributes) -> Result<(), SnsError> {
    if message.is_empty() {
        return Err(SnsError::invalid("Empty message"));
    }
    if message_size(message, attributes) > MAX_MESSAGE_BYTES {
        return Err(SnsError::invalid("Message too long"));
    }
    Ok(())
}

/// AWS: ASCII, starting with a letter, digit or punctuation, no line breaks or control
/// characters, fewer than 100 characters.
pub fn check_subject(subject: &str) -> Result<(), SnsError> {
    let valid = !subject.is_empty()
        && subject.len() <= 100
        && subject.bytes().all(|b| (b' '..=b'~').contains(&b))
        && !subject.starts_with(' ');
    if valid {
        Ok(())
    } else {
        Err(SnsError::invalid("Subject"))
    }
}

/// Parses a `MessageStructure=json` message: a JSON object of strings with a `default` key.
/// Returns the default message and the other entries.
pub fn parse_structure(
    structure: &str,
    message: &str,
) -> Result<(String, BTreeMap<String, String>), SnsError> {
    if structure != "json" {
        return Err(SnsError::invalid("MessageStructure"));
    }
    let parse_failed =
        || SnsError::invalid("Message Structure - JSON message body failed to parse");
    let mut entries: BTreeMap<String, serde_json::Value> =
        serde_json::from_str(message).map_err(|_| parse_failed())?;
    let default = match entries.remove("default") {
        Some(serde_json::Value::String(s)) => s,
        Some(_) => return Err(parse_failed()),
        None => {
            return Err(SnsError::invalid(
                "Message Structure - No default entry in JSON message body",
            ));
        }
    };
    let mut per_protocol = BTreeMap::new();
    for (key, value) in entries {
        match value {
            serde_json::Value::String(s) => per_protocol.insert(key, s),
            _ => return Err(parse_failed()),
        };
    }
    Ok((default, per_protocol))
}

pub fn check_message_attributes(attributes: &MessageAttributes) -> Result<(), SnsError> {
    if attributes.len() > MAX_MESSAGE_ATTRIBUTES {
        return Err(SnsError::invalid(format!(
            "MessageAttributes Reason: Number of message attributes [{}] exceeds the allowed maximum [{MAX_MESSAGE_ATTRIBUTES}].",
            attributes.len()
        )));
    }
    for (name, a) in attributes {
        let bad = |m: String| Err(SnsError::ParameterValueInvalid(m));
        if !valid_attribute_name(name) {
            return bad(format!("The message attribute name '{name}' is invalid."));
        }
        if a.data_type.is_empty() {
            return bad(format!(
                "The message attribute '{name}' must contain non-empty message attribute type."
            ));
        }
        let base = a.data_type.split('.').next().unwrap_or_default();
        let kind = match base {
            "String" | "Number" | "Binary" => base,
            _ => {
                return bad(format!(
                    "The message attribute '{name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."
                ));
            }
        };
        let empty_value = || {
            format!(
                "The message attribute '{name}' must contain non-empty message attribute value for message attribute type '{}'.",
                a.data_type
            )
        };
        match kind {
            "Binary" => {
                if a.binary_value.as_ref().is_none_or(Vec::is_empty) {
                    return bad(empty_value());
                }
            }
            _ => {
                let Some(v) = a.string_value.as_deref().filter(|v| !v.is_empty()) else {
                    return bad(empty_value());
                };
                if kind == "Number" && v.trim().parse::<f64>().is_err() {
                    return bad(format!(
                        "Could not cast message attribute '{name}' value to number."
                    ));
                }
            }
        }
    }
    Ok(())
}

/// AWS: up to 256 of `[A-Za-z0-9_.-]`, no leading/trailing or doubled period, and not in the
/// reserved `AWS.`/`Amazon.` namespaces.
fn valid_attribute_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    (1..=256).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        && !name.starts_with('.')
        && !name.ends_with('.')
        && !name.contains("..")
        && !lower.starts_with("aws.")
        && !lower.starts_with("amazon.")
}

/// Checks the protocol is one lambkin delivers to and the endpoint fits it. SQS and Lambda
/// endpoints must be in `scope` (see [`out_of_scope`]).
pub fn check_endpoint(
    protocol: &str,
    endpoint: Option<&str>,
    scope: &Scope,
) -> Result<String, SnsError> {
    if !PROTOCOLS.contains(&protocol) {
        return Err(SnsError::invalid(
            "Protocol Reason: lambkin supports the lambda, sqs, http and https protocols",
        ));
    }
    let Some(endpoint) = endpoint.filter(|e| !e.is_empty()) else {
        return Err(SnsError::invalid("Endpoint"));
    };
    let (label, what, arn) = match protocol {
        "sqs" => ("SQS", "queues", sqs_endpoint_arn(endpoint)),
        "lambda" => ("Lambda", "functions", lambda_endpoint_arn(endpoint)),
        _ => {
            let scheme = if protocol == "http" {
                "http://"
            } else {
                "https://"
            };
            return if url_with_scheme(endpoint, scheme) {
                Ok(endpoint.to_string())
            } else {
                Err(SnsError::invalid(
                    "Endpoint must match the specified protocol",
                ))
            };
        }
    };
    let Some(arn) = arn else {
        return Err(SnsError::invalid(format!("{label} endpoint ARN")));
    };
    if !arn.is_local(scope) {
        return Err(SnsError::invalid(format!(
            "{label} endpoint ARN Reason: {}",
            delivers_only_to(what, scope)
        )));
    }
    Ok(endpoint.to_string())
}

/// Why lambkin cannot deliver to this endpoint, if it cannot: an SQS queue or Lambda function
/// of another region or account (or partition: see [`Arn::is_local`]). AWS accepts those (with the right permissions), but lambkin
/// serves one region and account, and delivering to the local resource of the same name would
/// send the message to the wrong place.
pub fn out_of_scope(protocol: &str, endpoint: &str, scope: &Scope) -> Option<String> {
    let what = match protocol {
        "sqs" => "queues",
        "lambda" => "functions",
        _ => return None,
    };
    let local = Arn::parse(endpoint).is_ok_and(|arn| arn.is_local(scope));
    (!local).then(|| delivers_only_to(what, scope))
}

fn delivers_only_to(what: &str, scope: &Scope) -> String {
    format!(
        "lambkin delivers only to {what} in its own region ({}) and account ({})",
        scope.region, scope.account
    )
}

fn url_with_scheme(endpoint: &str, scheme: &str) -> bool {
    endpoint
        .get(..scheme.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
        && endpoint.len() > scheme.len()
        && !endpoint.contains(char::is_whitespace)
}

/// Checks one subscription attribute for a subscription of `protocol`; returns the value to
/// store (`RawMessageDelivery` normalised to `true`/`false`).
pub fn check_subscription_attribute(
    protocol: &str,
    name: &str,
    value: &str,
) -> Result<String, SnsError> {
    match name {
        "RawMessageDelivery" => {
            let v = value.to_ascii_lowercase();
            if v != "true" && v != "false" {
                return Err(SnsError::invalid(format!(
                    "Attributes Reason: RawMessageDelivery: Invalid value [{value}]. Must be true or false."
                )));
            }
            if protocol == "lambda" && v == "true" {
                return Err(SnsError::invalid(
                    "Attributes Reason: Delivery protocol [lambda] does not support raw message delivery.",
                ));
            }
            Ok(v)
        }
        "DeliveryPolicy" | "RedrivePolicy" => {
            check_json_object(name, value)?;
            Ok(value.to_string())
        }
        "FilterPolicy" | "FilterPolicyScope" => Err(SnsError::invalid(format!(
            "Attributes Reason: {name}: lambkin does not support subscription filter policies"
        ))),
        "SubscriptionRoleArn" | "ReplayPolicy" => Err(SnsError::invalid(format!(
            "Attributes Reason: {name}: not supported by lambkin"
        ))),
        _ => Err(SnsError::invalid("AttributeName")),
    }
}

/// Checks one topic attribute as CreateTopic and SetTopicAttributes do.
pub fn check_topic_attribute(name: &str, value: &str) -> Result<(), SnsError> {
    match name {
        "FifoTopic" | "ContentBasedDeduplication" | "FifoThroughputScope" => {
            if name == "FifoTopic" && value.eq_ignore_ascii_case("false") {
                Ok(())
            } else {
                Err(fifo_unsupported())
            }
        }
        "DisplayName" | "KmsMasterKeyId" | "TracingConfig" => Ok(()),
        "SignatureVersion" => match value {
            "1" | "2" => Ok(()),
            _ => Err(SnsError::invalid("SignatureVersion")),
        },
        "Policy" | "DeliveryPolicy" | "DataProtectionPolicy" | "ArchivePolicy" => {
            check_json_object(name, value)
        }
        _ if name.ends_with("FeedbackRoleArn") || name.ends_with("FeedbackSampleRate") => Ok(()),
        _ => Err(SnsError::invalid("AttributeName")),
    }
}

fn check_json_object(name: &str, value: &str) -> Result<(), SnsError> {
    match serde_json::from_str::<serde_json::Value>(value) {
        Ok(serde_json::Value::Object(_)) => Ok(()),
        _ => Err(SnsError::invalid(format!("{name}: Invalid JSON"))),
    }
}

#[cfg(test)]
mod tests {
    use lambkin_model::MessageAttribute;

    use super::*;

    fn err(r: Result<impl std::fmt::Debug, SnsError>) -> Option<(&'static str, String)> {
        r.err().map(|e| (e.code(), e.to_string()))
    }

    #[test]
    fn messages() {
        let none = MessageAttributes::new();
        assert_eq!(err(check_message("hi", &none)), None);
        assert_eq!(
            err(check_message("", &none)),
            Some((
                "InvalidParameter",
                "Invalid parameter: Empty message".into()
            ))
        );
        let max = "x".repeat(MAX_MESSAGE_BYTES);
        assert_eq!(err(check_message(&max, &none)), None);
        let too_long = Some((
            "InvalidParameter",
            "Invalid parameter: Message too long".into(),
        ));
        assert_eq!(err(check_message(&format!("{max}x"), &none)), too_long);
        // Attributes count against the same limit.
        let attrs = MessageAttributes::from([("a".into(), MessageAttribute::string("v"))]);
        assert_eq!(err(check_message(&max, &attrs)), too_long);
    }

    #[test]
    fn subjects() {
        for ok in ["Hello", "a: b!", &"s".repeat(100)] {
            assert!(check_subject(ok).is_ok(), "{ok}");
        }
        for bad in ["", "line\nbreak", "caf\u{e9}", " lead", &"s".repeat(101)] {
            assert_eq!(
                err(check_subject(bad)),
                Some(("InvalidParameter", "Invalid parameter: Subject".into())),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn structures() {
        let (d, per) = parse_structure("json", r#"{"default":"d","sqs":"q"}"#).unwrap_or_default();
        assert_eq!(d, "d");
        assert_eq!(per, BTreeMap::from([("sqs".to_string(), "q".to_string())]));
        let cases = [
            ("xml", "{}", "Invalid parameter: MessageStructure"),
            (
                "json",
                "not json",
                "Invalid parameter: Message Structure - JSON message body failed to parse",
            ),
            (
                "json",
                "[1]",
                "Invalid parameter: Message Structure - JSON message body failed to parse",
            ),
            (
                "json",
                r#"{"sqs":"q"}"#,
                "Invalid parameter: Message Structure - No default entry in JSON message body",
            ),
            (
                "json",
                r#"{"default":{"a":1}}"#,
                "Invalid parameter: Message Structure - JSON message body failed to parse",
            ),
        ];
        for (structure, message, want) in cases {
            assert_eq!(
                err(parse_structure(structure, message)),
                Some(("InvalidParameter", want.to_string())),
                "{message}"
            );
        }
    }

    #[test]
    fn message_attributes() {
        let attr = |t: &str, s: Option<&str>, b: Option<&[u8]>| MessageAttribute {
            data_type: t.into(),
            string_value: s.map(Into::into),
            binary_value: b.map(<[u8]>::to_vec),
        };
        let ok = [
            attr("String", Some("v"), None),
            attr("Number", Some("-1.5e3"), None),
            attr("Binary", None, Some(b"\x00\x01")),
            attr("String.Array", Some("[\"a\"]"), None),
            attr("Number.custom", Some("7"), None),
        ];
        for a in ok {
            let m = MessageAttributes::from([("n".into(), a.clone())]);
            assert!(check_message_attributes(&m).is_ok(), "{a:?}");
        }
        let cases = [
            (
                "n",
                attr("", Some("v"), None),
                "The message attribute 'n' must contain non-empty message attribute type.",
            ),
            (
                "n",
                attr("Date", Some("v"), None),
                "The message attribute 'n' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.",
            ),
            (
                "n",
                attr("String", None, None),
                "The message attribute 'n' must contain non-empty message attribute value for message attribute type 'String'.",
            ),
            (
                "n",
                attr("Binary", Some("v"), None),
                "The message attribute 'n' must contain non-empty message attribute value for message attribute type 'Binary'.",
            ),
            (
                "n",
                attr("Number", Some("ten"), None),
                "Could not cast message attribute 'n' value to number.",
            ),
            (
                "AWS.x",
                attr("String", Some("v"), None),
                "The message attribute name 'AWS.x' is invalid.",
            ),
            (
                "a..b",
                attr("String", Some("v"), None),
                "The message attribute name 'a..b' is invalid.",
            ),
        ];
        for (name, a, want) in cases {
            let m = MessageAttributes::from([(name.to_string(), a)]);
            assert_eq!(
                err(check_message_attributes(&m)),
                Some(("ParameterValueInvalid", want.to_string())),
                "{name}"
            );
        }
        let eleven: MessageAttributes = (0..11)
            .map(|i| (format!("a{i}"), MessageAttribute::string("v")))
            .collect();
        assert_eq!(
            err(check_message_attributes(&eleven)).map(|e| e.0),
            Some("InvalidParameter")
        );
    }

    #[test]
    fn endpoints() {
        let sqs = "arn:aws:sqs:us-east-1:000000000000:q";
        let fun = "arn:aws:lambda:us-east-1:000000000000:function:f";
        let ok = [
            ("sqs", sqs),
            ("lambda", fun),
            ("http", "http://127.0.0.1:9/hook"),
            ("https", "https://example.com/hook"),
        ];
        let scope = Scope::default();
        for (p, e) in ok {
            assert_eq!(check_endpoint(p, Some(e), &scope).ok().as_deref(), Some(e));
        }
        let cases = [
            (
                "email",
                Some("a@b.c"),
                "Invalid parameter: Protocol Reason: lambkin supports the lambda, sqs, http and https protocols",
            ),
            ("sqs", None, "Invalid parameter: Endpoint"),
            (
                "sqs",
                Some("https://sqs.us-east-1.amazonaws.com/0/q"),
                "Invalid parameter: SQS endpoint ARN",
            ),
            (
                "lambda",
                Some(sqs),
                "Invalid parameter: Lambda endpoint ARN",
            ),
            (
                "http",
                Some("https://example.com"),
                "Invalid parameter: Endpoint must match the specified protocol",
            ),
            (
                "https",
                Some("http://example.com"),
                "Invalid parameter: Endpoint must match the specified protocol",
            ),
            (
                "http",
                Some("http://"),
                "Invalid parameter: Endpoint must match the specified protocol",
            ),
            (
                "lambda",
                Some("arn:aws:lambda:eu-west-1:000000000000:function:f"),
                "Invalid parameter: Lambda endpoint ARN Reason: lambkin delivers only to functions in its own region (us-east-1) and account (000000000000)",
            ),
            (
                "lambda",
                Some("arn:aws:lambda:us-east-1:999999999999:function:f:prod"),
                "Invalid parameter: Lambda endpoint ARN Reason: lambkin delivers only to functions in its own region (us-east-1) and account (000000000000)",
            ),
            (
                "sqs",
                Some("arn:aws:sqs:us-east-1:999999999999:q"),
                "Invalid parameter: SQS endpoint ARN Reason: lambkin delivers only to queues in its own region (us-east-1) and account (000000000000)",
            ),
            // Another partition is well-formed but, like another region, not lambkin's.
            (
                "sqs",
                Some("arn:aws-cn:sqs:us-east-1:000000000000:q"),
                "Invalid parameter: SQS endpoint ARN Reason: lambkin delivers only to queues in its own region (us-east-1) and account (000000000000)",
            ),
        ];
        for (p, e, want) in cases {
            assert_eq!(
                err(check_endpoint(p, e, &scope)),
                Some(("InvalidParameter", want.to_string())),
                "{p} {e:?}"
            );
        }
    }

    #[test]
    fn stored_endpoints_out_of_scope() {
        let scope = Scope::default();
        let cases = [
            (
                "lambda",
                "arn:aws:lambda:us-east-1:000000000000:function:f",
                false,
            ),
            (
                "lambda",
                "arn:aws:lambda:us-east-1:000000000000:function:f:prod",
                false,
            ),
            ("sqs", "arn:aws:sqs:us-east-1:000000000000:q", false),
            (
                "lambda",
                "arn:aws:lambda:eu-west-1:000000000000:function:f",
                true,
            ),
            (
                "lambda",
                "arn:aws:lambda:us-east-1:999999999999:function:f",
                true,
            ),
            ("sqs", "arn:aws:sqs:eu-west-1:999999999999:q", true),
            ("sqs", "arn:aws-cn:sqs:us-east-1:000000000000:q", true),
            ("http", "http://127.0.0.1:9/hook", false),
        ];
        for (protocol, endpoint, out) in cases {
            assert_eq!(
                out_of_scope(protocol, endpoint, &scope).is_some(),
                out,
                "{endpoint}"
            );
        }
    }

    #[test]
    fn attributes() {
        assert_eq!(
            check_subscription_attribute("sqs", "RawMessageDelivery", "TRUE")
                .ok()
                .as_deref(),
            Some("true")
        );
        assert!(check_subscription_attribute("lambda", "RawMessageDelivery", "true").is_err());
        assert!(check_subscription_attribute("sqs", "RawMessageDelivery", "yes").is_err());
        assert!(check_subscription_attribute("sqs", "FilterPolicy", "{}").is_err());
        assert!(check_subscription_attribute("sqs", "Nope", "1").is_err());
        assert!(check_topic_attribute("DisplayName", "x").is_ok());
        assert!(check_topic_attribute("FifoTopic", "false").is_ok());
        assert!(check_topic_attribute("FifoTopic", "true").is_err());
        assert!(check_topic_attribute("Policy", "nope").is_err());
        assert!(check_topic_attribute("Bogus", "x").is_err());
    }
}
