//! The records the queue takes and gives back.

use std::collections::HashMap;

use lambkin_model::{EventState, FunctionError, FunctionName, OutcomeKind, RequestId, Timestamp};

/// An event accepted by `Invoke` with `InvocationType=Event`.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub request_id: RequestId,
    pub function: FunctionName,
    /// The qualifier the caller wrote; `None` when invoked unqualified.
    pub qualifier: Option<String>,
    /// The version it was routed to (an alias's pick is kept across retries); `None` is
    /// `$LATEST`.
    pub version: Option<String>,
    pub payload: Vec<u8>,
    pub enqueued_at: Timestamp,
    /// Its place in its chain of invocations: 1 for an event nothing else caused, n + 1 for one
    /// caused by the n-th invocation of a chain (see `lambkin_model::chain_length`).
    pub chain: u32,
}

/// What one [`Queue::claim`](crate::Queue::claim) may take: the dispatcher's per-function
/// room, so a function whose slots are all busy costs no claims, and its backlog never stands
/// in front of another function's events.
#[derive(Debug, Clone)]
pub struct ClaimRequest {
    pub now: Timestamp,
    /// Claimed events stay `Running` under a lease until then.
    pub lease_until: Timestamp,
    /// Most events to take, together, of the functions not named in `limits`; shared out
    /// evenly between those with due events.
    pub others: usize,
    /// Functions with a limit of their own (0: take none of theirs now).
    pub limits: HashMap<FunctionName, usize>,
}

impl ClaimRequest {
    /// Up to `limit` due events of any function.
    pub fn any(now: Timestamp, limit: usize, lease_until: Timestamp) -> Self {
        ClaimRequest {
            now,
            lease_until,
            others: limit,
            limits: HashMap::new(),
        }
    }
}

/// The answer to a [`ClaimRequest`].
#[derive(Debug, Clone, Default)]
pub struct Claimed {
    /// Oldest due first.
    pub events: Vec<ClaimedEvent>,
    /// The earliest due time, after this claim, of an event of a function that still had room
    /// in the request; `None` if there is none. Events of functions whose room was used up (or
    /// was 0) are not counted: the caller asks again when it has room for them.
    pub next_due: Option<Timestamp>,
}

/// An event handed to a dispatcher; it is `Running` under a lease until finished or released.
#[derive(Debug, Clone)]
pub struct ClaimedEvent {
    /// Backend row id, echoed back in [`AttemptFinish`] so completion needs no lookup by id.
    pub seq: i64,
    pub request_id: RequestId,
    pub function: FunctionName,
    pub qualifier: Option<String>,
    /// The version it was routed to at enqueue; `None` is `$LATEST`.
    pub version: Option<String>,
    pub payload: Vec<u8>,
    pub enqueued_at: Timestamp,
    pub invocations: u32,
    /// Times the event was due and found every slot of its function busy.
    pub throttles: u32,
    /// The event was already `Running` when claimed: its earlier run was cut off
    /// (lease expired or server crashed), so this run may be a duplicate.
    pub rerun: bool,
    /// Its place in its chain of invocations ([`NewEvent::chain`]; 0 for events stored before
    /// chains were kept).
    pub chain: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AttemptRecord {
    pub started_at: Timestamp,
    pub ended_at: Timestamp,
    pub outcome: OutcomeKind,
    pub error: Option<FunctionError>,
}

impl AttemptRecord {
    pub fn duration_ms(&self) -> i64 {
        self.ended_at.0 - self.started_at.0
    }
}

#[derive(Debug, Clone)]
pub struct AttemptFinish {
    pub seq: i64,
    /// `None` when the event failed without running (age exceeded, reserved concurrency 0).
    pub attempt: Option<AttemptRecord>,
    pub next: lambkin_model::NextState,
    pub invocations: u32,
    pub throttles: u32,
    /// The response (or error object) of this attempt, kept for destinations; `None` keeps
    /// the previous one (throttles produce no response).
    pub response: Option<Vec<u8>>,
    /// `Some("Unhandled")` when `response` is an error object.
    pub function_error: Option<String>,
    /// When the decision was taken; stamps the deliveries.
    pub decided_at: Timestamp,
    /// Deliveries the next state owes (dead letter, destinations): recorded in the same commit
    /// as the state change, and only if the change applies.
    pub deliveries: Vec<crate::NewDelivery>,
}

/// Everything known about one event, for `inspect` and for failure delivery.
#[derive(Debug, Clone)]
pub struct EventRecord {
    pub request_id: RequestId,
    pub function: FunctionName,
    pub qualifier: Option<String>,
    /// The version it was routed to; `None` is `$LATEST`.
    pub version: Option<String>,
    pub payload: Vec<u8>,
    pub state: EventState,
    pub enqueued_at: Timestamp,
    pub updated_at: Timestamp,
    /// When the next attempt is due (retry scheduled) or the lease expires (running).
    pub due_at: Option<Timestamp>,
    pub invocations: u32,
    pub throttles: u32,
    /// How many times a run of this event was cut off by a crash or shutdown.
    pub interrupted: u32,
    pub response: Option<Vec<u8>>,
    pub function_error: Option<String>,
    pub attempts: Vec<AttemptRecord>,
}

#[derive(Debug, Clone)]
pub struct EventSummary {
    pub request_id: RequestId,
    pub state: EventState,
    pub enqueued_at: Timestamp,
    pub updated_at: Timestamp,
    pub invocations: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueStats {
    pub queued: u64,
    pub running: u64,
    pub retry_scheduled: u64,
    pub succeeded: u64,
    pub failed: u64,
    /// Runs cut off by a crash or lease expiry and started again (possible duplicates).
    pub reruns: u64,
}
