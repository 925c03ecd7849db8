//! Applying an update expression to an item. Every action reads the item as it was before the
//! update (the developer guide: actions are not applied one after another), and either every
//! action applies or none does. The item's size and its key attributes are the caller's to
//! check, as they depend on the table.

use std::collections::BTreeSet;

use super::ast::{SetOperand, SetValue, Update};
use super::condition::value;
use super::document;
use super::error::ExprError;
use super::placeholders::Values;
use crate::value::{AttributeValue, Item};

/// Applies `update` to `item` (an empty item when none exists yet).
pub fn apply_update(update: &Update, item: &mut Item, values: &Values) -> Result<(), ExprError> {
    let before: &Item = item;
    let mut sets = update
        .set
        .iter()
        .map(|action| Ok((&action.path, set_value(&action.value, before, values)?)))
        .collect::<Result<Vec<_>, ExprError>>()?;
    let mut after = before.clone();
    // Several appends to one list land in the order of their indexes.
    sets.sort_by(|a, b| a.0.cmp(b.0));
    for (path, value) in sets {
        document::slot(&mut after, path)?.set(value);
    }
    // Highest indexes first, so each removal finds the element its index named.
    let mut removes: Vec<_> = update.remove.iter().collect();
    removes.sort_by(|a, b| b.cmp(a));
    for path in removes {
        document::slot(&mut after, path)?.remove();
    }
    for (path, name) in &update.add {
        let slot = document::slot(&mut after, path)?;
        let added = match (slot.get(), value(values, name)?) {
            (None, v) => v.clone(),
            (Some(AttributeValue::N(a)), AttributeValue::N(b)) => {
                AttributeValue::N(a.checked_add(b)?)
            }
            (Some(existing), v) => union(existing, v).ok_or(ExprError::IncorrectDataType)?,
        };
        slot.set(added);
    }
    for (path, name) in &update.delete {
        let slot = document::slot(&mut after, path)?;
        let Some(existing) = slot.get() else {
            continue;
        };
        match difference(existing, value(values, name)?) {
            Some(Some(rest)) => slot.set(rest),
            // DynamoDB has no empty sets: deleting the last element removes the attribute.
            Some(None) => slot.remove(),
            None => return Err(ExprError::IncorrectDataType),
        }
    }
    *item = after;
    Ok(())
}

fn set_value(value: &SetValue, item: &Item, values: &Values) -> Result<AttributeValue, ExprError> {
    let numbers = |l: &SetOperand, r: &SetOperand| match (
        set_operand(l, item, values)?,
        set_operand(r, item, values)?,
    ) {
        (AttributeValue::N(a), AttributeValue::N(b)) => Ok((a, b)),
        _ => Err(ExprError::IncorrectDataType),
    };
    Ok(match value {
        SetValue::Operand(o) => set_operand(o, item, values)?,
        SetValue::Plus(l, r) => {
            let (a, b) = numbers(l, r)?;
            AttributeValue::N(a.checked_add(&b)?)
        }
        SetValue::Minus(l, r) => {
            let (a, b) = numbers(l, r)?;
            AttributeValue::N(a.checked_sub(&b)?)
        }
    })
}

fn set_operand(
    operand: &SetOperand,
    item: &Item,
    values: &Values,
) -> Result<AttributeValue, ExprError> {
    Ok(match operand {
        SetOperand::Path(path) => document::get(item, path)
            .ok_or(ExprError::MissingAttribute)?
            .clone(),
        SetOperand::Value(name) => value(values, name)?.clone(),
        SetOperand::IfNotExists(path, fallback) => match document::get(item, path) {
            Some(existing) => existing.clone(),
            None => set_operand(fallback, item, values)?,
        },
        SetOperand::ListAppend(a, b) => {
            match (set_operand(a, item, values)?, set_operand(b, item, values)?) {
                (AttributeValue::L(mut a), AttributeValue::L(b)) => {
                    a.extend(b);
                    AttributeValue::L(a)
                }
                _ => return Err(ExprError::IncorrectDataType),
            }
        }
    })
}

/// Two sets of one type joined; `None` for any other pair.
fn union(a: &AttributeValue, b: &AttributeValue) -> Option<AttributeValue> {
    fn join<T: Ord + Clone>(a: &BTreeSet<T>, b: &BTreeSet<T>) -> BTreeSet<T> {
        a.union(b).cloned().collect()
    }
    Some(match (a, b) {
        (AttributeValue::Ss(a), AttributeValue::Ss(b)) => AttributeValue::Ss(join(a, b)),
        (AttributeValue::Ns(a), AttributeValue::Ns(b)) => AttributeValue::Ns(join(a, b)),
        (AttributeValue::Bs(a), AttributeValue::Bs(b)) => AttributeValue::Bs(join(a, b)),
        _ => return None,
    })
}

/// `a` without the elements of `b`: `Some(None)` when nothing is left, `None` when the two
/// are not sets of one type.
fn difference(a: &AttributeValue, b: &AttributeValue) -> Option<Option<AttributeValue>> {
    fn minus<T: Ord + Clone>(
        a: &BTreeSet<T>,
        b: &BTreeSet<T>,
        wrap: fn(BTreeSet<T>) -> AttributeValue,
    ) -> Option<AttributeValue> {
        let rest: BTreeSet<T> = a.difference(b).cloned().collect();
        (!rest.is_empty()).then(|| wrap(rest))
    }
    Some(match (a, b) {
        (AttributeValue::Ss(a), AttributeValue::Ss(b)) => minus(a, b, AttributeValue::Ss),
        (AttributeValue::Ns(a), AttributeValue::Ns(b)) => minus(a, b, AttributeValue::Ns),
        (AttributeValue::Bs(a), AttributeValue::Bs(b)) => minus(a, b, AttributeValue::Bs),
        _ => return None,
    })
}
