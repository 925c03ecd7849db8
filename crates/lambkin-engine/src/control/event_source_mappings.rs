//! Create/Get/Update/Delete/ListEventSourceMapping(s): SQS queues read by functions.
//!
//! Each write stores the mapping in a transient state and hands it to `sources/`, which starts
//! or stops its poller and settles the state; the answer carries the transient state, as
//! AWS's does (202). The checks run in AWS's order: the model's constraints, the event
//! source, the SQS rules, the filters, the function, the queue, then duplicates.

use lambkin_model::{EventSourceMapping, FunctionName, FunctionRef, MappingState};

use super::Control;
use crate::EngineError;
use crate::sources::settings::{self, MappingRequest};

/// A page of mappings and the marker of the next page.
pub type MappingPage = (Vec<EventSourceMapping>, Option<String>);

const NOT_FOUND: &str = "The resource you requested does not exist.";
/// ListEventSourceMappings' page when `MaxItems` is not given.
const DEFAULT_PAGE: usize = 100;

impl Control {
    /// `CreateEventSourceMapping`.
    pub async fn create_event_source_mapping(
        &self,
        req: MappingRequest,
    ) -> Result<EventSourceMapping, EngineError> {
        if let Some(message) = settings::violations(&req, true) {
            return Err(EngineError::Validation(message));
        }
        let source = settings::sqs_source(req.event_source_arn.as_deref())?;
        let mut m = EventSourceMapping {
            uuid: uuid::Uuid::new_v4().to_string(),
            event_source_arn: source.to_string(),
            // Replaced below; the function is checked after the SQS rules, as AWS does.
            function: FunctionName::parse("pending").expect("a valid name"),
            qualifier: None,
            enabled: req.enabled.unwrap_or(true),
            batch_size: 0,
            maximum_batching_window_s: 0,
            report_batch_item_failures: false,
            maximum_concurrency: None,
            filters: Vec::new(),
            last_modified: self.clock.now(),
            state: MappingState::Creating,
        };
        apply(&mut m, &req)?;
        let target = self.mapped_function(req.function_name.as_deref().unwrap_or_default())?;
        m.function = target.name;
        m.qualifier = target.qualifier.map(|q| q.to_string());
        self.check_queue(&m.event_source_arn).await?;
        let _guard = self.sources.lock.lock().await;
        self.check_unique(&m).await?;
        self.store.put_mapping(m.clone()).await?;
        self.sources.changed(&m.uuid);
        Ok(m)
    }

    /// `UpdateEventSourceMapping`: merges the given members into the mapping.
    pub async fn update_event_source_mapping(
        &self,
        uuid: &str,
        req: MappingRequest,
    ) -> Result<EventSourceMapping, EngineError> {
        if let Some(message) = settings::violations(&req, false) {
            return Err(EngineError::Validation(message));
        }
        let _guard = self.sources.lock.lock().await;
        let mut m = self.live_mapping(uuid).await?;
        let was_enabled = m.enabled;
        if let Some(e) = req.enabled {
            m.enabled = e;
        }
        apply(&mut m, &req)?;
        if let Some(name) = &req.function_name {
            let target = self.mapped_function(name)?;
            let moved = target.name != m.function;
            m.function = target.name;
            m.qualifier = target.qualifier.map(|q| q.to_string());
            if moved {
                self.check_unique(&m).await?;
            }
        }
        m.state = MappingState::after_update(was_enabled, req.enabled);
        m.last_modified = self.clock.now();
        self.store.put_mapping(m.clone()).await?;
        self.sources.changed(&m.uuid);
        Ok(m)
    }

    /// `DeleteEventSourceMapping`: answers with the mapping in `Deleting`; it is gone once
    /// its poller has stopped.
    pub async fn delete_event_source_mapping(
        &self,
        uuid: &str,
    ) -> Result<EventSourceMapping, EngineError> {
        let _guard = self.sources.lock.lock().await;
        let mut m = self.live_mapping(uuid).await?;
        m.state = MappingState::Deleting;
        self.store.put_mapping(m.clone()).await?;
        self.sources.changed(&m.uuid);
        Ok(m)
    }

    pub async fn event_source_mapping(
        &self,
        uuid: &str,
    ) -> Result<EventSourceMapping, EngineError> {
        self.stored_mapping(uuid).await
    }

