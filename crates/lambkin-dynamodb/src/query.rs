//! Query and Scan: one partition read in sort-key order through the table or a global
//! secondary index (the key condition turned into a byte range on the stored keys), or every
//! item; `Limit` items evaluated per page and at most 1 MB, `FilterExpression` applied after
//! reading (so `ScannedCount` counts what was read), `ExclusiveStartKey`/`LastEvaluatedKey`
//! paging, `Select COUNT`, projections and the index's own projection.

use std::ops::Bound;

use lambkin_store::{ItemKey, KeyRange, ReadItem};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::expr::{
    ExprKind, KeySchema, SortKeyCondition, evaluate_condition, key_condition, project,
};
use crate::items::{ItemRequest, decode, item_from_json, item_to_json};
use crate::keys::{KeyIn, item_key, key_attributes, key_bytes};
use crate::tables::{GlobalSecondaryIndex, TableSpec, table_name};
use crate::value::{AttributeValue, Item, item_size};
use crate::{Dynamo, DynamoError};

/// DynamoDB stops a page after 1 MB of items read.
const PAGE_BYTES: usize = 1024 * 1024;
/// Items read from the store per round while filling a page.
const READ_BATCH: usize = 256;

/// The members Query and Scan take.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ReadRequest {
    pub table_name: Option<String>,
    pub index_name: Option<String>,
    pub key_condition_expression: Option<String>,
    pub filter_expression: Option<String>,
    pub projection_expression: Option<String>,
    pub expression_attribute_names: Option<std::collections::BTreeMap<String, String>>,
    pub expression_attribute_values: Option<Map<String, Value>>,
    pub scan_index_forward: Option<bool>,
    pub limit: Option<i64>,
    pub exclusive_start_key: Option<Map<String, Value>>,
    pub select: Option<String>,
    pub consistent_read: Option<bool>,
    pub segment: Option<i64>,
    pub total_segments: Option<i64>,
    pub key_conditions: Option<Value>,
    pub query_filter: Option<Value>,
    pub scan_filter: Option<Value>,
    pub attributes_to_get: Option<Value>,
}

/// The smallest byte string greater than every string starting with `prefix` (`None`: none).
fn after_prefix(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut p = prefix.to_vec();
    while let Some(last) = p.pop() {
        if last < 0xFF {
            p.push(last + 1);
            return Some(p);
        }
    }
    None
}

type Range = (Bound<Vec<u8>>, Bound<Vec<u8>>);

/// A sort-key condition as a range of stored key bytes.
fn sort_range(c: Option<&SortKeyCondition>, expected: &str) -> Result<Range, DynamoError> {
    let bytes = |v: &AttributeValue| {
        if v.attribute_type().code() != expected {
            return Err(DynamoError::invalid(
                "Condition parameter type does not match schema type",
            ));
        }
        key_bytes(v).ok_or_else(|| {
            DynamoError::invalid("Condition parameter type does not match schema type")
        })
    };
    use Bound::{Excluded, Included, Unbounded};
    Ok(match c {
        None => (Unbounded, Unbounded),
        Some(SortKeyCondition::Eq(v)) => (Included(bytes(v)?), Included(bytes(v)?)),
        Some(SortKeyCondition::Lt(v)) => (Unbounded, Excluded(bytes(v)?)),
        Some(SortKeyCondition::Le(v)) => (Unbounded, Included(bytes(v)?)),
        Some(SortKeyCondition::Gt(v)) => (Excluded(bytes(v)?), Unbounded),
        Some(SortKeyCondition::Ge(v)) => (Included(bytes(v)?), Unbounded),
        Some(SortKeyCondition::Between(a, b)) => (Included(bytes(a)?), Included(bytes(b)?)),
        Some(SortKeyCondition::BeginsWith(p)) => {
            if expected == "N" {
                return Err(DynamoError::Validation(
                    "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N".into(),
                ));
            }
            let p = bytes(p)?;
            let to = after_prefix(&p).map_or(Unbounded, Excluded);
            (Included(p), to)
        }
    })
}

