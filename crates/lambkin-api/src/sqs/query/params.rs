//! SQS's member conventions over the shared query-protocol form. SQS flattens everything:
//! `Attribute.N.Name`/`.Value` (queue attributes), `Tag.N.Key`/`.Value` (tags), `TagKey.N`,
//! `AttributeName.N`, `MessageAttributeName.N`,
//! `MessageAttribute.N.Name` + `.Value.DataType`/`.StringValue`/`.BinaryValue` (and
//! `MessageSystemAttribute.N.*` alike), and batch
//! entries as `<EntryShape>.N.<Member>`.
//!
//! Message attributes are decoded into the JSON surface's wire shape and converted by
//! `sqs/convert.rs`, so both protocols refuse the same values with the same messages.

use std::collections::BTreeMap;

use lambkin_model::MessageAttributes;
use lambkin_sqs::SqsError;

use crate::query_protocol::Form;
use crate::sqs::{convert, wire};

/// The ways SQS query requests name their members.
pub(super) trait SqsParams {
    /// An integer member; anything else is refused rather than ignored.
    fn int(&self, name: &str) -> Result<Option<i64>, SqsError>;
    /// `Attribute.N.Name` / `.Value`: queue attributes (CreateQueue, SetQueueAttributes).
    fn queue_attributes(&self) -> BTreeMap<String, String>;
    /// `<prefix>.N.Key` / `.Value`: tags (`Tag` on CreateQueue and TagQueue).
    fn tags(&self, prefix: &str) -> BTreeMap<String, String>;
    /// `AttributeName.N`, and `MessageSystemAttributeName.N` (the newer name ReceiveMessage
    /// also accepts).
    fn attribute_names(&self) -> Vec<String>;
    /// `MessageAttribute.N.*` of a message being sent.
    fn message_attributes(&self) -> Result<MessageAttributes, SqsError>;
    /// `MessageSystemAttribute.N.*` (same members) of a message being sent.
    fn message_system_attributes(&self) -> Result<MessageAttributes, SqsError>;
}

impl SqsParams for Form {
    fn int(&self, name: &str) -> Result<Option<i64>, SqsError> {
        self.get(name)
            .map(|v| {
                v.trim().parse().map_err(|_| {
                    SqsError::InvalidParameterValue(format!(
                        "Value {v} for parameter {name} is invalid. Reason: Must be an integer."
                    ))
                })
            })
            .transpose()
    }

    fn queue_attributes(&self) -> BTreeMap<String, String> {
        self.pairs("Attribute", "Name", "Value")
    }

    fn tags(&self, prefix: &str) -> BTreeMap<String, String> {
        self.pairs(prefix, "Key", "Value")
    }

    fn attribute_names(&self) -> Vec<String> {
        let mut names = self.strings("AttributeName");
        names.extend(self.strings("MessageSystemAttributeName"));
        names
    }

    fn message_attributes(&self) -> Result<MessageAttributes, SqsError> {
        attribute_map(self, "MessageAttribute")
    }

    fn message_system_attributes(&self) -> Result<MessageAttributes, SqsError> {
        attribute_map(self, "MessageSystemAttribute")
    }
}

/// `<prefix>.N.Name` with `.Value.*`, converted as the JSON surface converts its maps.
fn attribute_map(form: &Form, prefix: &str) -> Result<MessageAttributes, SqsError> {
    let wire: BTreeMap<String, wire::MessageAttributeValue> = form
        .structs(prefix)
        .into_iter()
        .filter_map(|a| {
            let name = a.owned("Name")?;
            let value = wire::MessageAttributeValue {
                data_type: a.owned("Value.DataType").unwrap_or_default(),
                string_value: a.owned("Value.StringValue"),
                binary_value: a.owned("Value.BinaryValue"),
                string_list_values: a.strings("Value.StringListValue"),
                binary_list_values: a.strings("Value.BinaryListValue"),
            };
            Some((name, value))
        })
        .collect();
    convert::message_attributes(wire)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use lambkin_model::MessageAttribute;

    #[test]
    fn decodes_sqs_members() {
        let f = Form::parse(
            b"MaxNumberOfMessages=3&Attribute.1.Name=DelaySeconds&Attribute.1.Value=1\
              &AttributeName.1=All&MessageSystemAttributeName.1=SenderId\
              &MessageAttribute.1.Name=b&MessageAttribute.1.Value.DataType=Binary\
              &MessageAttribute.1.Value.BinaryValue=AAE%3D\
              &MessageAttribute.2.Name=s&MessageAttribute.2.Value.DataType=String\
              &MessageAttribute.2.Value.StringValue=v",
        );
        assert_eq!(f.int("MaxNumberOfMessages").unwrap(), Some(3));
        assert_eq!(f.int("WaitTimeSeconds").unwrap(), None);
        assert_eq!(
            f.queue_attributes(),
            BTreeMap::from([("DelaySeconds".into(), "1".into())])
        );
        assert_eq!(f.attribute_names(), ["All", "SenderId"]);
        let attrs = f.message_attributes().unwrap();
        assert_eq!(attrs["b"].binary_value.as_deref(), Some(&[0u8, 1][..]));
        assert_eq!(attrs["s"], MessageAttribute::string("v"));
    }

    #[test]
    fn refuses_what_the_json_surface_refuses() {
        let cases: [&[u8]; 3] = [
            b"MaxNumberOfMessages=three",
            b"MessageAttribute.1.Name=b&MessageAttribute.1.Value.DataType=Binary\
              &MessageAttribute.1.Value.BinaryValue=%%%",
            b"MessageAttribute.1.Name=l&MessageAttribute.1.Value.DataType=String\
              &MessageAttribute.1.Value.StringListValue.1=x",
        ];
        for body in cases {
            let f = Form::parse(body);
            let err = f
                .int("MaxNumberOfMessages")
                .and_then(|_| f.message_attributes())
                .unwrap_err();
            assert!(matches!(err, SqsError::InvalidParameterValue(_)), "{err:?}");
        }
    }
}
