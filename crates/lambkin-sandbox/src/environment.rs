//! One execution environment: a runtime process, its Runtime API, and its log readers.

use std::os::unix::process::ExitStatusExt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use lambkin_model::limits::INIT_TIMEOUT_S;
use lambkin_model::{Clock, FunctionError, Outcome, RequestId};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::log_capture::{Capture, PipeReader, emit};
use crate::process::{kill_group, max_memory_mb, spawn};
use crate::report::{Report, end_line, report_line, start_line};
use crate::runtime_api::{self, ExitReason, Handoff, Phase, RuntimeReply, Slot};
use crate::{EnvironmentSpec, Invocation, InvocationResult, LogSink, SandboxConfig, SpawnError};

/// How long END waits for the function's last output to be read.
const LOG_FLUSH_LIMIT: Duration = Duration::from_millis(100);
/// How often a warm environment's peak memory is re-read.
const MEMORY_REFRESH: Duration = Duration::from_millis(250);

#[derive(Debug)]
pub struct Environment {
    pub(crate) spec: Arc<EnvironmentSpec>,
    slot: Arc<Slot>,
    pid: u32,
    started: Instant,
    /// Init Duration is reported once, on the invocation that waited for init.
    init_reported: bool,
    /// False once the environment timed out, crashed or failed init: it must be replaced.
    healthy: bool,
    server: JoinHandle<()>,
    stdout: PipeReader,
    stderr: PipeReader,
    capture: Arc<Capture>,
    sink: Arc<dyn LogSink>,
    clock: Arc<dyn Clock>,
    max_memory_mb: u64,
    memory_read_at: Option<Instant>,
    reaper: Option<Arc<crate::Reaper>>,
    /// Held while a new environment is in its init phase (the pool's `starting` count).
    pub(crate) starting: Option<crate::pool::Starting>,
}

impl Environment {
    /// Starts the runtime process; init continues in the background until its first `next`.
    pub async fn start(
        spec: Arc<EnvironmentSpec>,
        config: &SandboxConfig,
        sink: Arc<dyn LogSink>,
        clock: Arc<dyn Clock>,
        cores: Option<&crate::CoreSet>,
    ) -> Result<Self, SpawnError> {
        let slot = Slot::new();
        let (addr, server) = runtime_api::serve(slot.clone())
            .await
            .map_err(SpawnError::Listen)?;
        let started = Instant::now();
        let mut child = match spawn(&spec, config, &addr.to_string(), clock.now(), cores) {
            Ok(c) => c,
            Err(e) => {
                server.abort();
                return Err(e);
            }
        };
        let pid = child.id().unwrap_or(0);
        let capture = Arc::new(Capture::default());
        let name = &spec.function_name;
        let stdout = child
            .stdout
            .take()
            .map(|p| PipeReader::spawn(p, name.clone(), sink.clone(), capture.clone()));
        let stderr = child
            .stderr
            .take()
            .map(|p| PipeReader::spawn(p, name.clone(), sink.clone(), capture.clone()));
        let (Some(stdout), Some(stderr)) = (stdout, stderr) else {
            server.abort();
            return Err(SpawnError::Exec {
                program: spec.runtime.to_string(),
                source: std::io::Error::other("runtime pipes missing"),
            });
        };
        let reaper = config.reaper.clone();
        if let Some(r) = &reaper {
            r.watch(pid);
        }
        let watched = slot.clone();
        tokio::spawn(async move {
            let reason = match child.wait().await {
                Ok(status) => match (status.code(), status.signal()) {
                    (Some(code), _) => ExitReason::Code(code),
                    (None, Some(sig)) => ExitReason::Signal(sig),
                    (None, None) => ExitReason::Code(-1),
                },
                Err(_) => ExitReason::Code(-1),
            };
            watched.exited(reason);
        });
        Ok(Environment {
            spec,
            slot,
            pid,
            started,
            init_reported: false,
            healthy: true,
            server,
            stdout,
            stderr,
            capture,
            sink,
            clock,
            max_memory_mb: 0,
            memory_read_at: None,
            reaper,
            starting: None,
        })
    }

    /// Whether the environment can take another invocation.
    pub fn is_reusable(&self) -> bool {
        self.healthy && *self.slot.phase.borrow() == Phase::Ready
    }

