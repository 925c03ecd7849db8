//! The one place SQS errors become responses, as real SQS answers the JSON protocol: status,
//! `Content-Type: application/x-amz-json-1.0`, `x-amzn-query-error: <query code>;Sender`
//! (SDKs read the code from it: SQS is `awsQueryCompatible`) and
//! `{"__type":"com.amazonaws.sqs#<JSON code>","message":...}`. The JSON code is the model's
//! shape name for the errors the model has; for the two it lacks AWS sends
//! `InvalidParameterValueException` and `MissingRequiredParameterException`, with
//! `InvalidParameterValue` and `MissingParameter` as their query codes.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use lambkin_sqs::SqsError;
use serde_json::json;

use super::CONTENT_TYPE;

/// A failed SQS call: a service error, or a request that never reached the service.
#[derive(Debug)]
pub(crate) enum SqsFailure {
    Sqs(SqsError),
    /// The body is not the JSON the operation expects.
    Serialization(String),
    UnknownOperation(String),
}

impl From<SqsError> for SqsFailure {
    fn from(e: SqsError) -> Self {
        SqsFailure::Sqs(e)
    }
}

/// How one error code appears on the wire.
pub(crate) struct Code {
    pub status: StatusCode,
    /// The JSON code in `__type`: the model's shape name (or AWS's JSON code, for errors the
    /// model lacks).
    pub shape: &'static str,
    /// The `awsQueryError` code; also what batch results put in `Code`.
    pub query: &'static str,
    pub sender_fault: bool,
}

const fn sender(shape: &'static str, query: &'static str) -> Code {
    Code {
        status: StatusCode::BAD_REQUEST,
        shape,
        query,
        sender_fault: true,
    }
}

pub(crate) fn code(e: &SqsError) -> Code {
    match e {
        SqsError::QueueDoesNotExist => sender(
            "QueueDoesNotExist",
            "AWS.SimpleQueueService.NonExistentQueue",
        ),
        SqsError::QueueNameExists(_) => sender("QueueNameExists", "QueueAlreadyExists"),
        SqsError::InvalidAttributeName(_) => sender("InvalidAttributeName", "InvalidAttributeName"),
        SqsError::InvalidAttributeValue(_) => {
            sender("InvalidAttributeValue", "InvalidAttributeValue")
        }
        SqsError::InvalidParameterValue(_) => {
            sender("InvalidParameterValueException", "InvalidParameterValue")
        }
        SqsError::MissingParameter(_) => {
            sender("MissingRequiredParameterException", "MissingParameter")
        }
        SqsError::InvalidMessageContents(_) => {
            sender("InvalidMessageContents", "InvalidMessageContents")
        }
        SqsError::ReceiptHandleIsInvalid(_) => {
            sender("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid")
        }
        SqsError::EmptyBatchRequest(_) => sender(
            "EmptyBatchRequest",
            "AWS.SimpleQueueService.EmptyBatchRequest",
        ),
        SqsError::TooManyEntriesInBatchRequest(_) => sender(
            "TooManyEntriesInBatchRequest",
            "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
        ),
        SqsError::BatchEntryIdsNotDistinct(_) => sender(
            "BatchEntryIdsNotDistinct",
            "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
        ),
        SqsError::InvalidBatchEntryId => sender(
            "InvalidBatchEntryId",
            "AWS.SimpleQueueService.InvalidBatchEntryId",
        ),
        SqsError::BatchRequestTooLong { .. } => sender(
            "BatchRequestTooLong",
            "AWS.SimpleQueueService.BatchRequestTooLong",
        ),
        SqsError::PurgeQueueInProgress(_) => Code {
            status: StatusCode::FORBIDDEN,
            ..sender(
                "PurgeQueueInProgress",
                "AWS.SimpleQueueService.PurgeQueueInProgress",
            )
        },
        SqsError::UnsupportedOperation(_) => sender(
            "UnsupportedOperation",
            "AWS.SimpleQueueService.UnsupportedOperation",
        ),
        SqsError::Store(_) => Code {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            shape: "InternalError",
            query: "InternalError",
            sender_fault: false,
        },
    }
}

fn render(c: &Code, message: &str) -> Response {
    let body = json!({
        "__type": format!("com.amazonaws.sqs#{}", c.shape),
        "message": message,
    });
    let mut resp = (c.status, body.to_string()).into_response();
    let headers = resp.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    let fault = if c.sender_fault { "Sender" } else { "Receiver" };
    if let Ok(v) = HeaderValue::from_str(&format!("{};{fault}", c.query)) {
        headers.insert("x-amzn-query-error", v);
    }
    resp
}

