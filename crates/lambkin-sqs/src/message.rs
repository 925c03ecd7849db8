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
    pub fn validate(&self, maximum_size: u32) -> Result<usize, SqsError> {
        if self.body.is_empty() {
            return Err(SqsError::MissingParameter("MessageBody"));
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
        let size = self.body.len() + validate_attributes(&self.attributes)?;
        if size > maximum_size as usize {
            return Err(SqsError::invalid(format!(
                "One or more parameters are invalid. Reason: Message must be shorter than \
                 {maximum_size} bytes."
            )));
        }
        Ok(size)
    }
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
            if let Some(c) = value.chars().find(|c| !allowed(*c)) {
                return Err(SqsError::InvalidMessageContents(format!(
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
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
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
            delay_seconds: None,
            attributes: MessageAttributes::from([(name.to_string(), a)]),
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
            let got = m.validate(max).map_err(|e| match e {
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
            delay_seconds: None,
            attributes: eleven,
        };
        assert_eq!(
            m.validate(max).expect_err("too many").to_string(),
            "Number of message attributes [11] exceeds the allowed maximum [10]."
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
