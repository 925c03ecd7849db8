//! How an event ended, as its deliveries (dead-letter message, invocation records) need it.

use lambkin_model::{NextState, Timestamp};

/// How an event ended, with what its deliveries need.
#[derive(Debug, Clone)]
pub(crate) struct Ending<'a> {
    pub request_id: &'a str,
    /// Always qualified (`...:function:f:$LATEST`), as AWS writes it into records.
    pub function_arn: String,
    pub executed_version: &'a str,
    /// Only final states end an event: `Succeeded` or `Failed`.
    pub result: NextState,
    /// Runs of the function code (the record's `approximateInvokeCount`).
    pub invocations: u32,
    pub request_payload: &'a [u8],
    /// Response or error object of the last run; `None` if the code never ran.
    pub response: Option<&'a [u8]>,
    /// `Unhandled` when `response` is an error object.
    pub function_error: Option<&'a str>,
    /// `errorMessage` of the last failed run.
    pub error_message: Option<&'a str>,
    pub at: Timestamp,
    /// The event's place in its chain of invocations.
    pub chain: u32,
}
