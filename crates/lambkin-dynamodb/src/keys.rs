//! An item's keys as the store keeps them: the table's primary key and each global secondary
//! index's key, in byte encodings that sort as DynamoDB sorts (strings and binaries by their
//! bytes, numbers by value), with DynamoDB's checks of key attributes; and the item's TTL.

use lambkin_store::{IndexKey, ItemKey};

use crate::DynamoError;
use crate::tables::TableSpec;
use crate::value::{AttributeValue, Item};

/// A key value's stored bytes; `None` for a type that cannot be a key.
pub(crate) fn key_bytes(v: &AttributeValue) -> Option<Vec<u8>> {
    match v {
        AttributeValue::S(s) => Some(s.as_bytes().to_vec()),
        AttributeValue::B(b) => Some(b.clone()),
        AttributeValue::N(n) => Some(n.key_bytes()),
        _ => None,
    }
}

/// Which request member carries the key, for DynamoDB's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyIn {
    /// A whole item (PutItem's `Item`): missing keys and types are named.
    Item,
    /// A `Key` member (GetItem, DeleteItem, UpdateItem): any mismatch is one message.
    Key,
}

fn mismatch() -> DynamoError {
    DynamoError::Validation("The provided key element does not match the schema".into())
}

/// The item's primary key, checked against the table's key schema.
pub(crate) fn item_key(
    spec: &TableSpec,
    item: &Item,
    within: KeyIn,
) -> Result<ItemKey, DynamoError> {
    if within == KeyIn::Key {
        let wanted = 1 + usize::from(spec.range_key().is_some());
        if item.len() != wanted {
            return Err(mismatch());
        }
    }
    let part = |name: &str| -> Result<Vec<u8>, DynamoError> {
        let expected = spec.attribute_type(name).unwrap_or("S");
        let Some(value) = item.get(name) else {
            return Err(match within {
                KeyIn::Key => mismatch(),
                KeyIn::Item => DynamoError::invalid(format!("Missing the key {name} in the item")),
            });
        };
        let actual = value.attribute_type().code();
        if actual != expected {
            return Err(match within {
                KeyIn::Key => mismatch(),
                KeyIn::Item => DynamoError::invalid(format!(
                    "Type mismatch for key {name} expected: {expected} actual: {actual}"
                )),
            });
        }
        let bytes = key_bytes(value).ok_or_else(mismatch)?;
        if bytes.is_empty() && !matches!(value, AttributeValue::N(_)) {
            return Err(DynamoError::invalid(format!(
                "The AttributeValue for a key attribute cannot contain an empty {} value. Key: {name}",
                if actual == "S" { "string" } else { "binary" }
            )));
        }
        Ok(bytes)
    };
    let pk = part(spec.hash_key())?;
    let sk = match spec.range_key() {
        Some(r) => part(r)?,
        None => Vec::new(),
    };
    Ok(ItemKey { pk, sk })
}

/// The item's key in each global secondary index whose key attributes it has (an item without
/// them is not in the index), refusing a key attribute of the wrong type as DynamoDB does.
pub(crate) fn index_keys(spec: &TableSpec, item: &Item) -> Result<Vec<IndexKey>, DynamoError> {
    let mut keys = Vec::new();
    'index: for g in &spec.global_secondary_indexes {
        let mut parts = Vec::with_capacity(2);
        for k in &g.key_schema {
            let name = &k.attribute_name;
            let Some(value) = item.get(name) else {
                continue 'index;
            };
            let expected = spec.attribute_type(name).unwrap_or("S");
            let actual = value.attribute_type().code();
            let bytes = key_bytes(value).filter(|_| actual == expected).ok_or_else(|| {
                DynamoError::invalid(format!(
                    "Type mismatch for Index Key {name} Expected: {expected} Actual: {actual} IndexName: {}",
                    g.index_name
                ))
            })?;
            parts.push(bytes);
        }
        let mut parts = parts.into_iter();
        keys.push(IndexKey {
            index: g.index_name.clone(),
            key: ItemKey {
                pk: parts.next().unwrap_or_default(),
                sk: parts.next().unwrap_or_default(),
            },
        });
    }
    Ok(keys)
}

/// When the item expires (epoch seconds), if TTL is enabled and its attribute is a Number.
pub(crate) fn expires_at(spec: &TableSpec, item: &Item) -> Option<i64> {
    let attribute = spec.ttl_attribute.as_deref()?;
    match item.get(attribute)? {
        AttributeValue::N(n) => n.to_string().parse::<f64>().ok().map(|s| s.floor() as i64),
        _ => None,
    }
}

/// The primary key attributes of an item (what a KEYS_ONLY projection and
/// `LastEvaluatedKey` hold), with the index's keys when read through one.
pub(crate) fn key_attributes(spec: &TableSpec, item: &Item, index: Option<&str>) -> Item {
    let mut names: Vec<&str> = vec![spec.hash_key()];
    names.extend(spec.range_key());
    if let Some(g) = index.and_then(|i| {
        spec.global_secondary_indexes
            .iter()
            .find(|g| g.index_name == i)
    }) {
        names.extend(g.key_schema.iter().map(|k| k.attribute_name.as_str()));
    }
    names
        .into_iter()
        .filter_map(|n| item.get(n).map(|v| (n.to_string(), v.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::value::Number;

    #[test]
    fn numbers_sort_as_their_bytes() {
        let texts = [
            "-1e10", "-123.5", "-123.45", "-123.4", "-1", "-0.5", "-0.001", "0", "0.001", "0.5",
            "1", "9.99", "10", "123.4", "123.45", "123.5", "1e10", "1e125",
        ];
        let keys: Vec<Vec<u8>> = texts
            .iter()
            .map(|t| Number::parse(t).expect(t).key_bytes())
            .collect();
        for (i, pair) in keys.windows(2).enumerate() {
            assert!(
                pair[0] < pair[1],
                "{} sorts before {}",
                texts[i],
                texts[i + 1]
            );
        }
        assert_eq!(
            Number::parse("1.50").expect("n").key_bytes(),
            Number::parse("15e-1").expect("n").key_bytes(),
            "equal numbers, equal keys"
        );
    }
}
