//! What a target receives: the whole event, a constant `Input`, the part of the event an
//! `InputPath` selects, or an `InputTransformer`'s template filled from the event. Pure, tested
//! from a table of the EventBridge user guide's examples.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::config::Target;

/// What the transformer's reserved variables stand for, besides the event.
pub(crate) struct Context<'a> {
    pub rule_arn: &'a str,
    pub rule_name: &'a str,
    /// `aws.events.event.ingestion-time`, as EventBridge writes event times.
    pub ingestion_time: &'a str,
}

/// A JSONPath as InputPath and InputPathsMap take it: `$`, then `.name` or `[index]` steps.
pub(crate) fn parse_path(path: &str) -> Option<Vec<Step>> {
    let mut rest = path.strip_prefix('$')?;
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let name = &r[..end];
            if name.is_empty() {
                return None;
            }
            steps.push(Step::Field(name.to_string()));
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let inner = &r[..end];
            let step = match inner.strip_prefix('\'').and_then(|i| i.strip_suffix('\'')) {
                Some(name) => Step::Field(name.to_string()),
                None => Step::Index(inner.parse().ok()?),
            };
            steps.push(step);
            rest = &r[end + 1..];
        } else {
            return None;
        }
    }
    Some(steps)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    Field(String),
    Index(usize),
}

fn select<'a>(event: &'a Value, steps: &[Step]) -> Option<&'a Value> {
    steps.iter().try_fold(event, |v, step| match step {
        Step::Field(name) => v.get(name),
        Step::Index(i) => v.get(*i),
    })
}

/// The payload a target gets for `event` (the envelope).
pub(crate) fn payload(target: &Target, event: &Value, ctx: &Context<'_>) -> String {
    if let Some(input) = &target.input {
        return input.clone();
    }
    if let Some(path) = &target.input_path {
        let selected = parse_path(path).and_then(|steps| select(event, &steps).cloned());
        return selected.unwrap_or(Value::Null).to_string();
    }
    if let Some(t) = &target.input_transformer {
        let empty = BTreeMap::new();
        let paths = t.input_paths_map.as_ref().unwrap_or(&empty);
        return fill(&t.input_template, paths, event, ctx);
    }
    event.to_string()
}

