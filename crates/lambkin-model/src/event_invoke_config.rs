//! Asynchronous invocation settings of one function qualifier
//! (`PutFunctionEventInvokeConfig` and friends).

use serde::{Deserialize, Serialize};

use crate::Timestamp;
use crate::limits::{EVENT_AGE_DEFAULT_S, RETRY_ATTEMPTS_DEFAULT};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestinationConfig {
    pub on_success: Option<String>,
    pub on_failure: Option<String>,
}

/// Unset fields are kept unset (AWS omits them from responses) and mean the AWS defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventInvokeConfig {
    pub maximum_retry_attempts: Option<u32>,
    pub maximum_event_age_s: Option<u32>,
    pub destinations: DestinationConfig,
    pub last_modified: Timestamp,
}

impl EventInvokeConfig {
    pub fn retry_attempts(&self) -> u32 {
        self.maximum_retry_attempts
            .unwrap_or(RETRY_ATTEMPTS_DEFAULT)
    }

    pub fn event_age_s(&self) -> u32 {
        self.maximum_event_age_s.unwrap_or(EVENT_AGE_DEFAULT_S)
    }

    /// `UpdateFunctionEventInvokeConfig`: fields present in `update` replace ours, the rest stay.
    pub fn merged_with(&self, update: &EventInvokeConfig) -> EventInvokeConfig {
        EventInvokeConfig {
            maximum_retry_attempts: update
                .maximum_retry_attempts
                .or(self.maximum_retry_attempts),
            maximum_event_age_s: update.maximum_event_age_s.or(self.maximum_event_age_s),
            destinations: DestinationConfig {
                on_success: update
                    .destinations
                    .on_success
                    .clone()
                    .or_else(|| self.destinations.on_success.clone()),
                on_failure: update
                    .destinations
                    .on_failure
                    .clone()
                    .or_else(|| self.destinations.on_failure.clone()),
            },
            last_modified: update.last_modified,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_merge() {
        let empty = EventInvokeConfig::default();
        assert_eq!(empty.retry_attempts(), 2);
        assert_eq!(empty.event_age_s(), 21_600);

        let base = EventInvokeConfig {
            maximum_retry_attempts: Some(1),
            maximum_event_age_s: Some(600),
            destinations: DestinationConfig {
                on_success: None,
                on_failure: Some("arn:aws:sqs:us-east-1:000000000000:q".into()),
            },
            last_modified: Timestamp(1),
        };
        let update = EventInvokeConfig {
            maximum_retry_attempts: Some(0),
            last_modified: Timestamp(2),
            ..Default::default()
        };
        let merged = base.merged_with(&update);
        assert_eq!(merged.maximum_retry_attempts, Some(0));
        assert_eq!(merged.maximum_event_age_s, Some(600));
        assert_eq!(merged.destinations, base.destinations);
        assert_eq!(merged.last_modified, Timestamp(2));
    }
}
