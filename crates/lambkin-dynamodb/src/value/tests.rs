//! Values on the wire, their refusals with DynamoDB's messages, their order, and their sizes.

use serde_json::{Value, json};

use super::*;

fn value(json: Value) -> AttributeValue {
    AttributeValue::from_json(&json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

#[test]
fn values_round_trip_through_the_wire_form() {
    // (sent, as DynamoDB sends it back)
    let cases: &[(Value, Value)] = &[
        (json!({"S": "x"}), json!({"S": "x"})),
        (json!({"S": ""}), json!({"S": ""})),
        (json!({"N": "1.50"}), json!({"N": "1.5"})),
        (json!({"B": "aGk="}), json!({"B": "aGk="})),
        (json!({"BOOL": false}), json!({"BOOL": false})),
        (json!({"NULL": true}), json!({"NULL": true})),
        (
            json!({"L": [{"N": "1"}, {"S": "a"}]}),
            json!({"L": [{"N": "1"}, {"S": "a"}]}),
        ),
        (
            json!({"M": {"a": {"M": {"b": {"N": "2.0"}}}}}),
            json!({"M": {"a": {"M": {"b": {"N": "2"}}}}}),
        ),
        (json!({"SS": ["b", "a"]}), json!({"SS": ["a", "b"]})),
        (json!({"NS": ["10", "9.0"]}), json!({"NS": ["9", "10"]})),
        (
            json!({"BS": ["Yg==", "YQ=="]}),
            json!({"BS": ["YQ==", "Yg=="]}),
        ),
        // AWS allows empty strings and binaries inside sets (not empty sets).
        (json!({"SS": [""]}), json!({"SS": [""]})),
    ];
    for (sent, back) in cases {
        let v = value(sent.clone());
        assert_eq!(v.to_json(), *back, "{sent}");
        assert_eq!(value(back.clone()), v, "{sent} read back");
        let through_serde: AttributeValue =
            serde_json::from_value(sent.clone()).expect("serde reads it");
        assert_eq!(through_serde, v);
        assert_eq!(serde_json::to_value(&v).expect("serde writes it"), *back);
    }
}

#[test]
fn refused_values_get_dynamodb_messages() {
    let empty =
        "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes";
    let invalid = "One or more parameter values were invalid: ";
    let cases: &[(Value, String)] = &[
        (json!({}), empty.to_owned()),
        (json!({"a": ""}), empty.to_owned()),
        (json!({"M": {"a": {}}}), empty.to_owned()),
        (json!({"L": [{}]}), empty.to_owned()),
        (
            json!({"S": "a", "N": "1"}),
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes".to_owned(),
        ),
        // Each member's value is checked before the number of members.
        (
            json!({"S": "a", "N": "b"}),
            "The parameter cannot be converted to a numeric value: b".to_owned(),
        ),
        (
            json!({"NULL": false}),
            format!("{invalid}Null attribute value types must have the value of true"),
        ),
        (json!({"SS": []}), format!("{invalid}An string set  may not be empty")),
        (json!({"NS": []}), format!("{invalid}An number set  may not be empty")),
        (json!({"BS": []}), format!("{invalid}Binary sets should not be empty")),
        (
            json!({"SS": ["a", "a"]}),
            format!("{invalid}Input collection [a, a] contains duplicates."),
        ),
        (
            json!({"BS": ["Yg==", "Yg=="]}),
            format!("{invalid}Input collection [Yg==, Yg==]of type BS contains duplicates."),
        ),
        (json!({"NS": ["1", "1.0"]}), "Input collection contains duplicates".to_owned()),
        (
            json!({"NS": ["1", ""]}),
            "The parameter cannot be converted to a numeric value".to_owned(),
        ),
        (
            json!({"N": "1e126"}),
            "Number overflow. Attempting to store a number with magnitude larger than supported range".to_owned(),
        ),
    ];
    for (json, message) in cases {
        let err = AttributeValue::from_json(json).expect_err(&json.to_string());
        assert_eq!(err.to_string(), *message, "{json}");
        assert!(!err.is_serialization(), "{json}");
    }
}

#[test]
fn json_of_the_wrong_shape_is_a_serialization_error() {
    for json in [
        json!({"N": 123}),
        json!({"S": 1}),
        json!("x"),
        json!({"B": "not base64!"}),
        json!({"BOOL": "true"}),
        json!({"SS": "a"}),
    ] {
        let err = AttributeValue::from_json(&json).expect_err(&json.to_string());
        assert!(err.is_serialization(), "{json}: {err}");
    }
}

#[test]
fn only_strings_numbers_and_binaries_of_one_type_are_ordered() {
    use std::cmp::Ordering::*;
    let cases: &[(Value, Value, Option<std::cmp::Ordering>)] = &[
        (json!({"S": "a"}), json!({"S": "b"}), Some(Less)),
        // UTF-8 byte order: "Z" (0x5A) before "a" (0x61), "é" after both.
        (json!({"S": "Z"}), json!({"S": "a"}), Some(Less)),
        (json!({"S": "é"}), json!({"S": "z"}), Some(Greater)),
        (json!({"N": "10"}), json!({"N": "9"}), Some(Greater)),
        (json!({"N": "-1"}), json!({"N": "-1.0"}), Some(Equal)),
        // Unsigned bytes: 0xFF sorts after 0x01.
        (json!({"B": "/w=="}), json!({"B": "AQ=="}), Some(Greater)),
        (json!({"S": "1"}), json!({"N": "1"}), None),
        (json!({"BOOL": true}), json!({"BOOL": false}), None),
        (json!({"SS": ["a"]}), json!({"SS": ["a"]}), None),
    ];
    for (a, b, order) in cases {
        assert_eq!(
            value(a.clone()).compare(&value(b.clone())),
            *order,
            "{a} vs {b}"
        );
    }
}

#[test]
fn sizes_follow_the_developer_guide() {
    let cases: &[(Value, usize)] = &[
        (json!({"S": "abc"}), 3),
        (json!({"S": "é"}), 2),
        (json!({"B": "AAEC"}), 3),
        (json!({"N": "0"}), 2),
        (json!({"N": "1"}), 2),
        (json!({"N": "12"}), 2),
        (json!({"N": "123"}), 3),
        // Leading and trailing zeros are not counted.
        (json!({"N": "0.00012300"}), 3),
        (json!({"N": "12345678901234567890123456789012345678"}), 20),
        (json!({"BOOL": true}), 1),
        (json!({"NULL": true}), 1),
        (json!({"L": []}), 3),
        (json!({"M": {}}), 3),
        (
            json!({"L": [{"S": "ab"}, {"BOOL": true}]}),
            3 + (1 + 2) + (1 + 1),
        ),
        (json!({"M": {"k": {"S": "ab"}}}), 3 + 1 + 1 + 2),
        (json!({"SS": ["a", "bc"]}), 3),
        (json!({"NS": ["1", "123"]}), 2 + 3),
    ];
    for (json, size) in cases {
        assert_eq!(value_size(&value(json.clone())), *size, "{json}");
    }
    let item: Item = [
        ("id".to_owned(), value(json!({"S": "abc"}))),
        ("n".to_owned(), value(json!({"N": "42"}))),
    ]
    .into();
    assert_eq!(item_size(&item), (2 + 3) + (1 + 2));
}

#[test]
fn the_item_limit_is_400_kb_of_names_and_values() {
    let at_limit: Item = [(
        "a".to_owned(),
        AttributeValue::S("x".repeat(MAX_ITEM_SIZE - 1)),
    )]
    .into();
    assert_eq!(item_size(&at_limit), MAX_ITEM_SIZE);
    assert_eq!(check_item_size(&at_limit), Ok(()));
    let over: Item = [(
        "ab".to_owned(),
        AttributeValue::S("x".repeat(MAX_ITEM_SIZE - 1)),
    )]
    .into();
    assert_eq!(
        check_item_size(&over).map_err(|e| e.to_string()),
        Err("Item size has exceeded the maximum allowed size".to_owned())
    );
}

#[test]
fn type_names_have_both_spellings() {
    for ty in AttributeType::ALL {
        assert_eq!(AttributeType::from_code(ty.code()), Some(ty));
    }
    assert_eq!(AttributeType::Bool.code(), "BOOL");
    assert_eq!(AttributeType::S.long_name(), "STRING");
    assert_eq!(AttributeType::from_code("bool"), None);
}
