//! DynamoDB semantics (issue 14, in progress).
//!
//! The pure part: [`value`] holds what an item is made of: [`AttributeValue`] (the ten types)
//! read from and written to DynamoDB's JSON wire form with DynamoDB's checks, [`Number`] (exact
//! decimals of 38 digits), and item sizes for the 400 KB limit. [`expr`] holds the expression
//! language: a request's `ExpressionAttributeNames` and `ExpressionAttributeValues` go into an
//! [`Expressions`](expr::Expressions), which parses and checks each of the request's
//! expressions into a [`Condition`](expr::Condition), [`Update`](expr::Update) or
//! [`Projection`](expr::Projection) and finally refuses unused placeholders; those are then
//! evaluated over an [`Item`] with [`evaluate_condition`](expr::evaluate_condition),
//! [`apply_update`](expr::apply_update) and [`project`](expr::project), and a Query's key
//! condition is read against the key schema with [`key_condition`](expr::key_condition).
//!
//! The service over the store: [`Dynamo`], with tables (`tables.rs`) so far; the JSON 1.0 wire
//! format lives in `lambkin-api/src/dynamodb/`. Every refusal carries DynamoDB's message; the
//! API layer writes the wire error.

mod batch;
mod error;
pub mod expr;
mod items;
mod keys;
mod query;
mod tables;
mod ttl;
pub mod value;

use std::sync::Arc;

use lambkin_model::{Clock, Scope};
use lambkin_store::Store;

pub use batch::{BatchGetRequest, BatchWriteRequest, TransactGetRequest, TransactWriteRequest};
pub use error::{CancellationReason, DynamoError};
pub use items::{ItemRequest, item_from_json, item_to_json};
pub use query::ReadRequest;
pub use tables::{
    AttributeDefinition, CreateTable, GlobalSecondaryIndex, KeySchemaElement, Projection,
    ProvisionedThroughput, TableSpec, describe,
};
pub use value::{AttributeType, AttributeValue, Item, Number, ValueError};
/// The DynamoDB service; cheap to clone.
#[derive(Debug, Clone)]
pub struct Dynamo {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    scope: Scope,
}

impl Dynamo {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, scope: Scope) -> Dynamo {
        Dynamo {
            inner: Arc::new(Inner {
                store,
                clock,
                scope,
            }),
        }
    }
}
