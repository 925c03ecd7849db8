//! CreateFunction, GetFunction, ListFunctions, DeleteFunction, UpdateFunctionCode and
//! UpdateFunctionConfiguration.

use std::collections::{BTreeMap, HashMap};

use lambkin_model::limits::{
    EPHEMERAL_DEFAULT_MB, LIST_PAGE_MAX, MEMORY_DEFAULT_MB, TIMEOUT_DEFAULT_S,
};
use lambkin_model::{FunctionConfig, FunctionName, FunctionRef, Qualifier};

use super::CodeSource;
use super::{Control, checked, new_revision, validate};
use crate::EngineError;
use crate::registry::FunctionEntry;

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
    pub code: Option<CodeSource>,
    pub description: Option<String>,
    pub timeout: Option<i64>,
    pub memory: Option<i64>,
    pub environment: Option<BTreeMap<String, String>>,
    pub dead_letter_target: Option<String>,
    pub architectures: Option<Vec<String>>,
    pub ephemeral_storage_mb: Option<i64>,
    pub tags: BTreeMap<String, String>,
    pub package_type: Option<String>,
    /// `Publish: true`: version 1 is published with the function.
    pub publish: bool,
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

impl Control {
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
            self.targets.check_dead_letter(arn).await?;
        }
        let Some(source) = req.code else {
            return Err(EngineError::InvalidParameter(
                "Please provide a source for function code.".into(),
            ));
        };
        let zip = self.package(source).await?;
        let _guard = self.lock.lock().await;
        if self.registry.get(&name).is_some() {
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
            last_modified: self.clock.now(),
            reserved_concurrency: None,
            tags: req.tags,
            recursive_loop_allowed: false,
            policy_statements: Vec::new(),
            version: Qualifier::LATEST.into(),
            last_published: 0,
            published_from: None,
        };
        self.store.create_function(config.clone()).await?;
        self.registry.put(FunctionEntry::new(
            config.clone(),
            &self.code_root,
            HashMap::new(),
            crate::concurrency::FunctionSlots::new(self.metrics.function(&config.name)),
        ));
        if req.publish {
            // AWS answers with the version it published (1).
            let r = FunctionRef {
                name: config.name.clone(),
                qualifier: None,
            };
            return self
                .publish_locked(&r, super::PublishRequest::default())
                .await;
        }
        Ok(config)
    }

    /// GetFunction and GetFunctionConfiguration: `$LATEST`, or the version or alias named (an
    /// alias shows the version it points at).
    pub fn get_function(&self, r: &FunctionRef) -> Result<FunctionConfig, EngineError> {
        let entry = self.entry(r)?;
        entry
            .config_for(r.qualifier.as_ref())
            .cloned()
            .ok_or_else(|| {
                let q = r.effective_qualifier();
                self.not_found(&entry, &q)
            })
    }

    /// One page of functions after `marker`, at most 50: each function's `$LATEST`, or with
    /// `all_versions` (`FunctionVersion=ALL`) also its published versions, the marker then
    /// naming `function:version`.
    pub fn list_functions(
        &self,
        marker: Option<&str>,
        max_items: Option<usize>,
        all_versions: bool,
    ) -> (Vec<FunctionConfig>, Option<String>) {
        let max = max_items.unwrap_or(LIST_PAGE_MAX).clamp(1, LIST_PAGE_MAX);
        let entries = self.registry.all();
        let all: Vec<&FunctionConfig> = entries
            .iter()
            .flat_map(|e| {
                let versions = e
                    .versions
                    .values()
                    .map(|p| &p.config)
                    .filter(move |_| all_versions);
                std::iter::once(&e.config).chain(versions)
            })
            .collect();
        let key = |c: &FunctionConfig| {
            if all_versions {
                format!("{}:{}", c.name, c.version)
            } else {
                c.name.to_string()
            }
        };
        let start = marker.map_or(0, |m| {
            all.iter().position(|c| key(c) == m).map_or_else(
                // A marker of nothing listed: continue after where it would sort.
                || {
                    all.iter()
                        .position(|c| c.name.as_str() > m)
                        .unwrap_or(all.len())
                },
                |i| i + 1,
            )
        });
        let page: Vec<FunctionConfig> = all
            .iter()
            .skip(start)
            .take(max)
            .map(|c| (*c).clone())
            .collect();
        let next = (start + page.len() < all.len())
            .then(|| page.last().map(key))
            .flatten();
        (page, next)
    }

    /// DeleteFunction; with a version number as qualifier, only that version.
    pub async fn delete_function(&self, r: &FunctionRef) -> Result<(), EngineError> {
        let _guard = self.lock.lock().await;
        let entry = self.entry(&FunctionRef {
            name: r.name.clone(),
            qualifier: None,
        })?;
        if let Some(q) = &r.qualifier {
            return self.delete_version(&entry, q).await;
        }
        let name = &entry.config.name;
        self.store.delete_function(name).await?;
        // AWS discards events still queued for a deleted function.
        self.store.discard_events(name, None).await?;
        self.registry.remove(name);
        self.metrics.forget_function(name);
        self.limits_changed();
        self.pool.evict(name);
        Ok(())
    }

    /// UpdateFunctionCode; with `revision_id`, only if the function is still at it; with
    /// `publish`, a version of the new code is published too (the answer is that version).
    pub async fn update_function_code(
        &self,
        r: &FunctionRef,
        code: Option<CodeSource>,
        revision_id: Option<&str>,
        publish: bool,
    ) -> Result<FunctionConfig, EngineError> {
        let _guard = self.lock.lock().await;
        let entry = self.entry(r)?;
        if revision_id.is_some_and(|rev| rev != entry.config.revision_id) {
            return Err(EngineError::PreconditionFailed);
        }
        let Some(source) = code else {
            return Err(EngineError::InvalidParameter(
                "Please provide a source for function code.".into(),
            ));
        };
        let zip = self.package(source).await?;
        let package = self.unpack(zip).await?;
        let mut config = entry.config.clone();
        config.code_sha256 = package.sha256;
        config.code_size = package.size;
        config.last_modified = self.clock.now();
        let config = self.replace(&entry, config).await?;
        self.pool.evict_version(&config.name, Qualifier::LATEST);
        if publish {
            return self
                .publish_locked(r, super::PublishRequest::default())
                .await;
        }
        Ok(config)
    }

    pub async fn update_function_configuration(
        &self,
        r: &FunctionRef,
        patch: FunctionPatch,
    ) -> Result<FunctionConfig, EngineError> {
        validate::fail(&validate::patch(&patch))?;
        let _guard = self.lock.lock().await;
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
                self.targets.check_dead_letter(&dlq).await?;
            }
            config.dead_letter_target = (!dlq.is_empty()).then_some(dlq);
        }
        if let Some(e) = patch.ephemeral_storage_mb {
            config.ephemeral_storage_mb = checked(e);
        }
        config.last_modified = self.clock.now();
        let config = self.replace(&entry, config).await?;
        self.pool.evict_version(&config.name, Qualifier::LATEST);
        Ok(config)
    }
}
