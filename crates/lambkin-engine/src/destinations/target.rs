//! What a dead-letter or destination ARN points at: an [`Arn`] mapped to what lambkin can
//! deliver to. Built once, used both to validate a configuration and to deliver.

use lambkin_model::{Arn, FunctionRef, Scope};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// `arn:aws:sqs:<region>:<account>:<queue>`
    Queue(String),
    /// `arn:aws:sns:<region>:<account>:<topic>`
    Topic(String),
    /// `arn:aws:lambda:<region>:<account>:function:<name>[:qualifier]`, invoked asynchronously.
    Function(FunctionRef),
    /// `arn:aws:s3:::<bucket>` (on-failure destinations only): the record as an object.
    Bucket(String),
    /// `arn:aws:events:<region>:<account>:event-bus/<name>`: the record put on the bus.
    Bus(String),
    /// Anything else: not an ARN of a service that can be a destination.
    Invalid,
}

impl Target {
    /// Reads a stored or configured ARN; one that does not parse is [`Target::Invalid`].
    pub(crate) fn parse(arn: &str, scope: &Scope) -> Target {
        Arn::parse(arn).map_or(Target::Invalid, |arn| Target::from_arn(&arn, scope))
    }

    /// Queues, topics and functions must be local ([`Arn::is_local`]): lambkin cannot reach
    /// another partition, region or account.
    pub(crate) fn from_arn(arn: &Arn, scope: &Scope) -> Target {
        let local = arn.is_local(scope);
        let single = !arn.resource().contains(':');
        match arn.service() {
            "sqs" if local && single => Target::Queue(arn.to_string()),
            "sns" if local && single => Target::Topic(arn.to_string()),
            "lambda" if local => match FunctionRef::from_arn(arn) {
                Ok(f) => Target::Function(f),
                Err(_) => Target::Invalid,
            },
            "events" if local && arn.resource().starts_with("event-bus/") => {
                Target::Bus(arn.to_string())
            }
            // S3 ARNs name no region or account: the bucket is this server's if it exists.
            "s3" if !arn.resource().is_empty() && !arn.resource().contains('/') => {
                Target::Bucket(arn.resource().to_string())
            }
            _ => Target::Invalid,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_targets() {
        let scope = Scope::default();
        let cases: &[(&str, &str)] = &[
            ("arn:aws:sqs:us-east-1:000000000000:failures", "queue"),
            ("arn:aws:sns:us-east-1:000000000000:alerts", "topic"),
            (
                "arn:aws:lambda:us-east-1:000000000000:function:next",
                "function",
            ),
            (
                "arn:aws:lambda:us-east-1:000000000000:function:next:$LATEST",
                "function",
            ),
            (
                "arn:aws:events:us-east-1:000000000000:event-bus/default",
                "bus",
            ),
            ("arn:aws:events:us-east-1:000000000000:rule/r", "invalid"),
            (
                "arn:aws:events:eu-west-1:000000000000:event-bus/default",
                "invalid",
            ),
            ("arn:aws:s3:::bucket", "bucket"),
            ("arn:aws:s3:::bucket/key", "invalid"),
            ("arn:aws:iam::000000000000:role/r", "invalid"),
            // Another region or account is not served here.
            ("arn:aws:sqs:eu-west-1:000000000000:failures", "invalid"),
            ("arn:aws:sqs:us-east-1:111111111111:failures", "invalid"),
            ("arn:aws-cn:sqs:us-east-1:000000000000:failures", "invalid"),
            (
                "arn:aws-cn:lambda:us-east-1:000000000000:function:next",
                "invalid",
            ),
            ("arn:aws:sqs:us-east-1:000000000000:", "invalid"),
            ("arn:aws:sqs:us-east-1:000000000000:a:b", "invalid"),
            (
                "arn:aws:lambda:us-east-1:000000000000:function:a:b:c",
                "invalid",
            ),
            ("arn:aws:sqs", "invalid"),
            ("sqs:failures", "invalid"),
            ("", "invalid"),
        ];
        for (arn, want) in cases {
            let got = match Target::parse(arn, &scope) {
                Target::Queue(_) => "queue",
                Target::Topic(_) => "topic",
                Target::Function(_) => "function",
                Target::Bucket(_) => "bucket",
                Target::Bus(_) => "bus",
                Target::Invalid => "invalid",
            };
            assert_eq!(got, *want, "{arn}");
        }
    }
}
