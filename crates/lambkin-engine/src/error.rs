//! Errors the engine reports to the edge; the API crate maps each to one AWS error.

use lambkin_store::StoreError;

use crate::ThrottleReason;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// `ResourceNotFoundException`; the message is AWS's text for the operation.
    #[error("{0}")]
    NotFound(String),
    /// `ResourceConflictException`.
    #[error("{0}")]
    Conflict(String),
    /// `InvalidParameterValueException`.
    #[error("{0}")]
    InvalidParameter(String),
    /// `ValidationException` (a modelled constraint such as a range).
    #[error("{0}")]
    Validation(String),
    /// `PreconditionFailedException`: the caller's RevisionId is stale.
    #[error(
        "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id"
    )]
    PreconditionFailed,
    /// `TooManyRequestsException`.
    #[error("rate exceeded: {0:?}")]
    Throttled(ThrottleReason),
    #[error("storage failure")]
    Store(#[from] StoreError),
    #[error("cannot write function code")]
    Io(#[source] std::io::Error),
    #[error("the server is shutting down")]
    ShuttingDown,
    /// `RecursiveInvocationException`: a synchronous invoke that would continue a chain of
    /// invocations past 16 (an asynchronous one is accepted, then stopped unrun).
    #[error(
        "Lambda stopped this invocation of {0}: it would be invocation {1} of one chain of requests, which makes a recursive loop (at most 16 run)"
    )]
    RecursiveInvocation(String, u32),
}
