//! One handler per EventBridge operation: decode the request, call [`lambkin_events::Events`],
//! encode the answer.

use axum::response::Response;
use lambkin_events::{EntryResult, PutEntry, PutRule, TargetFailure};
use lambkin_model::Timestamp;
use serde_json::json;

use super::error::EventsFailure;
use super::wire::{
    CreateEventBusRequest, EventBus, FailedTarget, ListRequest, NameRequest, PutEventsRequest,
    PutEventsResultEntry, PutRuleRequest, PutTargetsRequest, RemoveTargetsRequest, Rule,
    TestEventPatternRequest,
};
use super::{Call, empty, ok};

type Answer = Result<Response, EventsFailure>;

fn bus_view(b: lambkin_events::BusView) -> EventBus {
    let t = b.created_at.to_epoch_seconds();
    EventBus {
        name: b.name,
        arn: b.arn,
        description: b.description,
        creation_time: t,
        last_modified_time: t,
    }
}

pub(super) async fn create_event_bus(call: &Call) -> Answer {
    let r: CreateEventBusRequest = call.request()?;
    let arn = call
        .events
        .create_event_bus(
            r.name.as_deref(),
            r.description.clone(),
            r.event_source_name.as_deref(),
        )
        .await?;
    let mut answer = json!({ "EventBusArn": arn });
    if let Some(d) = r.description {
        answer["Description"] = json!(d);
    }
    ok(&answer)
}

pub(super) async fn delete_event_bus(call: &Call) -> Answer {
    let r: NameRequest = call.request()?;
    call.events.delete_event_bus(r.name.as_deref()).await?;
    empty()
}

pub(super) async fn describe_event_bus(call: &Call) -> Answer {
    let r: NameRequest = call.request()?;
    ok(&bus_view(
        call.events.describe_event_bus(r.name.as_deref())?,
    ))
}

pub(super) async fn list_event_buses(call: &Call) -> Answer {
    let r: ListRequest = call.request()?;
    let (buses, next) =
        call.events
            .list_event_buses(r.name_prefix.as_deref(), r.next_token.as_deref(), r.limit)?;
    let buses: Vec<EventBus> = buses.into_iter().map(bus_view).collect();
    ok(&json!({ "EventBuses": buses, "NextToken": next }))
}

pub(super) async fn put_rule(call: &Call) -> Answer {
    let r: PutRuleRequest = call.request()?;
    let arn = call
        .events
        .put_rule(PutRule {
            name: r.name,
            schedule_expression: r.schedule_expression,
            event_pattern: r.event_pattern,
            state: r.state,
            description: r.description,
            role_arn: r.role_arn,
            event_bus_name: r.event_bus_name,
        })
        .await?;
    ok(&json!({ "RuleArn": arn }))
}

pub(super) async fn describe_rule(call: &Call) -> Answer {
    let r: NameRequest = call.request()?;
    let rule = call
        .events
        .describe_rule(r.name.as_deref(), r.event_bus_name.as_deref())?;
    let mut answer = serde_json::to_value(Rule::from(rule))
        .map_err(|e| EventsFailure::Serialization(e.to_string()))?;
    answer["CreatedBy"] = json!(call.events.scope().account);
    ok(&answer)
}

pub(super) async fn list_rules(call: &Call) -> Answer {
    let r: ListRequest = call.request()?;
    let (rules, next) = call.events.list_rules(
        r.name_prefix.as_deref(),
        r.event_bus_name.as_deref(),
        r.next_token.as_deref(),
        r.limit,
    )?;
    let rules: Vec<Rule> = rules.into_iter().map(Rule::from).collect();
    ok(&json!({ "Rules": rules, "NextToken": next }))
}

pub(super) async fn delete_rule(call: &Call) -> Answer {
    let r: NameRequest = call.request()?;
    call.events
        .delete_rule(r.name.as_deref(), r.event_bus_name.as_deref())
        .await?;
    empty()
}

pub(super) async fn set_rule_state(call: &Call, enabled: bool) -> Answer {
    let r: NameRequest = call.request()?;
    call.events
        .set_rule_state(r.name.as_deref(), r.event_bus_name.as_deref(), enabled)
        .await?;
    empty()
}

pub(super) async fn list_rule_names_by_target(call: &Call) -> Answer {
    let r: ListRequest = call.request()?;
    let (names, next) = call.events.list_rule_names_by_target(
        r.target_arn.as_deref(),
        r.event_bus_name.as_deref(),
        r.next_token.as_deref(),
        r.limit,
    )?;
    ok(&json!({ "RuleNames": names, "NextToken": next }))
}

fn failed_targets(failures: Vec<TargetFailure>) -> serde_json::Value {
    let entries: Vec<FailedTarget> = failures
        .into_iter()
        .map(|f| FailedTarget {
            target_id: f.target_id,
            error_code: f.error_code,
            error_message: f.error_message,
        })
        .collect();
    json!({ "FailedEntryCount": entries.len(), "FailedEntries": entries })
}

pub(super) async fn put_targets(call: &Call) -> Answer {
    let r: PutTargetsRequest = call.request()?;
    let failures = call
        .events
        .put_targets(r.rule.as_deref(), r.event_bus_name.as_deref(), r.targets)
        .await?;
    ok(&failed_targets(failures))
}

pub(super) async fn remove_targets(call: &Call) -> Answer {
    let r: RemoveTargetsRequest = call.request()?;
    let failures = call
        .events
        .remove_targets(r.rule.as_deref(), r.event_bus_name.as_deref(), r.ids)
        .await?;
    ok(&failed_targets(failures))
}

pub(super) async fn list_targets_by_rule(call: &Call) -> Answer {
    let r: ListRequest = call.request()?;
    let (targets, next) = call.events.list_targets_by_rule(
        r.rule.as_deref(),
        r.event_bus_name.as_deref(),
        r.next_token.as_deref(),
        r.limit,
    )?;
    ok(&json!({ "Targets": targets, "NextToken": next }))
}

pub(super) async fn put_events(call: &Call) -> Answer {
    let r: PutEventsRequest = call.request()?;
    let entries = r
        .entries
        .into_iter()
        .map(|e| PutEntry {
            time: e.time.map(|s| Timestamp((s * 1000.0).round() as i64)),
            source: e.source,
            resources: e.resources,
            detail_type: e.detail_type,
            detail: e.detail,
            event_bus_name: e.event_bus_name,
        })
        .collect();
    let results = call.events.put_events(entries, call.chain).await?;
    let failed = results
        .iter()
        .filter(|r| matches!(r, EntryResult::Failed { .. }))
        .count();
    let entries: Vec<PutEventsResultEntry> = results
        .into_iter()
        .map(|r| match r {
            EntryResult::Put { event_id } => PutEventsResultEntry {
                event_id: Some(event_id),
                error_code: None,
                error_message: None,
            },
            EntryResult::Failed { code, message } => PutEventsResultEntry {
                event_id: None,
                error_code: Some(code),
                error_message: Some(message),
            },
        })
        .collect();
    ok(&json!({ "FailedEntryCount": failed, "Entries": entries }))
}

pub(super) async fn test_event_pattern(call: &Call) -> Answer {
    let r: TestEventPatternRequest = call.request()?;
    let matched = call
        .events
        .test_event_pattern(r.event_pattern.as_deref(), r.event.as_deref())?;
    ok(&json!({ "Result": matched }))
}