/// The index a request names, or DynamoDB's refusal.
fn index<'a>(
    spec: &'a TableSpec,
    name: Option<&str>,
) -> Result<Option<&'a GlobalSecondaryIndex>, DynamoError> {
    let Some(name) = name else { return Ok(None) };
    spec.global_secondary_indexes
        .iter()
        .find(|g| g.index_name == name)
        .map(Some)
        .ok_or_else(|| {
            DynamoError::Validation(format!(
                "The table does not have the specified index: {name}"
            ))
        })
}

/// What an index projects of an item.
fn index_projection(spec: &TableSpec, g: &GlobalSecondaryIndex, item: Item) -> Item {
    match g.projection.projection_type.as_deref() {
        Some("KEYS_ONLY") => key_attributes(spec, &item, Some(&g.index_name)),
        Some("INCLUDE") => {
            let mut kept = key_attributes(spec, &item, Some(&g.index_name));
            for name in g.projection.non_key_attributes.iter().flatten() {
                if let Some(v) = item.get(name) {
                    kept.insert(name.clone(), v.clone());
                }
            }
            kept
        }
        _ => item,
    }
}

/// A read page's answer: the items kept, how many were read, and where to continue.
struct Page {
    items: Vec<Item>,
    scanned: usize,
    last: Option<Item>,
}

impl Dynamo {
    pub async fn query(&self, r: ReadRequest) -> Result<Value, DynamoError> {
        self.read(r, true).await
    }

    pub async fn scan(&self, r: ReadRequest) -> Result<Value, DynamoError> {
        self.read(r, false).await
    }

