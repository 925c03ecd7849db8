//! DynamoDB semantics over the store (issue 14, in progress): tables (`tables.rs`) so far.
//! Items, the expression language and values come next; the JSON 1.0 wire format lives in
//! `lambkin-api/src/dynamodb/`.

mod error;
mod tables;

use std::sync::Arc;

use lambkin_model::{Clock, Scope};
use lambkin_store::Store;

pub use error::DynamoError;
pub use tables::{
    AttributeDefinition, CreateTable, GlobalSecondaryIndex, KeySchemaElement, Projection,
    ProvisionedThroughput, TableSpec, describe,
};

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
