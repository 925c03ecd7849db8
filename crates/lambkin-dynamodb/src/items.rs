//! PutItem, GetItem, DeleteItem, UpdateItem: keys checked against the table, expressions parsed
//! and checked before anything is read, and conditions evaluated inside the store's write
//! (`DynamoStore::write_items`), so a conditional write is atomic.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use lambkin_store::{ItemKey, ItemWrite, Refusal};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::expr::{
    Condition, ExprKind, Expressions, Projection, Update, Values, apply_update, evaluate_condition,
    project, values_from_json,
};
use crate::keys::{KeyIn, expires_at, index_keys, item_key};
use crate::tables::{TableSpec, table_name};
use crate::value::{AttributeValue, Item, check_item_size};
use crate::{Dynamo, DynamoError};

/// The members PutItem, GetItem, DeleteItem and UpdateItem take, as the api decoded them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ItemRequest {
    pub table_name: Option<String>,
    pub item: Option<Map<String, Value>>,
    pub key: Option<Map<String, Value>>,
    pub condition_expression: Option<String>,
    pub update_expression: Option<String>,
    pub projection_expression: Option<String>,
    pub expression_attribute_names: Option<BTreeMap<String, String>>,
    pub expression_attribute_values: Option<Map<String, Value>>,
    pub return_values: Option<String>,
    pub return_values_on_condition_check_failure: Option<String>,
    pub consistent_read: Option<bool>,
    /// The legacy parameters (`Expected`, `AttributesToGet`, `AttributeUpdates`,
    /// `ConditionalOperator`), which lambkin refuses.
    pub expected: Option<Value>,
    pub attributes_to_get: Option<Value>,
    pub attribute_updates: Option<Value>,
    pub conditional_operator: Option<Value>,
}

/// An item from DynamoDB's JSON (`{"name": {"S": "x"}, …}`).
pub fn item_from_json(json: &Map<String, Value>) -> Result<Item, DynamoError> {
    json.iter()
        .map(|(k, v)| Ok((k.clone(), AttributeValue::from_json(v)?)))
        .collect()
}

pub fn item_to_json(item: &Item) -> Value {
    Value::Object(item.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
}

/// An item as stored (its JSON), read back.
pub(crate) fn decode(bytes: &[u8]) -> Result<Item, DynamoError> {
    let json: Map<String, Value> = serde_json::from_slice(bytes)
        .map_err(|e| DynamoError::Store(lambkin_store::StoreError::Corrupt(e.to_string())))?;
    item_from_json(&json)
}

fn encode(item: &Item) -> Vec<u8> {
    item_to_json(item).to_string().into_bytes()
}

/// A request's parsed expressions.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub condition: Option<Condition>,
    pub update: Option<Update>,
    pub projection: Option<Projection>,
    pub values: Values,
}

/// Parses the request's expressions with its placeholders, refusing unused ones and the legacy
/// parameters.
pub(crate) fn parse_expressions(
    r: &ItemRequest,
    conditions: &[(ExprKind, Option<&str>)],
) -> Result<Parsed, DynamoError> {
    for (present, name) in [
        (r.expected.is_some(), "Expected"),
        (r.attributes_to_get.is_some(), "AttributesToGet"),
        (r.attribute_updates.is_some(), "AttributeUpdates"),
        (r.conditional_operator.is_some(), "ConditionalOperator"),
    ] {
        if present {
            return Err(DynamoError::Validation(format!(
                "lambkin does not serve the legacy parameter {name}; use expressions (see docs/api-compat.md)"
            )));
        }
    }
    if r.expression_attribute_names
        .as_ref()
        .is_some_and(BTreeMap::is_empty)
    {
        return Err(DynamoError::Validation(
            "ExpressionAttributeNames must not be empty".into(),
        ));
    }
    if r.expression_attribute_values
        .as_ref()
        .is_some_and(Map::is_empty)
    {
        return Err(DynamoError::Validation(
            "ExpressionAttributeValues must not be empty".into(),
        ));
    }
    let names = r.expression_attribute_names.clone().unwrap_or_default();
    let values = match &r.expression_attribute_values {
        Some(v) => values_from_json(v)?,
        None => Values::new(),
    };
    let mut parsed = Parsed::default();
    {
        let mut exprs = Expressions::new(&names, &values)?;
        for (kind, text) in conditions {
            if let Some(t) = text {
                parsed.condition = Some(exprs.condition(*kind, t)?);
            }
        }
        if let Some(t) = &r.update_expression {
            parsed.update = Some(exprs.update(t)?);
        }
        if let Some(t) = &r.projection_expression {
            parsed.projection = Some(exprs.projection(t)?);
        }
        exprs.finish()?;
    }
    parsed.values = values;
    Ok(parsed)
}

