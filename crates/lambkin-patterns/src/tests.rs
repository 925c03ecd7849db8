//! The examples of EventBridge's "content filtering" and "event patterns" documentation, as
//! tables: a pattern, an event, and whether it matches; then the patterns EventBridge refuses.

use serde_json::{Value, json};

use crate::Pattern;

/// The EC2 state-change event of AWS's examples, with the fields the other examples use.
fn ec2_event() -> Value {
    json!({
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": "EC2 Instance State-change Notification",
        "source": "aws.ec2",
        "account": "111122223333",
        "time": "2017-12-22T18:43:48Z",
        "region": "us-west-1",
        "resources": [
            "arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"
        ],
        "detail": {
            "instance-id": "i-1234567890abcdef0",
            "state": "terminated",
            "c-count": 5,
            "d-count": 3,
            "x-limit": 301.8,
            "source-ip": "10.0.0.123",
            "responseElements": null,
            "FileName": "Photo.PNG",
            "tags": ["prod", "web"],
            "items": [{"sku": "a-1", "qty": 2}, {"sku": "b-2", "qty": 0}]
        }
    })
}

#[test]
fn documented_patterns_match_as_eventbridge_matches_them() {
    let event = ec2_event();
    let cases: &[(&str, Value, bool)] = &[
        ("exact source", json!({"source": ["aws.ec2"]}), true),
        ("exact, another value", json!({"source": ["aws.s3"]}), false),
        (
            "one of several values",
            json!({"detail": {"state": ["stopped", "terminated"]}}),
            true,
        ),
        (
            "every field must match",
            json!({"source": ["aws.ec2"], "detail": {"state": ["stopped"]}}),
            false,
        ),
        (
            "a field the event lacks",
            json!({"detail": {"nope": ["x"]}}),
            false,
        ),
        (
            "an array in the event: any element",
            json!({"resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"]}),
            true,
        ),
        ("array element", json!({"detail": {"tags": ["web"]}}), true),
        (
            "arrays of objects",
            json!({"detail": {"items": {"sku": ["b-2"]}}}),
            true,
        ),
        (
            "arrays of objects, no element",
            json!({"detail": {"items": {"sku": ["c-3"]}}}),
            false,
        ),
        ("prefix", json!({"source": [{"prefix": "aws."}]}), true),
        (
            "prefix, no",
            json!({"source": [{"prefix": "custom."}]}),
            false,
        ),
        (
            "prefix ignoring case",
            json!({"detail": {"state": [{"prefix": {"equals-ignore-case": "TERM"}}]}}),
            true,
        ),
        (
            "suffix",
            json!({"detail": {"FileName": [{"suffix": ".PNG"}]}}),
            true,
        ),
        (
            "suffix is case-sensitive",
            json!({"detail": {"FileName": [{"suffix": ".png"}]}}),
            false,
        ),
        (
            "suffix ignoring case",
            json!({"detail": {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}}),
            true,
        ),
        (
            "equals-ignore-case",
            json!({"detail": {"state": [{"equals-ignore-case": "TERMINATED"}]}}),
            true,
        ),
        (
            "anything-but a value",
            json!({"detail": {"state": [{"anything-but": "initializing"}]}}),
            true,
        ),
        (
            "anything-but the value",
            json!({"detail": {"state": [{"anything-but": "terminated"}]}}),
            false,
        ),
        (
            "anything-but a list",
            json!({"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}),
            true,
        ),
        (
            "anything-but numbers",
            json!({"detail": {"c-count": [{"anything-but": [1, 5]}]}}),
            false,
        ),
        (
            "anything-but a prefix",
            json!({"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}),
            true,
        ),
        (
            "anything-but a prefix, no",
            json!({"detail": {"state": [{"anything-but": {"prefix": "term"}}]}}),
            false,
        ),
        (
            "anything-but a suffix",
            json!({"detail": {"FileName": [{"anything-but": {"suffix": ".txt"}}]}}),
            true,
        ),
        (
            "anything-but ignoring case",
            json!({"detail": {"state": [{"anything-but": {"equals-ignore-case": ["TERMINATED"]}}]}}),
            false,
        ),
        (
            "anything-but a wildcard",
            json!({"detail": {"FileName": [{"anything-but": {"wildcard": "*.PNG"}}]}}),
            false,
        ),
        (
            "anything-but needs the field",
            json!({"detail": {"nope": [{"anything-but": "x"}]}}),
            false,
        ),
        (
            "numeric range",
            json!({"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}]}}),
            true,
        ),
        (
            "numeric below",
            json!({"detail": {"d-count": [{"numeric": ["<", 10]}]}}),
            true,
        ),
        (
            "numeric equal, in exponent form",
            json!({"detail": {"x-limit": [{"numeric": ["=", 3.018e2]}]}}),
            true,
        ),
        (
            "numeric outside",
            json!({"detail": {"c-count": [{"numeric": [">", 5]}]}}),
            false,
        ),
        (
            "numeric on a string",
            json!({"detail": {"state": [{"numeric": [">", 0]}]}}),
            false,
        ),
        (
            "the three numeric examples together",
            json!({"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}], "d-count": [{"numeric": ["<", 10]}], "x-limit": [{"numeric": ["=", 3.018e2]}]}}),
            true,
        ),
        (
            "a literal number",
            json!({"detail": {"c-count": [5.0]}}),
            true,
        ),
        (
            "a literal number is not its string",
            json!({"detail": {"c-count": ["5"]}}),
            false,
        ),
        (
            "cidr",
            json!({"detail": {"source-ip": [{"cidr": "10.0.0.0/24"}]}}),
            true,
        ),
        (
            "cidr outside",
            json!({"detail": {"source-ip": [{"cidr": "10.0.1.0/24"}]}}),
            false,
        ),
        (
            "exists",
            json!({"detail": {"state": [{"exists": true}]}}),
            true,
        ),
        (
            "exists, absent",
            json!({"detail": {"nope": [{"exists": true}]}}),
            false,
        ),
        (
            "does not exist",
            json!({"detail": {"nope": [{"exists": false}]}}),
            true,
        ),
        (
            "does not exist, present",
            json!({"detail": {"state": [{"exists": false}]}}),
            false,
        ),
        (
            "exists only on leaves",
            json!({"detail": {"items": [{"exists": true}]}}),
            false,
        ),
        (
            "null",
            json!({"detail": {"responseElements": [null]}}),
            true,
        ),
        (
            "null is not empty",
            json!({"detail": {"responseElements": [""]}}),
            false,
        ),
        (
            "wildcard",
            json!({"resources": [{"wildcard": "arn:aws:ec2:*:123456789012:instance/*"}]}),
            true,
        ),
        (
            "wildcard, no",
            json!({"resources": [{"wildcard": "arn:aws:s3:::*"}]}),
            false,
        ),
        (
            "wildcard escapes",
            json!({"source": [{"wildcard": "aws\\*ec2"}]}),
            false,
        ),
        (
            "$or of fields",
            json!({"detail": {"$or": [{"c-count": [{"numeric": [">", 10]}]}, {"d-count": [{"numeric": ["<", 10]}]}]}}),
            true,
        ),
        (
            "$or, none",
            json!({"detail": {"$or": [{"c-count": [{"numeric": [">", 10]}]}, {"state": ["stopped"]}]}}),
            false,
        ),
        (
            "$or at the top, with other fields",
            json!({"source": ["aws.ec2"], "$or": [{"detail-type": ["nope"]}, {"detail": {"state": ["terminated"]}}]}),
            true,
        ),
        (
            "$or with the other field failing",
            json!({"source": ["aws.s3"], "$or": [{"detail-type": ["nope"]}, {"detail": {"state": ["terminated"]}}]}),
            false,
        ),
        (
            "nested object on a leaf",
            json!({"source": {"x": ["y"]}}),
            false,
        ),
    ];
    for (name, pattern, want) in cases {
        let p = Pattern::from_value(pattern).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(p.matches(&event), *want, "{name}: {pattern}");
    }
}

#[test]
fn patterns_eventbridge_refuses() {
    let cases: &[(&str, &str)] = &[
        (r#"["aws.ec2"]"#, "Filter is not an object"),
        (
            r#"{"source": "aws.ec2"}"#,
            "\"source\" must be an object or an array",
        ),
        (r#"{"source": []}"#, "Empty arrays are not allowed"),
        (
            r#"{"source": [["a"]]}"#,
            "Match value must be String, number, true, false, or null",
        ),
        (r#"{"a": [{"foo": 1}]}"#, "Unrecognized match type foo"),
        (
            r#"{"a": [{"prefix": "x", "suffix": "y"}]}"#,
            "exactly one field",
        ),
        (
            r#"{"a": [{"prefix": 1}]}"#,
            "prefix match pattern must be a string",
        ),
        (
            r#"{"a": [{"suffix": {"other": "x"}}]}"#,
            "suffix match pattern must be a string",
        ),
        (
            r#"{"a": [{"exists": "yes"}]}"#,
            "exists match pattern must be either true or false.",
        ),
        (
            r#"{"a": [{"numeric": [">", "x"]}]}"#,
            "Value of > must be numeric",
        ),
        (
            r#"{"a": [{"numeric": [">", 1, ">", 2]}]}"#,
            "two bounds on one side",
        ),
        (
            r#"{"a": [{"numeric": ["<", 1, ">", 2]}]}"#,
            "Bottom must be less than top",
        ),
        (
            r#"{"a": [{"numeric": ["~", 1]}]}"#,
            "Unrecognized numeric range operator: ~",
        ),
        (
            r#"{"a": [{"numeric": [">", 6e9]}]}"#,
            "between -5.0E9 and 5.0E9",
        ),
        (
            r#"{"a": [{"numeric": ["=", 1, "<", 2]}]}"#,
            "= takes one value alone",
        ),
        (
            r#"{"a": [{"cidr": "10.0.0.0/33"}]}"#,
            "Nonstandard IP address: 10.0.0.0/33",
        ),
        (r#"{"a": [{"cidr": "10.0.0.0"}]}"#, "Nonstandard IP address"),
        (
            r#"{"a": [{"wildcard": "a**b"}]}"#,
            "Consecutive wildcard characters at pos 2",
        ),
        (
            r#"{"a": [{"wildcard": "a\\b"}]}"#,
            "Invalid escape character at pos 1",
        ),
        (r#"{"a": [{"anything-but": null}]}"#, "Inside anything-but"),
        (
            r#"{"a": [{"anything-but": {"numeric": [">", 1]}}]}"#,
            "Unsupported anything-but pattern: numeric",
        ),
        (
            r#"{"$or": [{"a": [1]}]}"#,
            "\"$or\" must be an array of at least two patterns",
        ),
        ("{not json", "the pattern is not JSON"),
    ];
    for (pattern, reason) in cases {
        let err = Pattern::parse(pattern).expect_err(pattern).to_string();
        assert!(
            err.starts_with("Event pattern is not valid. Reason: ") && err.contains(reason),
            "{pattern}: {err}"
        );
    }
}

#[test]
fn matching_needs_every_field_but_only_one_matcher_each() {
    let p =
        Pattern::parse(r#"{"a": [1, 2], "b": {"c": [{"prefix": "x"}, "yes"]}}"#).expect("pattern");
    let cases = [
        (json!({"a": 2, "b": {"c": "yes"}}), true),
        (json!({"a": 2, "b": {"c": "xylophone"}}), true),
        (json!({"a": 3, "b": {"c": "yes"}}), false),
        (json!({"a": 1}), false),
        (json!({"a": [3, 1], "b": {"c": ["no", "x"]}}), true),
        (json!({"a": 1, "b": "c"}), false),
        (json!("not an object"), false),
    ];
    for (event, want) in cases {
        assert_eq!(p.matches(&event), want, "{event}");
    }
}
