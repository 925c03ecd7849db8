//! AWS's checks on what a caller publishes and subscribes, with AWS's messages: message size
//! and structure, subjects, phone numbers, message group ids, and subscription protocols and
//! endpoints. Pure functions; nothing here reads the store. Message attributes are checked in
//! `message_attributes.rs`, subscription and topic attributes in `attributes.rs`.

use std::collections::BTreeMap;

use lambkin_model::{Arn, MessageAttributes, Scope};

use crate::SnsError;
use crate::arn::{lambda_endpoint_arn, sqs_endpoint_arn};

/// 256 KiB: the most a message plus its attributes may take (AWS's publish limit).
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024;
/// The protocols lambkin delivers to.
pub const PROTOCOLS: [&str; 4] = ["lambda", "sqs", "http", "https"];
/// Every protocol AWS knows; the ones lambkin does not deliver to get lambkin's own message.
const AWS_PROTOCOLS: [&str; 9] = [
    "http",
    "https",
    "email",
    "email-json",
    "sms",
    "sqs",
    "application",
    "lambda",
    "firehose",
];

/// Bytes a message and its attributes count against [`MAX_MESSAGE_BYTES`]: the message and
/// every attribute's name, type and value (AWS: "all parts of the message attribute").
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

/// AWS (the model's constraint): UTF-8 text with no line breaks or control characters, at most
/// 100 characters (the documented "less than 100" is known to admit 100), and not empty.
pub fn check_subject(subject: &str) -> Result<(), SnsError> {
    let valid = !subject.is_empty()
        && subject.chars().count() <= 100
        && !subject.chars().any(char::is_control);
    if valid {
        Ok(())
    } else {
        Err(SnsError::invalid("Subject"))
    }
}

/// Parses a `MessageStructure=json` message: a JSON object with a string `default` entry.
/// Returns the default message and the other string entries; as the model says, entries
/// whose value is not a string are ignored.
pub fn parse_structure(
    structure: &str,
    message: &str,
) -> Result<(String, BTreeMap<String, String>), SnsError> {
    if structure != "json" {
        return Err(SnsError::invalid("MessageStructure"));
    }
    let entries: BTreeMap<String, serde_json::Value> = serde_json::from_str(message)
        .map_err(|_| SnsError::invalid("Message Structure - JSON message body failed to parse"))?;
    let mut strings: BTreeMap<String, String> = entries
        .into_iter()
        .filter_map(|(k, v)| match v {
            serde_json::Value::String(s) => Some((k, s)),
            _ => None,
        })
        .collect();
    let Some(default) = strings.remove("default") else {
        return Err(SnsError::invalid(
            "Message Structure - No default entry in JSON message body",
        ));
    };
    Ok((default, strings))
}

