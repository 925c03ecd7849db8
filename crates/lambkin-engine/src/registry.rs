//! The in-memory view of every function, read on each invoke without touching storage.
//!
//! Entries are immutable snapshots: an update builds a new entry and swaps it in, so an
//! attempt that already started keeps the code it started with while queued events pick up
//! the new code (AWS's observed behaviour). Writes go to the store's catalog first. An entry
//! holds `$LATEST`, the published versions (each with its own environment spec) and the
//! aliases; `FunctionEntry::route` is where an invocation's version is chosen.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use base64::Engine as _;
use lambkin_model::{
    Alias, EventInvokeConfig, FunctionConfig, FunctionName, FunctionRef, Qualifier, Scope,
};
use lambkin_sandbox::EnvironmentSpec;

use crate::EngineError;
use crate::concurrency::FunctionSlots;

/// A published version: its configuration as it was when published, and the environment that
/// runs it.
#[derive(Debug)]
pub(crate) struct Published {
    pub config: FunctionConfig,
    pub spec: Arc<EnvironmentSpec>,
}

#[derive(Debug, Clone)]
pub(crate) struct FunctionEntry {
    /// `$LATEST`'s configuration; function-level settings (reserved concurrency, recursion,
    /// tags, the dead-letter queue) are read from it for every version.
    pub config: FunctionConfig,
    pub spec: Arc<EnvironmentSpec>,
    /// Published versions by number: immutable snapshots with their own environments.
    pub versions: BTreeMap<u32, Arc<Published>>,
    pub aliases: BTreeMap<String, Alias>,
    /// Event-invoke configs by qualifier (`$LATEST`, `1`, `live`, ...).
    pub invoke_configs: HashMap<String, EventInvokeConfig>,
    /// Shared by every snapshot of the function, so in-flight counts survive updates.
    pub slots: Arc<FunctionSlots>,
}

/// The environment a configuration runs in; `config.version` names it (`$LATEST`, `1`, …).
fn spec_of(config: &FunctionConfig, code_root: &Path) -> Arc<EnvironmentSpec> {
    Arc::new(EnvironmentSpec {
        function_name: config.name.clone(),
        revision: config.revision_id.clone(),
        runtime: config.runtime,
        handler: config.handler.clone(),
        code_dir: code_root.join(code_dir_name(&config.code_sha256)),
        memory_mb: config.memory_mb,
        timeout: Duration::from_secs(u64::from(config.timeout_s)),
        version: config.version.clone(),
        variables: config.environment.clone().unwrap_or_default(),
    })
}

impl FunctionEntry {
    pub(crate) fn new(
        config: FunctionConfig,
        code_root: &Path,
        invoke_configs: HashMap<String, EventInvokeConfig>,
        slots: Arc<FunctionSlots>,
    ) -> Self {
        FunctionEntry {
            spec: spec_of(&config, code_root),
            config,
            versions: BTreeMap::new(),
            aliases: BTreeMap::new(),
            invoke_configs,
            slots,
        }
    }

    /// A new snapshot with `$LATEST` at `config`, keeping everything else.
    pub(crate) fn with_config(&self, config: FunctionConfig, code_root: &Path) -> Self {
        FunctionEntry {
            spec: spec_of(&config, code_root),
            config,
            ..self.clone()
        }
    }

    /// A new snapshot with `version` published beside the others.
    pub(crate) fn with_version(&self, version: FunctionConfig, code_root: &Path) -> Self {
        let mut next = self.clone();
        if let Ok(n) = version.version.parse() {
            let spec = spec_of(&version, code_root);
            next.versions.insert(
                n,
                Arc::new(Published {
                    config: version,
                    spec,
                }),
            );
        }
        next
    }

    pub(crate) fn invoke_config(&self, qualifier: &Qualifier) -> EventInvokeConfig {
        self.invoke_configs
            .get(qualifier.as_str())
            .cloned()
            .unwrap_or_default()
    }

    /// The configuration and environment of `version` (`$LATEST` or a number), if it exists.
    pub(crate) fn version(
        &self,
        version: &str,
    ) -> Option<(&FunctionConfig, &Arc<EnvironmentSpec>)> {
        if version == Qualifier::LATEST {
            return Some((&self.config, &self.spec));
        }
        let p = self.versions.get(&version.parse().ok()?)?;
        Some((&p.config, &p.spec))
    }

    /// Whether `q` names something of this function: `$LATEST`, a published version or an
    /// alias.
    pub(crate) fn has(&self, q: &Qualifier) -> bool {
        self.version(q.as_str()).is_some() || self.aliases.contains_key(q.as_str())
    }

    /// The configuration a qualified read shows: an alias shows its version's.
    pub(crate) fn config_for(&self, q: Option<&Qualifier>) -> Option<&FunctionConfig> {
        let Some(q) = q else {
            return Some(&self.config);
        };
        match self.aliases.get(q.as_str()) {
            Some(alias) => self.version(&alias.function_version).map(|(c, _)| c),
            None => self.version(q.as_str()).map(|(c, _)| c),
        }
    }

    /// The version one invocation of `q` runs (an alias picks by its weights with `roll`, a
    /// number drawn from [0, 1)); `None` if `q` names nothing that exists.
    pub(crate) fn route(&self, q: Option<&Qualifier>, roll: f64) -> Option<&str> {
        let Some(q) = q else {
            return Some(Qualifier::LATEST);
        };
        let version = match self.aliases.get(q.as_str()) {
            Some(alias) => alias.route(roll),
            None => q.as_str(),
        };
        self.version(version).map(|(c, _)| c.version.as_str())
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

    /// The function a call names, with its qualifier (a version or alias) if any, or AWS's 404
    /// naming what was asked for.
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
        let entry = self.get(&r.name).ok_or_else(not_found)?;
        match &r.qualifier {
            Some(q) if !entry.has(q) => Err(not_found()),
            _ => Ok(entry),
        }
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
