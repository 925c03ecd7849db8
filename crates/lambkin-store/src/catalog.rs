//! The catalog half of the storage contract: functions and their event-invoke configs.

use async_trait::async_trait;
use lambkin_model::{EventInvokeConfig, FunctionConfig, FunctionName, Qualifier};

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
    /// Deletes the function and its event-invoke configs; false if it did not exist.
    async fn delete_function(&self, name: &FunctionName) -> Result<bool, StoreError>;

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
