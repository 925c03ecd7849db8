//! The query protocol's request side: a form-encoded body of `Name=value` pairs with lists,
//! maps and structures flattened into dotted names. Both shapes of list are one rule here: a
//! flattened list is `X.N`, a wrapped one is the flattened list under `X.member` (maps under
//! `X.entry`), so callers pass `"Tags.member"` or `"Attribute"` as the prefix.
//!
//! Knows no service's member names or errors; `sns/params.rs` and `sqs/query/params.rs` add those.

use std::collections::BTreeMap;

use base64::Engine as _;
use lambkin_model::{MessageAttribute, MessageAttributes};

/// The decoded parameters of one request (or of one entry of a batch, see [`Form::structs`]).
#[derive(Debug, Default)]
pub(crate) struct Form {
    params: BTreeMap<String, String>,
}

/// A message attribute whose `BinaryValue` is not base64; each service words its own error.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct InvalidBinaryValue {
    pub name: String,
}

impl Form {
    pub(crate) fn parse(body: &[u8]) -> Form {
        Form {
            params: form_urlencoded::parse(body).into_owned().collect(),
        }
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    pub(crate) fn owned(&self, name: &str) -> Option<String> {
        self.params.get(name).cloned()
    }

    /// Sets a parameter the request did not carry itself (SQS's queue URL from the path).
    pub(crate) fn insert_absent(&mut self, name: &str, value: String) {
        self.params.entry(name.to_string()).or_insert(value);
    }

    /// The sorted indices `N` of the entries `<prefix>.N.*` (or `<prefix>.N`).
    fn indices(&self, prefix: &str) -> Vec<u32> {
        let start = format!("{prefix}.");
        let mut found: Vec<u32> = self
            .params
            .range(start.clone()..)
            .take_while(|(k, _)| k.starts_with(&start))
            .filter_map(|(k, _)| k[start.len()..].split('.').next()?.parse().ok())
            .collect();
        found.sort_unstable();
        found.dedup();
        found
    }

    /// `<prefix>.N`: a list of strings, in index order.
    pub(crate) fn strings(&self, prefix: &str) -> Vec<String> {
        self.indices(prefix)
            .into_iter()
            .filter_map(|n| self.owned(&format!("{prefix}.{n}")))
            .collect()
    }

    /// `<prefix>.N.<key>` / `<prefix>.N.<value>`: a string map (a missing value is empty).
    pub(crate) fn pairs(&self, prefix: &str, key: &str, value: &str) -> BTreeMap<String, String> {
        self.indices(prefix)
            .into_iter()
            .filter_map(|n| {
                let k = self.owned(&format!("{prefix}.{n}.{key}"))?;
                let v = self
                    .owned(&format!("{prefix}.{n}.{value}"))
                    .unwrap_or_default();
                Some((k, v))
            })
            .collect()
    }

    /// `<prefix>.N.Name` with `.Value.DataType`, `.Value.StringValue` and `.Value.BinaryValue`
    /// (base64): message attributes, as SNS and SQS both send them.
    pub(crate) fn message_attribute_map(
        &self,
        prefix: &str,
    ) -> Result<MessageAttributes, InvalidBinaryValue> {
        let mut attributes = MessageAttributes::new();
        for n in self.indices(prefix) {
            let Some(name) = self.owned(&format!("{prefix}.{n}.Name")) else {
                continue;
            };
            let binary_value = match self.get(&format!("{prefix}.{n}.Value.BinaryValue")) {
                Some(b) => match base64::engine::general_purpose::STANDARD.decode(b) {
                    Ok(bytes) => Some(bytes),
                    Err(_) => return Err(InvalidBinaryValue { name }),
                },
                None => None,
            };
            attributes.insert(
                name,
                MessageAttribute {
                    data_type: self
                        .owned(&format!("{prefix}.{n}.Value.DataType"))
                        .unwrap_or_default(),
                    string_value: self.owned(&format!("{prefix}.{n}.Value.StringValue")),
                    binary_value,
                },
            );
        }
        Ok(attributes)
    }

    /// A view of the parameters under `<prefix>.`, as its own form.
    pub(crate) fn nested(&self, prefix: &str) -> Form {
        let start = format!("{prefix}.");
        Form {
            params: self
                .params
                .range(start.clone()..)
                .take_while(|(k, _)| k.starts_with(&start))
                .map(|(k, v)| (k[start.len()..].to_string(), v.clone()))
                .collect(),
        }
    }

    /// The structures `<prefix>.N.*` (batch entries), each as its own form, in index order.
    pub(crate) fn structs(&self, prefix: &str) -> Vec<Form> {
        self.indices(prefix)
            .into_iter()
            .map(|n| self.nested(&format!("{prefix}.{n}")))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn decodes_wrapped_shapes_as_sns_clients_send_them() {
        let body = "Action=Publish&Message=a+b%26c\
            &Attributes.entry.2.key=B&Attributes.entry.2.value=2\
            &Attributes.entry.1.key=A&Attributes.entry.1.value=1\
            &Tags.member.1.Key=team&Tags.member.1.Value=x\
            &TagKeys.member.10=k10&TagKeys.member.2=k2\
            &MessageAttributes.entry.1.Name=s&MessageAttributes.entry.1.Value.DataType=String\
            &MessageAttributes.entry.1.Value.StringValue=v\
            &MessageAttributes.entry.2.Name=b&MessageAttributes.entry.2.Value.DataType=Binary\
            &MessageAttributes.entry.2.Value.BinaryValue=AAE%3D\
            &E.member.1.Id=one&E.member.2.Id=two&E.member.2.Message=m";
        let f = Form::parse(body.as_bytes());
        assert_eq!(f.get("Message"), Some("a b&c"));
        assert_eq!(
            f.pairs("Attributes.entry", "key", "value"),
            BTreeMap::from([("A".into(), "1".into()), ("B".into(), "2".into())])
        );
        assert_eq!(
            f.pairs("Tags.member", "Key", "Value"),
            BTreeMap::from([("team".into(), "x".into())])
        );
        assert_eq!(
            f.strings("TagKeys.member"),
            ["k2", "k10"],
            "numeric order, not text order"
        );
        let attrs = f.message_attribute_map("MessageAttributes.entry").unwrap();
        assert_eq!(attrs["s"], MessageAttribute::string("v"));
        assert_eq!(attrs["b"].binary_value.as_deref(), Some(&[0u8, 1][..]));
        let members = f.structs("E.member");
        assert_eq!(members.len(), 2);
        assert_eq!(members[0].get("Id"), Some("one"));
        assert_eq!(members[1].get("Message"), Some("m"));
    }

    #[test]
    fn decodes_flattened_shapes_as_sqs_clients_send_them() {
        let body = "Attribute.1.Name=DelaySeconds&Attribute.1.Value=5\
            &AttributeName.1=All&AttributeName.2=QueueArn\
            &MessageAttribute.1.Name=n&MessageAttribute.1.Value.DataType=Number\
            &MessageAttribute.1.Value.StringValue=7\
            &SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.1.Id=a\
            &SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=x\
            &SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String\
            &SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=y";
        let f = Form::parse(body.as_bytes());
        assert_eq!(
            f.pairs("Attribute", "Name", "Value"),
            BTreeMap::from([("DelaySeconds".into(), "5".into())]),
            "`Attribute.` does not pick up `AttributeName.`"
        );
        assert_eq!(f.strings("AttributeName"), ["All", "QueueArn"]);
        let attrs = f.message_attribute_map("MessageAttribute").unwrap();
        assert_eq!(attrs["n"], MessageAttribute::number("7"));
        let entries = f.structs("SendMessageBatchRequestEntry");
        assert_eq!(entries[0].get("Id"), Some("a"));
        assert_eq!(
            entries[0]
                .message_attribute_map("MessageAttribute")
                .unwrap()["x"],
            MessageAttribute::string("y")
        );
        assert_eq!(entries[1].get("Id"), Some("b"));
    }

    #[test]
    fn bad_base64_names_the_attribute() {
        let f = Form::parse(
            b"M.entry.1.Name=b&M.entry.1.Value.DataType=Binary&M.entry.1.Value.BinaryValue=%%%",
        );
        assert_eq!(
            f.message_attribute_map("M.entry").unwrap_err(),
            InvalidBinaryValue { name: "b".into() }
        );
    }
}
