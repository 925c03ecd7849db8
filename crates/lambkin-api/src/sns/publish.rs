//! Publish and PublishBatch handlers.

use lambkin_sns::{BatchEntry, PublishRequest, Sns};

use super::query::SnsParams;
use super::{Answer, SnsApiError};
use crate::query_protocol::Form;
use crate::query_protocol::Xml;

pub(super) async fn publish(sns: &Sns, q: &Form) -> Answer {
    let request = PublishRequest {
        topic_arn: q.owned("TopicArn"),
        target_arn: q.owned("TargetArn"),
        phone_number: q.owned("PhoneNumber"),
        message: Some(q.required("Message")?.to_string()),
        subject: q.owned("Subject"),
        message_structure: q.owned("MessageStructure"),
        attributes: q.message_attributes("MessageAttributes")?,
        message_deduplication_id: q.owned("MessageDeduplicationId"),
        message_group_id: q.owned("MessageGroupId"),
    };
    let message_id = sns.publish(request).await?;
    let mut x = Xml::default();
    x.leaf("MessageId", &message_id);
    Ok(Some(x))
}

pub(super) async fn publish_batch(sns: &Sns, q: &Form) -> Answer {
    let topic_arn = q.required("TopicArn")?;
    let mut entries = Vec::new();
    for e in q.members("PublishBatchRequestEntries") {
        entries.push(BatchEntry {
            id: e.owned("Id").unwrap_or_default(),
            message: e.owned("Message"),
            subject: e.owned("Subject"),
            message_structure: e.owned("MessageStructure"),
            attributes: e
                .message_attributes("MessageAttributes")
                .map_err(SnsApiError::from)?,
            message_deduplication_id: e.owned("MessageDeduplicationId"),
            message_group_id: e.owned("MessageGroupId"),
        });
    }
    let outcome = sns.publish_batch(topic_arn, entries).await?;
    let mut x = Xml::default();
    x.open("Successful");
    for (id, message_id) in &outcome.successful {
        x.open("member")
            .leaf("Id", id)
            .leaf("MessageId", message_id)
            .close("member");
    }
    x.close("Successful").open("Failed");
    for f in &outcome.failed {
        x.open("member")
            .leaf("Id", &f.id)
            .leaf("Code", f.code)
            .leaf("Message", &f.message)
            .leaf("SenderFault", if f.sender_fault { "true" } else { "false" })
            .close("member");
    }
    x.close("Failed");
    Ok(Some(x))
}
