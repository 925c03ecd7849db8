//! EventBridge's JSON shapes, in the model's member names. Requests accept what SDKs send
//! (missing members are `None`, so the service reports them as AWS does); responses leave out
//! members without a value.

use lambkin_events::{RuleConfig, Target};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct CreateEventBusRequest {
    pub name: Option<String>,
    pub event_source_name: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct NameRequest {
    pub name: Option<String>,
    pub event_bus_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct ListRequest {
    pub name_prefix: Option<String>,
    pub event_bus_name: Option<String>,
    pub next_token: Option<String>,
    pub limit: Option<i64>,
    pub rule: Option<String>,
    pub target_arn: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct EventBus {
    pub name: String,
    pub arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub creation_time: f64,
    pub last_modified_time: f64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct PutRuleRequest {
    pub name: Option<String>,
    pub schedule_expression: Option<String>,
    pub event_pattern: Option<String>,
    pub state: Option<String>,
    pub description: Option<String>,
    pub role_arn: Option<String>,
    pub event_bus_name: Option<String>,
}

/// A rule as DescribeRule and ListRules show it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Rule {
    pub name: String,
    pub arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_pattern: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule_expression: Option<String>,
    pub state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    pub event_bus_name: String,
}

impl From<RuleConfig> for Rule {
    fn from(c: RuleConfig) -> Self {
        Rule {
            name: c.name,
            arn: c.arn,
            event_pattern: c.event_pattern,
            schedule_expression: c.schedule_expression,
            state: c.state,
            description: c.description,
            role_arn: c.role_arn,
            event_bus_name: c.event_bus_name,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct PutTargetsRequest {
    pub rule: Option<String>,
    pub event_bus_name: Option<String>,
    pub targets: Vec<Target>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct RemoveTargetsRequest {
    pub rule: Option<String>,
    pub event_bus_name: Option<String>,
    pub ids: Vec<String>,
    pub force: Option<bool>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct FailedTarget {
    pub target_id: String,
    pub error_code: String,
    pub error_message: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct PutEventsRequest {
    pub entries: Vec<PutEventsEntry>,
    pub endpoint_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct PutEventsEntry {
    /// Epoch seconds, as the JSON protocol sends timestamps.
    pub time: Option<f64>,
    pub source: Option<String>,
    pub resources: Vec<String>,
    pub detail_type: Option<String>,
    pub detail: Option<String>,
    pub event_bus_name: Option<String>,
    pub trace_header: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PutEventsResultEntry {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct TestEventPatternRequest {
    pub event_pattern: Option<String>,
    pub event: Option<String>,
}
