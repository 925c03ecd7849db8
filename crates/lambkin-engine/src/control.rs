//! Control-plane operations: functions, reserved concurrency, event-invoke configs.
//! Each validates with AWS's rules, writes the store's catalog, then the registry.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use lambkin_model::limits::{
    EPHEMERAL_DEFAULT_MB, LIST_PAGE_MAX, MEMORY_DEFAULT_MB, TIMEOUT_DEFAULT_S,
};
use lambkin_model::{
    DestinationConfig, EventInvokeConfig, FunctionConfig, FunctionName, FunctionRef, Qualifier,
};

use crate::code_package::CodePackage;
use crate::registry::{FunctionEntry, code_dir_name};
use crate::{Engine, EngineError, validate};

/// `CreateFunction` input, already decoded from the wire; numbers as sent, so their checks
/// can print them.
#[derive(Debug, Clone, Default)]
pub struct NewFunction {
    pub name: Option<String>,
    pub runtime: Option<String>,
    pub handler: Option<String>,
    pub role: Option<String>,
    /// Whether the request had a `Code` member at all.
    pub code_given: bool,
    pub zip: Option<Vec<u8>>,
    pub description: Option<String>,
    pub timeout: Option<i64>,
    pub memory: Option<i64>,
    pub environment: Option<BTreeMap<String, String>>,
    pub dead_letter_target: Option<String>,
    pub architectures: Option<Vec<String>>,
    pub ephemeral_storage_mb: Option<i64>,
    pub tags: BTreeMap<String, String>,
    pub package_type: Option<String>,
}

