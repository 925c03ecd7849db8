//! The SQS operations, named once for both protocols: the JSON protocol finds one by
//! `X-Amz-Target` and the query protocol by `Action`, and each matches the [`Operation`]
//! exhaustively, so an operation added here must be served by both before lambkin builds.

use crate::operations::{self, Lookup};

/// An operation lambkin serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    CreateQueue,
    GetQueueUrl,
    ListQueues,
    ListDeadLetterSourceQueues,
    DeleteQueue,
    GetQueueAttributes,
    SetQueueAttributes,
    PurgeQueue,
    SendMessage,
    SendMessageBatch,
    ReceiveMessage,
    DeleteMessage,
    DeleteMessageBatch,
    ChangeMessageVisibility,
    ChangeMessageVisibilityBatch,
    TagQueue,
    UntagQueue,
    ListQueueTags,
}

/// Every operation of the SQS model (2012-11-05), in the model's order, with what lambkin runs
/// for it.
const MODEL: &[(&str, Option<Operation>)] = {
    use Operation::*;
    &[
        ("AddPermission", None),
        ("CancelMessageMoveTask", None),
        ("ChangeMessageVisibility", Some(ChangeMessageVisibility)),
        (
            "ChangeMessageVisibilityBatch",
            Some(ChangeMessageVisibilityBatch),
        ),
        ("CreateQueue", Some(CreateQueue)),
        ("DeleteMessage", Some(DeleteMessage)),
        ("DeleteMessageBatch", Some(DeleteMessageBatch)),
        ("DeleteQueue", Some(DeleteQueue)),
        ("GetQueueAttributes", Some(GetQueueAttributes)),
        ("GetQueueUrl", Some(GetQueueUrl)),
        (
            "ListDeadLetterSourceQueues",
            Some(ListDeadLetterSourceQueues),
        ),
        ("ListMessageMoveTasks", None),
        ("ListQueueTags", Some(ListQueueTags)),
        ("ListQueues", Some(ListQueues)),
        ("PurgeQueue", Some(PurgeQueue)),
        ("ReceiveMessage", Some(ReceiveMessage)),
        ("RemovePermission", None),
        ("SendMessage", Some(SendMessage)),
        ("SendMessageBatch", Some(SendMessageBatch)),
        ("SetQueueAttributes", Some(SetQueueAttributes)),
        ("StartMessageMoveTask", None),
        ("TagQueue", Some(TagQueue)),
        ("UntagQueue", Some(UntagQueue)),
    ]
};

/// The SQS operation called `name`.
pub(crate) fn lookup(name: &str) -> Lookup<Operation> {
    operations::lookup(MODEL, name)
}

/// Whether `action` belongs to SQS and not also to SNS (which shares `POST /` and has
/// AddPermission and RemovePermission too): how a form without a `Version` is routed.
pub(crate) fn is_sqs_only_action(action: &str) -> bool {
    lookup(action) != Lookup::Unknown && !matches!(action, "AddPermission" | "RemovePermission")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let cases = [
            ("SendMessage", Lookup::Serve(Operation::SendMessage)),
            (
                "ChangeMessageVisibilityBatch",
                Lookup::Serve(Operation::ChangeMessageVisibilityBatch),
            ),
            ("TagQueue", Lookup::Serve(Operation::TagQueue)),
            ("StartMessageMoveTask", Lookup::NotImplemented),
            ("sendmessage", Lookup::Unknown),
            ("Publish", Lookup::Unknown),
            ("", Lookup::Unknown),
        ];
        for (name, want) in cases {
            assert_eq!(lookup(name), want, "{name}");
        }
    }

    #[test]
    fn actions_shared_with_sns_are_not_sqs_only() {
        let cases = [
            ("SendMessage", true),
            ("TagQueue", true),
            ("AddPermission", false),
            ("RemovePermission", false),
            ("Publish", false),
            ("", false),
        ];
        for (action, sqs_only) in cases {
            assert_eq!(is_sqs_only_action(action), sqs_only, "{action}");
        }
    }
}
