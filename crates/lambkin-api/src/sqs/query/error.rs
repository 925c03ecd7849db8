//! The one place SQS query-protocol errors are written, as SQS answers older SDKs:
//! `<ErrorResponse><Error><Type>Sender|Receiver</Type><Code>{query code}</Code><Message/>
//! <Detail/></Error><RequestId/></ErrorResponse>`, with the status the JSON surface uses. Codes
//! and statuses come from `sqs/error.rs`, shared with the JSON protocol.

use axum::http::StatusCode;
use axum::response::Response;
use lambkin_sqs::SqsError;

use super::NAMESPACE;
use crate::query_protocol::xml::{escape, xml_response};
use crate::sqs::error::code;

/// A failed query-protocol SQS request.
#[derive(Debug)]
pub(crate) enum SqsQueryError {
    Sqs(SqsError),
    /// An action of the SQS model that lambkin does not implement.
    Unsupported(String),
    /// An action SQS does not have, or does not serve at this endpoint (a queue URL serves
    /// only queue actions).
    InvalidAction(String),
    /// A request without any action (a bare `GET` on a queue URL).
    UnknownOperation,
}

impl From<SqsError> for SqsQueryError {
    fn from(e: SqsError) -> Self {
        SqsQueryError::Sqs(e)
    }
}

impl SqsQueryError {
    pub(crate) fn render(&self, request_id: &str) -> Response {
        let (status, query_code, sender_fault, message) = match self {
            SqsQueryError::UnknownOperation => {
                return xml_response(
                    StatusCode::NOT_FOUND,
                    "<UnknownOperationException/>".to_string(),
                );
            }
            SqsQueryError::Sqs(e) => {
                if let SqsError::Store(source) = e {
                    tracing::error!(error = ?source, "sqs storage failure");
                }
                let c = code(e);
                let message = match e {
                    // The query protocol's own wording, as AWS answers it there.
                    SqsError::QueueDoesNotExist => {
                        "The specified queue does not exist for this wsdl version.".to_string()
                    }
                    e => e.to_string(),
                };
                (c.status, c.query, c.sender_fault, message)
            }
            SqsQueryError::Unsupported(action) => (
                StatusCode::BAD_REQUEST,
                "AWS.SimpleQueueService.UnsupportedOperation",
                true,
                format!("lambkin does not implement SQS {action} (see docs/api-compat.md)"),
            ),
            SqsQueryError::InvalidAction(action) => (
                StatusCode::BAD_REQUEST,
                "InvalidAction",
                true,
                format!("The action {action} is not valid for this endpoint."),
            ),
        };
        let fault = if sender_fault { "Sender" } else { "Receiver" };
        let body = format!(
            "<ErrorResponse xmlns=\"{NAMESPACE}\"><Error><Type>{fault}</Type><Code>{query_code}</Code><Message>{}</Message><Detail/></Error><RequestId>{}</RequestId></ErrorResponse>",
            escape(&message),
            escape(request_id)
        );
        xml_response(status, body)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    async fn parts(e: SqsQueryError) -> (StatusCode, String) {
        let resp = e.render("rid");
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, String::from_utf8(bytes.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn errors_render_as_sqs_query_xml() {
        let (status, body) = parts(SqsError::QueueDoesNotExist.into()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            body,
            "<ErrorResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><Error>\
             <Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code>\
             <Message>The specified queue does not exist for this wsdl version.</Message>\
             <Detail/></Error>\
             <RequestId>rid</RequestId></ErrorResponse>"
        );
        let (status, body) = parts(SqsError::PurgeQueueInProgress("q".into()).into()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(body.contains("<Code>AWS.SimpleQueueService.PurgeQueueInProgress</Code>"));
        let (status, body) = parts(SqsError::Store(lambkin_store::StoreError::Closed).into()).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(body.contains("<Type>Receiver</Type><Code>InternalError</Code>"));
        let (_, body) = parts(SqsQueryError::InvalidAction("Publish<".into())).await;
        assert!(body.contains("<Code>InvalidAction</Code>"));
        assert!(body.contains("The action Publish&lt; is not valid"));
    }
}
