//! Checking and compiling a pattern. The reasons follow EventBridge's (Event Ruler's) wording
//! where it is known; where it is not, they say plainly what is wrong.

use std::net::IpAddr;

use serde_json::{Map, Value};

use crate::matcher::{AnythingBut, Matcher, Wildcard};
use crate::{Field, Node, PatternError};

/// EventBridge's numeric matching range.
const NUMERIC_LIMIT: f64 = 5.0e9;

fn invalid(reason: impl Into<String>) -> PatternError {
    PatternError(reason.into())
}

pub(crate) fn pattern(value: &Value) -> Result<Node, PatternError> {
    match value {
        Value::Object(map) => node(map),
        _ => Err(invalid("Filter is not an object")),
    }
}

fn node(map: &Map<String, Value>) -> Result<Node, PatternError> {
    let mut out = Node::default();
    for (key, value) in map {
        if key == "$or" {
            out.ors.push(or_group(value)?);
            continue;
        }
        let field = match value {
            Value::Object(inner) => Field::Object(node(inner)?),
            Value::Array(items) => Field::Leaf(leaf(key, items)?),
            _ => {
                return Err(invalid(format!("\"{key}\" must be an object or an array")));
            }
        };
        out.fields.push((key.clone(), field));
    }
    // Leaves first: they are cheap and usually decide (a rule's `source`), before nested
    // objects are searched.
    out.fields
        .sort_by_key(|(_, field)| matches!(field, Field::Object(_)));
    Ok(out)
}

fn or_group(value: &Value) -> Result<Vec<Node>, PatternError> {
    let alternatives = value
        .as_array()
        .filter(|a| a.len() >= 2)
        .ok_or_else(|| invalid("\"$or\" must be an array of at least two patterns"))?;
    alternatives
        .iter()
        .map(|alt| match alt {
            Value::Object(map) => node(map),
            _ => Err(invalid("\"$or\" must be an array of at least two patterns")),
        })
        .collect()
}

fn leaf(key: &str, items: &[Value]) -> Result<Vec<Matcher>, PatternError> {
    if items.is_empty() {
        return Err(invalid(format!("Empty arrays are not allowed (\"{key}\")")));
    }
    items
        .iter()
        .map(|item| match item {
            Value::Object(m) => matcher(m),
            Value::Array(_) => Err(invalid(format!(
                "Match value must be String, number, true, false, or null (\"{key}\" holds an array)"
            ))),
            literal => Ok(Matcher::Exact(literal.clone())),
        })
        .collect()
}

fn string<'a>(value: &'a Value, what: &str) -> Result<&'a str, PatternError> {
    value
        .as_str()
        .ok_or_else(|| invalid(format!("{what} match pattern must be a string")))
}

fn matcher(m: &Map<String, Value>) -> Result<Matcher, PatternError> {
    let mut entries = m.iter();
    let (Some((kind, value)), None) = (entries.next(), entries.next()) else {
        return Err(invalid(
            "A match expression must be an object with exactly one field",
        ));
    };
    match kind.as_str() {
        "prefix" | "suffix" => {
            let (text, ignore_case) = match value {
                Value::Object(inner) => match inner.get("equals-ignore-case") {
                    Some(v) if inner.len() == 1 => (string(v, kind)?, true),
                    _ => return Err(invalid(format!("{kind} match pattern must be a string"))),
                },
                other => (string(other, kind)?, false),
            };
            let value = text.to_string();
            Ok(if kind == "prefix" {
                Matcher::Prefix { value, ignore_case }
            } else {
                Matcher::Suffix { value, ignore_case }
            })
        }
        "equals-ignore-case" => Ok(Matcher::EqualsIgnoreCase(
            string(value, "equals-ignore-case")?.to_string(),
        )),
        "wildcard" => Ok(Matcher::Wildcard(wildcard(string(value, "wildcard")?)?)),
        "exists" => value
            .as_bool()
            .map(Matcher::Exists)
            .ok_or_else(|| invalid("exists match pattern must be either true or false.")),
        "numeric" => numeric(value),
        "cidr" => cidr(string(value, "cidr")?),
        "anything-but" => anything_but(value).map(Matcher::AnythingBut),
        other => Err(invalid(format!("Unrecognized match type {other}"))),
    }
}

