//! Messages going in ([`OutgoingMessage`], validated with AWS's rules and messages) and coming
//! out ([`ReceivedMessage`], with the receipt handle that names one receive of it).

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use lambkin_model::MessageAttributes;
use lambkin_store::SqsReceipt;

use crate::SqsError;

pub const MAX_DELAY_S: u32 = 900;
const MAX_ATTRIBUTES: usize = 10;

/// A message as a sender hands it over.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OutgoingMessage {
    pub body: String,
    /// Overrides the queue's `DelaySeconds`.
    pub delay_seconds: Option<i64>,
    pub attributes: MessageAttributes,
    /// `MessageSystemAttributes`: only `AWSTraceHeader` (a String) exists.
    pub system_attributes: MessageAttributes,
    /// The `X-Amzn-Trace-Id` header of the request; `AWSTraceHeader` when the message has none.
    pub trace_header: Option<String>,
    /// Standard queues accept a group id (fair queues) and return it as a system attribute.
    pub message_group_id: Option<String>,
    /// Only FIFO queues take one; a standard queue refuses it.
    pub message_deduplication_id: Option<String>,
}

/// Whether the size check is of a single message or of a batch entry: AWS words them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sending {
    Single,
    BatchEntry,
}

/// A message handed out by a receive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMessage {
    pub message_id: String,
    pub receipt_handle: String,
    pub body: String,
    /// The message attributes the receive asked for (all of them for the by-ARN calls).
    pub attributes: MessageAttributes,
    pub md5_of_body: String,
    /// Over `attributes` as returned; `None` when none are returned.
    pub md5_of_message_attributes: Option<String>,
    /// The system attributes the receive asked for (`SentTimestamp`, ...), by AWS name.
    pub system_attributes: BTreeMap<String, String>,
}

impl OutgoingMessage {
    /// Checks contents and returns the size SQS counts against `MaximumMessageSize`: the body
    /// plus each attribute's name, data type and value.
    pub fn validate(&self, maximum_size: u32, sending: Sending) -> Result<usize, SqsError> {
        if self.body.is_empty() {
            return Err(SqsError::MissingParameter("MessageBody"));
        }
        if let Some(id) = &self.message_group_id {
            check_fifo_id("MessageGroupId", id)?;
        }
        if self.message_deduplication_id.is_some() {
            // AWS's answer for a FIFO-only member sent to a standard queue.
            return Err(SqsError::bad_value(
                "MessageDeduplicationId",
                self.message_deduplication_id.as_deref().unwrap_or_default(),
                "The request include parameter that is not valid for this queue type.",
            ));
        }
        if let Some(c) = self.body.chars().find(|c| !allowed(*c)) {
            return Err(SqsError::InvalidMessageContents(format!(
                "Invalid binary character '#x{:X}' was found in the message body, the set of \
                 allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | \
                 #x10000 to #x10FFFF",
                u32::from(c)
            )));
        }
        if let Some(d) = self.delay_seconds
            && !(0..=i64::from(MAX_DELAY_S)).contains(&d)
        {
            return Err(SqsError::bad_value(
                "DelaySeconds",
                d,
                "DelaySeconds must be >= 0 and <= 900.",
            ));
        }
        validate_system_attributes(&self.system_attributes)?;
        let size = self.body.len() + validate_attributes(&self.attributes)?;
        if size > maximum_size as usize {
            let what = match sending {
                Sending::Single => "are invalid",
                Sending::BatchEntry => "cannot be validated",
            };
            return Err(SqsError::invalid(format!(
                "One or more parameters {what}. Reason: Message must be shorter than \
                 {maximum_size} bytes."
            )));
        }
        Ok(size)
    }

    /// The size SQS counts for a batch's limit, before any check: the body plus each
    /// attribute's name, data type and value.
    pub(crate) fn counted_size(&self) -> usize {
        let attributes: usize = self
            .attributes
            .iter()
            .map(|(name, a)| {
                let value = a
                    .binary_value
                    .as_ref()
                    .map(Vec::len)
                    .or(a.string_value.as_ref().map(String::len))
                    .unwrap_or(0);
                name.len() + a.data_type.len() + value
            })
            .sum();
        self.body.len() + attributes
    }

