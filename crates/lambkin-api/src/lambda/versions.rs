//! PublishVersion and ListVersionsByFunction.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lambkin_engine::{Engine, PublishRequest};
use lambkin_model::validation::Violations;

use super::convert::{self, Phase};
use super::error::AwsError;
use super::target::{PlainTarget, UnqualifiedTarget, json_body};
use super::wire;

pub(crate) async fn publish_version(
    State(engine): State<Engine>,
    PlainTarget(r): PlainTarget,
    body: Bytes,
) -> Result<Response, AwsError> {
    let req: wire::PublishVersionRequest = json_body(&body)?;
    let mut v = Violations::default();
    if let Some(d) = &req.description {
        v.length(d, "description", 0, 256);
    }
    if let Some(message) = v.message() {
        return Err(AwsError::validation(message));
    }
    let version = engine
        .control()
        .publish_version(
            &r,
            PublishRequest {
                code_sha256: req.code_sha256,
                revision_id: req.revision_id,
                description: req.description,
            },
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(convert::configuration(
            &version,
            engine.scope(),
            Phase::Settled,
        )),
    )
        .into_response())
}

pub(crate) async fn list_versions_by_function(
    State(engine): State<Engine>,
    UnqualifiedTarget(r): UnqualifiedTarget,
    Query(q): Query<wire::ListPageQuery>,
) -> Result<Response, AwsError> {
    let max = page_size(q.max_items)?;
    let (page, next) = engine
        .control()
        .list_versions(&r, q.marker.as_deref(), max)?;
    let scope = engine.scope();
    let versions = page
        .iter()
        .map(|c| {
            let mut shown = convert::configuration(c, scope, Phase::Listed);
            // Listed versions are always qualified, `$LATEST` too.
            shown.function_arn = format!("{}:{}", scope.function_arn(&c.name), c.version);
            shown
        })
        .collect();
    Ok(Json(wire::ListVersionsByFunctionResponse {
        versions,
        next_marker: next,
    })
    .into_response())
}

/// `MaxItems` checked against the model's range (1–10000); pages hold at most 50 anyway.
pub(crate) fn page_size(max_items: Option<i64>) -> Result<Option<usize>, AwsError> {
    let mut v = Violations::default();
    if let Some(m) = max_items {
        v.range(m, "maxItems", Some(1), Some(10_000));
    }
    if let Some(message) = v.message() {
        return Err(AwsError::validation(message));
    }
    Ok(max_items.map(|m| convert::to_u32(m) as usize))
}
