//! EventBridge Scheduler: schedules (`at`, `rate`, `cron`, in a time zone, between a start and
//! an end date) in schedule groups, each firing its one target with its `Input`. A schedule's
//! next firing is a row of the same `schedules` table scheduled rules use (key
//! `schedule/<group>/<name>`), fired by the same loop (`firing.rs`).

mod config;
mod groups;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono_tz::Tz;
use lambkin_model::Timestamp;
use lambkin_model::validation::events as shapes;
use lambkin_store::{ScheduleChange, ScheduleRecord, SchedulerRecord};

pub use config::{FlexibleTimeWindow, ScheduleConfig, ScheduleRequest, SchedulerTarget};
pub use groups::GroupView;

use crate::firing::Timeline;
use crate::names::Checks;
use crate::{Events, EventsError, ScheduleExpression, page, parse_token};

/// The group every account has, used when a request names none.
pub const DEFAULT_GROUP: &str = "default";

/// A schedule as the catalog holds it: its configuration, its expression and time zone parsed.
#[derive(Debug)]
pub(crate) struct Scheduled {
    pub config: ScheduleConfig,
    pub expression: ScheduleExpression,
    pub tz: Option<Tz>,
}

impl Scheduled {
    /// A stored schedule; `None` if what was stored no longer parses (then it never fires).
    pub(crate) fn compile(config: ScheduleConfig) -> Option<Scheduled> {
        let expression = ScheduleExpression::parse(&config.schedule_expression).ok()?;
        let tz = match &config.schedule_expression_timezone {
            Some(name) => Some(name.parse::<Tz>().ok()?),
            None => None,
        };
        Some(Scheduled {
            config,
            expression,
            tz,
        })
    }

    /// The first firing, wall clock, after wall-clock `after` on `timeline`, within the
    /// schedule's start and end dates.
    pub(crate) fn next_after(&self, timeline: Timeline, after: Timestamp) -> Option<Timestamp> {
        let start = self.config.start_date.map(seconds);
        let end = self.config.end_date.map(seconds);
        let from = match start {
            Some(s) if timeline.wall(s) > after => Timestamp(timeline.wall(s).0 - 1),
            _ => after,
        };
        let next = timeline.next_after_in(&self.expression, self.tz, from)?;
        match end {
            Some(e) if next > timeline.wall(e) => None,
            _ => Some(next),
        }
    }
}

fn seconds(s: f64) -> Timestamp {
    Timestamp((s * 1000.0).round() as i64)
}

/// `arn:aws:scheduler:<region>:<account>:schedule/<group>/<name>`
fn schedule_arn(events: &Events, group: &str, name: &str) -> String {
    let scope = &events.inner.scope;
    format!(
        "arn:aws:scheduler:{}:{}:schedule/{group}/{name}",
        scope.region, scope.account
    )
}

pub(crate) fn schedule_key(group: &str, name: &str) -> String {
    format!("schedule/{group}/{name}")
}

