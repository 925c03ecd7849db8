//! Checks of caller-supplied settings, with AWS's exact error texts (reference §2–§3).
//! Modelled constraints (ranges, patterns, required members) are all collected and fail
//! together as one `ValidationException` (`2 validation errors detected: …`); service rules,
//! checked after them, fail one at a time as `InvalidParameterValueException`.

use std::collections::BTreeMap;

use lambkin_model::Runtime;
use lambkin_model::limits::{
    ENVIRONMENT_MAX_BYTES, EVENT_AGE_RANGE_S, MEMORY_RANGE_MB, RETRY_ATTEMPTS_RANGE,
    TIMEOUT_RANGE_S,
};
use lambkin_model::validation::{self as shapes, Violations};

use crate::{EngineError, FunctionPatch, NewFunction};

/// The `ValidationException` of what `v` collected, if anything.
pub(crate) fn fail(v: &Violations) -> Result<(), EngineError> {
    match v.message() {
        Some(m) => Err(EngineError::Validation(m)),
        None => Ok(()),
    }
}

/// The model allows Timeout up to 5400 s and MemorySize up to 32768 MB (Lambda Managed
/// Instances); for functions like lambkin's, AWS's limits are 900 s and 10,240 MB. The timeout
/// limit reads as a modelled one (as AWS answered before Managed Instances); memory above
/// 10,240 is a service rule (`memory_limit`).
const TIMEOUT_MAX_S: i64 = TIMEOUT_RANGE_S.1 as i64;

/// The members CreateFunction and UpdateFunctionConfiguration share, in the model's order.
struct Settings<'a> {
    role: Option<&'a str>,
    handler: Option<&'a str>,
    description: Option<&'a str>,
    timeout: Option<i64>,
    memory: Option<i64>,
    environment: Option<&'a BTreeMap<String, String>>,
    architectures: Option<&'a [String]>,
    ephemeral_storage_mb: Option<i64>,
}

fn role_and_handler(v: &mut Violations, s: &Settings<'_>, role_required: bool) {
    match (s.role, role_required) {
        (Some(r), _) => v.string(r, "role", &shapes::ROLE),
        (None, true) => v.null("role"),
        (None, false) => {}
    }
    if let Some(h) = s.handler {
        v.string(h, "handler", &shapes::HANDLER);
    }
}

fn description_to_memory(v: &mut Violations, s: &Settings<'_>) {
    if let Some(d) = s.description {
        v.string(d, "description", &shapes::DESCRIPTION);
    }
    if let Some(t) = s.timeout {
        v.range(t, "timeout", Some(1), Some(TIMEOUT_MAX_S));
    }
    if let Some(m) = s.memory {
        v.range(m, "memorySize", Some(i64::from(MEMORY_RANGE_MB.0)), None);
    }
}

