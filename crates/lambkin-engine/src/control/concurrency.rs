//! PutFunctionConcurrency, GetFunctionConcurrency, DeleteFunctionConcurrency and
//! GetAccountSettings.

use lambkin_model::FunctionRef;

use super::Control;
use crate::EngineError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSettings {
    pub concurrent_executions: u32,
    pub unreserved_concurrent_executions: u32,
    pub total_code_size: u64,
    pub function_count: u64,
}

impl Control {
    pub(super) fn unqualified_only(r: &FunctionRef) -> Result<(), EngineError> {
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
        let _guard = self.lock.lock().await;
        let entry = self.entry(r)?;
        let others =
            self.registry.reserved_total() - entry.config.reserved_concurrency.unwrap_or(0);
        let minimum = self.unreserved_minimum;
        if self.limiter.account().saturating_sub(others + reserved) < minimum {
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
        let _guard = self.lock.lock().await;
        let entry = self.entry(r)?;
        let mut config = entry.config.clone();
        config.reserved_concurrency = None;
        self.replace(&entry, config).await?;
        Ok(())
    }

    pub fn account_settings(&self) -> AccountSettings {
        let all = self.registry.all();
        AccountSettings {
            concurrent_executions: self.limiter.account(),
            unreserved_concurrent_executions: self.limiter.unreserved_pool(),
            total_code_size: all.iter().map(|e| e.config.code_size).sum(),
            function_count: all.len() as u64,
        }
    }
}
