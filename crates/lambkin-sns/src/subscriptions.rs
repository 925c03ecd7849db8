//! Subscription operations: Subscribe, ConfirmSubscription, Unsubscribe,
//! ListSubscriptions(ByTopic) and Get/SetSubscriptionAttributes.
//!
//! Subscriptions to lambda, sqs and http(s) endpoints are confirmed at once: lambkin has no
//! confirmation handshake (AWS sends http(s) endpoints a `SubscriptionConfirmation` first;
//! lambkin does not, so an endpoint never sees one and `PendingConfirmation` is always false).
//! SQS and Lambda endpoints must be in lambkin's own region and account: it has no other to
//! deliver to.

use std::collections::BTreeMap;

use lambkin_store::{Subscribed, SubscriptionRecord};

use crate::arn::{new_subscription_arn, parse_subscription_arn, parse_topic_arn};
use crate::attributes::{AttributeCall, check_subscription_attribute};
use crate::validate::check_endpoint;
use crate::{Listing, PAGE_SIZE, Sns, SnsError, parse_token};

/// One row of ListSubscriptions(ByTopic).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionSummary {
    pub subscription_arn: String,
    pub owner: String,
    pub protocol: String,
    pub endpoint: String,
    pub topic_arn: String,
}

/// Whether a repeated Subscribe's attributes agree with the existing subscription's. AWS
/// compares only the attributes the request names, each against the subscription's value or,
/// if never set, its default (LocalStack #9167, validated against AWS): a request without
/// attributes always agrees, and `RawMessageDelivery=false` agrees with a subscription that
/// never set it.
fn agrees_with(existing: &BTreeMap<String, String>, requested: &BTreeMap<String, String>) -> bool {
    requested.iter().all(|(name, value)| {
        let current = existing
            .get(name)
            .map(String::as_str)
            .or_else(|| (name == "RawMessageDelivery").then_some("false"));
        current == Some(value.as_str())
    })
}

impl Sns {
    /// Subscribes `endpoint` to the topic and returns the subscription ARN. `service_url` is
    /// the base URL the caller reached lambkin through, used for `UnsubscribeURL`.
    pub async fn subscribe(
        &self,
        topic_arn: &str,
        protocol: &str,
        endpoint: Option<&str>,
        attributes: BTreeMap<String, String>,
        service_url: &str,
    ) -> Result<String, SnsError> {
        // AWS checks the topic exists before the protocol and endpoint; the store checks again
        // in the write that subscribes.
        self.topic(topic_arn).await?;
        let endpoint = check_endpoint(protocol, endpoint, &self.inner.scope)?;
        let mut checked = BTreeMap::new();
        for (name, value) in &attributes {
            if let Some(v) =
                check_subscription_attribute(AttributeCall::Create, protocol, name, value)?
            {
                checked.insert(name.clone(), v);
            }
        }
        let record = SubscriptionRecord {
            arn: new_subscription_arn(topic_arn),
            topic_arn: topic_arn.to_string(),
            protocol: protocol.to_string(),
            endpoint,
            attributes: checked.clone(),
            service_url: service_url.to_string(),
            created_at: self.inner.clock.now(),
        };
        match self.inner.store.subscribe(record).await? {
            Subscribed::Created(s) => Ok(s.arn),
            Subscribed::Existing(s) if agrees_with(&s.attributes, &checked) => Ok(s.arn),
            Subscribed::Existing(_) => Err(SnsError::invalid(
                "Attributes Reason: Subscription already exists with different attributes",
            )),
            Subscribed::TopicNotFound => Err(SnsError::topic_not_found()),
        }
    }

    /// Removes the subscription. Idempotent, as on AWS: a subscription that does not exist
    /// (never did, or already removed) is success; only a malformed ARN is an error.
    pub async fn unsubscribe(&self, subscription_arn: &str) -> Result<(), SnsError> {
        parse_subscription_arn(subscription_arn)?;
        self.inner.store.unsubscribe(subscription_arn).await?;
        Ok(())
    }

    pub async fn list_subscriptions(
        &self,
        next_token: Option<&str>,
    ) -> Result<Listing<SubscriptionSummary>, SnsError> {
        self.list(None, next_token).await
    }

    pub async fn list_subscriptions_by_topic(
        &self,
        topic_arn: &str,
        next_token: Option<&str>,
    ) -> Result<Listing<SubscriptionSummary>, SnsError> {
        self.topic(topic_arn).await?;
        self.list(Some(topic_arn.to_string()), next_token).await
    }

    async fn list(
        &self,
        topic_arn: Option<String>,
        next_token: Option<&str>,
    ) -> Result<Listing<SubscriptionSummary>, SnsError> {
        let page = self
            .inner
            .store
            .list_subscriptions(topic_arn, parse_token(next_token)?, PAGE_SIZE)
            .await?;
        Ok(Listing {
            items: page
                .items
                .into_iter()
                .map(|s| SubscriptionSummary {
                    subscription_arn: s.arn,
                    owner: self.inner.scope.account.clone(),
                    protocol: s.protocol,
                    endpoint: s.endpoint,
                    topic_arn: s.topic_arn,
                })
                .collect(),
            next_token: page.next.map(|n| n.to_string()),
        })
    }

