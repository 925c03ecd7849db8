//! Subscription filter policies, on the shared event-pattern engine (`lambkin-patterns`):
//! checked when set, applied when a delivery is rendered. With `FilterPolicyScope`
//! `MessageAttributes` (the default) the policy sees the message attributes as a JSON object
//! (`String` as a string, `Number` as a number, `String.Array` as its array; `Binary` is not
//! matchable, as on AWS); with `MessageBody` it sees the message, which must be a JSON object.

use lambkin_model::MessageAttributes;
use lambkin_patterns::Pattern;
use serde_json::{Map, Value};

use crate::message::StoredMessage;

/// The policy's compiled pattern, or its refusal reason.
pub(crate) fn compile(policy: &str) -> Result<Pattern, String> {
    Pattern::parse(policy).map_err(|e| e.0)
}

/// The message attributes as the policy sees them.
fn attributes_object(attributes: &MessageAttributes) -> Value {
    let mut out = Map::new();
    for (name, a) in attributes {
        let Some(text) = a.string_value.as_deref() else {
            continue;
        };
        let value = if a.data_type.starts_with("Number") {
            match serde_json::from_str::<serde_json::Number>(text.trim()) {
                Ok(n) => Value::Number(n),
                Err(_) => continue,
            }
        } else if a.data_type.starts_with("String.Array") {
            match serde_json::from_str::<Value>(text) {
                Ok(array @ Value::Array(_)) => array,
                _ => continue,
            }
        } else if a.data_type.starts_with("String") {
            Value::String(text.to_string())
        } else {
            continue;
        };
        out.insert(name.clone(), value);
    }
    Value::Object(out)
}

/// Whether a subscription with these attributes gets `message`.
pub(crate) fn passes(
    subscription: &std::collections::BTreeMap<String, String>,
    message: &StoredMessage,
) -> bool {
    let Some(policy) = subscription.get("FilterPolicy") else {
        return true;
    };
    // Checked when it was set; a policy that no longer compiles filters nothing out.
    let Ok(pattern) = compile(policy) else {
        return true;
    };
    match subscription.get("FilterPolicyScope").map(String::as_str) {
        Some("MessageBody") => serde_json::from_str::<Value>(&message.message)
            .ok()
            .filter(Value::is_object)
            .is_some_and(|body| pattern.matches(&body)),
        _ => pattern.matches(&attributes_object(&message.attributes)),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use lambkin_model::MessageAttribute;

    use super::*;

    fn message(body: &str, attributes: &[(&str, &str, &str)]) -> StoredMessage {
        StoredMessage {
            message_id: "m".into(),
            topic_arn: "arn:aws:sns:us-east-1:000000000000:t".into(),
            subject: None,
            message: body.into(),
            per_protocol: BTreeMap::new(),
            attributes: attributes
                .iter()
                .map(|(name, data_type, value)| {
                    (
                        name.to_string(),
                        MessageAttribute {
                            data_type: data_type.to_string(),
                            string_value: Some(value.to_string()),
                            binary_value: None,
                        },
                    )
                })
                .collect(),
            timestamp_ms: 0,
        }
    }

    fn subscription(policy: &str, scope: Option<&str>) -> BTreeMap<String, String> {
        let mut s = BTreeMap::from([("FilterPolicy".to_string(), policy.to_string())]);
        if let Some(scope) = scope {
            s.insert("FilterPolicyScope".into(), scope.into());
        }
        s
    }

    /// AWS's SNS filter policy examples: attributes by type, and the body scope.
    #[test]
    fn policies_filter_as_sns_filters() {
        let order = message(
            r#"{"customer_interests": ["basketball"], "price_usd": 210.75, "store": "example_corp"}"#,
            &[
                (
                    "customer_interests",
                    "String.Array",
                    r#"["soccer", "rugby", "hockey"]"#,
                ),
                ("store", "String", "example_corp"),
                ("encrypted", "String", "false"),
                ("price_usd", "Number", "210.75"),
                ("picture", "Binary", "x"),
            ],
        );
        let cases: &[(&str, Option<&str>, bool)] = &[
            (r#"{"store": ["example_corp"]}"#, None, true),
            (r#"{"store": ["other_corp"]}"#, None, false),
            (r#"{"customer_interests": ["rugby"]}"#, None, true),
            (r#"{"customer_interests": ["basketball"]}"#, None, false),
            (r#"{"price_usd": [{"numeric": [">=", 100]}]}"#, None, true),
            (r#"{"price_usd": [{"numeric": ["<", 100]}]}"#, None, false),
            (
                r#"{"store": [{"prefix": "example"}], "encrypted": ["false"]}"#,
                None,
                true,
            ),
            (r#"{"picture": [{"exists": true}]}"#, None, false),
            (r#"{"missing": [{"exists": false}]}"#, None, true),
            (
                r#"{"customer_interests": ["basketball"]}"#,
                Some("MessageBody"),
                true,
            ),
            (
                r#"{"price_usd": [{"numeric": [">", 200]}]}"#,
                Some("MessageBody"),
                true,
            ),
            (
                r#"{"store": ["example_corp"]}"#,
                Some("MessageAttributes"),
                true,
            ),
        ];
        for (policy, scope, want) in cases {
            assert_eq!(
                passes(&subscription(policy, *scope), &order),
                *want,
                "{policy} {scope:?}"
            );
        }
        assert!(passes(&BTreeMap::new(), &order), "no policy, everything");
        let text = message("not json", &[]);
        assert!(
            !passes(&subscription(r#"{"a": ["b"]}"#, Some("MessageBody")), &text),
            "a body that is not JSON matches no body policy"
        );
    }
}
