//! SQS JSON wire shapes, member names exactly as the botocore model spells them. Requests
//! ignore members lambkin does not use (FIFO and tracing members); responses omit empty
//! optional members, as AWS does.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct CreateQueueRequest {
    pub queue_name: Option<String>,
    pub attributes: BTreeMap<String, String>,
    /// Lower case in the model (CreateQueue's only camel-case member).
    #[serde(rename = "tags")]
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct GetQueueUrlRequest {
    pub queue_name: Option<String>,
    #[serde(rename = "QueueOwnerAWSAccountId")]
    pub queue_owner_aws_account_id: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct ListDeadLetterSourceQueuesRequest {
    pub queue_url: Option<String>,
    pub next_token: Option<String>,
    pub max_results: Option<i64>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct ListQueuesRequest {
    pub queue_name_prefix: Option<String>,
    pub next_token: Option<String>,
    pub max_results: Option<i64>,
}

/// Every operation addressed to one queue carries its URL; the rest of the members vary.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct QueueRequest {
    pub queue_url: Option<String>,
    pub attribute_names: Vec<String>,
    pub attributes: BTreeMap<String, String>,
    /// TagQueue's tags.
    pub tags: BTreeMap<String, String>,
    /// UntagQueue's keys.
    pub tag_keys: Vec<String>,
}

#[derive(Debug, Deserialize, Serialize, Default, Clone)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct MessageAttributeValue {
    pub data_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub string_value: Option<String>,
    /// Base64, as the JSON protocol encodes blobs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub binary_value: Option<String>,
    #[serde(skip_serializing)]
    pub string_list_values: Vec<String>,
    #[serde(skip_serializing)]
    pub binary_list_values: Vec<String>,
}

/// One message being sent: SendMessage's request, and each entry of SendMessageBatch (which
/// has an `Id` and no `QueueUrl`). One struct rather than two sharing a `#[serde(flatten)]`ed
/// part: flatten makes serde buffer every member, body included, and decode it twice, on the
/// hottest SQS path.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct MessageToSend {
    pub queue_url: Option<String>,
    pub id: String,
    pub message_body: Option<String>,
    pub delay_seconds: Option<i64>,
    pub message_attributes: BTreeMap<String, MessageAttributeValue>,
    /// `MessageSystemAttributeValue` has the same members as `MessageAttributeValue`.
    pub message_system_attributes: BTreeMap<String, MessageAttributeValue>,
    pub message_group_id: Option<String>,
    pub message_deduplication_id: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct SendMessageBatchRequest {
    pub queue_url: Option<String>,
    pub entries: Vec<MessageToSend>,
}

#[derive(Debug, Serialize)]
pub(crate) struct SendMessageResult {
    #[serde(rename = "MessageId")]
    pub message_id: String,
    #[serde(rename = "MD5OfMessageBody")]
    pub md5_of_message_body: String,
    #[serde(
        rename = "MD5OfMessageAttributes",
        skip_serializing_if = "Option::is_none"
    )]
    pub md5_of_message_attributes: Option<String>,
    #[serde(
        rename = "MD5OfMessageSystemAttributes",
        skip_serializing_if = "Option::is_none"
    )]
    pub md5_of_message_system_attributes: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct SendMessageBatchResultEntry {
    #[serde(rename = "Id")]
    pub id: String,
    #[serde(flatten)]
    pub result: SendMessageResult,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct BatchResultErrorEntry {
    pub id: String,
    pub sender_fault: bool,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct BatchResult<T> {
    pub successful: Vec<T>,
    pub failed: Vec<BatchResultErrorEntry>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct IdOnly {
    pub id: String,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct ReceiveMessageRequest {
    pub queue_url: Option<String>,
    pub attribute_names: Vec<String>,
    /// The newer name for `AttributeNames`; SDKs may send either.
    pub message_system_attribute_names: Vec<String>,
    pub message_attribute_names: Vec<String>,
    pub max_number_of_messages: Option<i64>,
    pub visibility_timeout: Option<i64>,
    pub wait_time_seconds: Option<i64>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Message {
    #[serde(rename = "MessageId")]
    pub message_id: String,
    #[serde(rename = "ReceiptHandle")]
    pub receipt_handle: String,
    #[serde(rename = "MD5OfBody")]
    pub md5_of_body: String,
    #[serde(rename = "Body")]
    pub body: String,
    #[serde(rename = "Attributes", skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
    #[serde(
        rename = "MD5OfMessageAttributes",
        skip_serializing_if = "Option::is_none"
    )]
    pub md5_of_message_attributes: Option<String>,
    #[serde(
        rename = "MessageAttributes",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub message_attributes: BTreeMap<String, MessageAttributeValue>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct ReceiptRequest {
    pub queue_url: Option<String>,
    pub receipt_handle: Option<String>,
    pub visibility_timeout: Option<i64>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct ReceiptBatchRequestEntry {
    pub id: String,
    pub receipt_handle: Option<String>,
    pub visibility_timeout: Option<i64>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct ReceiptBatchRequest {
    pub queue_url: Option<String>,
    pub entries: Vec<ReceiptBatchRequestEntry>,
}
