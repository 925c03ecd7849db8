//! Settings of the engine, filled from the command line by the binary.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lambkin_model::{Scope, TimeScale};
use lambkin_sandbox::{EnvironmentCores, Reaper};

#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub data_dir: PathBuf,
    /// This server's URL, given to functions as `AWS_ENDPOINT_URL` so their AWS SDKs reach
    /// lambkin's services.
    pub endpoint: Option<String>,
    pub scope: Scope,
    pub time_scale: TimeScale,
    /// Account-wide concurrent executions (AWS default 1,000; here sized for the machine).
    pub account_concurrency: u32,
    /// Reservations must leave this much unreserved (AWS: 100).
    pub unreserved_minimum: u32,
    /// Idle environments are stopped after this long.
    pub keep_alive: Duration,
    /// How long shutdown lets running invocations finish before handing them back.
    pub shutdown_grace: Duration,
    /// Keep owed deliveries in the outbox without performing them (crash tests, inspection).
    pub hold_deliveries: bool,
    /// Which cores each environment process may use.
    pub environment_cores: EnvironmentCores,
    /// What finished longer ago than this (scaled by `time_scale`) is removed.
    pub retention: Duration,
    /// Kills what function processes started if the server dies (see `lambkin_sandbox::Reaper`).
    pub reaper: Option<Arc<Reaper>>,
}

impl EngineConfig {
    pub fn new(data_dir: PathBuf) -> Self {
        let account = default_account_concurrency();
        EngineConfig {
            data_dir,
            endpoint: None,
            scope: Scope::default(),
            time_scale: TimeScale::REAL,
            account_concurrency: account,
            unreserved_minimum: default_unreserved_minimum(account),
            keep_alive: Duration::from_secs(300),
            shutdown_grace: Duration::from_secs(10),
            hold_deliveries: false,
            environment_cores: EnvironmentCores::default(),
            retention: Duration::from_secs(72 * 3600),
            reaper: None,
        }
    }
}

/// 16 environments per core, at least 32: each is one process, typically 20–60 MB.
pub fn default_account_concurrency() -> u32 {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    u32::try_from(cores * 16).unwrap_or(1000).clamp(32, 1000)
}

/// AWS keeps 100 of 1,000 unreserved; lambkin keeps the same tenth.
pub fn default_unreserved_minimum(account: u32) -> u32 {
    (account / 10).max(1)
}
