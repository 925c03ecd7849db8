//! Put/Update/Get/Delete/ListFunctionEventInvokeConfig(s): retry settings and destinations
//! per qualifier.

use std::sync::Arc;

use lambkin_model::{DestinationConfig, EventInvokeConfig, FunctionName, FunctionRef, Qualifier};

use super::Control;
use crate::EngineError;
use crate::registry::FunctionEntry;

/// A page of `(qualifier, config)` pairs and the marker of the next page.
pub type InvokeConfigPage = (Vec<(Qualifier, EventInvokeConfig)>, Option<String>);

impl Control {
    /// The function for an event-invoke-config call; AWS words "missing" differently here.
    fn invoke_config_target(
        &self,
        r: &FunctionRef,
    ) -> Result<(Arc<FunctionEntry>, Qualifier), EngineError> {
        let entry = self
            .entry(r)
            .map_err(|_| EngineError::NotFound("The function doesn't exist.".into()))?;
        Ok((entry, r.effective_qualifier()))
    }

    fn missing_invoke_config(&self, name: &FunctionName, q: &Qualifier) -> EngineError {
        let arn = self.scope.qualified_arn(name, q);
        EngineError::NotFound(format!(
            "The function {arn} doesn't have an EventInvokeConfig"
        ))
    }

    async fn check_invoke_config(
        &self,
        name: &FunctionName,
        cfg: &EventInvokeConfig,
    ) -> Result<(), EngineError> {
        self.targets
            .check_destinations(name, &cfg.destinations)
            .await?;
        Ok(())
    }

    async fn store_invoke_config(
        &self,
        entry: &FunctionEntry,
        q: &Qualifier,
        cfg: EventInvokeConfig,
    ) -> Result<EventInvokeConfig, EngineError> {
        self.store
            .put_event_invoke_config(&entry.config.name, q, cfg.clone())
            .await?;
        let mut next = entry.clone();
        next.invoke_configs.insert(q.to_string(), cfg.clone());
        self.registry.put(next);
        Ok(cfg)
    }

    /// `PutFunctionEventInvokeConfig`: replaces the whole config.
    pub async fn put_event_invoke_config(
        &self,
        r: &FunctionRef,
        mut cfg: EventInvokeConfig,
    ) -> Result<(Qualifier, EventInvokeConfig), EngineError> {
        let _guard = self.lock.lock().await;
        let (entry, q) = self.invoke_config_target(r)?;
        let empty = cfg.maximum_retry_attempts.is_none()
            && cfg.maximum_event_age_s.is_none()
            && cfg.destinations == DestinationConfig::default();
        if empty {
            return Err(EngineError::InvalidParameter(
                "You must specify at least one of error handling or destination setting.".into(),
            ));
        }
        self.check_invoke_config(&entry.config.name, &cfg).await?;
        cfg.last_modified = self.clock.now();
        Ok((q.clone(), self.store_invoke_config(&entry, &q, cfg).await?))
    }

    /// `UpdateFunctionEventInvokeConfig`: merges into the existing config.
    pub async fn update_event_invoke_config(
        &self,
        r: &FunctionRef,
        mut update: EventInvokeConfig,
    ) -> Result<(Qualifier, EventInvokeConfig), EngineError> {
        let _guard = self.lock.lock().await;
        let (entry, q) = self.invoke_config_target(r)?;
        let Some(existing) = entry.invoke_configs.get(q.as_str()) else {
            return Err(self.missing_invoke_config(&entry.config.name, &q));
        };
        update.last_modified = self.clock.now();
        let merged = existing.merged_with(&update);
        // Destinations kept from before are not checked again: one deleted since must not
        // block changing the retry settings.
        let mut changed = merged.clone();
        if changed.destinations.on_success == existing.destinations.on_success {
            changed.destinations.on_success = None;
        }
        if changed.destinations.on_failure == existing.destinations.on_failure {
            changed.destinations.on_failure = None;
        }
        self.check_invoke_config(&entry.config.name, &changed)
            .await?;
        Ok((
            q.clone(),
            self.store_invoke_config(&entry, &q, merged).await?,
        ))
    }

    pub fn get_event_invoke_config(
        &self,
        r: &FunctionRef,
    ) -> Result<(Qualifier, EventInvokeConfig), EngineError> {
        let (entry, q) = self.invoke_config_target(r)?;
        let cfg = entry
            .invoke_configs
            .get(q.as_str())
            .cloned()
            .ok_or_else(|| self.missing_invoke_config(&entry.config.name, &q))?;
        Ok((q, cfg))
    }

    pub async fn delete_event_invoke_config(&self, r: &FunctionRef) -> Result<(), EngineError> {
        let _guard = self.lock.lock().await;
        let (entry, q) = self.invoke_config_target(r)?;
        if !entry.invoke_configs.contains_key(q.as_str()) {
            return Err(self.missing_invoke_config(&entry.config.name, &q));
        }
        self.store
            .delete_event_invoke_config(&entry.config.name, &q)
            .await?;
        let mut next = FunctionEntry::clone(&entry);
        next.invoke_configs.remove(q.as_str());
        self.registry.put(next);
        Ok(())
    }

    /// `ListFunctionEventInvokeConfigs`, paged by qualifier.
    pub fn list_event_invoke_configs(
        &self,
        r: &FunctionRef,
        marker: Option<&str>,
        max_items: Option<usize>,
    ) -> Result<InvokeConfigPage, EngineError> {
        let (entry, _) = self.invoke_config_target(r)?;
        let max = max_items.unwrap_or(50).clamp(1, 50);
        let mut all: Vec<_> = entry.invoke_configs.iter().collect();
        all.sort_by(|a, b| a.0.cmp(b.0));
        let start = marker.map_or(0, |m| {
            all.iter()
                .position(|(q, _)| q.as_str() > m)
                .unwrap_or(all.len())
        });
        let page: Vec<(Qualifier, EventInvokeConfig)> = all
            .iter()
            .skip(start)
            .take(max)
            .filter_map(|(q, c)| Qualifier::parse(q).ok().map(|q| (q, (*c).clone())))
            .collect();
        let next = (start + page.len() < all.len())
            .then(|| page.last().map(|(q, _)| q.to_string()))
            .flatten();
        Ok((page, next))
    }
}