    async fn read(&self, r: ReadRequest, is_query: bool) -> Result<Value, DynamoError> {
        let name = table_name(r.table_name.as_deref())?;
        for (present, member) in [
            (r.key_conditions.is_some(), "KeyConditions"),
            (r.query_filter.is_some(), "QueryFilter"),
            (r.scan_filter.is_some(), "ScanFilter"),
            (r.attributes_to_get.is_some(), "AttributesToGet"),
        ] {
            if present {
                return Err(DynamoError::Validation(format!(
                    "lambkin does not serve the legacy parameter {member}; use expressions (see docs/api-compat.md)"
                )));
            }
        }
        if r.total_segments.is_some_and(|t| t > 1) {
            return Err(DynamoError::Validation(
                "lambkin does not serve parallel scans (Segment/TotalSegments); see docs/api-compat.md".into(),
            ));
        }
        if let Some(l) = r.limit
            && l < 1
        {
            return Err(DynamoError::Validation(format!(
                "1 validation error detected: Value '{l}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"
            )));
        }
        let as_item = ItemRequest {
            expression_attribute_names: r.expression_attribute_names.clone(),
            expression_attribute_values: r.expression_attribute_values.clone(),
            projection_expression: r.projection_expression.clone(),
            ..ItemRequest::default()
        };
        if is_query && r.key_condition_expression.is_none() {
            return Err(DynamoError::Validation(
                "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.".into(),
            ));
        }
        // The key condition, the filter and the projection share one set of placeholders.
        let both = parse_both(
            &as_item,
            r.key_condition_expression.as_deref(),
            r.filter_expression.as_deref(),
            is_query,
        )?;
        let spec = self.table(&name).await?;
        let gsi = index(&spec, r.index_name.as_deref())?;
        let count_only = match r.select.as_deref() {
            None | Some("ALL_ATTRIBUTES" | "ALL_PROJECTED_ATTRIBUTES" | "SPECIFIC_ATTRIBUTES") => {
                false
            }
            Some("COUNT") => true,
            Some(other) => {
                return Err(DynamoError::Validation(format!(
                    "1 validation error detected: Value '{other}' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]"
                )));
            }
        };
        let (hash, range) = match gsi {
            Some(g) => {
                let h = g.key_schema.iter().find(|k| k.key_type == "HASH");
                let s = g.key_schema.iter().find(|k| k.key_type == "RANGE");
                (
                    h.map(|k| k.attribute_name.clone()).unwrap_or_default(),
                    s.map(|k| k.attribute_name.clone()),
                )
            }
            None => (
                spec.hash_key().to_string(),
                spec.range_key().map(str::to_string),
            ),
        };
        let after = match &r.exclusive_start_key {
            None => None,
            Some(start) => {
                let start = item_from_json(start)?;
                let table_key = item_key(&spec, &key_only(&spec, &start), KeyIn::Key)
                    .map_err(|_| DynamoError::Validation("The provided starting key is invalid: The provided key element does not match the schema".into()))?;
                let index_key = gsi.map(|_| ItemKey {
                    pk: start.get(&hash).and_then(key_bytes).unwrap_or_default(),
                    sk: range
                        .as_ref()
                        .and_then(|s| start.get(s))
                        .and_then(key_bytes)
                        .unwrap_or_default(),
                });
                Some((table_key, index_key))
            }
        };
        let limit = r.limit.map(|l| l as usize);
        let page = if is_query {
            let Some(kc) = &both.key else {
                return Err(DynamoError::Validation(
                    "KeyConditionExpression is missing".into(),
                ));
            };
            let schema = KeySchema {
                partition_key: &hash,
                sort_key: range.as_deref(),
            };
            let condition = key_condition(kc, &schema, &both.values)?;
            let pk_type = spec.attribute_type(&hash).unwrap_or("S");
            if condition.partition.attribute_type().code() != pk_type {
                return Err(DynamoError::invalid(
                    "Condition parameter type does not match schema type",
                ));
            }
            let pk = key_bytes(&condition.partition).unwrap_or_default();
            let sk_type = range
                .as_deref()
                .and_then(|s| spec.attribute_type(s))
                .unwrap_or("S");
            let (from, to) = sort_range(condition.sort.as_ref(), sk_type)?;
            let forward = r.scan_index_forward.unwrap_or(true);
            let store = self.inner.store.clone();
            let index_name = gsi.map(|g| g.index_name.clone());
            let table = name.clone();
            self.fill(&spec, gsi, &both, limit, after, move |after, n| {
                let store = store.clone();
                let range = KeyRange {
                    index: index_name.clone(),
                    pk: pk.clone(),
                    sk_from: from.clone(),
                    sk_to: to.clone(),
                    forward,
                    after,
                    limit: n,
                };
                let table = table.clone();
                async move { store.query(&table, range).await }
            })
            .await?
        } else {
            let store = self.inner.store.clone();
            let index_name = gsi.map(|g| g.index_name.clone());
            let table = name.clone();
            self.fill(&spec, gsi, &both, limit, after, move |after, n| {
                let store = store.clone();
                let table = table.clone();
                let index_name = index_name.clone();
                async move { store.scan(&table, index_name.as_deref(), after, n).await }
            })
            .await?
        };
        let mut answer = json!({
            "Count": page.items.len(),
            "ScannedCount": page.scanned,
        });
        if !count_only {
            let items: Vec<Value> = page
                .items
                .iter()
                .map(|i| match &both.projection {
                    Some(p) => item_to_json(&project(p, i)),
                    None => item_to_json(i),
                })
                .collect();
            answer["Items"] = json!(items);
        }
        if let Some(last) = page.last {
            answer["LastEvaluatedKey"] = item_to_json(&key_attributes(
                &spec,
                &last,
                gsi.map(|g| g.index_name.as_str()),
            ));
        }
        Ok(answer)
    }

    /// Reads pages from the store until `limit` items were read, 1 MB was read, or there is
    /// nothing more; filters what it read.
    async fn fill<F, Fut>(
        &self,
        spec: &TableSpec,
        gsi: Option<&GlobalSecondaryIndex>,
        parsed: &Both,
        limit: Option<usize>,
        mut after: Option<(ItemKey, Option<ItemKey>)>,
        read: F,
    ) -> Result<Page, DynamoError>
    where
        F: Fn(Option<(ItemKey, Option<ItemKey>)>, usize) -> Fut,
        Fut: std::future::Future<Output = Result<Vec<ReadItem>, lambkin_store::StoreError>>,
    {
        let mut page = Page {
            items: Vec::new(),
            scanned: 0,
            last: None,
        };
        let mut bytes = 0;
        loop {
            let want = limit.map_or(READ_BATCH, |l| (l - page.scanned).min(READ_BATCH));
            let batch = read(after.clone(), want).await?;
            let exhausted = batch.len() < want;
            for read in batch {
                after = Some((read.stored.key.clone(), read.index_key.clone()));
                let mut item = decode(&read.stored.item)?;
                if let Some(g) = gsi {
                    item = index_projection(spec, g, item);
                }
                page.scanned += 1;
                bytes += item_size(&item);
                let keep = match &parsed.filter {
                    Some(f) => evaluate_condition(f, &item, &parsed.values)?,
                    None => true,
                };
                let full = limit.is_some_and(|l| page.scanned >= l) || bytes >= PAGE_BYTES;
                if full {
                    page.last = Some(item.clone());
                }
                if keep {
                    page.items.push(item);
                }
                if full {
                    return Ok(page);
                }
            }
            if exhausted {
                return Ok(page);
            }
        }
    }
}

