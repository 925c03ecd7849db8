//! SQS through the real server with the AWS SDK for Rust (JSON protocol): queues, messages,
//! long polling, visibility, redrive, batches, tags, validation errors and durability.

mod aws_semantics;
mod durability;
mod messages;
mod operations;
mod query;
mod queues;
mod tags;
mod validation;
mod wire;

use std::collections::HashMap;

use aws_sdk_sqs::error::ProvideErrorMetadata;
use aws_sdk_sqs::types::QueueAttributeName;
use md5::{Digest, Md5};

pub use crate::support::sqs_client;

/// Creates a queue with the given attributes and returns its URL.
pub async fn create_queue(sqs: &aws_sdk_sqs::Client, name: &str, attrs: &[(&str, &str)]) -> String {
    let mut req = sqs.create_queue().queue_name(name);
    for (k, v) in attrs {
        req = req.attributes(QueueAttributeName::from(*k), *v);
    }
    req.send()
        .await
        .expect("create queue")
        .queue_url
        .expect("url")
}

/// The queue's attributes as strings (`All`).
pub async fn attributes(sqs: &aws_sdk_sqs::Client, url: &str) -> HashMap<String, String> {
    let out = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .expect("get attributes");
    out.attributes
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k.as_str().to_string(), v))
        .collect()
}

/// `(visible, not visible, delayed)`.
pub async fn counts(sqs: &aws_sdk_sqs::Client, url: &str) -> (u64, u64, u64) {
    let a = attributes(sqs, url).await;
    let n = |k: &str| a[k].parse::<u64>().expect("count");
    (
        n("ApproximateNumberOfMessages"),
        n("ApproximateNumberOfMessagesNotVisible"),
        n("ApproximateNumberOfMessagesDelayed"),
    )
}

/// The error's code and message, for asserting AWS's exact answer.
pub fn code_and_message<T: std::fmt::Debug, E: ProvideErrorMetadata + std::fmt::Debug>(
    r: Result<T, E>,
) -> (String, String) {
    let e = r.expect_err("the call should fail");
    (
        e.code().unwrap_or_default().to_string(),
        e.message().unwrap_or_default().to_string(),
    )
}

pub fn md5_hex(bytes: &[u8]) -> String {
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// AWS's attribute digest written out independently of the server's implementation:
/// `(name, type, transport byte, value)` in name order.
pub fn attributes_md5(parts: &[(&str, &str, u8, &[u8])]) -> String {
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
    md5_hex(&bytes)
}
