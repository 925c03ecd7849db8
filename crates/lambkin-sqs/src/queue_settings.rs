//! [`QueueSettings`]: a queue's settable attributes, validated with AWS's ranges and messages.
//! The store keeps only the attributes a caller set (as AWS names and strings); defaults are
//! filled in here, so a default that changes never needs a migration.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::SqsError;

pub const DEFAULT_VISIBILITY_TIMEOUT_S: u32 = 30;
pub const MAX_VISIBILITY_TIMEOUT_S: u32 = 43_200;
/// 1 MiB, SQS's message size limit since 2025.
pub const MAX_MESSAGE_SIZE: u32 = 1_048_576;
const DEFAULT_RETENTION_S: u32 = 345_600;

/// Attributes lambkin stores but does not act on (no IAM, no encryption at rest).
const OPAQUE: [&str; 5] = [
    "Policy",
    "RedriveAllowPolicy",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled",
];

/// Attributes that go back to AWS's default, and out of `GetQueueAttributes`, when set to it.
const REMOVED_WHEN: [(&str, &str); 5] = [
    ("Policy", ""),
    ("RedriveAllowPolicy", ""),
    ("KmsMasterKeyId", ""),
    ("KmsDataKeyReusePeriodSeconds", "300"),
    ("RedrivePolicy", ""),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedrivePolicy {
    pub dead_letter_target_arn: String,
    pub max_receive_count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueSettings {
    pub visibility_timeout_s: u32,
    pub maximum_message_size: u32,
    pub message_retention_s: u32,
    pub delay_s: u32,
    pub receive_wait_s: u32,
    pub redrive: Option<RedrivePolicy>,
    /// The opaque attributes, as set.
    pub opaque: BTreeMap<String, String>,
}

impl QueueSettings {
    /// Settings from a stored (already validated) or requested attribute map.
    pub fn from_attributes(attributes: &BTreeMap<String, String>) -> Result<Self, SqsError> {
        let mut s = QueueSettings {
            visibility_timeout_s: DEFAULT_VISIBILITY_TIMEOUT_S,
            maximum_message_size: MAX_MESSAGE_SIZE,
            message_retention_s: DEFAULT_RETENTION_S,
            delay_s: 0,
            receive_wait_s: 0,
            redrive: None,
            opaque: BTreeMap::new(),
        };
        for (name, value) in attributes {
            s.set(name, value)?;
        }
        Ok(s)
    }

    fn set(&mut self, name: &str, value: &str) -> Result<(), SqsError> {
        let range = |min: u32, max: u32| {
            value
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|v| (min..=max).contains(v))
                .ok_or_else(|| invalid_value(name))
        };
        match name {
            "VisibilityTimeout" => self.visibility_timeout_s = range(0, MAX_VISIBILITY_TIMEOUT_S)?,
            "MaximumMessageSize" => self.maximum_message_size = range(1024, MAX_MESSAGE_SIZE)?,
            "MessageRetentionPeriod" => self.message_retention_s = range(60, 1_209_600)?,
            "DelaySeconds" => self.delay_s = range(0, 900)?,
            "ReceiveMessageWaitTimeSeconds" => self.receive_wait_s = range(0, 20)?,
            "RedrivePolicy" => self.redrive = parse_redrive(value)?,
            // What AWS answers for FIFO attributes on a standard queue (the only kind lambkin
            // has): `FifoQueue` and `ContentBasedDeduplication` are unknown there.
            n @ ("DeduplicationScope" | "FifoThroughputLimit") => {
                return Err(SqsError::InvalidAttributeName(format!(
                    "You can specify the {n} only when FifoQueue is set to true."
                )));
            }
            "SqsManagedSseEnabled" if !matches!(value, "true" | "false") => {
                return Err(invalid_value(name));
            }
            "KmsDataKeyReusePeriodSeconds" if !value.is_empty() => {
                range(60, 86_400)?;
                self.opaque.insert(name.to_string(), value.to_string());
            }
            n if OPAQUE.contains(&n) => {
                self.opaque.insert(n.to_string(), value.to_string());
            }
            n => {
                return Err(SqsError::InvalidAttributeName(format!(
                    "Unknown Attribute {n}."
                )));
            }
        }
        Ok(())
    }

    /// The value `GetQueueAttributes` reports for a settable attribute, if it has one.
    pub fn attribute(&self, name: &str) -> Option<String> {
        Some(match name {
            "VisibilityTimeout" => self.visibility_timeout_s.to_string(),
            "MaximumMessageSize" => self.maximum_message_size.to_string(),
            "MessageRetentionPeriod" => self.message_retention_s.to_string(),
            "DelaySeconds" => self.delay_s.to_string(),
            "ReceiveMessageWaitTimeSeconds" => self.receive_wait_s.to_string(),
            "RedrivePolicy" => self.redrive.as_ref().map(redrive_json)?,
            // AWS encrypts new queues with SQS-managed keys unless told otherwise.
            "SqsManagedSseEnabled" => self
                .opaque
                .get(name)
                .cloned()
                .unwrap_or_else(|| "true".into()),
            n => self.opaque.get(n)?.clone(),
        })
    }

    /// The attribute map to store: `current` with `changes` applied, normalised (an attribute
    /// set to AWS's default, such as an empty `Policy`, is removed). Choosing a KMS key turns
    /// SQS-managed encryption off, as on AWS.
    pub fn merged(
        current: &BTreeMap<String, String>,
        changes: &BTreeMap<String, String>,
    ) -> BTreeMap<String, String> {
        let mut out = current.clone();
        let kms_key = changes.get("KmsMasterKeyId").is_some_and(|k| !k.is_empty());
        if kms_key && !changes.contains_key("SqsManagedSseEnabled") {
            out.insert("SqsManagedSseEnabled".into(), "false".into());
        }
        for (name, value) in changes {
            let default = REMOVED_WHEN
                .iter()
                .any(|(n, d)| n == name && value.trim() == *d);
            if default {
                out.remove(name);
                continue;
            }
            let normalised = match name.as_str() {
                "RedrivePolicy" => parse_redrive(value)
                    .ok()
                    .flatten()
                    .map(|r| redrive_json(&r)),
                "Policy" | "RedriveAllowPolicy" | "KmsMasterKeyId" => None,
                _ => value.trim().parse::<u64>().ok().map(|v| v.to_string()),
            };
            out.insert(name.clone(), normalised.unwrap_or_else(|| value.clone()));
        }
        out
    }
}

fn invalid_value(name: &str) -> SqsError {
    SqsError::InvalidAttributeValue(format!("Invalid value for the parameter {name}."))
}

/// `{"deadLetterTargetArn":"arn:...","maxReceiveCount":5}`; `maxReceiveCount` may be a number
/// or a numeric string, as AWS accepts both. An empty value means no policy.
fn parse_redrive(value: &str) -> Result<Option<RedrivePolicy>, SqsError> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    let invalid = |reason: &str| SqsError::bad_value("RedrivePolicy", value, reason);
    let map: serde_json::Map<String, Value> = serde_json::from_str(value)
        .map_err(|_| invalid("Redrive policy is not a valid JSON map."))?;
    let arn = match map.get("deadLetterTargetArn") {
        Some(Value::String(arn)) if !arn.is_empty() => arn.clone(),
        _ => {
            return Err(invalid(
                "Redrive policy does not contain mandatory attribute: deadLetterTargetArn.",
            ));
        }
    };
    let count = match map.get("maxReceiveCount") {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        _ => {
            return Err(invalid(
                "Redrive policy does not contain mandatory attribute: maxReceiveCount.",
            ));
        }
    };
    let max_receive_count = count
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=1000).contains(n))
        .ok_or_else(|| {
            invalid(&format!(
                "Invalid value for maxReceiveCount: {count}, valid values are from 1 to 1000 both inclusive."
            ))
        })?;
    Ok(Some(RedrivePolicy {
        dead_letter_target_arn: arn,
        max_receive_count,
    }))
}

