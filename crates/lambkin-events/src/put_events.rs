//! PutEvents, TestEventPattern, and the events lambkin puts itself (Lambda destinations, a
//! rule's target that is another bus): each event is matched against its bus's enabled rules,
//! and every target of every matching rule owes one delivery, recorded in one commit before
//! the answer.

use lambkin_model::Timestamp;
use lambkin_patterns::Pattern;
use lambkin_store::{DeliveryKind, NewDelivery, TargetRetry};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::config::{
    DEFAULT_MAXIMUM_EVENT_AGE_SECONDS, DEFAULT_MAXIMUM_RETRY_ATTEMPTS, DeadLetterConfig,
    RetryPolicy, Target,
};
use crate::envelope::{Envelope, event_time};
use crate::names::{Checks, bus_name};
use crate::transform::{Context, payload};
use crate::{Events, EventsError, Rule};

/// EventBridge's limits: 10 entries, 256 KB in all (as it counts them).
const MAX_ENTRIES: usize = 10;
const MAX_REQUEST_BYTES: usize = 256 * 1024;

/// One entry of PutEvents as the api decoded it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PutEntry {
    pub time: Option<Timestamp>,
    pub source: Option<String>,
    pub resources: Vec<String>,
    pub detail_type: Option<String>,
    pub detail: Option<String>,
    pub event_bus_name: Option<String>,
}

/// How one entry went, in request order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryResult {
    Put { event_id: String },
    Failed { code: String, message: String },
}

fn failed(code: &str, message: impl Into<String>) -> EntryResult {
    EntryResult::Failed {
        code: code.into(),
        message: message.into(),
    }
}

/// An entry's size as EventBridge counts it: 14 bytes for a Time, plus the UTF-8 bytes of
/// Source, DetailType, Detail and each resource.
fn entry_size(e: &PutEntry) -> usize {
    let text = |s: &Option<String>| s.as_deref().map_or(0, str::len);
    e.time.map_or(0, |_| 14)
        + text(&e.source)
        + text(&e.detail_type)
        + text(&e.detail)
        + e.resources.iter().map(String::len).sum::<usize>()
}

/// The `Failed` result of an entry EventBridge refuses, or its detail.
fn check_entry(e: &PutEntry) -> Result<Box<RawValue>, EntryResult> {
    let missing = |name: &str| {
        failed(
            "InvalidArgument",
            format!("Parameter {name} is not valid. Reason: {name} is a required argument."),
        )
    };
    let source = e.source.as_deref().filter(|s| !s.is_empty());
    let Some(source) = source else {
        return Err(missing("Source"));
    };
    if e.detail_type.as_deref().is_none_or(str::is_empty) {
        return Err(missing("DetailType"));
    }
    let Some(detail) = e.detail.as_deref().filter(|d| !d.is_empty()) else {
        return Err(missing("Detail"));
    };
    if source.starts_with("aws.") {
        return Err(failed(
            "NotAuthorizedForSourceException",
            "Not authorized for the source.",
        ));
    }
    // Detail must be a JSON object.
    match serde_json::from_str::<Box<RawValue>>(detail) {
        Ok(raw) if raw.get().trim_start().starts_with('{') => Ok(raw),
        _ => Err(failed("MalformedDetail", "Detail is malformed.")),
    }
}

