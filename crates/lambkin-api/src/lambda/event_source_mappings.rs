//! Create/Get/Update/Delete/ListEventSourceMapping(s) (`/2015-03-31/event-source-mappings`):
//! SQS queues read by functions. Writes answer 202 with the mapping in its transient state.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lambkin_engine::Engine;
use lambkin_model::FunctionRef;
use lambkin_model::validation::{self as shapes, Violations};

use super::error::AwsError;
use super::target::json_body;
use super::{convert, wire};

fn accepted(engine: &Engine, m: &lambkin_model::EventSourceMapping) -> Response {
    (
        StatusCode::ACCEPTED,
        Json(convert::mapping_out(m, engine.scope())),
    )
        .into_response()
}

pub(crate) async fn create_event_source_mapping(
    State(engine): State<Engine>,
    body: Bytes,
) -> Result<Response, AwsError> {
    let req: wire::EventSourceMappingRequest = json_body(&body)?;
    let m = engine
        .control()
        .create_event_source_mapping(convert::mapping_request(req))
        .await?;
    Ok(accepted(&engine, &m))
}

pub(crate) async fn get_event_source_mapping(
    State(engine): State<Engine>,
    Path(uuid): Path<String>,
) -> Result<Response, AwsError> {
    let m = engine.control().event_source_mapping(&uuid).await?;
    Ok(Json(convert::mapping_out(&m, engine.scope())).into_response())
}

pub(crate) async fn update_event_source_mapping(
    State(engine): State<Engine>,
    Path(uuid): Path<String>,
    body: Bytes,
) -> Result<Response, AwsError> {
    let mut req: wire::EventSourceMappingRequest = json_body(&body)?;
    // Not a member of UpdateEventSourceMapping: a mapping keeps its source.
    req.event_source_arn = None;
    let m = engine
        .control()
        .update_event_source_mapping(&uuid, convert::mapping_request(req))
        .await?;
    Ok(accepted(&engine, &m))
}

pub(crate) async fn delete_event_source_mapping(
    State(engine): State<Engine>,
    Path(uuid): Path<String>,
) -> Result<Response, AwsError> {
    let m = engine.control().delete_event_source_mapping(&uuid).await?;
    Ok(accepted(&engine, &m))
}

pub(crate) async fn list_event_source_mappings(
    State(engine): State<Engine>,
    Query(q): Query<wire::ListEventSourceMappingsQuery>,
) -> Result<Response, AwsError> {
    let mut v = Violations::default();
    if let Some(arn) = &q.event_source_arn {
        v.string(arn, "eventSourceArn", &shapes::ARN);
    }
    if let Some(name) = &q.function_name {
        v.string(name, "functionName", &shapes::NAMESPACED_FUNCTION_NAME);
    }
    if let Some(m) = q.max_items {
        v.range(m, "maxItems", Some(1), Some(10_000));
    }
    if let Some(message) = v.message() {
        return Err(AwsError::validation(message));
    }
    let function = match q.function_name.as_deref() {
        Some(name) => match FunctionRef::parse(name, None) {
            Ok(r) => Some(r),
            // A name no function can have lists nothing.
            Err(_) => {
                return Ok(Json(wire::ListEventSourceMappingsResponse {
                    event_source_mappings: Vec::new(),
                    next_marker: None,
                })
                .into_response());
            }
        },
        None => None,
    };
    let (page, next) = engine
        .control()
        .list_event_source_mappings(
            q.event_source_arn.as_deref(),
            function.as_ref(),
            q.marker.as_deref(),
            q.max_items.map(|n| convert::to_u32(n) as usize),
        )
        .await?;
    Ok(Json(wire::ListEventSourceMappingsResponse {
        event_source_mappings: page
            .iter()
            .map(|m| convert::mapping_out(m, engine.scope()))
            .collect(),
        next_marker: next,
    })
    .into_response())
}
