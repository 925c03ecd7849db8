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
    /// lambkin's URL, as `AWS_ENDPOINT_URL` (unless the function sets its own).
    pub endpoint: Option<String>,
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
            node: program("LAMBKIN_NODE", "node"),
            python: program("LAMBKIN_PYTHON", "python3"),
            keep_alive: Duration::from_secs(300),
            region,
            endpoint: None,
            access_key_id: "lambkin".into(),
            secret_access_key: "lambkin".into(),
            session_token: "lambkin".into(),
            cores: EnvironmentCores::default(),
            reaper: None,
        }
    }
}

/// The program a variable names, or `default`. A path (it has a `/`) is made absolute now:
/// function processes start in their own code folder, where a relative one would not resolve.
/// A bare name is looked up on `PATH`, as a shell would.
fn program(var: &str, default: &str) -> String {
    let value = std::env::var(var).unwrap_or_else(|_| default.into());
    if value.contains('/') {
        std::path::absolute(&value)
            .map(|p| p.display().to_string())
            .unwrap_or(value)
    } else {
        value
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
