//! What it takes to start an environment of a function.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use lambkin_model::{FunctionName, Runtime};

use crate::EnvironmentCores;

/// Platform-wide settings for every environment.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Where `install_shims` wrote the Node.js and Python bootstraps.
    pub runtimes_dir: PathBuf,
    pub node: String,
    pub python: String,
    /// Idle environments are stopped after this long.
    pub keep_alive: Duration,
    pub region: String,
    /// Credentials handed to functions (AWS gives the execution role's).
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    /// Which cores each environment process may use.
    pub cores: EnvironmentCores,
    /// Kills environments' process groups if the server dies; `None` leaves that to
    /// `PR_SET_PDEATHSIG` alone (the runtime process, not what it started).
    pub reaper: Option<std::sync::Arc<crate::Reaper>>,
}

impl SandboxConfig {
    pub fn new(runtimes_dir: PathBuf, region: String) -> Self {
        SandboxConfig {
            runtimes_dir,
            node: std::env::var("LAMBKIN_NODE").unwrap_or_else(|_| "node".into()),
            python: std::env::var("LAMBKIN_PYTHON").unwrap_or_else(|_| "python3".into()),
            keep_alive: Duration::from_secs(300),
            region,
            access_key_id: "lambkin".into(),
            secret_access_key: "lambkin".into(),
            session_token: "lambkin".into(),
            cores: EnvironmentCores::default(),
            reaper: None,
        }
    }
}

/// One function revision as an environment sees it. Environments are reused only for the
/// same `revision`, so an update takes effect at the next invocation.
#[derive(Debug, Clone)]
pub struct EnvironmentSpec {
    pub function_name: FunctionName,
    pub revision: String,
    pub runtime: Runtime,
    pub handler: String,
    /// The unpacked deployment package: cwd and `LAMBDA_TASK_ROOT`.
    pub code_dir: PathBuf,
    pub memory_mb: u32,
    pub timeout: Duration,
    pub version: String,
    pub variables: BTreeMap<String, String>,
}

impl EnvironmentSpec {
    pub fn log_group(&self) -> String {
        format!("/aws/lambda/{}", self.function_name)
    }
}
