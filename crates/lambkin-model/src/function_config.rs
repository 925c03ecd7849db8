//! A function's configuration as lambkin keeps it (not the AWS wire shape, which lives in the
//! api crate), and the region/account scope its ARNs are built in.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{FunctionName, Qualifier, Runtime, Timestamp};

/// The region and account this lambkin pretends to be; every ARN is built from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub region: String,
    pub account: String,
}

impl Default for Scope {
    fn default() -> Self {
        Scope {
            region: "us-east-1".to_string(),
            account: "000000000000".to_string(),
        }
    }
}

impl Scope {
    /// `arn:aws:lambda:<region>:<account>:function:<name>`
    pub fn function_arn(&self, name: &FunctionName) -> String {
        format!(
            "arn:aws:lambda:{}:{}:function:{}",
            self.region, self.account, name
        )
    }

    /// The ARN a configuration answers with: unqualified for `$LATEST`, qualified by the
    /// number for a published version.
    pub fn config_arn(&self, config: &FunctionConfig) -> String {
        if config.version == Qualifier::LATEST {
            self.function_arn(&config.name)
        } else {
            format!("{}:{}", self.function_arn(&config.name), config.version)
        }
    }

    /// The ARN with its qualifier, as AWS writes it into records and error messages.
    pub fn qualified_arn(&self, name: &FunctionName, qualifier: &Qualifier) -> String {
        format!("{}:{}", self.function_arn(name), qualifier)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionConfig {
    pub name: FunctionName,
    pub runtime: Runtime,
    pub handler: String,
    pub role: String,
    pub description: String,
    pub timeout_s: u32,
    pub memory_mb: u32,
    /// `None` when the caller never set `Environment` (AWS then omits it from responses).
    pub environment: Option<BTreeMap<String, String>>,
    pub dead_letter_target: Option<String>,
    pub architecture: String,
    pub ephemeral_storage_mb: u32,
    /// Base64 SHA-256 of the deployment package, as AWS reports `CodeSha256`.
    pub code_sha256: String,
    pub code_size: u64,
    /// Changes on every update of code or configuration.
    pub revision_id: String,
    pub last_modified: Timestamp,
    /// Reserved concurrency; `Some(0)` throttles every invocation.
    pub reserved_concurrency: Option<u32>,
    pub tags: BTreeMap<String, String>,
    /// PutFunctionRecursionConfig `Allow`: recursive loops are not stopped (AWS's default,
    /// `Terminate`, stops them). Absent from configs stored before it existed.
    #[serde(default)]
    pub recursive_loop_allowed: bool,
    /// The resource policy's statements (AddPermission), each as the JSON AWS returns; kept,
    /// never enforced. Absent from configs stored before it existed.
    #[serde(default)]
    pub policy_statements: Vec<String>,
    /// `$LATEST`, or the number of a published version (an immutable snapshot). Absent from
    /// configs stored before versions existed, which were all `$LATEST`.
    #[serde(default = "latest")]
    pub version: String,
    /// On `$LATEST`: the highest version number ever published (numbers are never reused,
    /// also after a version is deleted).
    #[serde(default)]
    pub last_published: u32,
    /// On a published version: the `$LATEST` `RevisionId` it was taken from, so publishing an
    /// unchanged `$LATEST` again returns this version instead of a new one (AWS's rule).
    #[serde(default)]
    pub published_from: Option<String>,
}

fn latest() -> String {
    Qualifier::LATEST.to_string()
}

impl FunctionConfig {
    pub fn log_group(&self) -> String {
        format!("/aws/lambda/{}", self.name)
    }
}

// serde for the identifier newtypes, so configs persist as plain strings.
impl Serialize for FunctionName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for FunctionName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        FunctionName::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl Serialize for Runtime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Runtime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Runtime::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.0)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        i64::deserialize(d).map(Timestamp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns() {
        let scope = Scope::default();
        let name = FunctionName::parse("f").expect("valid");
        assert_eq!(
            scope.function_arn(&name),
            "arn:aws:lambda:us-east-1:000000000000:function:f"
        );
        assert_eq!(
            scope.qualified_arn(&name, &Qualifier::latest()),
            "arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST"
        );
    }
}
