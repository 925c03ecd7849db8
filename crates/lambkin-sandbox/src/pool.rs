//! Warm environments per function version and revision: reuse, start on demand, stop when
//! idle.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use lambkin_model::{Clock, FunctionError, FunctionName, Outcome};

use crate::cores::CorePlanner;
use crate::log_capture::{Capture, emit};
use crate::report::{Report, end_line, report_line, start_line};
use crate::{
    CoreSet, Environment, EnvironmentSpec, Invocation, InvocationResult, LogSink, SandboxConfig,
    SpawnError,
};

#[derive(Debug)]
struct Idle {
    env: Environment,
    since: Instant,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolStats {
    pub cold_starts: u64,
    pub warm_starts: u64,
    /// Environments waiting for their next invocation.
    pub idle: u64,
    /// Environments running an invocation (their init done).
    pub busy: u64,
    /// Environments started for an invocation and still in their init phase.
    pub starting: u64,
}

/// Counts an environment in its init phase until dropped.
#[derive(Debug)]
pub(crate) struct Starting(Arc<AtomicU64>);

impl Drop for Starting {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Counts an invocation in progress until dropped.
struct InProgress<'a>(&'a AtomicU64);

impl Drop for InProgress<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

#[derive(Debug)]
pub struct EnvironmentPool {
    config: SandboxConfig,
    sink: Arc<dyn LogSink>,
    clock: Arc<dyn Clock>,
    /// Keyed by function and version (`$LATEST`, `1`, …): an alias splitting its invocations
    /// between two versions keeps both warm instead of each start dropping the other's.
    idle: Mutex<HashMap<FunctionName, HashMap<String, Vec<Idle>>>>,
    cold: AtomicU64,
    warm: AtomicU64,
    in_progress: AtomicU64,
    starting: Arc<AtomicU64>,
    cores: CorePlanner,
}

impl EnvironmentPool {
    pub fn new(config: SandboxConfig, sink: Arc<dyn LogSink>, clock: Arc<dyn Clock>) -> Arc<Self> {
        let cores = CorePlanner::new(config.cores, CoreSet::of_process());
        Arc::new(EnvironmentPool {
            config,
            sink,
            clock,
            idle: Mutex::new(HashMap::new()),
            cold: AtomicU64::new(0),
            warm: AtomicU64::new(0),
            in_progress: AtomicU64::new(0),
            starting: Arc::default(),
            cores,
        })
    }

    /// Runs `inv` on an idle environment of this revision, or on a new one.
    pub async fn invoke(&self, spec: &Arc<EnvironmentSpec>, inv: Invocation) -> InvocationResult {
        self.in_progress.fetch_add(1, Ordering::Relaxed);
        let _in_progress = InProgress(&self.in_progress);
        let mut env = match self.take_idle(spec) {
            Some(env) => {
                self.warm.fetch_add(1, Ordering::Relaxed);
                env
            }
            None => {
                self.cold.fetch_add(1, Ordering::Relaxed);
                let cores = self.cores.plan(spec.memory_mb);
                match Environment::start(
                    spec.clone(),
                    &self.config,
                    self.sink.clone(),
                    self.clock.clone(),
                    cores.as_ref(),
                )
                .await
                {
                    Ok(mut env) => {
                        self.starting.fetch_add(1, Ordering::Relaxed);
                        env.starting = Some(Starting(self.starting.clone()));
                        env
                    }
                    Err(e) => return self.failed_start(spec, inv, &e),
                }
            }
        };
        let result = env.invoke(inv).await;
        if env.is_reusable()
            && let Ok(mut idle) = self.idle.lock()
        {
            // Names are cloned only the first time a function or version goes idle.
            if !idle.contains_key(&spec.function_name) {
                idle.insert(spec.function_name.clone(), HashMap::new());
            }
            if let Some(versions) = idle.get_mut(&spec.function_name) {
                if !versions.contains_key(spec.version.as_str()) {
                    versions.insert(spec.version.clone(), Vec::new());
                }
                if let Some(list) = versions.get_mut(spec.version.as_str()) {
                    list.push(Idle {
                        env,
                        since: Instant::now(),
                    });
                }
            }
        }
        result
    }

