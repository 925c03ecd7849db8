//! Query key conditions read against a key schema: what is queried, and DynamoDB's refusals.

use serde_json::json;

use super::*;

const TABLE: KeySchema<'static> = KeySchema {
    partition_key: "pk",
    sort_key: Some("sk"),
};
const HASH_ONLY: KeySchema<'static> = KeySchema {
    partition_key: "pk",
    sort_key: None,
};

fn vals() -> Values {
    values(json!({
        ":p": {"S": "user#1"},
        ":a": {"S": "2024-01"},
        ":b": {"S": "2024-12"},
        ":n": {"N": "1"},
    }))
}

fn read(text: &str, schema: &KeySchema<'_>) -> Result<KeyCondition, String> {
    let values = vals();
    let names = names(&[("#pk", "pk")]);
    let mut expressions = Expressions::new(&names, &values).map_err(|e| e.to_string())?;
    let parsed = expressions
        .condition(ExprKind::KeyCondition, text)
        .map_err(|e| e.to_string())?;
    key_condition(&parsed, schema, &values).map_err(|e| e.to_string())
}

#[test]
fn key_conditions_name_a_partition_and_a_sort_key_range() {
    let s = |v: &str| AttributeValue::S(v.to_owned());
    let cases: &[(&str, Option<SortKeyCondition>)] = &[
        ("pk = :p", None),
        ("#pk = :p", None),
        (":p = pk", None),
        (
            "pk = :p AND sk = :a",
            Some(SortKeyCondition::Eq(s("2024-01"))),
        ),
        (
            "sk < :a AND pk = :p",
            Some(SortKeyCondition::Lt(s("2024-01"))),
        ),
        (
            "pk = :p and sk <= :a",
            Some(SortKeyCondition::Le(s("2024-01"))),
        ),
        (
            "pk = :p AND sk > :a",
            Some(SortKeyCondition::Gt(s("2024-01"))),
        ),
        (
            "pk = :p AND sk >= :a",
            Some(SortKeyCondition::Ge(s("2024-01"))),
        ),
        // A value on the left turns the comparison round.
        (
            "pk = :p AND :a < sk",
            Some(SortKeyCondition::Gt(s("2024-01"))),
        ),
        (
            "pk = :p AND :a >= sk",
            Some(SortKeyCondition::Le(s("2024-01"))),
        ),
        (
            "pk = :p AND sk BETWEEN :a AND :b",
            Some(SortKeyCondition::Between(s("2024-01"), s("2024-12"))),
        ),
        (
            "pk = :p AND begins_with(sk, :a)",
            Some(SortKeyCondition::BeginsWith(s("2024-01"))),
        ),
        (
            "(pk = :p) AND (begins_with(sk, :a))",
            Some(SortKeyCondition::BeginsWith(s("2024-01"))),
        ),
    ];
    for (text, sort) in cases {
        let got = read(text, &TABLE).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(got.partition, s("user#1"), "{text}");
        assert_eq!(got.sort, *sort, "{text}");
    }
}

#[test]
fn sort_key_conditions_match_as_queries_do() {
    let s = |v: &str| AttributeValue::S(v.to_owned());
    let n = |v: &str| AttributeValue::N(v.parse().expect("a number"));
    let cases: &[(SortKeyCondition, AttributeValue, bool)] = &[
        (SortKeyCondition::Eq(n("1.0")), n("1"), true),
        (SortKeyCondition::Lt(n("10")), n("9"), true),
        (SortKeyCondition::Lt(s("10")), s("9"), false),
        (SortKeyCondition::Le(s("b")), s("b"), true),
        (SortKeyCondition::Gt(n("-1")), n("0"), true),
        (SortKeyCondition::Ge(s("b")), s("a"), false),
        (
            SortKeyCondition::Between(s("2024-01"), s("2024-12")),
            s("2024-06-01"),
            true,
        ),
        (
            SortKeyCondition::Between(s("2024-01"), s("2024-12")),
            s("2024-12-01"),
            false,
        ),
        (
            SortKeyCondition::BeginsWith(s("order#")),
            s("order#42"),
            true,
        ),
        (
            SortKeyCondition::BeginsWith(s("order#")),
            s("user#42"),
            false,
        ),
        (
            SortKeyCondition::BeginsWith(AttributeValue::B(vec![1])),
            AttributeValue::B(vec![1, 2]),
            true,
        ),
        // A key of another type than the condition's never matches.
        (SortKeyCondition::Eq(s("1")), n("1"), false),
    ];
    for (condition, key, matches) in cases {
        assert_eq!(condition.matches(key), *matches, "{condition:?} on {key:?}");
    }
}