fn environment_keys(v: &mut Violations, vars: &BTreeMap<String, String>) {
    let bad = vars.keys().any(|key| {
        let mut bytes = key.bytes();
        !(key.len() >= 2
            && bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
            && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_'))
    });
    if bad {
        v.push(
            "[sensitive]",
            "environment.variables",
            "Member must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]",
        );
    }
}

fn architectures_and_storage(v: &mut Violations, s: &Settings<'_>) {
    if let Some(list) = s.architectures {
        let shown = format!("[{}]", list.join(", "));
        if list.len() > 1 {
            v.push(
                &shown,
                "architectures",
                "Member must have length less than or equal to 1",
            );
        } else if list.is_empty() {
            v.push(
                &shown,
                "architectures",
                "Member must have length greater than or equal to 1",
            );
        } else if !list.iter().all(|a| a == "x86_64" || a == "arm64") {
            v.push(
                &shown,
                "architectures",
                "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]",
            );
        }
    }
    if let Some(e) = s.ephemeral_storage_mb {
        v.range(e, "ephemeralStorage.size", Some(512), Some(10_240));
    }
}

/// CreateFunction's modelled constraints, every one, in the model's member order.
pub(crate) fn new_function(req: &NewFunction) -> Violations {
    let mut v = Violations::default();
    match req.name.as_deref() {
        None => v.null("functionName"),
        Some(name) => {
            v.string(name, "functionName", &shapes::FUNCTION_NAME);
            // A name's own part is at most 64 characters (the model's 140 allows an ARN).
            let own = name.rsplit(':').next().unwrap_or(name);
            if v.is_empty() && !name.starts_with("arn:") && own.len() > 64 {
                v.push(
                    name,
                    "functionName",
                    "Member must have length less than or equal to 64",
                );
            }
        }
    }
    let s = req.settings();
    role_and_handler(&mut v, &s, true);
    if !req.code_given {
        v.null("code");
    }
    description_to_memory(&mut v, &s);
    if let Some(vars) = s.environment {
        environment_keys(&mut v, vars);
    }
    architectures_and_storage(&mut v, &s);
    v
}

/// UpdateFunctionConfiguration's modelled constraints, in the model's member order.
pub(crate) fn patch(p: &FunctionPatch) -> Violations {
    let mut v = Violations::default();
    let s = p.settings();
    role_and_handler(&mut v, &s, false);
    description_to_memory(&mut v, &s);
    if let Some(vars) = s.environment {
        environment_keys(&mut v, vars);
    }
    architectures_and_storage(&mut v, &s);
    v
}

/// PutFunctionEventInvokeConfig's and UpdateFunctionEventInvokeConfig's ranges.
pub(crate) fn invoke_config(retries: Option<i64>, age: Option<i64>) -> Violations {
    let mut v = Violations::default();
    if let Some(n) = retries {
        let (min, max) = RETRY_ATTEMPTS_RANGE;
        v.range(
            n,
            "maximumRetryAttempts",
            Some(i64::from(min)),
            Some(i64::from(max)),
        );
    }
    if let Some(n) = age {
        let (min, max) = EVENT_AGE_RANGE_S;
        v.range(
            n,
            "maximumEventAgeInSeconds",
            Some(i64::from(min)),
            Some(i64::from(max)),
        );
    }
    v
}

/// The event-invoke-config ranges as one check, for the API to run on the raw numbers.
pub fn invoke_config_ranges(retries: Option<i64>, age: Option<i64>) -> Result<(), EngineError> {
    fail(&invoke_config(retries, age))
}

/// A service rule: memory above what AWS runs a function with.
pub(crate) fn memory_limit(mb: i64) -> Result<u32, EngineError> {
    if mb > i64::from(MEMORY_RANGE_MB.1) {
        return Err(EngineError::InvalidParameter(format!(
            "'MemorySize' value failed to satisfy constraint: Member must have value less than or equal to {}",
            MEMORY_RANGE_MB.1
        )));
    }
    Ok(u32::try_from(mb).unwrap_or(MEMORY_RANGE_MB.0))
}

impl NewFunction {
    fn settings(&self) -> Settings<'_> {
        Settings {
            role: self.role.as_deref(),
            handler: self.handler.as_deref(),
            description: self.description.as_deref(),
            timeout: self.timeout,
            memory: self.memory,
            environment: self.environment.as_ref(),
            architectures: self.architectures.as_deref(),
            ephemeral_storage_mb: self.ephemeral_storage_mb,
        }
    }
}

impl FunctionPatch {
    fn settings(&self) -> Settings<'_> {
        Settings {
            role: self.role.as_deref(),
            handler: self.handler.as_deref(),
            description: self.description.as_deref(),
            timeout: self.timeout,
            memory: self.memory,
            environment: self.environment.as_ref(),
            architectures: None,
            ephemeral_storage_mb: self.ephemeral_storage_mb,
        }
    }
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

