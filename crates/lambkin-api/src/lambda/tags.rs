//! TagResource, UntagResource and ListTags (`/2017-03-31/tags/{Resource}`), on functions.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lambkin_engine::Engine;
use lambkin_model::FunctionRef;
use lambkin_model::validation::{self as shapes, Violations};
use serde::Deserialize;

use super::error::AwsError;
use super::target::json_body;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct TagRequest {
    tags: Option<BTreeMap<String, String>>,
}

/// The function a tag path names: a function ARN (the model's pattern), unqualified.
fn function(resource: &str) -> Result<FunctionRef, AwsError> {
    let mut v = Violations::default();
    v.string(resource, "resource", &shapes::TAGGABLE_RESOURCE);
    if let Some(message) = v.message() {
        return Err(AwsError::validation(message));
    }
    if !resource.contains(":function:") {
        return Err(AwsError::invalid_parameter(
            "lambkin keeps tags on functions only (see docs/api-compat.md)",
        ));
    }
    FunctionRef::parse(resource, None).map_err(|e| AwsError::invalid_parameter(e.to_string()))
}

pub(crate) async fn tag_resource(
    State(engine): State<Engine>,
    Path(resource): Path<String>,
    body: Bytes,
) -> Result<Response, AwsError> {
    let r = function(&resource)?;
    let req: TagRequest = json_body(&body)?;
    let Some(tags) = req.tags else {
        return Err(AwsError::validation(
            "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null",
        ));
    };
    engine.control().tag_function(&r, tags).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(crate) async fn untag_resource(
    State(engine): State<Engine>,
    Path(resource): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, AwsError> {
    let r = function(&resource)?;
    let keys: Vec<String> = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .filter(|(k, _)| k == "tagKeys")
        .map(|(_, v)| v.into_owned())
        .collect();
    if keys.is_empty() {
        return Err(AwsError::validation(
            "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null",
        ));
    }
    engine.control().untag_function(&r, &keys).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(crate) async fn list_tags(
    State(engine): State<Engine>,
    Path(resource): Path<String>,
) -> Result<Response, AwsError> {
    let r = function(&resource)?;
    let tags = engine.control().function_tags(&r)?;
    Ok(Json(serde_json::json!({ "Tags": tags })).into_response())
}