    /// Runs one invocation to its end: response, error, timeout or crash.
    pub async fn invoke(&mut self, inv: Invocation) -> InvocationResult {
        let id = inv.request_id.clone();
        if inv.tail_log {
            self.capture.start();
        }
        let init = self.wait_for_init().await;
        self.starting = None;
        self.platform_line(&start_line(&id, &self.spec.version));
        let begun = Instant::now();
        let reply = match init {
            Err(reply) => reply,
            Ok(()) => self.hand_over(inv).await,
        };
        let duration = begun.elapsed();
        let (outcome, payload) = self.conclude(&id, reply);
        self.stdout.flush(LOG_FLUSH_LIMIT).await;
        self.stderr.flush(LOG_FLUSH_LIMIT).await;
        // VmHWM is a running peak; reading /proc costs ~10 µs, so warm environments refresh it
        // at most every 250 ms (the REPORT value may trail the true peak by that much).
        if self
            .memory_read_at
            .is_none_or(|t| t.elapsed() >= MEMORY_REFRESH)
            || !self.healthy
        {
            self.max_memory_mb = self.max_memory_mb.max(max_memory_mb(self.pid));
            self.memory_read_at = Some(Instant::now());
        }
        let init_duration = if self.init_reported {
            None
        } else {
            self.init_reported = true;
            self.slot
                .state
                .lock()
                .ok()
                .and_then(|st| st.ready_at)
                .map(|at| at.saturating_duration_since(self.started))
        };
        let status = match &outcome {
            Outcome::Timeout(_) => Some(("timeout", None)),
            // Newer REPORT lines name platform-side errors; a handler's own exception is not one.
            Outcome::FunctionError(e) | Outcome::RuntimeExit(e)
                if is_platform_error(&e.error_type) =>
            {
                Some(("error", Some(e.error_type.as_str())))
            }
            Outcome::FunctionError(_) | Outcome::RuntimeExit(_) => None,
            Outcome::Success | Outcome::Throttled => None,
        };
        let end = end_line(&id);
        let report = report_line(&Report {
            id: &id,
            duration,
            memory_mb: self.spec.memory_mb,
            max_memory_mb: self.max_memory_mb,
            init: init_duration,
            status,
        });
        // One hand-over for both closing lines: they are written together.
        let lines = [end.as_str(), report.as_str()];
        self.sink.append_lines(&self.spec.function_name, &lines);
        for line in lines {
            self.capture.push(line);
        }
        InvocationResult {
            outcome,
            payload,
            log: self.capture.take(),
            duration,
            init_duration,
        }
    }

    fn platform_line(&self, line: &str) {
        emit(
            self.sink.as_ref(),
            &self.capture,
            &self.spec.function_name,
            line,
        );
    }

    /// Waits for the runtime's first `next` (bounded like AWS's 10 s init phase).
    async fn wait_for_init(&mut self) -> Result<(), RuntimeReply> {
        let mut phase = self.slot.phase.subscribe();
        let waited = tokio::time::timeout(
            Duration::from_secs(INIT_TIMEOUT_S),
            phase.wait_for(|p| *p != Phase::Starting),
        )
        .await;
        let now = match waited {
            Ok(Ok(p)) => *p,
            Ok(Err(_)) => Phase::Exited,
            Err(_) => {
                self.kill();
                let message = format!("Init phase timed out after {INIT_TIMEOUT_S}.00 seconds");
                return Err(RuntimeReply::Error {
                    body: error_json("Runtime.InitTimeout", &message),
                    error_type: "Runtime.InitTimeout".into(),
                    message,
                });
            }
        };
        let init_error = self
            .slot
            .state
            .lock()
            .ok()
            .and_then(|mut st| st.init_error.take());
        if let Some((body, error_type, message)) = init_error {
            self.healthy = false;
            return Err(RuntimeReply::Error {
                body,
                error_type,
                message,
            });
        }
        match now {
            Phase::Ready => Ok(()),
            _ => {
                self.healthy = false;
                // The process died before asking for work.
                let reason = self.slot.state.lock().ok().and_then(|st| st.exit.clone());
                Err(RuntimeReply::Exited(reason.unwrap_or(ExitReason::Code(-1))))
            }
        }
    }

