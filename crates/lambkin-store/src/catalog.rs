//! The catalog half of the storage contract: functions, their published versions and aliases,
//! and their event-invoke configs.

use async_trait::async_trait;
use lambkin_model::{Alias, EventInvokeConfig, FunctionConfig, FunctionName, Qualifier};

use crate::StoreError;

#[async_trait]
pub trait Catalog: Send + Sync + std::fmt::Debug {
    /// Fails with [`StoreError::FunctionExists`] if the name is taken.
    async fn create_function(&self, config: FunctionConfig) -> Result<(), StoreError>;
    /// Fails with [`StoreError::FunctionNotFound`] if it does not exist.
    async fn update_function(&self, config: FunctionConfig) -> Result<(), StoreError>;
    async fn function(&self, name: &FunctionName) -> Result<Option<FunctionConfig>, StoreError>;
    /// All functions, ordered by name.
    async fn functions(&self) -> Result<Vec<FunctionConfig>, StoreError>;
    /// Deletes the function, its versions, aliases and event-invoke configs; false if it did
    /// not exist.
    async fn delete_function(&self, name: &FunctionName) -> Result<bool, StoreError>;

    /// Publishes `version` (a snapshot whose `version` is its number) and stores `latest`
    /// (whose `last_published` counts it) in one commit. Fails with
    /// [`StoreError::FunctionNotFound`] if the function is gone.
    async fn publish_version(
        &self,
        latest: FunctionConfig,
        version: FunctionConfig,
    ) -> Result<(), StoreError>;
    /// Every published version of every function, ordered by function and number.
    async fn function_versions(&self) -> Result<Vec<FunctionConfig>, StoreError>;
    /// Deletes one published version and its event-invoke config; false if it did not exist.
    async fn delete_function_version(
        &self,
        name: &FunctionName,
        version: u32,
    ) -> Result<bool, StoreError>;
    /// Creates or replaces an alias.
    async fn put_alias(&self, function: &FunctionName, alias: Alias) -> Result<(), StoreError>;
    /// Every alias of every function, ordered by function and name.
    async fn aliases(&self) -> Result<Vec<(FunctionName, Alias)>, StoreError>;
    /// Deletes an alias and its event-invoke config; false if it did not exist.
    async fn delete_alias(&self, function: &FunctionName, name: &str) -> Result<bool, StoreError>;

    async fn put_event_invoke_config(
        &self,
        function: &FunctionName,
        qualifier: &Qualifier,
        config: EventInvokeConfig,
    ) -> Result<(), StoreError>;
    async fn event_invoke_config(
        &self,
        function: &FunctionName,
        qualifier: &Qualifier,
    ) -> Result<Option<EventInvokeConfig>, StoreError>;
    /// Ordered by qualifier.
    async fn event_invoke_configs(
        &self,
        function: &FunctionName,
    ) -> Result<Vec<(Qualifier, EventInvokeConfig)>, StoreError>;
    async fn delete_event_invoke_config(
        &self,
        function: &FunctionName,
        qualifier: &Qualifier,
    ) -> Result<bool, StoreError>;
}
