//! The `{FunctionName}` path parameter plus the `Qualifier` query, checked against the
//! operation's model shapes and parsed once.
//!
//! Operations name a function through one of two model shapes: `NamespacedFunctionName`
//! (1–256 characters, dots allowed; GetFunction, Invoke, the event-invoke-config calls…) with
//! a `Qualifier` member, or `FunctionName` (1–140; the concurrency calls and the updates)
//! without one. A value outside the shape is a `ValidationException` with AWS's text; a value
//! inside it that cannot name a function lambkin could hold (a dot, a name part over 64
//! characters) simply does not exist.

use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use lambkin_engine::Engine;
use lambkin_model::validation::{self as shapes, StringShape, Violations};
use lambkin_model::{FunctionRef, ModelError};
use serde::Deserialize;

use super::error::AwsError;

#[derive(Debug, Deserialize)]
struct QualifierQuery {
    #[serde(rename = "Qualifier")]
    qualifier: Option<String>,
}

/// A `NamespacedFunctionName` and its `Qualifier` (name, partial or full ARN, qualifier).
#[derive(Debug, Clone)]
pub(crate) struct Target(pub FunctionRef);

/// A `NamespacedFunctionName` of an operation without a `Qualifier` member.
#[derive(Debug, Clone)]
pub(crate) struct UnqualifiedTarget(pub FunctionRef);

/// A `FunctionName` (the concurrency calls, UpdateFunctionCode, UpdateFunctionConfiguration).
#[derive(Debug, Clone)]
pub(crate) struct PlainTarget(pub FunctionRef);

async fn extract(
    parts: &mut Parts,
    engine: &Engine,
    shape: &StringShape,
    with_qualifier: bool,
) -> Result<FunctionRef, AwsError> {
    // axum percent-decodes path segments: `my-fn%3Aprod` arrives as `my-fn:prod`. Routes with
    // a second parameter (an alias's name) are read by name.
    let Path(mut params) =
        Path::<std::collections::HashMap<String, String>>::from_request_parts(parts, engine)
            .await
            .map_err(|e| AwsError::invalid_parameter(e.body_text()))?;
    let name = params.remove("name").unwrap_or_default();
    let qualifier = if with_qualifier {
        let Query(q) = Query::<QualifierQuery>::from_request_parts(parts, engine)
            .await
            .map_err(|e| AwsError::invalid_parameter(e.body_text()))?;
        q.qualifier.filter(|q| !q.is_empty())
    } else {
        None
    };
    let mut v = Violations::default();
    v.string(&name, "functionName", shape);
    if let Some(q) = &qualifier {
        v.string(q, "qualifier", &shapes::QUALIFIER);
    }
    if let Some(message) = v.message() {
        return Err(AwsError::validation(message));
    }
    FunctionRef::parse(&name, qualifier.as_deref()).map_err(|e| match e {
        ModelError::QualifierMismatch => AwsError::invalid_parameter(
            "The derived qualifier from the function name does not match the specified qualifier.",
        ),
        _ => {
            let scope = engine.scope();
            AwsError::not_found(format!(
                "Function not found: arn:aws:lambda:{}:{}:function:{}",
                scope.region,
                scope.account,
                arn_tail(&name, qualifier.as_deref())
            ))
        }
    })
}

/// What follows `function:` in the ARN of a name lambkin cannot hold, as AWS prints it in its
/// 404: the name (and qualifier) without the optional prefixes the model's pattern allows
/// (`arn:<partition>:lambda:`, a region, an account, `function:`), plus the `Qualifier`
/// parameter when the name carries none.
fn arn_tail(name: &str, qualifier: Option<&str>) -> String {
    let mut rest = name;
    if rest.starts_with("arn:") {
        // arn:<partition>:lambda:
        rest = rest.splitn(4, ':').nth(3).unwrap_or_default();
    }
    let mut strip = |matches: fn(&str) -> bool| {
        if let Some((head, tail)) = rest.split_once(':')
            && matches(head)
        {
            rest = tail;
        }
    };
    strip(|s| {
        let (body, digit) = s.split_at(s.len().saturating_sub(1));
        body.ends_with('-') && digit.bytes().all(|b| b.is_ascii_digit()) && !digit.is_empty()
    });
    strip(|s| s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()));
    strip(|s| s == "function");
    match qualifier {
        Some(q) if !rest.contains(':') => format!("{rest}:{q}"),
        _ => rest.to_string(),
    }
}

impl FromRequestParts<Engine> for Target {
    type Rejection = AwsError;

    async fn from_request_parts(parts: &mut Parts, engine: &Engine) -> Result<Self, AwsError> {
        extract(parts, engine, &shapes::NAMESPACED_FUNCTION_NAME, true)
            .await
            .map(Target)
    }
}

impl FromRequestParts<Engine> for UnqualifiedTarget {
    type Rejection = AwsError;

    async fn from_request_parts(parts: &mut Parts, engine: &Engine) -> Result<Self, AwsError> {
        extract(parts, engine, &shapes::NAMESPACED_FUNCTION_NAME, false)
            .await
            .map(UnqualifiedTarget)
    }
}

impl FromRequestParts<Engine> for PlainTarget {
    type Rejection = AwsError;

    async fn from_request_parts(parts: &mut Parts, engine: &Engine) -> Result<Self, AwsError> {
        extract(parts, engine, &shapes::FUNCTION_NAME, false)
            .await
            .map(PlainTarget)
    }
}

/// Parses a JSON request body, answering malformed JSON the way AWS does.
pub(crate) fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, AwsError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}" as &[u8]
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| {
        AwsError::invalid_content(format!("Could not parse request body into json: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::arn_tail;

    #[test]
    fn arn_tail_drops_the_prefixes_the_pattern_allows() {
        for (name, qualifier, tail) in [
            ("my.fn", None, "my.fn"),
            ("my.fn", Some("prod"), "my.fn:prod"),
            ("my.fn:prod", None, "my.fn:prod"),
            ("my.fn:prod", Some("other"), "my.fn:prod"),
            ("my-fn.x:prod", None, "my-fn.x:prod"),
            ("000000000000:my.fn", None, "my.fn"),
            ("000000000000:function:my.fn", None, "my.fn"),
            ("us-east-1:000000000000:function:my.fn:1", None, "my.fn:1"),
            (
                "arn:aws:lambda:us-east-1:000000000000:function:my.fn",
                None,
                "my.fn",
            ),
            (
                "arn:aws-cn:lambda:cn-north-1:000000000000:function:a.b:$LATEST",
                None,
                "a.b:$LATEST",
            ),
        ] {
            assert_eq!(arn_tail(name, qualifier), tail, "{name} {qualifier:?}");
        }
    }
}
