//! Wake-ups for long polling: two in-process signals per queue. It does not hold messages or
//! decide what a poller receives; the store does.
//!
//! - `sent` carries one wake-up per message sent (`Notify::notify_one`), so a send of one
//!   message makes one parked poller receive, not all of them: with N pollers parked, each
//!   receive is a write through the single store writer. A poller registers before it looks
//!   at the store and keeps that registration while parked, so a send between its look and
//!   its wait still reaches it. With no poller registered the wake-up is kept as one permit
//!   (which the next poller spends on one extra look) or dropped; both are harmless, because
//!   every poller looks at the store before it parks. A poller that is woken but then leaves
//!   without receiving (its deadline came first) hands the wake-up on when its registration
//!   is dropped (tokio's `Notified` does this for `notify_one`), so it is not lost.
//! - `changed` wakes every parked poller (`notify_waiters`) when a message's visibility may
//!   have moved earlier than their timers expect: a visibility change, a receive (which sets a
//!   new visibility timeout), messages redriven into the queue. Woken pollers only re-read the
//!   queue's earliest visibility (a read, not a write) and receive if it has come.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

#[derive(Debug, Default)]
pub(crate) struct Waiters {
    by_queue: Mutex<HashMap<String, Arc<QueueSignals>>>,
    /// The server is shutting down: long polls answer at once.
    ended: AtomicBool,
}

/// The signals of one queue, shared by its pollers.
#[derive(Debug, Default)]
pub(crate) struct QueueSignals {
    pub(crate) sent: Notify,
    pub(crate) changed: Notify,
    parked: AtomicUsize,
}

/// Counts a poller as parked for as long as it is held (also if the poll is cancelled).
pub(crate) struct Parked<'a>(&'a QueueSignals);

impl QueueSignals {
    pub(crate) fn park(&self) -> Parked<'_> {
        self.parked.fetch_add(1, Ordering::SeqCst);
        Parked(self)
    }
}

impl Drop for Parked<'_> {
    fn drop(&mut self) {
        self.0.parked.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Waiters {
    pub(crate) fn of(&self, queue: &str) -> Arc<QueueSignals> {
        let mut map = self.by_queue.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(queue.to_string()).or_default().clone()
    }

    fn get(&self, queue: &str) -> Option<Arc<QueueSignals>> {
        let map = self.by_queue.lock().unwrap_or_else(|e| e.into_inner());
        map.get(queue).cloned()
    }

    /// `count` messages were sent to `queue`: wakes up to that many pollers, one each.
    pub(crate) fn sent(&self, queue: &str, count: usize) {
        if let Some(s) = self.get(queue) {
            for _ in 0..count {
                s.sent.notify_one();
            }
        }
    }

    /// A message of `queue` may become visible earlier than its parked pollers expect.
    pub(crate) fn visibility_changed(&self, queue: &str) {
        if let Some(s) = self.get(queue) {
            s.changed.notify_waiters();
        }
    }

    /// Shutdown: every parked poller wakes, and no poller parks from now on.
    pub(crate) fn end(&self) {
        self.ended.store(true, Ordering::SeqCst);
        let all: Vec<Arc<QueueSignals>> = {
            let map = self.by_queue.lock().unwrap_or_else(|e| e.into_inner());
            map.values().cloned().collect()
        };
        for s in all {
            s.changed.notify_waiters();
        }
    }

    pub(crate) fn ended(&self) -> bool {
        self.ended.load(Ordering::SeqCst)
    }

    /// How many pollers of `queue` are parked now.
    pub(crate) fn parked(&self, queue: &str) -> usize {
        self.get(queue)
            .map_or(0, |s| s.parked.load(Ordering::SeqCst))
    }

    pub(crate) fn forget(&self, queue: &str) {
        let signals = {
            let mut map = self.by_queue.lock().unwrap_or_else(|e| e.into_inner());
            map.remove(queue)
        };
        // Pollers of a deleted queue look again and find it gone.
        if let Some(s) = signals {
            s.sent.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_registered_poller_is_woken_by_a_send_that_precedes_its_wait() {
        let w = Waiters::default();
        let signals = w.of("q");
        let notified = signals.sent.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        w.sent("q", 1);
        tokio::time::timeout(Duration::from_secs(1), notified)
            .await
            .expect("woken");
    }

    #[tokio::test]
    async fn one_message_wakes_one_of_two_registered_pollers() {
        let w = Waiters::default();
        let signals = w.of("q");
        let first = signals.sent.notified();
        let second = signals.sent.notified();
        tokio::pin!(first, second);
        first.as_mut().enable();
        second.as_mut().enable();
        w.sent("q", 1);
        let short = Duration::from_millis(50);
        let woken = [
            tokio::time::timeout(short, first.as_mut()).await.is_ok(),
            tokio::time::timeout(short, second.as_mut()).await.is_ok(),
        ];
        assert_eq!(woken, [true, false]);
        w.sent("q", 1);
        tokio::time::timeout(short, second).await.expect("woken");
    }

    #[tokio::test]
    async fn a_wake_up_not_taken_passes_to_the_next_poller() {
        let w = Waiters::default();
        let signals = w.of("q");
        let second = signals.sent.notified();
        tokio::pin!(second);
        {
            let first = signals.sent.notified();
            tokio::pin!(first);
            first.as_mut().enable();
            second.as_mut().enable();
            w.sent("q", 1);
        }
        tokio::time::timeout(Duration::from_millis(50), second)
            .await
            .expect("handed on");
    }
}
