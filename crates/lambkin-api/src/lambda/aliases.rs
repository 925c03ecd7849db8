//! CreateAlias, GetAlias, UpdateAlias, DeleteAlias and ListAliases.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lambkin_engine::{AliasRequest, Engine};
use lambkin_model::validation::Violations;

use super::convert;
use super::error::AwsError;
use super::target::{PlainTarget, json_body};
use super::versions::page_size;
use super::wire;

/// The modelled constraints of an alias request, reported together as AWS does.
fn request(req: wire::AliasRequest, name: Option<String>) -> Result<AliasRequest, AwsError> {
    let mut v = Violations::default();
    let name = name.or(req.name).unwrap_or_default();
    v.length(&name, "name", 1, 128);
    if let Some(version) = &req.function_version {
        v.length(version, "functionVersion", 1, 1024);
    }
    if let Some(d) = &req.description {
        v.length(d, "description", 0, 256);
    }
    if let Some(message) = v.message() {
        return Err(AwsError::validation(message));
    }
    Ok(AliasRequest {
        name,
        function_version: req.function_version,
        description: req.description,
        weights: req.routing_config.map(|r| r.additional_version_weights),
        revision_id: req.revision_id,
    })
}

pub(crate) async fn create_alias(
    State(engine): State<Engine>,
    PlainTarget(r): PlainTarget,
    body: Bytes,
) -> Result<Response, AwsError> {
    let req: wire::AliasRequest = json_body(&body)?;
    if req.function_version.is_none() {
        return Err(AwsError::validation(
            "1 validation error detected: Value null at 'functionVersion' failed to satisfy constraint: Member must not be null",
        ));
    }
    let alias = engine
        .control()
        .create_alias(&r, request(req, None)?)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(convert::alias_out(&r.name, &alias, engine.scope())),
    )
        .into_response())
}

pub(crate) async fn get_alias(
    State(engine): State<Engine>,
    PlainTarget(r): PlainTarget,
    Path((_, name)): Path<(String, String)>,
) -> Result<Response, AwsError> {
    let alias = engine.control().get_alias(&r, &name)?;
    Ok(Json(convert::alias_out(&r.name, &alias, engine.scope())).into_response())
}

pub(crate) async fn update_alias(
    State(engine): State<Engine>,
    PlainTarget(r): PlainTarget,
    Path((_, name)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AwsError> {
    let req: wire::AliasRequest = json_body(&body)?;
    let alias = engine
        .control()
        .update_alias(&r, request(req, Some(name))?)
        .await?;
    Ok(Json(convert::alias_out(&r.name, &alias, engine.scope())).into_response())
}

pub(crate) async fn delete_alias(
    State(engine): State<Engine>,
    PlainTarget(r): PlainTarget,
    Path((_, name)): Path<(String, String)>,
) -> Result<Response, AwsError> {
    engine.control().delete_alias(&r, &name).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(crate) async fn list_aliases(
    State(engine): State<Engine>,
    PlainTarget(r): PlainTarget,
    Query(q): Query<wire::ListPageQuery>,
) -> Result<Response, AwsError> {
    let max = page_size(q.max_items)?;
    let (page, next) = engine.control().list_aliases(
        &r,
        q.function_version.as_deref(),
        q.marker.as_deref(),
        max,
    )?;
    let aliases = page
        .iter()
        .map(|a| convert::alias_out(&r.name, a, engine.scope()))
        .collect();
    Ok(Json(wire::ListAliasesResponse {
        aliases,
        next_marker: next,
    })
    .into_response())
}
