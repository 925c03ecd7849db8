//! EventBridge's operations, named once: every operation of the model (`events/2015-10-07`)
//! with what lambkin runs for it.

use crate::operations::{self, Lookup};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    CreateEventBus,
    DeleteEventBus,
    DescribeEventBus,
    ListEventBuses,
    PutRule,
    DescribeRule,
    ListRules,
    DeleteRule,
    EnableRule,
    DisableRule,
    ListRuleNamesByTarget,
    PutTargets,
    RemoveTargets,
    ListTargetsByRule,
    PutEvents,
    TestEventPattern,
}

const MODEL: &[(&str, Option<Operation>)] = {
    use Operation::*;
    &[
        ("ActivateEventSource", None),
        ("CancelReplay", None),
        ("CreateApiDestination", None),
        ("CreateArchive", None),
        ("CreateConnection", None),
        ("CreateEndpoint", None),
        ("CreateEventBus", Some(CreateEventBus)),
        ("CreatePartnerEventSource", None),
        ("DeactivateEventSource", None),
        ("DeauthorizeConnection", None),
        ("DeleteApiDestination", None),
        ("DeleteArchive", None),
        ("DeleteConnection", None),
        ("DeleteEndpoint", None),
        ("DeleteEventBus", Some(DeleteEventBus)),
        ("DeletePartnerEventSource", None),
        ("DeleteRule", Some(DeleteRule)),
        ("DescribeApiDestination", None),
        ("DescribeArchive", None),
        ("DescribeConnection", None),
        ("DescribeEndpoint", None),
        ("DescribeEventBus", Some(DescribeEventBus)),
        ("DescribeEventSource", None),
        ("DescribePartnerEventSource", None),
        ("DescribeReplay", None),
        ("DescribeRule", Some(DescribeRule)),
        ("DisableRule", Some(DisableRule)),
        ("EnableRule", Some(EnableRule)),
        ("ListApiDestinations", None),
        ("ListArchives", None),
        ("ListConnections", None),
        ("ListEndpoints", None),
        ("ListEventBuses", Some(ListEventBuses)),
        ("ListEventSources", None),
        ("ListPartnerEventSourceAccounts", None),
        ("ListPartnerEventSources", None),
        ("ListReplays", None),
        ("ListRuleNamesByTarget", Some(ListRuleNamesByTarget)),
        ("ListRules", Some(ListRules)),
        ("ListTagsForResource", None),
        ("ListTargetsByRule", Some(ListTargetsByRule)),
        ("PutEvents", Some(PutEvents)),
        ("PutPartnerEvents", None),
        ("PutPermission", None),
        ("PutRule", Some(PutRule)),
        ("PutTargets", Some(PutTargets)),
        ("RemovePermission", None),
        ("RemoveTargets", Some(RemoveTargets)),
        ("StartReplay", None),
        ("TagResource", None),
        ("TestEventPattern", Some(TestEventPattern)),
        ("UntagResource", None),
        ("UpdateApiDestination", None),
        ("UpdateArchive", None),
        ("UpdateConnection", None),
        ("UpdateEndpoint", None),
        ("UpdateEventBus", None),
    ]
};

pub(crate) fn lookup(name: &str) -> Lookup<Operation> {
    operations::lookup(MODEL, name)
}
