//! One invocation as handed to an environment, and what came back.

use std::time::Duration;

use bytes::Bytes;
use lambkin_model::{Outcome, RequestId};

#[derive(Debug, Clone)]
pub struct Invocation {
    pub request_id: RequestId,
    pub payload: Bytes,
    /// The ARN the caller used (unqualified when invoked by name): `Lambda-Runtime-Invoked-Function-Arn`.
    pub invoked_arn: String,
    /// `Lambda-Runtime-Trace-Id`.
    pub trace_id: String,
    /// Decoded client context JSON; synchronous invokes only.
    pub client_context: Option<String>,
    /// Keep this invocation's log lines for `X-Amz-Log-Result`.
    pub tail_log: bool,
}

#[derive(Debug, Clone)]
pub struct InvocationResult {
    pub outcome: Outcome,
    /// The exact bytes the runtime sent to `/response`, or the error object.
    pub payload: Bytes,
    /// This invocation's log (START … REPORT), when `tail_log` was asked for.
    pub log: Option<String>,
    pub duration: Duration,
    /// Set when this invocation started a new environment.
    pub init_duration: Option<Duration>,
}
