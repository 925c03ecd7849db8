//! Function identifiers as callers write them: a name, `name:qualifier`, a partial ARN
//! (`123456789012:function:name`) or a full ARN, parsed once at the edge.

use std::fmt;

use crate::ModelError;

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
        let (name, suffix) = split_identifier(s)?;
        let name = FunctionName::parse(name)?;
        let suffix = suffix.map(Qualifier::parse).transpose()?;
        let query = query_qualifier
            .filter(|q| !q.is_empty())
            .map(Qualifier::parse)
            .transpose()?;
        let qualifier = match (suffix, query) {
            (Some(a), Some(b)) if a != b => return Err(ModelError::QualifierMismatch),
            (a, b) => a.or(b),
        };
        Ok(FunctionRef { name, qualifier })
    }

    /// The qualifier that applies: unqualified means `$LATEST`.
    pub fn effective_qualifier(&self) -> Qualifier {
        self.qualifier.clone().unwrap_or_else(Qualifier::latest)
    }
}

/// Splits `name[:q]`, `acct:function:name[:q]` or `arn:partition:lambda:region:acct:function:name[:q]`.
fn split_identifier(s: &str) -> Result<(&str, Option<&str>), ModelError> {
    let bad = || ModelError::InvalidFunctionName(s.to_string());
    if s.len() > 256 {
        return Err(bad());
    }
    let parts: Vec<&str> = s.split(':').collect();
    let rest: &[&str] = if s.starts_with("arn:") {
        match parts.as_slice() {
            [
                "arn",
                _partition,
                "lambda",
                _region,
                account,
                "function",
                rest @ ..,
            ] if is_account(account) => rest,
            _ => return Err(bad()),
        }
    } else if parts.len() >= 3 && parts[1] == "function" {
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
