//! SNS names and ARNs: topic names and ARNs (`arn:aws:sns:<region>:<account>:<topic>`),
//! subscription ARNs (`<topic arn>:<uuid>`), and the shapes of the SQS and Lambda ARNs a
//! subscription may point at. Parsing only: whether a resource exists is the store's answer.

use lambkin_model::Scope;

use crate::SnsError;

/// Checks a topic name as CreateTopic does: 1–256 of `[A-Za-z0-9_-]`. FIFO names (`.fifo`) get
/// their own message, because lambkin does not implement FIFO topics at all.
pub fn validate_topic_name(name: &str) -> Result<(), SnsError> {
    if name.ends_with(".fifo") {
        return Err(fifo_unsupported());
    }
    let valid = (1..=256).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if valid {
        Ok(())
    } else {
        Err(SnsError::invalid("Topic Name"))
    }
}

pub(crate) fn fifo_unsupported() -> SnsError {
    SnsError::invalid("FifoTopic Reason: lambkin does not support FIFO topics")
}

pub fn topic_arn(scope: &Scope, name: &str) -> String {
    format!("arn:aws:sns:{}:{}:{}", scope.region, scope.account, name)
}

/// The topic part of a well-formed topic ARN, or `InvalidParameter: <what>`.
pub fn parse_topic_arn<'a>(arn: &'a str, what: &str) -> Result<&'a str, SnsError> {
    let parts: Vec<&str> = arn.split(':').collect();
    match parts.as_slice() {
        ["arn", "aws", "sns", region, account, name]
            if !region.is_empty() && !account.is_empty() && validate_topic_name(name).is_ok() =>
        {
            Ok(name)
        }
        _ => Err(SnsError::invalid(what)),
    }
}

/// A new subscription ARN under `topic_arn`.
pub fn new_subscription_arn(topic_arn: &str) -> String {
    format!("{topic_arn}:{}", uuid::Uuid::new_v4())
}

/// Checks the shape of a subscription ARN (a topic ARN plus one more part).
pub fn parse_subscription_arn(arn: &str) -> Result<(), SnsError> {
    let invalid = || SnsError::invalid("SubscriptionArn");
    let (topic, id) = arn.rsplit_once(':').ok_or_else(invalid)?;
    if id.is_empty() {
        return Err(invalid());
    }
    parse_topic_arn(topic, "SubscriptionArn").map(|_| ())
}

/// `arn:aws:sqs:<region>:<account>:<queue>`.
pub fn is_sqs_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.split(':').collect();
    matches!(parts.as_slice(), ["arn", "aws", "sqs", r, a, q] if !r.is_empty() && !a.is_empty() && !q.is_empty())
}

/// `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`.
pub fn is_lambda_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.split(':').collect();
    match parts.as_slice() {
        ["arn", "aws", "lambda", r, a, "function", name, rest @ ..] => {
            !r.is_empty()
                && !a.is_empty()
                && !name.is_empty()
                && (rest.is_empty() || (rest.len() == 1 && !rest[0].is_empty()))
        }
        _ => false,
    }
}

/// Whether an SQS or Lambda ARN (already checked with [`is_sqs_arn`] or [`is_lambda_arn`])
/// names a resource in lambkin's own region and account. AWS delivers to queues and functions
/// of other regions and accounts; lambkin serves one of each, so it cannot.
pub fn in_scope(arn: &str, scope: &Scope) -> bool {
    let mut region_and_account = arn.split(':').skip(3);
    region_and_account.next() == Some(scope.region.as_str())
        && region_and_account.next() == Some(scope.account.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_names() {
        let long = "a".repeat(256);
        let too_long = "a".repeat(257);
        let cases: &[(&str, Option<&str>)] = &[
            ("orders", None),
            ("a-b_C9", None),
            (&long, None),
            ("", Some("Invalid parameter: Topic Name")),
            (&too_long, Some("Invalid parameter: Topic Name")),
            ("has space", Some("Invalid parameter: Topic Name")),
            ("dot.name", Some("Invalid parameter: Topic Name")),
            (
                "t.fifo",
                Some("Invalid parameter: FifoTopic Reason: lambkin does not support FIFO topics"),
            ),
        ];
        for (name, want) in cases {
            let got = validate_topic_name(name).err().map(|e| e.to_string());
            assert_eq!(got.as_deref(), *want, "{name}");
        }
    }

    #[test]
    fn arns() {
        let scope = Scope::default();
        let arn = topic_arn(&scope, "t");
        assert_eq!(arn, "arn:aws:sns:us-east-1:000000000000:t");
        assert_eq!(parse_topic_arn(&arn, "TopicArn").ok(), Some("t"));
        for bad in [
            "t",
            "arn:aws:sqs:us-east-1:0:t",
            "arn:aws:sns:us-east-1:0:",
            "arn:aws:sns:r:a:t:x",
        ] {
            assert!(parse_topic_arn(bad, "TopicArn").is_err(), "{bad}");
        }
        let sub = new_subscription_arn(&arn);
        assert!(sub.starts_with(&format!("{arn}:")));
        assert!(parse_subscription_arn(&sub).is_ok());
        assert!(
            parse_subscription_arn(&arn).is_err(),
            "a topic ARN is not a subscription ARN"
        );
        assert!(parse_subscription_arn("nope").is_err());

        assert!(is_sqs_arn("arn:aws:sqs:us-east-1:000000000000:q"));
        assert!(!is_sqs_arn(
            "https://sqs.us-east-1.amazonaws.com/000000000000/q"
        ));
        assert!(is_lambda_arn(
            "arn:aws:lambda:us-east-1:000000000000:function:f"
        ));
        assert!(is_lambda_arn(
            "arn:aws:lambda:us-east-1:000000000000:function:f:prod"
        ));
        assert!(!is_lambda_arn("arn:aws:lambda:us-east-1:000000000000:f"));
        assert!(!is_lambda_arn(
            "arn:aws:lambda:us-east-1:000000000000:function:f:"
        ));

        for (arn, want) in [
            ("arn:aws:lambda:us-east-1:000000000000:function:f", true),
            (
                "arn:aws:lambda:us-east-1:000000000000:function:f:prod",
                true,
            ),
            ("arn:aws:sqs:us-east-1:000000000000:q", true),
            ("arn:aws:lambda:eu-west-1:000000000000:function:f", false),
            ("arn:aws:lambda:us-east-1:999999999999:function:f", false),
            ("arn:aws:sqs:eu-west-1:999999999999:q", false),
        ] {
            assert_eq!(in_scope(arn, &scope), want, "{arn}");
        }
    }
}
