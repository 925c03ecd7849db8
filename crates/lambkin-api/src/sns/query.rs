//! SNS's conventions over the shared query-protocol form: wrapped lists (`X.member.N`), maps
//! (`X.entry.N.key`/`.value`), tag lists (`X.member.N.Key`/`.Value`), message attributes
//! (`MessageAttributes.entry.N.*`) and SNS's wording for missing or invalid parameters.

use std::collections::BTreeMap;

use lambkin_model::MessageAttributes;
use lambkin_sns::SnsError;

use crate::query_protocol::Form;

/// The ways SNS requests name their members.
pub(crate) trait SnsParams {
    /// A parameter the operation cannot do without.
    fn required(&self, name: &str) -> Result<&str, SnsError>;
    /// `<prefix>.member.N`: a list of strings.
    fn list(&self, prefix: &str) -> Vec<String>;
    /// `<prefix>.entry.N.key` / `.value`: a string map (`Attributes`).
    fn map(&self, prefix: &str) -> BTreeMap<String, String>;
    /// `<prefix>.member.N.Key` / `.Value`: a tag list.
    fn tags(&self, prefix: &str) -> BTreeMap<String, String>;
    /// `<prefix>.entry.N.Name` with `.Value.*`.
    fn message_attributes(&self, prefix: &str) -> Result<MessageAttributes, SnsError>;
    /// The entries `<prefix>.member.N`, each as its own form, in index order.
    fn members(&self, prefix: &str) -> Vec<Form>;
}

impl SnsParams for Form {
    fn required(&self, name: &str) -> Result<&str, SnsError> {
        self.get(name).ok_or_else(|| {
            SnsError::InvalidParameter(format!(
                "Invalid parameter: {name} Reason: no value for required parameter"
            ))
        })
    }

    fn list(&self, prefix: &str) -> Vec<String> {
        self.strings(&format!("{prefix}.member"))
    }

    fn map(&self, prefix: &str) -> BTreeMap<String, String> {
        self.pairs(&format!("{prefix}.entry"), "key", "value")
    }

    fn tags(&self, prefix: &str) -> BTreeMap<String, String> {
        self.pairs(&format!("{prefix}.member"), "Key", "Value")
    }

    fn message_attributes(&self, prefix: &str) -> Result<MessageAttributes, SnsError> {
        self.message_attribute_map(&format!("{prefix}.entry"))
            .map_err(|e| {
                SnsError::ParameterValueInvalid(format!(
                    "The message attribute '{}' has an invalid binary value.",
                    e.name
                ))
            })
    }

    fn members(&self, prefix: &str) -> Vec<Form> {
        self.structs(&format!("{prefix}.member"))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use lambkin_model::MessageAttribute;

    #[test]
    fn sns_members_are_wrapped_lists_and_entry_maps() {
        let body = "Action=Publish&Message=a+b%26c\
            &Attributes.entry.2.key=B&Attributes.entry.2.value=2\
            &Attributes.entry.1.key=A&Attributes.entry.1.value=1\
            &Tags.member.1.Key=team&Tags.member.1.Value=x\
            &TagKeys.member.10=k10&TagKeys.member.2=k2\
            &MessageAttributes.entry.1.Name=s&MessageAttributes.entry.1.Value.DataType=String\
            &MessageAttributes.entry.1.Value.StringValue=v\
            &E.member.1.Id=one&E.member.2.Id=two&E.member.2.Message=m";
        let q = Form::parse(body.as_bytes());
        assert_eq!(
            q.map("Attributes"),
            BTreeMap::from([("A".into(), "1".into()), ("B".into(), "2".into())])
        );
        assert_eq!(
            q.tags("Tags"),
            BTreeMap::from([("team".into(), "x".into())])
        );
        assert_eq!(q.list("TagKeys"), ["k2", "k10"]);
        let attrs = q.message_attributes("MessageAttributes").unwrap();
        assert_eq!(attrs["s"], MessageAttribute::string("v"));
        let members = q.members("E");
        assert_eq!(members.len(), 2);
        assert_eq!(members[1].get("Message"), Some("m"));
        assert!(q.required("Nope").is_err());
    }

    #[test]
    fn bad_base64_is_refused() {
        let q = Form::parse(
            b"M.entry.1.Name=b&M.entry.1.Value.DataType=Binary&M.entry.1.Value.BinaryValue=%%%",
        );
        assert_eq!(
            q.message_attributes("M").unwrap_err().code(),
            "ParameterValueInvalid"
        );
    }
}
