//! Queue handlers: CreateQueue, GetQueueUrl, ListQueues, ListDeadLetterSourceQueues,
//! DeleteQueue, GetQueueAttributes, SetQueueAttributes, PurgeQueue, TagQueue, UntagQueue,
//! ListQueueTags.

use axum::response::Response;
use lambkin_sqs::SqsError;
use serde_json::json;

use super::error::SqsFailure;
use super::wire::{
    CreateQueueRequest, GetQueueUrlRequest, ListDeadLetterSourceQueuesRequest, ListQueuesRequest,
    QueueRequest,
};
use super::{Call, empty, ok};

pub(crate) async fn create_queue(call: &Call) -> Result<Response, SqsFailure> {
    let req: CreateQueueRequest = call.request()?;
    let name = req
        .queue_name
        .ok_or(SqsError::MissingParameter("QueueName"))?;
    let q = call
        .sqs
        .create_queue(&name, req.attributes, req.tags)
        .await?;
    ok(&json!({ "QueueUrl": call.url(&q) }))
}

pub(crate) async fn get_queue_url(call: &Call) -> Result<Response, SqsFailure> {
    let req: GetQueueUrlRequest = call.request()?;
    let q = get_queue(
        &call.sqs,
        req.queue_name.as_deref(),
        req.queue_owner_aws_account_id.as_deref(),
    )
    .await?;
    ok(&json!({ "QueueUrl": call.url(&q) }))
}

/// GetQueueUrl's lookup, for both protocols: only this server's account owns queues.
pub(super) async fn get_queue(
    sqs: &lambkin_sqs::Sqs,
    name: Option<&str>,
    owner: Option<&str>,
) -> Result<lambkin_sqs::QueueName, SqsError> {
    let name = name.ok_or(SqsError::MissingParameter("QueueName"))?;
    if owner.is_some_and(|owner| owner != sqs.scope().account) {
        return Err(SqsError::QueueDoesNotExist);
    }
    sqs.get_queue(name).await
}

pub(crate) async fn list_queues(call: &Call) -> Result<Response, SqsFailure> {
    let req: ListQueuesRequest = call.request()?;
    let (queues, next) = call
        .sqs
        .list_queues(
            req.queue_name_prefix.as_deref(),
            req.max_results,
            req.next_token.as_deref(),
        )
        .await?;
    let urls: Vec<String> = queues.iter().map(|q| call.url(q)).collect();
    let mut out = serde_json::Map::new();
    // AWS omits QueueUrls when nothing matches.
    if !urls.is_empty() {
        out.insert("QueueUrls".into(), json!(urls));
    }
    if let Some(token) = next {
        out.insert("NextToken".into(), json!(token));
    }
    ok(&out)
}

pub(crate) async fn list_dead_letter_source_queues(call: &Call) -> Result<Response, SqsFailure> {
    let req: ListDeadLetterSourceQueuesRequest = call.request()?;
    let q = call.queue(req.queue_url.as_deref())?;
    let (queues, next) = call
        .sqs
        .list_dead_letter_source_queues(&q, req.max_results, req.next_token.as_deref())
        .await?;
    let urls: Vec<String> = queues.iter().map(|q| call.url(q)).collect();
    // `queueUrls` is required, and spelled in camel case, in the model.
    let mut out = serde_json::Map::new();
    out.insert("queueUrls".into(), json!(urls));
    if let Some(token) = next {
        out.insert("NextToken".into(), json!(token));
    }
    ok(&out)
}

pub(crate) async fn delete_queue(call: &Call) -> Result<Response, SqsFailure> {
    let req: QueueRequest = call.request()?;
    let q = call.queue(req.queue_url.as_deref())?;
    call.sqs.delete_queue(&q).await?;
    empty()
}

pub(crate) async fn get_queue_attributes(call: &Call) -> Result<Response, SqsFailure> {
    let req: QueueRequest = call.request()?;
    let q = call.queue(req.queue_url.as_deref())?;
    let attributes = call
        .sqs
        .get_queue_attributes(&q, &req.attribute_names)
        .await?;
    if attributes.is_empty() {
        return empty();
    }
    ok(&json!({ "Attributes": attributes }))
}

pub(crate) async fn set_queue_attributes(call: &Call) -> Result<Response, SqsFailure> {
    let req: QueueRequest = call.request()?;
    let q = call.queue(req.queue_url.as_deref())?;
    call.sqs.set_queue_attributes(&q, req.attributes).await?;
    empty()
}

pub(crate) async fn purge_queue(call: &Call) -> Result<Response, SqsFailure> {
    let req: QueueRequest = call.request()?;
    let q = call.queue(req.queue_url.as_deref())?;
    call.sqs.purge_queue(&q).await?;
    empty()
}

pub(crate) async fn tag_queue(call: &Call) -> Result<Response, SqsFailure> {
    let req: QueueRequest = call.request()?;
    let q = call.queue(req.queue_url.as_deref())?;
    call.sqs.tag_queue(&q, req.tags).await?;
    empty()
}

pub(crate) async fn untag_queue(call: &Call) -> Result<Response, SqsFailure> {
    let req: QueueRequest = call.request()?;
    let q = call.queue(req.queue_url.as_deref())?;
    call.sqs.untag_queue(&q, req.tag_keys).await?;
    empty()
}

pub(crate) async fn list_queue_tags(call: &Call) -> Result<Response, SqsFailure> {
    let req: QueueRequest = call.request()?;
    let q = call.queue(req.queue_url.as_deref())?;
    let tags = call.sqs.list_queue_tags(&q).await?;
    // AWS omits `Tags` from the answer of a queue without any.
    if tags.is_empty() {
        return empty();
    }
    ok(&json!({ "Tags": tags }))
}
