//! What a finished event owes: its dead-letter message and on-success/on-failure invocation
//! records, and the checks on the targets a function names.
//!
//! When `after_run` (or `gate`) moves an event to `Succeeded` or `Failed`, [`Routes::owed`] lists
//! the deliveries that state owes (pure: [`owed`] from the function's `DeadLetterConfig` and the
//! qualifier's `DestinationConfig`, with the records of [`record`]), and the recorder writes
//! them to the store's outbox in the same commit as the state change. The outbox
//! (`crate::outbox`) performs them. Also here: [`target`] (what an ARN points at),
//! [`validate`] (the checks when a target is configured) and [`redrive`] (`lambkin dlq
//! redrive`).

mod ending;
mod owed;
mod record;
mod redrive;
mod target;
mod validate;

use lambkin_model::{DestinationConfig, FunctionError, NextState, Qualifier, Scope, Timestamp};
use lambkin_store::NewDelivery;

use crate::registry::FunctionEntry;
use ending::Ending;
pub use redrive::{Redrive, RedriveReport};
pub(crate) use target::Target;
pub(crate) use validate::Targets;

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
    /// The event's place in its chain of invocations, which a function target continues.
    pub chain: u32,
}

/// Where the endings of a function's events sent to one qualifier go.
#[derive(Debug, Clone)]
pub(crate) struct Routes<'a> {
    /// Always qualified (`...:function:f:$LATEST`), as AWS writes it into records.
    pub function_arn: String,
    pub executed_version: &'a str,
    pub dead_letter: Option<&'a str>,
    pub destinations: DestinationConfig,
}

impl<'a> Routes<'a> {
    /// The routes of an event sent to `qualifier` (the alias or version it was invoked as;
    /// `$LATEST` when unqualified) that ran `executed_version`. Destinations are the
    /// qualifier's own event-invoke config (an alias's, not its version's, as on AWS); the
    /// dead-letter queue is the function's (`$LATEST`'s), as AWS's current documentation says
    /// of published versions.
    pub(crate) fn of(
        entry: &'a FunctionEntry,
        qualifier: &'a Qualifier,
        executed_version: &'a str,
        scope: &Scope,
    ) -> Self {
        Routes {
            function_arn: scope.qualified_arn(&entry.config.name, qualifier),
            executed_version,
            dead_letter: entry.config.dead_letter_target.as_deref(),
            destinations: entry.invoke_config(qualifier).destinations,
        }
    }

    /// Whether a run's response must be kept: for the OnSuccess record (a failure's error
    /// object is always kept, for the DLQ message and OnFailure record, also of a later
    /// attempt that fails without running).
    pub(crate) fn keeps_success_response(&self) -> bool {
        self.destinations.on_success.is_some()
    }

    /// The deliveries an event owes on reaching `d.next` (none unless it is final).
    pub(crate) fn owed(&self, d: Decided<'_>) -> Vec<NewDelivery> {
        let nothing_configured = match d.next {
            NextState::RetryAt(_) => true,
            NextState::Succeeded => self.destinations.on_success.is_none(),
            NextState::Failed(_) => {
                self.destinations.on_failure.is_none() && self.dead_letter.is_none()
            }
        };
        if nothing_configured {
            return Vec::new();
        }
        let ending = Ending {
            request_id: d.request_id,
            function_arn: self.function_arn.clone(),
            executed_version: self.executed_version,
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
            chain: d.chain,
        };
        owed::owed(&ending, self.dead_letter, &self.destinations)
    }
}
