//! Domain types of lambkin, with no I/O.
//!
//! Everything the other crates agree on lives here: identifiers parsed once at the edge
//! ([`FunctionName`], [`FunctionRef`], [`RequestId`], and [`Arn`], the one ARN parser of every
//! service, whose [`Arn::is_local`] says "in this server's [`Scope`]"), a function's
//! configuration ([`FunctionConfig`], [`Runtime`], [`EventInvokeConfig`]), its SQS event source
//! mappings ([`EventSourceMapping`] and the life of their [`MappingState`]), the states an
//! asynchronous event moves through ([`EventState`], [`FailureCondition`]), what an attempt
//! produced ([`Outcome`]), and the two pure decisions every event goes through under a
//! [`RetryPolicy`]: [`gate`] before a run ([`Gate`]) and [`after_run`] after one ([`NextState`],
//! stored as an [`EventState`]).
//!
//! Time is an injected [`Clock`]; the whole platform's schedule (retry delays, maximum event age,
//! delivery retries) can be compressed with a [`TimeScale`] so demos and tests show the real
//! AWS schedule in seconds.

mod alias;
mod arn;
mod chain;
mod clock;
mod error;
mod event_invoke_config;
mod event_source_mapping;
mod event_state;
mod function_config;
mod function_name;
pub mod limits;
mod message_attribute;
mod outcome;
mod request_id;
mod retry_policy;
mod runtime;
mod timestamp;
pub mod validation;

pub use alias::{Alias, is_alias_name, is_version_number};
pub use arn::Arn;
pub use chain::{MAX_CHAIN, chain_length, with_lineage};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::ModelError;
pub use event_invoke_config::{DestinationConfig, EventInvokeConfig};
pub use event_source_mapping::{EventSourceMapping, MappingState};
pub use event_state::{EventState, FailureCondition, NextState};
pub use function_config::{FunctionConfig, Scope};
pub use function_name::{FunctionName, FunctionRef, Qualifier};
pub use message_attribute::{MessageAttribute, MessageAttributes};
pub use outcome::{FunctionError, Outcome, OutcomeKind};
pub use request_id::RequestId;
pub use retry_policy::{
    BeforeRun, Gate, History, RetryPolicy, RunEnded, TimeScale, after_run, gate,
};
pub use runtime::{Runtime, RuntimeFamily};
pub use timestamp::Timestamp;
