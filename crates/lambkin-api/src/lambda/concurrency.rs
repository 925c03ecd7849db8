//! Reserved concurrency and account settings.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lambkin_engine::Engine;

use super::error::AwsError;
use super::target::{PlainTarget, json_body};
use super::wire;
use lambkin_model::validation::Violations;

pub(crate) async fn put_function_concurrency(
    State(engine): State<Engine>,
    PlainTarget(r): PlainTarget,
    body: Bytes,
) -> Result<Response, AwsError> {
    let req: wire::PutConcurrencyRequest = json_body(&body)?;
    let mut v = Violations::default();
    match req.reserved_concurrent_executions {
        Some(n) => v.range(n, "reservedConcurrentExecutions", Some(0), None),
        None => v.null("reservedConcurrentExecutions"),
    }
    if let Some(message) = v.message() {
        return Err(AwsError::validation(message));
    }
    let n = req.reserved_concurrent_executions.unwrap_or(0);
    let n = engine
        .control()
        .put_function_concurrency(&r, super::convert::to_u32(n))
        .await?;
    Ok(Json(wire::Concurrency {
        reserved_concurrent_executions: Some(n),
    })
    .into_response())
}

pub(crate) async fn get_function_concurrency(
    State(engine): State<Engine>,
    PlainTarget(r): PlainTarget,
) -> Result<Response, AwsError> {
    let n = engine.control().get_function_concurrency(&r)?;
    Ok(Json(wire::Concurrency {
        reserved_concurrent_executions: n,
    })
    .into_response())
}

pub(crate) async fn delete_function_concurrency(
    State(engine): State<Engine>,
    PlainTarget(r): PlainTarget,
) -> Result<Response, AwsError> {
    engine.control().delete_function_concurrency(&r).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(crate) async fn get_account_settings(
    State(engine): State<Engine>,
) -> Json<wire::AccountSettingsResponse> {
    let s = engine.control().account_settings();
    Json(wire::AccountSettingsResponse {
        account_limit: wire::AccountLimit {
            total_code_size: 80_530_636_800,
            code_size_unzipped: 262_144_000,
            code_size_zipped: 52_428_800,
            concurrent_executions: s.concurrent_executions,
            unreserved_concurrent_executions: s.unreserved_concurrent_executions,
        },
        account_usage: wire::AccountUsage {
            total_code_size: s.total_code_size,
            function_count: s.function_count,
        },
    })
}
