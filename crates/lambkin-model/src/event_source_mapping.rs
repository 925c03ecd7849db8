//! Event source mappings: a function reading one of lambkin's SQS queues in batches
//! (`CreateEventSourceMapping`). The mapping as stored, and the life of its `State`: which
//! state an operation leaves it in, and which state it settles in once its poller has started
//! or stopped. Nothing here polls or invokes; the engine's `sources/` does.

use serde::{Deserialize, Serialize};

use crate::{FunctionName, Timestamp};

/// One mapping, as the control plane stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSourceMapping {
    /// AWS's `UUID`: a random UUID, the mapping's only name.
    pub uuid: String,
    /// The queue's ARN, as given.
    pub event_source_arn: String,
    pub function: FunctionName,
    /// The qualifier the mapping invokes (`FunctionArn` then carries it); `None` is `$LATEST`
    /// unqualified.
    pub qualifier: Option<String>,
    /// What the caller asked for (`Enabled`); `state` says how far the poller has got.
    pub enabled: bool,
    pub batch_size: u32,
    pub maximum_batching_window_s: u32,
    /// `FunctionResponseTypes` holds `ReportBatchItemFailures`.
    pub report_batch_item_failures: bool,
    /// `ScalingConfig.MaximumConcurrency`, when set.
    pub maximum_concurrency: Option<u32>,
    /// `FilterCriteria.Filters[].Pattern`, each already checked; a message matching any is
    /// delivered, the others are deleted. Empty: every message is delivered.
    pub filters: Vec<String>,
    pub last_modified: Timestamp,
    pub state: MappingState,
}

/// `State` of a mapping. Operations leave it in a transient state (`Creating`, `Enabling`,
/// `Disabling`, `Updating`, `Deleting`); the engine moves it to `Enabled` or `Disabled` once
/// its poller runs or has stopped ([`MappingState::settled`]), or removes it (`Deleting`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MappingState {
    Creating,
    Enabling,
    Enabled,
    Disabling,
    Disabled,
    Updating,
    Deleting,
}

impl MappingState {
    /// AWS's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            MappingState::Creating => "Creating",
            MappingState::Enabling => "Enabling",
            MappingState::Enabled => "Enabled",
            MappingState::Disabling => "Disabling",
            MappingState::Disabled => "Disabled",
            MappingState::Updating => "Updating",
            MappingState::Deleting => "Deleting",
        }
    }

    /// The state `UpdateEventSourceMapping` answers with: turning the poller on or off is
    /// `Enabling`/`Disabling`; anything else (other settings, or `Enabled` as it already was)
    /// is `Updating`.
    pub fn after_update(was_enabled: bool, requested: Option<bool>) -> MappingState {
        match requested {
            Some(true) if !was_enabled => MappingState::Enabling,
            Some(false) if was_enabled => MappingState::Disabling,
            _ => MappingState::Updating,
        }
    }

    /// Where a mapping in this state ends once the engine has acted on it: `None` for
    /// `Deleting` (the mapping is gone), else `Enabled` or `Disabled` as asked.
    pub fn settled(self, enabled: bool) -> Option<MappingState> {
        match self {
            MappingState::Deleting => None,
            _ if enabled => Some(MappingState::Enabled),
            _ => Some(MappingState::Disabled),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::MappingState::{self, *};

    #[test]
    fn update_states() {
        // (enabled before, Enabled in the request, state answered)
        let cases = [
            (false, Some(true), Enabling),
            (true, Some(false), Disabling),
            (true, Some(true), Updating),
            (false, Some(false), Updating),
            (true, None, Updating),
            (false, None, Updating),
        ];
        for (was, requested, want) in cases {
            assert_eq!(
                MappingState::after_update(was, requested),
                want,
                "{was} {requested:?}"
            );
        }
    }

    #[test]
    fn transient_states_settle() {
        // (state, enabled, settled)
        let cases = [
            (Creating, true, Some(Enabled)),
            (Creating, false, Some(Disabled)),
            (Enabling, true, Some(Enabled)),
            (Disabling, false, Some(Disabled)),
            (Updating, true, Some(Enabled)),
            (Updating, false, Some(Disabled)),
            (Enabled, true, Some(Enabled)),
            (Disabled, false, Some(Disabled)),
            (Deleting, true, None),
            (Deleting, false, None),
        ];
        for (state, enabled, want) in cases {
            assert_eq!(state.settled(enabled), want, "{state:?} {enabled}");
        }
    }
}
