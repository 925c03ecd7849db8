//! Topic handlers: CreateTopic, DeleteTopic, ListTopics, Get/SetTopicAttributes, the
//! permission operations (AddPermission, RemovePermission) and the tagging operations
//! (TagResource, UntagResource, ListTagsForResource).

use lambkin_sns::{Sns, SnsError};

use super::params::SnsParams;
use super::{Answer, SnsApiError};
use crate::query_protocol::Form;
use crate::query_protocol::Xml;

pub(super) async fn create_topic(sns: &Sns, q: &Form) -> Answer {
    let name = q.required("Name")?;
    let arn = sns
        .create_topic(name, q.map("Attributes"), &q.tags("Tags"))
        .await
        .map_err(SnsApiError::from)?;
    let mut x = Xml::default();
    x.leaf("TopicArn", &arn);
    Ok(Some(x))
}

pub(super) async fn delete_topic(sns: &Sns, q: &Form) -> Answer {
    sns.delete_topic(q.required("TopicArn")?).await?;
    Ok(None)
}

pub(super) async fn list_topics(sns: &Sns, q: &Form) -> Answer {
    let listing = sns.list_topics(q.get("NextToken")).await?;
    let mut x = Xml::default();
    x.open("Topics");
    for arn in &listing.items {
        x.open("member").leaf("TopicArn", arn).close("member");
    }
    x.close("Topics");
    if let Some(token) = &listing.next_token {
        x.leaf("NextToken", token);
    }
    Ok(Some(x))
}

pub(super) async fn get_topic_attributes(sns: &Sns, q: &Form) -> Answer {
    let attributes = sns.get_topic_attributes(q.required("TopicArn")?).await?;
    let mut x = Xml::default();
    x.map("Attributes", &attributes);
    Ok(Some(x))
}

pub(super) async fn set_topic_attributes(sns: &Sns, q: &Form) -> Answer {
    sns.set_topic_attributes(
        q.required("TopicArn")?,
        q.required("AttributeName")?,
        q.owned("AttributeValue"),
    )
    .await?;
    Ok(None)
}

pub(super) async fn add_permission(sns: &Sns, q: &Form) -> Answer {
    sns.add_permission(
        q.required("TopicArn")?,
        q.required("Label")?,
        &q.required_list("AWSAccountId")?,
        &q.required_list("ActionName")?,
    )
    .await?;
    Ok(None)
}

pub(super) async fn remove_permission(sns: &Sns, q: &Form) -> Answer {
    sns.remove_permission(q.required("TopicArn")?, q.required("Label")?)
        .await?;
    Ok(None)
}

pub(super) async fn tag_resource(sns: &Sns, q: &Form) -> Answer {
    let arn = q.required("ResourceArn")?;
    let tags = q.tags("Tags");
    if tags.is_empty() {
        return Err(SnsError::invalid("Tags Reason: no value for required parameter").into());
    }
    sns.tag_resource(arn, &tags).await?;
    Ok(Some(Xml::default()))
}

pub(super) async fn untag_resource(sns: &Sns, q: &Form) -> Answer {
    sns.untag_resource(q.required("ResourceArn")?, q.required_list("TagKeys")?)
        .await?;
    Ok(Some(Xml::default()))
}

pub(super) async fn list_tags_for_resource(sns: &Sns, q: &Form) -> Answer {
    let tags = sns
        .list_tags_for_resource(q.required("ResourceArn")?)
        .await?;
    let mut x = Xml::default();
    x.open("Tags");
    for (k, v) in &tags {
        x.open("member")
            .leaf("Key", k)
            .leaf("Value", v)
            .close("member");
    }
    x.close("Tags");
    Ok(Some(x))
}
