//! What one attempt produced. A function's failure is data, not a platform error.

use std::fmt;

/// The error a function (or the platform on its behalf) reported for an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionError {
    pub error_type: String,
    pub error_message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// The handler threw, init failed, or the response was too large (`Function.ResponseSizeTooLarge`).
    FunctionError(FunctionError),
    /// `Sandbox.Timedout`: the environment was killed and is replaced.
    Timeout(FunctionError),
    /// `Runtime.ExitError`: the runtime process exited or was killed.
    RuntimeExit(FunctionError),
    /// No concurrency was available; does not use up retry attempts.
    Throttled,
}

/// The stored, data-free form of an [`Outcome`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutcomeKind {
    Success,
    FunctionError,
    Timeout,
    RuntimeExit,
    Throttled,
}

impl Outcome {
    pub fn kind(&self) -> OutcomeKind {
        match self {
            Outcome::Success => OutcomeKind::Success,
            Outcome::FunctionError(_) => OutcomeKind::FunctionError,
            Outcome::Timeout(_) => OutcomeKind::Timeout,
            Outcome::RuntimeExit(_) => OutcomeKind::RuntimeExit,
            Outcome::Throttled => OutcomeKind::Throttled,
        }
    }

    pub fn error(&self) -> Option<&FunctionError> {
        match self {
            Outcome::FunctionError(e) | Outcome::Timeout(e) | Outcome::RuntimeExit(e) => Some(e),
            Outcome::Success | Outcome::Throttled => None,
        }
    }

    /// Function errors, timeouts and crashes are all "function errors" to the retry policy.
    pub fn is_function_error(&self) -> bool {
        self.error().is_some()
    }
}

impl OutcomeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OutcomeKind::Success => "success",
            OutcomeKind::FunctionError => "function_error",
            OutcomeKind::Timeout => "timeout",
            OutcomeKind::RuntimeExit => "runtime_exit",
            OutcomeKind::Throttled => "throttled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            OutcomeKind::Success,
            OutcomeKind::FunctionError,
            OutcomeKind::Timeout,
            OutcomeKind::RuntimeExit,
            OutcomeKind::Throttled,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

impl fmt::Display for OutcomeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
