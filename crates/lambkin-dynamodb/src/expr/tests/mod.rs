//! The expression language from the developer guide's examples and DynamoDB's refusals, as
//! tables: parsing and its errors (`errors.rs`), conditions over an item (`conditions.rs`),
//! updates (`updates.rs`), projections (`projections.rs`) and Query key conditions
//! (`key_conditions.rs`).

mod conditions;
mod errors;
mod key_conditions;
mod projections;
mod updates;

use serde_json::{Value, json};

use super::*;
use crate::value::{AttributeValue, Item};

/// An item from DynamoDB's JSON (`{"a": {"S": "x"}}`).
fn item(json: Value) -> Item {
    serde_json::from_value(json).expect("an item in DynamoDB JSON")
}

fn values(json: Value) -> Values {
    let Value::Object(map) = json else {
        panic!("values must be an object")
    };
    values_from_json(&map).expect("valid values")
}

fn names(pairs: &[(&str, &str)]) -> Names {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The ProductCatalog item of the developer guide's expression examples.
fn product() -> Item {
    item(json!({
        "Id": {"N": "123"},
        "Title": {"S": "Bicycle 123"},
        "Description": {"S": "123 description"},
        "BicycleType": {"S": "Hybrid"},
        "Brand": {"S": "Brand-Company C"},
        "Price": {"N": "500"},
        "Color": {"SS": ["Red", "Black"]},
        "ProductCategory": {"S": "Bicycle"},
        "InStock": {"BOOL": true},
        "QuantityOnHand": {"NULL": true},
        "RelatedItems": {"L": [{"N": "341"}, {"N": "472"}, {"N": "649"}]},
        "Pictures": {"M": {
            "FrontView": {"S": "http://example.com/products/123_front.jpg"},
            "RearView": {"S": "http://example.com/products/123_rear.jpg"},
            "SideView": {"S": "http://example.com/products/123_left_side.jpg"}
        }},
        "ProductReviews": {"M": {
            "FiveStar": {"L": [
                {"S": "Excellent! Can't recommend it highly enough! Buy it!"},
                {"S": "Do yourself a favor and buy this."}
            ]},
            "OneStar": {"L": [{"S": "Terrible product! Do not buy this."}]}
        }},
        "Comment": {"S": "This product sells out quickly during the summer"},
        "Safety.Warning": {"S": "Always wear a helmet"}
    }))
}

/// Parses a condition the way a request does, unused placeholders included.
fn condition(
    kind: ExprKind,
    text: &str,
    names: &Names,
    values: &Values,
) -> Result<Condition, ExprError> {
    let mut expressions = Expressions::new(names, values)?;
    let parsed = expressions.condition(kind, text)?;
    expressions.finish()?;
    Ok(parsed)
}
