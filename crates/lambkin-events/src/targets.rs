//! PutTargets, RemoveTargets, ListTargetsByRule.

use lambkin_model::validation::events as shapes;
use lambkin_store::ScheduleChange;

use crate::config::Target;
use crate::names::{Checks, bus_name, check_bus_member};
use crate::transform::parse_path;
use crate::{Events, EventsError, page, parse_token};

/// EventBridge's limit on targets per rule.
pub const MAX_TARGETS_PER_RULE: usize = 5;

/// A target PutTargets or RemoveTargets could not apply (AWS's `FailedEntries`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetFailure {
    pub target_id: String,
    pub error_code: String,
    pub error_message: String,
}

/// The model's checks of one target, with AWS's member path (`targets.N.member.…`).
fn check_target(checks: &mut Checks, n: usize, t: &Target) {
    let at = |field: &str| format!("targets.{n}.member.{field}");
    checks.required(Some(&t.id), &at("id"), &shapes::TARGET_ID);
    checks.required(Some(&t.arn), &at("arn"), &shapes::ARN);
    checks.optional(t.role_arn.as_deref(), &at("roleArn"), &shapes::ARN);
    checks.optional(t.input.as_deref(), &at("input"), &shapes::TARGET_INPUT);
    checks.optional(
        t.input_path.as_deref(),
        &at("inputPath"),
        &shapes::TARGET_INPUT_PATH,
    );
    if let Some(tr) = &t.input_transformer {
        checks.required(
            Some(&tr.input_template),
            &at("inputTransformer.inputTemplate"),
            &shapes::TRANSFORMER_INPUT,
        );
        if let Some(map) = &tr.input_paths_map
            && map.len() > 100
        {
            checks.push(
                "map",
                &at("inputTransformer.inputPathsMap"),
                "Member must have length less than or equal to 100",
            );
        }
    }
    if let Some(p) = &t.retry_policy {
        checks.range(
            p.maximum_retry_attempts,
            &at("retryPolicy.maximumRetryAttempts"),
            0,
            185,
        );
        checks.range(
            p.maximum_event_age_in_seconds,
            &at("retryPolicy.maximumEventAgeInSeconds"),
            60,
            86_400,
        );
    }
    if let Some(d) = &t.dead_letter_config {
        checks.optional(d.arn.as_deref(), &at("deadLetterConfig.arn"), &shapes::ARN);
    }
}

/// EventBridge's own checks of a target's input, after the model's.
fn check_input(t: &Target) -> Result<(), EventsError> {
    let given = [
        t.input.is_some(),
        t.input_path.is_some(),
        t.input_transformer.is_some(),
    ];
    if given.iter().filter(|g| **g).count() > 1 {
        return Err(EventsError::Validation(format!(
            "Only one of Input, InputPath, or InputTransformer must be provided for target {}.",
            t.id
        )));
    }
    if let Some(input) = &t.input
        && serde_json::from_str::<serde_json::Value>(input).is_err()
    {
        return Err(EventsError::Validation(format!(
            "Input for target {} is not valid JSON text.",
            t.id
        )));
    }
    if let Some(path) = &t.input_path
        && parse_path(path).is_none()
    {
        return Err(EventsError::Validation(format!(
            "InputPath for target {} is not a valid JSONPath.",
            t.id
        )));
    }
    if let Some(tr) = &t.input_transformer {
        for (name, path) in tr.input_paths_map.iter().flatten() {
            if name.starts_with("aws.") {
                return Err(EventsError::Validation(format!(
                    "Input template variable {name} is reserved; choose another name."
                )));
            }
            if parse_path(path).is_none() {
                return Err(EventsError::Validation(format!(
                    "InputPathsMap for target {} has an invalid JSONPath: {path}",
                    t.id
                )));
            }
        }
    }
    Ok(())
}

impl Events {
    /// Adds targets to a rule, replacing those with the same Id.
    pub async fn put_targets(
        &self,
        rule: Option<&str>,
        bus: Option<&str>,
        targets: Vec<Target>,
    ) -> Result<Vec<TargetFailure>, EventsError> {
        let mut checks = Checks::default();
        checks.required(rule, "rule", &shapes::RULE_NAME);
        check_bus_member(&mut checks, bus);
        if targets.is_empty() || targets.len() > 100 {
            let rule = if targets.is_empty() {
                "Member must have length greater than or equal to 1"
            } else {
                "Member must have length less than or equal to 100"
            };
            checks.push("[…]", "targets", rule);
        }
        for (i, t) in targets.iter().enumerate() {
            check_target(&mut checks, i + 1, t);
        }
        checks.done()?;
        for t in &targets {
            check_input(t)?;
        }
        let (name, bus) = (rule.unwrap_or_default(), bus_name(bus));
        let _edit = self.inner.edits.lock().await;
        let previous = self.rule(name, &bus)?;
        let mut config = previous.config.clone();
        for t in targets {
            match config.targets.iter_mut().find(|e| e.id == t.id) {
                Some(existing) => *existing = t,
                None => config.targets.push(t),
            }
        }
        if config.targets.len() > MAX_TARGETS_PER_RULE {
            return Err(EventsError::LimitExceeded(
                "The requested resource exceeds the maximum number allowed.".into(),
            ));
        }
        self.commit_rule(config, ScheduleChange::Keep).await?;
        Ok(Vec::new())
    }

    /// Removes targets by Id; an Id the rule does not have is no failure.
    pub async fn remove_targets(
        &self,
        rule: Option<&str>,
        bus: Option<&str>,
        ids: Vec<String>,
    ) -> Result<Vec<TargetFailure>, EventsError> {
        let mut checks = Checks::default();
        checks.required(rule, "rule", &shapes::RULE_NAME);
        check_bus_member(&mut checks, bus);
        if ids.is_empty() {
            checks.push(
                "[]",
                "ids",
                "Member must have length greater than or equal to 1",
            );
        }
        for (i, id) in ids.iter().enumerate() {
            checks.required(
                Some(id),
                &format!("ids.{}.member", i + 1),
                &shapes::TARGET_ID,
            );
        }
        checks.done()?;
        let (name, bus) = (rule.unwrap_or_default(), bus_name(bus));
        let _edit = self.inner.edits.lock().await;
        let previous = self.rule(name, &bus)?;
        let mut config = previous.config.clone();
        config.targets.retain(|t| !ids.contains(&t.id));
        self.commit_rule(config, ScheduleChange::Keep).await?;
        Ok(Vec::new())
    }

    pub fn list_targets_by_rule(
        &self,
        rule: Option<&str>,
        bus: Option<&str>,
        token: Option<&str>,
        limit: Option<i64>,
    ) -> Result<(Vec<Target>, Option<String>), EventsError> {
        let mut checks = Checks::default();
        checks.required(rule, "rule", &shapes::RULE_NAME);
        check_bus_member(&mut checks, bus);
        checks.optional(token, "nextToken", &shapes::NEXT_TOKEN);
        checks.range(limit, "limit", 1, 100);
        checks.done()?;
        let offset = parse_token(token)?;
        let found = self.rule(rule.unwrap_or_default(), &bus_name(bus))?;
        Ok(page(found.config.targets.clone(), offset, limit))
    }
}
