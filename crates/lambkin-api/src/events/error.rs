//! The one place EventBridge errors become responses, as EventBridge answers its JSON 1.1
//! protocol: 400 (500 for its own failures), `Content-Type: application/x-amz-json-1.1` and
//! `{"__type":"<Code>","message":…}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use lambkin_events::EventsError;
use serde_json::json;

use super::CONTENT_TYPE;

#[derive(Debug)]
pub(crate) enum EventsFailure {
    Events(EventsError),
    /// The body is not the JSON the operation expects.
    Serialization(String),
    /// In EventBridge's model, not served by lambkin.
    NotImplemented(String),
    UnknownOperation(String),
}

impl From<EventsError> for EventsFailure {
    fn from(e: EventsError) -> Self {
        EventsFailure::Events(e)
    }
}

pub(crate) fn render(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({ "__type": code, "message": message });
    let mut resp = (status, body.to_string()).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    resp
}

impl IntoResponse for EventsFailure {
    fn into_response(self) -> Response {
        match self {
            EventsFailure::Events(e) => {
                let status = if e.is_server_error() {
                    tracing::error!(error = ?e, "eventbridge storage failure");
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::BAD_REQUEST
                };
                render(status, e.code(), &e.to_string())
            }
            EventsFailure::Serialization(m) => {
                render(StatusCode::BAD_REQUEST, "SerializationException", &m)
            }
            EventsFailure::NotImplemented(op) => render(
                StatusCode::BAD_REQUEST,
                "UnknownOperationException",
                &format!("lambkin does not implement EventBridge {op} (see docs/api-compat.md)"),
            ),
            EventsFailure::UnknownOperation(op) => render(
                StatusCode::BAD_REQUEST,
                "UnknownOperationException",
                &format!("{op} is not an operation of EventBridge"),
            ),
        }
    }
}
