//! [`SnsError`]: one variant per AWS error code SNS answers with. The display text is the
//! message AWS sends (so the api crate passes it through unchanged), which is why it keeps
//! AWS's casing rather than lambkin's lowercase style.

use lambkin_model::validation::Violations;
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
    /// `ValidationError` (400): a value outside the model's constraints (a missing nested
    /// member, a tag key or value of the wrong length), in AWS's `N validation error(s)
    /// detected: ...` form.
    #[error("{0}")]
    ValidationError(String),
    /// `TagLimitExceeded` (400): more than 50 tags on a topic.
    #[error("Could not complete request: tag quota of per resource exceeded")]
    TagLimitExceeded,
    /// `EmptyBatchRequest` (400).
    #[error("The batch request doesn't contain any entries.")]
    EmptyBatchRequest,
    /// `TooManyEntriesInBatchRequest` (400).
    #[error("The batch request contains more entries than permissible.")]
    TooManyEntriesInBatchRequest,
    /// `BatchEntryIdsNotDistinct` (400).
    #[error("Two or more batch entries in the request have the same Id.")]
    BatchEntryIdsNotDistinct,
    /// `InvalidBatchEntryId` (400): an entry id longer than 80 characters or with a character
    /// other than letters, digits, `-` and `_` (the message is AWS's, naming the id).
    #[error("{0}")]
    InvalidBatchEntryId(String),
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
            SnsError::ValidationError(_) => "ValidationError",
            SnsError::TagLimitExceeded => "TagLimitExceeded",
            SnsError::EmptyBatchRequest => "EmptyBatchRequest",
            SnsError::TooManyEntriesInBatchRequest => "TooManyEntriesInBatchRequest",
            SnsError::BatchEntryIdsNotDistinct => "BatchEntryIdsNotDistinct",
            SnsError::InvalidBatchEntryId(_) => "InvalidBatchEntryId",
            SnsError::BatchRequestTooLong => "BatchRequestTooLong",
            SnsError::Store(_) => "InternalError",
        }
    }

    /// Whether trying again later may succeed (a deliverer retries these, and gives up on
    /// the rest).
    pub fn is_transient(&self) -> bool {
        matches!(self, SnsError::Store(e) if e.is_transient())
    }

    /// `Invalid parameter: <what>`, AWS's wording for every InvalidParameter (`what` often
    /// carries AWS's `Reason: ...`).
    pub fn invalid(what: impl std::fmt::Display) -> SnsError {
        SnsError::InvalidParameter(format!("Invalid parameter: {what}"))
    }

    /// Constraint violations of the model as one `ValidationError`, in the wording the model
    /// crate builds for every service (`N validation error(s) detected: ...`); `Ok` when
    /// nothing was violated.
    pub fn check(violations: &Violations) -> Result<(), SnsError> {
        match violations.message() {
            None => Ok(()),
            Some(message) => Err(SnsError::ValidationError(message)),
        }
    }

    pub(crate) fn topic_not_found() -> SnsError {
        SnsError::NotFound("Topic does not exist".to_string())
    }

    pub(crate) fn subscription_not_found() -> SnsError {
        SnsError::NotFound("Subscription does not exist".to_string())
    }
}
