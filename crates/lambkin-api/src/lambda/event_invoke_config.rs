//! Asynchronous invocation settings: Put replaces, Update merges.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lambkin_engine::Engine;

use super::error::AwsError;
use super::target::{Target, UnqualifiedTarget, json_body};
use super::{convert, wire};
use lambkin_model::validation::Violations;

pub(crate) async fn put_function_event_invoke_config(
    State(engine): State<Engine>,
    Target(r): Target,
    body: Bytes,
) -> Result<Response, AwsError> {
    let req: wire::EventInvokeConfigRequest = json_body(&body)?;
    let (q, cfg) = engine
        .control()
        .put_event_invoke_config(&r, convert::invoke_config_in(req)?)
        .await?;
    Ok(Json(convert::invoke_config_out(
        &r.name,
        &q,
        &cfg,
        engine.scope(),
    ))
    .into_response())
}

pub(crate) async fn update_function_event_invoke_config(
    State(engine): State<Engine>,
    Target(r): Target,
    body: Bytes,
) -> Result<Response, AwsError> {
    let req: wire::EventInvokeConfigRequest = json_body(&body)?;
    let (q, cfg) = engine
        .control()
        .update_event_invoke_config(&r, convert::invoke_config_in(req)?)
        .await?;
    Ok(Json(convert::invoke_config_out(
        &r.name,
        &q,
        &cfg,
        engine.scope(),
    ))
    .into_response())
}

pub(crate) async fn get_function_event_invoke_config(
    State(engine): State<Engine>,
    Target(r): Target,
) -> Result<Response, AwsError> {
    let (q, cfg) = engine.control().get_event_invoke_config(&r)?;
    Ok(Json(convert::invoke_config_out(
        &r.name,
        &q,
        &cfg,
        engine.scope(),
    ))
    .into_response())
}

pub(crate) async fn delete_function_event_invoke_config(
    State(engine): State<Engine>,
    Target(r): Target,
) -> Result<Response, AwsError> {
    engine.control().delete_event_invoke_config(&r).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(crate) async fn list_function_event_invoke_configs(
    State(engine): State<Engine>,
    UnqualifiedTarget(r): UnqualifiedTarget,
    Query(q): Query<wire::ListQuery>,
) -> Result<Response, AwsError> {
    let mut v = Violations::default();
    if let Some(m) = q.max_items {
        v.range(m, "maxItems", Some(1), Some(50));
    }
    if let Some(message) = v.message() {
        return Err(AwsError::validation(message));
    }
    let max = q.max_items.map(convert::to_u32);
    let (page, next) = engine.control().list_event_invoke_configs(
        &r,
        q.marker.as_deref(),
        max.map(|m| m as usize),
    )?;
    let configs = page
        .iter()
        .map(|(qual, c)| convert::invoke_config_out(&r.name, qual, c, engine.scope()))
        .collect();
    Ok(Json(wire::ListEventInvokeConfigsResponse {
        function_event_invoke_configs: configs,
        next_marker: next,
    })
    .into_response())
}
