//! An EventBridge Scheduler schedule as lambkin keeps it: the JSON the store holds, in
//! Scheduler's member names, so that GetSchedule hands back what CreateSchedule or
//! UpdateSchedule was given.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::{DeadLetterConfig, RetryPolicy};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScheduleConfig {
    pub name: String,
    pub group_name: String,
    pub arn: String,
    pub schedule_expression: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_expression_timezone: Option<String>,
    /// Epoch seconds, as the wire carries them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub state: String,
    pub flexible_time_window: FlexibleTimeWindow,
    pub target: SchedulerTarget,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_after_completion: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_arn: Option<String>,
    pub creation_date: f64,
    pub last_modification_date: f64,
}

impl ScheduleConfig {
    pub fn enabled(&self) -> bool {
        self.state == "ENABLED"
    }

    pub(crate) fn delete_after_completion(&self) -> bool {
        self.action_after_completion.as_deref() == Some("DELETE")
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FlexibleTimeWindow {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_window_in_minutes: Option<i64>,
}

/// A schedule's target: Lambda, SQS, SNS (templated targets) or anything else, kept.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SchedulerTarget {
    #[serde(default)]
    pub arn: String,
    #[serde(default)]
    pub role_arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_policy: Option<RetryPolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_config: Option<DeadLetterConfig>,
    /// Parameters for targets lambkin does not act on, kept and returned as given.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// CreateSchedule and UpdateSchedule as the api decoded them (the path's name included).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ScheduleRequest {
    #[serde(skip)]
    pub name: String,
    pub group_name: Option<String>,
    pub schedule_expression: Option<String>,
    pub schedule_expression_timezone: Option<String>,
    pub start_date: Option<f64>,
    pub end_date: Option<f64>,
    pub description: Option<String>,
    pub state: Option<String>,
    pub flexible_time_window: Option<FlexibleTimeWindow>,
    pub target: Option<SchedulerTarget>,
    pub action_after_completion: Option<String>,
    pub kms_key_arn: Option<String>,
    pub client_token: Option<String>,
}
