//! The core of lambkin: accepts invocations, keeps the function registry, dispatches due
//! asynchronous events under concurrency limits, and applies the retry decision.
//!
//! The HTTP edge turns each request into one call on [`Engine`] and never sees storage or
//! processes. Principal types:
//! - [`Engine`]: the narrow interface the API calls (control plane, `invoke`, `enqueue`).
//! - `Registry`: the in-memory view of functions (config, environment spec, event-invoke
//!   configs, reserved concurrency), written through to the store's catalog.
//! - `Limiter`: account-wide and reserved concurrency; sync invokes over it get 429, async
//!   events over it wait in the dispatcher for the function's next free slot.
//! - `Dispatcher`: claims due events from the store within each function's room (`lanes`),
//!   starts each as soon as a slot of its function is free, runs it on an environment from
//!   the sandbox pool, asks `lambkin_model::gate` and `after_run` what is next, and records it with
//!   `Queue::finish`.
//! - `FunctionLogs`: the per-function log files the environments write into.
//! - `destinations`: the deliveries a final state owes (dead-letter queue, destinations),
//!   written to the outbox with the state change, and the deliverer that performs them and
//!   SNS fan-out through the `Sqs` and `Sns` services.
//!
//! Path of an async event: `Engine::enqueue` → `Queue::enqueue` (durable, then 202) → wake the
//! dispatcher → `Queue::claim` → lane → slot → `attempt::run` → `EnvironmentPool::invoke` → `after_run` →
//! `Queue::finish` (succeeded / retry at T / failed with a condition, plus its owed
//! deliveries) → deliverer → SQS queue, SNS topic, or another function's async queue.

mod attempt;
mod code_link;
mod code_package;
mod concurrency;
mod config;
mod control;
mod destinations;
mod dispatcher;
mod error;
mod inspect;
mod invoke;
mod lanes;
mod lifecycle;
mod logs;
mod metrics;
mod recorder;
mod registry;
mod retention;
mod validate;

pub use code_link::{CodeLink, CodeLinkRefused};
pub use code_package::{CodePackage, zip_folder};
pub use concurrency::ThrottleReason;
pub use config::{EngineConfig, default_account_concurrency, default_unreserved_minimum};
pub use control::{AccountSettings, FunctionPatch, NewFunction};
pub use destinations::RedriveReport;
pub use error::EngineError;
pub use inspect::Status;
pub use invoke::{SyncInvocation, SyncOptions};
pub use lambkin_sandbox::EnvironmentCores;
pub use logs::{FunctionLogs, LogChunk};
pub use metrics::{Metrics, MetricsFormat};
pub use validate::invoke_config_ranges;

use std::sync::Arc;

use lambkin_model::{Clock, Scope};
use lambkin_sandbox::EnvironmentPool;
use lambkin_store::Store;
use tokio::sync::{Notify, watch};

/// The running core; cheap to clone.
#[derive(Debug, Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: EngineConfig,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    registry: registry::Registry,
    limiter: Arc<concurrency::Limiter>,
    metrics: Arc<Metrics>,
    code_links: code_link::CodeLinks,
    pool: Arc<EnvironmentPool>,
    logs: Arc<FunctionLogs>,
    /// Wakes the dispatcher: new event, finished attempt, or retry scheduled.
    wake: dispatcher::Wake,
    sqs: lambkin_sqs::Sqs,
    sns: lambkin_sns::Sns,
    /// Wakes the deliverer: an event or a publish committed deliveries to the outbox.
    deliveries_owed: Arc<Notify>,
    /// Serialises control-plane writes so read-modify-write updates do not race.
    control: tokio::sync::Mutex<()>,
    stop: watch::Sender<bool>,
    dispatcher_done: watch::Sender<bool>,
}

impl Engine {
    pub fn scope(&self) -> &Scope {
        &self.inner.config.scope
    }

    pub fn logs(&self) -> &FunctionLogs {
        &self.inner.logs
    }

    pub fn sqs(&self) -> &lambkin_sqs::Sqs {
        &self.inner.sqs
    }

    pub fn sns(&self) -> &lambkin_sns::Sns {
        &self.inner.sns
    }
}
