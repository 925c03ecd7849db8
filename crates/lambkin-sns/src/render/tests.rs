//! Golden tests: each rendering compared field by field with AWS's shape (fixtures in
//! `fixtures/`: the Lambda event of reference §10.2, the notification JSON of SNS's HTTP/SQS
//! delivery). Fields lambkin fills differently by design (signature, certificate URL) are
//! checked for lambkin's value instead.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use lambkin_model::{MessageAttribute, Timestamp};
use serde_json::Value;

use super::*;

const LAMBDA_EVENT: &str = include_str!("fixtures/lambda-event.json");
const NOTIFICATION: &str = include_str!("fixtures/notification.json");

const TOPIC: &str = "arn:aws:sns:us-east-2:123456789012:sns-lambda";
const SUB: &str =
    "arn:aws:sns:us-east-2:123456789012:sns-lambda:21be56ed-a058-49f5-8c98-aedd2564c486";
const BASE: &str = "https://sns.us-east-2.amazonaws.com";

fn subscription(protocol: &str, endpoint: &str, raw: bool) -> SubscriptionRecord {
    SubscriptionRecord {
        arn: SUB.into(),
        topic_arn: TOPIC.into(),
        protocol: protocol.into(),
        endpoint: endpoint.into(),
        attributes: if raw {
            BTreeMap::from([("RawMessageDelivery".into(), "true".into())])
        } else {
            BTreeMap::new()
        },
        service_url: format!("{BASE}/"),
        created_at: Timestamp(0),
    }
}

/// The message of the reference example: 2019-01-02T12:45:07.000Z.
fn message(subject: Option<&str>, with_attributes: bool) -> StoredMessage {
    let mut attributes = MessageAttributes::new();
    if with_attributes {
        attributes.insert("Test".into(), MessageAttribute::string("TestString"));
        attributes.insert(
            "TestBinary".into(),
            MessageAttribute {
                data_type: "Binary".into(),
                string_value: None,
                binary_value: Some(b"TestBinary".to_vec()),
            },
        );
    }
    StoredMessage {
        message_id: "95df01b4-ee98-5cb9-9903-4c221d41eb5e".into(),
        topic_arn: TOPIC.into(),
        subject: subject.map(Into::into),
        message: "Hello from SNS!".into(),
        per_protocol: BTreeMap::new(),
        attributes,
        timestamp_ms: 1_546_433_107_000,
    }
}

/// Compares `got` with the AWS fixture `want` key by key, recursively. Keys listed in
/// `lambkin_values` must be present with lambkin's value instead of AWS's.
fn assert_same_shape(got: &Value, want: &Value, lambkin_values: &[(&str, &str)], path: &str) {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            let gk: Vec<_> = g.keys().collect();
            let wk: Vec<_> = w.keys().collect();
            assert_eq!(gk, wk, "keys of {path}");
            for (k, wv) in w {
                let p = format!("{path}.{k}");
                match lambkin_values.iter().find(|(key, _)| key == k) {
                    Some((_, v)) => assert_eq!(g[k], Value::String(v.to_string()), "{p}"),
                    None => assert_same_shape(&g[k], wv, lambkin_values, &p),
                }
            }
        }
        (Value::Array(g), Value::Array(w)) => {
            assert_eq!(g.len(), w.len(), "length of {path}");
            for (i, (gv, wv)) in g.iter().zip(w).enumerate() {
                assert_same_shape(gv, wv, lambkin_values, &format!("{path}[{i}]"));
            }
        }
        _ => assert_eq!(got, want, "{path}"),
    }
}

/// (case name, subject, with attributes, how the AWS fixture changes for this case)
type Case = (&'static str, Option<&'static str>, bool, fn(&mut Value));

const CERT: &str = "https://sns.us-east-2.amazonaws.com/SimpleNotificationService-lambkin.pem";

#[test]
fn lambda_event_matches_the_reference() {
    let cases: &[Case] = &[
        ("as in the reference", Some("TestInvoke"), true, |_| {}),
        ("no subject: null", None, true, |v| {
            v["Records"][0]["Sns"]["Subject"] = Value::Null;
        }),
        (
            "no attributes: empty object",
            Some("TestInvoke"),
            false,
            |v| {
                v["Records"][0]["Sns"]["MessageAttributes"] = serde_json::json!({});
            },
        ),
    ];
    let fun = "arn:aws:lambda:us-east-2:123456789012:function:f";
    for (name, subject, attrs, adjust) in cases {
        let rendered = render_message(
            &subscription("lambda", fun, false),
            &message(*subject, *attrs),
        )
        .unwrap();
        let Rendered::Lambda {
            function_arn,
            payload,
        } = rendered
        else {
            panic!("{name}: {rendered:?}");
        };
        assert_eq!(function_arn, fun);
        let got: Value = serde_json::from_slice(&payload).unwrap();
        let mut want: Value = serde_json::from_str(LAMBDA_EVENT).unwrap();
        adjust(&mut want);
        assert_same_shape(
            &got,
            &want,
            &[
                ("Signature", PLACEHOLDER_SIGNATURE),
                ("SigningCertUrl", CERT),
            ],
            name,
        );
    }
}

fn notification_cases() -> Vec<Case> {
    vec![
        ("full", Some("TestInvoke"), true, |_| {}),
        ("no subject: absent", None, true, |v| {
            v.as_object_mut().unwrap().remove("Subject");
        }),
        ("no attributes: absent", Some("TestInvoke"), false, |v| {
            v.as_object_mut().unwrap().remove("MessageAttributes");
        }),
    ]
}

