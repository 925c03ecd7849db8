//! The Lambda API's one mapping from failures to error responses: status, `x-amzn-ErrorType`,
//! and a JSON body whose message field has the casing the botocore model uses for that code
//! (reference §0) — typed SDKs read only the modelled member. lambkin's own API (`admin/`,
//! `/metrics`) answers in the same shape; SQS and SNS have their own writers beside their
//! handlers (`sqs/error.rs`, `sqs/query/error.rs`, `sns/error.rs`).

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use lambkin_engine::EngineError;
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub reason: Option<&'static str>,
}

impl AwsError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        AwsError {
            status,
            code,
            message: message.into(),
            reason: None,
        }
    }

    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "InvalidParameterValueException",
            message,
        )
    }

    /// A modelled constraint broken: `N validation error(s) detected: …`.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "ValidationException", message)
    }

    pub fn invalid_content(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "InvalidRequestContentException",
            message,
        )
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "ResourceNotFoundException", message)
    }

    pub fn too_large(message: impl Into<String>) -> Self {
        // The model says RequestTooLargeException; the wire says RequestEntityTooLargeException.
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLargeException",
            message,
        )
    }

    pub fn service(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "ServiceException",
            message,
        )
    }

    /// Which member carries the message for this code in the botocore model.
    fn message_key(&self) -> &'static str {
        match self.code {
            "ResourceNotFoundException"
            | "ServiceException"
            | "InvalidRuntimeException"
            | "ResourceInUseException"
            | "RecursiveInvocationException"
            | "InvalidZipFileException" => "Message",
            _ => "message",
        }
    }
}

impl IntoResponse for AwsError {
    fn into_response(self) -> Response {
        let mut body = Map::new();
        if let Some(reason) = self.reason {
            body.insert("Reason".into(), Value::from(reason));
        }
        // ValidationException bodies carry only the message (observed).
        if self.code != "ValidationException" {
            let kind = if self.status.is_server_error() {
                "Service"
            } else {
                "User"
            };
            body.insert("Type".into(), Value::from(kind));
        }
        body.insert(self.message_key().into(), Value::from(self.message));
        let mut resp = (self.status, axum::Json(Value::Object(body))).into_response();
        let headers = resp.headers_mut();
        headers.insert("x-amzn-ErrorType", HeaderValue::from_static(self.code));
        if self.code == "TooManyRequestsException" {
            headers.insert("Retry-After", HeaderValue::from_static("1"));
        }
        resp
    }
}

impl From<EngineError> for AwsError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::NotFound(m) => AwsError::not_found(m),
            EngineError::Conflict(m) => {
                AwsError::new(StatusCode::CONFLICT, "ResourceConflictException", m)
            }
            EngineError::InvalidParameter(m) => AwsError::invalid_parameter(m),
            EngineError::Validation(m) => {
                AwsError::new(StatusCode::BAD_REQUEST, "ValidationException", m)
            }
            e @ EngineError::PreconditionFailed => AwsError::new(
                StatusCode::PRECONDITION_FAILED,
                "PreconditionFailedException",
                e.to_string(),
            ),
            EngineError::Throttled(reason) => AwsError {
                reason: Some(reason.as_str()),
                ..AwsError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "TooManyRequestsException",
                    "Rate Exceeded.",
                )
            },
            e @ EngineError::RecursiveInvocation(..) => AwsError::new(
                StatusCode::BAD_REQUEST,
                "RecursiveInvocationException",
                e.to_string(),
            ),
            EngineError::ShuttingDown => AwsError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceException",
                "lambkin is shutting down",
            ),
            // The store is unreachable for now (PostgreSQL restarting, a lost connection):
            // nothing was acknowledged, and the SDKs retry a 503 by themselves.
            EngineError::Store(e) if e.is_transient() => {
                tracing::warn!(error = %e, "store unavailable");
                AwsError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "ServiceException",
                    format!(
                        "The service is unavailable: its store cannot be reached ({e}). Nothing was accepted; try again."
                    ),
                )
            }
            e @ (EngineError::Store(_) | EngineError::Io(_)) => {
                tracing::error!(error = ?e, "internal failure");
                AwsError::service(format!("internal failure: {e}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambkin_engine::ThrottleReason;

    async fn parts(e: AwsError) -> (StatusCode, String, Value) {
        let resp = e.into_response();
        let status = resp.status();
        let code = resp.headers()["x-amzn-ErrorType"]
            .to_str()
            .unwrap_or_default()
            .to_string();
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
            .await
            .unwrap_or_default();
        (
            status,
            code,
            serde_json::from_slice(&bytes).unwrap_or_default(),
        )
    }

    #[tokio::test]
    async fn bodies_use_the_modelled_casing() {
        let (s, c, b) = parts(AwsError::not_found("Function not found: x")).await;
        assert_eq!(
            (s, c.as_str()),
            (StatusCode::NOT_FOUND, "ResourceNotFoundException")
        );
        assert_eq!(
            b,
            serde_json::json!({"Type": "User", "Message": "Function not found: x"})
        );

        let (s, _, b) = parts(AwsError::from(EngineError::Throttled(
            ThrottleReason::ReservedFunctionConcurrentInvocationLimitExceeded,
        )))
        .await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            b,
            serde_json::json!({"Reason": "ReservedFunctionConcurrentInvocationLimitExceeded", "Type": "User", "message": "Rate Exceeded."})
        );

        let (_, c, b) = parts(AwsError::from(EngineError::Validation(
            "1 validation error detected".into(),
        )))
        .await;
        assert_eq!(c, "ValidationException");
        assert_eq!(
            b,
            serde_json::json!({"message": "1 validation error detected"})
        );

        let (s, _, b) = parts(AwsError::service("boom")).await;
        assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(b, serde_json::json!({"Type": "Service", "Message": "boom"}));
    }
}