impl IntoResponse for SqsFailure {
    fn into_response(self) -> Response {
        match self {
            SqsFailure::Sqs(e) => {
                if let SqsError::Store(source) = &e {
                    tracing::error!(error = ?source, "sqs storage failure");
                }
                render(&code(&e), &e.to_string())
            }
            SqsFailure::Serialization(m) => render(
                &sender("SerializationException", "SerializationException"),
                &m,
            ),
            SqsFailure::UnknownOperation(op) => render(
                &sender(
                    "UnsupportedOperation",
                    "AWS.SimpleQueueService.UnsupportedOperation",
                ),
                &format!("lambkin does not implement SQS {op} (see docs/api-compat.md)"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn parts(f: SqsFailure) -> (StatusCode, String, String, serde_json::Value) {
        let resp = f.into_response();
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        let (status, ct, query) = (
            resp.status(),
            header("content-type"),
            header("x-amzn-query-error"),
        );
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
            .await
            .unwrap_or_default();
        (
            status,
            ct,
            query,
            serde_json::from_slice(&bytes).unwrap_or_default(),
        )
    }

    #[tokio::test]
    async fn errors_render_as_sqs_json() {
        let (s, ct, q, body) = parts(SqsFailure::Sqs(SqsError::QueueDoesNotExist)).await;
        assert_eq!((s, ct.as_str()), (StatusCode::BAD_REQUEST, CONTENT_TYPE));
        assert_eq!(q, "AWS.SimpleQueueService.NonExistentQueue;Sender");
        assert_eq!(
            body,
            json!({"__type": "com.amazonaws.sqs#QueueDoesNotExist", "message": "The specified queue does not exist."})
        );
        let (s, _, q, _) = parts(SqsFailure::Sqs(SqsError::PurgeQueueInProgress("q".into()))).await;
        assert_eq!(
            (s, q.as_str()),
            (
                StatusCode::FORBIDDEN,
                "AWS.SimpleQueueService.PurgeQueueInProgress;Sender"
            )
        );
        let (s, _, q, _) = parts(SqsFailure::Sqs(SqsError::Store(
            lambkin_store::StoreError::Closed,
        )))
        .await;
        assert_eq!(
            (s, q.as_str()),
            (StatusCode::INTERNAL_SERVER_ERROR, "InternalError;Receiver")
        );
    }

    /// Every error's JSON code and query code, as AWS sends them (the query codes are those the
    /// SDKs match their typed errors on).
    #[test]
    fn every_error_has_aws_codes() {
        let cases: Vec<(SqsError, u16, &str, &str)> = vec![
            (
                SqsError::QueueDoesNotExist,
                400,
                "QueueDoesNotExist",
                "AWS.SimpleQueueService.NonExistentQueue",
            ),
            (
                SqsError::queue_exists_attribute("DelaySeconds"),
                400,
                "QueueNameExists",
                "QueueAlreadyExists",
            ),
            (
                SqsError::InvalidAttributeName("x".into()),
                400,
                "InvalidAttributeName",
                "InvalidAttributeName",
            ),
            (
                SqsError::InvalidAttributeValue("x".into()),
                400,
                "InvalidAttributeValue",
                "InvalidAttributeValue",
            ),
            (
                SqsError::InvalidParameterValue("x".into()),
                400,
                "InvalidParameterValueException",
                "InvalidParameterValue",
            ),
            (
                SqsError::MissingParameter("MessageBody"),
                400,
                "MissingRequiredParameterException",
                "MissingParameter",
            ),
            (
                SqsError::InvalidMessageContents("x".into()),
                400,
                "InvalidMessageContents",
                "InvalidMessageContents",
            ),
            (
                SqsError::ReceiptHandleIsInvalid("x".into()),
                400,
                "ReceiptHandleIsInvalid",
                "ReceiptHandleIsInvalid",
            ),
            (
                SqsError::EmptyBatchRequest("E"),
                400,
                "EmptyBatchRequest",
                "AWS.SimpleQueueService.EmptyBatchRequest",
            ),
            (
                SqsError::TooManyEntriesInBatchRequest(11),
                400,
                "TooManyEntriesInBatchRequest",
                "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
            ),
            (
                SqsError::BatchEntryIdsNotDistinct("a".into()),
                400,
                "BatchEntryIdsNotDistinct",
                "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
            ),
            (
                SqsError::InvalidBatchEntryId,
                400,
                "InvalidBatchEntryId",
                "AWS.SimpleQueueService.InvalidBatchEntryId",
            ),
            (
                SqsError::BatchRequestTooLong { size: 2, limit: 1 },
                400,
                "BatchRequestTooLong",
                "AWS.SimpleQueueService.BatchRequestTooLong",
            ),
            (
                SqsError::PurgeQueueInProgress("q".into()),
                403,
                "PurgeQueueInProgress",
                "AWS.SimpleQueueService.PurgeQueueInProgress",
            ),
            (
                SqsError::UnsupportedOperation("x".into()),
                400,
                "UnsupportedOperation",
                "AWS.SimpleQueueService.UnsupportedOperation",
            ),
        ];
        for (e, status, shape, query) in cases {
            let c = code(&e);
            assert_eq!(
                (c.status.as_u16(), c.shape, c.query, c.sender_fault),
                (status, shape, query, true),
                "{e:?}"
            );
        }
    }
}
