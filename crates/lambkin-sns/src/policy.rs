//! A topic's access policy (the `Policy` attribute): the default AWS gives a new topic, and
//! AddPermission/RemovePermission, which add and remove one statement of it (by its `Sid`,
//! the request's `Label`) as AWS does. The policy is stored and reported, never enforced:
//! lambkin accepts any credentials.

use lambkin_store::TopicRecord;
use serde_json::{Value, json};

use crate::{Sns, SnsError};

/// The actions a topic policy statement may grant (AWS answers anything else with "Policy
/// statement action out of service scope!").
const TOPIC_ACTIONS: [&str; 9] = [
    "GetTopicAttributes",
    "SetTopicAttributes",
    "AddPermission",
    "RemovePermission",
    "DeleteTopic",
    "Subscribe",
    "ListSubscriptionsByTopic",
    "Publish",
    "Receive",
];

/// The access policy AWS gives a new topic: its owner may do everything.
pub(crate) fn default_policy(arn: &str, account: &str) -> String {
    json!({
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

/// One value, or a list of several, as AWS writes `Principal.AWS` and `Action`.
fn one_or_many(mut items: Vec<String>) -> Value {
    if items.len() == 1 {
        Value::String(items.remove(0))
    } else {
        Value::from(items)
    }
}

/// The policy's statements, taken out to edit (put back with `Statement`); read leniently: a
/// stored policy without a `Statement` list starts an empty one.
fn take_statements(policy: &mut serde_json::Map<String, Value>) -> Vec<Value> {
    match policy.remove("Statement") {
        Some(Value::Array(list)) => list,
        _ => Vec::new(),
    }
}

fn sid(statement: &Value) -> Option<&str> {
    statement.get("Sid").and_then(Value::as_str)
}

/// Adds the statement `label` granting `actions` to `accounts` on `topic_arn`.
pub(crate) fn add_statement(
    policy: &str,
    topic_arn: &str,
    label: &str,
    accounts: &[String],
    actions: &[String],
) -> Result<String, SnsError> {
    let mut policy: serde_json::Map<String, Value> =
        serde_json::from_str(policy).unwrap_or_default();
    let mut list = take_statements(&mut policy);
    if list.iter().any(|s| sid(s) == Some(label)) {
        return Err(SnsError::invalid("Statement already exists"));
    }
    if actions.iter().any(|a| !TOPIC_ACTIONS.contains(&a.as_str())) {
        return Err(SnsError::invalid(
            "Policy statement action out of service scope!",
        ));
    }
    let principals = accounts
        .iter()
        .map(|a| {
            if a.starts_with("arn:") {
                a.clone()
            } else {
                format!("arn:aws:iam::{a}:root")
            }
        })
        .collect();
    list.push(json!({
        "Sid": label,
        "Effect": "Allow",
        "Principal": {"AWS": one_or_many(principals)},
        "Action": one_or_many(actions.iter().map(|a| format!("SNS:{a}")).collect()),
        "Resource": topic_arn,
    }));
    policy.insert("Statement".into(), Value::Array(list));
    Ok(Value::Object(policy).to_string())
}

/// Removes the statement `label`; `None` if there is none (nothing to change).
pub(crate) fn remove_statement(policy: &str, label: &str) -> Option<String> {
    let mut policy: serde_json::Map<String, Value> = serde_json::from_str(policy).ok()?;
    let mut list = take_statements(&mut policy);
    let before = list.len();
    list.retain(|s| sid(s) != Some(label));
    let changed = list.len() != before;
    policy.insert("Statement".into(), Value::Array(list));
    changed.then(|| Value::Object(policy).to_string())
}

impl Sns {
    /// AddPermission: adds a statement to the topic's policy (the default one if none was set).
    pub async fn add_permission(
        &self,
        topic_arn: &str,
        label: &str,
        accounts: &[String],
        actions: &[String],
    ) -> Result<(), SnsError> {
        // One policy edit at a time (SetTopicAttributes `Policy` included), so concurrent
        // edits of one policy all land.
        let _edit = self.inner.policy_edits.lock().await;
        let topic = self.topic(topic_arn).await?;
        let policy = add_statement(&self.policy(&topic), topic_arn, label, accounts, actions)?;
        self.store_policy(topic_arn, policy).await
    }

    /// RemovePermission: removes the statement `label` from the topic's policy. A label the
    /// policy does not have changes nothing and succeeds.
    pub async fn remove_permission(&self, topic_arn: &str, label: &str) -> Result<(), SnsError> {
        let _edit = self.inner.policy_edits.lock().await;
        let topic = self.topic(topic_arn).await?;
        match remove_statement(&self.policy(&topic), label) {
            Some(policy) => self.store_policy(topic_arn, policy).await,
            None => Ok(()),
        }
    }

    /// The topic's policy as GetTopicAttributes reports it.
    pub(crate) fn policy(&self, topic: &TopicRecord) -> String {
        topic
            .attributes
            .get("Policy")
            .cloned()
            .unwrap_or_else(|| default_policy(&topic.arn, &self.inner.scope.account))
    }

    async fn store_policy(&self, topic_arn: &str, policy: String) -> Result<(), SnsError> {
        if self
            .inner
            .store
            .set_topic_attribute(topic_arn, "Policy", Some(policy))
            .await?
        {
            Ok(())
        } else {
            Err(SnsError::topic_not_found())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOPIC: &str = "arn:aws:sns:us-east-1:000000000000:t";

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn statements_are_added_and_removed_by_label() {
        let base = default_policy(TOPIC, "000000000000");
        let one = add_statement(
            &base,
            TOPIC,
            "test",
            &strings(&["111111111111"]),
            &strings(&["Publish"]),
        )
        .unwrap_or_default();
        let parsed: Value = serde_json::from_str(&one).unwrap_or_default();
        assert_eq!(
            parsed["Statement"][1],
            json!({
                "Sid": "test",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
                "Action": "SNS:Publish",
                "Resource": TOPIC,
            })
        );
        let two = add_statement(
            &one,
            TOPIC,
            "multi",
            &strings(&["1", "2"]),
            &strings(&["Publish", "Subscribe"]),
        )
        .unwrap_or_default();
        let parsed: Value = serde_json::from_str(&two).unwrap_or_default();
        assert_eq!(
            parsed["Statement"][2]["Action"],
            json!(["SNS:Publish", "SNS:Subscribe"])
        );
        assert_eq!(
            parsed["Statement"][2]["Principal"]["AWS"],
            json!(["arn:aws:iam::1:root", "arn:aws:iam::2:root"])
        );
        let err = |r: Result<String, SnsError>| r.err().map(|e| e.to_string());
        assert_eq!(
            err(add_statement(
                &one,
                TOPIC,
                "test",
                &strings(&["1"]),
                &strings(&["AddPermission"])
            )),
            Some("Invalid parameter: Statement already exists".into())
        );
        assert_eq!(
            err(add_statement(
                &one,
                TOPIC,
                "t2",
                &strings(&["1"]),
                &strings(&["InvalidAction"])
            )),
            Some("Invalid parameter: Policy statement action out of service scope!".into())
        );
        let removed = remove_statement(&two, "test").unwrap_or_default();
        let removed = remove_statement(&removed, "multi").unwrap_or_default();
        assert_eq!(
            serde_json::from_str::<Value>(&removed).unwrap_or_default(),
            serde_json::from_str::<Value>(&base).unwrap_or_default()
        );
        assert_eq!(remove_statement(&base, "absent"), None);
    }
}
