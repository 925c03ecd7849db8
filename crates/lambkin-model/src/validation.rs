//! AWS's request validation, as its services print it: every violated constraint of a request
//! is collected, in the order of the model's members, into one message,
//! `2 validation errors detected: Value '…' at 'timeout' failed to satisfy constraint: …; …`.
//!
//! [`Violations`] collects; the constants below are the Lambda model's constraints
//! (botocore `lambda/2015-03-31`) with their patterns exactly as AWS prints them. The surface
//! that owns the request turns the message into its `ValidationException`.

use std::sync::LazyLock;

use regex::Regex;

/// The constraints a request broke, in the order they were checked.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Violations(Vec<String>);

/// A string member's model constraints.
#[derive(Debug)]
pub struct StringShape {
    pub min: usize,
    pub max: usize,
    /// As the model writes it (and AWS prints it).
    pub pattern: Option<&'static str>,
    regex: LazyLock<Option<Regex>>,
}

fn compile(pattern: Option<&str>) -> Option<Regex> {
    pattern.map(|p| Regex::new(&format!("^(?:{p})$")).expect("the model's patterns compile"))
}

macro_rules! shape {
    ($name:ident, $min:expr, $max:expr, $pattern:expr) => {
        pub static $name: StringShape = {
            const PATTERN: Option<&str> = $pattern;
            StringShape {
                min: $min,
                max: $max,
                pattern: PATTERN,
                regex: LazyLock::new(|| compile(PATTERN)),
            }
        };
    };
}

shape!(
    FUNCTION_NAME,
    1,
    140,
    Some(
        r"(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?"
    )
);
shape!(
    NAMESPACED_FUNCTION_NAME,
    1,
    256,
    Some(
        r"(arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:|(((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?))(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?"
    )
);
shape!(
    QUALIFIER,
    1,
    128,
    Some(r"\$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+")
);
shape!(
    ROLE,
    0,
    10_000,
    Some(r"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+")
);
shape!(HANDLER, 0, 128, Some(r"[^\s]+"));
shape!(
    ARN,
    0,
    10_000,
    Some(
        r"arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)"
    )
);
shape!(DESCRIPTION, 0, 256, None);
shape!(
    MASTER_REGION,
    1,
    50,
    Some(r"ALL|(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}")
);

shape!(STATEMENT_ID, 1, 100, Some(r"([a-zA-Z0-9-_.]+)"));
shape!(
    PERMISSION_ACTION,
    0,
    10_000,
    Some(r"(lambda:[*]|lambda:[a-zA-Z]+|[*])")
);
shape!(PRINCIPAL, 0, 2048, Some(r"[^\s]+"));
shape!(
    TAGGABLE_RESOURCE,
    1,
    10_000,
    Some(
        r"arn:(aws[a-zA-Z-]*):lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:(function:[a-zA-Z0-9-_]+(:(\$LATEST|[a-zA-Z0-9-_]+))?|code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|(capacity-provider|network-connector):[a-zA-Z0-9-_]{1,64})"
    )
);

/// EventBridge's model (botocore `events/2015-10-07`): the shapes its operations share.
pub mod events {
    use super::{LazyLock, StringShape, compile};

    shape!(RULE_NAME, 1, 64, Some(r"[\.\-_A-Za-z0-9]+"));
    shape!(TARGET_ID, 1, 64, Some(r"[\.\-_A-Za-z0-9]+"));
    shape!(EVENT_BUS_NAME, 1, 256, Some(r"[/\.\-_A-Za-z0-9]+"));
    shape!(
        EVENT_BUS_NAME_OR_ARN,
        1,
        1600,
        Some(
            r"(arn:aws[\w-]*:events:[a-z]+-[a-z]+-[\w-]+:[0-9]{12}:event-bus\/)?[/\.\-_A-Za-z0-9]+"
        )
    );
    shape!(
        NON_PARTNER_EVENT_BUS_NAME_OR_ARN,
        1,
        1600,
        Some(
            r"(arn:aws[\w-]*:events:[a-z]+-[a-z]+-[\w-]+:[0-9]{12}:event-bus\/)?[\.\-_A-Za-z0-9]+"
        )
    );
    shape!(ARN, 1, 1600, None);
    shape!(SCHEDULE_EXPRESSION, 0, 256, None);
    shape!(EVENT_PATTERN, 0, 4096, None);
    shape!(RULE_DESCRIPTION, 0, 512, None);
    shape!(TARGET_INPUT, 0, 8192, None);
    shape!(TARGET_INPUT_PATH, 0, 256, None);
    shape!(TRANSFORMER_INPUT, 1, 8192, None);
    shape!(NEXT_TOKEN, 1, 2048, None);

    // EventBridge Scheduler (`scheduler/2021-06-30`).
    shape!(SCHEDULE_NAME, 1, 64, Some(r"^[0-9a-zA-Z-_.]+$"));
    shape!(SCHEDULE_GROUP_NAME, 1, 64, Some(r"^[0-9a-zA-Z-_.]+$"));
    shape!(SCHEDULER_EXPRESSION, 1, 256, None);
    shape!(TIMEZONE, 1, 50, None);
    shape!(
        SCHEDULER_ROLE_ARN,
        1,
        1600,
        Some(r"^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@\/-]+$")
    );
    shape!(
        SCHEDULER_DLQ_ARN,
        1,
        1600,
        Some(r"^arn:aws(-[a-z]+)?:sqs:[a-z0-9\-]+:\d{12}:[a-zA-Z0-9\-_]+$")
    );
}

