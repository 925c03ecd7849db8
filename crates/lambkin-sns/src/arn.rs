//! SNS names and ARNs: topic names and ARNs (`arn:aws:sns:<region>:<account>:<topic>`),
//! subscription ARNs (`<topic arn>:<uuid>`), and the shapes of the SQS and Lambda ARNs a
//! subscription may point at, all read with [`Arn`], with AWS's messages for malformed ones.
//! Parsing only: whether a resource exists is the store's answer, and whether it is lambkin's
//! own is [`Arn::is_local`].

use lambkin_model::{Arn, Scope};

use crate::SnsError;

/// Checks a topic name as CreateTopic does: 1–256 of `[A-Za-z0-9_-]`, or with `FifoTopic=true`
/// the same ending in `.fifo` (which lambkin then refuses: it has no FIFO topics). A `.fifo`
/// name without `FifoTopic=true` is an invalid name, as on AWS.
pub fn validate_topic_name(name: &str) -> Result<(), SnsError> {
    if standard_name(name) {
        Ok(())
    } else {
        Err(SnsError::invalid("Topic Name"))
    }
}

fn standard_name(name: &str) -> bool {
    (1..=256).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A name a topic ARN may carry: a standard name, or a FIFO one (`<name>.fifo`, at most 256 in
/// all), which is well-formed even though lambkin never has such a topic.
fn topic_name_in_arn(name: &str) -> bool {
    standard_name(name)
        || name
            .strip_suffix(".fifo")
            .is_some_and(|base| name.len() <= 256 && standard_name(base))
}

pub(crate) fn fifo_unsupported() -> SnsError {
    SnsError::invalid("FifoTopic Reason: lambkin does not support FIFO topics")
}

pub fn topic_arn(scope: &Scope, name: &str) -> String {
    format!("arn:aws:sns:{}:{}:{}", scope.region, scope.account, name)
}

/// AWS's first check of any ARN parameter: at least six `:`-separated elements.
fn too_few_elements(arn: &str, what: &str) -> Option<SnsError> {
    let n = arn.split(':').count();
    (n < 6).then(|| {
        SnsError::invalid(format!(
            "{what} Reason: An ARN must have at least 6 elements, not {n}"
        ))
    })
}

/// A well-formed topic ARN of this server's partition and region
/// (`arn:aws:sns:<region>:<account>:<topic>`), or `InvalidParameter` with AWS's message
/// (`Invalid parameter: <what> Reason: An ARN must have at least 6 elements, not N`, else
/// `Invalid parameter: <what>`; AWS answers the latter for a topic of another region too). The
/// account is not compared: a topic of another account is one the store does not have
/// (`NotFound`).
pub fn parse_topic_arn(arn: &str, what: &str, scope: &Scope) -> Result<Arn, SnsError> {
    if let Some(e) = too_few_elements(arn, what) {
        return Err(e);
    }
    sns_arn(arn)
        .filter(|a| topic_name_in_arn(a.resource()))
        .filter(|a| a.partition() == "aws" && a.region() == scope.region)
        .ok_or_else(|| SnsError::invalid(what))
}

/// A new subscription ARN under `topic_arn`.
pub fn new_subscription_arn(topic_arn: &str) -> String {
    format!("{topic_arn}:{}", uuid::Uuid::new_v4())
}

/// Checks the shape of a subscription ARN (a topic ARN plus one more part), with AWS's
/// messages: too few elements, then `Invalid parameter: SubscriptionId` for a topic ARN
/// without the subscription's id, then `Invalid parameter: SubscriptionArn`.
pub fn parse_subscription_arn(arn: &str) -> Result<Arn, SnsError> {
    if let Some(e) = too_few_elements(arn, "SubscriptionArn") {
        return Err(e);
    }
    let parsed = sns_arn(arn).ok_or_else(|| SnsError::invalid("SubscriptionArn"))?;
    match parsed.resource().split_once(':') {
        None => Err(SnsError::invalid("SubscriptionId")),
        Some((topic, id)) if topic_name_in_arn(topic) && !id.is_empty() && !id.contains(':') => {
            Ok(parsed)
        }
        Some(_) => Err(SnsError::invalid("SubscriptionArn")),
    }
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
        let cases: &[(&str, bool)] = &[
            ("orders", true),
            ("a-b_C9", true),
            (&long, true),
            ("", false),
            (&too_long, false),
            ("has space", false),
            ("dot.name", false),
            // Without FifoTopic=true a `.fifo` name is just an invalid name, as on AWS.
            ("t.fifo", false),
        ];
        for (name, ok) in cases {
            let got = validate_topic_name(name).err().map(|e| e.to_string());
            let want = (!ok).then(|| "Invalid parameter: Topic Name".to_string());
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn topic_arns() {
        let scope = Scope::default();
        let arn = topic_arn(&scope, "t");
        assert_eq!(arn, "arn:aws:sns:us-east-1:000000000000:t");
        let ok = [
            arn.as_str(),
            // Another account parses: the store answers NotFound.
            "arn:aws:sns:us-east-1:999999999999:t",
            // A FIFO topic's ARN is well-formed; lambkin just never has one.
            "arn:aws:sns:us-east-1:000000000000:t.fifo",
        ];
        for good in ok {
            assert!(parse_topic_arn(good, "TopicArn", &scope).is_ok(), "{good}");
        }
        let cases = [
            (
                "t",
                "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1",
            ),
            (
                "arn:aws:sns:us-east-1:random",
                "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 5",
            ),
            ("arn:aws:sqs:us-east-1:0:t", "Invalid parameter: TopicArn"),
            ("arn:aws:sns:us-east-1:0:", "Invalid parameter: TopicArn"),
            ("arn:aws:sns:r:a:t:x", "Invalid parameter: TopicArn"),
            ("arn:aws:sns::0:t", "Invalid parameter: TopicArn"),
            ("arn:aws:sns:us-east-1::t", "Invalid parameter: TopicArn"),
            (
                "arn:aws:sns:us-east-1:0:bad.name",
                "Invalid parameter: TopicArn",
            ),
            ("arn:gcp:sns:us-east-1:0:t", "Invalid parameter: TopicArn"),
            // Another region (or partition) is refused as AWS refuses it.
            ("arn:aws:sns:eu-west-1:0:t", "Invalid parameter: TopicArn"),
            (
                "arn:aws-cn:sns:us-east-1:0:t",
                "Invalid parameter: TopicArn",
            ),
        ];
        for (bad, want) in cases {
            assert_eq!(
                parse_topic_arn(bad, "TopicArn", &scope)
                    .err()
                    .map(|e| e.to_string())
                    .as_deref(),
                Some(want),
                "{bad}"
            );
        }
    }

    #[test]
    fn subscription_arns() {
        let arn = topic_arn(&Scope::default(), "t");
        let sub = new_subscription_arn(&arn);
        assert!(sub.starts_with(&format!("{arn}:")));
        assert!(parse_subscription_arn(&sub).is_ok());
        let cases = [
            (
                "nope",
                "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1",
            ),
            (
                "arn:aws:sns:us-east-1:random",
                "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 5",
            ),
            (arn.as_str(), "Invalid parameter: SubscriptionId"),
            (
                "arn:aws:sns:us-east-1:0:t:",
                "Invalid parameter: SubscriptionArn",
            ),
            (
                "arn:aws:sns:us-east-1:0:t:x:y",
                "Invalid parameter: SubscriptionArn",
            ),
            (
                "arn:aws:sns:us-east-1:0:bad.name:x",
                "Invalid parameter: SubscriptionArn",
            ),
            (
                "arn:aws:sqs:us-east-1:0:t:x",
                "Invalid parameter: SubscriptionArn",
            ),
        ];
        for (bad, want) in cases {
            assert_eq!(
                parse_subscription_arn(bad)
                    .err()
                    .map(|e| e.to_string())
                    .as_deref(),
                Some(want),
                "{bad}"
            );
        }
    }

    #[test]
    fn endpoint_arns() {
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