/// The model's checks of CreateSchedule and UpdateSchedule, then Scheduler's own.
fn check_request(r: &ScheduleRequest) -> Result<(ScheduleExpression, Option<Tz>), EventsError> {
    let mut checks = Checks::default();
    checks.one_of(
        r.action_after_completion.as_deref(),
        "actionAfterCompletion",
        &["NONE", "DELETE"],
    );
    checks.optional(
        r.description.as_deref(),
        "description",
        &shapes::RULE_DESCRIPTION,
    );
    if r.flexible_time_window.is_none() {
        checks.push("null", "flexibleTimeWindow", "Member must not be null");
    }
    if let Some(w) = &r.flexible_time_window {
        match w.mode.as_deref() {
            None => checks.push("null", "flexibleTimeWindow.mode", "Member must not be null"),
            Some(m) => checks.one_of(Some(m), "flexibleTimeWindow.mode", &["OFF", "FLEXIBLE"]),
        }
        checks.range(
            w.maximum_window_in_minutes,
            "flexibleTimeWindow.maximumWindowInMinutes",
            1,
            1440,
        );
    }
    checks.optional(
        r.group_name.as_deref(),
        "groupName",
        &shapes::SCHEDULE_GROUP_NAME,
    );
    checks.required(Some(&r.name), "name", &shapes::SCHEDULE_NAME);
    checks.required(
        r.schedule_expression.as_deref(),
        "scheduleExpression",
        &shapes::SCHEDULER_EXPRESSION,
    );
    checks.optional(
        r.schedule_expression_timezone.as_deref(),
        "scheduleExpressionTimezone",
        &shapes::TIMEZONE,
    );
    checks.one_of(r.state.as_deref(), "state", &["ENABLED", "DISABLED"]);
    match &r.target {
        None => checks.push("null", "target", "Member must not be null"),
        Some(t) => {
            checks.required(Some(&t.arn), "target.arn", &shapes::ARN);
            checks.required(
                Some(&t.role_arn),
                "target.roleArn",
                &shapes::SCHEDULER_ROLE_ARN,
            );
            if let Some(p) = &t.retry_policy {
                checks.range(
                    p.maximum_event_age_in_seconds,
                    "target.retryPolicy.maximumEventAgeInSeconds",
                    60,
                    86_400,
                );
                checks.range(
                    p.maximum_retry_attempts,
                    "target.retryPolicy.maximumRetryAttempts",
                    0,
                    185,
                );
            }
            if let Some(d) = &t.dead_letter_config {
                checks.optional(
                    d.arn.as_deref(),
                    "target.deadLetterConfig.arn",
                    &shapes::SCHEDULER_DLQ_ARN,
                );
            }
        }
    }
    checks.done()?;
    let text = r.schedule_expression.as_deref().unwrap_or_default();
    let expression = ScheduleExpression::parse(text)
        .map_err(|_| EventsError::Validation(format!("Invalid Schedule Expression {text}.")))?;
    let tz = match r.schedule_expression_timezone.as_deref() {
        None => None,
        Some(name) => Some(name.parse::<Tz>().map_err(|_| {
            EventsError::Validation(format!("Invalid ScheduleExpressionTimezone {name}."))
        })?),
    };
    if let Some(w) = &r.flexible_time_window
        && w.mode.as_deref() == Some("FLEXIBLE")
        && w.maximum_window_in_minutes.is_none()
    {
        return Err(EventsError::Validation(
            "MaximumWindowInMinutes must be provided when the flexible time window mode is FLEXIBLE.".into(),
        ));
    }
    if let (Some(s), Some(e)) = (r.start_date, r.end_date)
        && e <= s
    {
        return Err(EventsError::Validation(
            "The EndDate must be after the StartDate.".into(),
        ));
    }
    Ok((expression, tz))
}

impl Events {
    /// CreateSchedule (`update` false) and UpdateSchedule (`update` true); returns the ARN.
    pub async fn put_schedule(
        &self,
        r: ScheduleRequest,
        update: bool,
    ) -> Result<String, EventsError> {
        let (expression, tz) = check_request(&r)?;
        let group = r.group_name.clone().unwrap_or_else(|| DEFAULT_GROUP.into());
        let _edit = self.inner.edits.lock().await;
        let previous = self.read(|c| {
            c.groups
                .get(&group)
                .map(|g| g.schedules.get(&r.name).cloned())
                .ok_or_else(|| {
                    EventsError::ResourceNotFound(format!("Schedule group {group} does not exist."))
                })
        })?;
        match (&previous, update) {
            (Some(_), false) => {
                return Err(EventsError::Conflict(format!(
                    "Schedule {} already exists.",
                    r.name
                )));
            }
            (None, true) => {
                return Err(EventsError::ResourceNotFound(format!(
                    "Schedule {} does not exist.",
                    r.name
                )));
            }
            _ => {}
        }
        let now = self.now();
        let now_s = now.to_epoch_seconds();
        let config = ScheduleConfig {
            arn: schedule_arn(self, &group, &r.name),
            name: r.name,
            group_name: group.clone(),
            schedule_expression: r.schedule_expression.unwrap_or_default(),
            schedule_expression_timezone: r.schedule_expression_timezone,
            start_date: r.start_date,
            end_date: r.end_date,
            description: r.description,
            state: r.state.unwrap_or_else(|| "ENABLED".into()),
            flexible_time_window: r.flexible_time_window.unwrap_or_default(),
            target: r.target.unwrap_or_default(),
            action_after_completion: r.action_after_completion,
            kms_key_arn: r.kms_key_arn,
            creation_date: previous.as_ref().map_or(now_s, |p| p.config.creation_date),
            last_modification_date: now_s,
        };
        let scheduled = Scheduled {
            config,
            expression,
            tz,
        };
        // A write always starts the schedule's timeline again (its expression, dates or
        // state may have changed).
        let key = schedule_key(&group, &scheduled.config.name);
        let timeline = Timeline::new(now, self.inner.time_scale);
        let change = match scheduled
            .next_after(timeline, now)
            .filter(|_| scheduled.config.enabled())
        {
            Some(next_at) => ScheduleChange::Set(ScheduleRecord {
                key,
                anchor: now,
                next_at,
            }),
            None => ScheduleChange::Remove(key),
        };
        let arn = scheduled.config.arn.clone();
        self.commit_schedule(scheduled, change).await?;
        Ok(arn)
    }