/// `UpdateFunctionConfiguration` input: `None` leaves a setting as it is.
#[derive(Debug, Clone, Default)]
pub struct FunctionPatch {
    pub role: Option<String>,
    pub handler: Option<String>,
    pub runtime: Option<String>,
    pub description: Option<String>,
    pub timeout: Option<i64>,
    pub memory: Option<i64>,
    pub environment: Option<BTreeMap<String, String>>,
    /// `Some("")` clears the dead-letter queue.
    pub dead_letter_target: Option<String>,
    pub ephemeral_storage_mb: Option<i64>,
    pub revision_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSettings {
    pub concurrent_executions: u32,
    pub unreserved_concurrent_executions: u32,
    pub total_code_size: u64,
    pub function_count: u64,
}

/// A page of `(qualifier, config)` pairs and the marker of the next page.
pub type InvokeConfigPage = (Vec<(Qualifier, EventInvokeConfig)>, Option<String>);

fn new_revision() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The name CreateFunction creates: a plain name or an unqualified ARN (its modelled
/// constraints already checked).
fn function_name(s: &str) -> Result<FunctionName, EngineError> {
    match FunctionRef::parse(s, None) {
        Ok(FunctionRef {
            name,
            qualifier: None,
        }) => Ok(name),
        _ => Err(EngineError::InvalidParameter(format!(
            "Function name {s} is not a function name or an unqualified function ARN."
        ))),
    }
}

/// A number already checked against its range.
fn checked(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

impl Engine {
    pub(crate) fn code_root(&self) -> std::path::PathBuf {
        self.inner.config.data_dir.join("code")
    }

    async fn unpack(&self, zip: Vec<u8>) -> Result<CodePackage, EngineError> {
        let root = self.code_root();
        tokio::task::spawn_blocking(move || CodePackage::unpack(&zip, &root))
            .await
            .map_err(|_| EngineError::ShuttingDown)?
    }

    /// The function a control-plane call names (qualifiers other than `$LATEST` do not exist yet).
    pub(crate) fn entry(&self, r: &FunctionRef) -> Result<Arc<FunctionEntry>, EngineError> {
        let scope = &self.inner.config.scope;
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
        self.inner.registry.get(&r.name).ok_or_else(not_found)
    }

    pub async fn create_function(&self, req: NewFunction) -> Result<FunctionConfig, EngineError> {
        // AWS checks every modelled constraint first and reports them together; its service
        // rules come after, one at a time.
        validate::fail(&validate::new_function(&req))?;
        let name = function_name(req.name.as_deref().unwrap_or_default())?;
        if req.package_type.as_deref().is_some_and(|p| p != "Zip") {
            return Err(EngineError::InvalidParameter(
                "lambkin runs Zip packages only; PackageType Image is not supported.".into(),
            ));
        }
        let (Some(runtime), Some(handler)) = (req.runtime.as_deref(), req.handler.as_deref())
        else {
            return Err(EngineError::InvalidParameter(
                "Runtime and Handler are mandatory parameters for functions created with deployment packages.".into(),
            ));
        };
        let runtime = validate::runtime(runtime)?;
        let timeout_s = req.timeout.map_or(TIMEOUT_DEFAULT_S, checked);
        let memory_mb = validate::memory_limit(req.memory.unwrap_or(i64::from(MEMORY_DEFAULT_MB)))?;
        if let Some(vars) = &req.environment {
            validate::environment(vars)?;
        }
        let architecture = req
            .architectures
            .as_ref()
            .and_then(|a| a.first().cloned())
            .unwrap_or_else(|| "x86_64".into());
        let ephemeral_storage_mb = req
            .ephemeral_storage_mb
            .map_or(EPHEMERAL_DEFAULT_MB, checked);
        if let Some(arn) = &req.dead_letter_target {
            // CreateFunction rejects an empty TargetArn; only an update clears with "".
            self.check_dead_letter(arn).await?;
        }
        let Some(zip) = req.zip else {
            return Err(EngineError::InvalidParameter(
                "Please provide a source for function code (lambkin accepts Code.ZipFile).".into(),
            ));
        };
        let _guard = self.inner.control.lock().await;
        if self.inner.registry.get(&name).is_some() {
            return Err(EngineError::Conflict(format!(
                "Function already exist: {name}"
            )));
        }
        let package = self.unpack(zip).await?;
        let config = FunctionConfig {
            name,
            runtime,
            handler: handler.to_string(),
            role: req.role.unwrap_or_default(),
            description: req.description.unwrap_or_default(),
            timeout_s,
            memory_mb,
            environment: req.environment,
            dead_letter_target: req.dead_letter_target,
            architecture,
            ephemeral_storage_mb,
            code_sha256: package.sha256,
            code_size: package.size,
            revision_id: new_revision(),
            last_modified: self.inner.clock.now(),
            reserved_concurrency: None,
            tags: req.tags,
        };
        self.inner.store.create_function(config.clone()).await?;
        self.inner.registry.put(FunctionEntry::new(
            config.clone(),
            &self.code_root(),
            HashMap::new(),
            crate::concurrency::FunctionSlots::new(self.inner.metrics.function(&config.name)),
        ));
        Ok(config)
    }

    pub fn get_function(&self, r: &FunctionRef) -> Result<FunctionConfig, EngineError> {
        Ok(self.entry(r)?.config.clone())
    }

    /// One page of functions after `marker` (a name), at most 50.
    pub fn list_functions(
        &self,
        marker: Option<&str>,
        max_items: Option<usize>,
    ) -> (Vec<FunctionConfig>, Option<String>) {
        let max = max_items.unwrap_or(LIST_PAGE_MAX).clamp(1, LIST_PAGE_MAX);
        let all = self.inner.registry.all();
        let start = marker.map_or(0, |m| {
            all.iter()
                .position(|e| e.config.name.as_str() > m)
                .unwrap_or(all.len())
        });
        let page: Vec<FunctionConfig> = all
            .iter()
            .skip(start)
            .take(max)
            .map(|e| e.config.clone())
            .collect();
        let next = (start + page.len() < all.len())
            .then(|| page.last().map(|c| c.name.to_string()))
            .flatten();
        (page, next)
    }

    pub async fn delete_function(&self, r: &FunctionRef) -> Result<(), EngineError> {
        let _guard = self.inner.control.lock().await;
        let entry = self.entry(r)?;
        let name = &entry.config.name;
        self.inner.store.delete_function(name).await?;
        // AWS discards events still queued for a deleted function.
        self.inner.store.discard_events(name).await?;
        self.inner.registry.remove(name);
        self.inner.metrics.forget_function(name);
        self.limits_changed();
        self.inner.pool.evict(name);
        Ok(())
    }

    /// Stores a changed function. Every change gets a new `RevisionId` (AWS's, for
    /// `RevisionId` preconditions), code, configuration and reserved concurrency alike.
    async fn replace(
        &self,
        entry: &FunctionEntry,
        mut config: FunctionConfig,
    ) -> Result<FunctionConfig, EngineError> {
        config.revision_id = new_revision();
        self.inner.store.update_function(config.clone()).await?;
        self.inner
            .registry
            .put(entry.with_config(config.clone(), &self.code_root()));
        self.limits_changed();
        Ok(config)
    }

    /// After a reservation may have changed: the pools follow, and the dispatcher looks at its
    /// waiting events again (a larger reservation has free slots no release will announce).
    fn limits_changed(&self) {
        self.inner
            .limiter
            .set_reserved_total(self.inner.registry.reserved_total());
        self.inner.wake.work();
    }

    /// UpdateFunctionCode; with `revision_id`, only if the function is still at it.
    pub async fn update_function_code(
        &self,
        r: &FunctionRef,
        zip: Option<Vec<u8>>,
        revision_id: Option<&str>,
    ) -> Result<FunctionConfig, EngineError> {
        let _guard = self.inner.control.lock().await;
        let entry = self.entry(r)?;
        if revision_id.is_some_and(|rev| rev != entry.config.revision_id) {
            return Err(EngineError::PreconditionFailed);
        }
        let Some(zip) = zip else {
            return Err(EngineError::InvalidParameter(
                "Please provide a source for function code (lambkin accepts ZipFile).".into(),
            ));
        };
        let package = self.unpack(zip).await?;
        let mut config = entry.config.clone();
        config.code_sha256 = package.sha256;
        config.code_size = package.size;
        config.last_modified = self.inner.clock.now();
        let config = self.replace(&entry, config).await?;
        self.inner.pool.evict(&config.name);
        Ok(config)
    }

    pub async fn update_function_configuration(
        &self,
        r: &FunctionRef,
        patch: FunctionPatch,
    ) -> Result<FunctionConfig, EngineError> {
        validate::fail(&validate::patch(&patch))?;
        let _guard = self.inner.control.lock().await;
        let entry = self.entry(r)?;
        if let Some(rev) = &patch.revision_id
            && *rev != entry.config.revision_id
        {
            return Err(EngineError::PreconditionFailed);
        }
        let mut config = entry.config.clone();
        if let Some(role) = patch.role {
            config.role = role;
        }
        if let Some(h) = patch.handler {
            config.handler = h;
        }
        if let Some(rt) = patch.runtime {
            config.runtime = validate::runtime(&rt)?;
        }
        if let Some(d) = patch.description {
            config.description = d;
        }
        if let Some(t) = patch.timeout {
            config.timeout_s = checked(t);
        }
        if let Some(m) = patch.memory {
            config.memory_mb = validate::memory_limit(m)?;
        }
        if let Some(vars) = patch.environment {
            validate::environment(&vars)?;
            config.environment = Some(vars);
        }
        if let Some(dlq) = patch.dead_letter_target {
            if !dlq.is_empty() {
                self.check_dead_letter(&dlq).await?;
            }
            config.dead_letter_target = (!dlq.is_empty()).then_some(dlq);
        }
        if let Some(e) = patch.ephemeral_storage_mb {
            config.ephemeral_storage_mb = checked(e);
        }
        config.last_modified = self.inner.clock.now();
        let config = self.replace(&entry, config).await?;
        self.inner.pool.evict(&config.name);
        Ok(config)
    }

    fn unqualified_only(r: &FunctionRef) -> Result<(), EngineError> {
        if r.qualifier.is_some() {
            return Err(EngineError::InvalidParameter(
                "This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.".into(),
            ));
        }
        Ok(())
    }

    pub async fn put_function_concurrency(
        &self,
        r: &FunctionRef,
        reserved: u32,
    ) -> Result<u32, EngineError> {
        Self::unqualified_only(r)?;
        let _guard = self.inner.control.lock().await;
        let entry = self.entry(r)?;
        let others =
            self.inner.registry.reserved_total() - entry.config.reserved_concurrency.unwrap_or(0);
        let minimum = self.inner.config.unreserved_minimum;
        if self
            .inner
            .limiter
            .account()
            .saturating_sub(others + reserved)
            < minimum
        {
            return Err(EngineError::InvalidParameter(format!(
                "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [{minimum}]."
            )));
        }
        let mut config = entry.config.clone();
        config.reserved_concurrency = Some(reserved);
        self.replace(&entry, config).await?;
        Ok(reserved)
    }

    pub fn get_function_concurrency(&self, r: &FunctionRef) -> Result<Option<u32>, EngineError> {
        Self::unqualified_only(r)?;
        Ok(self.entry(r)?.config.reserved_concurrency)
    }

    pub async fn delete_function_concurrency(&self, r: &FunctionRef) -> Result<(), EngineError> {
        Self::unqualified_only(r)?;
        let _guard = self.inner.control.lock().await;
        let entry = self.entry(r)?;
        let mut config = entry.config.clone();
        config.reserved_concurrency = None;
        self.replace(&entry, config).await?;
        Ok(())
    }

    pub fn account_settings(&self) -> AccountSettings {
        let all = self.inner.registry.all();
        AccountSettings {
            concurrent_executions: self.inner.limiter.account(),
            unreserved_concurrent_executions: self.inner.limiter.unreserved_pool(),
            total_code_size: all.iter().map(|e| e.config.code_size).sum(),
            function_count: all.len() as u64,
        }
    }

    // --- event-invoke configs -------------------------------------------------------------

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
        let arn = self.inner.config.scope.qualified_arn(name, q);
        EngineError::NotFound(format!(
            "The function {arn} doesn't have an EventInvokeConfig"
        ))
    }

    async fn check_invoke_config(
        &self,
        name: &FunctionName,
        cfg: &EventInvokeConfig,
    ) -> Result<(), EngineError> {
        self.check_destinations(name, &cfg.destinations).await?;
        Ok(())
    }

    async fn store_invoke_config(
        &self,
        entry: &FunctionEntry,
        q: &Qualifier,
        cfg: EventInvokeConfig,
    ) -> Result<EventInvokeConfig, EngineError> {
        self.inner
            .store
            .put_event_invoke_config(&entry.config.name, q, cfg.clone())
            .await?;
        let mut configs = entry.invoke_configs.clone();
        configs.insert(q.to_string(), cfg.clone());
        self.inner.registry.put(FunctionEntry::new(
            entry.config.clone(),
            &self.code_root(),
            configs,
            entry.slots.clone(),
        ));
        Ok(cfg)
    }

    /// `PutFunctionEventInvokeConfig`: replaces the whole config.
    pub async fn put_event_invoke_config(
        &self,
        r: &FunctionRef,
        mut cfg: EventInvokeConfig,
    ) -> Result<(Qualifier, EventInvokeConfig), EngineError> {
        let _guard = self.inner.control.lock().await;
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
        cfg.last_modified = self.inner.clock.now();
        Ok((q.clone(), self.store_invoke_config(&entry, &q, cfg).await?))
    }

    /// `UpdateFunctionEventInvokeConfig`: merges into the existing config.
    pub async fn update_event_invoke_config(
        &self,
        r: &FunctionRef,
        mut update: EventInvokeConfig,
    ) -> Result<(Qualifier, EventInvokeConfig), EngineError> {
        let _guard = self.inner.control.lock().await;
        let (entry, q) = self.invoke_config_target(r)?;
        let Some(existing) = entry.invoke_configs.get(q.as_str()) else {
            return Err(self.missing_invoke_config(&entry.config.name, &q));
        };
        update.last_modified = self.inner.clock.now();
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
        let _guard = self.inner.control.lock().await;
        let (entry, q) = self.invoke_config_target(r)?;
        if !entry.invoke_configs.contains_key(q.as_str()) {
            return Err(self.missing_invoke_config(&entry.config.name, &q));
        }
        self.inner
            .store
            .delete_event_invoke_config(&entry.config.name, &q)
            .await?;
        let mut configs = entry.invoke_configs.clone();
        configs.remove(q.as_str());
        self.inner.registry.put(FunctionEntry::new(
            entry.config.clone(),
            &self.code_root(),
            configs,
            entry.slots.clone(),
        ));
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

    /// The code folder of a function, for diagnostics.
    pub fn code_dir(&self, config: &FunctionConfig) -> std::path::PathBuf {
        self.code_root().join(code_dir_name(&config.code_sha256))
    }
}
