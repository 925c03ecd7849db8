//! Event and delivery counts by state, kept in memory so `stats` and `delivery_stats` are O(1)
//! on a queue of millions.
//!
//! Loaded with one scan when the store opens; afterwards every write job reports how it moved
//! events between states, and the writer applies a batch's changes only once it has committed.

use rusqlite::Connection;

use crate::{DeliveryKind, DeliveryState, DeliveryStats, QueueStats, StoreError};

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Counts {
    queued: i64,
    running: i64,
    retry_scheduled: i64,
    succeeded: i64,
    failed: i64,
    reruns: i64,
    deliveries_pending: i64,
    deliveries_delivered: i64,
    dead_letter_errors: i64,
    destination_failures: i64,
    subscription_failures: i64,
    notification_failures: i64,
    rule_target_failures: i64,
}

impl Counts {
    pub(super) fn load(conn: &Connection) -> Result<Counts, StoreError> {
        let mut counts = Counts::load_events(conn)?;
        let mut by_state =
            conn.prepare("SELECT kind, state, count(*) FROM deliveries GROUP BY kind, state")?;
        let rows = by_state.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        for row in rows {
            let (kind, state, n) = row?;
            let kind = DeliveryKind::parse(&kind)
                .ok_or_else(|| StoreError::Corrupt(format!("delivery kind {kind}")))?;
            let state = DeliveryState::parse(&state)
                .ok_or_else(|| StoreError::Corrupt(format!("delivery state {state}")))?;
            counts.delivery(kind, state, n);
        }
        Ok(counts)
    }

    fn load_events(conn: &Connection) -> Result<Counts, StoreError> {
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
                    ..Counts::default()
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

    /// `n` deliveries of `kind` entered (`n > 0`) or left (`n < 0`) `state`.
    pub(super) fn delivery(&mut self, kind: DeliveryKind, state: DeliveryState, n: i64) {
        match (state, kind) {
            (DeliveryState::Pending, _) => self.deliveries_pending += n,
            (DeliveryState::Delivered, _) => self.deliveries_delivered += n,
            (DeliveryState::Failed, DeliveryKind::DeadLetter) => self.dead_letter_errors += n,
            (DeliveryState::Failed, DeliveryKind::Subscription) => self.subscription_failures += n,
            (DeliveryState::Failed, DeliveryKind::BucketNotification) => {
                self.notification_failures += n
            }
            (DeliveryState::Failed, DeliveryKind::OnSuccess | DeliveryKind::OnFailure) => {
                self.destination_failures += n
            }
            (DeliveryState::Failed, DeliveryKind::RuleTarget) => self.rule_target_failures += n,
        }
    }

    pub(super) fn apply(&mut self, d: &Counts) {
        self.queued += d.queued;
        self.running += d.running;
        self.retry_scheduled += d.retry_scheduled;
        self.succeeded += d.succeeded;
        self.failed += d.failed;
        self.reruns += d.reruns;
        self.deliveries_pending += d.deliveries_pending;
        self.deliveries_delivered += d.deliveries_delivered;
        self.dead_letter_errors += d.dead_letter_errors;
        self.destination_failures += d.destination_failures;
        self.subscription_failures += d.subscription_failures;
        self.notification_failures += d.notification_failures;
        self.rule_target_failures += d.rule_target_failures;
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

    pub(super) fn delivery_stats(&self) -> DeliveryStats {
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        DeliveryStats {
            pending: n(self.deliveries_pending),
            delivered: n(self.deliveries_delivered),
            dead_letter_errors: n(self.dead_letter_errors),
            destination_delivery_failures: n(self.destination_failures),
            subscription_failures: n(self.subscription_failures),
            notification_failures: n(self.notification_failures),
            rule_target_failures: n(self.rule_target_failures),
        }
    }
}
