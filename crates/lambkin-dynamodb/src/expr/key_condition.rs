//! What a Query's `KeyConditionExpression` asks of the key: one partition value, and at most
//! one condition on the sort key (`=`, `<`, `<=`, `>`, `>=`, `BETWEEN`, `begins_with`), joined
//! by `AND`. Anything else is refused with DynamoDB's messages, checked in its order: operators
//! first, then each condition's operands, then one condition per key, then the key schema.

use std::cmp::Ordering;

use super::ast::{Comparator, Condition, Operand, Path};
use super::condition::value;
use super::error::ExprError;
use super::placeholders::Values;
use crate::value::AttributeValue;

/// The key attributes of the table or index queried.
#[derive(Debug, Clone, Copy)]
pub struct KeySchema<'a> {
    pub partition_key: &'a str,
    pub sort_key: Option<&'a str>,
}

/// What a Query reads: the items of one partition, those of its sort keys that match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyCondition {
    pub partition: AttributeValue,
    pub sort: Option<SortKeyCondition>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortKeyCondition {
    Eq(AttributeValue),
    Lt(AttributeValue),
    Le(AttributeValue),
    Gt(AttributeValue),
    Ge(AttributeValue),
    Between(AttributeValue, AttributeValue),
    BeginsWith(AttributeValue),
}

impl SortKeyCondition {
    /// Whether a sort key value satisfies the condition.
    pub fn matches(&self, key: &AttributeValue) -> bool {
        let order = |v: &AttributeValue| key.compare(v);
        match self {
            SortKeyCondition::Eq(v) => order(v) == Some(Ordering::Equal),
            SortKeyCondition::Lt(v) => order(v) == Some(Ordering::Less),
            SortKeyCondition::Le(v) => matches!(order(v), Some(Ordering::Less | Ordering::Equal)),
            SortKeyCondition::Gt(v) => order(v) == Some(Ordering::Greater),
            SortKeyCondition::Ge(v) => {
                matches!(order(v), Some(Ordering::Greater | Ordering::Equal))
            }
            SortKeyCondition::Between(low, high) => {
                matches!(order(low), Some(Ordering::Greater | Ordering::Equal))
                    && matches!(order(high), Some(Ordering::Less | Ordering::Equal))
            }
            SortKeyCondition::BeginsWith(prefix) => match (key, prefix) {
                (AttributeValue::S(s), AttributeValue::S(p)) => s.starts_with(p.as_str()),
                (AttributeValue::B(b), AttributeValue::B(p)) => b.starts_with(p),
                _ => false,
            },
        }
    }
}

/// Reads a checked key condition against the key schema.
pub fn key_condition(
    condition: &Condition,
    schema: &KeySchema<'_>,
    values: &Values,
) -> Result<KeyCondition, ExprError> {
    check_operators(condition)?;
    let mut leaves = Vec::new();
    conjuncts(condition, &mut leaves);
    let mut parts: Vec<(String, SortKeyCondition)> = Vec::new();
    for leaf in leaves {
        parts.push(part(leaf, values)?);
    }
    for (i, (name, _)) in parts.iter().enumerate() {
        if parts[..i].iter().any(|(other, _)| other == name) {
            return Err(ExprError::KeyConditionPerKey);
        }
    }
    if parts.len() > 2 {
        return Err(ExprError::KeyConditionCount);
    }
    if schema.sort_key.is_none() && parts.len() == 2 {
        return Err(ExprError::KeyNotSupported);
    }
    let at = parts
        .iter()
        .position(|(name, _)| name == schema.partition_key)
        .ok_or_else(|| ExprError::KeyMissed(schema.partition_key.to_owned()))?;
    let (_, partition) = parts.remove(at);
    let SortKeyCondition::Eq(partition) = partition else {
        return Err(ExprError::KeyNotSupported);
    };
    let sort = match (parts.pop(), schema.sort_key) {
        (None, _) => None,
        (Some((name, sort)), Some(sort_key)) if name == sort_key => Some(sort),
        (Some(_), Some(sort_key)) => return Err(ExprError::KeyMissed(sort_key.to_owned())),
        (Some(_), None) => return Err(ExprError::KeyNotSupported),
    };
    Ok(KeyCondition { partition, sort })
}

