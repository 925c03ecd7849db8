//! Update expressions applied to items: the developer guide's examples on its ProductCatalog
//! item, exact arithmetic, and the refusals DynamoDB makes while applying one.

use serde_json::{Value, json};

use super::*;

fn apply(text: &str, names: &Names, values: &Values, item: &mut Item) -> Result<(), ExprError> {
    let mut expressions = Expressions::new(names, values)?;
    let update = expressions.update(text)?;
    expressions.finish()?;
    apply_update(&update, item, values)
}

/// The developer guide's update example item.
fn catalog() -> Item {
    item(json!({
        "Id": {"N": "789"},
        "ProductCategory": {"S": "Home Improvement"},
        "Price": {"N": "52"},
        "InStock": {"BOOL": true},
        "Brand": {"S": "Acme"},
        "Color": {"SS": ["Red", "Black", "Blue"]},
        "RelatedItems": {"L": [{"S": "Hammer"}, {"S": "Nails"}, {"S": "Screwdriver"}]},
        "ProductReviews": {"M": {"FiveStar": {"L": [{"S": "Best product ever!"}]}}}
    }))
}

#[test]
fn documented_updates_change_the_item_as_dynamodb_does() {
    let names = names(&[("#pr", "ProductReviews"), ("#ri", "RelatedItems")]);
    // (expression, values, attribute checked, its value afterwards or null for gone)
    let cases: &[(&str, Value, &str, Value)] = &[
        (
            "SET ProductCategory = :c",
            json!({":c": {"S": "Hardware"}}),
            "ProductCategory",
            json!({"S": "Hardware"}),
        ),
        (
            "SET #ri[1] = :ri",
            json!({":ri": {"S": "Nails, 100 count"}}),
            "RelatedItems",
            json!({"L": [{"S": "Hammer"}, {"S": "Nails, 100 count"}, {"S": "Screwdriver"}]}),
        ),
        (
            "SET #ri[7] = :ri",
            json!({":ri": {"S": "Pliers"}}),
            "RelatedItems",
            json!({"L": [{"S": "Hammer"}, {"S": "Nails"}, {"S": "Screwdriver"}, {"S": "Pliers"}]}),
        ),
        (
            "SET #ri[9] = :b, #ri[8] = :a",
            json!({":a": {"S": "A"}, ":b": {"S": "B"}}),
            "RelatedItems",
            json!({"L": [{"S": "Hammer"}, {"S": "Nails"}, {"S": "Screwdriver"}, {"S": "A"}, {"S": "B"}]}),
        ),
        (
            "SET #pr.FiveStar = list_append(#pr.FiveStar, :r)",
            json!({":r": {"L": [{"S": "Great!"}]}}),
            "ProductReviews",
            json!({"M": {"FiveStar": {"L": [{"S": "Best product ever!"}, {"S": "Great!"}]}}}),
        ),
        (
            "SET #pr.OneStar = :r",
            json!({":r": {"L": [{"S": "Meh"}]}}),
            "ProductReviews",
            json!({"M": {"FiveStar": {"L": [{"S": "Best product ever!"}]}, "OneStar": {"L": [{"S": "Meh"}]}}}),
        ),
        (
            "SET #ri = list_append(:vals, #ri)",
            json!({":vals": {"L": [{"S": "Chisel"}]}}),
            "RelatedItems",
            json!({"L": [{"S": "Chisel"}, {"S": "Hammer"}, {"S": "Nails"}, {"S": "Screwdriver"}]}),
        ),
        (
            "SET Price = Price - :p",
            json!({":p": {"N": "15"}}),
            "Price",
            json!({"N": "37"}),
        ),
        (
            "SET Price = :p + Price",
            json!({":p": {"N": "0.5"}}),
            "Price",
            json!({"N": "52.5"}),
        ),
        (
            "SET Price = if_not_exists(Price, :p)",
            json!({":p": {"N": "100"}}),
            "Price",
            json!({"N": "52"}),
        ),
        (
            "SET Discount = if_not_exists(Discount, :p)",
            json!({":p": {"N": "100"}}),
            "Discount",
            json!({"N": "100"}),
        ),
        ("REMOVE Brand, InStock", json!({}), "Brand", Value::Null),
        (
            "REMOVE #ri[1], #ri[2]",
            json!({}),
            "RelatedItems",
            json!({"L": [{"S": "Hammer"}]}),
        ),
        (
            "REMOVE #ri[0], #ri[9]",
            json!({}),
            "RelatedItems",
            json!({"L": [{"S": "Nails"}, {"S": "Screwdriver"}]}),
        ),
        ("REMOVE Nowhere", json!({}), "Nowhere", Value::Null),
        (
            "REMOVE #pr.Nowhere",
            json!({}),
            "ProductReviews",
            json!({"M": {"FiveStar": {"L": [{"S": "Best product ever!"}]}}}),
        ),
        (
            "ADD QuantityOnHand :q",
            json!({":q": {"N": "5"}}),
            "QuantityOnHand",
            json!({"N": "5"}),
        ),
        (
            "ADD Price :q",
            json!({":q": {"N": "-2"}}),
            "Price",
            json!({"N": "50"}),
        ),
        (
            "ADD Color :c",
            json!({":c": {"SS": ["Orange", "Purple", "Red"]}}),
            "Color",
            json!({"SS": ["Black", "Blue", "Orange", "Purple", "Red"]}),
        ),
        (
            "DELETE Color :p",
            json!({":p": {"SS": ["Yellow", "Red"]}}),
            "Color",
            json!({"SS": ["Black", "Blue"]}),
        ),
        // No empty sets: deleting the last elements removes the attribute.
        (
            "DELETE Color :p",
            json!({":p": {"SS": ["Red", "Black", "Blue"]}}),
            "Color",
            Value::Null,
        ),
        (
            "DELETE Nowhere :p",
            json!({":p": {"SS": ["Red"]}}),
            "Nowhere",
            Value::Null,
        ),
        // Every action reads the item as it was before the update.
        (
            "SET Brand = Price, Price = :p",
            json!({":p": {"N": "1"}}),
            "Brand",
            json!({"N": "52"}),
        ),
        (
            "SET Price = :p, Brand = Price",
            json!({":p": {"N": "1"}}),
            "Brand",
            json!({"N": "52"}),
        ),
        // Clauses in any order, keywords in any case.
        (
            "remove Brand set Price = :p add Tags :t delete Color :c",
            json!({":p": {"N": "1"}, ":t": {"SS": ["new"]}, ":c": {"SS": ["Red"]}}),
            "Tags",
            json!({"SS": ["new"]}),
        ),
    ];
    for (text, vals, attribute, after) in cases {
        let vals = values(vals.clone());
        let used: Names = names
            .iter()
            .filter(|(k, _)| text.contains(k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut it = catalog();
        apply(text, &used, &vals, &mut it).unwrap_or_else(|e| panic!("{text}: {e}"));
        let got = it
            .get(*attribute)
            .map(AttributeValue::to_json)
            .unwrap_or(Value::Null);
        assert_eq!(got, *after, "{text}");
    }
}

#[test]
fn thirty_eight_digit_arithmetic_is_exact() {
    let none = Names::new();
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "SET n = n + :v",
            "99999999999999999999999999999999999999",
            "1",
            "100000000000000000000000000000000000000",
        ),
        (
            "SET n = n - :v",
            "10000000000000000000000000000000000000",
            "1",
            "9999999999999999999999999999999999999",
        ),
        (
            "ADD n :v",
            "1234567890123456789012345678901234567.8",
            "0.1",
            "1234567890123456789012345678901234567.9",
        ),
        ("SET n = :v - n", "0.1", "0.3", "0.2"),
        (
            "SET n = n + :v",
            "1",
            "10000000000000000000000",
            "10000000000000000000001",
        ),
    ];
    for (text, n, v, after) in cases {
        let mut it = item(json!({"n": {"N": n}}));
        let vals = values(json!({":v": {"N": v}}));
        apply(text, &none, &vals, &mut it).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(
            it["n"].to_json(),
            json!({"N": after}),
            "{text} with n = {n}, :v = {v}"
        );
    }
}

