//! The catalogue of SNS validation: every operation lambkin serves, every parameter of each,
//! and the checks each gets, one row per check, sent as a raw query request (so that what an
//! SDK refuses before sending, such as a missing parameter, is checked too) and compared with
//! AWS's status, code and message. A parameter without a row fails the test: a missing check
//! shows as a missing row, not as silence. Messages marked AWS are recorded from AWS
//! (LocalStack's validated snapshots, moto); the rest are lambkin's choices, listed in
//! docs/api-compat.md.

use bytes::Bytes;

use super::*;

/// Every operation lambkin serves and every parameter of its input in the SNS model.
const SERVED: &[(&str, &[&str])] = &[
    (
        "CreateTopic",
        &["Name", "Attributes", "Tags", "DataProtectionPolicy"],
    ),
    ("DeleteTopic", &["TopicArn"]),
    ("ListTopics", &["NextToken"]),
    ("GetTopicAttributes", &["TopicArn"]),
    (
        "SetTopicAttributes",
        &["TopicArn", "AttributeName", "AttributeValue"],
    ),
    (
        "AddPermission",
        &["TopicArn", "Label", "AWSAccountId", "ActionName"],
    ),
    ("RemovePermission", &["TopicArn", "Label"]),
    ("TagResource", &["ResourceArn", "Tags"]),
    ("UntagResource", &["ResourceArn", "TagKeys"]),
    ("ListTagsForResource", &["ResourceArn"]),
    (
        "Subscribe",
        &[
            "TopicArn",
            "Protocol",
            "Endpoint",
            "Attributes",
            "ReturnSubscriptionArn",
        ],
    ),
    (
        "ConfirmSubscription",
        &["TopicArn", "Token", "AuthenticateOnUnsubscribe"],
    ),
    ("Unsubscribe", &["SubscriptionArn"]),
    ("ListSubscriptions", &["NextToken"]),
    ("ListSubscriptionsByTopic", &["TopicArn", "NextToken"]),
    ("GetSubscriptionAttributes", &["SubscriptionArn"]),
    (
        "SetSubscriptionAttributes",
        &["SubscriptionArn", "AttributeName", "AttributeValue"],
    ),
    (
        "Publish",
        &[
            "TopicArn",
            "TargetArn",
            "PhoneNumber",
            "Message",
            "Subject",
            "MessageStructure",
            "MessageAttributes",
            "MessageDeduplicationId",
            "MessageGroupId",
        ],
    ),
    ("PublishBatch", &["TopicArn", "PublishBatchRequestEntries"]),
];

