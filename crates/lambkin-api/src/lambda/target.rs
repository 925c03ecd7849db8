//! The `{FunctionName}` path parameter plus the `Qualifier` query, parsed once.

use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use lambkin_model::{FunctionRef, ModelError};
use serde::Deserialize;

use crate::AwsError;

#[derive(Debug, Deserialize)]
struct QualifierQuery {
    #[serde(rename = "Qualifier")]
    qualifier: Option<String>,
}

/// A function reference as the caller wrote it (name, partial or full ARN, qualifier).
#[derive(Debug, Clone)]
pub(crate) struct Target(pub FunctionRef);

impl<S: Send + Sync> FromRequestParts<S> for Target {
    type Rejection = AwsError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // axum percent-decodes path segments: `my-fn%3Aprod` arrives as `my-fn:prod`.
        let Path(name) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| AwsError::invalid_parameter(e.body_text()))?;
        let Query(q) = Query::<QualifierQuery>::from_request_parts(parts, state)
            .await
            .map_err(|e| AwsError::invalid_parameter(e.body_text()))?;
        FunctionRef::parse(&name, q.qualifier.as_deref()).map(Target).map_err(|e| match e {
            ModelError::QualifierMismatch => AwsError::invalid_parameter(
                "The derived qualifier from the function name does not match the specified qualifier.",
            ),
            ModelError::InvalidQualifier(q) => AwsError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "ValidationException",
                format!("1 validation error detected: Value '{q}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)"),
            ),
            _ => AwsError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "ValidationException",
                format!("1 validation error detected: Value '{name}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{{2}}(-gov)?-[a-z]+-\\d{{1}}:)?(\\d{{12}}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?"),
            ),
        })
    }
}

/// Parses a JSON request body, answering malformed JSON the way AWS does.
pub(crate) fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, AwsError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}" as &[u8]
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| {
        AwsError::invalid_content(format!("Could not parse request body into json: {e}"))
    })
}
