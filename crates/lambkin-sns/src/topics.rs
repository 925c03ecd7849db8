//! Topic operations: CreateTopic, DeleteTopic, ListTopics, Get/SetTopicAttributes, and the
//! tagging operations (topics are the only taggable SNS resource lambkin has).

use std::collections::BTreeMap;

use lambkin_store::TopicRecord;

use crate::arn::{parse_topic_arn, topic_arn, validate_topic_name};
use crate::validate::check_topic_attribute;
use crate::{Listing, PAGE_SIZE, Sns, SnsError, parse_token};

/// AWS allows 50 tags per resource.
const MAX_TAGS: usize = 50;

impl Sns {
    /// Creates the topic, or returns the ARN of the existing one (CreateTopic is idempotent
    /// unless the attributes differ).
    pub async fn create_topic(
        &self,
        name: &str,
        attributes: BTreeMap<String, String>,
        tags: BTreeMap<String, String>,
    ) -> Result<String, SnsError> {
        validate_topic_name(name)?;
        for (k, v) in &attributes {
            check_topic_attribute(k, v)?;
        }
        check_tags(&tags)?;
        let arn = topic_arn(&self.inner.scope, name);
        let record = TopicRecord {
            arn: arn.clone(),
            name: name.to_string(),
            attributes: attributes.clone(),
            tags,
            created_at: self.inner.clock.now(),
        };
        let stored = self.inner.store.create_topic(record).await?;
        let differs = attributes
            .iter()
            .any(|(k, v)| stored.attributes.get(k) != Some(v));
        if differs {
            return Err(SnsError::invalid(
                "Attributes Reason: Topic already exists with different attributes",
            ));
        }
        Ok(arn)
    }

    /// Deletes the topic and its subscriptions. Deleting a topic that does not exist succeeds,
    /// as on AWS.
    pub async fn delete_topic(&self, arn: &str) -> Result<(), SnsError> {
        parse_topic_arn(arn, "TopicArn")?;
        self.inner.store.delete_topic(arn).await?;
        Ok(())
    }

    pub async fn topic_exists(&self, topic_arn: &str) -> Result<bool, SnsError> {
        Ok(self.inner.store.topic(topic_arn).await?.is_some())
    }

    pub async fn list_topics(&self, next_token: Option<&str>) -> Result<Listing<String>, SnsError> {
        let page = self
            .inner
            .store
            .list_topics(parse_token(next_token)?, PAGE_SIZE)
            .await?;
        Ok(Listing {
            items: page.items.into_iter().map(|t| t.arn).collect(),
            next_token: page.next.map(|n| n.to_string()),
        })
    }

    /// The stored attributes plus the ones AWS computes (ARN, owner, default policy, counts).
    pub async fn get_topic_attributes(
        &self,
        arn: &str,
    ) -> Result<BTreeMap<String, String>, SnsError> {
        let topic = self.topic(arn).await?;
        let confirmed = self.inner.store.subscription_count(arn).await?;
        let account = &self.inner.scope.account;
        let mut attributes = BTreeMap::from([
            ("TopicArn".to_string(), arn.to_string()),
            ("Owner".to_string(), account.clone()),
            ("DisplayName".to_string(), String::new()),
            ("Policy".to_string(), default_policy(arn, account)),
            ("SubscriptionsConfirmed".to_string(), confirmed.to_string()),
            ("SubscriptionsPending".to_string(), "0".to_string()),
            ("SubscriptionsDeleted".to_string(), "0".to_string()),
            (
                "EffectiveDeliveryPolicy".to_string(),
                DEFAULT_DELIVERY_POLICY.to_string(),
            ),
        ]);
        attributes.extend(topic.attributes);
        Ok(attributes)
    }

    pub async fn set_topic_attributes(
        &self,
        arn: &str,
        name: &str,
        value: Option<String>,
    ) -> Result<(), SnsError> {
        parse_topic_arn(arn, "TopicArn")?;
        check_topic_attribute(name, value.as_deref().unwrap_or_default())?;
        // An empty value removes the attribute, as AWS does for optional attributes.
        let value = value.filter(|v| !v.is_empty());
        if self
            .inner
            .store
            .set_topic_attribute(arn, name, value)
            .await?
        {
            Ok(())
        } else {
            Err(SnsError::topic_not_found())
        }
    }

    pub async fn tag_resource(
        &self,
        arn: &str,
        tags: BTreeMap<String, String>,
    ) -> Result<(), SnsError> {
        check_tags(&tags)?;
        let current = self.tagged_topic(arn).await?;
        let mut merged = current.tags;
        merged.extend(tags.clone());
        if merged.len() > MAX_TAGS {
            return Err(SnsError::invalid("Tags Reason: Too many tags"));
        }
        if self.inner.store.tag_topic(arn, tags).await? {
            Ok(())
        } else {
            Err(resource_not_found())
        }
    }

    pub async fn untag_resource(&self, arn: &str, keys: Vec<String>) -> Result<(), SnsError> {
        self.tagged_topic(arn).await?;
        if self.inner.store.untag_topic(arn, keys).await? {
            Ok(())
        } else {
            Err(resource_not_found())
        }
    }

    pub async fn list_tags_for_resource(
        &self,
        arn: &str,
    ) -> Result<BTreeMap<String, String>, SnsError> {
        Ok(self.tagged_topic(arn).await?.tags)
    }

    pub(crate) async fn topic(&self, arn: &str) -> Result<TopicRecord, SnsError> {
        parse_topic_arn(arn, "TopicArn")?;
        self.inner
            .store
            .topic(arn)
            .await?
            .ok_or_else(SnsError::topic_not_found)
    }

    /// The tagging operations answer `ResourceNotFound` rather than `NotFound`.
    async fn tagged_topic(&self, arn: &str) -> Result<TopicRecord, SnsError> {
        parse_topic_arn(arn, "ResourceArn")?;
        self.inner
            .store
            .topic(arn)
            .await?
            .ok_or_else(resource_not_found)
    }
}

fn resource_not_found() -> SnsError {
    SnsError::ResourceNotFound("Resource does not exist".to_string())
}

/// AWS: keys 1–128 characters, values up to 256, at most 50 tags.
fn check_tags(tags: &BTreeMap<String, String>) -> Result<(), SnsError> {
    if tags.len() > MAX_TAGS {
        return Err(SnsError::invalid("Tags Reason: Too many tags"));
    }
    for (k, v) in tags {
        if k.is_empty() || k.chars().count() > 128 {
            return Err(SnsError::invalid("Tags Reason: Tag key length"));
        }
        if v.chars().count() > 256 {
            return Err(SnsError::invalid("Tags Reason: Tag value length"));
        }
    }
    Ok(())
}

/// The `EffectiveDeliveryPolicy` AWS reports for a topic nobody configured.
const DEFAULT_DELIVERY_POLICY: &str = r#"{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}"#;

/// The access policy AWS gives a new topic: its owner may do everything.
fn default_policy(arn: &str, account: &str) -> String {
    serde_json::json!({
        "Version": "2008-10-17",
        "Id": "__default_policy_ID",
        "Statement": [{
            "Sid": "__default_statement_ID",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": [
                "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                "SNS:ListSubscriptionsByTopic", "SNS:Publish"
            ],
            "Resource": arn,
            "Condition": {"StringEquals": {"AWS:SourceOwner": account}}
        }]
    })
    .to_string()
}
