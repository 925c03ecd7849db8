//! SNS's conventions over the shared query-protocol form: wrapped lists (`X.member.N`), maps
//! (`X.entry.N.key`/`.value`), tag lists (`X.member.N.Key`/`.Value`), message attributes
//! (`MessageAttributes.entry.N.*`) and SNS's wording for missing or invalid parameters.

use std::collections::BTreeMap;

use lambkin_model::MessageAttributes;
use lambkin_model::validation::Violations;
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
    /// A list parameter the operation cannot do without (`<prefix>.member.N`, at least one).
    fn required_list(&self, prefix: &str) -> Result<Vec<String>, SnsError>;
    /// `<prefix>.member.N.Key` / `.Value`: a tag list, in order and with any repeated key (so
    /// the service can refuse it, as AWS does).
    fn tags(&self, prefix: &str) -> Vec<(String, String)>;
    /// `<prefix>.entry.N.Name` with `.Value.*`. `path` names the map in AWS's
    /// `ValidationError` for an attribute without a `DataType` (`messageAttributes`).
    fn message_attributes(&self, prefix: &str, path: &str) -> Result<MessageAttributes, SnsError>;
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

    fn required_list(&self, prefix: &str) -> Result<Vec<String>, SnsError> {
        let list = self.list(prefix);
        if list.is_empty() {
            return Err(SnsError::invalid(format!(
                "{prefix} Reason: no value for required parameter"
            )));
        }
        Ok(list)
    }

    fn map(&self, prefix: &str) -> BTreeMap<String, String> {
        self.pairs(&format!("{prefix}.entry"), "key", "value")
    }

    fn tags(&self, prefix: &str) -> Vec<(String, String)> {
        self.structs(&format!("{prefix}.member"))
            .into_iter()
            .filter_map(|t| Some((t.owned("Key")?, t.owned("Value").unwrap_or_default())))
            .collect()
    }

    fn message_attributes(&self, prefix: &str, path: &str) -> Result<MessageAttributes, SnsError> {
        let entries = format!("{prefix}.entry");
        // DataType is a required member of the wire shape: AWS refuses its absence before
        // looking at anything else (an empty one is the service's own check).
        for entry in self.structs(&entries) {
            if let Some(name) = entry.get("Name")
                && entry.get("Value.DataType").is_none()
            {
                let mut missing = Violations::default();
                missing.null(&format!("{path}.{name}.member.dataType"));
                SnsError::check(&missing)?;
            }
        }
        self.message_attribute_map(&entries).map_err(|e| {
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
        assert_eq!(q.tags("Tags"), [("team".to_string(), "x".to_string())]);
        assert_eq!(q.list("TagKeys"), ["k2", "k10"]);
        let attrs = q
            .message_attributes("MessageAttributes", "messageAttributes")
            .unwrap();
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
            q.message_attributes("M", "m").unwrap_err().code(),
            "ParameterValueInvalid"
        );
    }

    #[test]
    fn repeated_tags_and_missing_data_types_reach_the_service() {
        let q = Form::parse(b"T.member.1.Key=k&T.member.1.Value=a&T.member.2.Key=k");
        assert_eq!(
            q.tags("T"),
            [
                ("k".to_string(), "a".to_string()),
                ("k".to_string(), String::new())
            ]
        );
        let q = Form::parse(b"M.entry.1.Name=attr1&M.entry.1.Value.StringValue=v");
        let err = q.message_attributes("M", "messageAttributes").unwrap_err();
        assert_eq!(
            (err.code(), err.to_string().as_str()),
            (
                "ValidationError",
                "1 validation error detected: Value null at 'messageAttributes.attr1.member.dataType' failed to satisfy constraint: Member must not be null"
            )
        );
        assert!(q.required_list("AWSAccountId").is_err());
    }
}
