//! The control plane's answers and errors, as EventBridge gives them.

use aws_sdk_eventbridge::error::ProvideErrorMetadata;
use aws_sdk_eventbridge::types::{RetryPolicy, RuleState, Target};

use crate::support::{TestServer, eventbridge_client};

fn code_and_message<E: ProvideErrorMetadata>(e: &E) -> (String, String) {
    (
        e.code().unwrap_or_default().to_string(),
        e.message().unwrap_or_default().to_string(),
    )
}

fn target(id: &str) -> Target {
    Target::builder()
        .id(id)
        .arn("arn:aws:sqs:us-east-1:000000000000:q")
        .build()
        .unwrap()
}

#[tokio::test]
async fn buses_rules_and_targets_as_eventbridge_answers() {
    let mut s = TestServer::start();
    let eb = eventbridge_client(&s.url);

    // Buses.
    let default = eb.describe_event_bus().send().await.unwrap();
    assert_eq!(default.name(), Some("default"));
    assert_eq!(
        default.arn(),
        Some("arn:aws:events:us-east-1:000000000000:event-bus/default")
    );
    eb.create_event_bus()
        .name("orders")
        .description("shop orders")
        .send()
        .await
        .unwrap();
    let again = eb
        .create_event_bus()
        .name("orders")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        code_and_message(&again),
        (
            "ResourceAlreadyExistsException".into(),
            "Event bus orders already exists.".into()
        )
    );
    let names: Vec<_> = eb
        .list_event_buses()
        .send()
        .await
        .unwrap()
        .event_buses()
        .iter()
        .map(|b| b.name().unwrap().to_string())
        .collect();
    assert_eq!(names, ["default", "orders"]);
    let missing = eb
        .describe_event_bus()
        .name("nope")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        code_and_message(&missing),
        (
            "ResourceNotFoundException".into(),
            "Event bus nope does not exist.".into()
        )
    );
    let default_delete = eb
        .delete_event_bus()
        .name("default")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        code_and_message(&default_delete),
        (
            "ValidationException".into(),
            "Cannot delete event bus default.".into()
        )
    );

    // Rules.
    let bad_name = eb
        .put_rule()
        .name("no spaces")
        .event_pattern(r#"{"source":["a"]}"#)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        code_and_message(&bad_name),
        (
            "ValidationException".into(),
            "1 validation error detected: Value 'no spaces' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+".into()
        )
    );
    let neither = eb
        .put_rule()
        .name("r")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        code_and_message(&neither),
        (
            "ValidationException".into(),
            "Parameter(s) EventPattern or ScheduleExpression must be specified.".into()
        )
    );
    let bad_pattern = eb
        .put_rule()
        .name("r")
        .event_pattern(r#"{"source": "not-an-array"}"#)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    let (code, message) = code_and_message(&bad_pattern);
    assert_eq!(code, "InvalidEventPatternException");
    assert!(
        message.starts_with("Event pattern is not valid. Reason: "),
        "{message}"
    );
    let bad_schedule = eb
        .put_rule()
        .name("r")
        .schedule_expression("rate(1 minutes)")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        code_and_message(&bad_schedule),
        (
            "ValidationException".into(),
            "Parameter ScheduleExpression is not valid.".into()
        )
    );
    let custom_schedule = eb
        .put_rule()
        .name("r")
        .event_bus_name("orders")
        .schedule_expression("rate(5 minutes)")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        code_and_message(&custom_schedule),
        (
            "ValidationException".into(),
            "ScheduleExpression is supported only on the default event bus.".into()
        )
    );
    let arn = eb
        .put_rule()
        .name("big")
        .event_bus_name("orders")
        .event_pattern(r#"{"source":["shop"]}"#)
        .description("big orders")
        .send()
        .await
        .unwrap()
        .rule_arn
        .unwrap();
    assert_eq!(arn, "arn:aws:events:us-east-1:000000000000:rule/orders/big");
    let described = eb
        .describe_rule()
        .name("big")
        .event_bus_name("orders")
        .send()
        .await
        .unwrap();
    assert_eq!(described.state(), Some(&RuleState::Enabled));
    assert_eq!(described.description(), Some("big orders"));
    assert_eq!(described.event_pattern(), Some(r#"{"source":["shop"]}"#));
    assert_eq!(described.event_bus_name(), Some("orders"));
    let not_there = eb
        .describe_rule()
        .name("big")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        code_and_message(&not_there),
        (
            "ResourceNotFoundException".into(),
            "Rule big does not exist on EventBus default.".into()
        )
    );
    eb.disable_rule()
        .name("big")
        .event_bus_name("orders")
        .send()
        .await
        .unwrap();
    let listed = eb
        .list_rules()
        .event_bus_name("orders")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.rules().len(), 1);
    assert_eq!(listed.rules()[0].state(), Some(&RuleState::Disabled));

    // Targets.
    let out = eb
        .put_targets()
        .rule("big")
        .event_bus_name("orders")
        .targets(target("a"))
        .targets(target("b"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.failed_entry_count, 0);
    let six = eb
        .put_targets()
        .rule("big")
        .event_bus_name("orders")
        .set_targets(Some(["c", "d", "e", "f"].map(target).to_vec()))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        code_and_message(&six),
        (
            "LimitExceededException".into(),
            "The requested resource exceeds the maximum number allowed.".into()
        )
    );
    let bad_retry = eb
        .put_targets()
        .rule("big")
        .event_bus_name("orders")
        .targets(
            Target::builder()
                .id("c")
                .arn("arn:aws:sqs:us-east-1:000000000000:q")
                .retry_policy(RetryPolicy::builder().maximum_retry_attempts(186).build())
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        code_and_message(&bad_retry),
        (
            "ValidationException".into(),
            "1 validation error detected: Value '186' at 'targets.1.member.retryPolicy.maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 185".into()
        )
    );
    let both = eb
        .put_targets()
        .rule("big")
        .event_bus_name("orders")
        .targets(
            Target::builder()
                .id("c")
                .arn("arn:aws:sqs:us-east-1:000000000000:q")
                .input("{}")
                .input_path("$.detail")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(code_and_message(&both).0, "ValidationException");
    let ids: Vec<_> = eb
        .list_targets_by_rule()
        .rule("big")
        .event_bus_name("orders")
        .send()
        .await
        .unwrap()
        .targets()
        .iter()
        .map(|t| t.id().to_string())
        .collect();
    assert_eq!(ids, ["a", "b"], "refused requests changed nothing");
    let by_target = eb
        .list_rule_names_by_target()
        .target_arn("arn:aws:sqs:us-east-1:000000000000:q")
        .event_bus_name("orders")
        .send()
        .await
        .unwrap();
    assert_eq!(by_target.rule_names(), ["big"]);
    let with_targets = eb
        .delete_rule()
        .name("big")
        .event_bus_name("orders")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        code_and_message(&with_targets),
        (
            "ValidationException".into(),
            "Rule can't be deleted since it has targets.".into()
        )
    );
    eb.remove_targets()
        .rule("big")
        .event_bus_name("orders")
        .ids("a")
        .ids("b")
        .send()
        .await
        .unwrap();
    eb.delete_rule()
        .name("big")
        .event_bus_name("orders")
        .send()
        .await
        .unwrap();
    assert!(
        eb.list_rules()
            .event_bus_name("orders")
            .send()
            .await
            .unwrap()
            .rules()
            .is_empty()
    );

    // TestEventPattern.
    let event = r#"{"id":"1","account":"000000000000","source":"shop","time":"2026-01-01T00:00:00Z","region":"us-east-1","resources":[],"detail-type":"x","detail":{"n":5}}"#;
    for (pattern, want) in [
        (r#"{"detail":{"n":[{"numeric":[">",4]}]}}"#, true),
        (r#"{"detail":{"n":[{"numeric":[">",5]}]}}"#, false),
    ] {
        let got = eb
            .test_event_pattern()
            .event_pattern(pattern)
            .event(event)
            .send()
            .await
            .unwrap();
        assert_eq!(got.result, want, "{pattern}");
    }
    let bad_event = eb
        .test_event_pattern()
        .event_pattern(r#"{"source":["a"]}"#)
        .event(r#"{"source":"a"}"#)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        code_and_message(&bad_event),
        (
            "ValidationException".into(),
            "Parameter Event is not valid.".into()
        )
    );

    // The bus and everything on it survive a restart.
    s.kill9();
    let s = TestServer::start_in(&s.data, &[]);
    let eb = eventbridge_client(&s.url);
    let bus = eb.describe_event_bus().name("orders").send().await.unwrap();
    assert_eq!(bus.description(), Some("shop orders"));
}

#[tokio::test]
async fn unimplemented_operations_say_so() {
    let s = TestServer::start();
    let eb = eventbridge_client(&s.url);
    let e = eb
        .list_archives()
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        code_and_message(&e),
        (
            "UnknownOperationException".into(),
            "lambkin does not implement EventBridge ListArchives (see docs/api-compat.md)".into()
        )
    );
}
