//! BatchGetItem and BatchWriteItem (each table's writes in one store write; lambkin processes
//! every request, so `UnprocessedItems`/`UnprocessedKeys` are always empty), and
//! TransactWriteItems and TransactGetItems (all items of a transaction in one store write across
//! tables: every condition is checked before anything is written, all or nothing).

use std::collections::{BTreeMap, BTreeSet};

use lambkin_store::{ItemKey, ItemWrite};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::error::CancellationReason;
use crate::expr::{Condition, ExprKind, Update, Values, apply_update, evaluate_condition, project};
use crate::items::{ItemRequest, Parsed, decode, item_from_json, item_to_json, parse_expressions};
use crate::keys::{KeyIn, expires_at, index_keys, item_key};
use crate::tables::{TableSpec, table_name};
use crate::value::{Item, check_item_size};
use crate::{Dynamo, DynamoError};

const MAX_BATCH_WRITE: usize = 25;
const MAX_BATCH_GET: usize = 100;
const MAX_TRANSACTION: usize = 100;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct BatchWriteRequest {
    pub request_items: BTreeMap<String, Vec<WriteRequest>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct WriteRequest {
    pub put_request: Option<PutRequest>,
    pub delete_request: Option<DeleteRequest>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PutRequest {
    pub item: Map<String, Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DeleteRequest {
    pub key: Map<String, Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct BatchGetRequest {
    pub request_items: BTreeMap<String, KeysAndAttributes>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct KeysAndAttributes {
    pub keys: Vec<Map<String, Value>>,
    pub projection_expression: Option<String>,
    pub expression_attribute_names: Option<BTreeMap<String, String>>,
    pub consistent_read: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TransactWriteRequest {
    pub transact_items: Vec<TransactItem>,
    pub client_request_token: Option<String>,
}

/// One item of TransactWriteItems: exactly one of its members.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TransactItem {
    pub condition_check: Option<ItemRequest>,
    pub put: Option<ItemRequest>,
    pub delete: Option<ItemRequest>,
    pub update: Option<ItemRequest>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TransactGetRequest {
    pub transact_items: Vec<TransactGet>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TransactGet {
    pub get: Option<ItemRequest>,
}

fn put_write(spec: &TableSpec, item: &Item) -> Result<ItemWrite, DynamoError> {
    Ok(ItemWrite::Put {
        item: item_to_json(item).to_string().into_bytes(),
        expires_at: expires_at(spec, item),
        indexes: index_keys(spec, item)?,
    })
}

fn duplicates() -> DynamoError {
    DynamoError::Validation("Provided list of item keys contains duplicates".into())
}

/// What one transaction item does, checked and parsed before anything is read.
struct Planned {
    action: Action,
    spec: TableSpec,
    key: ItemKey,
    condition: Option<Condition>,
    values: Values,
    return_old: bool,
}

enum Action {
    Check,
    Put(Item),
    Delete,
    Update(Update, Item),
}

impl Dynamo {
    pub async fn batch_write_item(&self, r: BatchWriteRequest) -> Result<Value, DynamoError> {
        let total: usize = r.request_items.values().map(Vec::len).sum();
        if total == 0 || total > MAX_BATCH_WRITE {
            return Err(DynamoError::Validation(if total == 0 {
                "1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must not be null".into()
            } else {
                "Too many items requested for the BatchWriteItem call".into()
            }));
        }
        for (table, requests) in &r.request_items {
            let name = table_name(Some(table))?;
            let spec = self.table(&name).await.map_err(|e| match e {
                DynamoError::ResourceNotFound(_) => {
                    DynamoError::ResourceNotFound("Requested resource not found".into())
                }
                other => other,
            })?;
            let mut keys = Vec::new();
            let mut writes = Vec::new();
            let mut seen = BTreeSet::new();
            for w in requests {
                let (key, write) = match (&w.put_request, &w.delete_request) {
                    (Some(p), None) => {
                        let item = item_from_json(&p.item)?;
                        check_item_size(&item)?;
                        (
                            item_key(&spec, &item, KeyIn::Item)?,
                            put_write(&spec, &item)?,
                        )
                    }
                    (None, Some(d)) => (
                        item_key(&spec, &item_from_json(&d.key)?, KeyIn::Key)?,
                        ItemWrite::Delete,
                    ),
                    _ => {
                        return Err(DynamoError::Validation(
                            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes".into(),
                        ));
                    }
                };
                if !seen.insert(key.clone()) {
                    return Err(duplicates());
                }
                keys.push(key);
                writes.push(write);
            }
            self.inner
                .store
                .write_items(&name, keys, Box::new(move |_| Ok(writes)))
                .await?
                .map_err(|e| DynamoError::Validation(e.to_string()))?;
        }
        Ok(json!({ "UnprocessedItems": {} }))
    }

    pub async fn batch_get_item(&self, r: BatchGetRequest) -> Result<Value, DynamoError> {
        let total: usize = r.request_items.values().map(|k| k.keys.len()).sum();
        if total == 0 || total > MAX_BATCH_GET {
            return Err(DynamoError::Validation(
                "Too many items requested for the BatchGetItem call".into(),
            ));
        }
        let mut responses = Map::new();
        for (table, ka) in &r.request_items {
            let name = table_name(Some(table))?;
            let spec = self.table(&name).await?;
            let parsed = parse_expressions(
                &ItemRequest {
                    projection_expression: ka.projection_expression.clone(),
                    expression_attribute_names: ka.expression_attribute_names.clone(),
                    ..ItemRequest::default()
                },
                &[],
            )?;
            let mut keys = Vec::new();
            let mut seen = BTreeSet::new();
            for k in &ka.keys {
                let key = item_key(&spec, &item_from_json(k)?, KeyIn::Key)?;
                if !seen.insert(key.clone()) {
                    return Err(duplicates());
                }
                keys.push(key);
            }
            let found = self.inner.store.get_items(&name, keys).await?;
            let items: Vec<Value> = found
                .into_iter()
                .flatten()
                .map(|b| {
                    let item = decode(&b)?;
                    Ok(item_to_json(&match &parsed.projection {
                        Some(p) => project(p, &item),
                        None => item,
                    }))
                })
                .collect::<Result<_, DynamoError>>()?;
            responses.insert(table.clone(), Value::Array(items));
        }
        Ok(json!({ "Responses": responses, "UnprocessedKeys": {} }))
    }

    pub async fn transact_write_items(
        &self,
        r: TransactWriteRequest,
    ) -> Result<Value, DynamoError> {
        let n = r.transact_items.len();
        if n == 0 || n > MAX_TRANSACTION {
            return Err(DynamoError::Validation(format!(
                "1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length {} {MAX_TRANSACTION}",
                if n == 0 {
                    "greater than or equal to 1; less than or equal to"
                } else {
                    "less than or equal to"
                }
            )));
        }
        let mut plans = Vec::with_capacity(n);
        let mut seen = BTreeSet::new();
        for t in r.transact_items {
            let (req, kind) = match (t.condition_check, t.put, t.delete, t.update) {
                (Some(c), None, None, None) => (c, 0),
                (None, Some(p), None, None) => (p, 1),
                (None, None, Some(d), None) => (d, 2),
                (None, None, None, Some(u)) => (u, 3),
                _ => {
                    return Err(DynamoError::Validation(
                        "TransactItems can only contain one of Check, Put, Update or Delete".into(),
                    ));
                }
            };
            let name = table_name(req.table_name.as_deref())?;
            let spec = self.table(&name).await?;
            let Parsed {
                condition,
                update,
                values,
                ..
            } = parse_expressions(
                &req,
                &[(ExprKind::Condition, req.condition_expression.as_deref())],
            )?;
            if kind == 0 && condition.is_none() {
                return Err(DynamoError::Validation(
                    "The ConditionExpression must be specified for a ConditionCheck".into(),
                ));
            }
            let (key, action) = match kind {
                1 => {
                    let item = item_from_json(&req.item.clone().unwrap_or_default())?;
                    check_item_size(&item)?;
                    (item_key(&spec, &item, KeyIn::Item)?, Action::Put(item))
                }
                _ => {
                    let key_item = item_from_json(&req.key.clone().unwrap_or_default())?;
                    let key = item_key(&spec, &key_item, KeyIn::Key)?;
                    let action = match kind {
                        0 => Action::Check,
                        2 => Action::Delete,
                        _ => Action::Update(update.unwrap_or_default(), key_item),
                    };
                    (key, action)
                }
            };
            if !seen.insert((name.clone(), key.clone())) {
                return Err(DynamoError::Validation(
                    "Transaction request cannot include multiple operations on one item".into(),
                ));
            }
            plans.push(Planned {
                action,
                spec,
                key,
                condition,
                values,
                return_old: req.return_values_on_condition_check_failure.as_deref()
                    == Some("ALL_OLD"),
            });
        }
        let keys = plans
            .iter()
            .map(|p| (p.spec.name.clone(), p.key.clone()))
            .collect();
        let decide = move |old: Vec<Option<Vec<u8>>>| {
            let old: Vec<Option<Item>> = old
                .iter()
                .map(|o| o.as_deref().map(decode).transpose())
                .collect::<Result<_, DynamoError>>()
                .map_err(|e| Box::new(e) as lambkin_store::Refusal)?;
            let empty = Item::new();
            let mut reasons = Vec::with_capacity(plans.len());
            let mut failed = false;
            for (p, o) in plans.iter().zip(&old) {
                let ok = match &p.condition {
                    Some(c) => evaluate_condition(c, o.as_ref().unwrap_or(&empty), &p.values)
                        .map_err(|e| Box::new(DynamoError::from(e)) as lambkin_store::Refusal)?,
                    None => true,
                };
                failed |= !ok;
                reasons.push(CancellationReason {
                    code: if ok { "None" } else { "ConditionalCheckFailed" }.into(),
                    message: (!ok).then(|| "The conditional request failed".to_string()),
                    item: o.clone().filter(|_| !ok && p.return_old),
                });
            }
            if failed {
                return Err(
                    Box::new(DynamoError::TransactionCanceled(reasons)) as lambkin_store::Refusal
                );
            }
            plans
                .into_iter()
                .zip(old)
                .map(|(p, o)| {
                    Ok(match p.action {
                        Action::Check => ItemWrite::Keep,
                        Action::Delete => ItemWrite::Delete,
                        Action::Put(item) => put_write(&p.spec, &item)?,
                        Action::Update(update, key_item) => {
                            let mut item = o.unwrap_or(key_item);
                            apply_update(&update, &mut item, &p.values)?;
                            check_item_size(&item)?;
                            put_write(&p.spec, &item)?
                        }
                    })
                })
                .collect::<Result<Vec<_>, DynamoError>>()
                .map_err(|e| Box::new(e) as lambkin_store::Refusal)
        };
        self.inner
            .store
            .write_across(keys, Box::new(decide))
            .await?
            .map_err(|e| match e.downcast::<DynamoError>() {
                Ok(e) => *e,
                Err(other) => DynamoError::Validation(other.to_string()),
            })?;
        Ok(json!({}))
    }

    pub async fn transact_get_items(&self, r: TransactGetRequest) -> Result<Value, DynamoError> {
        let n = r.transact_items.len();
        if n == 0 || n > MAX_TRANSACTION {
            return Err(DynamoError::Validation(format!(
                "1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to {MAX_TRANSACTION}"
            )));
        }
        let mut responses = Vec::with_capacity(n);
        for t in r.transact_items {
            let Some(get) = t.get else {
                return Err(DynamoError::Validation(
                    "TransactItems must contain Get".into(),
                ));
            };
            let answer = self.get_item(get).await?;
            responses.push(match answer.get("Item") {
                Some(item) => json!({ "Item": item }),
                None => json!({}),
            });
        }
        Ok(json!({ "Responses": responses }))
    }
}
