//! Where finished events go: dead-letter queues and on-success/on-failure destinations, and the
//! deliverer that also fans SNS messages out to their subscribers.
//!
//! The path: when `after_run` (or `gate`) moves an event to `Succeeded` or `Failed`, [`owed`] lists the
//! deliveries that state owes (pure, from the function's `DeadLetterConfig` and the qualifier's
//! `DestinationConfig`), and the recorder writes them to the store's outbox in the same commit
//! as the state change. The deliverer (`deliverer.rs`) then performs each one and marks it
//! done; `delivery_policy.rs` decides what a failed delivery becomes. A delivery's failure is
//! counted and recorded on the event; it never fails or re-runs the invocation.

mod deliverer;
mod delivery_policy;
mod ending;
mod owed;
mod record;
mod redrive;
mod target;
mod validate;

use lambkin_model::{FunctionError, NextState, Qualifier, Timestamp};
use lambkin_store::NewDelivery;

use crate::Engine;
use crate::registry::FunctionEntry;
use ending::Ending;
pub use redrive::RedriveReport;
pub(crate) use target::Target;

/// What the last run of an event left behind, for records and the DLQ's error message.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct LastRun<'a> {
    pub response: Option<&'a [u8]>,
    pub function_error: Option<&'a str>,
    pub error: Option<&'a FunctionError>,
}

/// An event at the moment `after_run` (or `gate`) moved it on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Decided<'a> {
    pub request_id: &'a str,
    pub next: NextState,
    pub invocations: u32,
    pub payload: &'a [u8],
    pub last: LastRun<'a>,
    pub at: Timestamp,
}

impl Engine {
    /// The deliveries an event owes on reaching `d.next` (none unless it is final).
    pub(crate) fn deliveries_owed(
        &self,
        entry: &FunctionEntry,
        qualifier: &Qualifier,
        d: Decided<'_>,
    ) -> Vec<NewDelivery> {
        let destinations = entry.invoke_config(qualifier).destinations;
        let dead_letter = entry.config.dead_letter_target.as_deref();
        let nothing_configured = match d.next {
            NextState::RetryAt(_) => true,
            NextState::Succeeded => destinations.on_success.is_none(),
            NextState::Failed(_) => destinations.on_failure.is_none() && dead_letter.is_none(),
        };
        if nothing_configured {
            return Vec::new();
        }
        let ending = Ending {
            request_id: d.request_id,
            function_arn: self
                .inner
                .config
                .scope
                .qualified_arn(&entry.config.name, qualifier),
            // FIXME(versions/aliases): the qualifier is the executed version only while
            // lambkin has no published versions or aliases.
            executed_version: qualifier.as_str(),
            result: d.next,
            invocations: d.invocations,
            request_payload: d.payload,
            response: d.last.response,
            function_error: d.last.function_error,
            // `throw new Error()` has an empty message; the type still says what failed.
            error_message: d.last.error.map(|e| {
                if e.error_message.is_empty() {
                    e.error_type.as_str()
                } else {
                    e.error_message.as_str()
                }
            }),
            at: d.at,
        };
        owed::owed(&ending, dead_letter, &destinations)
    }
}
