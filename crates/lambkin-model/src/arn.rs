//! [`Arn`]: an Amazon Resource Name split once into its five fields. It checks the shape every
//! ARN shares; what a resource must look like (a queue name, `function:<name>`) is for the
//! service that owns it, and whether it exists is the store's answer.

use std::fmt;

use crate::{ModelError, Scope};

/// `arn:<partition>:<service>:<region>:<account>:<resource>`.
///
/// The resource is everything after the fifth `:` and may itself contain `:` and `/`
/// (`function:f:prod`, `t:<subscription id>`, `event-bus/default`). Region and account may be
/// empty, as in S3 (`arn:aws:s3:::bucket`) and IAM (`arn:aws:iam::123456789012:role/r`); their
/// values are not validated here, only compared with this server's [`Scope`] by
/// [`Arn::is_local`].
///
/// **Partition rule**, the same for every caller: a partition is well-formed when it matches
/// AWS's own pattern `aws[a-zA-Z-]*` (`aws`, `aws-cn`, `aws-us-gov`, ...), so an ARN of another
/// partition parses and is then simply not local, like one of another region. Only
/// [`Arn::LOCAL_PARTITION`] (`aws`) names lambkin's own resources: lambkin emulates one region
/// and account and writes `aws` into every ARN it mints.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Arn {
    partition: String,
    service: String,
    region: String,
    account: String,
    resource: String,
}

impl Arn {
    /// The partition of every ARN lambkin mints and the only one [`Arn::is_local`] accepts.
    pub const LOCAL_PARTITION: &'static str = "aws";

    /// Splits an ARN; `ModelError::InvalidArn` unless it starts with `arn:`, has six fields, a
    /// partition of the form `aws[a-zA-Z-]*`, a service of `[a-z0-9-]+` and a non-empty
    /// resource.
    pub fn parse(s: &str) -> Result<Arn, ModelError> {
        let invalid = || ModelError::InvalidArn(s.to_string());
        let mut fields = s.splitn(6, ':');
        let mut next = || fields.next().ok_or_else(invalid);
        let (prefix, partition, service, region, account, resource) =
            (next()?, next()?, next()?, next()?, next()?, next()?);
        let partition_ok = partition
            .strip_prefix("aws")
            .is_some_and(|rest| rest.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-'));
        let service_ok = !service.is_empty()
            && service
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if prefix != "arn" || !partition_ok || !service_ok || resource.is_empty() {
            return Err(invalid());
        }
        Ok(Arn {
            partition: partition.to_string(),
            service: service.to_string(),
            region: region.to_string(),
            account: account.to_string(),
            resource: resource.to_string(),
        })
    }

    pub fn partition(&self) -> &str {
        &self.partition
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    /// Empty for global resources (S3 buckets, IAM roles).
    pub fn region(&self) -> &str {
        &self.region
    }

    /// Empty for S3 buckets.
    pub fn account(&self) -> &str {
        &self.account
    }

    /// Everything after the account, `:` and `/` included.
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// Whether this ARN is in this server's partition, region and account: the only resources
    /// lambkin can deliver to or look up. AWS reaches other regions and accounts; lambkin
    /// serves one of each, and resolving a foreign ARN to the local resource of the same name
    /// would send a message to the wrong place.
    pub fn is_local(&self, scope: &Scope) -> bool {
        self.partition == Self::LOCAL_PARTITION
            && self.region == scope.region
            && self.account == scope.account
    }
}

/// The ARN exactly as it was parsed.
impl fmt::Display for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "arn:{}:{}:{}:{}:{}",
            self.partition, self.service, self.region, self.account, self.resource
        )
    }
}

impl std::str::FromStr for Arn {
    type Err = ModelError;

