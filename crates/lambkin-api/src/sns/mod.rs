//! Amazon SNS, query protocol (`Action=<Operation>&Version=2010-03-31`, form-encoded body)
//! with XML responses, as AWS SDKs send it.

use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use lambkin_engine::Engine;

use crate::AwsError;

/// Runs the query-protocol request in `body`.
pub(crate) async fn dispatch(_engine: Engine, _headers: HeaderMap, _body: Bytes) -> Response {
    AwsError::new(
        axum::http::StatusCode::BAD_REQUEST,
        "InvalidAction",
        "lambkin does not implement this SNS action",
    )
    .into_response()
}
