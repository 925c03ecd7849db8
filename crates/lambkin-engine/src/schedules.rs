//! The schedule loop: fires due schedules (`lambkin_events::Events::fire_due`, which makes each
//! firing once, durably) and sleeps until the next one is due, a schedule changes, or the
//! server stops. Missed firings (due while the server was down) fire once at the first round.

use std::sync::Arc;
use std::time::Duration;

use lambkin_events::Events;
use lambkin_model::Clock;
use tokio::sync::{Notify, watch};

use crate::Metrics;

/// Longest sleep, so a clock jump or a missed wake-up costs at most this.
const MAX_IDLE: Duration = Duration::from_secs(1);

pub(crate) struct ScheduleLoop {
    pub events: Events,
    pub clock: Arc<dyn Clock>,
    pub metrics: Arc<Metrics>,
    /// Told when a schedule was added or changed.
    pub changed: Arc<Notify>,
}

impl ScheduleLoop {
    pub(crate) async fn run(self, mut stop: watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                return;
            }
            let idle = match self.events.fire_due().await {
                Ok(report) => {
                    if report.missed > 0 {
                        tracing::warn!(
                            missed = report.missed,
                            "schedules fell due while the server was down; each fired once for all its missed firings"
                        );
                    }
                    self.metrics.schedules_fired(&report);
                    match self.events.next_firing().await {
                        Ok(Some(due)) => due.since(self.clock.now()).min(MAX_IDLE),
                        Ok(None) => MAX_IDLE,
                        Err(e) => {
                            tracing::error!(error = %e, "cannot read the next schedule firing");
                            MAX_IDLE
                        }
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, "cannot fire schedules");
                    Duration::from_millis(100)
                }
            };
            if idle.is_zero() {
                continue;
            }
            tokio::select! {
                _ = self.changed.notified() => {}
                _ = tokio::time::sleep(idle) => {}
                _ = stop.changed() => {}
            }
        }
    }
}
