//! The SNS operations: every operation of SNS's model (2010-03-31), each with what lambkin
//! runs for it, as `sqs/operation.rs` names SQS's.

use crate::operations::{self, Lookup};

/// An operation lambkin serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    AddPermission,
    ConfirmSubscription,
    CreateTopic,
    DeleteTopic,
    GetSubscriptionAttributes,
    GetTopicAttributes,
    ListSubscriptions,
    ListSubscriptionsByTopic,
    ListTagsForResource,
    ListTopics,
    Publish,
    PublishBatch,
    RemovePermission,
    SetSubscriptionAttributes,
    SetTopicAttributes,
    Subscribe,
    TagResource,
    Unsubscribe,
    UntagResource,
}

/// Every operation of the SNS model, in the model's order.
const MODEL: &[(&str, Option<Operation>)] = {
    use Operation::*;
    &[
        ("AddPermission", Some(AddPermission)),
        ("CheckIfPhoneNumberIsOptedOut", None),
        ("ConfirmSubscription", Some(ConfirmSubscription)),
        ("CreatePlatformApplication", None),
        ("CreatePlatformEndpoint", None),
        ("CreateSMSSandboxPhoneNumber", None),
        ("CreateTopic", Some(CreateTopic)),
        ("DeleteEndpoint", None),
        ("DeletePlatformApplication", None),
        ("DeleteSMSSandboxPhoneNumber", None),
        ("DeleteTopic", Some(DeleteTopic)),
        ("GetDataProtectionPolicy", None),
        ("GetEndpointAttributes", None),
        ("GetPlatformApplicationAttributes", None),
        ("GetSMSAttributes", None),
        ("GetSMSSandboxAccountStatus", None),
        ("GetSubscriptionAttributes", Some(GetSubscriptionAttributes)),
        ("GetTopicAttributes", Some(GetTopicAttributes)),
        ("ListEndpointsByPlatformApplication", None),
        ("ListOriginationNumbers", None),
        ("ListPhoneNumbersOptedOut", None),
        ("ListPlatformApplications", None),
        ("ListSMSSandboxPhoneNumbers", None),
        ("ListSubscriptions", Some(ListSubscriptions)),
        ("ListSubscriptionsByTopic", Some(ListSubscriptionsByTopic)),
        ("ListTagsForResource", Some(ListTagsForResource)),
        ("ListTopics", Some(ListTopics)),
        ("OptInPhoneNumber", None),
        ("Publish", Some(Publish)),
        ("PublishBatch", Some(PublishBatch)),
        ("PutDataProtectionPolicy", None),
        ("RemovePermission", Some(RemovePermission)),
        ("SetEndpointAttributes", None),
        ("SetPlatformApplicationAttributes", None),
        ("SetSMSAttributes", None),
        ("SetSubscriptionAttributes", Some(SetSubscriptionAttributes)),
        ("SetTopicAttributes", Some(SetTopicAttributes)),
        ("Subscribe", Some(Subscribe)),
        ("TagResource", Some(TagResource)),
        ("Unsubscribe", Some(Unsubscribe)),
        ("UntagResource", Some(UntagResource)),
        ("VerifySMSSandboxPhoneNumber", None),
    ]
};

/// The SNS operation called `name`.
pub(crate) fn lookup(name: &str) -> Lookup<Operation> {
    operations::lookup(MODEL, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let cases = [
            ("Publish", Lookup::Serve(Operation::Publish)),
            ("AddPermission", Lookup::Serve(Operation::AddPermission)),
            ("CreatePlatformEndpoint", Lookup::NotImplemented),
            ("publish", Lookup::Unknown),
            ("SendMessage", Lookup::Unknown),
            ("", Lookup::Unknown),
        ];
        for (name, want) in cases {
            assert_eq!(lookup(name), want, "{name}");
        }
    }
}
