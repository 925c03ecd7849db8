//! Every SQS operation lambkin serves, with the validation each of its parameters gets, as one
//! table of raw JSON-protocol requests and AWS's exact answers: status, `__type` (the JSON
//! code), `x-amzn-query-error` (the query code SDKs match on) and message. A parameter whose
//! check is missing shows as a missing row; `every_served_operation_has_rows` fails when an
//! operation has none.

use bytes::Bytes;
use serde_json::{Value, json};

use crate::support::{TestServer, http_full};

/// The operations lambkin serves (the rest of the model answers `UnsupportedOperation`).
const SERVED: [&str; 18] = [
    "CreateQueue",
    "GetQueueUrl",
    "ListQueues",
    "ListDeadLetterSourceQueues",
    "DeleteQueue",
    "GetQueueAttributes",
    "SetQueueAttributes",
    "PurgeQueue",
    "SendMessage",
    "SendMessageBatch",
    "ReceiveMessage",
    "DeleteMessage",
    "DeleteMessageBatch",
    "ChangeMessageVisibility",
    "ChangeMessageVisibilityBatch",
    "TagQueue",
    "UntagQueue",
    "ListQueueTags",
];

const KEY_RULE: &str = "Tag keys must be between 1 and 128 characters in length.";

const NAME_RULE: &str =
    "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length";

/// What AWS answers: 200, or an error with its status, JSON code, query code and message.
#[derive(Debug)]
enum Want {
    Ok,
    Error {
        status: u16,
        json: &'static str,
        query: &'static str,
        message: String,
    },
}

impl Want {
    /// `(status, JSON code, query code, message)`; empty strings for a success.
    fn answer(&self) -> (u16, String, String, String) {
        match self {
            Want::Ok => (200, String::new(), String::new(), String::new()),
            Want::Error {
                status,
                json,
                query,
                message,
            } => (
                *status,
                json.to_string(),
                query.to_string(),
                message.clone(),
            ),
        }
    }
}

fn missing(parameter: &str) -> Want {
    Want::Error {
        status: 400,
        json: "MissingRequiredParameterException",
        query: "MissingParameter",
        message: format!("The request must contain the parameter {parameter}."),
    }
}

fn invalid(message: impl Into<String>) -> Want {
    Want::Error {
        status: 400,
        json: "InvalidParameterValueException",
        query: "InvalidParameterValue",
        message: message.into(),
    }
}

fn bad_value(parameter: &str, value: impl std::fmt::Display, reason: &str) -> Want {
    invalid(format!(
        "Value {value} for parameter {parameter} is invalid. Reason: {reason}"
    ))
}

fn attribute_value(name: &str) -> Want {
    Want::Error {
        status: 400,
        json: "InvalidAttributeValue",
        query: "InvalidAttributeValue",
        message: format!("Invalid value for the parameter {name}."),
    }
}

fn attribute_name(message: impl Into<String>) -> Want {
    Want::Error {
        status: 400,
        json: "InvalidAttributeName",
        query: "InvalidAttributeName",
        message: message.into(),
    }
}

fn no_queue() -> Want {
    Want::Error {
        status: 400,
        json: "QueueDoesNotExist",
        query: "AWS.SimpleQueueService.NonExistentQueue",
        message: "The specified queue does not exist.".into(),
    }
}

fn batch(json: &'static str, message: impl Into<String>) -> Want {
    let query = match json {
        "EmptyBatchRequest" => "AWS.SimpleQueueService.EmptyBatchRequest",
        "TooManyEntriesInBatchRequest" => "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
        "BatchEntryIdsNotDistinct" => "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
        "InvalidBatchEntryId" => "AWS.SimpleQueueService.InvalidBatchEntryId",
        "BatchRequestTooLong" => "AWS.SimpleQueueService.BatchRequestTooLong",
        other => panic!("not a batch error: {other}"),
    };
    Want::Error {
        status: 400,
        json,
        query,
        message: message.into(),
    }
}

/// The queues and handles the rows refer to.
struct Fixture {
    /// A standard queue with default attributes.
    url: String,
    /// `MaximumMessageSize` 1024.
    small: String,
    /// A queue that does not exist.
    gone: String,
    /// A well-formed receipt handle of a message since deleted.
    deleted: String,
}

fn attr(ty: &str, value: &str) -> Value {
    json!({"DataType": ty, "StringValue": value})
}

