//! Function management: create, read, list, update, delete.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lambkin_engine::Engine;

use super::convert::Phase;
use super::error::AwsError;
use super::target::{PlainTarget, Target, json_body};
use super::{convert, wire};
use lambkin_model::validation::{self as shapes, Violations};

pub(crate) async fn create_function(
    State(engine): State<Engine>,
    body: Bytes,
) -> Result<Response, AwsError> {
    let req: wire::CreateFunctionRequest = json_body(&body)?;
    let config = engine
        .control()
        .create_function(convert::new_function(req)?)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(convert::configuration(
            &config,
            engine.scope(),
            Phase::Created,
        )),
    )
        .into_response())
}

pub(crate) async fn get_function(
    State(engine): State<Engine>,
    Target(r): Target,
    headers: axum::http::HeaderMap,
) -> Result<Response, AwsError> {
    let config = engine.control().get_function(&r)?;
    // A link on the address the caller used, as AWS's presigned URL (10 minutes).
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let link = engine.control().code_link(&config);
    let resp = wire::GetFunctionResponse {
        code: wire::FunctionCodeLocation {
            repository_type: "S3",
            location: format!(
                "http://{host}/_lambkin/v1/code/{}?Expires={}&Signature={}",
                link.file, link.expires, link.signature
            ),
        },
        tags: config.tags.clone(),
        concurrency: config.reserved_concurrency.map(|n| wire::Concurrency {
            reserved_concurrent_executions: Some(n),
        }),
        configuration: shown_as(&r, &config, engine.scope()),
    };
    Ok(Json(resp).into_response())
}

/// A configuration read through `r`: its `FunctionArn` carries the qualifier the caller gave
/// (an alias's ARN for an alias), and none when unqualified.
fn shown_as(
    r: &lambkin_model::FunctionRef,
    config: &lambkin_model::FunctionConfig,
    scope: &lambkin_model::Scope,
) -> wire::FunctionConfiguration {
    let mut shown = convert::configuration(config, scope, Phase::Settled);
    shown.function_arn = match &r.qualifier {
        Some(q) => scope.qualified_arn(&config.name, q),
        None => scope.function_arn(&config.name),
    };
    shown
}

pub(crate) async fn get_function_configuration(
    State(engine): State<Engine>,
    Target(r): Target,
) -> Result<Response, AwsError> {
    let config = engine.control().get_function(&r)?;
    Ok(Json(shown_as(&r, &config, engine.scope())).into_response())
}

pub(crate) async fn list_functions(
    State(engine): State<Engine>,
    Query(q): Query<wire::ListQuery>,
) -> Result<Response, AwsError> {
    let mut v = Violations::default();
    if let Some(region) = &q.master_region {
        v.string(region, "masterRegion", &shapes::MASTER_REGION);
    }
    if let Some(version) = &q.function_version {
        v.one_of(version, "functionVersion", &["ALL"]);
    }
    if let Some(m) = q.max_items {
        v.range(m, "maxItems", Some(1), Some(10_000));
    }
    if let Some(message) = v.message() {
        return Err(AwsError::validation(message));
    }
    // At most 50 a page, whatever MaxItems asks (AWS's cap).
    let max = q.max_items.map(|m| convert::to_u32(m) as usize);
    let all_versions = q.function_version.as_deref() == Some("ALL");
    let (page, next) = engine
        .control()
        .list_functions(q.marker.as_deref(), max, all_versions);
    let scope = engine.scope();
    let functions = page
        .iter()
        .map(|c| {
            let mut shown = convert::configuration(c, scope, Phase::Listed);
            if all_versions {
                // With ALL, `$LATEST` is listed under its qualified ARN too (observed).
                shown.function_arn = format!("{}:{}", scope.function_arn(&c.name), c.version);
            }
            shown
        })
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
    engine.control().delete_function(&r).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(crate) async fn update_function_code(
    State(engine): State<Engine>,
    PlainTarget(r): PlainTarget,
    body: Bytes,
) -> Result<Response, AwsError> {
    let req: wire::UpdateFunctionCodeRequest = json_body(&body)?;
    let (zip, revision_id, publish) = convert::code_update(req)?;
    let config = engine
        .control()
        .update_function_code(&r, zip, revision_id.as_deref(), publish)
        .await?;
    Ok(Json(convert::configuration(
        &config,
        engine.scope(),
        Phase::Updated,
    ))
    .into_response())
}

pub(crate) async fn update_function_configuration(
    State(engine): State<Engine>,
    PlainTarget(r): PlainTarget,
    body: Bytes,
) -> Result<Response, AwsError> {
    let req: wire::UpdateFunctionConfigurationRequest = json_body(&body)?;
    let config = engine
        .control()
        .update_function_configuration(&r, convert::patch(req))
        .await?;
    Ok(Json(convert::configuration(
        &config,
        engine.scope(),
        Phase::Updated,
    ))
    .into_response())
}
