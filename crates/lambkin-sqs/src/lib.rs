//! SQS semantics over the store: queues, messages, visibility timeouts, long polling and
//! redrive. The HTTP wire format lives in `lambkin-api/src/sqs/`; this crate never sees it.

use std::sync::Arc;

use lambkin_model::{Clock, Scope};
use lambkin_store::Store;

/// The SQS service; cheap to clone.
#[derive(Debug, Clone)]
pub struct Sqs {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    #[allow(dead_code)]
    store: Arc<dyn Store>,
    #[allow(dead_code)]
    clock: Arc<dyn Clock>,
    #[allow(dead_code)]
    scope: Scope,
}

impl Sqs {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, scope: Scope) -> Sqs {
        Sqs {
            inner: Arc::new(Inner {
                store,
                clock,
                scope,
            }),
        }
    }
}