/// Service rules on environment variables (the key pattern is a modelled constraint).
pub(crate) fn environment(vars: &BTreeMap<String, String>) -> Result<(), EngineError> {
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

    fn violations(v: Violations) -> String {
        v.message().unwrap_or_default()
    }

    #[test]
    fn create_function_lists_every_violation_in_model_order() {
        let req = NewFunction {
            name: Some("x".repeat(65)),
            role: None,
            handler: Some("a b".into()),
            description: Some("d".repeat(257)),
            timeout: Some(901),
            memory: Some(64),
            architectures: Some(vec!["x86_64".into(), "arm64".into()]),
            ephemeral_storage_mb: Some(100),
            ..Default::default()
        };
        let long = "x".repeat(65);
        let description = "d".repeat(257);
        let want = [
            format!("Value '{long}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64"),
            "Value null at 'role' failed to satisfy constraint: Member must not be null".to_string(),
            r"Value 'a b' at 'handler' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\s]+".to_string(),
            "Value null at 'code' failed to satisfy constraint: Member must not be null".to_string(),
            format!("Value '{description}' at 'description' failed to satisfy constraint: Member must have length less than or equal to 256"),
            "Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900".to_string(),
            "Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128".to_string(),
            "Value '[x86_64, arm64]' at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1".to_string(),
            "Value '100' at 'ephemeralStorage.size' failed to satisfy constraint: Member must have value greater than or equal to 512".to_string(),
        ];
        assert_eq!(
            violations(new_function(&req)),
            format!("9 validation errors detected: {}", want.join("; "))
        );
    }

    /// (case, request, expected message or "" for none)
    #[test]
    fn create_function_table() {
        let ok = || NewFunction {
            name: Some("f".into()),
            role: Some("arn:aws:iam::000000000000:role/r".into()),
            code_given: true,
            ..Default::default()
        };
        let cases: Vec<(&str, NewFunction, &str)> = vec![
            ("valid", ok(), ""),
            (
                "an ARN as the name",
                NewFunction {
                    name: Some("arn:aws:lambda:us-east-1:000000000000:function:f".into()),
                    ..ok()
                },
                "",
            ),
            (
                "no name",
                NewFunction { name: None, ..ok() },
                "1 validation error detected: Value null at 'functionName' failed to satisfy constraint: Member must not be null",
            ),
            (
                "a name with a space",
                NewFunction {
                    name: Some("a b".into()),
                    ..ok()
                },
                r"1 validation error detected: Value 'a b' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?",
            ),
            (
                "no code",
                NewFunction {
                    code_given: false,
                    ..ok()
                },
                "1 validation error detected: Value null at 'code' failed to satisfy constraint: Member must not be null",
            ),
            (
                "timeout 0",
                NewFunction {
                    timeout: Some(0),
                    ..ok()
                },
                "1 validation error detected: Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1",
            ),
            (
                "an unknown architecture",
                NewFunction {
                    architectures: Some(vec!["sparc".into()]),
                    ..ok()
                },
                "1 validation error detected: Value '[sparc]' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]",
            ),
            (
                "a bad environment key",
                NewFunction {
                    environment: Some(BTreeMap::from([("1X".into(), "v".into())])),
                    ..ok()
                },
                "1 validation error detected: Value '[sensitive]' at 'environment.variables' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]",
            ),
            (
                "memory over the service limit is a service rule, not a modelled one",
                NewFunction {
                    memory: Some(20_000),
                    ..ok()
                },
                "",
            ),
        ];
        for (case, req, want) in cases {
            assert_eq!(violations(new_function(&req)), want, "{case}");
        }
        assert!(matches!(
            memory_limit(10_241),
            Err(EngineError::InvalidParameter(_))
        ));
        assert_eq!(memory_limit(10_240).ok(), Some(10_240));
    }

    #[test]
    fn event_invoke_config_ranges_together() {
        assert_eq!(
            violations(invoke_config(Some(3), Some(59))),
            "2 validation errors detected: Value '3' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2; Value '59' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60"
        );
        assert!(invoke_config(Some(0), Some(21_600)).is_empty());
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
