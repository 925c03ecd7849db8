//! Event counts by state, kept in memory so `stats` is O(1) on a queue of millions.
//!
//! Loaded with one scan when the store opens; afterwards every write job reports how it moved
//! events between states, and the writer applies a batch's changes only once it has committed.

use rusqlite::Connection;

use crate::{QueueStats, StoreError};

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Counts {
    queued: i64,
    running: i64,
    retry_scheduled: i64,
    succeeded: i64,
    failed: i64,
    reruns: i64,
}

impl Counts {
    pub(super) fn load(conn: &Connection) -> Result<Counts, StoreError> {
        Ok(conn.query_row(
            "SELECT coalesce(sum(state = 'queued'), 0), coalesce(sum(state = 'running'), 0),
                    coalesce(sum(state = 'retry_scheduled'), 0), coalesce(sum(state = 'succeeded'), 0),
                    coalesce(sum(state = 'failed'), 0), coalesce(sum(interrupted), 0)
             FROM events",
            [],
            |r| {
                Ok(Counts {
                    queued: r.get(0)?,
                    running: r.get(1)?,
                    retry_scheduled: r.get(2)?,
                    succeeded: r.get(3)?,
                    failed: r.get(4)?,
                    reruns: r.get(5)?,
                })
            },
        )?)
    }

    /// `n` events entered (`n > 0`) or left (`n < 0`) the state named as stored.
    pub(super) fn add(&mut self, state: &str, n: i64) {
        match state {
            "queued" => self.queued += n,
            "running" => self.running += n,
            "retry_scheduled" => self.retry_scheduled += n,
            "succeeded" => self.succeeded += n,
            "failed" => self.failed += n,
            _ => {}
        }
    }

    pub(super) fn moved(&mut self, from: &str, to: &str, n: i64) {
        self.add(from, -n);
        self.add(to, n);
    }

    pub(super) fn rerun(&mut self, n: i64) {
        self.reruns += n;
    }

    pub(super) fn apply(&mut self, d: &Counts) {
        self.queued += d.queued;
        self.running += d.running;
        self.retry_scheduled += d.retry_scheduled;
        self.succeeded += d.succeeded;
        self.failed += d.failed;
        self.reruns += d.reruns;
    }

    pub(super) fn stats(&self) -> QueueStats {
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        QueueStats {
            queued: n(self.queued),
            running: n(self.running),
            retry_scheduled: n(self.retry_scheduled),
            succeeded: n(self.succeeded),
            failed: n(self.failed),
            reruns: n(self.reruns),
        }
    }
}
