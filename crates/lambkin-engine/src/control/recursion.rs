//! PutFunctionRecursionConfig and GetFunctionRecursionConfig: whether a function's recursive
//! loops are stopped (`Terminate`, the default) or let run (`Allow`).

use lambkin_model::FunctionRef;

use super::Control;
use crate::EngineError;

impl Control {
    /// Sets `Allow` (true) or `Terminate` (false); answers what is now set.
    pub async fn put_recursion_config(
        &self,
        r: &FunctionRef,
        allow: bool,
    ) -> Result<bool, EngineError> {
        Self::unqualified_only(r)?;
        let _guard = self.lock.lock().await;
        let entry = self.entry(r)?;
        let mut config = entry.config.clone();
        config.recursive_loop_allowed = allow;
        self.replace(&entry, config).await?;
        Ok(allow)
    }

    /// True for `Allow`.
    pub fn recursion_config(&self, r: &FunctionRef) -> Result<bool, EngineError> {
        Self::unqualified_only(r)?;
        Ok(self.entry(r)?.config.recursive_loop_allowed)
    }
}
