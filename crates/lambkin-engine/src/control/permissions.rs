//! AddPermission, RemovePermission and GetPolicy: a function's resource policy, kept as AWS
//! returns it and never enforced (lambkin checks no caller's identity; docs/api-compat.md).

use lambkin_model::FunctionRef;
use serde_json::{Value, json};

use super::Control;
use crate::EngineError;

/// One AddPermission request, checked by the api.
#[derive(Debug, Clone, Default)]
pub struct Permission {
    pub statement_id: String,
    pub action: String,
    pub principal: String,
    pub source_arn: Option<String>,
    pub source_account: Option<String>,
    pub principal_org_id: Option<String>,
}

/// The statement AWS writes for a permission: the principal as a service, an account's root or
/// an ARN; the source ARN, account and organization as conditions.
fn statement(p: &Permission, resource: &str) -> Value {
    let principal = if p.principal == "*" {
        json!("*")
    } else if p.principal.ends_with(".amazonaws.com") {
        json!({ "Service": p.principal })
    } else if p.principal.len() == 12 && p.principal.bytes().all(|b| b.is_ascii_digit()) {
        json!({ "AWS": format!("arn:aws:iam::{}:root", p.principal) })
    } else {
        json!({ "AWS": p.principal })
    };
    let mut s = json!({
        "Sid": p.statement_id,
        "Effect": "Allow",
        "Principal": principal,
        "Action": p.action,
        "Resource": resource,
    });
    let mut condition = serde_json::Map::new();
    if let Some(arn) = &p.source_arn {
        condition.insert("ArnLike".into(), json!({ "AWS:SourceArn": arn }));
    }
    let mut equals = serde_json::Map::new();
    if let Some(account) = &p.source_account {
        equals.insert("AWS:SourceAccount".into(), json!(account));
    }
    if let Some(org) = &p.principal_org_id {
        equals.insert("aws:PrincipalOrgID".into(), json!(org));
    }
    if !equals.is_empty() {
        condition.insert("StringEquals".into(), Value::Object(equals));
    }
    if !condition.is_empty() {
        s["Condition"] = Value::Object(condition);
    }
    s
}

fn sid_of(statement: &str) -> Option<String> {
    serde_json::from_str::<Value>(statement)
        .ok()?
        .get("Sid")?
        .as_str()
        .map(str::to_string)
}

impl Control {
    /// Adds a statement; answers it as JSON text (AddPermission's `Statement`).
    pub async fn add_permission(
        &self,
        r: &FunctionRef,
        p: Permission,
    ) -> Result<String, EngineError> {
        Self::unqualified_only(r)?;
        let _guard = self.lock.lock().await;
        let entry = self.entry(r)?;
        let mut config = entry.config.clone();
        if config
            .policy_statements
            .iter()
            .any(|s| sid_of(s).as_deref() == Some(p.statement_id.as_str()))
        {
            return Err(EngineError::Conflict(
                "The statement id (sid) provided already exists. Please choose another statement id.".into(),
            ));
        }
        let resource = self.scope.function_arn(&config.name);
        let text = statement(&p, &resource).to_string();
        config.policy_statements.push(text.clone());
        self.replace(&entry, config).await?;
        Ok(text)
    }

    pub async fn remove_permission(&self, r: &FunctionRef, sid: &str) -> Result<(), EngineError> {
        Self::unqualified_only(r)?;
        let _guard = self.lock.lock().await;
        let entry = self.entry(r)?;
        let mut config = entry.config.clone();
        let before = config.policy_statements.len();
        config
            .policy_statements
            .retain(|s| sid_of(s).as_deref() != Some(sid));
        if config.policy_statements.len() == before {
            return Err(EngineError::NotFound(format!(
                "Statement {sid} is not found in resource policy."
            )));
        }
        self.replace(&entry, config).await?;
        Ok(())
    }

    /// The policy document as JSON text, and the function's RevisionId.
    pub fn policy(&self, r: &FunctionRef) -> Result<(String, String), EngineError> {
        Self::unqualified_only(r)?;
        let config = self.entry(r)?.config.clone();
        if config.policy_statements.is_empty() {
            return Err(EngineError::NotFound(
                "The resource you requested does not exist.".into(),
            ));
        }
        let statements: Vec<Value> = config
            .policy_statements
            .iter()
            .filter_map(|s| serde_json::from_str(s).ok())
            .collect();
        let policy = json!({
            "Version": "2012-10-17",
            "Id": "default",
            "Statement": statements,
        });
        Ok((policy.to_string(), config.revision_id))
    }
}
