//! AddPermission, RemovePermission and GetPolicy (`/2015-03-31/functions/{FunctionName}/policy`):
//! a function's resource policy, stored as AWS returns it and not enforced.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lambkin_engine::{Engine, Permission};
use lambkin_model::FunctionRef;
use lambkin_model::validation::{self as shapes, Violations};
use serde::Deserialize;
use serde_json::json;

use super::error::AwsError;
use super::target::{Target, json_body};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct AddPermissionRequest {
    statement_id: Option<String>,
    action: Option<String>,
    principal: Option<String>,
    source_arn: Option<String>,
    source_account: Option<String>,
    principal_org_id: Option<String>,
}

pub(crate) async fn add_permission(
    State(engine): State<Engine>,
    Target(r): Target,
    body: Bytes,
) -> Result<Response, AwsError> {
    let req: AddPermissionRequest = json_body(&body)?;
    let mut v = Violations::default();
    v.required(
        req.statement_id.as_deref(),
        "statementId",
        &shapes::STATEMENT_ID,
    );
    v.required(req.action.as_deref(), "action", &shapes::PERMISSION_ACTION);
    v.required(req.principal.as_deref(), "principal", &shapes::PRINCIPAL);
    if let Some(message) = v.message() {
        return Err(AwsError::validation(message));
    }
    let statement = engine
        .control()
        .add_permission(
            &r,
            Permission {
                statement_id: req.statement_id.unwrap_or_default(),
                action: req.action.unwrap_or_default(),
                principal: req.principal.unwrap_or_default(),
                source_arn: req.source_arn,
                source_account: req.source_account,
                principal_org_id: req.principal_org_id,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "Statement": statement }))).into_response())
}

pub(crate) async fn remove_permission(
    State(engine): State<Engine>,
    Path((name, sid)): Path<(String, String)>,
) -> Result<Response, AwsError> {
    let mut v = Violations::default();
    v.string(&name, "functionName", &shapes::NAMESPACED_FUNCTION_NAME);
    v.string(&sid, "statementId", &shapes::STATEMENT_ID);
    if let Some(message) = v.message() {
        return Err(AwsError::validation(message));
    }
    let r =
        FunctionRef::parse(&name, None).map_err(|e| AwsError::invalid_parameter(e.to_string()))?;
    engine.control().remove_permission(&r, &sid).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(crate) async fn get_policy(
    State(engine): State<Engine>,
    Target(r): Target,
) -> Result<Response, AwsError> {
    let (policy, revision) = engine.control().policy(&r)?;
    Ok(Json(json!({ "Policy": policy, "RevisionId": revision })).into_response())
}