fn return_values(r: &ItemRequest, allowed: &[&str]) -> Result<String, DynamoError> {
    let v = r.return_values.clone().unwrap_or_else(|| "NONE".into());
    if allowed.contains(&v.as_str()) {
        Ok(v)
    } else {
        Err(DynamoError::Validation(format!(
            "ReturnValues can only be {} on this operation",
            allowed.join(" or ")
        )))
    }
}

/// `ReturnValuesOnConditionCheckFailure: ALL_OLD`.
fn old_on_failure(r: &ItemRequest) -> bool {
    r.return_values_on_condition_check_failure.as_deref() == Some("ALL_OLD")
}

/// A write's answer: `{"Attributes": …}` when there is something to return, else `{}`.
fn attributes(item: Option<Item>) -> Value {
    match item {
        Some(a) => serde_json::json!({ "Attributes": item_to_json(&a) }),
        None => serde_json::json!({}),
    }
}

/// The refusal handed back through the store: the service's own error.
fn refuse(e: DynamoError) -> Refusal {
    Box::new(e)
}

fn refusal_into(r: Refusal) -> DynamoError {
    match r.downcast::<DynamoError>() {
        Ok(e) => *e,
        Err(other) => DynamoError::Validation(other.to_string()),
    }
}

/// Evaluates a write's condition against the item as it is; the error when it fails.
fn check_condition(
    condition: Option<&Condition>,
    old: Option<&Item>,
    values: &Values,
    return_old: bool,
) -> Result<(), DynamoError> {
    let Some(c) = condition else { return Ok(()) };
    let empty = Item::new();
    if evaluate_condition(c, old.unwrap_or(&empty), values)? {
        Ok(())
    } else {
        Err(DynamoError::ConditionalCheckFailed(
            old.filter(|_| return_old).cloned(),
        ))
    }
}

/// An item write with its index keys and TTL.
fn put(spec: &TableSpec, item: &Item) -> Result<ItemWrite, DynamoError> {
    Ok(ItemWrite::Put {
        item: encode(item),
        expires_at: expires_at(spec, item),
        indexes: index_keys(spec, item)?,
    })
}

impl Dynamo {
    async fn write_one(
        &self,
        spec: &TableSpec,
        key: ItemKey,
        decide: impl FnOnce(Option<Item>) -> Result<ItemWrite, DynamoError> + Send + 'static,
    ) -> Result<Option<Item>, DynamoError> {
        let result = self
            .inner
            .store
            .write_items(
                &spec.name,
                vec![key],
                Box::new(move |mut old| {
                    let old = old.pop().flatten().map(|b| decode(&b)).transpose();
                    let write = old.and_then(decide).map_err(refuse)?;
                    Ok(vec![write])
                }),
            )
            .await?;
        let mut old = result.map_err(refusal_into)?;
        old.pop().flatten().map(|b| decode(&b)).transpose()
    }

    pub async fn put_item(&self, r: ItemRequest) -> Result<Value, DynamoError> {
        let name = table_name(r.table_name.as_deref())?;
        let parsed = parse_expressions(
            &r,
            &[(ExprKind::Condition, r.condition_expression.as_deref())],
        )?;
        let returns = return_values(&r, &["NONE", "ALL_OLD"])?;
        let return_old_on_failure = old_on_failure(&r);
        let spec = self.table(&name).await?;
        let item = item_from_json(&r.item.clone().unwrap_or_default())?;
        let key = item_key(&spec, &item, KeyIn::Item)?;
        check_item_size(&item)?;
        let write = put(&spec, &item)?;
        let Parsed {
            condition, values, ..
        } = parsed;
        let old = self
            .write_one(&spec, key, move |old| {
                check_condition(
                    condition.as_ref(),
                    old.as_ref(),
                    &values,
                    return_old_on_failure,
                )?;
                Ok(write)
            })
            .await?;
        Ok(attributes(old.filter(|_| returns == "ALL_OLD")))
    }

