//! PutRule, DescribeRule, ListRules, DeleteRule, EnableRule, DisableRule and
//! ListRuleNamesByTarget.

use std::sync::Arc;

use lambkin_model::validation::events as shapes;
use lambkin_patterns::Pattern;
use lambkin_store::{RuleRecord, ScheduleChange, ScheduleRecord};

use crate::config::{RULE_STATES, RuleConfig};
use crate::firing::Timeline;
use crate::names::{Checks, DEFAULT_BUS, bus_name, check_bus_member, rule_arn, rule_schedule_key};
use crate::{Events, EventsError, Rule, ScheduleExpression, page, parse_token};

/// A PutRule request as the api decoded it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PutRule {
    pub name: Option<String>,
    pub schedule_expression: Option<String>,
    pub event_pattern: Option<String>,
    pub state: Option<String>,
    pub description: Option<String>,
    pub role_arn: Option<String>,
    pub event_bus_name: Option<String>,
}

/// EventBridge's reason for a schedule it cannot parse.
fn invalid_schedule() -> EventsError {
    EventsError::Validation("Parameter ScheduleExpression is not valid.".into())
}

impl Events {
    /// Creates or replaces a rule (its targets stay); returns its ARN.
    pub async fn put_rule(&self, r: PutRule) -> Result<String, EventsError> {
        let mut checks = Checks::default();
        checks.required(r.name.as_deref(), "name", &shapes::RULE_NAME);
        checks.optional(
            r.schedule_expression.as_deref(),
            "scheduleExpression",
            &shapes::SCHEDULE_EXPRESSION,
        );
        checks.optional(
            r.event_pattern.as_deref(),
            "eventPattern",
            &shapes::EVENT_PATTERN,
        );
        checks.one_of(r.state.as_deref(), "state", RULE_STATES);
        checks.optional(
            r.description.as_deref(),
            "description",
            &shapes::RULE_DESCRIPTION,
        );
        checks.optional(r.role_arn.as_deref(), "roleArn", &shapes::ARN);
        check_bus_member(&mut checks, r.event_bus_name.as_deref());
        checks.done()?;
        let name = r.name.unwrap_or_default();
        let bus = bus_name(r.event_bus_name.as_deref());
        let schedule_text = r.schedule_expression.filter(|s| !s.is_empty());
        let pattern_text = r.event_pattern.filter(|p| !p.is_empty());
        if schedule_text.is_none() && pattern_text.is_none() {
            return Err(EventsError::Validation(
                "Parameter(s) EventPattern or ScheduleExpression must be specified.".into(),
            ));
        }
        let schedule = schedule_text
            .as_deref()
            .map(|s| ScheduleExpression::parse(s).map_err(|_| invalid_schedule()))
            .transpose()?;
        if matches!(schedule, Some(ScheduleExpression::At(_))) {
            // `at(…)` is EventBridge Scheduler's; rules take rate and cron only.
            return Err(invalid_schedule());
        }
        if let Some(p) = &pattern_text {
            Pattern::parse(p).map_err(|e| EventsError::InvalidEventPattern(e.to_string()))?;
        }
        if schedule.is_some() && bus != DEFAULT_BUS {
            return Err(EventsError::Validation(
                "ScheduleExpression is supported only on the default event bus.".into(),
            ));
        }
        let _edit = self.inner.edits.lock().await;
        let previous = self.read(|c| {
            c.buses
                .get(&bus)
                .map(|b| b.rules.get(&name).cloned())
                .ok_or_else(|| EventsError::bus_not_found(&bus))
        })?;
        let config = RuleConfig {
            arn: rule_arn(&self.inner.scope, &bus, &name),
            name: name.clone(),
            event_bus_name: bus.clone(),
            event_pattern: pattern_text,
            schedule_expression: schedule_text,
            // An update without State keeps the rule's state; a new rule is enabled.
            state: r.state.unwrap_or_else(|| {
                previous
                    .as_ref()
                    .map_or("ENABLED".into(), |p| p.config.state.clone())
            }),
            description: r.description,
            role_arn: r.role_arn,
            targets: previous
                .as_ref()
                .map(|p| p.config.targets.clone())
                .unwrap_or_default(),
        };
        let change = self.schedule_change(previous.as_deref(), &config, schedule.as_ref());
        self.commit_rule(config, change).await
    }

    /// What a rule write does to its schedule row: a schedule that keeps its expression and
    /// stays enabled keeps its next firing; a new or re-enabled one starts its timeline now.
    fn schedule_change(
        &self,
        previous: Option<&Rule>,
        config: &RuleConfig,
        schedule: Option<&ScheduleExpression>,
    ) -> ScheduleChange {
        let key = rule_schedule_key(&config.event_bus_name, &config.name);
        let Some(schedule) = schedule.filter(|_| config.enabled()) else {
            return ScheduleChange::Remove(key);
        };
        let unchanged = previous.is_some_and(|p| {
            p.config.enabled() && p.config.schedule_expression == config.schedule_expression
        });
        if unchanged {
            return ScheduleChange::Keep;
        }
        let now = self.now();
        let timeline = Timeline::new(now, self.inner.time_scale);
        match timeline.next_after(schedule, now) {
            Some(next_at) => ScheduleChange::Set(ScheduleRecord {
                key,
                anchor: now,
                next_at,
            }),
            None => ScheduleChange::Remove(key),
        }
    }

