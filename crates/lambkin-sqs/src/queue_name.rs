//! [`QueueName`], parsed once at the edge, and the two ways callers name a queue: its URL
//! (`http://<host>/<account>/<name>`, any host accepted) and its ARN
//! (`arn:aws:sqs:<region>:<account>:<name>`).

use std::fmt;

use lambkin_model::{Arn, Scope};

use crate::SqsError;

/// A standard queue's name: 1–80 ASCII letters, digits, hyphens and underscores.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QueueName(String);

impl QueueName {
    /// A standard queue's name; a `.fifo` name is refused as AWS refuses it without
    /// `FifoQueue=true` (`create_queue` answers FIFO requests themselves).
    pub fn parse(name: &str) -> Result<QueueName, SqsError> {
        let valid = (1..=80).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid {
            return Err(SqsError::invalid(
                "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
            ));
        }
        Ok(QueueName(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Resolves a queue URL from its last two path segments (account and name); the scheme
    /// and host are whatever the client used to reach us. A bare queue name is this account's
    /// queue of that name, as AWS accepts it in place of the URL.
    pub fn from_url(url: &str, scope: &Scope) -> Result<QueueName, SqsError> {
        if !url.is_empty() && !url.contains('/') {
            return QueueName::parse(url).map_err(|_| SqsError::QueueDoesNotExist);
        }
        let path = url.split(['?', '#']).next().unwrap_or_default();
        let mut segments = path.rsplit('/').filter(|s| !s.is_empty());
        let (Some(name), Some(account)) = (segments.next(), segments.next()) else {
            return Err(SqsError::invalid(format!(
                "The address {url} is not valid for this endpoint."
            )));
        };
        if account != scope.account {
            return Err(SqsError::QueueDoesNotExist);
        }
        QueueName::parse(name).map_err(|_| SqsError::QueueDoesNotExist)
    }

    /// Resolves `arn:aws:sqs:<region>:<account>:<name>` in this server's partition, region and
    /// account. An ARN of another (well-formed, see [`Arn`]) partition, region or account names
    /// a queue that does not exist here.
    pub fn from_arn(arn: &str, scope: &Scope) -> Result<QueueName, SqsError> {
        let Some(parsed) = Arn::parse(arn)
            .ok()
            .filter(|a| a.service() == "sqs" && !a.resource().contains(':'))
        else {
            return Err(SqsError::invalid(format!(
                "{arn} is not a valid SQS queue ARN."
            )));
        };
        if !parsed.is_local(scope) {
            return Err(SqsError::QueueDoesNotExist);
        }
        QueueName::parse(parsed.resource()).map_err(|_| SqsError::QueueDoesNotExist)
    }

    pub fn arn(&self, scope: &Scope) -> String {
        format!("arn:aws:sqs:{}:{}:{}", scope.region, scope.account, self.0)
    }

    /// `/<account>/<name>`: the URL path; the API puts the request's host in front.
    pub fn url_path(&self, scope: &Scope) -> String {
        format!("/{}/{}", scope.account, self.0)
    }
}

impl fmt::Display for QueueName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let long = "a".repeat(80);
        let too_long = "a".repeat(81);
        let cases: [(&str, bool); 8] = [
            ("orders", true),
            ("my-queue_2", true),
            (&long, true),
            ("", false),
            (&too_long, false),
            ("has space", false),
            ("dots.are.not", false),
            ("jobs.fifo", false),
        ];
        for (name, ok) in cases {
            assert_eq!(QueueName::parse(name).is_ok(), ok, "{name:?}");
        }
    }

    #[test]
    fn urls_resolve_from_their_last_two_segments() {
        let scope = Scope::default();
        let cases = [
            ("http://127.0.0.1:4566/000000000000/q", Some("q")),
            (
                "https://sqs.us-east-1.amazonaws.com/000000000000/q/",
                Some("q"),
            ),
            ("http://localhost/000000000000/q?x=1", Some("q")),
            ("000000000000/q", Some("q")),
            ("q", Some("q")),
            ("http://h/111111111111/q", None),
            ("http://h/000000000000/bad.name", None),
            ("bad.name", None),
        ];
        for (url, want) in cases {
            let got = QueueName::from_url(url, &scope).ok();
            assert_eq!(got.as_ref().map(QueueName::as_str), want, "{url}");
        }
        for bad in ["", "/"] {
            assert!(
                matches!(
                    QueueName::from_url(bad, &scope),
                    Err(SqsError::InvalidParameterValue(_))
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn arns_round_trip_in_scope_only() {
        let scope = Scope::default();
        let q = QueueName::parse("q").expect("valid");
        assert_eq!(q.arn(&scope), "arn:aws:sqs:us-east-1:000000000000:q");
        assert_eq!(QueueName::from_arn(&q.arn(&scope), &scope).ok(), Some(q));
        assert!(matches!(
            QueueName::from_arn("arn:aws:sqs:eu-west-1:000000000000:q", &scope),
            Err(SqsError::QueueDoesNotExist)
        ));
        for foreign in [
            "arn:aws:sqs:us-east-1:111111111111:q",
            "arn:aws-cn:sqs:us-east-1:000000000000:q",
            "arn:aws:sqs:us-east-1:000000000000:bad.name",
        ] {
            assert!(
                matches!(
                    QueueName::from_arn(foreign, &scope),
                    Err(SqsError::QueueDoesNotExist)
                ),
                "{foreign}"
            );
        }
        for malformed in [
            "arn:aws:sns:us-east-1:000000000000:q",
            "arn:aws:sqs:us-east-1:000000000000:q:x",
            "arn:aws:sqs:us-east-1:000000000000",
            "arn:gcp:sqs:us-east-1:000000000000:q",
            "q",
        ] {
            assert_eq!(
                QueueName::from_arn(malformed, &scope)
                    .err()
                    .map(|e| e.to_string()),
                Some(format!("{malformed} is not a valid SQS queue ARN.")),
                "{malformed}"
            );
        }
    }
}
