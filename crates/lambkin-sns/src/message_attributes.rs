//! AWS's checks on the message attributes of Publish and PublishBatch, in AWS's order and with
//! its `ParameterValueInvalid` messages: the name, then the data type, then the value field the
//! type uses. Pure functions. A missing `DataType` is a `ValidationError` of the wire shape,
//! caught where the request is decoded (the api crate), before these run.
//!
//! SNS sets no limit on the number of attributes: only a raw delivery to SQS is limited to ten
//! (`MAX_RAW_SQS_ATTRIBUTES`, applied when rendering), and the attributes count against the
//! message size.

use lambkin_model::{MessageAttribute, MessageAttributes};

use crate::SnsError;

/// AWS discards (as a client-side error) a message with more attributes than this for an SQS
/// subscription with raw message delivery, since SQS takes no more.
pub const MAX_RAW_SQS_ATTRIBUTES: usize = 10;

pub fn check_message_attributes(attributes: &MessageAttributes) -> Result<(), SnsError> {
    for (name, a) in attributes {
        check_name(name)?;
        check_value(name, a)?;
    }
    Ok(())
}

fn bad(message: String) -> Result<(), SnsError> {
    Err(SnsError::ParameterValueInvalid(message))
}

/// AWS: up to 256 bytes of `[A-Za-z0-9_.-]`, no leading, trailing or doubled period, and not in
/// the reserved `AWS.`/`Amazon.` namespaces (any casing).
fn check_name(name: &str) -> Result<(), SnsError> {
    if name.len() > 256 {
        return bad("Length of message attribute name must be less than 256 bytes.".into());
    }
    if name.starts_with('.') {
        return bad("Invalid message attribute name starting with character '.' was found.".into());
    }
    if name.ends_with('.') {
        return bad("Invalid message attribute name ending with character '.' was found.".into());
    }
    let mut previous = None;
    for c in name.chars() {
        if !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')) {
            return bad(format!(
                "Invalid non-alphanumeric character '#x{:X}' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.",
                u32::from(c)
            ));
        }
        if c == '.' && previous == Some('.') {
            return bad("Message attribute name can not have successive '.' character.".into());
        }
        previous = Some(c);
    }
    let lower = name.to_ascii_lowercase();
    // The reserved prefixes are documented; AWS's message for them is not established.
    if name.is_empty() || lower.starts_with("aws.") || lower.starts_with("amazon.") {
        return bad(format!("The message attribute name '{name}' is invalid."));
    }
    Ok(())
}

/// The type is `String`, `Number` or `Binary`, optionally with a non-empty custom suffix
/// (`Number.float`, `String.Array`); `String.` and `Stringx` are invalid. String and Number
/// take `StringValue`, Binary takes `BinaryValue`, never empty.
fn check_value(name: &str, a: &MessageAttribute) -> Result<(), SnsError> {
    let data_type = a.data_type.as_str();
    if data_type.is_empty() {
        return bad(format!(
            "The message attribute '{name}' must contain non-empty message attribute type."
        ));
    }
    let (base, custom) = match data_type.split_once('.') {
        Some((base, custom)) => (base, Some(custom)),
        None => (data_type, None),
    };
    if !matches!(base, "String" | "Number" | "Binary") || custom == Some("") {
        return bad(format!(
            "The message attribute '{name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."
        ));
    }
    let empty = || {
        bad(format!(
            "The message attribute '{name}' must contain non-empty message attribute value for message attribute type '{data_type}'."
        ))
    };
    if a.string_value.is_none() && a.binary_value.is_none() {
        return empty();
    }
    if base == "Binary" {
        return match &a.binary_value {
            None => bad(format!(
                "The message attribute '{name}' with type '{data_type}' must use field 'Binary'."
            )),
            Some(b) if b.is_empty() => empty(),
            Some(_) => Ok(()),
        };
    }
    let value = match &a.string_value {
        None => {
            return bad(format!(
                "The message attribute '{name}' with type '{data_type}' must use field 'String'."
            ));
        }
        Some(v) if v.is_empty() => return empty(),
        Some(v) => v,
    };
    if base == "Number" && !is_number(value) {
        return bad(format!(
            "Could not cast message attribute '{name}' value to number."
        ));
    }
    Ok(())
}

