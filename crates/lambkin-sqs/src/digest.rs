//! The MD5 digests SQS returns so clients can check what it stored: of the body, and of the
//! message attributes and message system attributes in AWS's binary encoding (SDKs recompute
//! and compare them).

use lambkin_model::MessageAttributes;
use md5::{Digest, Md5};

/// `MD5OfMessageBody` / `MD5OfBody`: lowercase hex MD5 of the body's UTF-8 bytes.
pub fn md5_of_body(body: &str) -> String {
    hex(&Md5::digest(body.as_bytes()))
}

/// `MD5OfMessageAttributes`, `None` when there are no attributes (AWS omits the member).
///
/// AWS's encoding, attributes in name order: for each, the name, then the data type, each as a
/// 4-byte big-endian length followed by the bytes; then one transport byte (1 for String and
/// Number types, 2 for Binary) and the value, again length-prefixed.
pub fn md5_of_attributes(attributes: &MessageAttributes) -> Option<String> {
    if attributes.is_empty() {
        return None;
    }
    let mut md5 = Md5::new();
    // BTreeMap iterates in byte order of the names, which is the order AWS sorts by.
    for (name, attribute) in attributes {
        field(&mut md5, name.as_bytes());
        field(&mut md5, attribute.data_type.as_bytes());
        match &attribute.binary_value {
            Some(binary) if attribute.data_type.starts_with("Binary") => {
                md5.update([2u8]);
                field(&mut md5, binary);
            }
            _ => {
                let value = attribute.string_value.as_deref().unwrap_or_default();
                md5.update([1u8]);
                field(&mut md5, value.as_bytes());
            }
        }
    }
    Some(hex(&md5.finalize()))
}

/// A 4-byte big-endian length, then the bytes.
fn field(md5: &mut Md5, bytes: &[u8]) {
    md5.update((bytes.len() as u32).to_be_bytes());
    md5.update(bytes);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use lambkin_model::MessageAttribute;

    use super::*;

    #[test]
    fn body_digests() {
        let cases = [
            ("hello", "5d41402abc4b2a76b9719d911017c592"),
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("héllo", "be50e8478cf24ff3595bc7307fb91b50"),
        ];
        for (body, want) in cases {
            assert_eq!(md5_of_body(body), want, "{body:?}");
        }
    }

    /// The encoding spelled out by hand, so the test does not just repeat the implementation.
    fn reference(parts: &[(&str, &str, u8, &[u8])]) -> String {
        let mut bytes = Vec::new();
        for (name, ty, transport, value) in parts {
            for field in [name.as_bytes(), ty.as_bytes()] {
                bytes.extend_from_slice(&(field.len() as u32).to_be_bytes());
                bytes.extend_from_slice(field);
            }
            bytes.push(*transport);
            bytes.extend_from_slice(&(value.len() as u32).to_be_bytes());
            bytes.extend_from_slice(value);
        }
        hex(&Md5::digest(&bytes))
    }

    #[test]
    fn attribute_digests() {
        let binary = MessageAttribute {
            data_type: "Binary".into(),
            string_value: None,
            binary_value: Some(vec![0, 1, 2]),
        };
        let attrs = MessageAttributes::from([
            ("b".to_string(), MessageAttribute::number("42")),
            ("a".to_string(), MessageAttribute::string("x")),
            ("c".to_string(), binary),
        ]);
        let want = reference(&[
            ("a", "String", 1, b"x"),
            ("b", "Number", 1, b"42"),
            ("c", "Binary", 2, &[0, 1, 2]),
        ]);
        assert_eq!(md5_of_attributes(&attrs), Some(want));
        assert_eq!(md5_of_attributes(&MessageAttributes::new()), None);
        // A fixed vector, computed independently: {"a": String "x"}.
        let single = MessageAttributes::from([("a".to_string(), MessageAttribute::string("x"))]);
        assert_eq!(
            md5_of_attributes(&single).as_deref(),
            Some("a512aac9938034acb0b3c3d965944bf1")
        );
    }

    #[test]
    fn system_attribute_digest_is_aws_recorded_value() {
        // `MD5OfMessageSystemAttributes` AWS answered for this `AWSTraceHeader`.
        let trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
        let system = MessageAttributes::from([(
            "AWSTraceHeader".to_string(),
            MessageAttribute::string(trace),
        )]);
        assert_eq!(
            md5_of_attributes(&system).as_deref(),
            Some("5ae4d5d7636402d80f4eb6d213245a88")
        );
    }
}
