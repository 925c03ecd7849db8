//! Function management: create, read, list, update, delete.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lambkin_engine::Engine;

use super::target::{Target, json_body};
use super::{convert, wire};
use crate::AwsError;

pub(crate) async fn create_function(
    State(engine): State<Engine>,
    body: Bytes,
) -> Result<Response, AwsError> {
    let req: wire::CreateFunctionRequest = json_body(&body)?;
    let config = engine.create_function(convert::new_function(req)?).await?;
    Ok((
        StatusCode::CREATED,
        Json(convert::configuration(&config, engine.scope(), true)),
    )
        .into_response())
}

pub(crate) async fn get_function(
    State(engine): State<Engine>,
    Target(r): Target,
) -> Result<Response, AwsError> {
    let config = engine.get_function(&r)?;
    let resp = wire::GetFunctionResponse {
        code: wire::FunctionCodeLocation {
            repository_type: "S3",
            location: format!("file://{}", engine.code_dir(&config).display()),
        },
        tags: config.tags.clone(),
        concurrency: config.reserved_concurrency.map(|n| wire::Concurrency {
            reserved_concurrent_executions: Some(n),
        }),
        configuration: convert::configuration(&config, engine.scope(), true),
    };
    Ok(Json(resp).into_response())
}

pub(crate) async fn get_function_configuration(
    State(engine): State<Engine>,
    Target(r): Target,
) -> Result<Response, AwsError> {
    let config = engine.get_function(&r)?;
    Ok(Json(convert::configuration(&config, engine.scope(), true)).into_response())
}

pub(crate) async fn list_functions(
    State(engine): State<Engine>,
    Query(q): Query<wire::ListQuery>,
) -> Result<Response, AwsError> {
    let max = q.max_items.map(|m| convert::to_u32(m) as usize);
    if max == Some(0) {
        return Err(AwsError::new(
            StatusCode::BAD_REQUEST,
            "ValidationException",
            "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1",
        ));
    }
    let (page, next) = engine.list_functions(q.marker.as_deref(), max);
    let functions = page
        .iter()
        .map(|c| convert::configuration(c, engine.scope(), false))
        .collect();
    Ok(Json(wire::ListFunctionsResponse {
        functions,
        next_marker: next,
    })
    .into_response())
}

pub(crate) async fn delete_function(
    State(engine): State<Engine>,
    Target(r): Target,
) -> Result<Response, AwsError> {
    engine.delete_function(&r).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(crate) async fn update_function_code(
    State(engine): State<Engine>,
    Target(r): Target,
    body: Bytes,
) -> Result<Response, AwsError> {
    let req: wire::UpdateFunctionCodeRequest = json_body(&body)?;
    let config = engine
        .update_function_code(&r, convert::code_update(req)?)
        .await?;
    Ok(Json(convert::configuration(&config, engine.scope(), true)).into_response())
}

pub(crate) async fn update_function_configuration(
    State(engine): State<Engine>,
    Target(r): Target,
    body: Bytes,
) -> Result<Response, AwsError> {
    let req: wire::UpdateFunctionConfigurationRequest = json_body(&body)?;
    let config = engine
        .update_function_configuration(&r, convert::patch(req))
        .await?;
    Ok(Json(convert::configuration(&config, engine.scope(), true)).into_response())
}
