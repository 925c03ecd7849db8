//! How the rest of the engine wakes the dispatcher.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;

/// Wakes the dispatcher. `work` says events may have become claimable (new events, retries
/// scheduled, limits changed); a bare wake-up is a slot freeing or an attempt finishing.
#[derive(Debug, Default)]
pub(crate) struct Wake {
    pub notify: Arc<Notify>,
    work: AtomicBool,
}

impl Wake {
    pub(crate) fn work(&self) {
        self.work.store(true, Ordering::SeqCst);
        self.notify.notify_one();
    }

    pub(crate) fn poke(&self) {
        self.notify.notify_one();
    }

    pub(super) fn take_work(&self) -> bool {
        self.work.swap(false, Ordering::SeqCst)
    }
}
