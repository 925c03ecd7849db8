//! The in-memory view of every function, read on each invoke without touching storage.
//!
//! Entries are immutable snapshots: an update builds a new entry and swaps it in, so an
//! attempt that already started keeps the code it started with while queued events pick up
//! the new code (AWS's observed behaviour). Writes go to the store's catalog first.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use base64::Engine as _;
use lambkin_model::{
    EventInvokeConfig, FunctionConfig, FunctionName, FunctionRef, Qualifier, Scope,
};
use lambkin_sandbox::EnvironmentSpec;

use crate::EngineError;
use crate::concurrency::FunctionSlots;

#[derive(Debug)]
pub(crate) struct FunctionEntry {
    pub config: FunctionConfig,
    pub spec: Arc<EnvironmentSpec>,
    /// Event-invoke configs by qualifier (`$LATEST`, ...).
    pub invoke_configs: HashMap<String, EventInvokeConfig>,
    /// Shared by every snapshot of the function, so in-flight counts survive updates.
    pub slots: Arc<FunctionSlots>,
}

impl FunctionEntry {
    pub(crate) fn new(
        config: FunctionConfig,
        code_root: &Path,
        invoke_configs: HashMap<String, EventInvokeConfig>,
        slots: Arc<FunctionSlots>,
    ) -> Self {
        let spec = Arc::new(EnvironmentSpec {
            function_name: config.name.clone(),
            revision: config.revision_id.clone(),
            runtime: config.runtime,
            handler: config.handler.clone(),
            code_dir: code_root.join(code_dir_name(&config.code_sha256)),
            memory_mb: config.memory_mb,
            timeout: Duration::from_secs(u64::from(config.timeout_s)),
            version: Qualifier::LATEST.to_string(),
            variables: config.environment.clone().unwrap_or_default(),
        });
        FunctionEntry {
            config,
            spec,
            invoke_configs,
            slots,
        }
    }

    /// A new snapshot with `config`, keeping invoke configs and counters.
    pub(crate) fn with_config(&self, config: FunctionConfig, code_root: &Path) -> Self {
        FunctionEntry::new(
            config,
            code_root,
            self.invoke_configs.clone(),
            self.slots.clone(),
        )
    }

    pub(crate) fn invoke_config(&self, qualifier: &Qualifier) -> EventInvokeConfig {
        self.invoke_configs
            .get(qualifier.as_str())
            .cloned()
            .unwrap_or_default()
    }
}

/// Code folders are named by the hex SHA-256 of the zip; configs carry it in base64.
pub(crate) fn code_dir_name(sha256_b64: &str) -> String {
    base64::engine::general_purpose::STANDARD
        .decode(sha256_b64)
        .map(|d| d.iter().map(|b| format!("{b:02x}")).collect())
        .unwrap_or_else(|_| "invalid".into())
}

#[derive(Debug, Default)]
pub(crate) struct Registry {
    map: RwLock<HashMap<FunctionName, Arc<FunctionEntry>>>,
}

impl Registry {
    pub(crate) fn get(&self, name: &FunctionName) -> Option<Arc<FunctionEntry>> {
        self.map.read().ok()?.get(name).cloned()
    }

    /// The function a call names, or AWS's 404 (qualifiers other than `$LATEST` do not exist
    /// yet).
    pub(crate) fn entry(
        &self,
        r: &FunctionRef,
        scope: &Scope,
    ) -> Result<Arc<FunctionEntry>, EngineError> {
        let not_found = || {
            let arn = match &r.qualifier {
                Some(q) => scope.qualified_arn(&r.name, q),
                None => scope.function_arn(&r.name),
            };
            EngineError::NotFound(format!("Function not found: {arn}"))
        };
        if r.qualifier.as_ref().is_some_and(|q| !q.is_latest()) {
            return Err(not_found());
        }
        self.get(&r.name).ok_or_else(not_found)
    }

    pub(crate) fn put(&self, entry: FunctionEntry) -> Arc<FunctionEntry> {
        let entry = Arc::new(entry);
        if let Ok(mut m) = self.map.write() {
            m.insert(entry.config.name.clone(), entry.clone());
        }
        entry
    }

    pub(crate) fn remove(&self, name: &FunctionName) {
        if let Ok(mut m) = self.map.write() {
            m.remove(name);
        }
    }

    /// All entries ordered by name.
    pub(crate) fn all(&self) -> Vec<Arc<FunctionEntry>> {
        let mut all: Vec<_> = self
            .map
            .read()
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default();
        all.sort_by(|a, b| a.config.name.cmp(&b.config.name));
        all
    }

    /// Every function with reserved concurrency: its name, reservation and slots.
    pub(crate) fn reserved(&self) -> Vec<(FunctionName, u32, Arc<FunctionSlots>)> {
        self.map
            .read()
            .map(|m| {
                m.values()
                    .filter_map(|e| {
                        let r = e.config.reserved_concurrency?;
                        Some((e.config.name.clone(), r, e.slots.clone()))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    pub(crate) fn reserved_total(&self) -> u32 {
        self.map
            .read()
            .map(|m| {
                m.values()
                    .filter_map(|e| e.config.reserved_concurrency)
                    .sum()
            })
            .unwrap_or(0)
    }
}
