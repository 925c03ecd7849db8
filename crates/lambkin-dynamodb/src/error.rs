//! The one error type of DynamoDB's operations: each variant is one of DynamoDB's error codes,
//! its text the message DynamoDB writes. The api crate turns it into the JSON error.

use lambkin_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum DynamoError {
    #[error("{0}")]
    Validation(String),
    #[error("{0}")]
    ResourceNotFound(String),
    #[error("{0}")]
    ResourceInUse(String),
    /// `ConditionalCheckFailedException`, with the item as it was when the request asked for
    /// it (`ReturnValuesOnConditionCheckFailure: ALL_OLD`).
    #[error("The conditional request failed")]
    ConditionalCheckFailed(Option<crate::Item>),
    /// `TransactionCanceledException`: one reason per item of the transaction, in order
    /// (`None` for those that would have succeeded).
    #[error("Transaction cancelled, please refer cancellation reasons for specific reasons [{}]", .0.iter().map(|r| r.code.as_str()).collect::<Vec<_>>().join(", "))]
    TransactionCanceled(Vec<CancellationReason>),
    /// `SerializationException`: JSON that is no attribute value at all.
    #[error("{0}")]
    Serialization(String),
    /// `InternalServerError`: the store failed.
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// Why one item of a cancelled transaction would fail (`Code` `None` when it would not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancellationReason {
    pub code: String,
    pub message: Option<String>,
    pub item: Option<crate::Item>,
}

impl DynamoError {
    /// DynamoDB's error code (the part of `__type` after `#`).
    pub fn code(&self) -> &'static str {
        match self {
            DynamoError::Validation(_) => "ValidationException",
            DynamoError::ResourceNotFound(_) => "ResourceNotFoundException",
            DynamoError::ResourceInUse(_) => "ResourceInUseException",
            DynamoError::ConditionalCheckFailed(_) => "ConditionalCheckFailedException",
            DynamoError::Serialization(_) => "SerializationException",
            DynamoError::TransactionCanceled(_) => "TransactionCanceledException",
            DynamoError::Store(_) => "InternalServerError",
        }
    }

    pub fn is_server_error(&self) -> bool {
        matches!(self, DynamoError::Store(_))
    }

    /// "One or more parameter values were invalid: …", DynamoDB's prefix for its own checks.
    pub(crate) fn invalid(reason: impl std::fmt::Display) -> DynamoError {
        DynamoError::Validation(format!(
            "One or more parameter values were invalid: {reason}"
        ))
    }

    pub(crate) fn table_not_found(name: &str) -> DynamoError {
        DynamoError::ResourceNotFound(format!(
            "Requested resource not found: Table: {name} not found"
        ))
    }
}

impl From<crate::ValueError> for DynamoError {
    fn from(e: crate::ValueError) -> Self {
        if e.is_serialization() {
            DynamoError::Serialization(e.to_string())
        } else {
            DynamoError::Validation(e.to_string())
        }
    }
}

impl From<crate::expr::ExprError> for DynamoError {
    fn from(e: crate::expr::ExprError) -> Self {
        match e {
            crate::expr::ExprError::InvalidValue { error, .. } if error.is_serialization() => {
                DynamoError::Serialization(error.to_string())
            }
            other => DynamoError::Validation(other.to_string()),
        }
    }
}
