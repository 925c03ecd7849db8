//! The core of lambkin: accepts invocations, keeps the function registry, dispatches due
//! asynchronous events under concurrency limits, and delivers what finished events owe.
//!
//! [`Engine`] is a thin facade: [`Engine::start`] (`lifecycle.rs`) builds the parts, each of
//! which holds only what it uses, and hands out the ones the API calls. The layout follows the
//! planes:
//! - `accept.rs` ([`Accept`]): the invoke path (`RequestResponse`, `Event`, `DryRun`).
//! - `dispatch/`: the `Dispatcher` (claims due events into per-function lanes, starts each on a
//!   free slot), `attempt.rs` (runs one attempt: the I/O), `finish.rs` (the pure rule for what
//!   an attempt finishes with) and `recorder.rs` (writes results in batches).
//! - `outbox/`: the `Deliverer`, which performs owed deliveries (SQS, SNS, async invokes, SNS
//!   fan-out to HTTP), and its retry policy.
//! - `destinations/`: what a final state owes (dead-letter message, invocation records), what
//!   a target ARN points at and its checks, and [`Redrive`].
//! - `control/` ([`Control`]): functions, reserved concurrency, event-invoke configs, code,
//!   event source mappings.
//! - `sources/`: the pollers of SQS event source mappings (receive a batch, invoke the function
//!   synchronously through [`Accept::invoke`], delete or return the messages) and the settling
//!   of each mapping's state.
//! - `inspect.rs` ([`Inspect`]): read-only views and `/metrics`; `retention.rs`: pruning.
//! - Shared parts: `registry.rs` (function snapshots), `concurrency.rs` (the `Limiter`),
//!   `metrics.rs`, `logs.rs` ([`FunctionLogs`]).
//!
//! Path of an async event: [`Accept::enqueue`] → `Queue::enqueue` (durable, then 202) → wake
//! the dispatcher → `Queue::claim` → lane → slot → `Runner::run` → `EnvironmentPool::invoke` →
//! `finish::after_running` (`after_run`, and the deliveries the next state owes) → recorder →
//! `Queue::finish_batch` → deliverer → SQS queue, SNS topic, or another function's queue.

mod accept;
mod code_link;
mod code_package;
mod concurrency;
mod config;
mod control;
mod destinations;
mod dispatch;
mod error;
mod inspect;
mod lifecycle;
mod logs;
mod metrics;
mod outbox;
mod registry;
mod retention;
mod schedules;
mod sources;
mod ttl_sweep;

pub use accept::{Accept, SyncInvocation, SyncOptions};
pub use code_link::{CodeLink, CodeLinkRefused};
pub use code_package::{CodePackage, zip_folder};
pub use concurrency::ThrottleReason;
pub use config::{EngineConfig, default_account_concurrency, default_unreserved_minimum};
pub use control::validate::invoke_config_ranges;
pub use control::{
    AccountSettings, AliasPage, AliasRequest, CodeSource, Control, FunctionPatch, InvokeConfigPage,
    MappingPage, NewFunction, Permission, PublishRequest, VersionPage,
};
pub use destinations::{Redrive, RedriveReport};
pub use error::EngineError;
pub use inspect::{
    AttemptView, DeliveryCounts, DeliveryView, EnvironmentCounts, EventCounts, EventListItem,
    EventView, Inspect, Status,
};
pub use sources::settings::MappingRequest;
// What the binary needs of the sandbox to start one: cores for environments, and the reaper
// process that kills function processes if the server dies.
pub use lambkin_sandbox::{EnvironmentCores, Reaper, run_reaper};
pub use logs::{FunctionLogs, LogChunk};
pub use metrics::{Metrics, MetricsFormat};

use std::sync::Arc;

use lambkin_model::Scope;
use lambkin_sandbox::EnvironmentPool;
use tokio::sync::watch;

/// The running core; cheap to clone.
#[derive(Debug, Clone)]
pub struct Engine {
    parts: Arc<Parts>,
}

/// What the facade hands out, and what it needs to stop.
#[derive(Debug)]
struct Parts {
    scope: Scope,
    accept: Accept,
    control: Control,
    inspect: Inspect,
    redrive: Redrive,
    logs: Arc<FunctionLogs>,
    sqs: lambkin_sqs::Sqs,
    sns: lambkin_sns::Sns,
    s3: lambkin_s3::S3,
    events: lambkin_events::Events,
    dynamo: lambkin_dynamodb::Dynamo,
    pool: Arc<EnvironmentPool>,
    stop: watch::Sender<bool>,
    dispatcher_done: watch::Sender<bool>,
}

impl Engine {
    pub fn scope(&self) -> &Scope {
        &self.parts.scope
    }

    /// `Invoke`: sync, async and dry runs.
    pub fn accept(&self) -> &Accept {
        &self.parts.accept
    }

    /// Functions, concurrency, event-invoke configs, code.
    pub fn control(&self) -> &Control {
        &self.parts.control
    }

    /// Events, status and metrics.
    pub fn inspect(&self) -> &Inspect {
        &self.parts.inspect
    }

    /// `lambkin dlq redrive`.
    pub fn redrive(&self) -> &Redrive {
        &self.parts.redrive
    }

    pub fn logs(&self) -> &FunctionLogs {
        &self.parts.logs
    }

    pub fn sqs(&self) -> &lambkin_sqs::Sqs {
        &self.parts.sqs
    }

    pub fn sns(&self) -> &lambkin_sns::Sns {
        &self.parts.sns
    }

    pub fn s3(&self) -> &lambkin_s3::S3 {
        &self.parts.s3
    }

    pub fn events(&self) -> &lambkin_events::Events {
        &self.parts.events
    }

    pub fn dynamo(&self) -> &lambkin_dynamodb::Dynamo {
        &self.parts.dynamo
    }
}