/// What a row expects: success, or AWS's status, code and message.
#[derive(Debug, Clone, PartialEq)]
enum Want {
    Ok,
    Err(u16, &'static str, String),
}

fn ok() -> Want {
    Want::Ok
}

fn bad(message: impl Into<String>) -> Want {
    Want::Err(400, "InvalidParameter", message.into())
}

fn value_invalid(message: impl Into<String>) -> Want {
    Want::Err(400, "ParameterValueInvalid", message.into())
}

fn validation(message: impl Into<String>) -> Want {
    Want::Err(400, "ValidationError", message.into())
}

fn required(name: &str) -> Want {
    bad(format!(
        "Invalid parameter: {name} Reason: no value for required parameter"
    ))
}

fn too_few(name: &str, n: usize) -> Want {
    bad(format!(
        "Invalid parameter: {name} Reason: An ARN must have at least 6 elements, not {n}"
    ))
}

struct Row {
    op: &'static str,
    param: &'static str,
    case: &'static str,
    form: Vec<(String, String)>,
    want: Want,
}

fn row(
    op: &'static str,
    param: &'static str,
    case: &'static str,
    form: &[(&str, &str)],
    want: Want,
) -> Row {
    Row {
        op,
        param,
        case,
        form: form
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        want,
    }
}

/// The text of `<tag>` in an XML answer, unescaped.
fn element(body: &str, tag: &str) -> String {
    let open = format!("<{tag}>");
    let Some(start) = body.find(&open) else {
        return String::new();
    };
    let rest = &body[start + open.len()..];
    let end = rest.find(&format!("</{tag}>")).unwrap_or(rest.len());
    rest[..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#13;", "\r")
        .replace("&amp;", "&")
}

async fn send(url: &str, op: &str, form: &[(String, String)]) -> Want {
    let mut body = form_urlencoded::Serializer::new(String::new());
    body.append_pair("Action", op)
        .append_pair("Version", "2010-03-31");
    for (k, v) in form {
        body.append_pair(k, v);
    }
    let (status, _, bytes) = http_full(
        url,
        "POST",
        "/",
        &[("content-type", "application/x-www-form-urlencoded")],
        Bytes::from(body.finish()),
    )
    .await;
    let text = String::from_utf8_lossy(&bytes).to_string();
    if status == 200 {
        return Want::Ok;
    }
    let code = element(&text, "Code");
    let code: &'static str = Box::leak(code.into_boxed_str());
    Want::Err(status, code, element(&text, "Message"))
}

/// `Attributes.entry.1.key=<k>&...value=<v>` (Subscribe, CreateTopic).
fn attribute<'a>(k: &'a str, v: &'a str) -> [(&'static str, &'a str); 2] {
    [
        ("Attributes.entry.1.key", k),
        ("Attributes.entry.1.value", v),
    ]
}

#[tokio::test]
async fn sns_every_operation_and_parameter_has_its_checks() {
    let s = TestServer::start();
    let sns = sns_client(&s.url);
    let topic = create(&sns, "cat").await;
    let sub = sns
        .subscribe()
        .topic_arn(&topic)
        .protocol("sqs")
        .endpoint(QUEUE)
        .send()
        .await
        .unwrap()
        .subscription_arn()
        .unwrap()
        .to_string();
    let lambda_sub = sns
        .subscribe()
        .topic_arn(&topic)
        .protocol("lambda")
        .endpoint(FUNCTION)
        .send()
        .await
        .unwrap()
        .subscription_arn()
        .unwrap()
        .to_string();
    let t = topic.as_str();
    let missing = "arn:aws:sns:us-east-1:000000000000:missing";
    let elsewhere = "arn:aws:sns:eu-west-1:000000000000:cat";
    let five = "arn:aws:sns:us-east-1:random";
    let missing_sub = format!("{t}:9b2ff3ed-0000-4000-8000-000000000000");
    let sub_id = sub.rsplit(':').next().expect("subscription id");
    let hex_token = "5".repeat(288);
    let long_name = "a".repeat(257);
    let long_key = "k".repeat(129);
    let long_value = "v".repeat(257);
    let long_id = "a".repeat(81);
    let too_long = "x".repeat(256 * 1024 + 1);
    let half = "x".repeat(130 * 1024);
    let subject_101 = "s".repeat(101);
    let many_tags: Vec<(String, String)> = (1..=51)
        .flat_map(|i| {
            [
                (format!("Tags.member.{i}.Key"), format!("k{i}")),
                (format!("Tags.member.{i}.Value"), "v".to_string()),
            ]
        })
        .collect();
    let many_tags: Vec<(&str, &str)> = many_tags
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let eleven: Vec<(String, String)> = (1..=11)
        .flat_map(|i| {
            [
                (
                    format!("PublishBatchRequestEntries.member.{i}.Id"),
                    format!("e{i}"),
                ),
                (
                    format!("PublishBatchRequestEntries.member.{i}.Message"),
                    "m".to_string(),
                ),
            ]
        })
        .collect();
    let eleven: Vec<(&str, &str)> = eleven
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let fifo = "Invalid parameter: FifoTopic Reason: lambkin does not support FIFO topics";
    let topic_name = "Invalid parameter: Topic Name";
    let type_prefixes = "The message attribute 'attr1' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.";

    // Message attribute `attr1` with the given value fields (for Publish).
    let ma = |fields: &[(&'static str, &'static str)]| -> Vec<(String, String)> {
        let mut form = vec![
            ("TopicArn".to_string(), topic.clone()),
            ("Message".to_string(), "m".to_string()),
            (
                "MessageAttributes.entry.1.Name".to_string(),
                "attr1".to_string(),
            ),
        ];
        form.extend(fields.iter().map(|(k, v)| {
            (
                format!("MessageAttributes.entry.1.Value.{k}"),
                v.to_string(),
            )
        }));
        form
    };
    let named = |name: &str| -> Vec<(String, String)> {
        vec![
            ("TopicArn".to_string(), topic.clone()),
            ("Message".to_string(), "m".to_string()),
            (
                "MessageAttributes.entry.1.Name".to_string(),
                name.to_string(),
            ),
            (
                "MessageAttributes.entry.1.Value.DataType".to_string(),
                "String".to_string(),
            ),
            (
                "MessageAttributes.entry.1.Value.StringValue".to_string(),
                "v".to_string(),
            ),
        ]
    };
    let raw = |op, param, case, form: Vec<(String, String)>, want| Row {
        op,
        param,
        case,
        form,
        want,
    };
    let e = "PublishBatchRequestEntries.member";

    let rows = vec![
        // CreateTopic
        row("CreateTopic", "Name", "missing", &[], required("Name")),
        row("CreateTopic", "Name", "space (AWS)", &[("Name", "bad name")], bad(topic_name)),
        row("CreateTopic", "Name", "257 characters", &[("Name", &long_name)], bad(topic_name)),
        row("CreateTopic", "Name", ".fifo without FifoTopic (AWS)", &[("Name", "t.fifo")], bad(topic_name)),
        row(
            "CreateTopic",
            "Attributes",
            "FifoTopic=true",
            &[("Name", "t.fifo"), ("Attributes.entry.1.key", "FifoTopic"), ("Attributes.entry.1.value", "true")],
            bad(fifo),
        ),
        row("CreateTopic", "Attributes", "unknown name", &[&[("Name", "x")][..], &attribute("Colour", "red")].concat(), bad("Invalid parameter: AttributeName")),
        row("CreateTopic", "Attributes", "policy not JSON", &[&[("Name", "x")][..], &attribute("Policy", "nope")].concat(), bad("Invalid parameter: Policy: failed to parse JSON.")),
        row("CreateTopic", "Attributes", "SignatureVersion 3", &[&[("Name", "x")][..], &attribute("SignatureVersion", "3")].concat(), bad("Invalid parameter: SignatureVersion")),
        row("CreateTopic", "Attributes", "FifoTopic=false accepted", &[&[("Name", "cat")][..], &attribute("FifoTopic", "false")].concat(), ok()),
        row(
            "CreateTopic",
            "Attributes",
            "existing topic, other attributes (AWS)",
            &[&[("Name", "cat")][..], &attribute("DisplayName", "other")].concat(),
            bad("Invalid parameter: Attributes Reason: Topic already exists with different attributes"),
        ),
        row(
            "CreateTopic",
            "Tags",
            "duplicated key (AWS)",
            &[("Name", "x"), ("Tags.member.1.Key", "k"), ("Tags.member.1.Value", "a"), ("Tags.member.2.Key", "k"), ("Tags.member.2.Value", "b")],
            bad("Invalid parameter: Duplicated keys are not allowed."),
        ),
        row(
            "CreateTopic",
            "Tags",
            "key of 129 characters",
            &[("Name", "x"), ("Tags.member.1.Key", &long_key), ("Tags.member.1.Value", "v")],
            validation(format!("1 validation error detected: Value '{long_key}' at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128")),
        ),
        row("CreateTopic", "Tags", "51 tags", &[&[("Name", "x")][..], &many_tags].concat(), Want::Err(400, "TagLimitExceeded", "Could not complete request: tag quota of per resource exceeded".into())),
        row(
            "CreateTopic",
            "Tags",
            "existing topic, other tags (AWS)",
            &[("Name", "cat"), ("Tags.member.1.Key", "k"), ("Tags.member.1.Value", "v")],
            bad("Invalid parameter: Tags Reason: Topic already exists with different tags"),
        ),
        row("CreateTopic", "DataProtectionPolicy", "accepted, not applied", &[("Name", "cat"), ("DataProtectionPolicy", "{}")], ok()),
        // DeleteTopic
        row("DeleteTopic", "TopicArn", "missing", &[], required("TopicArn")),
        row("DeleteTopic", "TopicArn", "1 element (AWS)", &[("TopicArn", "test-topic")], too_few("TopicArn", 1)),
        row("DeleteTopic", "TopicArn", "5 elements (AWS)", &[("TopicArn", five)], too_few("TopicArn", 5)),
        row("DeleteTopic", "TopicArn", "another region (AWS)", &[("TopicArn", elsewhere)], bad("Invalid parameter: TopicArn")),
        row("DeleteTopic", "TopicArn", "no such topic: success (AWS)", &[("TopicArn", missing)], ok()),
        // ListTopics
        row("ListTopics", "NextToken", "not a token", &[("NextToken", "x")], bad("Invalid parameter: NextToken")),
        row("ListTopics", "NextToken", "empty", &[("NextToken", "")], ok()),
        // GetTopicAttributes
        row("GetTopicAttributes", "TopicArn", "missing", &[], required("TopicArn")),
        row("GetTopicAttributes", "TopicArn", "1 element (AWS)", &[("TopicArn", "test-topic")], too_few("TopicArn", 1)),
        row("GetTopicAttributes", "TopicArn", "sqs ARN", &[("TopicArn", QUEUE)], bad("Invalid parameter: TopicArn")),
        row("GetTopicAttributes", "TopicArn", "no such topic (AWS)", &[("TopicArn", missing)], Want::Err(404, "NotFound", "Topic does not exist".into())),
        // SetTopicAttributes
        row("SetTopicAttributes", "TopicArn", "missing", &[("AttributeName", "DisplayName")], required("TopicArn")),
        row("SetTopicAttributes", "TopicArn", "no such topic", &[("TopicArn", missing), ("AttributeName", "DisplayName"), ("AttributeValue", "x")], Want::Err(404, "NotFound", "Topic does not exist".into())),
        row("SetTopicAttributes", "AttributeName", "missing", &[("TopicArn", t)], required("AttributeName")),
        row("SetTopicAttributes", "AttributeName", "unknown", &[("TopicArn", t), ("AttributeName", "Bogus"), ("AttributeValue", "x")], bad("Invalid parameter: AttributeName")),
        row("SetTopicAttributes", "AttributeName", "FifoTopic after creation (AWS)", &[("TopicArn", t), ("AttributeName", "FifoTopic"), ("AttributeValue", "false")], bad("Invalid parameter: AttributeName")),
        row("SetTopicAttributes", "AttributeValue", "policy not JSON", &[("TopicArn", t), ("AttributeName", "Policy"), ("AttributeValue", "nope")], bad("Invalid parameter: Policy: failed to parse JSON.")),
        row("SetTopicAttributes", "AttributeValue", "display name", &[("TopicArn", t), ("AttributeName", "DisplayName"), ("AttributeValue", "Cat")], ok()),
        // AddPermission
        row("AddPermission", "TopicArn", "1 element", &[("TopicArn", "t"), ("Label", "l"), ("AWSAccountId.member.1", "1"), ("ActionName.member.1", "Publish")], too_few("TopicArn", 1)),
        row("AddPermission", "TopicArn", "no such topic (AWS)", &[("TopicArn", missing), ("Label", "l"), ("AWSAccountId.member.1", "1"), ("ActionName.member.1", "Publish")], Want::Err(404, "NotFound", "Topic does not exist".into())),
        row("AddPermission", "Label", "missing", &[("TopicArn", t), ("AWSAccountId.member.1", "1"), ("ActionName.member.1", "Publish")], required("Label")),
        row("AddPermission", "AWSAccountId", "missing", &[("TopicArn", t), ("Label", "l"), ("ActionName.member.1", "Publish")], required("AWSAccountId")),
        row("AddPermission", "ActionName", "missing", &[("TopicArn", t), ("Label", "l"), ("AWSAccountId.member.1", "1")], required("ActionName")),
        row("AddPermission", "ActionName", "not an SNS action (AWS)", &[("TopicArn", t), ("Label", "l"), ("AWSAccountId.member.1", "1"), ("ActionName.member.1", "InvalidAction")], bad("Invalid parameter: Policy statement action out of service scope!")),
        row("AddPermission", "Label", "new label", &[("TopicArn", t), ("Label", "l"), ("AWSAccountId.member.1", "111111111111"), ("ActionName.member.1", "Publish")], ok()),
        row("AddPermission", "Label", "label taken (AWS)", &[("TopicArn", t), ("Label", "l"), ("AWSAccountId.member.1", "1"), ("ActionName.member.1", "AddPermission")], bad("Invalid parameter: Statement already exists")),
        // RemovePermission
        row("RemovePermission", "TopicArn", "no such topic (AWS)", &[("TopicArn", missing), ("Label", "l")], Want::Err(404, "NotFound", "Topic does not exist".into())),
        row("RemovePermission", "Label", "missing", &[("TopicArn", t)], required("Label")),
        row("RemovePermission", "Label", "existing label", &[("TopicArn", t), ("Label", "l")], ok()),
        // TagResource
        row("TagResource", "ResourceArn", "missing", &[("Tags.member.1.Key", "k"), ("Tags.member.1.Value", "v")], required("ResourceArn")),
        row("TagResource", "ResourceArn", "1 element", &[("ResourceArn", "x"), ("Tags.member.1.Key", "k"), ("Tags.member.1.Value", "v")], too_few("ResourceArn", 1)),
        row("TagResource", "ResourceArn", "no such topic", &[("ResourceArn", missing), ("Tags.member.1.Key", "k"), ("Tags.member.1.Value", "v")], Want::Err(404, "ResourceNotFound", "Resource does not exist".into())),
        row("TagResource", "Tags", "missing", &[("ResourceArn", t)], required("Tags")),
        row(
            "TagResource",
            "Tags",
            "duplicated key (AWS)",
            &[("ResourceArn", t), ("Tags.member.1.Key", "k1"), ("Tags.member.1.Value", "v1"), ("Tags.member.2.Key", "k2"), ("Tags.member.2.Value", "v2"), ("Tags.member.3.Key", "k2"), ("Tags.member.3.Value", "v2")],
            bad("Invalid parameter: Duplicated keys are not allowed."),
        ),
        row(
            "TagResource",
            "Tags",
            "empty key and long value",
            &[("ResourceArn", t), ("Tags.member.1.Key", ""), ("Tags.member.1.Value", &long_value)],
            validation(format!("2 validation errors detected: Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1; Value '{long_value}' at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256")),
        ),
        row("TagResource", "Tags", "51 tags", &[&[("ResourceArn", t)][..], &many_tags].concat(), Want::Err(400, "TagLimitExceeded", "Could not complete request: tag quota of per resource exceeded".into())),
        row("TagResource", "Tags", "one tag", &[("ResourceArn", t), ("Tags.member.1.Key", "k"), ("Tags.member.1.Value", "")], ok()),
        // UntagResource
        row("UntagResource", "ResourceArn", "no such topic", &[("ResourceArn", missing), ("TagKeys.member.1", "k")], Want::Err(404, "ResourceNotFound", "Resource does not exist".into())),
        row("UntagResource", "TagKeys", "missing", &[("ResourceArn", t)], required("TagKeys")),
        row("UntagResource", "TagKeys", "empty key", &[("ResourceArn", t), ("TagKeys.member.1", "")], validation("1 validation error detected: Value '' at 'tagKeys.1.member' failed to satisfy constraint: Member must have length greater than or equal to 1")),
        row("UntagResource", "TagKeys", "one key", &[("ResourceArn", t), ("TagKeys.member.1", "k")], ok()),
        // ListTagsForResource
        row("ListTagsForResource", "ResourceArn", "missing", &[], required("ResourceArn")),
        row("ListTagsForResource", "ResourceArn", "5 elements", &[("ResourceArn", five)], too_few("ResourceArn", 5)),
        row("ListTagsForResource", "ResourceArn", "no such topic", &[("ResourceArn", missing)], Want::Err(404, "ResourceNotFound", "Resource does not exist".into())),
        // Subscribe
        row("Subscribe", "TopicArn", "missing", &[("Protocol", "sqs"), ("Endpoint", QUEUE)], required("TopicArn")),
        row("Subscribe", "TopicArn", "1 element (AWS)", &[("TopicArn", "randomstring"), ("Protocol", "email"), ("Endpoint", "a@b.c")], too_few("TopicArn", 1)),
        row("Subscribe", "TopicArn", "5 elements (AWS)", &[("TopicArn", five), ("Protocol", "email"), ("Endpoint", "a@b.c")], too_few("TopicArn", 5)),
        row("Subscribe", "TopicArn", "no such topic (AWS)", &[("TopicArn", missing), ("Protocol", "sqs"), ("Endpoint", QUEUE)], Want::Err(404, "NotFound", "Topic does not exist".into())),
        row("Subscribe", "Protocol", "missing", &[("TopicArn", t), ("Endpoint", QUEUE)], required("Protocol")),
        row("Subscribe", "Protocol", "unknown (AWS)", &[("TopicArn", t), ("Protocol", "test-protocol"), ("Endpoint", "x")], bad("Invalid parameter: Amazon SNS does not support this protocol string: test-protocol")),
        row("Subscribe", "Protocol", "email, not delivered by lambkin", &[("TopicArn", t), ("Protocol", "email"), ("Endpoint", "a@b.c")], bad("Invalid parameter: Protocol Reason: lambkin supports the lambda, sqs, http and https protocols")),
        row("Subscribe", "Endpoint", "missing", &[("TopicArn", t), ("Protocol", "sqs")], bad("Invalid parameter: Endpoint")),
        row("Subscribe", "Endpoint", "queue URL for sqs (AWS)", &[("TopicArn", t), ("Protocol", "sqs"), ("Endpoint", "http://127.0.0.1/000000000000/q")], bad("Invalid parameter: SQS endpoint ARN")),
        row("Subscribe", "Endpoint", "FIFO queue (AWS)", &[("TopicArn", t), ("Protocol", "sqs"), ("Endpoint", "arn:aws:sqs:us-east-1:000000000000:q.fifo")], bad("Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics")),
        row("Subscribe", "Endpoint", "queue of another account", &[("TopicArn", t), ("Protocol", "sqs"), ("Endpoint", "arn:aws:sqs:us-east-1:999999999999:q")], bad("Invalid parameter: SQS endpoint ARN Reason: lambkin delivers only to queues in its own region (us-east-1) and account (000000000000)")),
        row("Subscribe", "Endpoint", "lambda: not a function ARN", &[("TopicArn", t), ("Protocol", "lambda"), ("Endpoint", QUEUE)], bad("Invalid parameter: Lambda endpoint ARN")),
        row("Subscribe", "Endpoint", "https with http URL (AWS)", &[("TopicArn", t), ("Protocol", "https"), ("Endpoint", "http://example.com")], bad("Invalid parameter: Endpoint must match the specified protocol")),
        row("Subscribe", "Attributes", "unknown name", &[&[("TopicArn", t), ("Protocol", "sqs"), ("Endpoint", QUEUE)][..], &attribute("Bogus", "1")].concat(), bad("Invalid parameter: Attributes Reason: AttributeName")),
        row("Subscribe", "Attributes", "RawMessageDelivery not boolean (AWS)", &[&[("TopicArn", t), ("Protocol", "sqs"), ("Endpoint", QUEUE)][..], &attribute("RawMessageDelivery", "wrongvalue")].concat(), bad("Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [wrongvalue]. Must be true or false.")),
        row("Subscribe", "Attributes", "raw delivery to lambda", &[&[("TopicArn", t), ("Protocol", "lambda"), ("Endpoint", FUNCTION)][..], &attribute("RawMessageDelivery", "true")].concat(), bad("Invalid parameter: Attributes Reason: Delivery protocol [lambda] does not support raw message delivery.")),
        row("Subscribe", "Attributes", "RedrivePolicy without an ARN", &[&[("TopicArn", t), ("Protocol", "sqs"), ("Endpoint", QUEUE)][..], &attribute("RedrivePolicy", r#"{"deadLetterTargetArn":"x"}"#)].concat(), bad("Invalid parameter: Attributes Reason: RedrivePolicy: deadLetterTargetArn is an invalid arn")),
        row("Subscribe", "Attributes", "FilterPolicy not JSON", &[&[("TopicArn", t), ("Protocol", "sqs"), ("Endpoint", QUEUE)][..], &attribute("FilterPolicy", "invalid")].concat(), bad("Invalid parameter: Attributes Reason: FilterPolicy: failed to parse JSON.")),
        row("Subscribe", "Attributes", "FilterPolicy, unknown match type", &[&[("TopicArn", t), ("Protocol", "sqs"), ("Endpoint", QUEUE)][..], &attribute("FilterPolicy", r#"{"a":[{"foo":1}]}"#)].concat(), bad("Invalid parameter: Attributes Reason: FilterPolicy: Unrecognized match type foo")),
        row("Subscribe", "Attributes", "FilterPolicyScope value", &[&[("TopicArn", t), ("Protocol", "sqs"), ("Endpoint", QUEUE)][..], &attribute("FilterPolicyScope", "Body")].concat(), bad("Invalid parameter: Attributes Reason: FilterPolicyScope: Invalid value [Body]. Please use either MessageBody or MessageAttributes")),
        row("Subscribe", "Attributes", "existing subscription, other attributes (AWS)", &[&[("TopicArn", t), ("Protocol", "sqs"), ("Endpoint", QUEUE)][..], &attribute("RawMessageDelivery", "true")].concat(), bad("Invalid parameter: Attributes Reason: Subscription already exists with different attributes")),
        row("Subscribe", "ReturnSubscriptionArn", "accepted (always confirmed)", &[("TopicArn", t), ("Protocol", "sqs"), ("Endpoint", QUEUE), ("ReturnSubscriptionArn", "true")], ok()),
        // ConfirmSubscription
        row("ConfirmSubscription", "TopicArn", "missing", &[("Token", "t")], required("TopicArn")),
        row("ConfirmSubscription", "TopicArn", "not an ARN", &[("TopicArn", "x"), ("Token", &hex_token)], bad("Invalid parameter: Topic")),
        row("ConfirmSubscription", "TopicArn", "no such topic", &[("TopicArn", missing), ("Token", &hex_token)], Want::Err(404, "NotFound", "Topic does not exist".into())),
        row("ConfirmSubscription", "Token", "a subscription's id (lambkin's token)", &[("TopicArn", t), ("Token", sub_id)], ok()),
        row("ConfirmSubscription", "Token", "a subscription's ARN", &[("TopicArn", t), ("Token", &sub)], ok()),
        row("ConfirmSubscription", "Token", "no such subscription id", &[("TopicArn", t), ("Token", "9b2ff3ed-0000-4000-8000-000000000000")], bad("Invalid token")),
        row("ConfirmSubscription", "Token", "missing", &[("TopicArn", t)], required("Token")),
        row("ConfirmSubscription", "Token", "not a token (AWS)", &[("TopicArn", t), ("Token", "randomtoken")], bad("Invalid token")),
        row("ConfirmSubscription", "Token", "unknown token (AWS)", &[("TopicArn", t), ("Token", &hex_token)], bad("Invalid parameter: Token")),
        row("ConfirmSubscription", "AuthenticateOnUnsubscribe", "not checked", &[("TopicArn", t), ("Token", &hex_token), ("AuthenticateOnUnsubscribe", "true")], bad("Invalid parameter: Token")),
        // Unsubscribe
        row("Unsubscribe", "SubscriptionArn", "missing (AWS)", &[], required("SubscriptionArn")),
        row("Unsubscribe", "SubscriptionArn", "1 element (AWS)", &[("SubscriptionArn", "randomstring")], too_few("SubscriptionArn", 1)),
        row("Unsubscribe", "SubscriptionArn", "5 elements (AWS)", &[("SubscriptionArn", five)], too_few("SubscriptionArn", 5)),
        row("Unsubscribe", "SubscriptionArn", "a topic ARN (AWS)", &[("SubscriptionArn", t)], bad("Invalid parameter: SubscriptionId")),
        row("Unsubscribe", "SubscriptionArn", "no such subscription: success (AWS)", &[("SubscriptionArn", &missing_sub)], ok()),
        // ListSubscriptions
        row("ListSubscriptions", "NextToken", "not a token", &[("NextToken", "-1")], bad("Invalid parameter: NextToken")),
        // ListSubscriptionsByTopic
        row("ListSubscriptionsByTopic", "TopicArn", "missing", &[], required("TopicArn")),
        row("ListSubscriptionsByTopic", "TopicArn", "no such topic", &[("TopicArn", missing)], Want::Err(404, "NotFound", "Topic does not exist".into())),
        row("ListSubscriptionsByTopic", "NextToken", "not a token", &[("TopicArn", t), ("NextToken", "x")], bad("Invalid parameter: NextToken")),
        // GetSubscriptionAttributes
        row("GetSubscriptionAttributes", "SubscriptionArn", "missing", &[], required("SubscriptionArn")),
        row("GetSubscriptionAttributes", "SubscriptionArn", "1 element", &[("SubscriptionArn", "x")], too_few("SubscriptionArn", 1)),
        row("GetSubscriptionAttributes", "SubscriptionArn", "no such subscription (AWS)", &[("SubscriptionArn", &missing_sub)], Want::Err(404, "NotFound", "Subscription does not exist".into())),
        // SetSubscriptionAttributes
        row("SetSubscriptionAttributes", "SubscriptionArn", "no such subscription", &[("SubscriptionArn", &missing_sub), ("AttributeName", "RawMessageDelivery"), ("AttributeValue", "true")], Want::Err(404, "NotFound", "Subscription does not exist".into())),
        row("SetSubscriptionAttributes", "AttributeName", "missing", &[("SubscriptionArn", &sub)], required("AttributeName")),
        row("SetSubscriptionAttributes", "AttributeName", "unknown (AWS)", &[("SubscriptionArn", &sub), ("AttributeName", "FakeAttribute"), ("AttributeValue", "x")], bad("Invalid parameter: AttributeName")),
        row("SetSubscriptionAttributes", "AttributeValue", "RawMessageDelivery not boolean (AWS)", &[("SubscriptionArn", &sub), ("AttributeName", "RawMessageDelivery"), ("AttributeValue", "test-ValUe")], bad("Invalid parameter: RawMessageDelivery: Invalid value [test-ValUe]. Must be true or false.")),
        row("SetSubscriptionAttributes", "AttributeValue", "RawMessageDelivery empty (AWS)", &[("SubscriptionArn", &sub), ("AttributeName", "RawMessageDelivery"), ("AttributeValue", "")], bad("Invalid parameter: RawMessageDelivery: Invalid value []. Must be true or false.")),
        row("SetSubscriptionAttributes", "AttributeValue", "RedrivePolicy with a fake ARN (AWS)", &[("SubscriptionArn", &sub), ("AttributeName", "RedrivePolicy"), ("AttributeValue", r#"{"deadLetterTargetArn":"fake-arn"}"#)], bad("Invalid parameter: RedrivePolicy: deadLetterTargetArn is an invalid arn")),
        row("SetSubscriptionAttributes", "AttributeValue", "raw delivery to lambda", &[("SubscriptionArn", &lambda_sub), ("AttributeName", "RawMessageDelivery"), ("AttributeValue", "true")], bad("Invalid parameter: Delivery protocol [lambda] does not support raw message delivery.")),
        row("SetSubscriptionAttributes", "AttributeValue", "RawMessageDelivery false", &[("SubscriptionArn", &sub), ("AttributeName", "RawMessageDelivery"), ("AttributeValue", "false")], ok()),
        // Publish
        row("Publish", "TopicArn", "2 elements (AWS)", &[("TopicArn", "test:topic"), ("Message", "m")], too_few("TopicArn", 2)),
        row("Publish", "TopicArn", "another region (AWS)", &[("TopicArn", elsewhere), ("Message", "m")], bad("Invalid parameter: TopicArn")),
        row("Publish", "TopicArn", "no such topic (AWS)", &[("TopicArn", missing), ("Message", "m")], Want::Err(404, "NotFound", "Topic does not exist".into())),
        row("Publish", "TopicArn", "with TargetArn too", &[("TopicArn", t), ("TargetArn", t), ("Message", "m")], bad("Invalid parameter: TopicArn or TargetArn Reason: Only one of TopicArn or TargetArn may be specified")),
        row("Publish", "TopicArn", "neither TopicArn nor TargetArn", &[("Message", "m")], bad("Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter")),
        row("Publish", "TargetArn", "platform endpoint (AWS)", &[("TargetArn", "arn:aws:sns:us-east-1:000000000000:endpoint/GCM/app/1"), ("Message", "m")], bad("Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified")),
        row("Publish", "TargetArn", "1 element", &[("TargetArn", "x"), ("Message", "m")], too_few("TargetArn", 1)),
        row("Publish", "TargetArn", "a topic", &[("TargetArn", t), ("Message", "m")], ok()),
        row("Publish", "PhoneNumber", "not E.164 (AWS)", &[("PhoneNumber", "+1a234"), ("Message", "m")], bad("Invalid parameter: PhoneNumber Reason: +1a234 is not valid to publish to")),
        row("Publish", "PhoneNumber", "E.164, no SMS in lambkin", &[("PhoneNumber", "+15551234567"), ("Message", "m")], bad("Invalid parameter: PhoneNumber Reason: lambkin does not send SMS")),
        row("Publish", "Message", "missing", &[("TopicArn", t)], required("Message")),
        row("Publish", "Message", "empty (AWS)", &[("TopicArn", t), ("Message", "")], bad("Invalid parameter: Empty message")),
        row("Publish", "Message", "over 256 KiB (AWS)", &[("TopicArn", t), ("Message", &too_long)], bad("Invalid parameter: Message too long")),
        row("Publish", "Subject", "empty (AWS)", &[("TopicArn", t), ("Message", "m"), ("Subject", "")], bad("Invalid parameter: Subject")),
        row("Publish", "Subject", "line break", &[("TopicArn", t), ("Message", "m"), ("Subject", "a\nb")], bad("Invalid parameter: Subject")),
        row("Publish", "Subject", "101 characters", &[("TopicArn", t), ("Message", "m"), ("Subject", &subject_101)], bad("Invalid parameter: Subject")),
        row("Publish", "Subject", "UTF-8 accepted", &[("TopicArn", t), ("Message", "m"), ("Subject", "Caf\u{e9} \u{2603}")], ok()),
        row("Publish", "MessageStructure", "not json", &[("TopicArn", t), ("Message", "{}"), ("MessageStructure", "xml")], bad("Invalid parameter: MessageStructure")),
        row("Publish", "MessageStructure", "no default entry (AWS)", &[("TopicArn", t), ("Message", r#"{"sqs":"q"}"#), ("MessageStructure", "json")], bad("Invalid parameter: Message Structure - No default entry in JSON message body")),
        row("Publish", "MessageStructure", "not JSON (AWS)", &[("TopicArn", t), ("Message", "{x"), ("MessageStructure", "json")], bad("Invalid parameter: Message Structure - JSON message body failed to parse")),
        row("Publish", "MessageStructure", "non-string entries ignored", &[("TopicArn", t), ("Message", r#"{"default":"d","sqs":{"a":1}}"#), ("MessageStructure", "json")], ok()),
        raw("Publish", "MessageAttributes", "no DataType (AWS)", ma(&[("StringValue", "value")]), validation("1 validation error detected: Value null at 'messageAttributes.attr1.member.dataType' failed to satisfy constraint: Member must not be null")),
        raw("Publish", "MessageAttributes", "empty string value (AWS)", ma(&[("DataType", "String"), ("StringValue", "")]), value_invalid("The message attribute 'attr1' must contain non-empty message attribute value for message attribute type 'String'.")),
        raw("Publish", "MessageAttributes", "no value (AWS)", ma(&[("DataType", "String")]), value_invalid("The message attribute 'attr1' must contain non-empty message attribute value for message attribute type 'String'.")),
        raw("Publish", "MessageAttributes", "String with BinaryValue (AWS)", ma(&[("DataType", "String"), ("BinaryValue", "MTIz")]), value_invalid("The message attribute 'attr1' with type 'String' must use field 'String'.")),
        raw("Publish", "MessageAttributes", "Number with BinaryValue (AWS)", ma(&[("DataType", "Number"), ("BinaryValue", "MTIz")]), value_invalid("The message attribute 'attr1' with type 'Number' must use field 'String'.")),
        raw("Publish", "MessageAttributes", "Binary with StringValue (AWS)", ma(&[("DataType", "Binary"), ("StringValue", "123")]), value_invalid("The message attribute 'attr1' with type 'Binary' must use field 'Binary'.")),
        raw("Publish", "MessageAttributes", "unknown type (AWS)", ma(&[("DataType", "InvalidType"), ("StringValue", "123")]), value_invalid(type_prefixes)),
        raw("Publish", "MessageAttributes", "type `String.` (AWS)", ma(&[("DataType", "String."), ("StringValue", "1")]), value_invalid(type_prefixes)),
        raw("Publish", "MessageAttributes", "Number not a number", ma(&[("DataType", "Number"), ("StringValue", "ten")]), value_invalid("Could not cast message attribute 'attr1' value to number.")),
        raw("Publish", "MessageAttributes", "name of 257 (AWS)", named(&"a".repeat(257)), value_invalid("Length of message attribute name must be less than 256 bytes.")),
        raw("Publish", "MessageAttributes", "name with ^ (AWS)", named("a^*?"), value_invalid("Invalid non-alphanumeric character '#x5E' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.")),
        raw("Publish", "MessageAttributes", "name starting with . (AWS)", named(".abc"), value_invalid("Invalid message attribute name starting with character '.' was found.")),
        raw("Publish", "MessageAttributes", "name ending with . (AWS)", named("abc."), value_invalid("Invalid message attribute name ending with character '.' was found.")),
        raw("Publish", "MessageAttributes", "name with .. (AWS)", named("a..bc"), value_invalid("Message attribute name can not have successive '.' character.")),
        raw("Publish", "MessageAttributes", "type String.prefixed accepted (AWS)", ma(&[("DataType", "String.prefixed"), ("StringValue", "p")]), ok()),
        row("Publish", "MessageDeduplicationId", "standard topic (AWS)", &[("TopicArn", t), ("Message", "m"), ("MessageDeduplicationId", "d")], bad("Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type")),
        row("Publish", "MessageGroupId", "standard topic accepts one", &[("TopicArn", t), ("Message", "m"), ("MessageGroupId", "g-1")], ok()),
        row("Publish", "MessageGroupId", "with a space", &[("TopicArn", t), ("Message", "m"), ("MessageGroupId", "g 1")], bad("Invalid parameter: MessageGroupId Reason: must be 1 to 128 alphanumeric or punctuation characters")),
        // PublishBatch
        row("PublishBatch", "TopicArn", "missing", &[(&format!("{e}.1.Id"), "a"), (&format!("{e}.1.Message"), "m")], required("TopicArn")),
        row("PublishBatch", "TopicArn", "another region (AWS)", &[("TopicArn", elsewhere), (&format!("{e}.1.Id"), "a"), (&format!("{e}.1.Message"), "m")], bad("Invalid parameter: TopicArn")),
        row("PublishBatch", "TopicArn", "no such topic", &[("TopicArn", missing), (&format!("{e}.1.Id"), "a"), (&format!("{e}.1.Message"), "m")], Want::Err(404, "NotFound", "Topic does not exist".into())),
        row("PublishBatch", "PublishBatchRequestEntries", "none", &[("TopicArn", t)], Want::Err(400, "EmptyBatchRequest", "The batch request doesn't contain any entries.".into())),
        row("PublishBatch", "PublishBatchRequestEntries", "11 entries (AWS)", &[&[("TopicArn", t)][..], &eleven].concat(), Want::Err(400, "TooManyEntriesInBatchRequest", "The batch request contains more entries than permissible.".into())),
        row("PublishBatch", "PublishBatchRequestEntries", "repeated Id (AWS)", &[("TopicArn", t), (&format!("{e}.1.Id"), "1"), (&format!("{e}.1.Message"), "m"), (&format!("{e}.2.Id"), "1"), (&format!("{e}.2.Message"), "m")], Want::Err(400, "BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id.".into())),
        row("PublishBatch", "PublishBatchRequestEntries", "Id with a dot (AWS)", &[("TopicArn", t), (&format!("{e}.1.Id"), "message.id"), (&format!("{e}.1.Message"), "m")], Want::Err(400, "InvalidBatchEntryId", "The Id of a batch entry in the batch request contains an impermissible character: message.id".into())),
        row("PublishBatch", "PublishBatchRequestEntries", "Id of 81 (AWS)", &[("TopicArn", t), (&format!("{e}.1.Id"), &long_id), (&format!("{e}.1.Message"), "m")], Want::Err(400, "InvalidBatchEntryId", format!("The Id of a batch entry in the batch request is too long: {long_id}"))),
        row("PublishBatch", "PublishBatchRequestEntries", "entry without Message", &[("TopicArn", t), (&format!("{e}.1.Id"), "a")], validation("1 validation error detected: Value null at 'publishBatchRequestEntries.1.member.message' failed to satisfy constraint: Member must not be null")),
        row("PublishBatch", "PublishBatchRequestEntries", "entry attribute without DataType (AWS)", &[("TopicArn", t), (&format!("{e}.1.Id"), "a"), (&format!("{e}.1.Message"), "m"), (&format!("{e}.1.MessageAttributes.entry.1.Name"), "attr1"), (&format!("{e}.1.MessageAttributes.entry.1.Value.StringValue"), "v")], validation("1 validation error detected: Value null at 'publishBatchRequestEntries.1.member.messageAttributes.attr1.member.dataType' failed to satisfy constraint: Member must not be null")),
        row("PublishBatch", "PublishBatchRequestEntries", "one bad entry fails all (AWS)", &[("TopicArn", t), (&format!("{e}.1.Id"), "a"), (&format!("{e}.1.Message"), "m"), (&format!("{e}.2.Id"), "b"), (&format!("{e}.2.Message"), r#"{"sqs":"q"}"#), (&format!("{e}.2.MessageStructure"), "json")], bad("Invalid parameter: Message Structure - No default entry in JSON message body")),
        row("PublishBatch", "PublishBatchRequestEntries", "over 256 KiB in all (AWS)", &[("TopicArn", t), (&format!("{e}.1.Id"), "a"), (&format!("{e}.1.Message"), &half), (&format!("{e}.2.Id"), "b"), (&format!("{e}.2.Message"), &half)], Want::Err(400, "BatchRequestTooLong", "The length of all the messages put together is more than the limit.".into())),
        row("PublishBatch", "PublishBatchRequestEntries", "two valid entries", &[("TopicArn", t), (&format!("{e}.1.Id"), "a-1"), (&format!("{e}.1.Message"), "m"), (&format!("{e}.2.Id"), "b_2"), (&format!("{e}.2.Message"), "m")], ok()),
    ];

    let mut mismatches = Vec::new();
    for r in &rows {
        let got = send(&s.url, r.op, &r.form).await;
        if got != r.want {
            mismatches.push(format!(
                "{} {} ({}):\n    got  {got:?}\n    want {:?}",
                r.op, r.param, r.case, r.want
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));

    // Every parameter of every operation served has at least one row, and no row names an
    // operation or parameter that is not in the list.
    for (op, params) in SERVED {
        for p in *params {
            assert!(
                rows.iter().any(|r| r.op == *op && r.param == *p),
                "no row checks {op} {p}"
            );
        }
    }
    for r in &rows {
        assert!(
            SERVED
                .iter()
                .any(|(op, params)| *op == r.op && params.contains(&r.param)),
            "row for unknown {} {}",
            r.op,
            r.param
        );
    }
}
