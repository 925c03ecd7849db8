//! Errors raised while parsing identifiers and settings at the edge.

/// A value supplied by a caller that does not satisfy lambkin's (and AWS's) constraints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    #[error("invalid function name {0:?}")]
    InvalidFunctionName(String),
    #[error("invalid qualifier {0:?}")]
    InvalidQualifier(String),
    #[error("the derived qualifier from the function name does not match the specified qualifier")]
    QualifierMismatch,
    #[error("invalid ARN {0:?}")]
    InvalidArn(String),
    #[error("unsupported runtime {0:?}")]
    UnsupportedRuntime(String),
}
