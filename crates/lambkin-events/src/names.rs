//! Names and ARNs of buses and rules, and the model's checks of the members that carry them.

use lambkin_model::Scope;
use lambkin_model::validation::{StringShape, Violations, events as shapes};

use crate::EventsError;

/// The bus every account has, which PutEvents, PutRule and friends use when no bus is named.
pub const DEFAULT_BUS: &str = "default";

/// `arn:aws:events:<region>:<account>:event-bus/<name>`
pub fn bus_arn(scope: &Scope, bus: &str) -> String {
    format!(
        "arn:aws:events:{}:{}:event-bus/{bus}",
        scope.region, scope.account
    )
}

/// A rule's ARN: `rule/<name>` on the default bus, `rule/<bus>/<name>` on another.
pub fn rule_arn(scope: &Scope, bus: &str, rule: &str) -> String {
    let path = if bus == DEFAULT_BUS {
        rule.to_string()
    } else {
        format!("{bus}/{rule}")
    };
    format!(
        "arn:aws:events:{}:{}:rule/{path}",
        scope.region, scope.account
    )
}

/// The key of a rule's row in the store's schedules.
pub(crate) fn rule_schedule_key(bus: &str, rule: &str) -> String {
    format!("rule/{bus}/{rule}")
}

/// The bus an `EventBusName` member names (a name or a bus ARN; none: the default bus).
pub(crate) fn bus_name(member: Option<&str>) -> String {
    match member {
        None => DEFAULT_BUS.to_string(),
        Some(m) => m
            .split_once(":event-bus/")
            .map_or(m, |(_, name)| name)
            .to_string(),
    }
}

/// Collects a request's violations in member order, then fails with AWS's message.
#[derive(Default)]
pub(crate) struct Checks(Violations);

impl Checks {
    pub(crate) fn required(&mut self, value: Option<&str>, field: &str, shape: &StringShape) {
        self.0.required(value, field, shape);
    }

    pub(crate) fn optional(&mut self, value: Option<&str>, field: &str, shape: &StringShape) {
        if let Some(v) = value {
            self.0.string(v, field, shape);
        }
    }

    pub(crate) fn range(&mut self, value: Option<i64>, field: &str, min: i64, max: i64) {
        if let Some(v) = value {
            self.0.range(v, field, Some(min), Some(max));
        }
    }

    pub(crate) fn one_of(&mut self, value: Option<&str>, field: &str, allowed: &[&str]) {
        if let Some(v) = value {
            self.0.one_of(v, field, allowed);
        }
    }

    pub(crate) fn push(&mut self, value: impl std::fmt::Display, field: &str, rule: &str) {
        self.0.push(value, field, rule);
    }

    pub(crate) fn done(self) -> Result<(), EventsError> {
        match self.0.message() {
            Some(m) => Err(EventsError::Validation(m)),
            None => Ok(()),
        }
    }
}

/// The checks of an optional `EventBusName` member.
pub(crate) fn check_bus_member(checks: &mut Checks, member: Option<&str>) {
    checks.optional(member, "eventBusName", &shapes::EVENT_BUS_NAME_OR_ARN);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_and_names() {
        let scope = Scope::default();
        assert_eq!(
            rule_arn(&scope, "default", "tick"),
            "arn:aws:events:us-east-1:000000000000:rule/tick"
        );
        assert_eq!(
            rule_arn(&scope, "orders", "big"),
            "arn:aws:events:us-east-1:000000000000:rule/orders/big"
        );
        assert_eq!(bus_name(None), "default");
        assert_eq!(bus_name(Some("orders")), "orders");
        assert_eq!(
            bus_name(Some(
                "arn:aws:events:us-east-1:000000000000:event-bus/orders"
            )),
            "orders"
        );
    }

    #[test]
    fn model_checks_read_as_aws_writes_them() {
        let mut c = Checks::default();
        c.required(Some("bad name!"), "name", &shapes::RULE_NAME);
        c.range(Some(200), "retryPolicy.maximumRetryAttempts", 0, 185);
        let Err(EventsError::Validation(m)) = c.done() else {
            panic!("expected a validation error");
        };
        assert_eq!(
            m,
            "2 validation errors detected: Value 'bad name!' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+; Value '200' at 'retryPolicy.maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 185"
        );
    }
}