fn check_notification(body: &str, want: &mut Value, adjust: fn(&mut Value), name: &str) {
    adjust(want);
    let got: Value = serde_json::from_str(body).unwrap();
    assert_same_shape(
        &got,
        want,
        &[
            ("Signature", PLACEHOLDER_SIGNATURE),
            ("SigningCertURL", CERT),
        ],
        name,
    );
}

#[test]
fn sqs_envelope_matches_aws() {
    let queue = "arn:aws:sqs:us-east-2:123456789012:q";
    for (name, subject, attrs, adjust) in notification_cases() {
        let rendered =
            render_message(&subscription("sqs", queue, false), &message(subject, attrs)).unwrap();
        let Rendered::Sqs {
            queue_arn,
            body,
            attributes,
        } = rendered
        else {
            panic!("{name}: {rendered:?}");
        };
        assert_eq!(queue_arn, queue);
        assert!(attributes.is_empty(), "the envelope carries the attributes");
        check_notification(
            &body,
            &mut serde_json::from_str(NOTIFICATION).unwrap(),
            adjust,
            name,
        );
    }
}

#[test]
fn http_post_matches_aws() {
    for protocol in ["http", "https"] {
        let url = format!("{protocol}://127.0.0.1:9/hook");
        for (name, subject, attrs, adjust) in notification_cases() {
            let rendered = render_message(
                &subscription(protocol, &url, false),
                &message(subject, attrs),
            )
            .unwrap();
            let Rendered::Http {
                url: to,
                headers,
                body,
            } = rendered
            else {
                panic!("{name}: {rendered:?}");
            };
            assert_eq!(to, url);
            let h: BTreeMap<_, _> = headers.into_iter().collect();
            assert_eq!(h["x-amz-sns-message-type"], "Notification");
            assert_eq!(
                h["x-amz-sns-message-id"],
                "95df01b4-ee98-5cb9-9903-4c221d41eb5e"
            );
            assert_eq!(h["x-amz-sns-topic-arn"], TOPIC);
            assert_eq!(h["x-amz-sns-subscription-arn"], SUB);
            assert_eq!(h["Content-Type"], "text/plain; charset=UTF-8");
            assert!(!h.contains_key("x-amz-sns-rawdelivery"));
            check_notification(
                &body,
                &mut serde_json::from_str(NOTIFICATION).unwrap(),
                adjust,
                name,
            );
        }
    }
}

#[test]
fn raw_delivery_sends_the_message_itself() {
    let m = message(Some("TestInvoke"), true);
    let queue = "arn:aws:sqs:us-east-2:123456789012:q";
    assert_eq!(
        render_message(&subscription("sqs", queue, true), &m).unwrap(),
        Rendered::Sqs {
            queue_arn: queue.into(),
            body: "Hello from SNS!".into(),
            attributes: m.attributes.clone(),
        }
    );
    let Rendered::Http { headers, body, .. } =
        render_message(&subscription("https", "https://h/x", true), &m).unwrap()
    else {
        panic!("not http");
    };
    assert_eq!(body, "Hello from SNS!");
    assert!(headers.contains(&("x-amz-sns-rawdelivery".into(), "true".into())));
}

#[test]
fn message_structure_picks_the_protocol_entry() {
    let mut m = message(None, false);
    m.message = "default text".into();
    m.per_protocol = BTreeMap::from([
        ("sqs".into(), "for sqs".into()),
        ("lambda".into(), "for lambda".into()),
        ("https".into(), "for https".into()),
    ]);
    let message_of = |r: Rendered| -> String {
        let json = match r {
            Rendered::Sqs { body, .. } | Rendered::Http { body, .. } => body,
            Rendered::Lambda { payload, .. } => {
                let v: Value = serde_json::from_slice(&payload).unwrap();
                v["Records"][0]["Sns"].to_string()
            }
            Rendered::Gone | Rendered::FilteredOut => panic!("not rendered"),
        };
        let v: Value = serde_json::from_str(&json).unwrap();
        v["Message"].as_str().unwrap().to_string()
    };
    let cases = [
        ("sqs", "arn:aws:sqs:us-east-2:123456789012:q", "for sqs"),
        (
            "lambda",
            "arn:aws:lambda:us-east-2:123456789012:function:f",
            "for lambda",
        ),
        ("https", "https://h/x", "for https"),
        ("http", "http://h/x", "default text"),
    ];
    for (protocol, endpoint, want) in cases {
        let r = render_message(&subscription(protocol, endpoint, false), &m).unwrap();
        assert_eq!(message_of(r), want, "{protocol}");
    }
}

#[test]
fn placeholder_signature_is_valid_base64() {
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(PLACEHOLDER_SIGNATURE)
        .unwrap();
    assert_eq!(decoded, b"lambkin does not sign SNS messages");
}

/// AWS: more than ten attributes cannot go to a raw SQS subscription (SQS takes ten), and the
/// message is discarded as a client-side error; the envelope carries any number.
#[test]
fn raw_sqs_delivery_takes_at_most_ten_attributes() {
    let queue = "arn:aws:sqs:us-east-2:123456789012:q";
    let mut m = message(None, false);
    m.attributes = (0..11)
        .map(|i| (format!("a{i}"), MessageAttribute::string("v")))
        .collect();
    let err = render_message(&subscription("sqs", queue, true), &m).unwrap_err();
    assert_eq!(err.code(), "ParameterValueInvalid");
    assert!(!err.is_transient());
    assert!(matches!(
        render_message(&subscription("sqs", queue, false), &m),
        Ok(Rendered::Sqs { .. })
    ));
    m.attributes.remove("a0");
    assert!(matches!(
        render_message(&subscription("sqs", queue, true), &m),
        Ok(Rendered::Sqs { attributes, .. }) if attributes.len() == 10
    ));
}
