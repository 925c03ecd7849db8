//! Message attributes as SQS and SNS carry them (`DataType` plus a string or binary value).
//! Shared because one message crosses services: a DLQ delivery writes `RequestID`,
//! `ErrorCode` and `ErrorMessage` attributes that SQS then hands to `ReceiveMessage`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One attribute. `data_type` is `String`, `Number`, `Binary`, or one of those with a
/// `.custom` suffix; `String` and `Number` carry `string_value`, `Binary` carries `binary_value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageAttribute {
    pub data_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string_value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binary_value: Option<Vec<u8>>,
}

impl MessageAttribute {
    pub fn string(value: impl Into<String>) -> Self {
        MessageAttribute {
            data_type: "String".to_string(),
            string_value: Some(value.into()),
            binary_value: None,
        }
    }

    pub fn number(value: impl Into<String>) -> Self {
        MessageAttribute {
            data_type: "Number".to_string(),
            string_value: Some(value.into()),
            binary_value: None,
        }
    }
}

/// Attributes by name; ordered, because SQS's attribute MD5 is computed over sorted names.
pub type MessageAttributes = BTreeMap<String, MessageAttribute>;
