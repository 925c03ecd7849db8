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

// Interface stub: replaced by the SQS implementation (branch `sqs`).
#[derive(Debug, thiserror::Error)]
pub enum SqsError {
    #[error("The specified queue does not exist.")]
    QueueDoesNotExist,
}

impl SqsError {
    pub fn is_transient(&self) -> bool {
        false
    }
}

#[derive(Debug, Clone)]
pub struct ReceivedMessage {
    pub message_id: String,
    pub receipt_handle: String,
    pub body: String,
    pub attributes: lambkin_model::MessageAttributes,
}

impl Sqs {
    pub async fn send_to_arn(
        &self,
        _queue_arn: &str,
        _body: String,
        _attributes: lambkin_model::MessageAttributes,
    ) -> Result<String, SqsError> {
        Err(SqsError::QueueDoesNotExist)
    }

    pub async fn queue_exists(&self, _queue_arn: &str) -> Result<bool, SqsError> {
        Ok(false)
    }

    pub async fn receive_by_arn(
        &self,
        _queue_arn: &str,
        _max: u32,
        _visibility_timeout_s: u32,
    ) -> Result<Vec<ReceivedMessage>, SqsError> {
        Err(SqsError::QueueDoesNotExist)
    }

    pub async fn delete_by_arn(&self, _queue_arn: &str, _receipt: &str) -> Result<(), SqsError> {
        Err(SqsError::QueueDoesNotExist)
    }
}
