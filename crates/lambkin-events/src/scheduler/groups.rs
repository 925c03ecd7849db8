//! Schedule groups: CreateScheduleGroup, GetScheduleGroup, DeleteScheduleGroup,
//! ListScheduleGroups. The `default` group always exists.

use std::collections::BTreeMap;

use lambkin_model::Timestamp;
use lambkin_model::validation::events as shapes;
use lambkin_store::ScheduleGroupRecord;

use super::{DEFAULT_GROUP, Group};
use crate::names::Checks;
use crate::{Events, EventsError, page, parse_token};

/// A group as GetScheduleGroup and ListScheduleGroups show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupView {
    pub name: String,
    pub arn: String,
    pub created_at: Timestamp,
}

impl From<&Group> for GroupView {
    fn from(g: &Group) -> Self {
        GroupView {
            name: g.name.clone(),
            arn: g.arn.clone(),
            created_at: g.created_at,
        }
    }
}

/// `arn:aws:scheduler:<region>:<account>:schedule-group/<name>`
pub(crate) fn group_arn(events: &Events, name: &str) -> String {
    let scope = &events.inner.scope;
    format!(
        "arn:aws:scheduler:{}:{}:schedule-group/{name}",
        scope.region, scope.account
    )
}

fn check_name(name: &str) -> Result<(), EventsError> {
    let mut checks = Checks::default();
    checks.required(Some(name), "name", &shapes::SCHEDULE_GROUP_NAME);
    checks.done()
}

impl Events {
    pub async fn create_schedule_group(&self, name: &str) -> Result<String, EventsError> {
        check_name(name)?;
        let _edit = self.inner.edits.lock().await;
        let exists = || EventsError::Conflict(format!("Schedule group {name} already exists."));
        if self.read(|c| c.groups.contains_key(name)) {
            return Err(exists());
        }
        let record = ScheduleGroupRecord {
            name: name.to_string(),
            arn: group_arn(self, name),
            created_at: self.now(),
        };
        if !self
            .inner
            .store
            .create_schedule_group(record.clone())
            .await?
        {
            return Err(exists());
        }
        let arn = record.arn.clone();
        self.write(|c| {
            c.groups.insert(
                name.to_string(),
                Group {
                    name: record.name,
                    arn: record.arn,
                    created_at: record.created_at,
                    schedules: BTreeMap::new(),
                },
            )
        });
        Ok(arn)
    }

    pub fn get_schedule_group(&self, name: &str) -> Result<GroupView, EventsError> {
        check_name(name)?;
        self.read(|c| c.groups.get(name).map(GroupView::from))
            .ok_or_else(|| {
                EventsError::ResourceNotFound(format!("Schedule group {name} does not exist."))
            })
    }

    /// Deletes the group and every schedule in it.
    pub async fn delete_schedule_group(&self, name: &str) -> Result<(), EventsError> {
        check_name(name)?;
        if name == DEFAULT_GROUP {
            return Err(EventsError::Validation(
                "The default schedule group can't be deleted.".into(),
            ));
        }
        let _edit = self.inner.edits.lock().await;
        self.get_schedule_group(name)?;
        self.inner.store.delete_schedule_group(name).await?;
        self.write(|c| c.groups.remove(name));
        Ok(())
    }

    pub fn list_schedule_groups(
        &self,
        prefix: Option<&str>,
        token: Option<&str>,
        limit: Option<i64>,
    ) -> Result<(Vec<GroupView>, Option<String>), EventsError> {
        let mut checks = Checks::default();
        checks.range(limit, "maxResults", 1, 100);
        checks.optional(prefix, "namePrefix", &shapes::SCHEDULE_GROUP_NAME);
        checks.optional(token, "nextToken", &shapes::NEXT_TOKEN);
        checks.done()?;
        let offset = parse_token(token)?;
        let all = self.read(|c| {
            c.groups
                .values()
                .filter(|g| prefix.is_none_or(|p| g.name.starts_with(p)))
                .map(GroupView::from)
                .collect::<Vec<_>>()
        });
        Ok(page(all, offset, limit))
    }
}
