//! [`SnsError`]: one variant per AWS error code SNS answers with. The display text is the
//! message AWS sends (so the api crate passes it through unchanged), which is why it keeps
//! AWS's casing rather than lambkin's lowercase style.

use lambkin_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum SnsError {
    /// `NotFound` (404): a topic or subscription that does not exist.
    #[error("{0}")]
    NotFound(String),
    /// `ResourceNotFound` (404): the tagging operations' variant of not found.
    #[error("{0}")]
    ResourceNotFound(String),
    /// `InvalidParameter` (400).
    #[error("{0}")]
    InvalidParameter(String),
    /// `ParameterValueInvalid` (400): a malformed message attribute.
    #[error("{0}")]
    ParameterValueInvalid(String),
    /// `EmptyBatchRequest` (400).
    #[error("The batch request doesn't contain any entries.")]
    EmptyBatchRequest,
    /// `TooManyEntriesInBatchRequest` (400).
    #[error("The batch request contains more entries than permissible.")]
    TooManyEntriesInBatchRequest,
    /// `BatchEntryIdsNotDistinct` (400).
    #[error("Two or more batch entries in the request have the same Id.")]
    BatchEntryIdsNotDistinct,
    /// `InvalidBatchEntryId` (400).
    #[error(
        "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long."
    )]
    InvalidBatchEntryId,
    /// `BatchRequestTooLong` (400).
    #[error("The length of all the messages put together is more than the limit.")]
    BatchRequestTooLong,
    /// `InternalError` (500): the store failed; the only transient kind.
    #[error("internal error: storage failed")]
    Store(#[from] StoreError),
}

impl SnsError {
    /// The AWS error code (the `Code` element of the error response).
    pub fn code(&self) -> &'static str {
        match self {
            SnsError::NotFound(_) => "NotFound",
            SnsError::ResourceNotFound(_) => "ResourceNotFound",
            SnsError::InvalidParameter(_) => "InvalidParameter",
            SnsError::ParameterValueInvalid(_) => "ParameterValueInvalid",
            SnsError::EmptyBatchRequest => "EmptyBatchRequest",
            SnsError::TooManyEntriesInBatchRequest => "TooManyEntriesInBatchRequest",
            SnsError::BatchEntryIdsNotDistinct => "BatchEntryIdsNotDistinct",
            SnsError::InvalidBatchEntryId => "InvalidBatchEntryId",
            SnsError::BatchRequestTooLong => "BatchRequestTooLong",
            SnsError::Store(_) => "InternalError",
        }
    }

    /// Whether trying again later may succeed (a deliverer retries these, and gives up on
    /// the rest).
    pub fn is_transient(&self) -> bool {
        matches!(self, SnsError::Store(e) if e.is_transient())
    }

    pub(crate) fn invalid(what: impl std::fmt::Display) -> SnsError {
        SnsError::InvalidParameter(format!("Invalid parameter: {what}"))
    }

    pub(crate) fn topic_not_found() -> SnsError {
        SnsError::NotFound("Topic does not exist".to_string())
    }

    pub(crate) fn subscription_not_found() -> SnsError {
        SnsError::NotFound("Subscription does not exist".to_string())
    }
}