/// `(operation, parameter, request, answer)`.
fn rows(f: &Fixture) -> Vec<(&'static str, &'static str, Value, Want)> {
    let url = f.url.as_str();
    let policy = |arn: &str, count: Value| {
        json!({"deadLetterTargetArn": arn, "maxReceiveCount": count}).to_string()
    };
    let nowhere = policy("arn:aws:sqs:us-east-1:000000000000:nope", json!(3));
    let zero = policy("arn:aws:sqs:us-east-1:000000000000:q", json!(0));
    let entries = |n: usize| -> Value {
        (0..n)
            .map(|i| json!({"Id": format!("e{i}"), "MessageBody": "x", "ReceiptHandle": "h"}))
            .collect()
    };
    let same_ids = json!([{"Id": "a", "MessageBody": "x"}, {"Id": "a", "MessageBody": "y"}]);
    let bad_id = json!([{"Id": "a.b", "MessageBody": "x", "ReceiptHandle": "h"}]);
    let too_long = "a".repeat(129);
    let eleven_attrs: serde_json::Map<String, Value> = (0..11)
        .map(|i| (format!("a{i}"), attr("String", "v")))
        .collect();
    let group_rule = |v: &str| {
        bad_value(
            "MessageGroupId",
            v,
            "MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.",
        )
    };
    let create = |attrs: Value| json!({"QueueName": "new", "Attributes": attrs});
    let many_tags: serde_json::Map<String, Value> =
        (0..51).map(|i| (format!("k{i}"), json!("v"))).collect();
    let send = |extra: Value| {
        let mut body = json!({"QueueUrl": url, "MessageBody": "x"});
        for (k, v) in extra.as_object().into_iter().flatten() {
            body[k] = v.clone();
        }
        body
    };
    vec![
        // CreateQueue
        ("CreateQueue", "QueueName", json!({}), missing("QueueName")),
        (
            "CreateQueue",
            "QueueName",
            json!({"QueueName": "bad name!"}),
            invalid(NAME_RULE),
        ),
        (
            "CreateQueue",
            "QueueName",
            json!({"QueueName": "x".repeat(81)}),
            invalid(NAME_RULE),
        ),
        (
            "CreateQueue",
            "QueueName",
            json!({"QueueName": "jobs.fifo"}),
            invalid(NAME_RULE),
        ),
        (
            "CreateQueue",
            "Attributes.VisibilityTimeout",
            create(json!({"VisibilityTimeout": "43201"})),
            attribute_value("VisibilityTimeout"),
        ),
        (
            "CreateQueue",
            "Attributes.MaximumMessageSize",
            create(json!({"MaximumMessageSize": "1023"})),
            attribute_value("MaximumMessageSize"),
        ),
        (
            "CreateQueue",
            "Attributes.MessageRetentionPeriod",
            create(json!({"MessageRetentionPeriod": "59"})),
            attribute_value("MessageRetentionPeriod"),
        ),
        (
            "CreateQueue",
            "Attributes.DelaySeconds",
            create(json!({"DelaySeconds": "901"})),
            attribute_value("DelaySeconds"),
        ),
        (
            "CreateQueue",
            "Attributes.ReceiveMessageWaitTimeSeconds",
            create(json!({"ReceiveMessageWaitTimeSeconds": "21"})),
            attribute_value("ReceiveMessageWaitTimeSeconds"),
        ),
        (
            "CreateQueue",
            "Attributes.KmsDataKeyReusePeriodSeconds",
            create(json!({"KmsDataKeyReusePeriodSeconds": "59"})),
            attribute_value("KmsDataKeyReusePeriodSeconds"),
        ),
        (
            "CreateQueue",
            "Attributes.SqsManagedSseEnabled",
            create(json!({"SqsManagedSseEnabled": "yes"})),
            attribute_value("SqsManagedSseEnabled"),
        ),
        (
            "CreateQueue",
            "Attributes.RedrivePolicy",
            create(json!({"RedrivePolicy": "nope"})),
            bad_value(
                "RedrivePolicy",
                "nope",
                "Redrive policy is not a valid JSON map.",
            ),
        ),
        (
            "CreateQueue",
            "Attributes.RedrivePolicy",
            create(json!({"RedrivePolicy": nowhere})),
            bad_value(
                "RedrivePolicy",
                &nowhere,
                "Dead letter target does not exist.",
            ),
        ),
        (
            "CreateQueue",
            "Attributes.RedrivePolicy",
            create(json!({"RedrivePolicy": zero})),
            bad_value(
                "RedrivePolicy",
                &zero,
                "Invalid value for maxReceiveCount: 0, valid values are from 1 to 1000 both inclusive.",
            ),
        ),
        (
            "CreateQueue",
            "Attributes",
            create(json!({"Colour": "blue"})),
            attribute_name("Unknown Attribute Colour."),
        ),
        (
            "CreateQueue",
            "Attributes.FifoQueue",
            create(json!({"FifoQueue": "false"})),
            attribute_name("Unknown Attribute FifoQueue."),
        ),
        (
            "CreateQueue",
            "Attributes.FifoQueue",
            create(json!({"FifoQueue": "true"})),
            invalid(
                "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.",
            ),
        ),
        (
            "CreateQueue",
            "Attributes.ContentBasedDeduplication",
            create(json!({"ContentBasedDeduplication": "false"})),
            attribute_name("Unknown Attribute ContentBasedDeduplication."),
        ),
        (
            "CreateQueue",
            "Attributes.DeduplicationScope",
            create(json!({"DeduplicationScope": "queue"})),
            attribute_name("You can specify the DeduplicationScope only when FifoQueue is set to true."),
        ),
        (
            "CreateQueue",
            "Attributes.FifoThroughputLimit",
            create(json!({"FifoThroughputLimit": "perQueue"})),
            attribute_name(
                "You can specify the FifoThroughputLimit only when FifoQueue is set to true.",
            ),
        ),
        (
            "CreateQueue",
            "Attributes (existing queue)",
            json!({"QueueName": "small", "Attributes": {"MaximumMessageSize": "2048"}}),
            Want::Error {
                status: 400,
                json: "QueueNameExists",
                query: "QueueAlreadyExists",
                message: "A queue already exists with the same name and a different value for attribute MaximumMessageSize".into(),
            },
        ),
        (
            "CreateQueue",
            "tags",
            json!({"QueueName": "new", "tags": many_tags}),
            invalid("Too many tags added for queue new."),
        ),
        (
            "CreateQueue",
            "tags",
            json!({"QueueName": "new", "tags": {too_long.clone(): "v"}}),
            invalid(KEY_RULE),
        ),
        (
            "CreateQueue",
            "tags (existing queue)",
            json!({"QueueName": "small", "tags": {"team": "x"}}),
            Want::Error {
                status: 400,
                json: "QueueNameExists",
                query: "QueueAlreadyExists",
                message: "A queue already exists with the same name and different tags".into(),
            },
        ),
        // GetQueueUrl
        ("GetQueueUrl", "QueueName", json!({}), missing("QueueName")),
        (
            "GetQueueUrl",
            "QueueName",
            json!({"QueueName": "nope"}),
            no_queue(),
        ),
        (
            "GetQueueUrl",
            "QueueOwnerAWSAccountId",
            json!({"QueueName": "q", "QueueOwnerAWSAccountId": "111111111111"}),
            no_queue(),
        ),
        // ListQueues
        (
            "ListQueues",
            "MaxResults",
            json!({"MaxResults": 0}),
            bad_value(
                "MaxResults",
                0,
                "MaxResults must be an integer between 1 and 1000.",
            ),
        ),
        (
            "ListQueues",
            "MaxResults",
            json!({"MaxResults": 1001}),
            bad_value(
                "MaxResults",
                1001,
                "MaxResults must be an integer between 1 and 1000.",
            ),
        ),
        (
            "ListQueues",
            "NextToken",
            json!({"NextToken": "!!"}),
            invalid("Invalid NextToken value."),
        ),
        // ListDeadLetterSourceQueues
        (
            "ListDeadLetterSourceQueues",
            "QueueUrl",
            json!({}),
            missing("QueueUrl"),
        ),
        (
            "ListDeadLetterSourceQueues",
            "QueueUrl",
            json!({"QueueUrl": f.gone}),
            no_queue(),
        ),
        (
            "ListDeadLetterSourceQueues",
            "MaxResults",
            json!({"QueueUrl": url, "MaxResults": 0}),
            bad_value(
                "MaxResults",
                0,
                "MaxResults must be an integer between 1 and 1000.",
            ),
        ),
        (
            "ListDeadLetterSourceQueues",
            "NextToken",
            json!({"QueueUrl": url, "NextToken": "!!"}),
            invalid("Invalid NextToken value."),
        ),
        // DeleteQueue
        ("DeleteQueue", "QueueUrl", json!({}), missing("QueueUrl")),
        (
            "DeleteQueue",
            "QueueUrl",
            json!({"QueueUrl": f.gone}),
            no_queue(),
        ),
        // GetQueueAttributes
        (
            "GetQueueAttributes",
            "QueueUrl",
            json!({}),
            missing("QueueUrl"),
        ),
        (
            "GetQueueAttributes",
            "QueueUrl",
            json!({"QueueUrl": f.gone}),
            no_queue(),
        ),
        (
            "GetQueueAttributes",
            "AttributeNames",
            json!({"QueueUrl": url, "AttributeNames": ["Nope"]}),
            attribute_name("Unknown Attribute Nope."),
        ),
        // SetQueueAttributes
        (
            "SetQueueAttributes",
            "QueueUrl",
            json!({}),
            missing("QueueUrl"),
        ),
        (
            "SetQueueAttributes",
            "QueueUrl",
            json!({"QueueUrl": f.gone, "Attributes": {"DelaySeconds": "1"}}),
            no_queue(),
        ),
        (
            "SetQueueAttributes",
            "Attributes.DelaySeconds",
            json!({"QueueUrl": url, "Attributes": {"DelaySeconds": "-1"}}),
            attribute_value("DelaySeconds"),
        ),
        (
            "SetQueueAttributes",
            "Attributes.FifoQueue",
            json!({"QueueUrl": url, "Attributes": {"FifoQueue": "true"}}),
            attribute_name("Unknown Attribute FifoQueue."),
        ),
        (
            "SetQueueAttributes",
            "Attributes",
            json!({"QueueUrl": url, "Attributes": {"QueueArn": "x"}}),
            attribute_name("Unknown Attribute QueueArn."),
        ),
        // PurgeQueue
        ("PurgeQueue", "QueueUrl", json!({}), missing("QueueUrl")),
        (
            "PurgeQueue",
            "QueueUrl",
            json!({"QueueUrl": f.gone}),
            no_queue(),
        ),
        // TagQueue
        (
            "TagQueue",
            "QueueUrl",
            json!({"Tags": {"k": "v"}}),
            missing("QueueUrl"),
        ),
        (
            "TagQueue",
            "QueueUrl",
            json!({"QueueUrl": f.gone, "Tags": {"k": "v"}}),
            no_queue(),
        ),
        ("TagQueue", "Tags", json!({"QueueUrl": url}), missing("Tags")),
        (
            "TagQueue",
            "Tags",
            json!({"QueueUrl": url, "Tags": {}}),
            missing("Tags"),
        ),
        (
            "TagQueue",
            "Tags",
            json!({"QueueUrl": url, "Tags": many_tags}),
            invalid("Too many tags added for queue q."),
        ),
        (
            "TagQueue",
            "Tags",
            json!({"QueueUrl": url, "Tags": {"": "v"}}),
            invalid(KEY_RULE),
        ),
        (
            "TagQueue",
            "Tags",
            json!({"QueueUrl": url, "Tags": {"k": "v".repeat(257)}}),
            invalid("Tag values must be between 0 and 256 characters in length."),
        ),
        (
            "TagQueue",
            "Tags",
            json!({"QueueUrl": url, "Tags": {"aws:k": "v"}}),
            invalid("Tag key aws:k is invalid: keys starting with aws: are reserved for use by AWS."),
        ),
        (
            "TagQueue",
            "Tags",
            json!({"QueueUrl": url, "Tags": {"k": ""}}),
            Want::Ok,
        ),
        // UntagQueue
        (
            "UntagQueue",
            "QueueUrl",
            json!({"TagKeys": ["k"]}),
            missing("QueueUrl"),
        ),
        (
            "UntagQueue",
            "QueueUrl",
            json!({"QueueUrl": f.gone, "TagKeys": ["k"]}),
            no_queue(),
        ),
        (
            "UntagQueue",
            "TagKeys",
            json!({"QueueUrl": url}),
            invalid(KEY_RULE),
        ),
        (
            "UntagQueue",
            "TagKeys",
            json!({"QueueUrl": url, "TagKeys": [too_long.clone()]}),
            invalid(KEY_RULE),
        ),
        (
            "UntagQueue",
            "TagKeys",
            json!({"QueueUrl": url, "TagKeys": ["k", "never-set"]}),
            Want::Ok,
        ),
        // ListQueueTags
        ("ListQueueTags", "QueueUrl", json!({}), missing("QueueUrl")),
        (
            "ListQueueTags",
            "QueueUrl",
            json!({"QueueUrl": f.gone}),
            no_queue(),
        ),
        (
            "ListQueueTags",
            "QueueUrl",
            json!({"QueueUrl": url}),
            Want::Ok,
        ),
        // SendMessage
        (
            "SendMessage",
            "QueueUrl",
            json!({"MessageBody": "x"}),
            missing("QueueUrl"),
        ),
        (
            "SendMessage",
            "QueueUrl",
            json!({"QueueUrl": f.gone, "MessageBody": "x"}),
            no_queue(),
        ),
        (
            "SendMessage",
            "MessageBody",
            json!({"QueueUrl": url}),
            missing("MessageBody"),
        ),
        (
            "SendMessage",
            "MessageBody",
            json!({"QueueUrl": url, "MessageBody": ""}),
            missing("MessageBody"),
        ),
        (
            "SendMessage",
            "MessageBody",
            json!({"QueueUrl": url, "MessageBody": "a\u{1}b"}),
            Want::Error {
                status: 400,
                json: "InvalidMessageContents",
                query: "InvalidMessageContents",
                message: "Invalid binary character '#x1' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF".into(),
            },
        ),
        (
            "SendMessage",
            "MessageBody",
            json!({"QueueUrl": f.small, "MessageBody": "x".repeat(1025)}),
            invalid(
                "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.",
            ),
        ),
        (
            "SendMessage",
            "DelaySeconds",
            send(json!({"DelaySeconds": 901})),
            bad_value(
                "DelaySeconds",
                901,
                "DelaySeconds must be >= 0 and <= 900.",
            ),
        ),
        (
            "SendMessage",
            "DelaySeconds",
            send(json!({"DelaySeconds": -1})),
            bad_value("DelaySeconds", -1, "DelaySeconds must be >= 0 and <= 900."),
        ),
        (
            "SendMessage",
            "MessageGroupId",
            send(json!({"MessageGroupId": ""})),
            group_rule(""),
        ),
        (
            "SendMessage",
            "MessageGroupId",
            send(json!({"MessageGroupId": too_long})),
            group_rule(&too_long),
        ),
        (
            "SendMessage",
            "MessageGroupId",
            send(json!({"MessageGroupId": "group 123"})),
            group_rule("group 123"),
        ),
        (
            "SendMessage",
            "MessageGroupId",
            send(json!({"MessageGroupId": "g-1"})),
            Want::Ok,
        ),
        (
            "SendMessage",
            "MessageDeduplicationId",
            send(json!({"MessageDeduplicationId": "d"})),
            bad_value(
                "MessageDeduplicationId",
                "d",
                "The request include parameter that is not valid for this queue type.",
            ),
        ),
        (
            "SendMessage",
            "MessageAttributes (name)",
            send(json!({"MessageAttributes": {"attr.1øßä": attr("String", "v")}})),
            Want::Ok,
        ),
        (
            "SendMessage",
            "MessageAttributes (name)",
            send(json!({"MessageAttributes": {"AWS.x": attr("String", "v")}})),
            invalid(
                "You can't use message attribute names beginning with 'AWS.' or 'Amazon.'. These strings are reserved for internal use by Amazon SQS. Attribute name: AWS.x",
            ),
        ),
        (
            "SendMessage",
            "MessageAttributes (name)",
            send(json!({"MessageAttributes": {"a b": attr("String", "v")}})),
            invalid(
                "Message (user) attribute name can only contain alphanumeric characters, hyphens, underscores and periods, and cannot start or end with a period or contain two periods in a row. Attribute name: a b",
            ),
        ),
        (
            "SendMessage",
            "MessageAttributes (DataType)",
            send(json!({"MessageAttributes": {"t": attr("Text", "v")}})),
            invalid(
                "The type of message (user) attribute 't' is invalid. You must use only the following supported type prefixes: Binary, Number, String.",
            ),
        ),
        (
            "SendMessage",
            "MessageAttributes (StringValue)",
            send(json!({"MessageAttributes": {"ErrorDetails": attr("String", "")}})),
            invalid(
                "Message (user) attribute 'ErrorDetails' must contain a non-empty value of type 'String'.",
            ),
        ),
        (
            "SendMessage",
            "MessageAttributes (StringValue)",
            send(json!({"MessageAttributes": {"s": attr("String", "a\u{8}")}})),
            invalid(
                "Invalid binary character '#x8' was found in the value of message (user) attribute 's'.",
            ),
        ),
        (
            "SendMessage",
            "MessageAttributes (Number)",
            send(json!({"MessageAttributes": {"n": attr("Number", "ten")}})),
            invalid("Can't cast the value of message (user) attribute 'n' to a number."),
        ),
        (
            "SendMessage",
            "MessageAttributes (count)",
            send(json!({"MessageAttributes": eleven_attrs})),
            invalid("Number of message attributes [11] exceeds the allowed maximum [10]."),
        ),
        (
            "SendMessage",
            "MessageSystemAttributes",
            send(json!({"MessageSystemAttributes": {"Other": attr("String", "x")}})),
            invalid("Message system attribute name 'Other' is invalid."),
        ),
        (
            "SendMessage",
            "MessageSystemAttributes",
            send(json!({"MessageSystemAttributes": {"AWSTraceHeader": attr("Number", "1")}})),
            invalid("Message system attribute 'AWSTraceHeader' must be of type 'String'."),
        ),
        // SendMessageBatch
        (
            "SendMessageBatch",
            "QueueUrl",
            json!({"Entries": entries(1)}),
            missing("QueueUrl"),
        ),
        (
            "SendMessageBatch",
            "Entries",
            json!({"QueueUrl": url, "Entries": []}),
            batch(
                "EmptyBatchRequest",
                "There should be at least one SendMessageBatchRequestEntry in the request.",
            ),
        ),
        (
            "SendMessageBatch",
            "Entries",
            json!({"QueueUrl": url, "Entries": entries(11)}),
            batch(
                "TooManyEntriesInBatchRequest",
                "Maximum number of entries per request are 10. You have sent 11.",
            ),
        ),
        (
            "SendMessageBatch",
            "Entries.Id",
            json!({"QueueUrl": url, "Entries": same_ids}),
            batch("BatchEntryIdsNotDistinct", "Id a repeated."),
        ),
        (
            "SendMessageBatch",
            "Entries.Id",
            json!({"QueueUrl": url, "Entries": bad_id}),
            batch(
                "InvalidBatchEntryId",
                "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.",
            ),
        ),
        (
            "SendMessageBatch",
            "Entries (size)",
            json!({"QueueUrl": url, "Entries": [
                {"Id": "1", "MessageBody": "a".repeat(1_048_576 - 8),
                 "MessageAttributes": {"k": attr("String", "x")}},
                {"Id": "2", "MessageBody": "a"},
            ]}),
            batch(
                "BatchRequestTooLong",
                "Batch requests cannot be longer than 1048576 bytes. You have sent 1048577 bytes.",
            ),
        ),
        // ReceiveMessage
        ("ReceiveMessage", "QueueUrl", json!({}), missing("QueueUrl")),
        (
            "ReceiveMessage",
            "QueueUrl",
            json!({"QueueUrl": f.gone}),
            no_queue(),
        ),
        (
            "ReceiveMessage",
            "MaxNumberOfMessages",
            json!({"QueueUrl": url, "MaxNumberOfMessages": 11}),
            bad_value(
                "MaxNumberOfMessages",
                11,
                "Must be between 1 and 10, if provided.",
            ),
        ),
        (
            "ReceiveMessage",
            "MaxNumberOfMessages",
            json!({"QueueUrl": url, "MaxNumberOfMessages": 0}),
            bad_value(
                "MaxNumberOfMessages",
                0,
                "Must be between 1 and 10, if provided.",
            ),
        ),
        (
            "ReceiveMessage",
            "WaitTimeSeconds",
            json!({"QueueUrl": url, "WaitTimeSeconds": 21}),
            bad_value(
                "WaitTimeSeconds",
                21,
                "Must be >= 0 and <= 20, if provided.",
            ),
        ),
        (
            "ReceiveMessage",
            "WaitTimeSeconds",
            json!({"QueueUrl": url, "WaitTimeSeconds": -1}),
            bad_value(
                "WaitTimeSeconds",
                -1,
                "Must be >= 0 and <= 20, if provided.",
            ),
        ),
        (
            "ReceiveMessage",
            "VisibilityTimeout",
            json!({"QueueUrl": url, "VisibilityTimeout": 43201}),
            bad_value(
                "VisibilityTimeout",
                43201,
                "Must be >= 0 and <= 43200, if provided.",
            ),
        ),
        (
            "ReceiveMessage",
            "VisibilityTimeout",
            json!({"QueueUrl": url, "VisibilityTimeout": -1}),
            bad_value(
                "VisibilityTimeout",
                -1,
                "Must be >= 0 and <= 43200, if provided.",
            ),
        ),
        // DeleteMessage
        (
            "DeleteMessage",
            "QueueUrl",
            json!({"ReceiptHandle": f.deleted}),
            missing("QueueUrl"),
        ),
        (
            "DeleteMessage",
            "ReceiptHandle",
            json!({"QueueUrl": url}),
            missing("ReceiptHandle"),
        ),
        (
            "DeleteMessage",
            "ReceiptHandle",
            json!({"QueueUrl": url, "ReceiptHandle": "garbage"}),
            Want::Error {
                status: 400,
                json: "ReceiptHandleIsInvalid",
                query: "ReceiptHandleIsInvalid",
                message: "The input receipt handle \"garbage\" is not a valid receipt handle."
                    .into(),
            },
        ),
        (
            "DeleteMessage",
            "ReceiptHandle",
            json!({"QueueUrl": url, "ReceiptHandle": f.deleted}),
            Want::Ok,
        ),
        // DeleteMessageBatch
        (
            "DeleteMessageBatch",
            "QueueUrl",
            json!({"Entries": entries(1)}),
            missing("QueueUrl"),
        ),
        (
            "DeleteMessageBatch",
            "Entries",
            json!({"QueueUrl": url, "Entries": []}),
            batch(
                "EmptyBatchRequest",
                "There should be at least one DeleteMessageBatchRequestEntry in the request.",
            ),
        ),
        (
            "DeleteMessageBatch",
            "Entries",
            json!({"QueueUrl": url, "Entries": entries(11)}),
            batch(
                "TooManyEntriesInBatchRequest",
                "Maximum number of entries per request are 10. You have sent 11.",
            ),
        ),
        (
            "DeleteMessageBatch",
            "Entries.Id",
            json!({"QueueUrl": url, "Entries": bad_id}),
            batch(
                "InvalidBatchEntryId",
                "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.",
            ),
        ),
        // ChangeMessageVisibility
        (
            "ChangeMessageVisibility",
            "QueueUrl",
            json!({"ReceiptHandle": f.deleted, "VisibilityTimeout": 1}),
            missing("QueueUrl"),
        ),
        (
            "ChangeMessageVisibility",
            "ReceiptHandle",
            json!({"QueueUrl": url, "VisibilityTimeout": 1}),
            missing("ReceiptHandle"),
        ),
        (
            "ChangeMessageVisibility",
            "VisibilityTimeout",
            json!({"QueueUrl": url, "ReceiptHandle": f.deleted}),
            missing("VisibilityTimeout"),
        ),
        (
            "ChangeMessageVisibility",
            "VisibilityTimeout",
            json!({"QueueUrl": url, "ReceiptHandle": f.deleted, "VisibilityTimeout": 43201}),
            bad_value(
                "VisibilityTimeout",
                43201,
                "Must be between 0 and 43200, if provided.",
            ),
        ),
        (
            "ChangeMessageVisibility",
            "ReceiptHandle",
            json!({"QueueUrl": url, "ReceiptHandle": "garbage", "VisibilityTimeout": 1}),
            Want::Error {
                status: 400,
                json: "ReceiptHandleIsInvalid",
                query: "ReceiptHandleIsInvalid",
                message: "The input receipt handle \"garbage\" is not a valid receipt handle."
                    .into(),
            },
        ),
        (
            "ChangeMessageVisibility",
            "ReceiptHandle",
            json!({"QueueUrl": url, "ReceiptHandle": f.deleted, "VisibilityTimeout": 1}),
            bad_value(
                "ReceiptHandle",
                &f.deleted,
                "Message does not exist or is not available for visibility timeout change.",
            ),
        ),
        // ChangeMessageVisibilityBatch
        (
            "ChangeMessageVisibilityBatch",
            "QueueUrl",
            json!({"Entries": entries(1)}),
            missing("QueueUrl"),
        ),
        (
            "ChangeMessageVisibilityBatch",
            "Entries",
            json!({"QueueUrl": url, "Entries": []}),
            batch(
                "EmptyBatchRequest",
                "There should be at least one ChangeMessageVisibilityBatchRequestEntry in the request.",
            ),
        ),
        (
            "ChangeMessageVisibilityBatch",
            "Entries",
            json!({"QueueUrl": url, "Entries": entries(11)}),
            batch(
                "TooManyEntriesInBatchRequest",
                "Maximum number of entries per request are 10. You have sent 11.",
            ),
        ),
        (
            "ChangeMessageVisibilityBatch",
            "Entries.Id",
            json!({"QueueUrl": url, "Entries": [
                {"Id": "a", "ReceiptHandle": "h", "VisibilityTimeout": 1},
                {"Id": "a", "ReceiptHandle": "h", "VisibilityTimeout": 1},
            ]}),
            batch("BatchEntryIdsNotDistinct", "Id a repeated."),
        ),
    ]
}

