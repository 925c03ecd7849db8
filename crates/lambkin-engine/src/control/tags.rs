//! TagResource, UntagResource and ListTags on functions: tags kept with the function's
//! configuration (CreateFunction's `Tags`, GetFunction's `Tags`), each change a new revision.

use std::collections::BTreeMap;

use lambkin_model::FunctionRef;

use super::Control;
use crate::EngineError;

/// AWS's limit on tags per function.
const MAX_TAGS: usize = 50;

impl Control {
    /// Adds or replaces tags.
    pub async fn tag_function(
        &self,
        r: &FunctionRef,
        tags: BTreeMap<String, String>,
    ) -> Result<(), EngineError> {
        Self::unqualified_only(r)?;
        let _guard = self.lock.lock().await;
        let entry = self.entry(r)?;
        let mut config = entry.config.clone();
        config.tags.extend(tags);
        if config.tags.len() > MAX_TAGS {
            return Err(EngineError::InvalidParameter(format!(
                "Number of tags exceeds resource tag limit of {MAX_TAGS}."
            )));
        }
        self.replace(&entry, config).await?;
        Ok(())
    }

    /// Removes tags; keys the function does not have are ignored.
    pub async fn untag_function(
        &self,
        r: &FunctionRef,
        keys: &[String],
    ) -> Result<(), EngineError> {
        Self::unqualified_only(r)?;
        let _guard = self.lock.lock().await;
        let entry = self.entry(r)?;
        let mut config = entry.config.clone();
        config.tags.retain(|k, _| !keys.contains(k));
        self.replace(&entry, config).await?;
        Ok(())
    }

    pub fn function_tags(&self, r: &FunctionRef) -> Result<BTreeMap<String, String>, EngineError> {
        Self::unqualified_only(r)?;
        Ok(self.entry(r)?.config.tags.clone())
    }
}
