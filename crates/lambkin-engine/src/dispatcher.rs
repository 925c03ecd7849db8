//! The dispatcher: keeps up to `account concurrency` attempts running, fed from a small
//! buffer of already-claimed events so an environment that frees up never waits for a claim's
//! commit. Completions are recorded after the slot is released, so fsync latency is paid by
//! the store's group commit, not by the function's concurrency.

use std::collections::{HashSet, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lambkin_store::ClaimedEvent;

use crate::Engine;
use crate::recorder::Recorder;

/// Claims are leases: an attempt cut off by a crash of another node runs again after this.
/// Longer than the longest function timeout (900 s).
const LEASE: Duration = Duration::from_secs(960);
/// Smallest number of events claimed ahead of free slots.
const PREFETCH: usize = 64;
/// Longest idle sleep, so a clock jump or a missed wake-up costs at most this.
const MAX_IDLE: Duration = Duration::from_secs(1);

/// Attempts started and not yet recorded (the shutdown hands back what is left).
#[derive(Debug, Default)]
pub(crate) struct InFlight {
    count: AtomicUsize,
    seqs: Mutex<HashSet<i64>>,
}

impl InFlight {
    pub(crate) fn done(&self, seqs: &[i64]) {
        if let Ok(mut s) = self.seqs.lock() {
            for seq in seqs {
                s.remove(seq);
            }
        }
    }
}

impl Engine {
    pub(crate) async fn dispatch(self) {
        let inner = &self.inner;
        let mut stop = inner.stop.subscribe();
        let capacity = inner.limiter.account() as usize;
        let in_flight = Arc::new(InFlight::default());
        let recorder = Recorder::spawn(self.clone(), in_flight.clone());
        let mut ready: VecDeque<ClaimedEvent> = VecDeque::new();
        loop {
            if *stop.borrow() {
                break;
            }
            while in_flight.count.load(Ordering::Acquire) < capacity {
                let Some(ev) = ready.pop_front() else { break };
                self.spawn_attempt(ev, in_flight.clone(), recorder.clone());
            }
            let buffered = ready.len() + in_flight.count.load(Ordering::Acquire);
            // Claim in batches of at least PREFETCH so claims cost few commits; claimed events
            // wait here under their lease, and go back to the queue on shutdown.
            let want = (capacity + capacity.max(PREFETCH)).saturating_sub(buffered);
            let mut idle_until = None;
            if ready.len() < capacity && want > 0 {
                let now = inner.clock.now();
                match inner.store.claim(now, want, now.plus(LEASE)).await {
                    Ok(batch) if !batch.is_empty() => {
                        ready.extend(batch);
                        continue;
                    }
                    Ok(_) if ready.is_empty() => {
                        idle_until = match inner.store.next_due().await {
                            Ok(Some(due)) => Some(
                                due.since(inner.clock.now())
                                    .clamp(Duration::from_millis(1), MAX_IDLE),
                            ),
                            _ => Some(MAX_IDLE),
                        };
                    }
                    Ok(_) => {}
                    Err(e) => {
                        tracing::error!(error = %e, "claim failed");
                        idle_until = Some(Duration::from_millis(100));
                    }
                }
            }
            tokio::select! {
                _ = inner.wake.notified() => {}
                _ = tokio::time::sleep(idle_until.unwrap_or(MAX_IDLE)) => {}
                _ = stop.changed() => {}
            }
        }
        self.drain(ready, &in_flight).await;
    }

    fn spawn_attempt(&self, ev: ClaimedEvent, in_flight: Arc<InFlight>, recorder: Recorder) {
        in_flight.count.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut seqs) = in_flight.seqs.lock() {
            seqs.insert(ev.seq);
        }
        let engine = self.clone();
        tokio::spawn(async move {
            let seq = ev.seq;
            let finish = engine.attempt(ev).await;
            in_flight.count.fetch_sub(1, Ordering::AcqRel);
            engine.inner.wake.notify_one();
            recorder.record(seq, finish);
        });
    }

    /// Shutdown: unstarted events go back to the queue at once; running attempts get the
    /// grace period to finish, and whatever is still running after it is handed back too.
    async fn drain(&self, ready: VecDeque<ClaimedEvent>, in_flight: &InFlight) {
        let inner = &self.inner;
        let now = inner.clock.now();
        let unstarted: Vec<i64> = ready.iter().map(|e| e.seq).collect();
        if !unstarted.is_empty()
            && let Err(e) = inner.store.release(unstarted, now).await
        {
            tracing::error!(error = %e, "cannot hand back unstarted events");
        }
        let deadline = tokio::time::Instant::now() + inner.config.shutdown_grace;
        while in_flight
            .seqs
            .lock()
            .map(|s| !s.is_empty())
            .unwrap_or(false)
            && tokio::time::Instant::now() < deadline
        {
            tokio::select! {
                _ = inner.wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_millis(20)) => {}
            }
        }
        let cut_off: Vec<i64> = in_flight
            .seqs
            .lock()
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default();
        if !cut_off.is_empty() {
            tracing::warn!(
                count = cut_off.len(),
                "handing running invocations back to the queue"
            );
            if let Err(e) = inner.store.release(cut_off, inner.clock.now()).await {
                tracing::error!(error = %e, "cannot hand back running events");
            }
        }
    }
}
