//! Wake-ups for long polling: one [`Notify`] per queue, signalled whenever a message of that
//! queue may have become visible (a send, a visibility set to 0, a redrive into it). Pollers
//! register before they look at the store, so a send between the look and the wait is never
//! missed; visibility expiry is covered by the poller's own timer, not by a signal.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

#[derive(Debug, Default)]
pub(crate) struct Waiters {
    by_queue: Mutex<HashMap<String, Arc<Notify>>>,
}

impl Waiters {
    pub(crate) fn of(&self, queue: &str) -> Arc<Notify> {
        let mut map = self.by_queue.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(queue.to_string()).or_default().clone()
    }

    /// Wakes every poller of `queue` (none registered: nothing happens, nothing is stored).
    pub(crate) fn wake(&self, queue: &str) {
        let map = self.by_queue.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = map.get(queue) {
            n.notify_waiters();
        }
    }

    pub(crate) fn forget(&self, queue: &str) {
        let notify = {
            let mut map = self.by_queue.lock().unwrap_or_else(|e| e.into_inner());
            map.remove(queue)
        };
        // Pollers of a deleted queue look again and find it gone.
        if let Some(n) = notify {
            n.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_registered_poller_is_woken_by_a_wake_that_precedes_its_wait() {
        let w = Waiters::default();
        let notify = w.of("q");
        let notified = notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        w.wake("q");
        tokio::time::timeout(Duration::from_secs(1), notified)
            .await
            .expect("woken");
    }
}