impl Events {
    /// Puts the entries; each matched delivery is durable before this returns.
    pub async fn put_events(
        &self,
        entries: Vec<PutEntry>,
        chain: u32,
    ) -> Result<Vec<EntryResult>, EventsError> {
        let mut checks = Checks::default();
        if entries.is_empty() {
            checks.push(
                "[]",
                "entries",
                "Member must have length greater than or equal to 1",
            );
        } else if entries.len() > MAX_ENTRIES {
            checks.push(
                "[…]",
                "entries",
                &format!("Member must have length less than or equal to {MAX_ENTRIES}"),
            );
        }
        for (i, e) in entries.iter().enumerate() {
            if let Some(bus) = &e.event_bus_name {
                checks.optional(
                    Some(bus),
                    &format!("entries.{}.member.eventBusName", i + 1),
                    &lambkin_model::validation::events::NON_PARTNER_EVENT_BUS_NAME_OR_ARN,
                );
            }
        }
        checks.done()?;
        if entries.iter().map(entry_size).sum::<usize>() > MAX_REQUEST_BYTES {
            return Err(EventsError::Validation(
                "Total size of the entries in the request is over the limit.".into(),
            ));
        }
        let now = self.now();
        let mut results = Vec::with_capacity(entries.len());
        let mut owed = Vec::new();
        for e in entries {
            let detail = match check_entry(&e) {
                Ok(d) => d,
                Err(failure) => {
                    results.push(failure);
                    continue;
                }
            };
            let bus = bus_name(e.event_bus_name.as_deref());
            let envelope = Envelope {
                version: "0",
                id: uuid::Uuid::new_v4().to_string(),
                detail_type: e.detail_type.unwrap_or_default(),
                source: e.source.unwrap_or_default(),
                account: self.inner.scope.account.clone(),
                time: event_time(e.time.unwrap_or(now)),
                region: self.inner.scope.region.clone(),
                resources: e.resources,
                detail,
            };
            let id = envelope.id.clone();
            match self.route(&bus, &envelope.to_json(), now, chain) {
                Ok(deliveries) => {
                    owed.extend(deliveries);
                    results.push(EntryResult::Put { event_id: id });
                }
                Err(EventsError::ResourceNotFound(m)) => {
                    results.push(failed("ResourceNotFoundException", m));
                }
                Err(other) => return Err(other),
            }
        }
        self.record(owed, now).await?;
        Ok(results)
    }

    /// Puts an event lambkin made (a Lambda destination's record, a rule forwarding to this
    /// bus) on the bus `bus_arn` names; durable when it returns.
    pub async fn put_to_bus(
        &self,
        bus_arn: &str,
        event: &str,
        chain: u32,
    ) -> Result<(), EventsError> {
        let now = self.now();
        let deliveries = self.route(&bus_name(Some(bus_arn)), event, now, chain)?;
        self.record(deliveries, now).await
    }

    /// A Lambda destination's invocation record as the event EventBridge puts on the bus.
    pub fn lambda_destination_event(
        &self,
        success: bool,
        function_arn: &str,
        destination_arn: &str,
        record: &str,
    ) -> Result<String, EventsError> {
        let detail = RawValue::from_string(record.to_string())
            .map_err(|e| EventsError::Validation(format!("the record is not JSON: {e}")))?;
        let outcome = if success { "Success" } else { "Failure" };
        Ok(Envelope {
            version: "0",
            id: uuid::Uuid::new_v4().to_string(),
            detail_type: format!("Lambda Function Invocation Result - {outcome}"),
            source: "lambda".into(),
            account: self.inner.scope.account.clone(),
            time: event_time(self.now()),
            region: self.inner.scope.region.clone(),
            resources: vec![function_arn.to_string(), destination_arn.to_string()],
            detail,
        }
        .to_json())
    }

    pub(crate) async fn record(
        &self,
        deliveries: Vec<NewDelivery>,
        now: Timestamp,
    ) -> Result<(), EventsError> {
        if deliveries.is_empty() {
            return Ok(());
        }
        self.inner.store.record_deliveries(deliveries, now).await?;
        self.inner.deliveries_owed.notify_one();
        Ok(())
    }

