//! CreateAlias, GetAlias, UpdateAlias, DeleteAlias and ListAliases, with weighted routing
//! between two versions (`RoutingConfig.AdditionalVersionWeights`). Checks and messages are
//! AWS's.

use std::collections::BTreeMap;
use std::sync::Arc;

use lambkin_model::limits::LIST_PAGE_MAX;
use lambkin_model::{Alias, FunctionRef, Qualifier, is_alias_name, is_version_number};

use super::{Control, new_revision};
use crate::EngineError;
use crate::registry::FunctionEntry;

/// CreateAlias and UpdateAlias input; on update `None` keeps a setting.
#[derive(Debug, Clone, Default)]
pub struct AliasRequest {
    pub name: String,
    pub function_version: Option<String>,
    pub description: Option<String>,
    /// `Some(empty)` removes the routing (UpdateAlias with an empty map).
    pub weights: Option<BTreeMap<String, f64>>,
    /// UpdateAlias: only if the alias is still at this revision.
    pub revision_id: Option<String>,
}

/// A page of aliases and the marker of the next page.
pub type AliasPage = (Vec<Alias>, Option<String>);

impl Control {
    pub async fn create_alias(
        &self,
        r: &FunctionRef,
        req: AliasRequest,
    ) -> Result<Alias, EngineError> {
        if !is_alias_name(&req.name) {
            return Err(EngineError::Validation(format!(
                "1 validation error detected: Value '{}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)",
                req.name
            )));
        }
        let _guard = self.lock.lock().await;
        let entry = self.unqualified(r)?;
        let version = req.function_version.clone().unwrap_or_default();
        self.existing_version(&entry, &version)?;
        if entry.aliases.contains_key(&req.name) {
            return Err(EngineError::Conflict(format!(
                "Alias already exists: {}",
                self.alias_arn(&entry, &req.name)
            )));
        }
        let weights = req.weights.unwrap_or_default();
        self.check_weights(&entry, &version, &weights)?;
        let alias = Alias {
            name: req.name,
            function_version: version,
            description: req.description.unwrap_or_default(),
            additional_weights: weights,
            revision_id: new_revision(),
        };
        self.store_alias(&entry, alias).await
    }

    pub fn get_alias(&self, r: &FunctionRef, name: &str) -> Result<Alias, EngineError> {
        let entry = self.unqualified(r)?;
        entry.aliases.get(name).cloned().ok_or_else(|| {
            EngineError::NotFound(format!(
                "Cannot find alias arn: {}",
                self.alias_arn(&entry, name)
            ))
        })
    }

    pub async fn update_alias(
        &self,
        r: &FunctionRef,
        req: AliasRequest,
    ) -> Result<Alias, EngineError> {
        let _guard = self.lock.lock().await;
        let entry = self.unqualified(r)?;
        let Some(current) = entry.aliases.get(&req.name) else {
            return Err(EngineError::NotFound(format!(
                "Alias not found: {}",
                self.alias_arn(&entry, &req.name)
            )));
        };
        if req
            .revision_id
            .as_ref()
            .is_some_and(|rev| *rev != current.revision_id)
        {
            return Err(EngineError::PreconditionFailed);
        }
        let mut alias = current.clone();
        if let Some(v) = req.function_version {
            self.existing_version(&entry, &v)?;
            alias.function_version = v;
        }
        if let Some(d) = req.description {
            alias.description = d;
        }
        if let Some(w) = req.weights {
            alias.additional_weights = w;
        }
        self.check_weights(&entry, &alias.function_version, &alias.additional_weights)?;
        // AWS gives every update a new RevisionId, also one that changes nothing.
        alias.revision_id = new_revision();
        self.store_alias(&entry, alias).await
    }

    /// DeleteAlias; deleting one that does not exist succeeds (AWS answers 204 too).
    pub async fn delete_alias(&self, r: &FunctionRef, name: &str) -> Result<(), EngineError> {
        let _guard = self.lock.lock().await;
        let entry = self.unqualified(r)?;
        if !entry.aliases.contains_key(name) {
            return Ok(());
        }
        self.store.delete_alias(&entry.config.name, name).await?;
        let mut next = FunctionEntry::clone(&entry);
        next.aliases.remove(name);
        next.invoke_configs.remove(name);
        self.registry.put(next);
        Ok(())
    }

