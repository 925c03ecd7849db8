//! SQS semantics over the store: queues, messages, visibility timeouts, long polling and
//! redrive. The HTTP wire format lives in `lambkin-api/src/sqs/`; this crate never sees it.
//!
//! [`Sqs`] is the narrow interface: the API resolves a queue URL to a [`QueueName`] and calls
//! one operation (named after the AWS operation); the engine's deliverer uses the by-ARN calls
//! (`send_to_arn`, `receive_by_arn`, ...). Every operation validates with AWS's rules and
//! messages ([`queue_settings`], [`message`]), then makes one store call: the store holds
//! messages durably (`lambkin_store::SqsStore`), and a receive is a single write that hands
//! out messages under a new receipt, expires old ones and moves over-received ones to the
//! dead-letter queue. Long polling (`receive.rs`) waits on in-process signals per queue
//! (`waiters.rs`: one wake-up per message sent, and a re-check when a visibility changes) or on
//! a timer for the queue's next visibility, never on a busy loop. Sending and deleting are in
//! `messages.rs`, visibility changes in `visibility.rs`, queue tags in `tags.rs`.
//!
//! Time comes from the injected [`Clock`]; only the long-poll timers run on tokio's clock.

mod batch;
mod by_arn;
pub mod digest;
mod error;
pub mod message;
mod messages;
mod queue_name;
pub mod queue_settings;
mod queues;
mod receive;
pub mod tags;
mod visibility;
mod waiters;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use lambkin_model::{Clock, Scope, Timestamp};
use lambkin_store::Store;

pub use batch::BatchEntry;
pub use error::SqsError;
pub use message::{OutgoingMessage, ReceivedMessage};
pub use messages::SentMessage;
pub use queue_name::QueueName;
pub use queue_settings::QueueSettings;
pub use receive::ReceiveOptions;

/// The SQS service; cheap to clone.
#[derive(Debug, Clone)]
pub struct Sqs {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    scope: Scope,
    waiters: waiters::Waiters,
    /// When each queue was last purged (AWS allows one purge per 60 s).
    purges: Mutex<HashMap<String, Timestamp>>,
}

impl Sqs {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, scope: Scope) -> Sqs {
        Sqs {
            inner: Arc::new(Inner {
                store,
                clock,
                scope,
                waiters: waiters::Waiters::default(),
                purges: Mutex::new(HashMap::new()),
            }),
        }
    }

    pub fn scope(&self) -> &Scope {
        &self.inner.scope
    }

    /// The queue a URL names (last two path segments; any host).
    pub fn queue_from_url(&self, url: &str) -> Result<QueueName, SqsError> {
        QueueName::from_url(url, &self.inner.scope)
    }

    fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }
}