impl Violations {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Value '<value>' at '<field>' failed to satisfy constraint: <rule>`.
    pub fn push(&mut self, value: impl std::fmt::Display, field: &str, rule: &str) {
        self.0.push(format!(
            "Value '{value}' at '{field}' failed to satisfy constraint: {rule}"
        ));
    }

    /// A required member that is absent.
    pub fn null(&mut self, field: &str) {
        self.0.push(format!(
            "Value null at '{field}' failed to satisfy constraint: Member must not be null"
        ));
    }

    /// A string's length in characters, between `min` and `max` inclusive.
    pub fn length(&mut self, value: &str, field: &str, min: usize, max: usize) {
        let len = value.chars().count();
        if len < min {
            self.push(
                value,
                field,
                &format!("Member must have length greater than or equal to {min}"),
            );
        }
        if len > max {
            self.push(
                value,
                field,
                &format!("Member must have length less than or equal to {max}"),
            );
        }
    }

    /// A string against its shape: length (in characters), then pattern.
    pub fn string(&mut self, value: &str, field: &str, shape: &StringShape) {
        self.length(value, field, shape.min, shape.max);
        if let (Some(pattern), Some(re)) = (shape.pattern, shape.regex.as_ref())
            && !re.is_match(value)
        {
            self.push(
                value,
                field,
                &format!("Member must satisfy regular expression pattern: {pattern}"),
            );
        }
    }

    /// A required string: null when absent.
    pub fn required(&mut self, value: Option<&str>, field: &str, shape: &StringShape) {
        match value {
            Some(v) => self.string(v, field, shape),
            None => self.null(field),
        }
    }

    /// An integer against its range.
    pub fn range(&mut self, value: i64, field: &str, min: Option<i64>, max: Option<i64>) {
        if let Some(min) = min
            && value < min
        {
            self.push(
                value,
                field,
                &format!("Member must have value greater than or equal to {min}"),
            );
        }
        if let Some(max) = max
            && value > max
        {
            self.push(
                value,
                field,
                &format!("Member must have value less than or equal to {max}"),
            );
        }
    }

    /// A value that must be one of `allowed`.
    pub fn one_of(&mut self, value: &str, field: &str, allowed: &[&str]) {
        if !allowed.contains(&value) {
            self.push(
                value,
                field,
                &format!(
                    "Member must satisfy enum value set: [{}]",
                    allowed.join(", ")
                ),
            );
        }
    }

    /// The message of a `ValidationException`, or `None` if nothing was broken.
    pub fn message(&self) -> Option<String> {
        let n = self.0.len();
        (n > 0).then(|| {
            let plural = if n == 1 { "" } else { "s" };
            format!(
                "{n} validation error{plural} detected: {}",
                self.0.join("; ")
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_error_and_several() {
        let mut v = Violations::default();
        assert_eq!(v.message(), None);
        v.range(1000, "timeout", Some(1), Some(900));
        assert_eq!(
            v.message().as_deref(),
            Some(
                "1 validation error detected: Value '1000' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900"
            )
        );
        v.range(64, "memorySize", Some(128), None);
        v.null("role");
        assert_eq!(
            v.message().as_deref(),
            Some(
                "3 validation errors detected: Value '1000' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900; Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128; Value null at 'role' failed to satisfy constraint: Member must not be null"
            )
        );
    }

    /// (case, value, shape, violated rules)
    #[test]
    fn shapes_table() {
        let long = "a".repeat(141);
        let cases: &[(&str, &str, &StringShape, &[&str])] = &[
            ("plain name", "my-function_1", &FUNCTION_NAME, &[]),
            (
                "full ARN with a qualifier",
                "arn:aws:lambda:us-east-1:123456789012:function:f:prod",
                &FUNCTION_NAME,
                &[],
            ),
            (
                "partial ARN",
                "123456789012:function:f",
                &FUNCTION_NAME,
                &[],
            ),
            (
                "a dot is not a name",
                "my.function",
                &FUNCTION_NAME,
                &["pattern"],
            ),
            (
                "a dot is a namespaced name",
                "my.function",
                &NAMESPACED_FUNCTION_NAME,
                &[],
            ),
            (
                "$LATEST.PUBLISHED",
                "f:$LATEST.PUBLISHED",
                &NAMESPACED_FUNCTION_NAME,
                &[],
            ),
            (
                "too long and still a name",
                &long,
                &FUNCTION_NAME,
                &["length"],
            ),
            ("empty", "", &FUNCTION_NAME, &["length", "pattern"]),
            ("spaces", "my function", &FUNCTION_NAME, &["pattern"]),
            ("qualifier", "$LATEST", &QUALIFIER, &[]),
            ("alias", "prod-1", &QUALIFIER, &[]),
            ("bad qualifier", "pr od", &QUALIFIER, &["pattern"]),
            (
                "role",
                "arn:aws:iam::123456789012:role/service-role/x",
                &ROLE,
                &[],
            ),
            ("not a role", "admin", &ROLE, &["pattern"]),
            ("handler", "index.handler", &HANDLER, &[]),
            (
                "handler with a space",
                "index handler",
                &HANDLER,
                &["pattern"],
            ),
            ("region", "us-east-1", &MASTER_REGION, &[]),
            ("ALL regions", "ALL", &MASTER_REGION, &[]),
            ("not a region", "moon", &MASTER_REGION, &["pattern"]),
        ];
        for (case, value, shape, want) in cases {
            let mut v = Violations::default();
            v.string(value, "f", shape);
            let got: Vec<&str> =
                v.0.iter()
                    .map(|m| {
                        if m.contains("length") {
                            "length"
                        } else {
                            "pattern"
                        }
                    })
                    .collect();
            assert_eq!(&got, want, "{case}: {:?}", v.0);
        }
    }
}