#[test]
fn refusals_while_applying_leave_the_item_unchanged() {
    let none = Names::new();
    let one = names(&[("#1", "1")]);
    let existing = item(json!({
        "b": {"M": {"a": {"SS": ["1"]}}},
        "c": {"N": "1"},
        "d": {"NS": ["1"]},
        "s": {"S": "text"},
        "l": {"L": [{"S": "a"}]},
        "big": {"N": "9e125"},
        "wide": {"N": "1e50"}
    }));
    let vals = values(json!({
        ":a": {"SS": ["a"]},
        ":ss": {"SS": ["1"]},
        ":ns": {"NS": ["1"]},
        ":n": {"N": "1"},
        ":l": {"L": []},
        ":big": {"N": "9e125"},
    }));
    let missing = "The provided expression refers to an attribute that does not exist in the item";
    let invalid_path = "The document path provided in the update expression is invalid for update";
    let data_type = "An operand in the update expression has an incorrect data type";
    let overflow =
        "Number overflow. Attempting to store a number with magnitude larger than supported range";
    let cases: &[(&str, &Names, &str)] = &[
        ("SET x = nowhere", &none, missing),
        ("SET x = list_append(nowhere, :l)", &none, missing),
        ("SET x = nowhere + :n", &none, missing),
        ("SET nowhere.a = :n", &none, invalid_path),
        ("SET nowhere[1] = :n", &none, invalid_path),
        ("SET s.a = :n", &none, invalid_path),
        ("SET s[1] = :n", &none, invalid_path),
        ("SET b[1] = :n", &none, invalid_path),
        ("SET l.#1 = :n", &one, invalid_path),
        ("SET b.a.deeper = :n", &none, invalid_path),
        ("REMOVE nowhere.a", &none, invalid_path),
        ("REMOVE s[1]", &none, invalid_path),
        ("REMOVE b[1]", &none, invalid_path),
        ("DELETE nowhere.a :ss", &none, invalid_path),
        ("ADD b[1] :ss", &none, invalid_path),
        ("ADD l.#1 :ss", &one, invalid_path),
        ("DELETE d :ss", &none, data_type),
        ("DELETE b :ns", &none, data_type),
        ("DELETE b.a :ns", &none, data_type),
        ("DELETE c :ns", &none, data_type),
        ("ADD b :ns", &none, data_type),
        ("ADD d :n", &none, data_type),
        ("ADD s :n", &none, data_type),
        ("SET e = s + :n", &none, data_type),
        ("SET e = b - :n", &none, data_type),
        (
            "SET e = list_append(d, if_not_exists(f, :l))",
            &none,
            data_type,
        ),
        ("SET e = big + :big", &none, overflow),
        ("ADD big :big", &none, overflow),
        // 1E50 + 1 needs 51 digits; DynamoDB answers with its overflow message.
        ("SET wide = wide + :n", &none, overflow),
    ];
    for (text, names, message) in cases {
        let mut it = existing.clone();
        let mut expressions = Expressions::new(names, &vals).expect("valid placeholders");
        let update = expressions
            .update(text)
            .unwrap_or_else(|e| panic!("{text}: {e}"));
        let err = apply_update(&update, &mut it, &vals).expect_err(text);
        assert_eq!(err.to_string(), *message, "{text}");
        assert_eq!(it, existing, "{text} left the item as it was");
    }
}

#[test]
fn an_update_of_no_item_starts_from_an_empty_one() {
    let none = Names::new();
    let vals = values(json!({":one": {"N": "1"}, ":now": {"S": "INPROGRESS"}}));
    let mut it = Item::new();
    apply(
        "SET hits = if_not_exists(hits, :one), st = :now ADD visits :one",
        &none,
        &vals,
        &mut it,
    )
    .expect("applies");
    assert_eq!(
        it,
        item(json!({"hits": {"N": "1"}, "st": {"S": "INPROGRESS"}, "visits": {"N": "1"}}))
    );
}
