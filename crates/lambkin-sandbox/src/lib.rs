//! Execution environments: function processes and the Lambda Runtime API they speak.
//!
//! An [`Environment`] is one OS process of a function's runtime plus its own Runtime API
//! endpoint (`AWS_LAMBDA_RUNTIME_API=127.0.0.1:<port>`, served by [`runtime_api`]). It serves
//! one invocation at a time. The [`EnvironmentPool`] keeps warm environments per function
//! revision, starts new ones when all are busy, replaces ones that timed out or crashed, and
//! stops idle ones after the keep-alive.
//!
//! Data flow: `EnvironmentPool::invoke(spec, Invocation)` → an idle or new environment → the
//! invocation is handed to the runtime's long-polling `next` → the runtime POSTs `response` or
//! `error` → an [`InvocationResult`] with an [`Outcome`](lambkin_model::Outcome), the payload,
//! and the START/END/REPORT log lines written to the [`LogSink`].
//!
//! Function processes never outlive the server: `PR_SET_PDEATHSIG` on each runtime process,
//! and the [`Reaper`] for what they start (see `reaper.rs`).
//!
//! This crate knows nothing of the queue or the AWS control API; it is the only place that
//! spawns processes. The Node.js and Python bootstraps it ships are in `runtimes/`.

mod cores;
mod environment;
mod error;
mod invocation;
mod log_capture;
mod pool;
mod process;
mod reaper;
mod report;
mod runtime_api;
mod shims;
mod spec;

pub use cores::{CoreSet, EnvironmentCores};
pub use environment::Environment;
pub use error::SpawnError;
pub use invocation::{Invocation, InvocationResult};
pub use log_capture::LogSink;
pub use pool::{EnvironmentPool, PoolStats};
pub use reaper::{Reaper, run_reaper};
pub use shims::install_shims;
pub use spec::{EnvironmentSpec, SandboxConfig};
