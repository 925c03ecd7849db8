//! Records attempt results in batches: every completion that arrives within a short window goes
//! to the store as one write (one transaction, one fsync) instead of one commit per event.
//! Completions are off the critical path — the environment's slot is already free — so a
//! millisecond of delay costs nothing and saves most of the commit work under load.

use std::sync::Arc;
use std::time::Duration;

use lambkin_model::NextState;
use lambkin_store::Store;
use tokio::sync::{Notify, mpsc};

use super::finish::Finish;
use super::in_flight::InFlight;
use super::wake::Wake;

/// How long the first completion of a batch waits for others.
const WINDOW: Duration = Duration::from_millis(1);
const MAX_BATCH: usize = 1024;

/// Hands completions to the recording task.
#[derive(Debug, Clone)]
pub(crate) struct Recorder {
    tx: mpsc::UnboundedSender<(i64, Finish)>,
}

/// What the recording task writes to and whom it tells.
pub(crate) struct RecorderParts {
    pub store: Arc<dyn Store>,
    /// Told when a retry was scheduled (the earliest due time may have moved forward).
    pub wake: Arc<Wake>,
    /// Told when the recorded states owe deliveries.
    pub deliveries_owed: Arc<Notify>,
    pub in_flight: Arc<InFlight>,
}

impl Recorder {
    pub(crate) fn spawn(parts: RecorderParts) -> Recorder {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(run(parts, rx));
        Recorder { tx }
    }

    pub(crate) fn record(&self, seq: i64, finish: Finish) {
        if self.tx.send((seq, finish)).is_err() {
            // The event stays Running under its lease and runs again after recovery.
            tracing::error!(seq, "attempt result dropped: recorder stopped");
        }
    }
}

async fn run(parts: RecorderParts, mut rx: mpsc::UnboundedReceiver<(i64, Finish)>) {
    let RecorderParts {
        store,
        wake,
        deliveries_owed,
        in_flight,
    } = parts;
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        tokio::time::sleep(WINDOW).await;
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let seqs: Vec<i64> = batch.iter().map(|(seq, _)| *seq).collect();
        let mut records = Vec::with_capacity(batch.len());
        let mut dropped = Vec::new();
        for (_, finish) in batch.drain(..) {
            match finish {
                Finish::Record(f, d) => {
                    records.push(f);
                    dropped.extend(d);
                }
                Finish::Abandon => {}
                Finish::Discard(function, version) => {
                    if let Err(e) = store.discard_events(&function, version.as_deref()).await {
                        tracing::error!(error = %e, "cannot discard events of a deleted function");
                    }
                }
            }
        }
        let retry = records
            .iter()
            .any(|f| matches!(f.next, NextState::RetryAt(_)));
        let owes = records.iter().any(|f| !f.deliveries.is_empty());
        match store.finish_batch(records).await {
            Ok(()) => {
                for d in dropped {
                    d.metrics.dropped(d.condition);
                }
            }
            // The batch rolled back as a whole: those events stay Running under their lease
            // and run again after it (or after recovery at the next start).
            Err(e) => tracing::error!(error = %e, "cannot record attempts"),
        }
        if retry {
            // The earliest due time may have moved forward.
            wake.work();
        }
        if owes {
            deliveries_owed.notify_one();
        }
        in_flight.done(&seqs);
    }
}
