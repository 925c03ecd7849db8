//! Event patterns: the one matching language of EventBridge rules, SNS subscription filter
//! policies and event source mapping `FilterCriteria`. Pure, no I/O.
//!
//! A pattern is a JSON object whose leaves are arrays of matchers. An event matches when every
//! field the pattern names matches one of that field's matchers; a field whose value in the
//! event is an array matches when any element does; `"$or": [pattern, …]` at any level matches
//! when one of its alternatives does. [`Pattern::parse`] checks a pattern as EventBridge checks
//! it (`InvalidEventPatternException`) and compiles it once; [`Pattern::matches`] walks the
//! compiled tree against an event, with no allocation per matcher.
//!
//! Written here rather than taken from `quamina` (the maintained Rust port of Tim Bray's
//! matcher): quamina has no `$or`, no `anything-but` with `prefix`/`suffix`/`wildcard`, and none
//! of EventBridge's validation errors, which callers must answer with.

mod matcher;
mod parse;

#[cfg(test)]
mod tests;

use serde_json::Value;

pub use matcher::Matcher;

/// Why a pattern is refused; the text follows EventBridge's `InvalidEventPatternException`
/// message, "Event pattern is not valid. Reason: …".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Event pattern is not valid. Reason: {0}")]
pub struct PatternError(pub String);

/// A checked, compiled pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    root: Node,
}

/// One object level of a pattern: its fields, and its `$or` groups (each a list of
/// alternatives, one of which must match).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Node {
    pub fields: Vec<(String, Field)>,
    pub ors: Vec<Vec<Node>>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Field {
    /// A nested object of the pattern.
    Object(Node),
    /// An array of matchers: one must match.
    Leaf(Vec<Matcher>),
}

impl Pattern {
    /// Parses and checks a pattern given as JSON text.
    pub fn parse(text: &str) -> Result<Pattern, PatternError> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| PatternError(format!("the pattern is not JSON: {e}")))?;
        Pattern::from_value(&value)
    }

    /// Checks and compiles a pattern already parsed as JSON.
    pub fn from_value(value: &Value) -> Result<Pattern, PatternError> {
        parse::pattern(value).map(|root| Pattern { root })
    }

    /// Whether `event` matches.
    pub fn matches(&self, event: &Value) -> bool {
        node_matches(&self.root, &[event])
    }
}

/// Whether the objects among `values` (one, or the elements of an array in the event) match
/// `node`: every field, and one alternative of every `$or`.
fn node_matches(node: &Node, values: &[&Value]) -> bool {
    node.fields
        .iter()
        .all(|(name, field)| field_matches(name, field, values))
        && node
            .ors
            .iter()
            .all(|alternatives| alternatives.iter().any(|alt| node_matches(alt, values)))
}

fn field_matches(name: &str, field: &Field, values: &[&Value]) -> bool {
    match field {
        Field::Object(node) => {
            let mut objects: Vec<&Value> = Vec::new();
            for_each_found(values, name, &mut |v| {
                if v.is_object() {
                    objects.push(v);
                }
                false
            });
            !objects.is_empty() && node_matches(node, &objects)
        }
        // Only leaf values (not objects) are matched, as EventBridge matches them; visited in
        // place, so matching allocates nothing.
        Field::Leaf(matchers) => matchers.iter().any(|m| match m {
            Matcher::Exists(wanted) => {
                for_each_found(values, name, &mut |v| !v.is_object()) == *wanted
            }
            m => for_each_found(values, name, &mut |v| !v.is_object() && m.matches_value(v)),
        }),
    }
}

/// Calls `f` on the values of field `name` of the objects among `values`, arrays flattened
/// (arrays within arrays too), until it answers true; whether it did.
fn for_each_found<'a>(
    values: &[&'a Value],
    name: &str,
    f: &mut impl FnMut(&'a Value) -> bool,
) -> bool {
    fn visit<'a>(value: &'a Value, f: &mut impl FnMut(&'a Value) -> bool) -> bool {
        match value {
            Value::Array(items) => items.iter().any(|i| visit(i, f)),
            other => f(other),
        }
    }
    values
        .iter()
        .filter_map(|v| v.as_object().and_then(|o| o.get(name)))
        .any(|child| visit(child, f))
}
