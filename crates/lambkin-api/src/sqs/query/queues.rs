//! Queue actions: CreateQueue, GetQueueUrl, ListQueues, ListDeadLetterSourceQueues,
//! DeleteQueue, GetQueueAttributes, SetQueueAttributes, PurgeQueue, TagQueue, UntagQueue,
//! ListQueueTags. Element names follow the query-era model: flattened `<QueueUrl>` lists,
//! `<Attribute><Name/><Value/></Attribute>` and `<Tag><Key/><Value/></Tag>` maps.

use lambkin_sqs::SqsError;

use super::params::SqsParams;
use super::{Answer, QueryCall};
use crate::query_protocol::Xml;

pub(super) async fn create_queue(call: &QueryCall) -> Answer {
    let name = call
        .form
        .get("QueueName")
        .ok_or(SqsError::MissingParameter("QueueName"))?;
    let q = call
        .sqs
        .create_queue(name, call.form.queue_attributes(), call.form.tags("Tag"))
        .await?;
    let mut x = Xml::default();
    x.leaf("QueueUrl", &call.url(&q));
    Ok(Some(x))
}

pub(super) async fn get_queue_url(call: &QueryCall) -> Answer {
    let q = crate::sqs::queues::get_queue(
        &call.sqs,
        call.form.get("QueueName"),
        call.form.get("QueueOwnerAWSAccountId"),
    )
    .await?;
    let mut x = Xml::default();
    x.leaf("QueueUrl", &call.url(&q));
    Ok(Some(x))
}

pub(super) async fn list_queues(call: &QueryCall) -> Answer {
    let (queues, next) = call
        .sqs
        .list_queues(
            call.form.get("QueueNamePrefix"),
            call.form.int("MaxResults")?,
            call.form.get("NextToken"),
        )
        .await?;
    let mut x = Xml::default();
    for q in &queues {
        x.leaf("QueueUrl", &call.url(q));
    }
    if let Some(token) = &next {
        x.leaf("NextToken", token);
    }
    Ok(Some(x))
}

pub(super) async fn list_dead_letter_source_queues(call: &QueryCall) -> Answer {
    let (queues, next) = call
        .sqs
        .list_dead_letter_source_queues(
            &call.queue()?,
            call.form.int("MaxResults")?,
            call.form.get("NextToken"),
        )
        .await?;
    let mut x = Xml::default();
    for q in &queues {
        x.leaf("QueueUrl", &call.url(q));
    }
    if let Some(token) = &next {
        x.leaf("NextToken", token);
    }
    Ok(Some(x))
}

pub(super) async fn delete_queue(call: &QueryCall) -> Answer {
    call.sqs.delete_queue(&call.queue()?).await?;
    Ok(None)
}

pub(super) async fn get_queue_attributes(call: &QueryCall) -> Answer {
    let q = call.queue()?;
    let attributes = call
        .sqs
        .get_queue_attributes(&q, &call.form.strings("AttributeName"))
        .await?;
    let mut x = Xml::default();
    for (name, value) in &attributes {
        x.open("Attribute")
            .leaf("Name", name)
            .leaf("Value", value)
            .close("Attribute");
    }
    Ok(Some(x))
}

pub(super) async fn set_queue_attributes(call: &QueryCall) -> Answer {
    let q = call.queue()?;
    call.sqs
        .set_queue_attributes(&q, call.form.queue_attributes())
        .await?;
    Ok(None)
}

pub(super) async fn purge_queue(call: &QueryCall) -> Answer {
    call.sqs.purge_queue(&call.queue()?).await?;
    Ok(None)
}

pub(super) async fn tag_queue(call: &QueryCall) -> Answer {
    let q = call.queue()?;
    // `Tag.N.Key`/`.Value` as the model names them; the AWS SDK for Java v2 sends
    // `Tags.N.Key`/`.Value` (aws-sdk-java-v2#2524) and SQS takes those too.
    let mut tags = call.form.tags("Tags");
    tags.extend(call.form.tags("Tag"));
    call.sqs.tag_queue(&q, tags).await?;
    Ok(None)
}

pub(super) async fn untag_queue(call: &QueryCall) -> Answer {
    let q = call.queue()?;
    call.sqs
        .untag_queue(&q, call.form.strings("TagKey"))
        .await?;
    Ok(None)
}

pub(super) async fn list_queue_tags(call: &QueryCall) -> Answer {
    let tags = call.sqs.list_queue_tags(&call.queue()?).await?;
    let mut x = Xml::default();
    for (key, value) in &tags {
        x.open("Tag")
            .leaf("Key", key)
            .leaf("Value", value)
            .close("Tag");
    }
    Ok(Some(x))
}
