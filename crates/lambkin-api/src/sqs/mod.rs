//! Amazon SQS, JSON protocol (`X-Amz-Target: AmazonSQS.<Operation>`,
//! `Content-Type: application/x-amz-json-1.0`), as current AWS SDKs and the AWS CLI send it.

use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use lambkin_engine::Engine;

use crate::AwsError;

/// Runs the operation named by `X-Amz-Target` (without the `AmazonSQS.` prefix).
pub(crate) async fn dispatch(
    _engine: Engine,
    operation: &str,
    _headers: HeaderMap,
    _body: Bytes,
) -> Response {
    AwsError::new(
        axum::http::StatusCode::BAD_REQUEST,
        "UnknownOperationException",
        format!("lambkin does not implement SQS {operation}"),
    )
    .into_response()
}
