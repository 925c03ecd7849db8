//! The one place DynamoDB errors become responses, as DynamoDB answers its JSON 1.0 protocol:
//! 400 (500 for its own failures), `{"__type":"com.amazonaws.dynamodb.v20120810#<Code>",
//! "message":…}` (lowercase `message`), and the body's CRC32 in `x-amz-crc32`, which SDKs check.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lambkin_dynamodb::DynamoError;
use serde_json::json;

use super::respond;

#[derive(Debug)]
pub(crate) enum DynamoFailure {
    Dynamo(DynamoError),
    /// The body is not the JSON the operation expects.
    Serialization(String),
    NotImplemented(String),
    UnknownOperation(String),
}

impl From<DynamoError> for DynamoFailure {
    fn from(e: DynamoError) -> Self {
        DynamoFailure::Dynamo(e)
    }
}

pub(crate) fn render(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({
        "__type": format!("com.amazonaws.dynamodb.v20120810#{code}"),
        "message": message,
    });
    respond(status, body.to_string())
}

impl IntoResponse for DynamoFailure {
    fn into_response(self) -> Response {
        match self {
            DynamoFailure::Dynamo(DynamoError::ConditionalCheckFailed(Some(item))) => {
                let body = json!({
                    "__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
                    "message": "The conditional request failed",
                    "Item": lambkin_dynamodb::item_to_json(&item),
                });
                respond(StatusCode::BAD_REQUEST, body.to_string())
            }
            DynamoFailure::Dynamo(DynamoError::TransactionCanceled(reasons)) => {
                let message = DynamoError::TransactionCanceled(reasons.clone()).to_string();
                let reasons: Vec<serde_json::Value> = reasons
                    .iter()
                    .map(|r| {
                        let mut v = json!({ "Code": r.code });
                        if let Some(m) = &r.message {
                            v["Message"] = json!(m);
                        }
                        if let Some(item) = &r.item {
                            v["Item"] = lambkin_dynamodb::item_to_json(item);
                        }
                        v
                    })
                    .collect();
                let body = json!({
                    "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
                    "message": message,
                    "CancellationReasons": reasons,
                });
                respond(StatusCode::BAD_REQUEST, body.to_string())
            }
            DynamoFailure::Dynamo(e) => {
                let status = if e.is_server_error() {
                    tracing::error!(error = ?e, "dynamodb storage failure");
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::BAD_REQUEST
                };
                render(status, e.code(), &e.to_string())
            }
            DynamoFailure::Serialization(m) => {
                render(StatusCode::BAD_REQUEST, "SerializationException", &m)
            }
            DynamoFailure::NotImplemented(op) => render(
                StatusCode::BAD_REQUEST,
                "UnknownOperationException",
                &format!("lambkin does not implement DynamoDB {op} (see docs/api-compat.md)"),
            ),
            DynamoFailure::UnknownOperation(op) => render(
                StatusCode::BAD_REQUEST,
                "UnknownOperationException",
                &format!("{op} is not an operation of DynamoDB"),
            ),
        }
    }
}
