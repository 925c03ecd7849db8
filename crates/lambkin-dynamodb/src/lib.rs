//! DynamoDB's data and expression semantics, pure: no I/O, no store, no HTTP.
//!
//! [`value`] holds what an item is made of: [`AttributeValue`] (the ten types) read from and
//! written to DynamoDB's JSON wire form with DynamoDB's checks, [`Number`] (exact decimals of 38
//! digits), and item sizes for the 400 KB limit. [`expr`] holds the expression language: a
//! request's `ExpressionAttributeNames` and `ExpressionAttributeValues` go into an
//! [`Expressions`](expr::Expressions), which parses and checks each of the request's
//! expressions into a [`Condition`](expr::Condition), [`Update`](expr::Update) or
//! [`Projection`](expr::Projection) and finally refuses unused placeholders; those are then
//! evaluated over an [`Item`] with [`evaluate_condition`](expr::evaluate_condition),
//! [`apply_update`](expr::apply_update) and [`project`](expr::project), and a Query's key
//! condition is read against the key schema with [`key_condition`](expr::key_condition).
//!
//! Every refusal carries DynamoDB's message; the API layer decides the wire error code
//! (`ValidationException`, or `SerializationException` for malformed JSON values).

pub mod expr;
pub mod value;

pub use value::{AttributeType, AttributeValue, Item, Number, ValueError};
