//! [`SqsError`]: one variant per AWS error code SQS answers with. The display text is the
//! message AWS sends for that case (clients show it verbatim), not an internal description;
//! `lambkin-api/src/sqs/error.rs` maps each variant to its wire code and status.

use lambkin_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum SqsError {
    #[error("The specified queue does not exist.")]
    QueueDoesNotExist,
    /// CreateQueue of an existing queue with a different attribute value or different tags
    /// (the message says which: [`SqsError::queue_exists_attribute`],
    /// [`SqsError::queue_exists_tags`]).
    #[error("{0}")]
    QueueNameExists(String),
    #[error("{0}")]
    InvalidAttributeName(String),
    #[error("{0}")]
    InvalidAttributeValue(String),
    /// AWS's catch-all validation error (`InvalidParameterValue`, not in the model).
    #[error("{0}")]
    InvalidParameterValue(String),
    /// A required member is absent or empty (`MissingParameter`, not in the model).
    #[error("The request must contain the parameter {0}.")]
    MissingParameter(&'static str),
    #[error("{0}")]
    InvalidMessageContents(String),
    #[error("The input receipt handle \"{0}\" is not a valid receipt handle.")]
    ReceiptHandleIsInvalid(String),
    #[error("There should be at least one {0} in the request.")]
    EmptyBatchRequest(&'static str),
    #[error("Maximum number of entries per request are 10. You have sent {0}.")]
    TooManyEntriesInBatchRequest(usize),
    #[error("Id {0} repeated.")]
    BatchEntryIdsNotDistinct(String),
    #[error(
        "A batch entry id can only contain alphanumeric characters, hyphens and underscores. \
         It can be at most 80 letters long."
    )]
    InvalidBatchEntryId,
    #[error("Batch requests cannot be longer than {limit} bytes. You have sent {size} bytes.")]
    BatchRequestTooLong { size: usize, limit: usize },
    #[error("Only one PurgeQueue operation on {0} is allowed every 60 seconds.")]
    PurgeQueueInProgress(String),
    #[error("{0}")]
    UnsupportedOperation(String),
    #[error("sqs storage failure")]
    Store(#[from] StoreError),
}

impl SqsError {
    /// True only for storage failures worth retrying; a missing queue, a too-large message or
    /// any other bad input fails the same way every time.
    pub fn is_transient(&self) -> bool {
        matches!(self, SqsError::Store(e) if e.is_transient())
    }

    /// AWS's answer to a CreateQueue whose attribute `name` differs from the existing queue's.
    pub fn queue_exists_attribute(name: &str) -> Self {
        SqsError::QueueNameExists(format!(
            "A queue already exists with the same name and a different value for attribute {name}"
        ))
    }

    /// A CreateQueue whose tags differ from the existing queue's: AWS refuses it as it refuses
    /// different attributes (lambkin's wording; see docs/api-compat.md).
    pub fn queue_exists_tags() -> Self {
        SqsError::QueueNameExists(
            "A queue already exists with the same name and different tags".to_string(),
        )
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        SqsError::InvalidParameterValue(message.into())
    }

    /// AWS's wording for an out-of-range request parameter.
    pub(crate) fn bad_value(parameter: &str, value: impl std::fmt::Display, reason: &str) -> Self {
        SqsError::InvalidParameterValue(format!(
            "Value {value} for parameter {parameter} is invalid. Reason: {reason}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_storage_failures_are_transient() {
        let cases = [
            (SqsError::QueueDoesNotExist, false),
            (SqsError::invalid("too large"), false),
            (SqsError::Store(StoreError::Closed), true),
            (
                SqsError::Store(StoreError::CommitFailed("disk I/O error".into())),
                true,
            ),
            (
                SqsError::Store(StoreError::Corrupt("attributes".into())),
                false,
            ),
        ];
        for (e, transient) in cases {
            assert_eq!(e.is_transient(), transient, "{e:?}");
        }
    }
}
