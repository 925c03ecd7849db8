//! PutFunctionRecursionConfig and GetFunctionRecursionConfig
//! (`/2024-08-31/functions/{FunctionName}/recursion-config`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use lambkin_engine::Engine;
use lambkin_model::validation::Violations;

use super::error::AwsError;
use super::target::{PlainTarget, json_body};
use super::wire;

const ALLOW: &str = "Allow";
const TERMINATE: &str = "Terminate";

fn answer(allow: bool) -> Response {
    Json(wire::RecursionConfig {
        recursive_loop: Some(if allow { ALLOW } else { TERMINATE }.to_string()),
    })
    .into_response()
}

pub(crate) async fn put_function_recursion_config(
    State(engine): State<Engine>,
    PlainTarget(r): PlainTarget,
    body: Bytes,
) -> Result<Response, AwsError> {
    let req: wire::RecursionConfig = json_body(&body)?;
    let mut v = Violations::default();
    match req.recursive_loop.as_deref() {
        Some(value) => v.one_of(value, "recursiveLoop", &[ALLOW, TERMINATE]),
        None => v.null("recursiveLoop"),
    }
    if let Some(message) = v.message() {
        return Err(AwsError::validation(message));
    }
    let allow = req.recursive_loop.as_deref() == Some(ALLOW);
    let allow = engine.control().put_recursion_config(&r, allow).await?;
    Ok(answer(allow))
}

pub(crate) async fn get_function_recursion_config(
    State(engine): State<Engine>,
    PlainTarget(r): PlainTarget,
) -> Result<Response, AwsError> {
    Ok(answer(engine.control().recursion_config(&r)?))
}
