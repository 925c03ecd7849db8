//! The one mapping from SNS failures to query-protocol error responses:
//! `<ErrorResponse><Error><Type>Sender|Receiver</Type><Code/><Message/></Error><RequestId/>`
//! with the HTTP status the botocore model gives each code.

use axum::http::StatusCode;
use axum::response::Response;
use lambkin_sns::SnsError;

use super::NAMESPACE;
use crate::query_protocol::xml::{escape, xml_response};

/// An error answer of the SNS surface.
#[derive(Debug)]
pub(crate) struct SnsApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl SnsApiError {
    pub(crate) fn invalid_action(action: &str) -> Self {
        SnsApiError {
            status: StatusCode::BAD_REQUEST,
            code: "InvalidAction",
            message: format!("The action {action} is not valid for this web service."),
        }
    }

    /// An action of SNS's model that lambkin does not serve: said so, with the action's name.
    pub(crate) fn not_implemented(action: &str) -> Self {
        SnsApiError {
            status: StatusCode::BAD_REQUEST,
            code: "InvalidAction",
            message: format!("lambkin does not implement SNS {action} (see docs/api-compat.md)"),
        }
    }

    pub(crate) fn missing_action() -> Self {
        SnsApiError {
            status: StatusCode::BAD_REQUEST,
            code: "MissingAction",
            message: "Missing Action".to_string(),
        }
    }

    pub(crate) fn render(&self, request_id: &str) -> Response {
        // AWS marks client mistakes `Sender` and its own failures `Receiver`.
        let fault = if self.status.is_server_error() {
            "Receiver"
        } else {
            "Sender"
        };
        let body = format!(
            "<ErrorResponse xmlns=\"{}\"><Error><Type>{fault}</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>",
            NAMESPACE,
            self.code,
            escape(&self.message),
            escape(request_id)
        );
        xml_response(self.status, body)
    }
}

impl From<SnsError> for SnsApiError {
    fn from(e: SnsError) -> Self {
        let status = match &e {
            SnsError::NotFound(_) | SnsError::ResourceNotFound(_) => StatusCode::NOT_FOUND,
            SnsError::Store(source) => {
                tracing::error!(error = %source, "sns request failed in the store");
                StatusCode::INTERNAL_SERVER_ERROR
            }
            _ => StatusCode::BAD_REQUEST,
        };
        SnsApiError {
            status,
            code: e.code(),
            message: e.to_string(),
        }
    }
}
