//! Evaluating a condition over an item, as the developer guide's "Comparison operator and
//! function reference" defines each operator and function. A missing attribute makes a
//! comparison false (and `<>` true), and a function on it false; values of different types are
//! never equal, and only strings, numbers and binaries are ordered.

use std::borrow::Cow;
use std::cmp::Ordering;

use super::ast::{Comparator, Condition, Operand};
use super::document;
use super::error::ExprError;
use super::placeholders::Values;
use crate::value::{AttributeType, AttributeValue, Item, Number};

/// Whether `item` satisfies `condition`; `values` are the request's
/// `ExpressionAttributeValues` the condition was checked against. An absent item is an empty
/// one: every attribute is missing.
pub fn evaluate_condition(
    condition: &Condition,
    item: &Item,
    values: &Values,
) -> Result<bool, ExprError> {
    let eval = |c: &Condition| evaluate_condition(c, item, values);
    let operand = |o: &Operand| operand(o, item, values);
    Ok(match condition {
        Condition::And(l, r) => eval(l)? && eval(r)?,
        Condition::Or(l, r) => eval(l)? || eval(r)?,
        Condition::Not(c) => !eval(c)?,
        Condition::Compare(l, c, r) => compare(operand(l)?.as_deref(), *c, operand(r)?.as_deref()),
        Condition::Between(a, low, high) => match (operand(a)?, operand(low)?, operand(high)?) {
            (Some(a), Some(low), Some(high)) => {
                matches!(a.compare(&low), Some(Ordering::Greater | Ordering::Equal))
                    && matches!(a.compare(&high), Some(Ordering::Less | Ordering::Equal))
            }
            _ => false,
        },
        Condition::In(a, list) => match operand(a)? {
            Some(a) => {
                let mut found = false;
                for candidate in list {
                    if operand(candidate)?.as_deref() == Some(&*a) {
                        found = true;
                        break;
                    }
                }
                found
            }
            None => false,
        },
        Condition::AttributeExists(path) => document::get(item, path).is_some(),
        Condition::AttributeNotExists(path) => document::get(item, path).is_none(),
        Condition::AttributeType(path, ty) => {
            match (document::get(item, path), operand(ty)?.as_deref()) {
                (Some(value), Some(AttributeValue::S(code))) => {
                    AttributeType::from_code(code) == Some(value.attribute_type())
                }
                _ => false,
            }
        }
        Condition::BeginsWith(a, prefix) => {
            match (operand(a)?.as_deref(), operand(prefix)?.as_deref()) {
                (Some(AttributeValue::S(s)), Some(AttributeValue::S(p))) => {
                    s.starts_with(p.as_str())
                }
                (Some(AttributeValue::B(b)), Some(AttributeValue::B(p))) => b.starts_with(p),
                _ => false,
            }
        }
        Condition::Contains(a, b) => match (operand(a)?.as_deref(), operand(b)?.as_deref()) {
            (Some(a), Some(b)) => contains(a, b),
            _ => false,
        },
    })
}

fn compare(l: Option<&AttributeValue>, c: Comparator, r: Option<&AttributeValue>) -> bool {
    let (Some(l), Some(r)) = (l, r) else {
        // A missing attribute equals nothing, so it is unequal to everything.
        return c == Comparator::Ne;
    };
    match c {
        Comparator::Eq => l == r,
        Comparator::Ne => l != r,
        Comparator::Lt => l.compare(r) == Some(Ordering::Less),
        Comparator::Le => matches!(l.compare(r), Some(Ordering::Less | Ordering::Equal)),
        Comparator::Gt => l.compare(r) == Some(Ordering::Greater),
        Comparator::Ge => matches!(l.compare(r), Some(Ordering::Greater | Ordering::Equal)),
    }
}

/// `contains(a, b)`: a substring of a string, a subsequence of bytes of a binary, a member of a
/// set (of `b`'s type), or an element of a list.
fn contains(a: &AttributeValue, b: &AttributeValue) -> bool {
    match (a, b) {
        (AttributeValue::S(s), AttributeValue::S(part)) => s.contains(part.as_str()),
        (AttributeValue::B(bytes), AttributeValue::B(part)) => {
            part.is_empty() || bytes.windows(part.len()).any(|w| w == part.as_slice())
        }
        (AttributeValue::Ss(set), AttributeValue::S(s)) => set.contains(s),
        (AttributeValue::Ns(set), AttributeValue::N(n)) => set.contains(n),
        (AttributeValue::Bs(set), AttributeValue::B(b)) => set.contains(b),
        (AttributeValue::L(list), b) => list.contains(b),
        _ => false,
    }
}

/// An operand's value, `None` when it reads a missing attribute (or the size of something
/// that has none).
fn operand<'a>(
    operand: &Operand,
    item: &'a Item,
    values: &'a Values,
) -> Result<Option<Cow<'a, AttributeValue>>, ExprError> {
    Ok(match operand {
        Operand::Path(path) => document::get(item, path).map(Cow::Borrowed),
        Operand::Value(name) => Some(Cow::Borrowed(value(values, name)?)),
        Operand::Size(inner) => self::operand(inner, item, values)?
            .and_then(|v| size(&v))
            .map(|n| Cow::Owned(AttributeValue::N(Number::from(n as i64)))),
    })
}

pub(crate) fn value<'a>(values: &'a Values, name: &str) -> Result<&'a AttributeValue, ExprError> {
    values.get(name).ok_or_else(|| {
        ExprError::invalid(
            super::error::ExprKind::Condition,
            super::error::Reason::UndefinedValue(name.to_owned()),
        )
    })
}

/// `size`: a string's length in characters, a binary's in bytes, a set's, list's or map's in
/// elements; nothing for other types.
fn size(value: &AttributeValue) -> Option<usize> {
    Some(match value {
        AttributeValue::S(s) => s.chars().count(),
        AttributeValue::B(b) => b.len(),
        AttributeValue::Ss(set) => set.len(),
        AttributeValue::Ns(set) => set.len(),
        AttributeValue::Bs(set) => set.len(),
        AttributeValue::L(list) => list.len(),
        AttributeValue::M(map) => map.len(),
        AttributeValue::N(_) | AttributeValue::Bool(_) | AttributeValue::Null => return None,
    })
}