/// Fills an InputTransformer template. A `<name>` inside a JSON string literal becomes the
/// value's text (a string without its quotes, escaped for the string it sits in); outside one,
/// the value as JSON. A path that selects nothing gives `null` (an empty string in a string).
/// Anything in angle brackets that is not a variable stays as written.
pub(crate) fn fill(
    template: &str,
    paths: &BTreeMap<String, String>,
    event: &Value,
    ctx: &Context<'_>,
) -> String {
    let lookup = |name: &str| -> Option<Value> {
        match name {
            "aws.events.rule-arn" => Some(Value::String(ctx.rule_arn.into())),
            "aws.events.rule-name" => Some(Value::String(ctx.rule_name.into())),
            "aws.events.event.ingestion-time" => Some(Value::String(ctx.ingestion_time.into())),
            // The whole event; `.json` is the same inside a string (escaped) as outside.
            "aws.events.event" | "aws.events.event.json" => Some(event.clone()),
            _ => {
                let path = paths.get(name)?;
                Some(
                    parse_path(path)
                        .and_then(|steps| select(event, &steps).cloned())
                        .unwrap_or(Value::Null),
                )
            }
        }
    };
    let mut out = String::with_capacity(template.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = template;
    while let Some(c) = rest.chars().next() {
        if c == '<'
            && let Some(end) = rest.find('>')
            && let Some(value) = lookup(&rest[1..end])
        {
            if in_string {
                let text = match value {
                    Value::String(s) => s,
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                // Escaped as JSON string content: the quotes of `to_string` dropped.
                let quoted = Value::String(text).to_string();
                out.push_str(&quoted[1..quoted.len() - 1]);
            } else {
                out.push_str(&value.to_string());
            }
            rest = &rest[end + 1..];
            escaped = false;
            continue;
        }
        match c {
            '\\' if in_string && !escaped => {
                escaped = true;
                out.push(c);
                rest = &rest[1..];
                continue;
            }
            '"' if !escaped => in_string = !in_string,
            _ => {}
        }
        escaped = false;
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn event() -> Value {
        json!({
            "version": "0", "id": "7bf73129-1428-4cd3-a780-95db273d1602",
            "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
            "account": "123456789012", "time": "2015-11-11T21:29:54Z", "region": "us-east-1",
            "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
            "detail": {"instance-id": "i-0123456789", "state": "RUNNING", "n": 5,
                       "tags": ["a", "b"], "quote": "say \"hi\""}
        })
    }

    fn ctx() -> Context<'static> {
        Context {
            rule_arn: "arn:aws:events:us-east-1:123456789012:rule/r",
            rule_name: "r",
            ingestion_time: "2015-11-11T21:29:55Z",
        }
    }

    fn paths() -> BTreeMap<String, String> {
        [
            ("instance", "$.detail.instance-id"),
            ("state", "$.detail.state"),
            ("n", "$.detail.n"),
            ("tags", "$.detail.tags"),
            ("first", "$.resources[0]"),
            ("missing", "$.detail.nothing"),
            ("quote", "$.detail.quote"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    #[test]
    fn templates_table() {
        let cases: &[(&str, &str)] = &[
            // The user guide's examples: variables inside strings and as JSON values.
            (
                r#"{"instance": <instance>, "state": <state>}"#,
                r#"{"instance": "i-0123456789", "state": "RUNNING"}"#,
            ),
            (
                r#""instance <instance> is in <state>""#,
                r#""instance i-0123456789 is in RUNNING""#,
            ),
            (
                r#"{"text": "<instance> is <state>", "count": <n>}"#,
                r#"{"text": "i-0123456789 is RUNNING", "count": 5}"#,
            ),
            (r#"{"tags": <tags>}"#, r#"{"tags": ["a","b"]}"#),
            (
                r#"{"r": "<first>"}"#,
                r#"{"r": "arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"}"#,
            ),
            (
                r#"{"m": <missing>, "s": "<missing>"}"#,
                r#"{"m": null, "s": ""}"#,
            ),
            (r#"{"q": "<quote>"}"#, r#"{"q": "say \"hi\""}"#),
            (r#"{"q": <quote>}"#, r#"{"q": "say \"hi\""}"#),
            (
                r#"{"rule": "<aws.events.rule-name>", "arn": <aws.events.rule-arn>}"#,
                r#"{"rule": "r", "arn": "arn:aws:events:us-east-1:123456789012:rule/r"}"#,
            ),
            (
                r#"{"at": "<aws.events.event.ingestion-time>"}"#,
                r#"{"at": "2015-11-11T21:29:55Z"}"#,
            ),
            // Not a variable: left alone, as are escaped quotes in literal text.
            (
                r#"{"html": "<b>bold</b> \"<state>\""}"#,
                r#"{"html": "<b>bold</b> \"RUNNING\""}"#,
            ),
            ("plain <state> text", "plain \"RUNNING\" text"),
        ];
        for (template, want) in cases {
            assert_eq!(
                &fill(template, &paths(), &event(), &ctx()),
                want,
                "{template}"
            );
        }
    }

    #[test]
    fn whole_event_variable() {
        let got = fill("<aws.events.event>", &paths(), &event(), &ctx());
        assert_eq!(serde_json::from_str::<Value>(&got).expect("JSON"), event());
    }

    #[test]
    fn paths_table() {
        let cases: &[(&str, Option<Value>)] = &[
            ("$", Some(event())),
            ("$.detail.state", Some(json!("RUNNING"))),
            ("$.detail.tags[1]", Some(json!("b"))),
            ("$['detail']['n']", Some(json!(5))),
            ("$.detail.none", None),
        ];
        for (path, want) in cases {
            let steps = parse_path(path).expect(path);
            assert_eq!(select(&event(), &steps).cloned(), *want, "{path}");
        }
        for bad in ["", "detail", "$.", "$[x", "$..a"] {
            assert_eq!(parse_path(bad), None, "{bad}");
        }
    }
}
