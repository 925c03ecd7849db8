//! The form in which a published message is stored, once per publish (the store's
//! `sns_messages`; each outbox delivery only names it by id): everything rendering needs for
//! any protocol, fixed at publish time (id, topic, subject, the message or its per-protocol
//! variants, attributes, timestamp).

use std::collections::BTreeMap;

use lambkin_model::{MessageAttributes, Timestamp};

use serde::{Deserialize, Serialize};

use crate::SnsError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct StoredMessage {
    pub message_id: String,
    pub topic_arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The message, or with `MessageStructure=json` its `default` entry.
    pub message: String,
    /// With `MessageStructure=json`: the entries for specific protocols (`sqs`, `lambda`, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub per_protocol: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: MessageAttributes,
    /// Publish time, epoch milliseconds.
    pub timestamp_ms: i64,
}

impl StoredMessage {
    /// What a subscriber of `protocol` receives: its own entry if the publisher gave one,
    /// else the default (AWS's MessageStructure rule).
    pub fn message_for(&self, protocol: &str) -> &str {
        self.per_protocol
            .get(protocol)
            .map_or(self.message.as_str(), String::as_str)
    }

    pub fn timestamp(&self) -> Timestamp {
        Timestamp(self.timestamp_ms)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self)
            .expect("a struct of strings, string maps and an integer always serialises to JSON")
    }

    pub fn from_bytes(body: &[u8]) -> Result<Self, SnsError> {
        serde_json::from_slice(body).map_err(|e| {
            SnsError::Store(lambkin_store::StoreError::Corrupt(format!(
                "sns message: {e}"
            )))
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trips_and_picks_the_protocol_entry() {
        let m = StoredMessage {
            message_id: "id".into(),
            topic_arn: "arn:aws:sns:us-east-1:000000000000:t".into(),
            subject: Some("s".into()),
            message: "default".into(),
            per_protocol: BTreeMap::from([("sqs".into(), "for sqs".into())]),
            attributes: MessageAttributes::new(),
            timestamp_ms: 5,
        };
        assert_eq!(StoredMessage::from_bytes(&m.to_bytes()).unwrap(), m);
        assert_eq!(m.message_for("sqs"), "for sqs");
        assert_eq!(m.message_for("lambda"), "default");
    }
}