    pub async fn get_item(&self, r: ItemRequest) -> Result<Value, DynamoError> {
        let name = table_name(r.table_name.as_deref())?;
        let parsed = parse_expressions(&r, &[])?;
        let spec = self.table(&name).await?;
        let key = item_key(
            &spec,
            &item_from_json(&r.key.clone().unwrap_or_default())?,
            KeyIn::Key,
        )?;
        let found = self
            .inner
            .store
            .get_items(&name, vec![key])
            .await?
            .pop()
            .flatten();
        Ok(match found {
            None => serde_json::json!({}),
            Some(bytes) => {
                let item = decode(&bytes)?;
                let item = match &parsed.projection {
                    Some(p) => project(p, &item),
                    None => item,
                };
                serde_json::json!({ "Item": item_to_json(&item) })
            }
        })
    }

    pub async fn delete_item(&self, r: ItemRequest) -> Result<Value, DynamoError> {
        let name = table_name(r.table_name.as_deref())?;
        let parsed = parse_expressions(
            &r,
            &[(ExprKind::Condition, r.condition_expression.as_deref())],
        )?;
        let returns = return_values(&r, &["NONE", "ALL_OLD"])?;
        let return_old_on_failure = old_on_failure(&r);
        let spec = self.table(&name).await?;
        let key = item_key(
            &spec,
            &item_from_json(&r.key.clone().unwrap_or_default())?,
            KeyIn::Key,
        )?;
        let Parsed {
            condition, values, ..
        } = parsed;
        let old = self
            .write_one(&spec, key, move |old| {
                check_condition(
                    condition.as_ref(),
                    old.as_ref(),
                    &values,
                    return_old_on_failure,
                )?;
                Ok(if old.is_some() {
                    ItemWrite::Delete
                } else {
                    ItemWrite::Keep
                })
            })
            .await?;
        Ok(attributes(old.filter(|_| returns == "ALL_OLD")))
    }

    pub async fn update_item(&self, r: ItemRequest) -> Result<Value, DynamoError> {
        let name = table_name(r.table_name.as_deref())?;
        let parsed = parse_expressions(
            &r,
            &[(ExprKind::Condition, r.condition_expression.as_deref())],
        )?;
        let returns = return_values(
            &r,
            &["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"],
        )?;
        let return_old_on_failure = old_on_failure(&r);
        let spec = self.table(&name).await?;
        let key_item = item_from_json(&r.key.clone().unwrap_or_default())?;
        let key = item_key(&spec, &key_item, KeyIn::Key)?;
        let Parsed {
            condition,
            update,
            values,
            ..
        } = parsed;
        let update = update.unwrap_or_default();
        // The top-level attributes the update names (what UPDATED_OLD/UPDATED_NEW return).
        let touched: Vec<String> = update
            .set
            .iter()
            .map(|a| &a.path)
            .chain(&update.remove)
            .chain(update.add.iter().map(|(p, _)| p))
            .chain(update.delete.iter().map(|(p, _)| p))
            .map(|p| p.head().to_string())
            .collect();
        for t in &touched {
            if key_item.contains_key(t) {
                return Err(DynamoError::invalid(format!(
                    "Cannot update attribute {t}. This attribute is part of the key"
                )));
            }
        }
        let new_slot: Arc<Mutex<Option<Item>>> = Arc::default();
        let slot = new_slot.clone();
        let spec_for_write = spec.clone();
        let old = self
            .write_one(&spec, key, move |old| {
                check_condition(
                    condition.as_ref(),
                    old.as_ref(),
                    &values,
                    return_old_on_failure,
                )?;
                let mut item = old.clone().unwrap_or(key_item);
                apply_update(&update, &mut item, &values)?;
                check_item_size(&item).map_err(|_| {
                    DynamoError::Validation(crate::ValueError::UpdatedItemTooLarge.to_string())
                })?;
                let write = put(&spec_for_write, &item)?;
                if let Ok(mut s) = slot.lock() {
                    *s = Some(item);
                }
                Ok(write)
            })
            .await?;
        let new = new_slot.lock().ok().and_then(|mut s| s.take());
        let pick = |item: Option<Item>, only_touched: bool| -> Option<Item> {
            let item = item?;
            let item: Item = if only_touched {
                item.into_iter()
                    .filter(|(k, _)| touched.contains(k))
                    .collect()
            } else {
                item
            };
            (!item.is_empty()).then_some(item)
        };
        let returned = match returns.as_str() {
            "ALL_OLD" => pick(old, false),
            "UPDATED_OLD" => pick(old, true),
            "ALL_NEW" => pick(new, false),
            "UPDATED_NEW" => pick(new, true),
            _ => None,
        };
        Ok(attributes(returned))
    }
}
