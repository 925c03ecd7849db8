//! Checks of caller-supplied settings, with AWS's exact error texts (reference §2–§3).
//! Modelled constraints (ranges, patterns) fail as `ValidationException`; service rules as
//! `InvalidParameterValueException`.

use std::collections::BTreeMap;

use lambkin_model::Runtime;
use lambkin_model::limits::{
    ENVIRONMENT_MAX_BYTES, EVENT_AGE_RANGE_S, MEMORY_RANGE_MB, RETRY_ATTEMPTS_RANGE,
    TIMEOUT_RANGE_S,
};

use crate::EngineError;

fn constraint(value: impl std::fmt::Display, field: &str, rule: &str) -> EngineError {
    EngineError::Validation(format!(
        "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {rule}"
    ))
}

pub(crate) fn range(value: u32, (min, max): (u32, u32), field: &str) -> Result<u32, EngineError> {
    if value < min {
        Err(constraint(
            value,
            field,
            &format!("Member must have value greater than or equal to {min}"),
        ))
    } else if value > max {
        Err(constraint(
            value,
            field,
            &format!("Member must have value less than or equal to {max}"),
        ))
    } else {
        Ok(value)
    }
}

pub(crate) fn timeout(v: u32) -> Result<u32, EngineError> {
    range(v, TIMEOUT_RANGE_S, "timeout")
}

pub(crate) fn memory(v: u32) -> Result<u32, EngineError> {
    // The model now allows 32768 (Managed Instances); 10,240 is the service limit.
    if v > MEMORY_RANGE_MB.1 {
        return Err(EngineError::InvalidParameter(format!(
            "'MemorySize' value failed to satisfy constraint: Member must have value less than or equal to {}",
            MEMORY_RANGE_MB.1
        )));
    }
    range(v, MEMORY_RANGE_MB, "memorySize")
}

pub(crate) fn retry_attempts(v: u32) -> Result<u32, EngineError> {
    range(v, RETRY_ATTEMPTS_RANGE, "maximumRetryAttempts")
}

pub(crate) fn event_age(v: u32) -> Result<u32, EngineError> {
    range(v, EVENT_AGE_RANGE_S, "maximumEventAgeInSeconds")
}

pub(crate) fn runtime(s: &str) -> Result<Runtime, EngineError> {
    Runtime::parse(s).map_err(|_| {
        let names: Vec<_> = Runtime::names().collect();
        EngineError::InvalidParameter(format!(
            "Value {s} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [{}] or be a valid ARN",
            names.join(", ")
        ))
    })
}

/// `arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+`
pub(crate) fn role(s: &str) -> Result<(), EngineError> {
    let ok = (|| {
        let rest = s.strip_prefix("arn:")?;
        let (partition, rest) = rest.split_once(':')?;
        let partition_ok = partition.is_empty()
            || (partition.starts_with("aws")
                && partition[3..]
                    .bytes()
                    .all(|b| b.is_ascii_alphabetic() || b == b'-'));
        let rest = rest.strip_prefix("iam::")?;
        let (account, rest) = rest.split_once(':')?;
        let account_ok = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
        let name = rest.strip_prefix("role")?;
        let name = name.strip_prefix('/').unwrap_or(name);
        let name_ok = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-/".contains(&b));
        Some(partition_ok && account_ok && name_ok)
    })()
    .unwrap_or(false);
    if ok {
        Ok(())
    } else {
        Err(constraint(
            s,
            "role",
            r"Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+",
        ))
    }
}

pub(crate) fn handler(s: &str) -> Result<(), EngineError> {
    if s.len() > 128 || s.chars().any(char::is_whitespace) {
        return Err(constraint(
            s,
            "handler",
            r"Member must satisfy regular expression pattern: [^\s]+",
        ));
    }
    Ok(())
}

/// Keys AWS sets itself and refuses to let a function override.
const RESERVED_KEYS: &[&str] = &[
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
];

pub(crate) fn environment(vars: &BTreeMap<String, String>) -> Result<(), EngineError> {
    for key in vars.keys() {
        let mut bytes = key.bytes();
        let ok = key.len() >= 2
            && bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
            && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !ok {
            return Err(constraint(
                "[sensitive]",
                "environment.variables",
                "Member must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]",
            ));
        }
    }
    let reserved: Vec<&str> = vars
        .keys()
        .map(String::as_str)
        .filter(|k| RESERVED_KEYS.contains(k))
        .collect();
    if !reserved.is_empty() {
        return Err(EngineError::InvalidParameter(format!(
            "Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: {}",
            reserved.join(", ")
        )));
    }
    let size: usize = vars.iter().map(|(k, v)| k.len() + v.len()).sum();
    if size > ENVIRONMENT_MAX_BYTES {
        return Err(EngineError::InvalidParameter(
            "Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: [sensitive]".to_string(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert!(timeout(1).is_ok() && timeout(900).is_ok());
        assert!(
            matches!(timeout(901), Err(EngineError::Validation(m)) if m.ends_with("Member must have value less than or equal to 900"))
        );
        assert!(matches!(timeout(0), Err(EngineError::Validation(_))));
        assert!(matches!(
            memory(10_241),
            Err(EngineError::InvalidParameter(_))
        ));
        assert!(matches!(memory(127), Err(EngineError::Validation(_))));
        assert!(
            matches!(retry_attempts(3), Err(EngineError::Validation(m)) if m.contains("'maximumRetryAttempts'"))
        );
        assert!(retry_attempts(0).is_ok());
        assert!(event_age(59).is_err() && event_age(21_601).is_err() && event_age(60).is_ok());
    }

    #[test]
    fn roles() {
        for ok in [
            "arn:aws:iam::000000000000:role/lambda-role",
            "arn:aws:iam::123456789012:role/path/x.y@z",
            "arn::iam::123456789012:role/r",
        ] {
            assert!(role(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "role",
            "arn:aws:iam::123:role/r",
            "arn:aws:iam::123456789012:user/r",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:iam::123456789012:role/a b",
        ] {
            assert!(
                matches!(role(bad), Err(EngineError::Validation(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn environments() {
        let vars = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>()
        };
        assert!(environment(&vars(&[("GREETING", "hi"), ("a_1", "")])).is_ok());
        assert!(matches!(
            environment(&vars(&[("1BAD", "x")])),
            Err(EngineError::Validation(_))
        ));
        assert!(
            matches!(environment(&vars(&[("AWS_REGION", "x")])), Err(EngineError::InvalidParameter(m)) if m.ends_with("AWS_REGION"))
        );
        let big = "x".repeat(4096);
        assert!(
            matches!(environment(&vars(&[("BIG", &big)])), Err(EngineError::InvalidParameter(m)) if m.contains("4KB"))
        );
        assert!(runtime("java21").is_err() && runtime("nodejs22.x").is_ok());
    }
}