async fn call(server: &TestServer, op: &str, body: &Value) -> (u16, String, Value) {
    let target = format!("AmazonSQS.{op}");
    let headers = [
        ("x-amz-target", target.as_str()),
        ("content-type", "application/x-amz-json-1.0"),
    ];
    let (status, h, bytes) = http_full(
        &server.url,
        "POST",
        "/",
        &headers,
        Bytes::from(body.to_string()),
    )
    .await;
    let query = h
        .get("x-amzn-query-error")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (
        status,
        query,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn fixture(server: &TestServer) -> Fixture {
    let url = |body: Value| body["QueueUrl"].as_str().expect("url").to_string();
    let q = url(call(server, "CreateQueue", &json!({"QueueName": "q"}))
        .await
        .2);
    let small = json!({"QueueName": "small", "Attributes": {"MaximumMessageSize": "1024"}});
    let small = url(call(server, "CreateQueue", &small).await.2);
    let send = json!({"QueueUrl": q, "MessageBody": "to delete"});
    assert_eq!(call(server, "SendMessage", &send).await.0, 200);
    let got = call(server, "ReceiveMessage", &json!({"QueueUrl": q}))
        .await
        .2;
    let deleted = got["Messages"][0]["ReceiptHandle"]
        .as_str()
        .expect("handle")
        .to_string();
    let delete = json!({"QueueUrl": q, "ReceiptHandle": deleted});
    assert_eq!(call(server, "DeleteMessage", &delete).await.0, 200);
    Fixture {
        gone: q.replace("/q", "/gone"),
        url: q,
        small,
        deleted,
    }
}

#[tokio::test]
async fn every_parameter_gets_aws_validation() {
    let server = TestServer::start();
    let f = fixture(&server).await;
    let mut failures = Vec::new();
    for (op, parameter, body, want) in rows(&f) {
        let (status, query, answer) = call(&server, op, &body).await;
        let got = if status == 200 {
            Want::Ok.answer()
        } else {
            let json = answer["__type"]
                .as_str()
                .and_then(|t| t.strip_prefix("com.amazonaws.sqs#"))
                .unwrap_or("?");
            let query = query.strip_suffix(";Sender").unwrap_or("?");
            let message = answer["message"].as_str().unwrap_or_default();
            (
                status,
                json.to_string(),
                query.to_string(),
                message.to_string(),
            )
        };
        let want = want.answer();
        if got != want {
            failures.push(format!(
                "{op} {parameter}:\n  want {want:?}\n  got  {got:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Nothing refused was created or stored: only the fixture's queues and no message.
    let listed = call(&server, "ListQueues", &json!({})).await.2;
    assert_eq!(listed["QueueUrls"].as_array().map(Vec::len), Some(2));
}

#[test]
fn every_served_operation_has_rows() {
    let f = Fixture {
        url: "u".into(),
        small: "s".into(),
        gone: "g".into(),
        deleted: "d".into(),
    };
    let covered: std::collections::BTreeSet<&str> = rows(&f).iter().map(|(op, ..)| *op).collect();
    for op in SERVED {
        assert!(covered.contains(op), "{op} has no validation rows");
    }
    assert_eq!(
        covered.len(),
        SERVED.len(),
        "a row names an unknown operation"
    );
}

/// Operations of the model lambkin does not implement answer `UnsupportedOperation` in both
/// codes; an unknown target too.
#[tokio::test]
async fn other_operations_are_unsupported() {
    let server = TestServer::start();
    for op in [
        "AddPermission",
        "RemovePermission",
        "StartMessageMoveTask",
        "CancelMessageMoveTask",
        "ListMessageMoveTasks",
    ] {
        assert!(!SERVED.contains(&op));
        let (status, query, body) = call(&server, op, &json!({})).await;
        assert_eq!(
            (status, query.as_str(), body["__type"].as_str()),
            (
                400,
                "AWS.SimpleQueueService.UnsupportedOperation;Sender",
                Some("com.amazonaws.sqs#UnsupportedOperation")
            ),
            "{op}"
        );
    }
}
