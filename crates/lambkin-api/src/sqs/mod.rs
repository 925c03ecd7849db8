//! Amazon SQS, JSON protocol (`X-Amz-Target: AmazonSQS.<Operation>`,
//! `Content-Type: application/x-amz-json-1.0`), as current AWS SDKs and the AWS CLI send it;
//! `query/` serves the same operations in the query protocol (form in, XML out) that older SDKs
//! send.
//!
//! Each handler decodes its request (`wire.rs`), resolves the queue URL, makes one call on
//! [`lambkin_sqs::Sqs`] and encodes the answer; `operation.rs` names the operations for both
//! protocols; `error.rs` is the only place JSON errors are written and holds every error's
//! codes for both protocols. Queue URLs are built from the
//! request's `Host` header, so whatever address the client used comes back; any host is
//! accepted on the way in.

mod convert;
mod error;
mod messages;
mod operation;
pub(crate) mod query;
mod queues;
mod wire;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use lambkin_engine::Engine;
use lambkin_sqs::{QueueName, Sqs};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::operations::Lookup;
use error::SqsFailure;
pub(crate) use operation::is_sqs_only_action;
use operation::{Operation, lookup};

pub(crate) const CONTENT_TYPE: &str = "application/x-amz-json-1.0";

/// What every handler gets: the service and the host to put in queue URLs.
pub(crate) struct Call {
    sqs: Sqs,
    host: String,
    /// `X-Amzn-Trace-Id`, which becomes a sent message's `AWSTraceHeader`.
    trace_header: Option<String>,
    body: Bytes,
}

impl Call {
    fn request<T: DeserializeOwned + Default>(&self) -> Result<T, SqsFailure> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(T::default());
        }
        serde_json::from_slice(&self.body).map_err(|e| SqsFailure::Serialization(e.to_string()))
    }

    fn queue(&self, url: Option<&str>) -> Result<QueueName, SqsFailure> {
        let url = url.ok_or(lambkin_sqs::SqsError::MissingParameter("QueueUrl"))?;
        Ok(self.sqs.queue_from_url(url)?)
    }

    fn url(&self, q: &QueueName) -> String {
        queue_url(&self.sqs, &self.host, q)
    }
}

/// `http://<host>/<account>/<name>`: the queue's URL as the caller addressed this server.
fn queue_url(sqs: &Sqs, host: &str, q: &QueueName) -> String {
    format!("http://{host}{}", q.url_path(sqs.scope()))
}

/// The `Host` the request was sent to, for the queue URLs of the answer.
fn host(headers: &HeaderMap) -> String {
    headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost")
        .to_string()
}

/// The request's `X-Amzn-Trace-Id` (X-Ray), if any.
fn trace_header(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-amzn-trace-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// A 200 with the JSON body.
fn ok<T: Serialize>(value: &T) -> Result<Response, SqsFailure> {
    let body = serde_json::to_string(value)
        .map_err(|e| SqsFailure::Serialization(format!("response: {e}")))?;
    let mut resp = (StatusCode::OK, body).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    Ok(resp)
}

/// The answer of operations without output: `{}`.
fn empty() -> Result<Response, SqsFailure> {
    ok(&serde_json::Map::new())
}

/// A request whose body could not be read (larger than the endpoint accepts, or cut off).
pub(crate) fn unreadable_body(why: &str) -> Response {
    SqsFailure::Sqs(lambkin_sqs::SqsError::InvalidParameterValue(format!(
        "One or more parameters are invalid. Reason: the request body could not be read: {why}"
    )))
    .into_response()
}

/// Runs the operation named by `X-Amz-Target` (without the `AmazonSQS.` prefix).
pub(crate) async fn dispatch(
    engine: Engine,
    operation: &str,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let call = Call {
        sqs: engine.sqs().clone(),
        host: host(&headers),
        trace_header: trace_header(&headers),
        body,
    };
    let result = match lookup(operation) {
        Lookup::Serve(op) => match op {
            Operation::CreateQueue => queues::create_queue(&call).await,
            Operation::GetQueueUrl => queues::get_queue_url(&call).await,
            Operation::ListQueues => queues::list_queues(&call).await,
            Operation::ListDeadLetterSourceQueues => {
                queues::list_dead_letter_source_queues(&call).await
            }
            Operation::DeleteQueue => queues::delete_queue(&call).await,
            Operation::GetQueueAttributes => queues::get_queue_attributes(&call).await,
            Operation::SetQueueAttributes => queues::set_queue_attributes(&call).await,
            Operation::PurgeQueue => queues::purge_queue(&call).await,
            Operation::SendMessage => messages::send_message(&call).await,
            Operation::SendMessageBatch => messages::send_message_batch(&call).await,
            Operation::ReceiveMessage => messages::receive_message(&call).await,
            Operation::DeleteMessage => messages::delete_message(&call).await,
            Operation::DeleteMessageBatch => messages::delete_message_batch(&call).await,
            Operation::ChangeMessageVisibility => messages::change_message_visibility(&call).await,
            Operation::ChangeMessageVisibilityBatch => {
                messages::change_message_visibility_batch(&call).await
            }
            Operation::TagQueue => queues::tag_queue(&call).await,
            Operation::UntagQueue => queues::untag_queue(&call).await,
            Operation::ListQueueTags => queues::list_queue_tags(&call).await,
        },
        // The JSON protocol answers unimplemented and unknown operations alike.
        Lookup::NotImplemented | Lookup::Unknown => {
            Err(SqsFailure::UnknownOperation(operation.to_string()))
        }
    };
    result.unwrap_or_else(IntoResponse::into_response)
}
