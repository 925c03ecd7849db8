//! The one place EventBridge Scheduler errors become responses, as its REST-JSON protocol
//! answers: the code in `x-amzn-ErrorType`, `{"Message": …}`, and the model's status (400
//! validation, 404 not found, 409 conflict, 500 internal).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use lambkin_events::EventsError;
use serde_json::json;

#[derive(Debug)]
pub(crate) enum SchedulerFailure {
    Scheduler(EventsError),
    /// The body is not the JSON the operation expects.
    Serialization(String),
}

impl From<EventsError> for SchedulerFailure {
    fn from(e: EventsError) -> Self {
        SchedulerFailure::Scheduler(e)
    }
}

fn render(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({ "Message": message });
    let mut resp = (status, body.to_string()).into_response();
    let headers = resp.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(v) = HeaderValue::from_str(code) {
        headers.insert("x-amzn-ErrorType", v);
    }
    resp
}

impl IntoResponse for SchedulerFailure {
    fn into_response(self) -> Response {
        match self {
            SchedulerFailure::Scheduler(e) => {
                let (status, code) = match &e {
                    EventsError::ResourceNotFound(_) => {
                        (StatusCode::NOT_FOUND, "ResourceNotFoundException")
                    }
                    EventsError::Conflict(_) | EventsError::ResourceAlreadyExists(_) => {
                        (StatusCode::CONFLICT, "ConflictException")
                    }
                    EventsError::LimitExceeded(_) => (
                        StatusCode::PAYMENT_REQUIRED,
                        "ServiceQuotaExceededException",
                    ),
                    EventsError::Store(source) => {
                        tracing::error!(error = ?source, "scheduler storage failure");
                        (StatusCode::INTERNAL_SERVER_ERROR, "InternalServerException")
                    }
                    EventsError::Validation(_) | EventsError::InvalidEventPattern(_) => {
                        (StatusCode::BAD_REQUEST, "ValidationException")
                    }
                };
                render(status, code, &e.to_string())
            }
            SchedulerFailure::Serialization(m) => {
                render(StatusCode::BAD_REQUEST, "ValidationException", &m)
            }
        }
    }
}