    /// Writes the rule (and its schedule change), then the catalog.
    pub(crate) async fn commit_rule(
        &self,
        config: RuleConfig,
        change: ScheduleChange,
    ) -> Result<String, EventsError> {
        let record = RuleRecord {
            bus: config.event_bus_name.clone(),
            name: config.name.clone(),
            config: serde_json::to_string(&config)
                .map_err(|e| EventsError::Validation(e.to_string()))?,
        };
        let schedule_moved = !matches!(change, ScheduleChange::Keep);
        self.inner.store.put_rule(record, change).await?;
        let arn = config.arn.clone();
        let (bus, name) = (config.event_bus_name.clone(), config.name.clone());
        let rule = Arc::new(Rule::compile(config));
        self.write(|c| {
            if let Some(b) = c.buses.get_mut(&bus) {
                b.rules.insert(name, rule);
            }
        });
        if schedule_moved {
            self.inner.schedules_changed.notify_one();
        }
        Ok(arn)
    }

    /// The rule, or AWS's ResourceNotFoundException.
    pub(crate) fn rule(&self, name: &str, bus: &str) -> Result<Arc<Rule>, EventsError> {
        self.read(|c| {
            let b = c
                .buses
                .get(bus)
                .ok_or_else(|| EventsError::bus_not_found(bus))?;
            b.rules
                .get(name)
                .cloned()
                .ok_or_else(|| EventsError::rule_not_found(name, bus))
        })
    }

    pub fn describe_rule(
        &self,
        name: Option<&str>,
        bus: Option<&str>,
    ) -> Result<RuleConfig, EventsError> {
        let mut checks = Checks::default();
        checks.required(name, "name", &shapes::RULE_NAME);
        check_bus_member(&mut checks, bus);
        checks.done()?;
        Ok(self
            .rule(name.unwrap_or_default(), &bus_name(bus))?
            .config
            .clone())
    }

    pub fn list_rules(
        &self,
        prefix: Option<&str>,
        bus: Option<&str>,
        token: Option<&str>,
        limit: Option<i64>,
    ) -> Result<(Vec<RuleConfig>, Option<String>), EventsError> {
        let mut checks = Checks::default();
        checks.optional(prefix, "namePrefix", &shapes::RULE_NAME);
        check_bus_member(&mut checks, bus);
        checks.optional(token, "nextToken", &shapes::NEXT_TOKEN);
        checks.range(limit, "limit", 1, 100);
        checks.done()?;
        let offset = parse_token(token)?;
        let bus = bus_name(bus);
        let all = self.read(|c| {
            let b = c
                .buses
                .get(&bus)
                .ok_or_else(|| EventsError::bus_not_found(&bus))?;
            Ok::<_, EventsError>(
                b.rules
                    .values()
                    .filter(|r| prefix.is_none_or(|p| r.config.name.starts_with(p)))
                    .map(|r| r.config.clone())
                    .collect::<Vec<_>>(),
            )
        })?;
        Ok(page(all, offset, limit))
    }

    /// Deleting a rule that does not exist succeeds, as on AWS; one with targets is refused.
    pub async fn delete_rule(
        &self,
        name: Option<&str>,
        bus: Option<&str>,
    ) -> Result<(), EventsError> {
        let mut checks = Checks::default();
        checks.required(name, "name", &shapes::RULE_NAME);
        check_bus_member(&mut checks, bus);
        checks.done()?;
        let (name, bus) = (name.unwrap_or_default(), bus_name(bus));
        let _edit = self.inner.edits.lock().await;
        let existing = match self.rule(name, &bus) {
            Ok(r) => r,
            Err(EventsError::ResourceNotFound(_)) => return Ok(()),
            Err(e) => return Err(e),
        };
        if !existing.config.targets.is_empty() {
            return Err(EventsError::Validation(
                "Rule can't be deleted since it has targets.".into(),
            ));
        }
        self.inner
            .store
            .delete_rule(&bus, name, &rule_schedule_key(&bus, name))
            .await?;
        self.write(|c| {
            if let Some(b) = c.buses.get_mut(&bus) {
                b.rules.remove(name);
            }
        });
        Ok(())
    }

    /// EnableRule (`true`) and DisableRule (`false`).
    pub async fn set_rule_state(
        &self,
        name: Option<&str>,
        bus: Option<&str>,
        enabled: bool,
    ) -> Result<(), EventsError> {
        let mut checks = Checks::default();
        checks.required(name, "name", &shapes::RULE_NAME);
        check_bus_member(&mut checks, bus);
        checks.done()?;
        let (name, bus) = (name.unwrap_or_default(), bus_name(bus));
        let _edit = self.inner.edits.lock().await;
        let previous = self.rule(name, &bus)?;
        let mut config = previous.config.clone();
        config.state = if enabled { "ENABLED" } else { "DISABLED" }.into();
        let change = self.schedule_change(Some(&previous), &config, previous.schedule.as_ref());
        self.commit_rule(config, change).await?;
        Ok(())
    }

    pub fn list_rule_names_by_target(
        &self,
        target_arn: Option<&str>,
        bus: Option<&str>,
        token: Option<&str>,
        limit: Option<i64>,
    ) -> Result<(Vec<String>, Option<String>), EventsError> {
        let mut checks = Checks::default();
        checks.required(target_arn, "targetArn", &shapes::ARN);
        check_bus_member(&mut checks, bus);
        checks.optional(token, "nextToken", &shapes::NEXT_TOKEN);
        checks.range(limit, "limit", 1, 100);
        checks.done()?;
        let offset = parse_token(token)?;
        let (arn, bus) = (target_arn.unwrap_or_default(), bus_name(bus));
        let names = self.read(|c| {
            let b = c
                .buses
                .get(&bus)
                .ok_or_else(|| EventsError::bus_not_found(&bus))?;
            Ok::<_, EventsError>(
                b.rules
                    .values()
                    .filter(|r| r.config.targets.iter().any(|t| t.arn == arn))
                    .map(|r| r.config.name.clone())
                    .collect::<Vec<_>>(),
            )
        })?;
        Ok(page(names, offset, limit))
    }
}