/// The key attributes of an ExclusiveStartKey (which also names the index's keys).
fn key_only(spec: &TableSpec, start: &Item) -> Item {
    key_attributes(spec, start, None)
}

/// A read's parsed expressions: the key condition, the filter, the projection.
pub(crate) struct Both {
    key: Option<crate::expr::Condition>,
    filter: Option<crate::expr::Condition>,
    projection: Option<crate::expr::Projection>,
    values: crate::expr::Values,
}

fn parse_both(
    r: &ItemRequest,
    key: Option<&str>,
    filter: Option<&str>,
    is_query: bool,
) -> Result<Both, DynamoError> {
    let names = r.expression_attribute_names.clone().unwrap_or_default();
    if r.expression_attribute_names
        .as_ref()
        .is_some_and(|n| n.is_empty())
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
    let values = match &r.expression_attribute_values {
        Some(v) => crate::expr::values_from_json(v)?,
        None => crate::expr::Values::new(),
    };
    let mut exprs = crate::expr::Expressions::new(&names, &values)?;
    let key = match key.filter(|_| is_query) {
        Some(k) => Some(exprs.condition(ExprKind::KeyCondition, k)?),
        None => None,
    };
    let filter = match filter {
        Some(f) => Some(exprs.condition(ExprKind::Filter, f)?),
        None => None,
    };
    let projection = match &r.projection_expression {
        Some(p) => Some(exprs.projection(p)?),
        None => None,
    };
    exprs.finish()?;
    Ok(Both {
        key,
        filter,
        projection,
        values,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Number;

    #[test]
    fn prefixes_end_where_their_strings_do() {
        let cases: &[(&[u8], Option<&[u8]>)] = &[
            (b"abc", Some(b"abd")),
            (b"ab\xff", Some(b"ac")),
            (b"\xff\xff", None),
            (b"", None),
        ];
        for (prefix, want) in cases {
            assert_eq!(after_prefix(prefix).as_deref(), *want, "{prefix:?}");
        }
    }

    #[test]
    fn sort_conditions_become_byte_ranges() {
        let num = |t: &str| AttributeValue::N(Number::parse(t).expect("number"));
        let bytes = |t: &str| Number::parse(t).expect("number").key_bytes();
        use Bound::{Excluded, Included, Unbounded};
        let cases: Vec<(SortKeyCondition, Range)> = vec![
            (
                SortKeyCondition::Between(num("2"), num("10")),
                (Included(bytes("2")), Included(bytes("10"))),
            ),
            (
                SortKeyCondition::Lt(num("-1")),
                (Unbounded, Excluded(bytes("-1"))),
            ),
            (
                SortKeyCondition::Ge(num("0.5")),
                (Included(bytes("0.5")), Unbounded),
            ),
        ];
        for (condition, want) in cases {
            assert_eq!(sort_range(Some(&condition), "N").expect("range"), want);
        }
        let prefix = SortKeyCondition::BeginsWith(AttributeValue::S("2026-".into()));
        assert_eq!(
            sort_range(Some(&prefix), "S").expect("range"),
            (Included(b"2026-".to_vec()), Excluded(b"2026.".to_vec()))
        );
        // A condition of the wrong type, and begins_with on a number, are refused.
        assert!(sort_range(Some(&SortKeyCondition::Eq(num("1"))), "S").is_err());
        assert!(sort_range(Some(&SortKeyCondition::BeginsWith(num("1"))), "N").is_err());
    }
}
