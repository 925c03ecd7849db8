//! One request's `ExpressionAttributeNames` and `ExpressionAttributeValues`, shared by its
//! expressions: their keys checked, each expression parsed against them, and, at the end, every
//! entry required to have been used, as DynamoDB requires.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::ast::{Condition, Projection, Update};
use super::error::{ExprError, ExprKind, Reason};
use super::resolve;
use crate::value::AttributeValue;

/// `ExpressionAttributeNames`: `#placeholder` to attribute name.
pub type Names = BTreeMap<String, String>;
/// `ExpressionAttributeValues`: `:placeholder` to value.
pub type Values = BTreeMap<String, AttributeValue>;

/// The expressions of one request and the placeholders they share.
#[derive(Debug)]
pub struct Expressions<'a> {
    names: &'a Names,
    values: &'a Values,
    used_names: BTreeSet<String>,
    used_values: BTreeSet<String>,
}

impl<'a> Expressions<'a> {
    /// Checks the placeholders' keys (`#` or `:` then letters, digits or `_`).
    pub fn new(names: &'a Names, values: &'a Values) -> Result<Expressions<'a>, ExprError> {
        if let Some(bad) = names.keys().find(|k| !is_placeholder(k, '#')) {
            return Err(ExprError::InvalidNameKey(bad.clone()));
        }
        if let Some(bad) = values.keys().find(|k| !is_placeholder(k, ':')) {
            return Err(ExprError::InvalidValueKey(bad.clone()));
        }
        Ok(Expressions {
            names,
            values,
            used_names: BTreeSet::new(),
            used_values: BTreeSet::new(),
        })
    }

    /// Parses and checks a condition (`ConditionExpression`, `FilterExpression` or
    /// `KeyConditionExpression`, as `kind` says).
    pub fn condition(&mut self, kind: ExprKind, text: &str) -> Result<Condition, ExprError> {
        resolve::condition(self, kind, text)
    }

    pub fn update(&mut self, text: &str) -> Result<Update, ExprError> {
        resolve::update(self, text)
    }

    pub fn projection(&mut self, text: &str) -> Result<Projection, ExprError> {
        resolve::projection(self, text)
    }

    /// Refuses names, then values, that no expression used.
    pub fn finish(self) -> Result<(), ExprError> {
        let unused = |all: Vec<&String>, used: &BTreeSet<String>| -> Vec<String> {
            all.into_iter()
                .filter(|k| !used.contains(*k))
                .cloned()
                .collect()
        };
        let names = unused(self.names.keys().collect(), &self.used_names);
        if !names.is_empty() {
            return Err(ExprError::UnusedNames(names));
        }
        let values = unused(self.values.keys().collect(), &self.used_values);
        if !values.is_empty() {
            return Err(ExprError::UnusedValues(values));
        }
        Ok(())
    }

    /// The attribute name a `#placeholder` stands for, marking it used.
    pub(crate) fn name(&mut self, kind: ExprKind, placeholder: &str) -> Result<String, ExprError> {
        let name = self.names.get(placeholder).ok_or_else(|| {
            ExprError::invalid(kind, Reason::UndefinedName(placeholder.to_owned()))
        })?;
        self.used_names.insert(placeholder.to_owned());
        Ok(name.clone())
    }

    /// The value a `:placeholder` stands for, marking it used.
    pub(crate) fn value(
        &mut self,
        kind: ExprKind,
        placeholder: &str,
    ) -> Result<&'a AttributeValue, ExprError> {
        let value = self.values.get(placeholder).ok_or_else(|| {
            ExprError::invalid(kind, Reason::UndefinedValue(placeholder.to_owned()))
        })?;
        self.used_values.insert(placeholder.to_owned());
        Ok(value)
    }
}

fn is_placeholder(key: &str, sigil: char) -> bool {
    key.strip_prefix(sigil).is_some_and(|rest| {
        !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// Reads `ExpressionAttributeValues` from the request's JSON: every key checked first, then
/// every value, each refusal naming its key as DynamoDB does.
pub fn values_from_json(json: &Map<String, Value>) -> Result<Values, ExprError> {
    if let Some(bad) = json.keys().find(|k| !is_placeholder(k, ':')) {
        return Err(ExprError::InvalidValueKey(bad.clone()));
    }
    json.iter()
        .map(|(key, value)| {
            AttributeValue::from_json(value)
                .map(|v| (key.clone(), v))
                .map_err(|error| ExprError::InvalidValue {
                    key: key.clone(),
                    error,
                })
        })
        .collect()
}
