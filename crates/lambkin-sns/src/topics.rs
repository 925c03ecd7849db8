//! Topic operations: CreateTopic, DeleteTopic, ListTopics, Get/SetTopicAttributes, and the
//! tagging operations (topics are the only taggable SNS resource lambkin has).

use std::collections::BTreeMap;

use lambkin_store::TopicRecord;

use crate::arn::{fifo_unsupported, parse_topic_arn, topic_arn, validate_topic_name};
use crate::attributes::{AttributeCall, check_topic_attribute};
use crate::tags::{check_tag_count, check_tag_keys, check_tag_list};
use crate::{Listing, PAGE_SIZE, Sns, SnsError, parse_token};

impl Sns {
    /// Creates the topic, or returns the ARN of the existing one (CreateTopic is idempotent
    /// unless the attributes or tags differ). `tags` are as sent, in order.
    pub async fn create_topic(
        &self,
        name: &str,
        mut attributes: BTreeMap<String, String>,
        tags: &[(String, String)],
    ) -> Result<String, SnsError> {
        let fifo = attributes
            .get("FifoTopic")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        match name.strip_suffix(".fifo") {
            // A FIFO topic's name is checked as AWS checks it, then refused: lambkin has none.
            Some(base) if fifo => {
                validate_topic_name(base)?;
                return Err(fifo_unsupported());
            }
            _ => validate_topic_name(name)?,
        }
        for (k, v) in &attributes {
            check_topic_attribute(AttributeCall::Create, k, v)?;
        }
        // AWS does not keep an explicit FifoTopic=false.
        attributes.remove("FifoTopic");
        let tags = check_tag_list(tags)?;
        check_tag_count(tags.len())?;
        let arn = topic_arn(&self.inner.scope, name);
        let record = TopicRecord {
            arn: arn.clone(),
            name: name.to_string(),
            attributes: attributes.clone(),
            tags: tags.clone(),
            created_at: self.inner.clock.now(),
        };
        let stored = self.inner.store.create_topic(record).await?;
        if attributes
            .iter()
            .any(|(k, v)| stored.attributes.get(k) != Some(v))
        {
            return Err(SnsError::invalid(
                "Attributes Reason: Topic already exists with different attributes",
            ));
        }
        if tags.iter().any(|(k, v)| stored.tags.get(k) != Some(v)) {
            return Err(SnsError::invalid(
                "Tags Reason: Topic already exists with different tags",
            ));
        }
        Ok(arn)
    }

    /// Deletes the topic and its subscriptions. Deleting a topic that does not exist succeeds,
    /// as on AWS.
    pub async fn delete_topic(&self, arn: &str) -> Result<(), SnsError> {
        parse_topic_arn(arn, "TopicArn", &self.inner.scope)?;
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
            ("Policy".to_string(), self.policy(&topic)),
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
        parse_topic_arn(arn, "TopicArn", &self.inner.scope)?;
        check_topic_attribute(
            AttributeCall::Set,
            name,
            value.as_deref().unwrap_or_default(),
        )?;
        // An empty value removes the attribute, as AWS does for optional attributes.
        let value = value.filter(|v| !v.is_empty());
        // A policy write waits for an AddPermission/RemovePermission in progress, which would
        // otherwise overwrite it with the policy it read before.
        let _edit = if name == "Policy" {
            Some(self.inner.policy_edits.lock().await)
        } else {
            None
        };
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

    /// TagResource: `tags` as sent, in order.
    pub async fn tag_resource(&self, arn: &str, tags: &[(String, String)]) -> Result<(), SnsError> {
        let tags = check_tag_list(tags)?;
        let current = self.tagged_topic(arn).await?;
        let mut merged = current.tags;
        merged.extend(tags.clone());
        check_tag_count(merged.len())?;
        if self.inner.store.tag_topic(arn, tags).await? {
            Ok(())
        } else {
            Err(resource_not_found())
        }
    }

    pub async fn untag_resource(&self, arn: &str, keys: Vec<String>) -> Result<(), SnsError> {
        check_tag_keys(&keys)?;
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
        parse_topic_arn(arn, "TopicArn", &self.inner.scope)?;
        self.inner
            .store
            .topic(arn)
            .await?
            .ok_or_else(SnsError::topic_not_found)
    }

    /// The tagging operations answer `ResourceNotFound` rather than `NotFound`.
    async fn tagged_topic(&self, arn: &str) -> Result<TopicRecord, SnsError> {
        parse_topic_arn(arn, "ResourceArn", &self.inner.scope)?;
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

/// The `EffectiveDeliveryPolicy` AWS reports for a topic nobody configured.
const DEFAULT_DELIVERY_POLICY: &str = r#"{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}"#;