    /// `ListEventSourceMappings`, by UUID, filtered by queue and function (a filter that names
    /// nothing lambkin has simply matches nothing, as on AWS).
    pub async fn list_event_source_mappings(
        &self,
        event_source_arn: Option<&str>,
        function: Option<&FunctionRef>,
        marker: Option<&str>,
        max_items: Option<usize>,
    ) -> Result<MappingPage, EngineError> {
        let max = max_items.unwrap_or(DEFAULT_PAGE).max(1);
        let all: Vec<EventSourceMapping> = self
            .store
            .mappings()
            .await?
            .into_iter()
            .filter(|m| event_source_arn.is_none_or(|arn| m.event_source_arn == arn))
            .filter(|m| {
                function.is_none_or(|f| {
                    f.name == m.function
                        && f.qualifier
                            .as_ref()
                            .is_none_or(|q| m.qualifier.as_deref() == Some(q.as_str()))
                })
            })
            .filter(|m| marker.is_none_or(|after| m.uuid.as_str() > after))
            .collect();
        let more = all.len() > max;
        let page: Vec<EventSourceMapping> = all.into_iter().take(max).collect();
        let next = more.then(|| page.last().map(|m| m.uuid.clone())).flatten();
        Ok((page, next))
    }

    async fn stored_mapping(&self, uuid: &str) -> Result<EventSourceMapping, EngineError> {
        self.store
            .mapping(uuid)
            .await?
            .ok_or_else(|| EngineError::NotFound(NOT_FOUND.into()))
    }

    /// A mapping that may still change: one being deleted is already gone for Update and
    /// Delete (Get still shows it `Deleting` until its poller has stopped).
    async fn live_mapping(&self, uuid: &str) -> Result<EventSourceMapping, EngineError> {
        let m = self.stored_mapping(uuid).await?;
        if m.state == MappingState::Deleting {
            return Err(EngineError::NotFound(NOT_FOUND.into()));
        }
        Ok(m)
    }

    /// The function a mapping names (name, partial or full ARN, qualifier); AWS's words when
    /// it does not exist.
    fn mapped_function(&self, name: &str) -> Result<FunctionRef, EngineError> {
        let missing = || EngineError::InvalidParameter("Function does not exist".into());
        let r = FunctionRef::parse(name, None).map_err(|_| missing())?;
        self.entry(&r).map_err(|_| missing())?;
        Ok(r)
    }

    /// The queue must be one of lambkin's, and exist; AWS reports what its first receive
    /// from the queue answered.
    async fn check_queue(&self, arn: &str) -> Result<(), EngineError> {
        let exists = self.targets.sqs.queue_exists(arn).await.unwrap_or(false);
        if !exists {
            return Err(EngineError::InvalidParameter(
                "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist.".into(),
            ));
        }
        Ok(())
    }

    /// One mapping per queue and function.
    async fn check_unique(&self, m: &EventSourceMapping) -> Result<(), EngineError> {
        let existing = self.store.mappings().await?.into_iter().find(|o| {
            o.uuid != m.uuid
                && o.event_source_arn == m.event_source_arn
                && o.function == m.function
                && o.state != MappingState::Deleting
        });
        match existing {
            Some(o) => Err(EngineError::Conflict(format!(
                "An event source mapping with SQS arn (\" {} \") and function (\" {} \") already exists. Please update or delete the existing mapping with UUID {}",
                o.event_source_arn, o.function, o.uuid
            ))),
            None => Ok(()),
        }
    }
}

/// Merges the request's settings into `m` (defaults for a new mapping come from its zeroes),
/// then checks Lambda's rules on the result.
fn apply(m: &mut EventSourceMapping, req: &MappingRequest) -> Result<(), EngineError> {
    if let Some(n) = req.batch_size {
        m.batch_size = n as u32;
    } else if m.batch_size == 0 {
        m.batch_size = settings::DEFAULT_BATCH_SIZE;
    }
    if let Some(w) = req.maximum_batching_window_s {
        m.maximum_batching_window_s = w as u32;
    }
    if let Some(types) = &req.function_response_types {
        m.report_batch_item_failures = !types.is_empty();
    }
    if let Some(scaling) = req.scaling {
        m.maximum_concurrency = scaling.map(|n| n as u32);
    }
    settings::check(m)?;
    if let Some(given) = &req.filters {
        m.filters = settings::filters(given)?;
    }
    Ok(())
}