    fn from_str(s: &str) -> Result<Arn, ModelError> {
        Arn::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_five_fields() {
        type Fields<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str);
        let cases: &[(&str, Fields)] = &[
            (
                "arn:aws:sqs:us-east-1:000000000000:orders",
                ("aws", "sqs", "us-east-1", "000000000000", "orders"),
            ),
            (
                "arn:aws:sns:us-east-1:000000000000:alerts",
                ("aws", "sns", "us-east-1", "000000000000", "alerts"),
            ),
            // A subscription ARN: the resource keeps its own ':'.
            (
                "arn:aws:sns:us-east-1:000000000000:alerts:3f1c2a9e-1b2c-4d5e-8f90-0a1b2c3d4e5f",
                (
                    "aws",
                    "sns",
                    "us-east-1",
                    "000000000000",
                    "alerts:3f1c2a9e-1b2c-4d5e-8f90-0a1b2c3d4e5f",
                ),
            ),
            (
                "arn:aws:lambda:us-east-1:000000000000:function:f",
                ("aws", "lambda", "us-east-1", "000000000000", "function:f"),
            ),
            (
                "arn:aws:lambda:eu-west-1:123456789012:function:f:$LATEST",
                (
                    "aws",
                    "lambda",
                    "eu-west-1",
                    "123456789012",
                    "function:f:$LATEST",
                ),
            ),
            (
                "arn:aws:events:us-east-1:000000000000:event-bus/default",
                (
                    "aws",
                    "events",
                    "us-east-1",
                    "000000000000",
                    "event-bus/default",
                ),
            ),
            // S3: no region, no account; the key may hold '/' and ':'.
            ("arn:aws:s3:::bucket", ("aws", "s3", "", "", "bucket")),
            (
                "arn:aws:s3:::bucket/path/to:key",
                ("aws", "s3", "", "", "bucket/path/to:key"),
            ),
            // IAM: global, so no region.
            (
                "arn:aws:iam::000000000000:role/service-role/r",
                ("aws", "iam", "", "000000000000", "role/service-role/r"),
            ),
            (
                "arn:aws:execute-api:us-east-1:000000000000:api/stage/GET/x",
                (
                    "aws",
                    "execute-api",
                    "us-east-1",
                    "000000000000",
                    "api/stage/GET/x",
                ),
            ),
            // Other partitions are well-formed (and never local).
            (
                "arn:aws-cn:sqs:cn-north-1:000000000000:q",
                ("aws-cn", "sqs", "cn-north-1", "000000000000", "q"),
            ),
            (
                "arn:aws-us-gov:sns:us-gov-west-1:000000000000:t",
                ("aws-us-gov", "sns", "us-gov-west-1", "000000000000", "t"),
            ),
        ];
        for (s, (partition, service, region, account, resource)) in cases {
            let arn = Arn::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(
                (
                    arn.partition(),
                    arn.service(),
                    arn.region(),
                    arn.account(),
                    arn.resource()
                ),
                (*partition, *service, *region, *account, *resource),
                "{s}"
            );
            assert_eq!(arn.to_string(), *s, "Display gives back the same string");
            assert_eq!(s.parse::<Arn>().as_ref(), Ok(&arn), "{s}");
        }
    }

    #[test]
    fn rejects_malformed_strings() {
        for s in [
            "",
            "arn",
            "arn:",
            "arn:aws:sqs",
            "arn:aws:sqs:us-east-1:000000000000",
            "arn:aws:sqs:us-east-1:000000000000:",
            "arn:aws:s3:::",
            "ARN:aws:sqs:us-east-1:000000000000:q",
            "urn:aws:sqs:us-east-1:000000000000:q",
            " arn:aws:sqs:us-east-1:000000000000:q",
            "arn::sqs:us-east-1:000000000000:q",
            "arn:gcp:sqs:us-east-1:000000000000:q",
            "arn:aws_cn:sqs:us-east-1:000000000000:q",
            "arn:aws1:sqs:us-east-1:000000000000:q",
            "arn:aws::us-east-1:000000000000:q",
            "arn:aws:SQS:us-east-1:000000000000:q",
            "arn:aws:s q s:us-east-1:000000000000:q",
            "sqs:failures",
            "https://sqs.us-east-1.amazonaws.com/000000000000/q",
        ] {
            assert_eq!(
                Arn::parse(s),
                Err(ModelError::InvalidArn(s.to_string())),
                "{s:?}"
            );
        }
    }

    #[test]
    fn local_means_this_partition_region_and_account() {
        let scope = Scope::default();
        let cases = [
            ("arn:aws:sqs:us-east-1:000000000000:q", true),
            ("arn:aws:lambda:us-east-1:000000000000:function:f:1", true),
            ("arn:aws:sqs:eu-west-1:000000000000:q", false),
            ("arn:aws:sqs:us-east-1:111111111111:q", false),
            ("arn:aws-cn:sqs:us-east-1:000000000000:q", false),
            ("arn:aws:s3:::bucket", false),
            ("arn:aws:iam::000000000000:role/r", false),
        ];
        for (s, want) in cases {
            let arn = Arn::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(arn.is_local(&scope), want, "{s}");
        }
    }
}
