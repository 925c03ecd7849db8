//! The query protocol's request side: a form-encoded body of `Name=value` pairs, with lists and
//! maps flattened the way AWS SDKs send them (`X.member.N`, `X.entry.N.key`/`.value`,
//! `MessageAttributes.entry.N.Name` + `.Value.DataType`/`.StringValue`/`.BinaryValue`).

use std::collections::BTreeMap;

use base64::Engine as _;
use lambkin_model::{MessageAttribute, MessageAttributes};
use lambkin_sns::SnsError;

#[derive(Debug, Default)]
pub(crate) struct Query {
    params: BTreeMap<String, String>,
}

impl Query {
    pub(crate) fn parse(body: &[u8]) -> Query {
        Query {
            params: form_urlencoded::parse(body).into_owned().collect(),
        }
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    pub(crate) fn owned(&self, name: &str) -> Option<String> {
        self.params.get(name).cloned()
    }

    /// A parameter the operation cannot do without.
    pub(crate) fn required(&self, name: &str) -> Result<&str, SnsError> {
        self.get(name).ok_or_else(|| {
            SnsError::InvalidParameter(format!(
                "Invalid parameter: {name} Reason: no value for required parameter"
            ))
        })
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

    /// `<prefix>.member.N`: a list of strings.
    pub(crate) fn list(&self, prefix: &str) -> Vec<String> {
        let base = format!("{prefix}.member");
        self.indices(&base)
            .into_iter()
            .filter_map(|n| self.owned(&format!("{base}.{n}")))
            .collect()
    }

    /// `<prefix>.entry.N.key` / `.value`: a string map (`Attributes`).
    pub(crate) fn map(&self, prefix: &str) -> BTreeMap<String, String> {
        let base = format!("{prefix}.entry");
        self.indices(&base)
            .into_iter()
            .filter_map(|n| {
                let key = self.owned(&format!("{base}.{n}.key"))?;
                let value = self.owned(&format!("{base}.{n}.value")).unwrap_or_default();
                Some((key, value))
            })
            .collect()
    }

    /// `<prefix>.member.N.Key` / `.Value`: a tag list.
    pub(crate) fn tags(&self, prefix: &str) -> BTreeMap<String, String> {
        let base = format!("{prefix}.member");
        self.indices(&base)
            .into_iter()
            .filter_map(|n| {
                let key = self.owned(&format!("{base}.{n}.Key"))?;
                let value = self.owned(&format!("{base}.{n}.Value")).unwrap_or_default();
                Some((key, value))
            })
            .collect()
    }

    /// `<prefix>.entry.N.Name` with `.Value.DataType`, `.Value.StringValue` and
    /// `.Value.BinaryValue` (base64).
    pub(crate) fn message_attributes(&self, prefix: &str) -> Result<MessageAttributes, SnsError> {
        let base = format!("{prefix}.entry");
        let mut attributes = MessageAttributes::new();
        for n in self.indices(&base) {
            let Some(name) = self.owned(&format!("{base}.{n}.Name")) else {
                continue;
            };
            let binary_value = self
                .get(&format!("{base}.{n}.Value.BinaryValue"))
                .map(|b| {
                    base64::engine::general_purpose::STANDARD
                        .decode(b)
                        .map_err(|_| {
                            SnsError::ParameterValueInvalid(format!(
                                "The message attribute '{name}' has an invalid binary value."
                            ))
                        })
                })
                .transpose()?;
            attributes.insert(
                name,
                MessageAttribute {
                    data_type: self
                        .owned(&format!("{base}.{n}.Value.DataType"))
                        .unwrap_or_default(),
                    string_value: self.owned(&format!("{base}.{n}.Value.StringValue")),
                    binary_value,
                },
            );
        }
        Ok(attributes)
    }

    /// A view of the parameters under `<prefix>.` (one entry of a batch), as its own query.
    pub(crate) fn nested(&self, prefix: &str) -> Query {
        let start = format!("{prefix}.");
        Query {
            params: self
                .params
                .range(start.clone()..)
                .take_while(|(k, _)| k.starts_with(&start))
                .map(|(k, v)| (k[start.len()..].to_string(), v.clone()))
                .collect(),
        }
    }

    /// The entries `<prefix>.member.N`, each as its own query, in index order.
    pub(crate) fn members(&self, prefix: &str) -> Vec<Query> {
        let base = format!("{prefix}.member");
        self.indices(&base)
            .into_iter()
            .map(|n| self.nested(&format!("{base}.{n}")))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn decodes_flattened_shapes_as_sdks_send_them() {
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
        let q = Query::parse(body.as_bytes());
        assert_eq!(q.get("Message"), Some("a b&c"));
        assert_eq!(
            q.map("Attributes"),
            BTreeMap::from([("A".into(), "1".into()), ("B".into(), "2".into())])
        );
        assert_eq!(
            q.tags("Tags"),
            BTreeMap::from([("team".into(), "x".into())])
        );
        assert_eq!(
            q.list("TagKeys"),
            ["k2", "k10"],
            "numeric order, not text order"
        );
        let attrs = q.message_attributes("MessageAttributes").unwrap();
        assert_eq!(attrs["s"], MessageAttribute::string("v"));
        assert_eq!(attrs["b"].binary_value.as_deref(), Some(&[0u8, 1][..]));
        let members = q.members("E");
        assert_eq!(members.len(), 2);
        assert_eq!(members[0].get("Id"), Some("one"));
        assert_eq!(members[1].get("Message"), Some("m"));
        assert!(q.required("Nope").is_err());
    }

    #[test]
    fn bad_base64_is_refused() {
        let q = Query::parse(
            b"M.entry.1.Name=b&M.entry.1.Value.DataType=Binary&M.entry.1.Value.BinaryValue=%%%",
        );
        assert_eq!(
            q.message_attributes("M").unwrap_err().code(),
            "ParameterValueInvalid"
        );
    }
}