/// Splits at unescaped `*`s; `\*` is a literal star and `\\` a backslash.
pub(crate) fn wildcard(text: &str) -> Result<Wildcard, PatternError> {
    let mut segments = vec![String::new()];
    let mut chars = text.chars().enumerate().peekable();
    let mut previous_star = false;
    while let Some((at, c)) = chars.next() {
        match c {
            '*' if previous_star => {
                return Err(invalid(format!(
                    "Consecutive wildcard characters at pos {at}"
                )));
            }
            '*' => {
                segments.push(String::new());
                previous_star = true;
                continue;
            }
            '\\' => match chars.next() {
                Some((_, escaped @ ('*' | '\\'))) => {
                    segments.last_mut().expect("one segment").push(escaped);
                }
                _ => return Err(invalid(format!("Invalid escape character at pos {at}"))),
            },
            c => segments.last_mut().expect("one segment").push(c),
        }
        previous_star = false;
    }
    Ok(Wildcard { segments })
}

fn numeric(value: &Value) -> Result<Matcher, PatternError> {
    let items = value
        .as_array()
        .filter(|a| !a.is_empty())
        .ok_or_else(|| invalid("Value of numeric must be an array."))?;
    let (mut lower, mut upper) = (None, None);
    let mut it = items.iter();
    while let Some(op) = it.next() {
        let op = op
            .as_str()
            .ok_or_else(|| invalid("Invalid member in numeric match: operator expected"))?;
        let n = it
            .next()
            .and_then(Value::as_f64)
            .ok_or_else(|| invalid(format!("Value of {op} must be numeric")))?;
        if !(-NUMERIC_LIMIT..=NUMERIC_LIMIT).contains(&n) {
            return Err(invalid(format!(
                "Value of {op} must be between -5.0E9 and 5.0E9 inclusive"
            )));
        }
        let (slot, bound) = match op {
            "=" => {
                if items.len() != 2 {
                    return Err(invalid(
                        "Invalid member in numeric match: = takes one value alone",
                    ));
                }
                lower = Some((n, true));
                upper = Some((n, true));
                continue;
            }
            ">" => (&mut lower, (n, false)),
            ">=" => (&mut lower, (n, true)),
            "<" => (&mut upper, (n, false)),
            "<=" => (&mut upper, (n, true)),
            other => {
                return Err(invalid(format!(
                    "Unrecognized numeric range operator: {other}"
                )));
            }
        };
        if slot.replace(bound).is_some() {
            return Err(invalid(format!(
                "Invalid member in numeric match: two bounds on one side ({op})"
            )));
        }
    }
    if let (Some((bottom, _)), Some((top, _))) = (lower, upper)
        && bottom > top
    {
        return Err(invalid("Bottom must be less than top"));
    }
    Ok(Matcher::Numeric { lower, upper })
}

fn cidr(text: &str) -> Result<Matcher, PatternError> {
    let nonstandard = || invalid(format!("Nonstandard IP address: {text}"));
    let (address, bits) = text.split_once('/').ok_or_else(nonstandard)?;
    let network: IpAddr = address.parse().map_err(|_| nonstandard())?;
    let bits: u8 = bits.parse().map_err(|_| nonstandard())?;
    let max = if network.is_ipv4() { 32 } else { 128 };
    if bits > max {
        return Err(nonstandard());
    }
    Ok(Matcher::Cidr { network, bits })
}

fn anything_but(value: &Value) -> Result<AnythingBut, PatternError> {
    let excludable = |v: &Value| v.is_string() || v.is_number();
    match value {
        v if excludable(v) => Ok(AnythingBut::Values(vec![v.clone()])),
        Value::Array(items) if !items.is_empty() && items.iter().all(excludable) => {
            Ok(AnythingBut::Values(items.clone()))
        }
        Value::Object(m) if m.len() == 1 => {
            let (kind, inner) = m.iter().next().expect("one entry");
            match kind.as_str() {
                "prefix" => Ok(AnythingBut::Prefix(string(inner, "prefix")?.to_string())),
                "suffix" => Ok(AnythingBut::Suffix(string(inner, "suffix")?.to_string())),
                "wildcard" => Ok(AnythingBut::Wildcard(wildcard(string(inner, "wildcard")?)?)),
                "equals-ignore-case" => {
                    let values: Option<Vec<String>> = match inner {
                        Value::String(s) => Some(vec![s.clone()]),
                        Value::Array(items) if !items.is_empty() => items
                            .iter()
                            .map(|i| i.as_str().map(str::to_string))
                            .collect(),
                        _ => None,
                    };
                    values.map(AnythingBut::IgnoreCase).ok_or_else(|| {
                        invalid("equals-ignore-case match pattern must be a string or an array of strings")
                    })
                }
                other => Err(invalid(format!(
                    "Unsupported anything-but pattern: {other}"
                ))),
            }
        }
        _ => Err(invalid(
            "Inside anything-but: a string, a number, an array of them, or one of prefix, suffix, wildcard, equals-ignore-case",
        )),
    }
}