    /// ListAliases, optionally of one version; the marker is the last alias of the page.
    pub fn list_aliases(
        &self,
        r: &FunctionRef,
        version: Option<&str>,
        marker: Option<&str>,
        max_items: Option<usize>,
    ) -> Result<AliasPage, EngineError> {
        let entry = self.unqualified(r)?;
        let max = max_items.unwrap_or(LIST_PAGE_MAX).clamp(1, LIST_PAGE_MAX);
        let page: Vec<Alias> = entry
            .aliases
            .values()
            .filter(|a| version.is_none_or(|v| a.function_version == v))
            .filter(|a| marker.is_none_or(|m| a.name.as_str() > m))
            .take(max + 1)
            .cloned()
            .collect();
        Ok(split_page(page, max))
    }

    fn alias_arn(&self, entry: &FunctionEntry, name: &str) -> String {
        format!("{}:{name}", self.scope.function_arn(&entry.config.name))
    }

    /// An alias points at `$LATEST` or a published version that exists.
    fn existing_version(&self, entry: &FunctionEntry, version: &str) -> Result<(), EngineError> {
        let exists = (version == Qualifier::LATEST || is_version_number(version))
            && entry.version(version).is_some();
        if exists {
            return Ok(());
        }
        Err(EngineError::NotFound(format!(
            "Function not found: {}:{version}",
            self.scope.function_arn(&entry.config.name)
        )))
    }

    /// `RoutingConfig.AdditionalVersionWeights`: one entry at most, a weight in [0, 1], a
    /// published version other than the primary one, never beside `$LATEST`.
    fn check_weights(
        &self,
        entry: &FunctionEntry,
        primary: &str,
        weights: &BTreeMap<String, f64>,
    ) -> Result<(), EngineError> {
        if weights.len() > 1 {
            return Err(EngineError::InvalidParameter(
                "Number of items in AdditionalVersionWeights cannot be greater than 1".into(),
            ));
        }
        let Some((version, weight)) = weights.iter().next() else {
            return Ok(());
        };
        let shown = format!("{{{version}={weight:?}}}");
        if !(0.0..=1.0).contains(weight) {
            return Err(EngineError::Validation(format!(
                "1 validation error detected: Value '{shown}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]"
            )));
        }
        if version == primary {
            return Err(EngineError::InvalidParameter(format!(
                "Invalid function version {version}. Function version {version} is already included in routing configuration."
            )));
        }
        if primary == Qualifier::LATEST {
            return Err(EngineError::InvalidParameter(
                "$LATEST is not supported for an alias pointing to more than 1 version".into(),
            ));
        }
        if !is_version_number(version) || version.len() > 1024 {
            return Err(EngineError::Validation(format!(
                "1 validation error detected: Value '{shown}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+]"
            )));
        }
        self.existing_version(entry, version)
    }

    async fn store_alias(&self, entry: &FunctionEntry, alias: Alias) -> Result<Alias, EngineError> {
        self.store
            .put_alias(&entry.config.name, alias.clone())
            .await?;
        let mut next = entry.clone();
        next.aliases.insert(alias.name.clone(), alias.clone());
        self.registry.put(next);
        Ok(alias)
    }

    /// The function an alias or version call names: a qualifier in the name is not allowed
    /// here (the alias is a separate parameter).
    pub(super) fn unqualified(&self, r: &FunctionRef) -> Result<Arc<FunctionEntry>, EngineError> {
        self.entry(&FunctionRef {
            name: r.name.clone(),
            qualifier: None,
        })
    }
}

/// The first `max` of `items` (which holds at most one more) and, if there is more, the
/// marker to continue after.
fn split_page(mut items: Vec<Alias>, max: usize) -> AliasPage {
    let more = items.len() > max;
    items.truncate(max);
    let next = more.then(|| items.last().map(|a| a.name.clone())).flatten();
    (items, next)
}