fn redrive_json(r: &RedrivePolicy) -> String {
    serde_json::json!({
        "deadLetterTargetArn": r.dead_letter_target_arn,
        "maxReceiveCount": r.max_receive_count,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(name: &str, value: &str) -> Result<QueueSettings, SqsError> {
        QueueSettings::from_attributes(&BTreeMap::from([(name.to_string(), value.to_string())]))
    }

    #[test]
    fn defaults() {
        let s = QueueSettings::from_attributes(&BTreeMap::new()).expect("defaults");
        assert_eq!(s.attribute("VisibilityTimeout").as_deref(), Some("30"));
        assert_eq!(
            s.attribute("MaximumMessageSize").as_deref(),
            Some("1048576")
        );
        assert_eq!(
            s.attribute("MessageRetentionPeriod").as_deref(),
            Some("345600")
        );
        assert_eq!(s.attribute("RedrivePolicy"), None);
        assert_eq!(s.attribute("SqsManagedSseEnabled").as_deref(), Some("true"));
    }

    #[test]
    fn attribute_validation() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("VisibilityTimeout", "0", None),
            ("VisibilityTimeout", "43200", None),
            ("VisibilityTimeout", "43201", Some("InvalidAttributeValue")),
            ("VisibilityTimeout", "-1", Some("InvalidAttributeValue")),
            ("VisibilityTimeout", "ten", Some("InvalidAttributeValue")),
            (
                "MessageRetentionPeriod",
                "59",
                Some("InvalidAttributeValue"),
            ),
            ("MessageRetentionPeriod", "1209600", None),
            ("DelaySeconds", "900", None),
            ("DelaySeconds", "901", Some("InvalidAttributeValue")),
            (
                "ReceiveMessageWaitTimeSeconds",
                "21",
                Some("InvalidAttributeValue"),
            ),
            ("MaximumMessageSize", "1023", Some("InvalidAttributeValue")),
            (
                "MaximumMessageSize",
                "1048577",
                Some("InvalidAttributeValue"),
            ),
            ("Colour", "blue", Some("InvalidAttributeName")),
            (
                "QueueArn",
                "arn:aws:sqs:us-east-1:000000000000:q",
                Some("InvalidAttributeName"),
            ),
            ("FifoQueue", "true", Some("InvalidAttributeName")),
            ("FifoQueue", "false", Some("InvalidAttributeName")),
            (
                "ContentBasedDeduplication",
                "false",
                Some("InvalidAttributeName"),
            ),
            ("DeduplicationScope", "queue", Some("InvalidAttributeName")),
            (
                "FifoThroughputLimit",
                "perQueue",
                Some("InvalidAttributeName"),
            ),
            ("SqsManagedSseEnabled", "true", None),
            ("SqsManagedSseEnabled", "yes", Some("InvalidAttributeValue")),
            (
                "KmsDataKeyReusePeriodSeconds",
                "59",
                Some("InvalidAttributeValue"),
            ),
            ("KmsDataKeyReusePeriodSeconds", "86400", None),
            ("KmsMasterKeyId", "alias/aws/sqs", None),
            ("Policy", "{}", None),
            ("RedrivePolicy", "", None),
            ("RedrivePolicy", "nope", Some("InvalidParameterValue")),
            (
                "RedrivePolicy",
                r#"{"maxReceiveCount":1}"#,
                Some("InvalidParameterValue"),
            ),
            (
                "RedrivePolicy",
                r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:d","maxReceiveCount":0}"#,
                Some("InvalidParameterValue"),
            ),
            (
                "RedrivePolicy",
                r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:d","maxReceiveCount":"3"}"#,
                None,
            ),
        ];
        for (name, value, want) in cases {
            let got = one(name, value).err().map(|e| match e {
                SqsError::InvalidAttributeValue(_) => "InvalidAttributeValue",
                SqsError::InvalidAttributeName(_) => "InvalidAttributeName",
                SqsError::InvalidParameterValue(_) => "InvalidParameterValue",
                _ => "other",
            });
            assert_eq!(got, *want, "{name}={value}");
        }
        let e = one("VisibilityTimeout", "x").expect_err("invalid");
        assert_eq!(
            e.to_string(),
            "Invalid value for the parameter VisibilityTimeout."
        );
        let messages = [
            ("FifoQueue", "Unknown Attribute FifoQueue."),
            (
                "ContentBasedDeduplication",
                "Unknown Attribute ContentBasedDeduplication.",
            ),
            (
                "DeduplicationScope",
                "You can specify the DeduplicationScope only when FifoQueue is set to true.",
            ),
            (
                "FifoThroughputLimit",
                "You can specify the FifoThroughputLimit only when FifoQueue is set to true.",
            ),
        ];
        for (name, message) in messages {
            let e = one(name, "false").expect_err("refused");
            assert_eq!(e.to_string(), message, "{name}");
        }
    }

    #[test]
    fn encryption_attributes_follow_aws() {
        let key = BTreeMap::from([
            ("KmsMasterKeyId".to_string(), "testKeyId".to_string()),
            (
                "KmsDataKeyReusePeriodSeconds".to_string(),
                "6000".to_string(),
            ),
        ]);
        let with_key = QueueSettings::merged(&BTreeMap::new(), &key);
        assert_eq!(with_key["SqsManagedSseEnabled"], "false");
        let defaults = BTreeMap::from([
            ("KmsMasterKeyId".to_string(), String::new()),
            (
                "KmsDataKeyReusePeriodSeconds".to_string(),
                "300".to_string(),
            ),
            ("Policy".to_string(), String::new()),
        ]);
        let back = QueueSettings::merged(&with_key, &defaults);
        assert_eq!(
            back,
            BTreeMap::from([("SqsManagedSseEnabled".to_string(), "false".to_string())]),
            "defaults are removed; encryption stays off"
        );
    }

    #[test]
    fn merged_normalises_and_removes() {
        let current = BTreeMap::from([(
            "RedrivePolicy".to_string(),
            r#"{"deadLetterTargetArn":"a","maxReceiveCount":2}"#.to_string(),
        )]);
        let changes = BTreeMap::from([
            ("RedrivePolicy".to_string(), String::new()),
            ("VisibilityTimeout".to_string(), " 05".to_string()),
        ]);
        let merged = QueueSettings::merged(&current, &changes);
        assert_eq!(
            merged,
            BTreeMap::from([("VisibilityTimeout".to_string(), "5".to_string())])
        );
        let redrive = BTreeMap::from([(
            "RedrivePolicy".to_string(),
            r#"{"maxReceiveCount":"4", "deadLetterTargetArn":"a"}"#.to_string(),
        )]);
        let merged = QueueSettings::merged(&BTreeMap::new(), &redrive);
        assert_eq!(
            merged["RedrivePolicy"],
            r#"{"deadLetterTargetArn":"a","maxReceiveCount":4}"#
        );
    }
}
