//! Message handlers: SendMessage(Batch), ReceiveMessage, DeleteMessage(Batch),
//! ChangeMessageVisibility(Batch).

use axum::response::Response;
use lambkin_sqs::{BatchEntry, ReceiveOptions, SqsError};
use serde_json::json;

use super::convert;
use super::error::SqsFailure;
use super::wire::{
    IdOnly, MessageToSend, ReceiptBatchRequest, ReceiptRequest, ReceiveMessageRequest,
    SendMessageBatchRequest, SendMessageBatchResultEntry,
};
use super::{Call, empty, ok};

pub(crate) async fn send_message(call: &Call) -> Result<Response, SqsFailure> {
    let req: MessageToSend = call.request()?;
    let q = call.queue(req.queue_url.as_deref())?;
    let message = convert::outgoing(req, call.trace_header.as_deref())?;
    let sent = call.sqs.send_message(&q, message).await?;
    ok(&convert::sent(sent))
}

pub(crate) async fn send_message_batch(call: &Call) -> Result<Response, SqsFailure> {
    let req: SendMessageBatchRequest = call.request()?;
    let q = call.queue(req.queue_url.as_deref())?;
    // An undecodable attribute fails the whole request, as a malformed request does.
    let entries = req
        .entries
        .into_iter()
        .map(|mut e| {
            Ok(BatchEntry {
                id: std::mem::take(&mut e.id),
                entry: convert::outgoing(e, call.trace_header.as_deref())?,
            })
        })
        .collect::<Result<Vec<_>, SqsError>>()?;
    let results = call.sqs.send_message_batch(&q, entries).await?;
    ok(&convert::batch_result(results, sent_entry))
}

fn sent_entry(id: String, s: lambkin_sqs::SentMessage) -> SendMessageBatchResultEntry {
    SendMessageBatchResultEntry {
        id,
        result: convert::sent(s),
    }
}

pub(crate) async fn receive_message(call: &Call) -> Result<Response, SqsFailure> {
    let req: ReceiveMessageRequest = call.request()?;
    let q = call.queue(req.queue_url.as_deref())?;
    let mut attribute_names = req.attribute_names;
    attribute_names.extend(req.message_system_attribute_names);
    let options = ReceiveOptions {
        max_number_of_messages: req.max_number_of_messages,
        visibility_timeout: req.visibility_timeout,
        wait_time_seconds: req.wait_time_seconds,
        attribute_names,
        message_attribute_names: req.message_attribute_names,
    };
    let messages = call.sqs.receive_message(&q, &options).await?;
    if messages.is_empty() {
        return empty();
    }
    let messages: Vec<_> = messages.into_iter().map(convert::message).collect();
    ok(&json!({ "Messages": messages }))
}

/// A receipt handle the operation cannot do without (both protocols).
pub(super) fn receipt_handle(handle: Option<String>) -> Result<String, SqsError> {
    handle
        .filter(|h| !h.is_empty())
        .ok_or(SqsError::MissingParameter("ReceiptHandle"))
}

pub(crate) async fn delete_message(call: &Call) -> Result<Response, SqsFailure> {
    let req: ReceiptRequest = call.request()?;
    let q = call.queue(req.queue_url.as_deref())?;
    let handle = receipt_handle(req.receipt_handle)?;
    call.sqs.delete_message(&q, &handle).await?;
    empty()
}

pub(crate) async fn delete_message_batch(call: &Call) -> Result<Response, SqsFailure> {
    let req: ReceiptBatchRequest = call.request()?;
    let q = call.queue(req.queue_url.as_deref())?;
    let entries = req
        .entries
        .into_iter()
        .map(|e| BatchEntry {
            id: e.id,
            entry: e.receipt_handle.unwrap_or_default(),
        })
        .collect();
    let results = call.sqs.delete_message_batch(&q, entries).await?;
    ok(&convert::batch_result(results, |id, ()| IdOnly { id }))
}

pub(crate) async fn change_message_visibility(call: &Call) -> Result<Response, SqsFailure> {
    let req: ReceiptRequest = call.request()?;
    let q = call.queue(req.queue_url.as_deref())?;
    let handle = receipt_handle(req.receipt_handle)?;
    let timeout = req
        .visibility_timeout
        .ok_or(SqsError::MissingParameter("VisibilityTimeout"))?;
    call.sqs
        .change_message_visibility(&q, &handle, timeout)
        .await?;
    empty()
}

pub(crate) async fn change_message_visibility_batch(call: &Call) -> Result<Response, SqsFailure> {
    let req: ReceiptBatchRequest = call.request()?;
    let q = call.queue(req.queue_url.as_deref())?;
    let entries = req
        .entries
        .into_iter()
        .map(|e| BatchEntry {
            id: e.id,
            entry: (
                e.receipt_handle.unwrap_or_default(),
                e.visibility_timeout.unwrap_or(0),
            ),
        })
        .collect();
    let results = call
        .sqs
        .change_message_visibility_batch(&q, entries)
        .await?;
    ok(&convert::batch_result(results, |id, ()| IdOnly { id }))
}
