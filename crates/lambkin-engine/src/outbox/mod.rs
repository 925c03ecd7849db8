//! The outbox: deliveries owed and performed. An event's final state commits together with the
//! deliveries it owes (dead-letter message, destination records; `crate::destinations` says
//! which), and an SNS publish with one delivery per subscription. The [`Deliverer`] takes due
//! deliveries under a lease and performs them: an SQS send, an SNS publish, an asynchronous
//! invoke through the accept path, or the HTTP(S) POST of an SNS subscriber (`http.rs`);
//! `rule_target.rs` delivers EventBridge events under their target's retry policy and
//! dead-letter queue; `delivery_policy.rs` decides what a failed one becomes. A delivery's failure is counted and
//! recorded; it never fails or re-runs the invocation that owed it.

mod deliverer;
mod delivery_policy;
mod http;
mod rule_target;

pub(crate) use deliverer::Deliverer;
