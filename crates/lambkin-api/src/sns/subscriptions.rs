//! Subscription handlers: Subscribe, ConfirmSubscription, Unsubscribe,
//! ListSubscriptions(ByTopic) and Get/SetSubscriptionAttributes.

use lambkin_sns::{Listing, Sns, SubscriptionSummary};

use super::Answer;
use super::params::SnsParams;
use crate::query_protocol::Form;
use crate::query_protocol::Xml;

pub(super) async fn subscribe(sns: &Sns, q: &Form, service_url: &str) -> Answer {
    let arn = sns
        .subscribe(
            q.required("TopicArn")?,
            q.required("Protocol")?,
            q.get("Endpoint"),
            q.map("Attributes"),
            service_url,
        )
        .await?;
    let mut x = Xml::default();
    x.leaf("SubscriptionArn", &arn);
    Ok(Some(x))
}

pub(super) async fn confirm_subscription(sns: &Sns, q: &Form) -> Answer {
    let arn = sns
        .confirm_subscription(q.required("TopicArn")?, q.required("Token")?)
        .await?;
    let mut x = Xml::default();
    x.leaf("SubscriptionArn", &arn);
    Ok(Some(x))
}

pub(super) async fn unsubscribe(sns: &Sns, q: &Form) -> Answer {
    sns.unsubscribe(q.required("SubscriptionArn")?).await?;
    Ok(None)
}

pub(super) async fn list_subscriptions(sns: &Sns, q: &Form) -> Answer {
    let listing = sns.list_subscriptions(q.get("NextToken")).await?;
    Ok(Some(subscriptions_xml(&listing)))
}

pub(super) async fn list_subscriptions_by_topic(sns: &Sns, q: &Form) -> Answer {
    let listing = sns
        .list_subscriptions_by_topic(q.required("TopicArn")?, q.get("NextToken"))
        .await?;
    Ok(Some(subscriptions_xml(&listing)))
}

fn subscriptions_xml(listing: &Listing<SubscriptionSummary>) -> Xml {
    let mut x = Xml::default();
    x.open("Subscriptions");
    for s in &listing.items {
        x.open("member")
            .leaf("SubscriptionArn", &s.subscription_arn)
            .leaf("Owner", &s.owner)
            .leaf("Protocol", &s.protocol)
            .leaf("Endpoint", &s.endpoint)
            .leaf("TopicArn", &s.topic_arn)
            .close("member");
    }
    x.close("Subscriptions");
    if let Some(token) = &listing.next_token {
        x.leaf("NextToken", token);
    }
    x
}

pub(super) async fn get_subscription_attributes(sns: &Sns, q: &Form) -> Answer {
    let attributes = sns
        .get_subscription_attributes(q.required("SubscriptionArn")?)
        .await?;
    let mut x = Xml::default();
    x.map("Attributes", &attributes);
    Ok(Some(x))
}

pub(super) async fn set_subscription_attributes(sns: &Sns, q: &Form) -> Answer {
    sns.set_subscription_attributes(
        q.required("SubscriptionArn")?,
        q.required("AttributeName")?,
        q.owned("AttributeValue"),
    )
    .await?;
    Ok(None)
}