    async fn commit_schedule(
        &self,
        scheduled: Scheduled,
        change: ScheduleChange,
    ) -> Result<(), EventsError> {
        let c = &scheduled.config;
        let record = SchedulerRecord {
            group: c.group_name.clone(),
            name: c.name.clone(),
            config: serde_json::to_string(c).map_err(|e| EventsError::Validation(e.to_string()))?,
        };
        let moved = !matches!(change, ScheduleChange::Keep);
        self.inner.store.put_schedule(record, change).await?;
        let (group, name) = (c.group_name.clone(), c.name.clone());
        let scheduled = Arc::new(scheduled);
        self.write(|cat| {
            if let Some(g) = cat.groups.get_mut(&group) {
                g.schedules.insert(name, scheduled);
            }
        });
        if moved {
            self.inner.schedules_changed.notify_one();
        }
        Ok(())
    }

    /// The schedule, or Scheduler's ResourceNotFoundException.
    pub(crate) fn scheduled(&self, group: &str, name: &str) -> Result<Arc<Scheduled>, EventsError> {
        self.read(|c| {
            let g = c.groups.get(group).ok_or_else(|| {
                EventsError::ResourceNotFound(format!("Schedule group {group} does not exist."))
            })?;
            g.schedules.get(name).cloned().ok_or_else(|| {
                EventsError::ResourceNotFound(format!("Schedule {name} does not exist."))
            })
        })
    }

    pub fn get_schedule(
        &self,
        name: &str,
        group: Option<&str>,
    ) -> Result<ScheduleConfig, EventsError> {
        let mut checks = Checks::default();
        checks.optional(group, "groupName", &shapes::SCHEDULE_GROUP_NAME);
        checks.required(Some(name), "name", &shapes::SCHEDULE_NAME);
        checks.done()?;
        Ok(self
            .scheduled(group.unwrap_or(DEFAULT_GROUP), name)?
            .config
            .clone())
    }

    pub async fn delete_schedule(
        &self,
        name: &str,
        group: Option<&str>,
    ) -> Result<(), EventsError> {
        let mut checks = Checks::default();
        checks.optional(group, "groupName", &shapes::SCHEDULE_GROUP_NAME);
        checks.required(Some(name), "name", &shapes::SCHEDULE_NAME);
        checks.done()?;
        let group = group.unwrap_or(DEFAULT_GROUP);
        let _edit = self.inner.edits.lock().await;
        self.scheduled(group, name)?;
        self.remove_schedule(group, name).await
    }

    /// Deletes a schedule's configuration and row (DeleteSchedule; `ActionAfterCompletion`
    /// `DELETE` once it is over).
    pub(crate) async fn remove_schedule(&self, group: &str, name: &str) -> Result<(), EventsError> {
        self.inner
            .store
            .delete_schedule(group, name, &schedule_key(group, name))
            .await?;
        self.write(|c| {
            if let Some(g) = c.groups.get_mut(group) {
                g.schedules.remove(name);
            }
        });
        Ok(())
    }

    /// ListSchedules: every group's (or one group's) schedules, by group and name.
    pub fn list_schedules(
        &self,
        group: Option<&str>,
        prefix: Option<&str>,
        state: Option<&str>,
        token: Option<&str>,
        limit: Option<i64>,
    ) -> Result<(Vec<ScheduleConfig>, Option<String>), EventsError> {
        let mut checks = Checks::default();
        checks.optional(group, "groupName", &shapes::SCHEDULE_GROUP_NAME);
        checks.range(limit, "maxResults", 1, 100);
        checks.optional(prefix, "namePrefix", &shapes::SCHEDULE_NAME);
        checks.optional(token, "nextToken", &shapes::NEXT_TOKEN);
        checks.one_of(state, "state", &["ENABLED", "DISABLED"]);
        checks.done()?;
        let offset = parse_token(token)?;
        let all: Vec<ScheduleConfig> = self.read(|c| {
            c.groups
                .values()
                .filter(|g| group.is_none_or(|name| g.name == name))
                .flat_map(|g| g.schedules.values())
                .filter(|s| prefix.is_none_or(|p| s.config.name.starts_with(p)))
                .filter(|s| state.is_none_or(|st| s.config.state == st))
                .map(|s| s.config.clone())
                .collect()
        });
        Ok(page(all, offset, limit))
    }
}

/// A schedule group as the catalog holds it.
#[derive(Debug)]
pub(crate) struct Group {
    pub name: String,
    pub arn: String,
    pub created_at: Timestamp,
    pub schedules: BTreeMap<String, Arc<Scheduled>>,
}
