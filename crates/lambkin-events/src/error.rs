//! The one error type of EventBridge's operations: each variant is one of EventBridge's error
//! codes, and its text is the message AWS writes. The api crate turns it into the JSON error.

use lambkin_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum EventsError {
    /// `ValidationException`: a parameter breaks the model's constraints or EventBridge's rules.
    #[error("{0}")]
    Validation(String),
    #[error("{0}")]
    ResourceNotFound(String),
    #[error("{0}")]
    ResourceAlreadyExists(String),
    /// `InvalidEventPatternException`, with the pattern engine's reason.
    #[error("{0}")]
    InvalidEventPattern(String),
    #[error("{0}")]
    LimitExceeded(String),
    /// `ConflictException` (Scheduler): the schedule or group exists.
    #[error("{0}")]
    Conflict(String),
    /// `InternalException`: the store failed.
    #[error("{0}")]
    Store(#[from] StoreError),
}

impl EventsError {
    /// EventBridge's error code (`__type`).
    pub fn code(&self) -> &'static str {
        match self {
            EventsError::Validation(_) => "ValidationException",
            EventsError::ResourceNotFound(_) => "ResourceNotFoundException",
            EventsError::ResourceAlreadyExists(_) => "ResourceAlreadyExistsException",
            EventsError::InvalidEventPattern(_) => "InvalidEventPatternException",
            EventsError::LimitExceeded(_) => "LimitExceededException",
            EventsError::Conflict(_) => "ConflictException",
            EventsError::Store(_) => "InternalException",
        }
    }

    /// A store failure is the server's fault (500); everything else is the caller's (400).
    pub fn is_server_error(&self) -> bool {
        matches!(self, EventsError::Store(_))
    }

    pub(crate) fn rule_not_found(rule: &str, bus: &str) -> EventsError {
        EventsError::ResourceNotFound(format!("Rule {rule} does not exist on EventBus {bus}."))
    }

    pub(crate) fn bus_not_found(bus: &str) -> EventsError {
        EventsError::ResourceNotFound(format!("Event bus {bus} does not exist."))
    }
}