    async fn hand_over(&mut self, inv: Invocation) -> RuntimeReply {
        let (tx, rx) = oneshot::channel();
        let timeout = self.spec.timeout;
        let deadline_ms = self.clock.now().plus(timeout).millis();
        {
            let Ok(mut st) = self.slot.state.lock() else {
                return RuntimeReply::Exited(ExitReason::Code(-1));
            };
            if *self.slot.phase.borrow() == Phase::Exited {
                drop(st);
                self.healthy = false;
                return RuntimeReply::Exited(ExitReason::Code(-1));
            }
            st.pending = Some(Handoff {
                invocation: inv,
                deadline_ms,
                reply: tx,
            });
        }
        self.slot.work.notify_one();
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(reply)) => reply,
            Ok(Err(_)) => RuntimeReply::Exited(ExitReason::Code(-1)),
            Err(_) => {
                // AWS resets the environment on timeout: kill it, the next invoke starts anew.
                self.kill();
                RuntimeReply::Error {
                    body: Bytes::new(),
                    error_type: TIMED_OUT.into(),
                    message: String::new(),
                }
            }
        }
    }

    fn conclude(&mut self, id: &RequestId, reply: RuntimeReply) -> (Outcome, Bytes) {
        let err = |error_type: &str, message: String| FunctionError {
            error_type: error_type.to_string(),
            error_message: message,
        };
        match reply {
            RuntimeReply::Response(bytes) => (Outcome::Success, bytes),
            RuntimeReply::Error { error_type, .. } if error_type == TIMED_OUT && !self.healthy => {
                let secs = self.spec.timeout.as_secs_f64();
                let message =
                    format!("RequestId: {id} Error: Task timed out after {secs:.2} seconds");
                self.platform_line(&format!(
                    "{} {id} Task timed out after {secs:.2} seconds",
                    self.clock.now().to_iso_millis()
                ));
                let body = error_json(TIMED_OUT, &message);
                (Outcome::Timeout(err(TIMED_OUT, message)), body)
            }
            RuntimeReply::Error {
                body,
                error_type,
                message,
            } => (Outcome::FunctionError(err(&error_type, message)), body),
            RuntimeReply::TooLarge => {
                let message =
                    "Response payload size exceeded maximum allowed payload size (6291556 bytes)."
                        .to_string();
                let body = error_json("Function.ResponseSizeTooLarge", &message);
                (
                    Outcome::FunctionError(err("Function.ResponseSizeTooLarge", message)),
                    body,
                )
            }
            RuntimeReply::Exited(reason) => {
                self.healthy = false;
                let why = match reason {
                    ExitReason::Code(0) => "Runtime exited without providing a reason".to_string(),
                    ExitReason::Code(c) => format!("Runtime exited with error: exit status {c}"),
                    ExitReason::Signal(s) => {
                        format!("Runtime exited with error: signal: {}", signal_name(s))
                    }
                };
                let message = format!("RequestId: {id} Error: {why}");
                self.platform_line(&message);
                self.platform_line("Runtime.ExitError");
                let body = error_json("Runtime.ExitError", &message);
                (
                    Outcome::RuntimeExit(err("Runtime.ExitError", message)),
                    body,
                )
            }
        }
    }

    /// Stops the process group now.
    pub fn kill(&mut self) {
        self.healthy = false;
        kill_group(self.pid);
    }
}

impl Drop for Environment {
    fn drop(&mut self) {
        kill_group(self.pid);
        if let Some(r) = &self.reaper {
            r.forget(self.pid);
        }
        self.server.abort();
    }
}

const TIMED_OUT: &str = "Sandbox.Timedout";

fn is_platform_error(error_type: &str) -> bool {
    ["Runtime.", "Sandbox.", "Function."]
        .iter()
        .any(|p| error_type.starts_with(p))
}

fn error_json(error_type: &str, message: &str) -> Bytes {
    Bytes::from(serde_json::json!({"errorType": error_type, "errorMessage": message}).to_string())
}

fn signal_name(sig: i32) -> String {
    match sig {
        libc::SIGKILL => "killed".into(),
        libc::SIGTERM => "terminated".into(),
        libc::SIGSEGV => "segmentation fault".into(),
        libc::SIGABRT => "aborted".into(),
        other => format!("signal {other}"),
    }
}