#[test]
fn key_conditions_dynamodb_refuses() {
    let cases: &[(&str, &KeySchema<'static>, &str)] = &[
        (
            "pk = :p OR sk = :a",
            &TABLE,
            "Invalid operator used in KeyConditionExpression: OR",
        ),
        (
            "NOT pk = :p",
            &TABLE,
            "Invalid operator used in KeyConditionExpression: NOT",
        ),
        (
            "pk IN (:p, :a)",
            &TABLE,
            "Invalid operator used in KeyConditionExpression: IN",
        ),
        (
            "pk <> :p",
            &TABLE,
            "Invalid operator used in KeyConditionExpression: <>",
        ),
        (
            "pk = :p AND attribute_exists(sk)",
            &TABLE,
            "Invalid operator used in KeyConditionExpression: attribute_exists",
        ),
        (
            "attribute_not_exists(pk)",
            &TABLE,
            "Invalid operator used in KeyConditionExpression: attribute_not_exists",
        ),
        (
            "pk = :p AND contains(sk, :a)",
            &TABLE,
            "Invalid operator used in KeyConditionExpression: contains",
        ),
        (
            ":a BETWEEN sk AND :b AND pk = :p",
            &TABLE,
            "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand",
        ),
        (
            "begins_with(:a, sk) AND pk = :p",
            &TABLE,
            "Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand",
        ),
        (
            "size(sk) > :n AND pk = :p",
            &TABLE,
            "KeyConditionExpressions cannot contain nested operations",
        ),
        (
            "pk = :p AND sk BETWEEN size(a) AND size(b)",
            &TABLE,
            "KeyConditionExpressions cannot contain nested operations",
        ),
        (
            "pk = sk",
            &TABLE,
            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition",
        ),
        (
            "pk = :p AND sk BETWEEN a AND :b",
            &TABLE,
            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition",
        ),
        (
            "pk = :p AND begins_with(sk, a)",
            &TABLE,
            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition",
        ),
        (
            "pk.a = :p",
            &TABLE,
            "KeyConditionExpressions cannot have conditions on nested attributes",
        ),
        (
            "pk[0] = :p",
            &TABLE,
            "KeyConditionExpressions cannot have conditions on nested attributes",
        ),
        (
            ":p = :a AND pk = :p",
            &TABLE,
            "Invalid condition in KeyConditionExpression: No key attribute specified",
        ),
        (
            "sk > :a AND sk < :b AND pk = :p",
            &TABLE,
            "KeyConditionExpressions must only contain one condition per key",
        ),
        (
            ":p = pk AND sk = :a AND :a = c",
            &TABLE,
            "Conditions can be of length 1 or 2 only",
        ),
        (
            "sk = :a",
            &TABLE,
            "Query condition missed key schema element: pk",
        ),
        (
            "z = :p",
            &HASH_ONLY,
            "Query condition missed key schema element: pk",
        ),
        (
            "pk = :p AND c = :a",
            &TABLE,
            "Query condition missed key schema element: sk",
        ),
        ("pk > :p", &HASH_ONLY, "Query key condition not supported"),
        (
            "begins_with(pk, :p)",
            &TABLE,
            "Query key condition not supported",
        ),
        (
            "pk BETWEEN :a AND :b",
            &TABLE,
            "Query key condition not supported",
        ),
        (
            "pk = :p AND sk = :a",
            &HASH_ONLY,
            "Query key condition not supported",
        ),
        (
            "y = :p and z = :a",
            &HASH_ONLY,
            "Query key condition not supported",
        ),
    ];
    for (text, schema, message) in cases {
        assert_eq!(
            read(text, schema).map(|_| ()),
            Err((*message).to_owned()),
            "{text}"
        );
    }
}
