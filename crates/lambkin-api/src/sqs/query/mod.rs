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

use super::operation::{Operation, lookup};
use crate::operations::Lookup;
use crate::query_protocol::{Form, Xml, xml};
use crate::request_id;
use error::SqsQueryError;

/// The XML namespace of every SQS query answer.
const NAMESPACE: &str = "http://queue.amazonaws.com/doc/2012-11-05/";

/// The `Version` query-protocol SQS requests carry.
pub(crate) const VERSION: &str = "2012-11-05";

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
    let answer: Answer = match lookup(&action) {
        // A queue URL serves the queue's actions only.
        Lookup::Serve(Operation::CreateQueue | Operation::ListQueues) if at_queue_url => {
            Err(SqsQueryError::InvalidAction(action.clone()))
        }
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
        _ if action.is_empty() => Err(SqsError::MissingParameter("Action").into()),
        Lookup::NotImplemented => Err(SqsQueryError::Unsupported(action.clone())),
        Lookup::Unknown => Err(SqsQueryError::InvalidAction(action.clone())),
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