    /// The deliveries an event owes on `bus`: one per target of each enabled rule whose
    /// pattern it matches.
    fn route(
        &self,
        bus: &str,
        event_text: &str,
        now: Timestamp,
        chain: u32,
    ) -> Result<Vec<NewDelivery>, EventsError> {
        let event: Value = serde_json::from_str(event_text)
            .map_err(|_| EventsError::Validation("Event is not valid JSON.".into()))?;
        let matched: Vec<std::sync::Arc<Rule>> = self.read(|c| {
            let b = c
                .buses
                .get(bus)
                .ok_or_else(|| EventsError::bus_not_found(bus))?;
            Ok::<_, EventsError>(
                b.rules
                    .values()
                    .filter(|r| r.config.enabled() && !r.config.targets.is_empty())
                    .filter(|r| r.pattern.as_ref().is_some_and(|p| p.matches(&event)))
                    .cloned()
                    .collect(),
            )
        })?;
        let source = event["id"].as_str().unwrap_or_default().to_string();
        let ingestion = event_time(now);
        let mut owed = Vec::new();
        for rule in matched {
            let ctx = Context {
                rule_arn: &rule.config.arn,
                rule_name: &rule.config.name,
                ingestion_time: &ingestion,
            };
            for t in &rule.config.targets {
                let body =
                    if t.input.is_none() && t.input_path.is_none() && t.input_transformer.is_none()
                    {
                        event_text.to_string()
                    } else {
                        payload(t, &event, &ctx)
                    };
                owed.push(target_delivery(&rule.config.arn, t, &source, body, chain));
            }
        }
        Ok(owed)
    }

    /// TestEventPattern: whether `event` (a whole event, with EventBridge's required members)
    /// matches `pattern`.
    pub fn test_event_pattern(
        &self,
        pattern: Option<&str>,
        event: Option<&str>,
    ) -> Result<bool, EventsError> {
        let mut checks = Checks::default();
        checks.required(
            pattern,
            "eventPattern",
            &lambkin_model::validation::events::EVENT_PATTERN,
        );
        if event.is_none() {
            checks.push("null", "event", "Member must not be null");
        }
        checks.done()?;
        let pattern = Pattern::parse(pattern.unwrap_or_default())
            .map_err(|e| EventsError::InvalidEventPattern(e.to_string()))?;
        let event: Value = serde_json::from_str(event.unwrap_or_default())
            .map_err(|_| EventsError::Validation("Parameter Event is not valid.".into()))?;
        let required = ["id", "account", "source", "time", "region", "detail-type"];
        if !event.is_object() || required.iter().any(|k| event.get(k).is_none()) {
            return Err(EventsError::Validation(
                "Parameter Event is not valid.".into(),
            ));
        }
        Ok(pattern.matches(&event))
    }
}

/// One rule target's delivery of one event.
pub(crate) fn target_delivery(
    rule_arn: &str,
    t: &Target,
    source: &str,
    body: String,
    chain: u32,
) -> NewDelivery {
    delivery(
        rule_arn,
        &t.arn,
        t.retry_policy.as_ref(),
        t.dead_letter_config.as_ref(),
        source,
        body,
        chain,
    )
}

/// One delivery to a target of a rule or schedule (`owner_arn`), under its retry policy.
pub(crate) fn delivery(
    owner_arn: &str,
    target_arn: &str,
    retry_policy: Option<&RetryPolicy>,
    dead_letter: Option<&DeadLetterConfig>,
    source: &str,
    body: String,
    chain: u32,
) -> NewDelivery {
    let policy = retry_policy.cloned().unwrap_or_default();
    NewDelivery {
        kind: DeliveryKind::RuleTarget,
        source: source.to_string(),
        target: target_arn.to_string(),
        body: body.into_bytes(),
        attributes: lambkin_model::MessageAttributes::new(),
        chain,
        retry: Some(TargetRetry {
            rule_arn: owner_arn.to_string(),
            maximum_retry_attempts: policy
                .maximum_retry_attempts
                .map_or(DEFAULT_MAXIMUM_RETRY_ATTEMPTS, |n| n as u32),
            maximum_event_age_seconds: policy
                .maximum_event_age_in_seconds
                .map_or(DEFAULT_MAXIMUM_EVENT_AGE_SECONDS, |n| n as u32),
            dead_letter_arn: dead_letter.and_then(|d| d.arn.clone()),
        }),
    }
}