    pub async fn get_subscription_attributes(
        &self,
        subscription_arn: &str,
    ) -> Result<BTreeMap<String, String>, SnsError> {
        let s = self.subscription(subscription_arn).await?;
        let mut attributes = BTreeMap::from([
            ("SubscriptionArn".to_string(), s.arn),
            ("TopicArn".to_string(), s.topic_arn),
            ("Owner".to_string(), self.inner.scope.account.clone()),
            ("Protocol".to_string(), s.protocol),
            ("Endpoint".to_string(), s.endpoint),
            (
                "ConfirmationWasAuthenticated".to_string(),
                "true".to_string(),
            ),
            ("PendingConfirmation".to_string(), "false".to_string()),
            ("RawMessageDelivery".to_string(), "false".to_string()),
            (
                "SubscriptionPrincipal".to_string(),
                subscription_principal(&self.inner.scope.account),
            ),
        ]);
        attributes.extend(s.attributes);
        // AWS reports FilterPolicyScope only with a FilterPolicy, defaulting to
        // MessageAttributes.
        if attributes.contains_key("FilterPolicy") {
            attributes
                .entry("FilterPolicyScope".to_string())
                .or_insert_with(|| "MessageAttributes".to_string());
        } else {
            attributes.remove("FilterPolicyScope");
        }
        Ok(attributes)
    }

    pub async fn set_subscription_attributes(
        &self,
        subscription_arn: &str,
        name: &str,
        value: Option<String>,
    ) -> Result<(), SnsError> {
        let s = self.subscription(subscription_arn).await?;
        let value = value.unwrap_or_default();
        // An empty policy removes it; every other attribute is checked as given (AWS refuses
        // an empty RawMessageDelivery or FilterPolicyScope).
        let checked = if value.is_empty()
            && matches!(name, "DeliveryPolicy" | "RedrivePolicy" | "FilterPolicy")
        {
            None
        } else {
            check_subscription_attribute(AttributeCall::Set, &s.protocol, name, &value)?
        };
        if self
            .inner
            .store
            .set_subscription_attribute(subscription_arn, name, checked)
            .await?
        {
            Ok(())
        } else {
            Err(SnsError::subscription_not_found())
        }
    }

    /// ConfirmSubscription. lambkin confirms every subscription at once and sends no
    /// `SubscriptionConfirmation`, so it hands out no tokens of AWS's kind. Instead a
    /// subscription's token is its id (the last part of its ARN) or its whole ARN: confirming one
    /// of the topic's subscriptions answers with its ARN, as AWS answers a repeated confirmation
    /// of a confirmed subscription. The topic ARN is checked first (`Invalid parameter: Topic`),
    /// then that the topic exists (`NotFound`); any other token gets AWS's answer for a token
    /// it does not know (`Invalid parameter: Token` for one of AWS's shape, 64 or more
    /// hexadecimal digits; `Invalid token` for anything else).
    pub async fn confirm_subscription(
        &self,
        topic_arn: &str,
        token: &str,
    ) -> Result<String, SnsError> {
        parse_topic_arn(topic_arn, "TopicArn", &self.inner.scope)
            .map_err(|_| SnsError::invalid("Topic"))?;
        if self.inner.store.topic(topic_arn).await?.is_none() {
            return Err(SnsError::topic_not_found());
        }
        let named = if token.starts_with("arn:") {
            token.to_string()
        } else {
            format!("{topic_arn}:{token}")
        };
        if parse_subscription_arn(&named).is_ok()
            && let Some(sub) = self.inner.store.subscription(&named).await?
            && sub.topic_arn == topic_arn
        {
            return Ok(sub.arn);
        }
        let token_shaped = token.len() >= 64 && token.bytes().all(|b| b.is_ascii_hexdigit());
        Err(if token_shaped {
            SnsError::invalid("Token")
        } else {
            SnsError::InvalidParameter("Invalid token".to_string())
        })
    }

    pub(crate) async fn subscription(
        &self,
        subscription_arn: &str,
    ) -> Result<SubscriptionRecord, SnsError> {
        parse_subscription_arn(subscription_arn)?;
        self.inner
            .store
            .subscription(subscription_arn)
            .await?
            .ok_or_else(SnsError::subscription_not_found)
    }
}

/// The `SubscriptionPrincipal` AWS reports: the IAM identity that subscribed. lambkin accepts
/// any credentials and knows no identities, so it names the account's root.
fn subscription_principal(account: &str) -> String {
    format!("arn:aws:iam::{account}:root")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_subscribe_attributes() {
        let map = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let raw = map(&[("RawMessageDelivery", "true")]);
        let raw_and_policy = map(&[("RawMessageDelivery", "true"), ("DeliveryPolicy", "{}")]);
        let cases = [
            (map(&[]), map(&[]), true),
            (raw.clone(), map(&[]), true),
            (raw_and_policy.clone(), raw.clone(), true),
            (raw.clone(), raw.clone(), true),
            (map(&[]), map(&[("RawMessageDelivery", "false")]), true),
            (map(&[]), raw.clone(), false),
            (raw.clone(), map(&[("RawMessageDelivery", "false")]), false),
            (raw.clone(), raw_and_policy.clone(), false),
            (
                map(&[("DeliveryPolicy", "{}")]),
                map(&[("DeliveryPolicy", "{\"a\":1}")]),
                false,
            ),
        ];
        for (existing, requested, want) in cases {
            assert_eq!(
                agrees_with(&existing, &requested),
                want,
                "{existing:?} vs {requested:?}"
            );
        }
    }
}
