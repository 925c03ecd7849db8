//! Document paths in an item: reading the value a path reaches, and the place a path names for
//! writing. A place exists when everything above it does and has the right kind (a map for a
//! key, a list for an index); otherwise DynamoDB refuses the update with "The document path
//! provided in the update expression is invalid for update".

use std::collections::BTreeMap;

use super::ast::{Path, PathElement};
use super::error::ExprError;
use crate::value::{AttributeValue, Item};

/// The value at `path`, if the item has one there.
pub(crate) fn get<'a>(item: &'a Item, path: &Path) -> Option<&'a AttributeValue> {
    let (first, rest) = path.0.split_first()?;
    let PathElement::Attribute(head) = first else {
        return None;
    };
    rest.iter()
        .try_fold(item.get(head)?, |value, element| child(value, element))
}

fn child<'a>(value: &'a AttributeValue, element: &PathElement) -> Option<&'a AttributeValue> {
    match (value, element) {
        (AttributeValue::M(map), PathElement::Attribute(key)) => map.get(key),
        (AttributeValue::L(list), PathElement::Index(i)) => list.get(*i),
        _ => None,
    }
}

fn child_mut<'a>(
    value: &'a mut AttributeValue,
    element: &PathElement,
) -> Option<&'a mut AttributeValue> {
    match (value, element) {
        (AttributeValue::M(map), PathElement::Attribute(key)) => map.get_mut(key),
        (AttributeValue::L(list), PathElement::Index(i)) => list.get_mut(*i),
        _ => None,
    }
}

/// The place a path names, inside its (existing) parent.
pub(crate) enum Slot<'a> {
    Top(&'a mut Item, String),
    Key(&'a mut BTreeMap<String, AttributeValue>, String),
    Index(&'a mut Vec<AttributeValue>, usize),
}

/// Finds the place `path` names, refusing a path whose parent is missing or of another kind.
pub(crate) fn slot<'a>(item: &'a mut Item, path: &Path) -> Result<Slot<'a>, ExprError> {
    let invalid = || ExprError::InvalidDocumentPath;
    let Some((last, above)) = path.0.split_last() else {
        return Err(invalid());
    };
    let Some((first, middle)) = above.split_first() else {
        let PathElement::Attribute(name) = last else {
            return Err(invalid());
        };
        return Ok(Slot::Top(item, name.clone()));
    };
    let PathElement::Attribute(head) = first else {
        return Err(invalid());
    };
    let mut parent = item.get_mut(head).ok_or_else(invalid)?;
    for element in middle {
        parent = child_mut(parent, element).ok_or_else(invalid)?;
    }
    match (parent, last) {
        (AttributeValue::M(map), PathElement::Attribute(key)) => Ok(Slot::Key(map, key.clone())),
        (AttributeValue::L(list), PathElement::Index(i)) => Ok(Slot::Index(list, *i)),
        _ => Err(invalid()),
    }
}

impl Slot<'_> {
    pub(crate) fn get(&self) -> Option<&AttributeValue> {
        match self {
            Slot::Top(item, name) => item.get(name),
            Slot::Key(map, key) => map.get(key),
            Slot::Index(list, i) => list.get(*i),
        }
    }

    /// Writes the value; an index past the end of a list appends, as DynamoDB's SET does.
    pub(crate) fn set(self, value: AttributeValue) {
        match self {
            Slot::Top(item, name) => {
                item.insert(name, value);
            }
            Slot::Key(map, key) => {
                map.insert(key, value);
            }
            Slot::Index(list, i) => match list.get_mut(i) {
                Some(existing) => *existing = value,
                None => list.push(value),
            },
        }
    }

    /// Removes the value if there is one; a list closes up behind a removed element.
    pub(crate) fn remove(self) {
        match self {
            Slot::Top(item, name) => {
                item.remove(&name);
            }
            Slot::Key(map, key) => {
                map.remove(&key);
            }
            Slot::Index(list, i) => {
                if i < list.len() {
                    list.remove(i);
                }
            }
        }
    }
}
