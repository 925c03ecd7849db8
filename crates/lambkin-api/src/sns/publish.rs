//! Publish and PublishBatch handlers.

use lambkin_model::validation::Violations;
use lambkin_sns::{BatchEntry, PublishRequest, Sns, SnsError};

use super::params::SnsParams;
use super::{Answer, SnsApiError};
use crate::query_protocol::Form;
use crate::query_protocol::Xml;

/// `chain`: the caller's chain of invocations, which deliveries to functions continue.
pub(super) async fn publish(sns: &Sns, q: &Form, chain: u32) -> Answer {
    let request = PublishRequest {
        topic_arn: q.owned("TopicArn"),
        target_arn: q.owned("TargetArn"),
        phone_number: q.owned("PhoneNumber"),
        message: Some(q.required("Message")?.to_string()),
        subject: q.owned("Subject"),
        message_structure: q.owned("MessageStructure"),
        attributes: q.message_attributes("MessageAttributes", "messageAttributes")?,
        message_deduplication_id: q.owned("MessageDeduplicationId"),
        message_group_id: q.owned("MessageGroupId"),
        chain,
    };
    let message_id = sns.publish(request).await?;
    let mut x = Xml::default();
    x.leaf("MessageId", &message_id);
    Ok(Some(x))
}

pub(super) async fn publish_batch(sns: &Sns, q: &Form, chain: u32) -> Answer {
    let topic_arn = q.required("TopicArn")?;
    let mut entries = Vec::new();
    for (i, e) in q.members("PublishBatchRequestEntries").iter().enumerate() {
        let at = format!("publishBatchRequestEntries.{}.member", i + 1);
        // Id and Message are required members of an entry: AWS's ValidationError, as for any
        // missing member of a structure.
        let mut missing = Violations::default();
        for (name, member) in [("Id", "id"), ("Message", "message")] {
            if e.get(name).is_none() {
                missing.null(&format!("{at}.{member}"));
            }
        }
        SnsError::check(&missing)?;
        entries.push(BatchEntry {
            id: e.owned("Id").unwrap_or_default(),
            message: e.owned("Message"),
            subject: e.owned("Subject"),
            message_structure: e.owned("MessageStructure"),
            attributes: e
                .message_attributes("MessageAttributes", &format!("{at}.messageAttributes"))
                .map_err(SnsApiError::from)?,
            message_deduplication_id: e.owned("MessageDeduplicationId"),
            message_group_id: e.owned("MessageGroupId"),
        });
    }
    let outcome = sns.publish_batch(topic_arn, entries, chain).await?;
    let mut x = Xml::default();
    x.open("Successful");
    for (id, message_id) in &outcome.successful {
        x.open("member")
            .leaf("Id", id)
            .leaf("MessageId", message_id)
            .close("member");
    }
    // A batch is committed whole, so nothing is ever reported failed.
    x.close("Successful").open("Failed").close("Failed");
    Ok(Some(x))
}
