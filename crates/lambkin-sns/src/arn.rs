//! SNS names and ARNs: topic names and ARNs (`arn:aws:sns:<region>:<account>:<topic>`),
//! subscription ARNs (`<topic arn>:<uuid>`), and the shapes of the SQS and Lambda ARNs a
//! subscription may point at, all read with [`Arn`]. Parsing only: whether a resource exists
//! is the store's answer, and whether it is lambkin's own is [`Arn::is_local`].

use lambkin_model::{Arn, Scope};

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

/// A well-formed topic ARN (`arn:<partition>:sns:<region>:<account>:<topic>`), or
/// `InvalidParameter: <what>`. The region and account are not compared with lambkin's: a topic
/// elsewhere is one the store does not have (`NotFound`), as on AWS.
pub fn parse_topic_arn(arn: &str, what: &str) -> Result<Arn, SnsError> {
    sns_arn(arn)
        .filter(|a| validate_topic_name(a.resource()).is_ok())
        .ok_or_else(|| SnsError::invalid(what))
}

/// A new subscription ARN under `topic_arn`.
pub fn new_subscription_arn(topic_arn: &str) -> String {
    format!("{topic_arn}:{}", uuid::Uuid::new_v4())
}

/// Checks the shape of a subscription ARN (a topic ARN plus one more part).
pub fn parse_subscription_arn(arn: &str) -> Result<Arn, SnsError> {
    sns_arn(arn)
        .filter(|a| match a.resource().split_once(':') {
            Some((topic, id)) => {
                validate_topic_name(topic).is_ok() && !id.is_empty() && !id.contains(':')
            }
            None => false,
        })
        .ok_or_else(|| SnsError::invalid("SubscriptionArn"))
}

/// An SNS ARN with a region and an account (SNS resources are never global).
fn sns_arn(arn: &str) -> Option<Arn> {
    Arn::parse(arn)
        .ok()
        .filter(|a| a.service() == "sns" && !a.region().is_empty() && !a.account().is_empty())
}

/// An SQS endpoint: `arn:<partition>:sqs:<region>:<account>:<queue>`.
pub fn sqs_endpoint_arn(endpoint: &str) -> Option<Arn> {
    Arn::parse(endpoint).ok().filter(|a| {
        a.service() == "sqs"
            && !a.region().is_empty()
            && !a.account().is_empty()
            && !a.resource().contains(':')
    })
}

/// A Lambda endpoint: `arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]`.
pub fn lambda_endpoint_arn(endpoint: &str) -> Option<Arn> {
    Arn::parse(endpoint).ok().filter(|a| {
        let function =
            a.resource()
                .strip_prefix("function:")
                .and_then(|rest| match rest.split_once(':') {
                    None => Some(rest),
                    Some((name, q)) => (!q.is_empty() && !q.contains(':')).then_some(name),
                });
        a.service() == "lambda"
            && !a.region().is_empty()
            && !a.account().is_empty()
            && function.is_some_and(|name| !name.is_empty())
    })
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
        assert_eq!(
            parse_topic_arn(&arn, "TopicArn")
                .ok()
                .map(|a| a.resource().to_string()),
            Some("t".to_string())
        );
        for bad in [
            "t",
            "arn:aws:sqs:us-east-1:0:t",
            "arn:aws:sns:us-east-1:0:",
            "arn:aws:sns:r:a:t:x",
            "arn:aws:sns::0:t",
            "arn:aws:sns:us-east-1::t",
            "arn:aws:sns:us-east-1:0:t.fifo",
            "arn:gcp:sns:us-east-1:0:t",
        ] {
            assert_eq!(
                parse_topic_arn(bad, "TopicArn")
                    .err()
                    .map(|e| e.to_string()),
                Some("Invalid parameter: TopicArn".to_string()),
                "{bad}"
            );
        }
        let sub = new_subscription_arn(&arn);
        assert!(sub.starts_with(&format!("{arn}:")));
        assert!(parse_subscription_arn(&sub).is_ok());
        assert!(
            parse_subscription_arn(&arn).is_err(),
            "a topic ARN is not a subscription ARN"
        );
        for bad in [
            "nope",
            "arn:aws:sns:us-east-1:0:t:",
            "arn:aws:sns:us-east-1:0:t:x:y",
            "arn:aws:sns:us-east-1:0:bad.name:x",
        ] {
            assert_eq!(
                parse_subscription_arn(bad).err().map(|e| e.to_string()),
                Some("Invalid parameter: SubscriptionArn".to_string()),
                "{bad}"
            );
        }

        let sqs = |s| sqs_endpoint_arn(s).is_some();
        assert!(sqs("arn:aws:sqs:us-east-1:000000000000:q"));
        assert!(!sqs("https://sqs.us-east-1.amazonaws.com/000000000000/q"));
        assert!(!sqs("arn:aws:sqs:us-east-1::q"));
        assert!(!sqs("arn:aws:sqs:us-east-1:000000000000:q:x"));
        let lambda = |s| lambda_endpoint_arn(s).is_some();
        assert!(lambda("arn:aws:lambda:us-east-1:000000000000:function:f"));
        assert!(lambda(
            "arn:aws:lambda:us-east-1:000000000000:function:f:prod"
        ));
        assert!(!lambda("arn:aws:lambda:us-east-1:000000000000:f"));
        assert!(!lambda("arn:aws:lambda:us-east-1:000000000000:function:f:"));
        assert!(!lambda("arn:aws:lambda:us-east-1:000000000000:function:"));
        assert!(!lambda(
            "arn:aws:lambda:us-east-1:000000000000:function::prod"
        ));
        assert!(!lambda(
            "arn:aws:lambda:us-east-1:000000000000:function:f:1:2"
        ));
    }
}