    /// Most recently used first, so the busiest environments stay warm; environments of an
    /// older revision are dropped (stopped) on the way.
    fn take_idle(&self, spec: &EnvironmentSpec) -> Option<Environment> {
        let mut idle = self.idle.lock().ok()?;
        let list = idle
            .get_mut(&spec.function_name)?
            .get_mut(spec.version.as_str())?;
        while let Some(candidate) = list.pop() {
            if candidate.env.spec.revision == spec.revision && candidate.env.is_reusable() {
                return Some(candidate.env);
            }
        }
        None
    }

    /// Stops environments idle longer than the keep-alive; returns how many.
    pub fn reap(&self) -> usize {
        let keep_alive = self.config.keep_alive;
        let Ok(mut idle) = self.idle.lock() else {
            return 0;
        };
        let mut stopped = 0;
        for versions in idle.values_mut() {
            for list in versions.values_mut() {
                let before = list.len();
                list.retain(|i| i.since.elapsed() < keep_alive && i.env.is_reusable());
                stopped += before - list.len();
            }
            versions.retain(|_, list| !list.is_empty());
        }
        idle.retain(|_, versions| !versions.is_empty());
        stopped
    }

    /// Stops every idle environment of a function, of every version (deleted).
    pub fn evict(&self, function: &FunctionName) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.remove(function);
        }
    }

    /// Stops every idle environment of one version of a function (`$LATEST` updated, or a
    /// version deleted).
    pub fn evict_version(&self, function: &FunctionName, version: &str) {
        if let Ok(mut idle) = self.idle.lock()
            && let Some(versions) = idle.get_mut(function)
        {
            versions.remove(version);
        }
    }

    /// Stops every idle environment.
    pub fn shutdown(&self) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.clear();
        }
    }

    pub fn keep_alive(&self) -> Duration {
        self.config.keep_alive
    }

    pub fn stats(&self) -> PoolStats {
        let idle = self
            .idle
            .lock()
            .map(|i| {
                i.values()
                    .flat_map(|v| v.values())
                    .map(|l| l.len() as u64)
                    .sum()
            })
            .unwrap_or(0);
        let starting = self.starting.load(Ordering::Relaxed);
        PoolStats {
            cold_starts: self.cold.load(Ordering::Relaxed),
            warm_starts: self.warm.load(Ordering::Relaxed),
            idle,
            busy: self
                .in_progress
                .load(Ordering::Relaxed)
                .saturating_sub(starting),
            starting,
        }
    }

    /// AWS reports a missing or unstartable bootstrap as `Runtime.InvalidEntrypoint` on the
    /// invocation, with the usual START/END/REPORT lines.
    fn failed_start(
        &self,
        spec: &EnvironmentSpec,
        inv: Invocation,
        e: &SpawnError,
    ) -> InvocationResult {
        let capture = Capture::default();
        if inv.tail_log {
            capture.start();
        }
        let id = &inv.request_id;
        let line = |l: &str| emit(self.sink.as_ref(), &capture, &spec.function_name, l);
        let message = format!("RequestId: {id} Error: {e}");
        line(&start_line(id, &spec.version));
        line(&message);
        line("Runtime.InvalidEntrypoint");
        line(&end_line(id));
        line(&report_line(&Report {
            id,
            duration: Duration::ZERO,
            memory_mb: spec.memory_mb,
            max_memory_mb: 0,
            init: None,
            status: Some(("error", Some("Runtime.InvalidEntrypoint"))),
        }));
        let body =
            serde_json::json!({"errorType": "Runtime.InvalidEntrypoint", "errorMessage": message});
        InvocationResult {
            outcome: Outcome::FunctionError(FunctionError {
                error_type: "Runtime.InvalidEntrypoint".into(),
                error_message: message,
            }),
            payload: Bytes::from(body.to_string()),
            log: capture.take(),
            duration: Duration::ZERO,
            init_duration: None,
        }
    }
}
