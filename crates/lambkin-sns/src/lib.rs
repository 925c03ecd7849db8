//! SNS semantics over the store: topics, subscriptions, durable publish (one outbox delivery
//! per subscription, in the publish's commit), and the rendering of a message for each
//! subscriber protocol. The engine's deliverer performs the deliveries; the query/XML wire
//! format lives in `lambkin-api/src/sns/`.

use std::sync::Arc;

use lambkin_model::{Clock, Scope};
use lambkin_store::Store;
use tokio::sync::Notify;

/// The SNS service; cheap to clone.
#[derive(Debug, Clone)]
pub struct Sns {
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
    /// Wakes the engine's deliverer after a publish has committed its deliveries.
    #[allow(dead_code)]
    deliveries_owed: Arc<Notify>,
}

impl Sns {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        scope: Scope,
        deliveries_owed: Arc<Notify>,
    ) -> Sns {
        Sns {
            inner: Arc::new(Inner {
                store,
                clock,
                scope,
                deliveries_owed,
            }),
        }
    }
}

// Interface stub: replaced by the SNS implementation (branch `sns`).
#[derive(Debug, thiserror::Error)]
pub enum SnsError {
    #[error("Topic does not exist")]
    NotFound,
}

impl SnsError {
    pub fn is_transient(&self) -> bool {
        false
    }
}

#[derive(Debug, Clone)]
pub enum Rendered {
    Sqs {
        queue_arn: String,
        body: String,
        attributes: lambkin_model::MessageAttributes,
    },
    Lambda {
        function_arn: String,
        payload: Vec<u8>,
    },
    Http {
        url: String,
        headers: Vec<(String, String)>,
        body: String,
    },
    Gone,
}

impl Sns {
    pub async fn render(&self, _d: &lambkin_store::Delivery) -> Result<Rendered, SnsError> {
        Ok(Rendered::Gone)
    }

    pub async fn topic_exists(&self, _topic_arn: &str) -> Result<bool, SnsError> {
        Ok(false)
    }

    pub async fn publish_to_arn(
        &self,
        _topic_arn: &str,
        _message: String,
        _subject: Option<String>,
        _attributes: lambkin_model::MessageAttributes,
    ) -> Result<String, SnsError> {
        Err(SnsError::NotFound)
    }
}