/// AWS's E.164 rule for `PhoneNumber`: an optional `+`, then 2–15 digits not starting with 0.
pub fn check_phone_number(number: &str) -> Result<(), SnsError> {
    let digits = number.strip_prefix('+').unwrap_or(number);
    let valid = (2..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    if valid {
        Ok(())
    } else {
        Err(SnsError::invalid(format!(
            "PhoneNumber Reason: {number} is not valid to publish to"
        )))
    }
}

/// The model's rule for `MessageGroupId` (and `MessageDeduplicationId`): 1–128 of letters,
/// digits and ASCII punctuation. AWS's message for a violation is not established; this one
/// follows its `Invalid parameter: <name> Reason: ...` pattern.
pub fn check_message_group_id(id: &str) -> Result<(), SnsError> {
    let valid = (1..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic());
    if valid {
        Ok(())
    } else {
        Err(SnsError::invalid(
            "MessageGroupId Reason: must be 1 to 128 alphanumeric or punctuation characters",
        ))
    }
}

/// Checks the protocol is one lambkin delivers to and the endpoint fits it. SQS and Lambda
/// endpoints must be in `scope` (see [`out_of_scope`]).
pub fn check_endpoint(
    protocol: &str,
    endpoint: Option<&str>,
    scope: &Scope,
) -> Result<String, SnsError> {
    if !AWS_PROTOCOLS.contains(&protocol) {
        return Err(SnsError::invalid(format!(
            "Amazon SNS does not support this protocol string: {protocol}"
        )));
    }
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
    if protocol == "sqs" && arn.resource().ends_with(".fifo") {
        // AWS's text, with its doubled prefix: lambkin's topics are all standard topics.
        return Err(SnsError::invalid(
            "Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics",
        ));
    }
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

#[cfg(test)]
mod tests {
    use lambkin_model::MessageAttribute;

    use super::*;

    fn err(r: Result<impl std::fmt::Debug, SnsError>) -> Option<(&'static str, String)> {
        r.err().map(|e| (e.code(), e.to_string()))
    }

    fn invalid(m: &str) -> Option<(&'static str, String)> {
        Some(("InvalidParameter", m.to_string()))
    }

    #[test]
    fn messages() {
        let none = MessageAttributes::new();
        assert_eq!(err(check_message("hi", &none)), None);
        assert_eq!(
            err(check_message("", &none)),
            invalid("Invalid parameter: Empty message")
        );
        let max = "x".repeat(MAX_MESSAGE_BYTES);
        assert_eq!(err(check_message(&max, &none)), None);
        let too_long = invalid("Invalid parameter: Message too long");
        assert_eq!(err(check_message(&format!("{max}x"), &none)), too_long);
        // Attributes count against the same limit.
        let attrs = MessageAttributes::from([("a".into(), MessageAttribute::string("v"))]);
        assert_eq!(err(check_message(&max, &attrs)), too_long);
    }

    #[test]
    fn subjects() {
        for ok in [
            "Hello",
            "a: b!",
            "caf\u{e9} \u{2603}",
            " lead",
            &"s".repeat(100),
        ] {
            assert!(check_subject(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "line\nbreak",
            "tab\there",
            "bell\u{7}",
            &"s".repeat(101),
        ] {
            assert_eq!(
                err(check_subject(bad)),
                invalid("Invalid parameter: Subject"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn structures() {
        let (d, per) = parse_structure("json", r#"{"default":"d","sqs":"q","lambda":{"x":1}}"#)
            .unwrap_or_default();
        assert_eq!(d, "d");
        assert_eq!(
            per,
            BTreeMap::from([("sqs".to_string(), "q".to_string())]),
            "entries that are not strings are ignored"
        );
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
                "Invalid parameter: Message Structure - No default entry in JSON message body",
            ),
        ];
        for (structure, message, want) in cases {
            assert_eq!(
                err(parse_structure(structure, message)),
                invalid(want),
                "{message}"
            );
        }
    }

    #[test]
    fn phone_numbers_and_group_ids() {
        for ok in ["+15551234567", "15551234567", "+44"] {
            assert!(check_phone_number(ok).is_ok(), "{ok}");
        }
        for bad in [
            "+1a234",
            "NAA+15551234567",
            "+0123",
            "+1234567890123456",
            "+",
        ] {
            assert_eq!(
                err(check_phone_number(bad)),
                invalid(&format!(
                    "Invalid parameter: PhoneNumber Reason: {bad} is not valid to publish to"
                )),
            );
        }
        for ok in ["g", "a-b_c!#~", &"g".repeat(128)] {
            assert!(check_message_group_id(ok).is_ok(), "{ok}");
        }
        for bad in ["", "has space", "caf\u{e9}", &"g".repeat(129)] {
            assert_eq!(
                err(check_message_group_id(bad)).map(|e| e.0),
                Some("InvalidParameter")
            );
        }
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
        let elsewhere = |what: &str, label: &str| {
            format!(
                "Invalid parameter: {label} endpoint ARN Reason: lambkin delivers only to {what} in its own region (us-east-1) and account (000000000000)"
            )
        };
        let cases = [
            (
                "test-protocol",
                Some("a"),
                "Invalid parameter: Amazon SNS does not support this protocol string: test-protocol".to_string(),
            ),
            (
                "email",
                Some("a@b.c"),
                "Invalid parameter: Protocol Reason: lambkin supports the lambda, sqs, http and https protocols".into(),
            ),
            ("sqs", None, "Invalid parameter: Endpoint".into()),
            (
                "sqs",
                Some("https://sqs.us-east-1.amazonaws.com/0/q"),
                "Invalid parameter: SQS endpoint ARN".into(),
            ),
            (
                "sqs",
                Some("arn:aws:sqs:us-east-1:000000000000:q.fifo"),
                "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics".into(),
            ),
            ("lambda", Some(sqs), "Invalid parameter: Lambda endpoint ARN".into()),
            (
                "http",
                Some("https://example.com"),
                "Invalid parameter: Endpoint must match the specified protocol".into(),
            ),
            (
                "https",
                Some("http://example.com"),
                "Invalid parameter: Endpoint must match the specified protocol".into(),
            ),
            (
                "http",
                Some("http://"),
                "Invalid parameter: Endpoint must match the specified protocol".into(),
            ),
            (
                "lambda",
                Some("arn:aws:lambda:eu-west-1:000000000000:function:f"),
                elsewhere("functions", "Lambda"),
            ),
            (
                "lambda",
                Some("arn:aws:lambda:us-east-1:999999999999:function:f:prod"),
                elsewhere("functions", "Lambda"),
            ),
            (
                "sqs",
                Some("arn:aws:sqs:us-east-1:999999999999:q"),
                elsewhere("queues", "SQS"),
            ),
            // Another partition is well-formed but, like another region, not lambkin's.
            (
                "sqs",
                Some("arn:aws-cn:sqs:us-east-1:000000000000:q"),
                elsewhere("queues", "SQS"),
            ),
        ];
        for (p, e, want) in cases {
            assert_eq!(
                err(check_endpoint(p, e, &scope)),
                invalid(&want),
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
}