    /// The system attributes to store: `AWSTraceHeader` (from the member, else the request's
    /// trace header) and `MessageGroupId`.
    pub(crate) fn stored_system_attributes(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let trace = self
            .system_attributes
            .get(AWS_TRACE_HEADER)
            .and_then(|a| a.string_value.clone())
            .or_else(|| self.trace_header.clone());
        if let Some(trace) = trace {
            out.insert(AWS_TRACE_HEADER.to_string(), trace);
        }
        if let Some(group) = &self.message_group_id {
            out.insert("MessageGroupId".to_string(), group.clone());
        }
        out
    }
}

pub(crate) const AWS_TRACE_HEADER: &str = "AWSTraceHeader";

/// `MessageGroupId` and `MessageDeduplicationId`: 1–128 ASCII letters, digits and punctuation.
fn check_fifo_id(parameter: &str, value: &str) -> Result<(), SqsError> {
    let valid = (1..=128).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_graphic());
    if valid {
        return Ok(());
    }
    Err(SqsError::bad_value(
        parameter,
        value,
        &format!(
            "{parameter} can only include alphanumeric and punctuation characters. 1 to 128 in \
             length."
        ),
    ))
}

/// `MessageSystemAttributes`: AWS defines only `AWSTraceHeader`, a non-empty String.
fn validate_system_attributes(attributes: &MessageAttributes) -> Result<(), SqsError> {
    for (name, a) in attributes {
        if name != AWS_TRACE_HEADER {
            return Err(SqsError::invalid(format!(
                "Message system attribute name '{name}' is invalid."
            )));
        }
        if a.data_type != "String" {
            return Err(SqsError::invalid(format!(
                "Message system attribute '{name}' must be of type 'String'."
            )));
        }
        if a.string_value.as_deref().is_none_or(str::is_empty) {
            return Err(SqsError::invalid(format!(
                "Message system attribute '{name}' must contain a non-empty value of type 'String'."
            )));
        }
    }
    Ok(())
}

/// The XML 1.0 character set SQS accepts in bodies and string values.
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
        || c >= '\u{10000}'
}

/// Checks each attribute; returns their counted size.
fn validate_attributes(attributes: &MessageAttributes) -> Result<usize, SqsError> {
    if attributes.len() > MAX_ATTRIBUTES {
        return Err(SqsError::invalid(format!(
            "Number of message attributes [{}] exceeds the allowed maximum [{MAX_ATTRIBUTES}].",
            attributes.len()
        )));
    }
    let mut size = 0;
    for (name, a) in attributes {
        validate_attribute_name(name)?;
        let base = a.data_type.split('.').next().unwrap_or_default();
        if !matches!(base, "String" | "Number" | "Binary") || a.data_type.len() > 256 {
            return Err(SqsError::invalid(format!(
                "The type of message (user) attribute '{name}' is invalid. You must use only the \
                 following supported type prefixes: Binary, Number, String."
            )));
        }
        let empty = || {
            SqsError::invalid(format!(
                "Message (user) attribute '{name}' must contain a non-empty value of type '{base}'."
            ))
        };
        let value_len = if base == "Binary" {
            match &a.binary_value {
                Some(b) if !b.is_empty() => b.len(),
                _ => return Err(empty()),
            }
        } else {
            let value = a.string_value.as_deref().filter(|v| !v.is_empty());
            let value = value.ok_or_else(empty)?;
            if base == "Number" && value.trim().parse::<f64>().is_err() {
                return Err(SqsError::invalid(format!(
                    "Can't cast the value of message (user) attribute '{name}' to a number."
                )));
            }
            // InvalidParameterValue here, unlike the body's InvalidMessageContents, as on AWS.
            if let Some(c) = value.chars().find(|c| !allowed(*c)) {
                return Err(SqsError::InvalidParameterValue(format!(
                    "Invalid binary character '#x{:X}' was found in the value of message (user) \
                     attribute '{name}'.",
                    u32::from(c)
                )));
            }
            value.len()
        };
        size += name.len() + a.data_type.len() + value_len;
    }
    Ok(size)
}

fn validate_attribute_name(name: &str) -> Result<(), SqsError> {
    let lower = name.to_ascii_lowercase();
    let problem = if name.is_empty() {
        "The request must contain non-empty message attribute name."
    } else if name.len() > 256 {
        "Message (user) attribute name must be shorter than 256 bytes."
    } else if lower.starts_with("aws.") || lower.starts_with("amazon.") {
        "You can't use message attribute names beginning with 'AWS.' or 'Amazon.'. These strings \
         are reserved for internal use by Amazon SQS."
    } else if !name
        .chars()
        // Letters beyond ASCII (`attr.1øßä`) are valid on AWS.
        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
        || name.starts_with('.')
        || name.ends_with('.')
        || name.contains("..")
    {
        "Message (user) attribute name can only contain alphanumeric characters, hyphens, \
         underscores and periods, and cannot start or end with a period or contain two \
         periods in a row."
    } else {
        return Ok(());
    };
    Err(SqsError::invalid(format!(
        "{problem} Attribute name: {name}"
    )))
}

