//! The control plane: functions (`functions.rs`), published versions (`versions.rs`) and
//! aliases (`aliases.rs`), reserved concurrency and account settings
//! (`concurrency.rs`), event-invoke configs (`event_invoke_config.rs`), function code
//! (`code.rs`) and SQS event source mappings (`event_source_mappings.rs`, whose pollers live
//! in `sources/`). Each operation checks with AWS's rules (`validate.rs`), writes the store's
//! catalog, then swaps the function's snapshot in the registry. Writes are serialised, so
//! read-modify-write updates do not race.

mod aliases;
mod code;
mod concurrency;
mod event_invoke_config;
mod event_source_mappings;
mod functions;
mod permissions;
mod recursion;
mod tags;
pub(crate) mod validate;
mod versions;

use std::path::PathBuf;
use std::sync::Arc;

use lambkin_model::{Clock, FunctionConfig, FunctionRef, Scope};
use lambkin_sandbox::EnvironmentPool;
use lambkin_store::Store;

pub use code::CodeSource;

use crate::EngineError;
use crate::code_link::CodeLinks;
use crate::concurrency::Limiter;
use crate::destinations::Targets;
use crate::dispatch::Wake;
use crate::metrics::Metrics;
use crate::registry::{FunctionEntry, Registry};
use crate::sources::Sources;
pub use aliases::{AliasPage, AliasRequest};
pub use concurrency::AccountSettings;
pub use event_invoke_config::InvokeConfigPage;
pub use event_source_mappings::MappingPage;
pub use functions::{FunctionPatch, NewFunction};
pub use permissions::Permission;
pub use versions::{PublishRequest, VersionPage};

/// The control plane, with what it uses.
#[derive(Debug)]
pub struct Control {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) registry: Arc<Registry>,
    pub(crate) limiter: Arc<Limiter>,
    /// Environments of a changed or deleted function are evicted.
    pub(crate) pool: Arc<EnvironmentPool>,
    /// Each function's metrics are created with it and forgotten with it.
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) clock: Arc<dyn Clock>,
    /// Tells the dispatcher when reservations change.
    pub(crate) wake: Arc<Wake>,
    /// Dead-letter and destination checks.
    pub(crate) targets: Targets,
    pub(crate) scope: Scope,
    /// Where packages are kept (`<data>/code`).
    pub(crate) code_root: PathBuf,
    pub(crate) code_links: CodeLinks,
    /// Packages given as `S3Bucket`/`S3Key` are read from lambkin's S3.
    pub(crate) s3: lambkin_s3::S3,
    pub(crate) unreserved_minimum: u32,
    /// Event source mappings' pollers, told of each mapping written.
    pub(crate) sources: Arc<Sources>,
    /// Serialises writes, so read-modify-write updates do not race.
    pub(crate) lock: tokio::sync::Mutex<()>,
}

fn new_revision() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A number already checked against its range.
fn checked(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

impl Control {
    /// The function a control-plane call names.
    fn entry(&self, r: &FunctionRef) -> Result<Arc<FunctionEntry>, EngineError> {
        self.registry.entry(r, &self.scope)
    }

    /// Stores a changed function. Every change gets a new `RevisionId` (AWS's, for
    /// `RevisionId` preconditions), code, configuration and reserved concurrency alike.
    async fn replace(
        &self,
        entry: &FunctionEntry,
        mut config: FunctionConfig,
    ) -> Result<FunctionConfig, EngineError> {
        config.revision_id = new_revision();
        self.store.update_function(config.clone()).await?;
        self.registry
            .put(entry.with_config(config.clone(), &self.code_root));
        self.limits_changed();
        Ok(config)
    }

    /// After a reservation may have changed: the pools follow, and the dispatcher looks at its
    /// waiting events again (a larger reservation has free slots no release will announce).
    fn limits_changed(&self) {
        self.limiter
            .set_reserved_total(self.registry.reserved_total());
        self.wake.work();
    }
}
