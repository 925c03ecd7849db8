//! Function identifiers as callers write them: a name, `name:qualifier`, a partial ARN
//! (`123456789012:function:name`) or a full ARN, parsed once at the edge.

use std::fmt;

use crate::{Arn, ModelError};

/// A bare function name: `[a-zA-Z0-9-_]{1,64}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FunctionName(String);

impl FunctionName {
    pub fn parse(s: &str) -> Result<Self, ModelError> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(FunctionName(s.to_string()))
        } else {
            Err(ModelError::InvalidFunctionName(s.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FunctionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A version (`$LATEST`, `1`) or alias name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Qualifier(String);

impl Qualifier {
    pub const LATEST: &'static str = "$LATEST";

    pub fn latest() -> Self {
        Qualifier(Self::LATEST.to_string())
    }

    pub fn parse(s: &str) -> Result<Self, ModelError> {
        let ok = s == Self::LATEST
            || (!s.is_empty()
                && s.len() <= 128
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        if ok {
            Ok(Qualifier(s.to_string()))
        } else {
            Err(ModelError::InvalidQualifier(s.to_string()))
        }
    }

    pub fn is_latest(&self) -> bool {
        self.0 == Self::LATEST
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Qualifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a `{FunctionName}` path parameter (plus an optional `Qualifier` query) refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionRef {
    pub name: FunctionName,
    /// Qualifier written as a suffix or in the `Qualifier` query; `None` means unqualified.
    pub qualifier: Option<Qualifier>,
}

impl FunctionRef {
    /// Parses an (already percent-decoded) identifier and reconciles it with a `Qualifier`
    /// query parameter: both given and different is AWS's "derived qualifier" error.
    pub fn parse(s: &str, query_qualifier: Option<&str>) -> Result<Self, ModelError> {
        let named = if s.starts_with("arn:") {
            let arn = Arn::parse(s).map_err(|_| ModelError::InvalidFunctionName(s.to_string()))?;
            FunctionRef::from_arn(&arn)?
        } else {
            let (name, suffix) = split_identifier(s)?;
            FunctionRef {
                name: FunctionName::parse(name)?,
                qualifier: suffix.map(Qualifier::parse).transpose()?,
            }
        };
        let query = query_qualifier
            .filter(|q| !q.is_empty())
            .map(Qualifier::parse)
            .transpose()?;
        let qualifier = match (named.qualifier, query) {
            (Some(a), Some(b)) if a != b => return Err(ModelError::QualifierMismatch),
            (a, b) => a.or(b),
        };
        Ok(FunctionRef {
            name: named.name,
            qualifier,
        })
    }

    /// The function a full ARN names:
    /// `arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]`. Only the
    /// shape is checked, not whether the ARN is local (see [`Arn::is_local`]).
    pub fn from_arn(arn: &Arn) -> Result<Self, ModelError> {
        let s = arn.to_string();
        let function = arn
            .resource()
            .strip_prefix("function:")
            .filter(|_| {
                s.len() <= MAX_IDENTIFIER_LEN
                    && arn.service() == "lambda"
                    && is_account(arn.account())
            })
            .and_then(name_and_qualifier);
        let Some((name, suffix)) = function else {
            return Err(ModelError::InvalidFunctionName(s));
        };
        Ok(FunctionRef {
            name: FunctionName::parse(name)?,
            qualifier: suffix.map(Qualifier::parse).transpose()?,
        })
    }

    /// The qualifier that applies: unqualified means `$LATEST`.
    pub fn effective_qualifier(&self) -> Qualifier {
        self.qualifier.clone().unwrap_or_else(Qualifier::latest)
    }
}

/// The longest identifier AWS accepts in a `{FunctionName}` path parameter.
const MAX_IDENTIFIER_LEN: usize = 256;

/// Splits the forms that are not full ARNs: `name[:q]` and `acct:function:name[:q]`.
fn split_identifier(s: &str) -> Result<(&str, Option<&str>), ModelError> {
    let bad = || ModelError::InvalidFunctionName(s.to_string());
    if s.len() > MAX_IDENTIFIER_LEN {
        return Err(bad());
    }
    let parts: Vec<&str> = s.split(':').collect();
    let rest: &[&str] = if parts.len() >= 3 && parts[1] == "function" {
        if !is_account(parts[0]) {
            return Err(bad());
        }
        &parts[2..]
    } else {
        &parts[..]
    };
    match rest {
        [name] => Ok((name, None)),
        [name, q] => Ok((name, Some(q))),
        _ => Err(bad()),
    }
}

/// `name` or `name:qualifier`.
fn name_and_qualifier(s: &str) -> Option<(&str, Option<&str>)> {
    match s.split_once(':') {
        None => Some((s, None)),
        Some((name, q)) if !q.contains(':') => Some((name, Some(q))),
        Some(_) => None,
    }
}

fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    type Parsed = Result<(String, Option<String>), ModelError>;

    fn parsed(s: &str, q: Option<&str>) -> Parsed {
        FunctionRef::parse(s, q).map(|r| {
            (
                r.name.as_str().to_string(),
                r.qualifier.map(|q| q.as_str().to_string()),
            )
        })
    }

    #[test]
    fn identifier_forms() {
        let some = |n: &str, q: Option<&str>| Ok((n.to_string(), q.map(str::to_string)));
        let cases: &[(&str, Option<&str>, Parsed)] = &[
            ("my-fn", None, some("my-fn", None)),
            ("my_fn:$LATEST", None, some("my_fn", Some("$LATEST"))),
            ("my-fn:prod", None, some("my-fn", Some("prod"))),
            ("my-fn", Some("$LATEST"), some("my-fn", Some("$LATEST"))),
            ("my-fn:1", Some("1"), some("my-fn", Some("1"))),
            ("123456789012:function:my-fn", None, some("my-fn", None)),
            (
                "123456789012:function:my-fn:7",
                None,
                some("my-fn", Some("7")),
            ),
            (
                "arn:aws:lambda:us-east-1:000000000000:function:my-fn",
                None,
                some("my-fn", None),
            ),
            (
                "arn:aws:lambda:eu-west-1:000000000000:function:my-fn:$LATEST",
                None,
                some("my-fn", Some("$LATEST")),
            ),
            // Any partition of AWS's pattern parses (see `Arn`); the region is not checked.
            (
                "arn:aws-cn:lambda:cn-north-1:000000000000:function:my-fn",
                None,
                some("my-fn", None),
            ),
            (
                "arn:gcp:lambda:us-east-1:000000000000:function:my-fn",
                None,
                Err(ModelError::InvalidFunctionName(
                    "arn:gcp:lambda:us-east-1:000000000000:function:my-fn".into(),
                )),
            ),
            (
                "arn:aws:lambda:us-east-1:000000000000:function:my-fn:1:2",
                None,
                Err(ModelError::InvalidFunctionName(
                    "arn:aws:lambda:us-east-1:000000000000:function:my-fn:1:2".into(),
                )),
            ),
            (
                "arn:aws:lambda:us-east-1:000000000000:function:",
                None,
                Err(ModelError::InvalidFunctionName(String::new())),
            ),
            (
                "arn:aws:lambda:us-east-1:000000000000:function:my-fn",
                Some("prod"),
                some("my-fn", Some("prod")),
            ),
            ("my-fn:1", Some("2"), Err(ModelError::QualifierMismatch)),
            (
                "",
                None,
                Err(ModelError::InvalidFunctionName(String::new())),
            ),
            (
                "a b",
                None,
                Err(ModelError::InvalidFunctionName("a b".into())),
            ),
            (
                "a:b:c:d",
                None,
                Err(ModelError::InvalidFunctionName("a:b:c:d".into())),
            ),
            (
                "arn:aws:s3:us-east-1:000000000000:function:x",
                None,
                Err(ModelError::InvalidFunctionName(
                    "arn:aws:s3:us-east-1:000000000000:function:x".into(),
                )),
            ),
            (
                "my-fn:bad qual",
                None,
                Err(ModelError::InvalidQualifier("bad qual".into())),
            ),
        ];
        for (input, q, want) in cases {
            assert_eq!(&parsed(input, *q), want, "input {input:?} qualifier {q:?}");
        }
    }

    #[test]
    fn name_length_limit() {
        assert!(FunctionName::parse(&"a".repeat(64)).is_ok());
        assert!(FunctionName::parse(&"a".repeat(65)).is_err());
    }
}