/// Receipt handles are opaque to clients: the message id and the receive's receipt, encoded.
pub(crate) fn receipt_handle(r: &SqsReceipt) -> String {
    URL_SAFE_NO_PAD.encode(format!("{} {}", r.message_id, r.receipt))
}

pub(crate) fn parse_receipt_handle(handle: &str) -> Result<SqsReceipt, SqsError> {
    let invalid = || SqsError::ReceiptHandleIsInvalid(handle.to_string());
    let bytes = URL_SAFE_NO_PAD.decode(handle).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (message_id, receipt) = text.split_once(' ').ok_or_else(invalid)?;
    if uuid::Uuid::parse_str(message_id).is_err() || uuid::Uuid::parse_str(receipt).is_err() {
        return Err(invalid());
    }
    Ok(SqsReceipt {
        message_id: message_id.to_string(),
        receipt: receipt.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use lambkin_model::MessageAttribute;

    use super::*;

    fn with_attr(name: &str, a: MessageAttribute) -> OutgoingMessage {
        OutgoingMessage {
            body: "b".into(),
            attributes: MessageAttributes::from([(name.to_string(), a)]),
            ..Default::default()
        }
    }

    fn typed(ty: &str, s: Option<&str>, b: Option<&[u8]>) -> MessageAttribute {
        MessageAttribute {
            data_type: ty.into(),
            string_value: s.map(str::to_string),
            binary_value: b.map(<[u8]>::to_vec),
        }
    }

    #[test]
    fn message_validation() {
        let max = 1024;
        let body = |b: &str| OutgoingMessage {
            body: b.into(),
            ..Default::default()
        };
        let cases: Vec<(OutgoingMessage, Result<usize, &str>)> = vec![
            (body("hello"), Ok(5)),
            (body(""), Err("MissingParameter")),
            (body("a\u{1}b"), Err("InvalidMessageContents")),
            (body("tab\tnew\nline\r"), Ok(13)),
            (body(&"x".repeat(1024)), Ok(1024)),
            (body(&"x".repeat(1025)), Err("InvalidParameterValue")),
            (
                OutgoingMessage {
                    delay_seconds: Some(901),
                    ..body("b")
                },
                Err("InvalidParameterValue"),
            ),
            (
                with_attr("n", MessageAttribute::number("1.5")),
                Ok(1 + 1 + 6 + 3),
            ),
            (
                with_attr("n", MessageAttribute::number("one")),
                Err("InvalidParameterValue"),
            ),
            (
                with_attr("s", typed("String.custom", Some("v"), None)),
                Ok(1 + 1 + 13 + 1),
            ),
            (
                with_attr("s", typed("Text", Some("v"), None)),
                Err("InvalidParameterValue"),
            ),
            (
                with_attr("s", typed("String", Some(""), None)),
                Err("InvalidParameterValue"),
            ),
            (
                with_attr("b", typed("Binary", None, Some(&[1, 2]))),
                Ok(1 + 1 + 6 + 2),
            ),
            (
                with_attr("b", typed("Binary", Some("x"), None)),
                Err("InvalidParameterValue"),
            ),
            (
                with_attr("AWS.x", MessageAttribute::string("v")),
                Err("InvalidParameterValue"),
            ),
            (
                with_attr("a..b", MessageAttribute::string("v")),
                Err("InvalidParameterValue"),
            ),
            (
                with_attr(".a", MessageAttribute::string("v")),
                Err("InvalidParameterValue"),
            ),
            (
                with_attr("a b", MessageAttribute::string("v")),
                Err("InvalidParameterValue"),
            ),
            (
                with_attr("big", MessageAttribute::string("x".repeat(1020))),
                Err("InvalidParameterValue"),
            ),
        ];
        for (m, want) in cases {
            let got = m.validate(max, Sending::Single).map_err(|e| match e {
                SqsError::MissingParameter(_) => "MissingParameter",
                SqsError::InvalidMessageContents(_) => "InvalidMessageContents",
                SqsError::InvalidParameterValue(_) => "InvalidParameterValue",
                _ => "other",
            });
            assert_eq!(got, want, "{m:?}");
        }
        let eleven = (0..11)
            .map(|i| (format!("a{i}"), MessageAttribute::string("v")))
            .collect();
        let m = OutgoingMessage {
            body: "b".into(),
            attributes: eleven,
            ..Default::default()
        };
        assert_eq!(
            m.validate(max, Sending::Single)
                .expect_err("too many")
                .to_string(),
            "Number of message attributes [11] exceeds the allowed maximum [10]."
        );
    }

    #[test]
    fn group_ids_system_attributes_and_names_as_aws_checks_them() {
        let base = || OutgoingMessage {
            body: "b".into(),
            ..Default::default()
        };
        let group = |g: &str| OutgoingMessage {
            message_group_id: Some(g.into()),
            ..base()
        };
        let system = |name: &str, a: MessageAttribute| OutgoingMessage {
            system_attributes: MessageAttributes::from([(name.to_string(), a)]),
            ..base()
        };
        let group_rule = |v: &str| {
            format!(
                "Value {v} for parameter MessageGroupId is invalid. Reason: MessageGroupId can \
                 only include alphanumeric and punctuation characters. 1 to 128 in length."
            )
        };
        let long = "a".repeat(129);
        let cases: Vec<(OutgoingMessage, Option<String>)> =
            vec![
            (group("g-1!#"), None),
            (group(&"a".repeat(128)), None),
            (group(""), Some(group_rule(""))),
            (group(&long), Some(group_rule(&long))),
            (group("group 123"), Some(group_rule("group 123"))),
            (
                OutgoingMessage {
                    message_deduplication_id: Some("d".into()),
                    ..base()
                },
                Some(
                    "Value d for parameter MessageDeduplicationId is invalid. Reason: The request \
                     include parameter that is not valid for this queue type."
                        .into(),
                ),
            ),
            (system("AWSTraceHeader", MessageAttribute::string("Root=1")), None),
            (
                system("Other", MessageAttribute::string("x")),
                Some("Message system attribute name 'Other' is invalid.".into()),
            ),
            (
                system("AWSTraceHeader", MessageAttribute::number("1")),
                Some("Message system attribute 'AWSTraceHeader' must be of type 'String'.".into()),
            ),
            (with_attr("attr.1øßä", MessageAttribute::string("v")), None),
            (
                with_attr("s", MessageAttribute::string("a\u{8}")),
                Some(
                    "Invalid binary character '#x8' was found in the value of message (user) \
                     attribute 's'."
                        .into(),
                ),
            ),
        ];
        for (m, want) in cases {
            let got = m.validate(1024, Sending::Single).err();
            if let Some(e) = &got {
                assert!(matches!(e, SqsError::InvalidParameterValue(_)), "{e:?}");
            }
            assert_eq!(got.map(|e| e.to_string()), want, "{m:?}");
        }
        let big = OutgoingMessage {
            body: "x".repeat(1025),
            ..Default::default()
        };
        assert_eq!(
            big.validate(1024, Sending::BatchEntry)
                .expect_err("too big")
                .to_string(),
            "One or more parameters cannot be validated. Reason: Message must be shorter than \
             1024 bytes."
        );
    }

    #[test]
    fn system_attributes_stored_prefer_the_member_over_the_header() {
        let m = OutgoingMessage {
            body: "b".into(),
            trace_header: Some("Root=header".into()),
            message_group_id: Some("g".into()),
            ..Default::default()
        };
        let stored = m.stored_system_attributes();
        assert_eq!(stored["AWSTraceHeader"], "Root=header");
        assert_eq!(stored["MessageGroupId"], "g");
        let m = OutgoingMessage {
            system_attributes: MessageAttributes::from([(
                "AWSTraceHeader".to_string(),
                MessageAttribute::string("Root=member"),
            )]),
            ..m
        };
        assert_eq!(
            m.stored_system_attributes()["AWSTraceHeader"],
            "Root=member"
        );
    }

    #[test]
    fn receipt_handles_round_trip_and_reject_garbage() {
        let r = SqsReceipt {
            message_id: uuid::Uuid::new_v4().to_string(),
            receipt: uuid::Uuid::new_v4().to_string(),
        };
        assert_eq!(parse_receipt_handle(&receipt_handle(&r)).ok(), Some(r));
        for bad in ["", "garbage", "Zm9vIGJhcg", "not base64 !"] {
            assert!(
                matches!(
                    parse_receipt_handle(bad),
                    Err(SqsError::ReceiptHandleIsInvalid(_))
                ),
                "{bad:?}"
            );
        }
    }
}