/// Only `AND` and the key comparisons belong in a key condition.
fn check_operators(condition: &Condition) -> Result<(), ExprError> {
    let refused = match condition {
        Condition::And(l, r) => {
            check_operators(l)?;
            return check_operators(r);
        }
        Condition::Compare(_, Comparator::Ne, _) => "<>",
        Condition::Compare(..) | Condition::Between(..) | Condition::BeginsWith(..) => {
            return Ok(());
        }
        Condition::Or(..) => "OR",
        Condition::Not(..) => "NOT",
        Condition::In(..) => "IN",
        Condition::AttributeExists(_) => "attribute_exists",
        Condition::AttributeNotExists(_) => "attribute_not_exists",
        Condition::AttributeType(..) => "attribute_type",
        Condition::Contains(..) => "contains",
    };
    Err(ExprError::KeyOperator(refused))
}

fn conjuncts<'c>(condition: &'c Condition, out: &mut Vec<&'c Condition>) {
    match condition {
        Condition::And(l, r) => {
            conjuncts(l, out);
            conjuncts(r, out);
        }
        leaf => out.push(leaf),
    }
}

/// One comparison: the key attribute it names and what it asks of it.
fn part(leaf: &Condition, values: &Values) -> Result<(String, SortKeyCondition), ExprError> {
    let (operands, first_must_be_key): (Vec<&Operand>, Option<&'static str>) = match leaf {
        Condition::Compare(l, _, r) => (vec![l, r], None),
        Condition::Between(a, low, high) => (vec![a, low, high], Some("BETWEEN")),
        Condition::BeginsWith(a, prefix) => (vec![a, prefix], Some("begins_with")),
        _ => return Err(ExprError::KeyNotSupported),
    };
    if let Some(operator) = first_must_be_key
        && !matches!(operands[0], Operand::Path(_))
    {
        return Err(ExprError::KeyFirstOperand(operator));
    }
    // The first path met names the key; a second is one name too many.
    let mut key: Option<(usize, &Path)> = None;
    for (i, operand) in operands.iter().enumerate() {
        match operand {
            Operand::Size(_) => return Err(ExprError::KeyNestedOperation),
            Operand::Path(_) if key.is_some() => return Err(ExprError::KeyMultipleNames),
            Operand::Path(path) if !path.is_top_level() => {
                return Err(ExprError::KeyNestedAttribute);
            }
            Operand::Path(path) => key = Some((i, path)),
            Operand::Value(_) => {}
        }
    }
    let (at, path) = key.ok_or(ExprError::KeyNoAttribute)?;
    let value_of = |i: usize| match operands[i] {
        Operand::Value(name) => value(values, name).cloned(),
        _ => Err(ExprError::KeyMultipleNames),
    };
    let condition = match leaf {
        Condition::Compare(_, c, _) => {
            // `:v < key` is `key > :v`.
            let c = if at == 1 { flipped(*c) } else { *c };
            let v = value_of(1 - at)?;
            match c {
                Comparator::Eq => SortKeyCondition::Eq(v),
                Comparator::Lt => SortKeyCondition::Lt(v),
                Comparator::Le => SortKeyCondition::Le(v),
                Comparator::Gt => SortKeyCondition::Gt(v),
                Comparator::Ge => SortKeyCondition::Ge(v),
                Comparator::Ne => return Err(ExprError::KeyOperator("<>")),
            }
        }
        Condition::Between(..) => SortKeyCondition::Between(value_of(1)?, value_of(2)?),
        _ => SortKeyCondition::BeginsWith(value_of(1)?),
    };
    Ok((path.head().to_owned(), condition))
}

fn flipped(c: Comparator) -> Comparator {
    match c {
        Comparator::Lt => Comparator::Gt,
        Comparator::Le => Comparator::Ge,
        Comparator::Gt => Comparator::Lt,
        Comparator::Ge => Comparator::Le,
        other => other,
    }
}