/// A decimal number (`-1`, `2.5`, `.5`, `1e-3`); not `NaN` or `inf`, which Rust's float parser
/// would take but AWS's does not.
fn is_number(v: &str) -> bool {
    let v = v.trim();
    let digits = v.trim_start_matches(['+', '-']);
    digits.starts_with(|c: char| c.is_ascii_digit() || c == '.') && v.parse::<f64>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr(t: &str, s: Option<&str>, b: Option<&[u8]>) -> MessageAttribute {
        MessageAttribute {
            data_type: t.into(),
            string_value: s.map(Into::into),
            binary_value: b.map(<[u8]>::to_vec),
        }
    }

    fn check(name: &str, a: MessageAttribute) -> Option<String> {
        let m = MessageAttributes::from([(name.to_string(), a)]);
        check_message_attributes(&m).err().map(|e| {
            assert_eq!(e.code(), "ParameterValueInvalid");
            e.to_string()
        })
    }

    #[test]
    fn accepted() {
        let ok = [
            ("n", attr("String", Some("v"), None)),
            ("n", attr("Number", Some("-1.5e3"), None)),
            ("n", attr("Number", Some(".5"), None)),
            ("n", attr("Binary", None, Some(b"\x00\x01"))),
            ("n", attr("String.Array", Some("[\"a\"]"), None)),
            ("n", attr("Number.custom", Some("7"), None)),
            ("n", attr("String.  prefixed.", Some("v"), None)),
            ("a.b-c_D9", attr("String", Some("v"), None)),
            (&"a".repeat(256), attr("String", Some("v"), None)),
        ];
        for (name, a) in ok {
            assert_eq!(check(name, a.clone()), None, "{name} {a:?}");
        }
        // No limit on the number of attributes (only raw SQS delivery has one).
        let many: MessageAttributes = (0..20)
            .map(|i| (format!("a{i}"), MessageAttribute::string("v")))
            .collect();
        assert!(check_message_attributes(&many).is_ok());
    }

    /// AWS's messages, as recorded from AWS (LocalStack's validated snapshots).
    #[test]
    fn refused() {
        let v = || attr("String", Some("123"), None);
        let cases = [
            (
                "attr1".to_string(),
                attr("String", Some(""), None),
                "The message attribute 'attr1' must contain non-empty message attribute value for message attribute type 'String'.",
            ),
            (
                "attr1".into(),
                attr("String", None, None),
                "The message attribute 'attr1' must contain non-empty message attribute value for message attribute type 'String'.",
            ),
            (
                "attr1".into(),
                attr("Binary", None, Some(b"")),
                "The message attribute 'attr1' must contain non-empty message attribute value for message attribute type 'Binary'.",
            ),
            (
                "attr1".into(),
                attr("String", None, Some(b"123")),
                "The message attribute 'attr1' with type 'String' must use field 'String'.",
            ),
            (
                "attr1".into(),
                attr("Number", None, Some(b"123")),
                "The message attribute 'attr1' with type 'Number' must use field 'String'.",
            ),
            (
                "attr1".into(),
                attr("Binary", Some("123"), None),
                "The message attribute 'attr1' with type 'Binary' must use field 'Binary'.",
            ),
            (
                "attr1".into(),
                attr("InvalidType", Some("123"), None),
                "The message attribute 'attr1' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.",
            ),
            (
                "attr1".into(),
                attr("String.", Some("1"), None),
                "The message attribute 'attr1' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.",
            ),
            (
                "attr1".into(),
                attr("Stringprefixed", Some("1"), None),
                "The message attribute 'attr1' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.",
            ),
            (
                "a".repeat(257),
                v(),
                "Length of message attribute name must be less than 256 bytes.",
            ),
            (
                "a^*?".into(),
                v(),
                "Invalid non-alphanumeric character '#x5E' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.",
            ),
            (
                "attr.1\u{f8}".into(),
                v(),
                "Invalid non-alphanumeric character '#xF8' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.",
            ),
            (
                ".abc".into(),
                v(),
                "Invalid message attribute name starting with character '.' was found.",
            ),
            (
                "abc.".into(),
                v(),
                "Invalid message attribute name ending with character '.' was found.",
            ),
            (
                "a..bc".into(),
                v(),
                "Message attribute name can not have successive '.' character.",
            ),
            (
                "n".into(),
                attr("", Some("v"), None),
                "The message attribute 'n' must contain non-empty message attribute type.",
            ),
            (
                "n".into(),
                attr("Number", Some("ten"), None),
                "Could not cast message attribute 'n' value to number.",
            ),
            (
                "n".into(),
                attr("Number", Some("NaN"), None),
                "Could not cast message attribute 'n' value to number.",
            ),
            (
                "n".into(),
                attr("Number", Some("inf"), None),
                "Could not cast message attribute 'n' value to number.",
            ),
            (
                "AWS.x".into(),
                v(),
                "The message attribute name 'AWS.x' is invalid.",
            ),
            (
                "amazon.x".into(),
                v(),
                "The message attribute name 'amazon.x' is invalid.",
            ),
        ];
        for (name, a, want) in cases {
            assert_eq!(check(&name, a).as_deref(), Some(want), "{name}");
        }
    }
}
