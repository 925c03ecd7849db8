//! The JSON wire form of a value: an object with exactly one type member — `{"S":"x"}`,
//! `{"N":"1.5"}` (numbers as strings), `{"B":"<base64>"}`, `{"BOOL":true}`, `{"NULL":true}`,
//! `{"L":[…]}`, `{"M":{…}}`, and sets as arrays of those strings. Reading checks what DynamoDB
//! checks, in its order: each member's value first, then how many members there are.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::{AttributeType, AttributeValue, Number, ValueError};

impl AttributeValue {
    /// Reads and checks a value in DynamoDB's JSON form.
    pub fn from_json(json: &Value) -> Result<AttributeValue, ValueError> {
        let Value::Object(members) = json else {
            return Err(malformed("an attribute value must be a JSON object"));
        };
        let mut found = None;
        let mut count = 0;
        // Members in the model's order, each checked before the count is.
        for ty in [
            AttributeType::S,
            AttributeType::N,
            AttributeType::B,
            AttributeType::Ss,
            AttributeType::Ns,
            AttributeType::Bs,
            AttributeType::M,
            AttributeType::L,
            AttributeType::Null,
            AttributeType::Bool,
        ] {
            if let Some(member) = members.get(ty.code()) {
                let value = member_value(ty, member)?;
                count += 1;
                found.get_or_insert(value);
            }
        }
        match (count, found) {
            (1, Some(value)) => Ok(value),
            (0, _) | (_, None) => Err(ValueError::Empty),
            _ => Err(ValueError::MoreThanOneType),
        }
    }

    /// The value in DynamoDB's JSON form, numbers normalized, binaries in base64.
    pub fn to_json(&self) -> Value {
        let (ty, member) = match self {
            AttributeValue::S(s) => ("S", Value::String(s.clone())),
            AttributeValue::N(n) => ("N", Value::String(n.to_string())),
            AttributeValue::B(b) => ("B", Value::String(STANDARD.encode(b))),
            AttributeValue::Bool(b) => ("BOOL", Value::Bool(*b)),
            AttributeValue::Null => ("NULL", Value::Bool(true)),
            AttributeValue::L(items) => ("L", items.iter().map(AttributeValue::to_json).collect()),
            AttributeValue::M(map) => (
                "M",
                Value::Object(map.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
            ),
            AttributeValue::Ss(set) => ("SS", set.iter().cloned().map(Value::String).collect()),
            AttributeValue::Ns(set) => (
                "NS",
                set.iter().map(|n| Value::String(n.to_string())).collect(),
            ),
            AttributeValue::Bs(set) => (
                "BS",
                set.iter()
                    .map(|b| Value::String(STANDARD.encode(b)))
                    .collect(),
            ),
        };
        let mut object = Map::new();
        object.insert(ty.to_owned(), member);
        Value::Object(object)
    }
}

fn malformed(what: &str) -> ValueError {
    ValueError::Malformed(what.to_owned())
}

fn member_value(ty: AttributeType, member: &Value) -> Result<AttributeValue, ValueError> {
    Ok(match ty {
        AttributeType::S => AttributeValue::S(string(member)?.to_owned()),
        AttributeType::N => AttributeValue::N(Number::parse(string(member)?)?),
        AttributeType::B => AttributeValue::B(binary(member)?),
        AttributeType::Bool => AttributeValue::Bool(
            member
                .as_bool()
                .ok_or_else(|| malformed("BOOL must be a JSON boolean"))?,
        ),
        AttributeType::Null => match member.as_bool() {
            Some(true) => AttributeValue::Null,
            Some(false) => return Err(ValueError::NullNotTrue),
            None => return Err(malformed("NULL must be a JSON boolean")),
        },
        AttributeType::L => AttributeValue::L(
            array(member)?
                .iter()
                .map(AttributeValue::from_json)
                .collect::<Result<_, _>>()?,
        ),
        AttributeType::M => {
            let Value::Object(members) = member else {
                return Err(malformed("M must be a JSON object"));
            };
            AttributeValue::M(
                members
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), AttributeValue::from_json(v)?)))
                    .collect::<Result<BTreeMap<_, _>, ValueError>>()?,
            )
        }
        AttributeType::Ss => {
            let items = array(member)?
                .iter()
                .map(|v| string(v).map(str::to_owned))
                .collect::<Result<Vec<_>, _>>()?;
            if items.is_empty() {
                return Err(ValueError::EmptyStringSet);
            }
            let set: BTreeSet<String> = items.iter().cloned().collect();
            if set.len() != items.len() {
                return Err(ValueError::DuplicateStrings(items));
            }
            AttributeValue::Ss(set)
        }
        AttributeType::Ns => {
            let items = array(member)?
                .iter()
                .map(|v| Number::parse(string(v)?))
                .collect::<Result<Vec<_>, _>>()?;
            if items.is_empty() {
                return Err(ValueError::EmptyNumberSet);
            }
            let set: BTreeSet<Number> = items.iter().cloned().collect();
            if set.len() != items.len() {
                return Err(ValueError::DuplicateNumbers);
            }
            AttributeValue::Ns(set)
        }
        AttributeType::Bs => {
            let texts = array(member)?;
            let items = texts.iter().map(binary).collect::<Result<Vec<_>, _>>()?;
            if items.is_empty() {
                return Err(ValueError::EmptyBinarySet);
            }
            let set: BTreeSet<Vec<u8>> = items.iter().cloned().collect();
            if set.len() != items.len() {
                let shown = texts
                    .iter()
                    .map(|t| t.as_str().unwrap_or_default().to_owned())
                    .collect();
                return Err(ValueError::DuplicateBinaries(shown));
            }
            AttributeValue::Bs(set)
        }
    })
}

fn string(member: &Value) -> Result<&str, ValueError> {
    member
        .as_str()
        .ok_or_else(|| malformed("expected a JSON string"))
}

fn array(member: &Value) -> Result<&Vec<Value>, ValueError> {
    member
        .as_array()
        .ok_or_else(|| malformed("expected a JSON array"))
}

fn binary(member: &Value) -> Result<Vec<u8>, ValueError> {
    STANDARD
        .decode(string(member)?)
        .map_err(|e| ValueError::Malformed(format!("Base64 encoded length is invalid: {e}")))
}

impl Serialize for AttributeValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for AttributeValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<AttributeValue, D::Error> {
        let json = Value::deserialize(deserializer)?;
        AttributeValue::from_json(&json).map_err(D::Error::custom)
    }
}
