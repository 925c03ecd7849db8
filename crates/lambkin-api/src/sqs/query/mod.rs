//! Amazon SQS, query protocol (`Action=<Operation>&Version=2012-11-05`, form-encoded body, XML
//! answers), as the AWS SDK for Java v1, the AWS SDK for Go v1, botocore before its switch to
//! JSON and older AWS CLI versions send it, to `POST /` or to the queue URL itself
//! (`POST /<account>/<queue>`, the queue implied by the path).
//!
//! The handlers make the same calls on [`lambkin_sqs::Sqs`] as the JSON handlers, through the
//! same conversions (`sqs/convert.rs`), so both protocols validate and answer alike; only the
//! wire differs. `params.rs` decodes SQS's flattened members, `queues.rs` and `messages.rs` write
//! the `<XResult>` elements, `error.rs` is the only writer of query-protocol SQS errors.

mod error;
mod messages;
mod params;
mod queues;

use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use lambkin_engine::Engine;
use lambkin_sqs::{QueueName, Sqs, SqsError};

use crate::query_protocol::{Form, Xml, xml};
use crate::request_id;
use error::SqsQueryError;

/// The XML namespace of every SQS query answer.
const NAMESPACE: &str = "http://queue.amazonaws.com/doc/2012-11-05/";

/// The `Version` query-protocol SQS requests carry.
pub(crate) const VERSION: &str = "2012-11-05";

/// Every action of the SQS model (2012-11-05); those lambkin lacks answer UnsupportedOperation.
const ACTIONS: &[&str] = &[
    "AddPermission",
    "CancelMessageMoveTask",
    "ChangeMessageVisibility",
    "ChangeMessageVisibilityBatch",
    "CreateQueue",
    "DeleteMessage",
    "DeleteMessageBatch",
    "DeleteQueue",
    "GetQueueAttributes",
    "GetQueueUrl",
    "ListDeadLetterSourceQueues",
    "ListMessageMoveTasks",
    "ListQueueTags",
    "ListQueues",
    "PurgeQueue",
    "ReceiveMessage",
    "RemovePermission",
    "SendMessage",
    "SendMessageBatch",
    "SetQueueAttributes",
    "StartMessageMoveTask",
    "TagQueue",
    "UntagQueue",
];

/// Whether `action` belongs to SQS and not also to SNS (which shares `POST /` and has
/// AddPermission and RemovePermission too): how a form without a `Version` is routed.
pub(crate) fn is_sqs_only_action(action: &str) -> bool {
    ACTIONS.contains(&action) && !matches!(action, "AddPermission" | "RemovePermission")
}

/// What a handler answers: the inside of its `<XResult>` element (`None` for operations
/// without output), or an error.
type Answer = Result<Option<Xml>, SqsQueryError>;

/// What every handler gets: the service, the host to put in queue URLs, and the request.
struct QueryCall {
    sqs: Sqs,
    host: String,
    /// `X-Amzn-Trace-Id`, which becomes a sent message's `AWSTraceHeader`.
    trace_header: Option<String>,
    form: Form,
}

impl QueryCall {
    fn queue(&self) -> Result<QueueName, SqsError> {
        let url = self
            .form
            .get("QueueUrl")
            .ok_or(SqsError::MissingParameter("QueueUrl"))?;
        self.sqs.queue_from_url(url)
    }

    fn url(&self, q: &QueueName) -> String {
        super::queue_url(&self.sqs, &self.host, q)
    }
}

/// A request whose body could not be read (larger than the endpoint accepts, or cut off).
pub(crate) fn unreadable_body(why: &str) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    with_request_id(
        SqsQueryError::from(SqsError::InvalidParameterValue(format!(
            "One or more parameters are invalid. Reason: the request body could not be read: {why}"
        )))
        .render(&request_id),
        &request_id,
    )
}

/// A `GET` on a queue URL without an `Action`: SQS answers 404 `<UnknownOperationException/>`.
pub(crate) fn unknown_operation() -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    with_request_id(
        SqsQueryError::UnknownOperation.render(&request_id),
        &request_id,
    )
}

/// Runs the query-protocol request in `form` (a POST body, or a GET's query string).
/// `queue_path` is the path of a request sent to a queue URL (`/<account>/<queue>`); it names
/// the queue when the form has no `QueueUrl`.
pub(crate) async fn dispatch(
    engine: Engine,
    headers: HeaderMap,
    mut form: Form,
    queue_path: Option<String>,
) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let at_queue_url = queue_path.is_some();
    if let Some(path) = queue_path {
        // A `QueueUrl` member wins over the path, as on AWS.
        form.insert_absent("QueueUrl", path);
    }
    let action = form.get("Action").unwrap_or_default().to_string();
    let call = QueryCall {
        sqs: engine.sqs().clone(),
        host: super::host(&headers),
        trace_header: super::trace_header(&headers),
        form,
    };
    let answer: Answer = match action.as_str() {
        // A queue URL serves the queue's actions only.
        "CreateQueue" | "ListQueues" if at_queue_url => {
            Err(SqsQueryError::InvalidAction(action.clone()))
        }
        "CreateQueue" => queues::create_queue(&call).await,
        "GetQueueUrl" => queues::get_queue_url(&call).await,
        "ListQueues" => queues::list_queues(&call).await,
        "ListDeadLetterSourceQueues" => queues::list_dead_letter_source_queues(&call).await,
        "DeleteQueue" => queues::delete_queue(&call).await,
        "GetQueueAttributes" => queues::get_queue_attributes(&call).await,
        "SetQueueAttributes" => queues::set_queue_attributes(&call).await,
        "PurgeQueue" => queues::purge_queue(&call).await,
        "SendMessage" => messages::send_message(&call).await,
        "SendMessageBatch" => messages::send_message_batch(&call).await,
        "ReceiveMessage" => messages::receive_message(&call).await,
        "DeleteMessage" => messages::delete_message(&call).await,
        "DeleteMessageBatch" => messages::delete_message_batch(&call).await,
        "ChangeMessageVisibility" => messages::change_message_visibility(&call).await,
        "ChangeMessageVisibilityBatch" => messages::change_message_visibility_batch(&call).await,
        "" => Err(SqsError::MissingParameter("Action").into()),
        other if ACTIONS.contains(&other) => Err(SqsQueryError::Unsupported(other.to_string())),
        other => Err(SqsQueryError::InvalidAction(other.to_string())),
    };
    let response = match answer {
        Ok(result) => xml::response(NAMESPACE, &action, &request_id, result),
        Err(e) => e.render(&request_id),
    };
    with_request_id(response, &request_id)
}

/// The id in the body goes in `x-amzn-RequestId` too, as AWS sends it.
fn with_request_id(mut response: Response, request_id: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(request_id) {
        response.headers_mut().insert(request_id::HEADER, v);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_shared_with_sns_are_not_sqs_only() {
        let cases = [
            ("SendMessage", true),
            ("TagQueue", true),
            ("AddPermission", false),
            ("RemovePermission", false),
            ("Publish", false),
            ("", false),
        ];
        for (action, sqs_only) in cases {
            assert_eq!(is_sqs_only_action(action), sqs_only, "{action}");
        }
    }
}
