//! CreateEventBus, DeleteEventBus, DescribeEventBus, ListEventBuses.

use std::collections::BTreeMap;

use lambkin_model::Timestamp;
use lambkin_model::validation::events as shapes;
use lambkin_store::BusRecord;

use crate::names::{Checks, DEFAULT_BUS, bus_arn, bus_name, check_bus_member};
use crate::{Bus, Events, EventsError, page, parse_token};

/// A bus as DescribeEventBus and ListEventBuses show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusView {
    pub name: String,
    pub arn: String,
    pub description: Option<String>,
    pub created_at: Timestamp,
}

impl From<&BusRecord> for BusView {
    fn from(r: &BusRecord) -> Self {
        BusView {
            name: r.name.clone(),
            arn: r.arn.clone(),
            description: r.description.clone(),
            created_at: r.created_at,
        }
    }
}

impl Events {
    pub async fn create_event_bus(
        &self,
        name: Option<&str>,
        description: Option<String>,
        event_source_name: Option<&str>,
    ) -> Result<String, EventsError> {
        let mut checks = Checks::default();
        checks.required(name, "name", &shapes::EVENT_BUS_NAME);
        checks.optional(
            description.as_deref(),
            "description",
            &shapes::RULE_DESCRIPTION,
        );
        checks.done()?;
        let name = name.unwrap_or_default();
        if event_source_name.is_some() || name.contains('/') {
            // Partner buses are named after a partner event source, which lambkin has none of.
            return Err(EventsError::Validation(
                "lambkin does not serve partner event sources; see docs/api-compat.md".into(),
            ));
        }
        if name.starts_with("aws.") {
            return Err(EventsError::Validation(
                "Event bus name must not start with 'aws.'".into(),
            ));
        }
        let _edit = self.inner.edits.lock().await;
        if self.read(|c| c.buses.contains_key(name)) {
            return Err(EventsError::ResourceAlreadyExists(format!(
                "Event bus {name} already exists."
            )));
        }
        let record = BusRecord {
            name: name.to_string(),
            arn: bus_arn(&self.inner.scope, name),
            description,
            created_at: self.now(),
        };
        if !self.inner.store.create_bus(record.clone()).await? {
            return Err(EventsError::ResourceAlreadyExists(format!(
                "Event bus {name} already exists."
            )));
        }
        let arn = record.arn.clone();
        self.write(|c| {
            c.buses.insert(
                name.to_string(),
                Bus {
                    record,
                    rules: BTreeMap::new(),
                },
            )
        });
        Ok(arn)
    }

    /// Deleting a bus that does not exist succeeds, as on AWS; the default bus stays.
    pub async fn delete_event_bus(&self, name: Option<&str>) -> Result<(), EventsError> {
        let mut checks = Checks::default();
        checks.required(name, "name", &shapes::EVENT_BUS_NAME);
        checks.done()?;
        let name = name.unwrap_or_default();
        if name == DEFAULT_BUS {
            return Err(EventsError::Validation(
                "Cannot delete event bus default.".into(),
            ));
        }
        let _edit = self.inner.edits.lock().await;
        self.inner.store.delete_bus(name).await?;
        self.write(|c| c.buses.remove(name));
        Ok(())
    }

    pub fn describe_event_bus(&self, name: Option<&str>) -> Result<BusView, EventsError> {
        let mut checks = Checks::default();
        check_bus_member(&mut checks, name);
        checks.done()?;
        let name = bus_name(name);
        self.read(|c| c.buses.get(&name).map(|b| BusView::from(&b.record)))
            .ok_or_else(|| EventsError::bus_not_found(&name))
    }

    pub fn list_event_buses(
        &self,
        prefix: Option<&str>,
        token: Option<&str>,
        limit: Option<i64>,
    ) -> Result<(Vec<BusView>, Option<String>), EventsError> {
        let mut checks = Checks::default();
        checks.optional(prefix, "namePrefix", &shapes::EVENT_BUS_NAME);
        checks.optional(token, "nextToken", &shapes::NEXT_TOKEN);
        checks.range(limit, "limit", 1, 100);
        checks.done()?;
        let offset = parse_token(token)?;
        let all: Vec<BusView> = self.read(|c| {
            c.buses
                .values()
                .filter(|b| prefix.is_none_or(|p| b.record.name.starts_with(p)))
                .map(|b| BusView::from(&b.record))
                .collect()
        });
        Ok(page(all, offset, limit))
    }
}
