//! Retention: what finished longer ago than `--retention` (scaled by the time scale) is
//! removed, in small steps through the store's writer, and function log segments with it.
//!
//! Each step removes at most `STEP` rows per table in one short write, then pauses, so the
//! group commit is never held for long and accepts keep their latency while a large backlog
//! of expired events goes (BENCHMARKS.md). Space is given back a little at a time after each
//! round. Nothing pending, running, scheduled or owed a delivery is ever removed (the store's
//! `Retention` contract).

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use lambkin_model::{Clock, Timestamp};
use lambkin_store::{Pruned, Store};
use tokio::sync::watch;

use crate::logs::FunctionLogs;

/// Rows per table per step.
const STEP: usize = 256;
/// Between steps, so other writes commit in between.
const PAUSE: Duration = Duration::from_millis(2);
/// Free pages given back to the file system per round (8 MiB of 4 KiB pages).
const RECLAIM_PAGES: u32 = 2048;

/// How often a round runs: a twentieth of the retention, between 1 s and 5 min.
pub(crate) fn round_every(retention: Duration) -> Duration {
    (retention / 20).clamp(Duration::from_secs(1), Duration::from_secs(300))
}

/// How long a log segment takes lines: an eighth of the retention, so a line outlives the
/// retention by at most that much.
pub(crate) fn segment_age(retention: Duration) -> Duration {
    (retention / 8).max(Duration::from_secs(1))
}

/// The retention rounds, with what they prune.
#[derive(Debug)]
pub(crate) struct Retention {
    pub store: Arc<dyn Store>,
    pub logs: Arc<FunctionLogs>,
    pub clock: Arc<dyn Clock>,
    /// Already scaled by the time scale.
    pub retention: Duration,
}

impl Retention {
    /// A round every [`round_every`] until `stop` is set.
    pub(crate) async fn run(self, mut stop: watch::Receiver<bool>) {
        let every = round_every(self.retention);
        loop {
            self.prune_round(&stop).await;
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = stop.changed() => return,
            }
        }
    }

    /// One round: every step until nothing older than the retention is left, the logs, and
    /// some space back.
    async fn prune_round(&self, stop: &watch::Receiver<bool>) {
        let now = self.clock.now();
        let cutoff =
            Timestamp(now.0 - i64::try_from(self.retention.as_millis()).unwrap_or(i64::MAX));
        let mut total = Pruned::default();
        loop {
            if *stop.borrow() {
                return;
            }
            match self.store.prune(cutoff, STEP).await {
                Ok(p) => {
                    total.events += p.events;
                    total.deliveries += p.deliveries;
                    total.sns_messages += p.sns_messages;
                    if p.total() == 0 {
                        break;
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, "retention: cannot prune");
                    return;
                }
            }
            tokio::time::sleep(PAUSE).await;
        }
        let log_cutoff = UNIX_EPOCH + Duration::from_millis(u64::try_from(cutoff.0).unwrap_or(0));
        self.logs.prune(log_cutoff.min(SystemTime::now()));
        if let Err(e) = self.store.reclaim_space(RECLAIM_PAGES).await {
            tracing::warn!(error = %e, "retention: cannot give space back");
        }
        if total.total() > 0 {
            tracing::info!(
                events = total.events,
                deliveries = total.deliveries,
                sns_messages = total.sns_messages,
                "retention: removed what finished before the cutoff"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_and_segments_follow_the_retention() {
        let h = |n: u64| Duration::from_secs(n * 3600);
        assert_eq!(round_every(h(72)), Duration::from_secs(300));
        assert_eq!(round_every(h(1)), Duration::from_secs(180));
        assert_eq!(round_every(Duration::from_secs(5)), Duration::from_secs(1));
        assert_eq!(segment_age(h(72)), h(9));
        assert_eq!(segment_age(Duration::from_secs(4)), Duration::from_secs(1));
    }
}
