//! PublishVersion, ListVersionsByFunction and DeleteFunction of one version: published
//! versions are immutable snapshots of `$LATEST`, numbered from 1 and never renumbered.

use lambkin_model::limits::LIST_PAGE_MAX;
use lambkin_model::{FunctionConfig, FunctionRef, Qualifier, is_alias_name, is_version_number};

use super::{Control, new_revision};
use crate::EngineError;
use crate::registry::FunctionEntry;

/// PublishVersion's preconditions: publish only if `$LATEST` still has this code or revision.
#[derive(Debug, Clone, Default)]
pub struct PublishRequest {
    pub code_sha256: Option<String>,
    pub revision_id: Option<String>,
    /// The version's description; `$LATEST`'s when absent.
    pub description: Option<String>,
}

/// A page of versions (`$LATEST` first, then by number) and the marker of the next page.
pub type VersionPage = (Vec<FunctionConfig>, Option<String>);

impl Control {
    /// PublishVersion. Publishing an unchanged `$LATEST` again answers with the version it
    /// already is (AWS's rule), not a new number.
    pub async fn publish_version(
        &self,
        r: &FunctionRef,
        req: PublishRequest,
    ) -> Result<FunctionConfig, EngineError> {
        let _guard = self.lock.lock().await;
        self.publish_locked(r, req).await
    }

    /// Publishes under the control lock the caller holds (also CreateFunction and
    /// UpdateFunctionCode with `Publish: true`).
    pub(super) async fn publish_locked(
        &self,
        r: &FunctionRef,
        req: PublishRequest,
    ) -> Result<FunctionConfig, EngineError> {
        let entry = self.unqualified(r)?;
        let latest = &entry.config;
        if req
            .revision_id
            .as_ref()
            .is_some_and(|rev| *rev != latest.revision_id)
        {
            return Err(EngineError::PreconditionFailed);
        }
        if let Some(sha) = &req.code_sha256
            && *sha != latest.code_sha256
        {
            return Err(EngineError::InvalidParameter(format!(
                "CodeSHA256 ({sha}) is different from current CodeSHA256 in $LATEST ({}). Please try again with the CodeSHA256 in $LATEST.",
                latest.code_sha256
            )));
        }
        if let Some(last) = entry.versions.values().next_back()
            && last.config.published_from.as_deref() == Some(latest.revision_id.as_str())
        {
            return Ok(last.config.clone());
        }
        let number = latest.last_published + 1;
        let now = self.clock.now();
        let version = FunctionConfig {
            version: number.to_string(),
            description: req
                .description
                .unwrap_or_else(|| latest.description.clone()),
            revision_id: new_revision(),
            last_modified: now,
            last_published: 0,
            published_from: Some(latest.revision_id.clone()),
            ..latest.clone()
        };
        let mut counted = latest.clone();
        counted.last_published = number;
        self.store
            .publish_version(counted.clone(), version.clone())
            .await?;
        // The counter is bookkeeping, not a change of `$LATEST`: its RevisionId stays.
        self.registry.put(
            entry
                .with_config(counted, &self.code_root)
                .with_version(version.clone(), &self.code_root),
        );
        Ok(version)
    }

    /// ListVersionsByFunction: `$LATEST`, then the published versions by number; the marker is
    /// the last version of the page.
    pub fn list_versions(
        &self,
        r: &FunctionRef,
        marker: Option<&str>,
        max_items: Option<usize>,
    ) -> Result<VersionPage, EngineError> {
        let entry = self.unqualified(r)?;
        let max = max_items.unwrap_or(LIST_PAGE_MAX).clamp(1, LIST_PAGE_MAX);
        let all: Vec<&FunctionConfig> = std::iter::once(&entry.config)
            .chain(entry.versions.values().map(|p| &p.config))
            .collect();
        let start = marker.map_or(0, |m| {
            all.iter()
                .position(|c| c.version == m)
                .map_or(all.len(), |i| i + 1)
        });
        let page: Vec<FunctionConfig> = all
            .iter()
            .skip(start)
            .take(max)
            .map(|c| (*c).clone())
            .collect();
        let next = (start + page.len() < all.len())
            .then(|| page.last().map(|c| c.version.clone()))
            .flatten();
        Ok((page, next))
    }

    /// DeleteFunction with a version number: that version, its environments and its
    /// event-invoke config go; `$LATEST` and aliases cannot be deleted this way (AWS's
    /// messages). An alias still pointing at it answers "Function not found" when invoked.
    pub(super) async fn delete_version(
        &self,
        entry: &FunctionEntry,
        q: &Qualifier,
    ) -> Result<(), EngineError> {
        if q.is_latest() {
            return Err(EngineError::InvalidParameter(
                "$LATEST version cannot be deleted without deleting the function.".into(),
            ));
        }
        if is_alias_name(q.as_str()) {
            return Err(EngineError::InvalidParameter(
                "Deletion of aliases is not currently supported.".into(),
            ));
        }
        let number: u32 = q
            .as_str()
            .parse()
            .ok()
            .filter(|n| is_version_number(q.as_str()) && entry.versions.contains_key(n))
            .ok_or_else(|| self.not_found(entry, q))?;
        let name = &entry.config.name;
        self.store.delete_function_version(name, number).await?;
        // As with a deleted function, events still queued for the version are discarded.
        self.store.discard_events(name, Some(q.as_str())).await?;
        let mut next = entry.clone();
        next.versions.remove(&number);
        next.invoke_configs.remove(q.as_str());
        self.registry.put(next);
        self.pool.evict_version(name, q.as_str());
        Ok(())
    }

    pub(super) fn not_found(&self, entry: &FunctionEntry, q: &Qualifier) -> EngineError {
        EngineError::NotFound(format!(
            "Function not found: {}",
            self.scope.qualified_arn(&entry.config.name, q)
        ))
    }
}
