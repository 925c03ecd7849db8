//! Where finished events go: dead-letter queues and on-success/on-failure destinations, and the
//! deliverer that also fans SNS messages out to their subscribers.
//!
//! The path: when `decide` moves an event to `Succeeded` or `Failed`, [`owed`] lists the
//! deliveries that state owes (pure, from the function's `DeadLetterConfig` and the qualifier's
//! `DestinationConfig`), and the recorder writes them to the store's outbox in the same commit
//! as the state change. The deliverer (`deliverer.rs`) then performs each one and marks it
//! done; `delivery_policy.rs` decides what a failed delivery becomes. A delivery's failure is
//! counted and recorded on the event; it never fails or re-runs the invocation.

mod deliverer;
mod delivery_policy;
mod owed;
mod record;
mod redrive;
mod target;
mod validate;

use lambkin_model::{Qualifier, Timestamp};
use lambkin_store::{NewDelivery, NextState};

use crate::Engine;
use crate::registry::FunctionEntry;
pub(crate) use owed::{Ending, EndingResult};
pub use redrive::RedriveReport;
pub(crate) use target::Target;

/// What the last run of an event left behind, for records and the DLQ's error message.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct LastRun<'a> {
    pub response: Option<&'a [u8]>,
    pub function_error: Option<&'a str>,
    pub error_message: Option<&'a str>,
}

impl Engine {
    /// The deliveries an event owes on reaching `next` (none unless it is final).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn deliveries_owed(
        &self,
        entry: &FunctionEntry,
        qualifier: &Qualifier,
        request_id: &str,
        next: NextState,
        invocations: u32,
        payload: &[u8],
        last: LastRun<'_>,
        at: Timestamp,
    ) -> Vec<NewDelivery> {
        let result = match next {
            NextState::Succeeded => EndingResult::Succeeded,
            NextState::Failed(c) => EndingResult::Failed(c),
            NextState::RetryAt(_) => return Vec::new(),
        };
        let destinations = entry.invoke_config(qualifier).destinations;
        let dead_letter = entry.config.dead_letter_target.as_deref();
        let nothing_configured = match result {
            EndingResult::Succeeded => destinations.on_success.is_none(),
            EndingResult::Failed(_) => destinations.on_failure.is_none() && dead_letter.is_none(),
        };
        if nothing_configured {
            return Vec::new();
        }
        let ending = Ending {
            request_id,
            function_arn: self
                .inner
                .config
                .scope
                .qualified_arn(&entry.config.name, qualifier),
            executed_version: qualifier.as_str(),
            result,
            invocations,
            request_payload: payload,
            response: last.response,
            function_error: last.function_error,
            error_message: last.error_message,
            at,
        };
        owed::owed(&ending, dead_letter, &destinations)
    }
}
