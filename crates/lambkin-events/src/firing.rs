//! Firing scheduled rules. Each schedule's next firing is a durable row; a due row fires once:
//! the deliveries of its targets and the move to its following firing commit together, and
//! only if the row still holds the firing that was read (so a second node, or a restarted one,
//! cannot fire it again). Firings missed while the server was down are not replayed one by
//! one: the first due row after a start fires once, stamped with the latest missed time, and
//! the number it stood for is reported (the engine counts it in a metric).
//!
//! The time scale applies to schedules as to retries: a schedule's timeline runs from its
//! anchor (when it was set) `1 / factor` times faster than the wall clock, so `rate(1 minute)`
//! at `--time-scale 0.001` fires every 60 ms, and a cron schedule fires at its times on that
//! compressed timeline.

use lambkin_model::{TimeScale, Timestamp};
use lambkin_store::{NewDelivery, ScheduleRecord};

use crate::envelope::{Envelope, event_time};
use crate::put_events::{delivery, target_delivery};
use crate::{Events, EventsError, ScheduleExpression};

/// Due rows handled per round (fired together, in one store commit).
const BATCH: usize = 256;
/// Missed firings counted one by one up to this many (a long outage of a frequent schedule
/// is reported as at least this).
const MAX_COUNTED_MISSES: u64 = 10_000;

/// A schedule's timeline on the server's time scale.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timeline {
    anchor: Timestamp,
    factor: f64,
}

impl Timeline {
    pub(crate) fn new(anchor: Timestamp, scale: TimeScale) -> Timeline {
        Timeline {
            anchor,
            factor: scale.factor(),
        }
    }

    /// Schedule time of a wall-clock instant.
    fn to_schedule(self, wall: Timestamp) -> Timestamp {
        Timestamp(self.anchor.0 + ((wall.0 - self.anchor.0) as f64 / self.factor).round() as i64)
    }

    /// Wall-clock instant of a schedule time (rounded up, so a firing is never early).
    pub(crate) fn wall(self, at: Timestamp) -> Timestamp {
        Timestamp(self.anchor.0 + ((at.0 - self.anchor.0) as f64 * self.factor).ceil() as i64)
    }

    /// The wall-clock time of the first firing after wall-clock `after`.
    pub(crate) fn next_after(
        self,
        schedule: &ScheduleExpression,
        after: Timestamp,
    ) -> Option<Timestamp> {
        self.next_after_in(schedule, None, after)
    }

    /// [`Timeline::next_after`] with cron and `at` read in a time zone.
    pub(crate) fn next_after_in(
        self,
        schedule: &ScheduleExpression,
        tz: Option<chrono_tz::Tz>,
        after: Timestamp,
    ) -> Option<Timestamp> {
        let at = schedule.next_after_in(tz, self.anchor, self.to_schedule(after))?;
        Some(self.wall(at).max(Timestamp(after.0 + 1)))
    }
}

/// What one round of [`Events::fire_due`] did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FiringReport {
    /// Firings committed (each delivered once to every target).
    pub fired: u64,
    /// Firings skipped because they were due while the server was down (or late by more than
    /// one period), folded into the firing that was made instead.
    pub missed: u64,
    /// How late each committed firing was, wall-clock seconds after its due time.
    pub lateness: Vec<f64>,
}

/// The Scheduled Event shape of one firing.
fn scheduled_event(events: &Events, rule_arn: &str, at: Timestamp) -> String {
    Envelope {
        version: "0",
        id: uuid::Uuid::new_v4().to_string(),
        detail_type: "Scheduled Event".into(),
        source: "aws.events".into(),
        account: events.inner.scope.account.clone(),
        time: event_time(at),
        region: events.inner.scope.region.clone(),
        resources: vec![rule_arn.to_string()],
        detail: crate::envelope::empty_detail(),
    }
    .to_json()
}

impl Events {
    /// Fires every schedule due at the clock's now (a batch at a time); returns what it did.
    pub async fn fire_due(&self) -> Result<FiringReport, EventsError> {
        let now = self.now();
        // The batch's firings run at once, so the store's writer folds them into one commit.
        let mut firings = tokio::task::JoinSet::new();
        for row in self.inner.store.due_schedules(now, BATCH).await? {
            let events = self.clone();
            firings.spawn(async move {
                let mut report = FiringReport::default();
                events.fire(row, now, &mut report).await.map(|()| report)
            });
        }
        let mut report = FiringReport::default();
        let mut failed = None;
        while let Some(done) = firings.join_next().await {
            match done {
                Ok(Ok(r)) => {
                    report.fired += r.fired;
                    report.missed += r.missed;
                    report.lateness.extend(r.lateness);
                }
                Ok(Err(e)) => failed = Some(e),
                Err(e) => tracing::error!(error = %e, "a schedule firing panicked"),
            }
        }
        match failed {
            // The rows not fired stay due and are tried again next round.
            Some(e) if report.fired == 0 => Err(e),
            Some(e) => {
                tracing::error!(error = %e, "some schedules could not fire; they stay due");
                Ok(report)
            }
            None => Ok(report),
        }
    }

    /// The soonest next firing of any schedule.
    pub async fn next_firing(&self) -> Result<Option<Timestamp>, EventsError> {
        Ok(self.inner.store.next_schedule_due().await?)
    }

    async fn fire(
        &self,
        row: ScheduleRecord,
        now: Timestamp,
        report: &mut FiringReport,
    ) -> Result<(), EventsError> {
        if let Some((group, name)) = row
            .key
            .strip_prefix("schedule/")
            .and_then(|k| k.split_once('/'))
        {
            let (group, name) = (group.to_string(), name.to_string());
            return self.fire_scheduled(row, &group, &name, now, report).await;
        }
        let rule = row
            .key
            .strip_prefix("rule/")
            .and_then(|k| k.split_once('/'))
            .and_then(|(bus, name)| self.rule(name, bus).ok());
        let Some(rule) = rule.filter(|r| r.config.enabled()) else {
            // The rule went away or was disabled without its row: nothing to fire, ever.
            self.inner
                .store
                .fire_schedule(&row.key, row.next_at, None, Vec::new(), now)
                .await?;
            return Ok(());
        };
        let Some(schedule) = rule.schedule.as_ref() else {
            return Ok(());
        };
        let timeline = Timeline::new(row.anchor, self.inner.time_scale);
        // The firing due now, and any that fell due after it (missed): the firing made is
        // stamped with the latest of them.
        let mut stamp = timeline.to_schedule(row.next_at);
        let mut missed = 0;
        let schedule_now = timeline.to_schedule(now);
        while missed < MAX_COUNTED_MISSES {
            match schedule.next_after(row.anchor, stamp) {
                Some(t) if t <= schedule_now => {
                    stamp = t;
                    missed += 1;
                }
                _ => break,
            }
        }
        let next = timeline.next_after(schedule, now);
        let event = scheduled_event(self, &rule.config.arn, stamp);
        let value: serde_json::Value = serde_json::from_str(&event).unwrap_or_default();
        let id = value["id"].as_str().unwrap_or_default().to_string();
        let ingestion = event_time(now);
        let ctx = crate::transform::Context {
            rule_arn: &rule.config.arn,
            rule_name: &rule.config.name,
            ingestion_time: &ingestion,
        };
        let deliveries: Vec<NewDelivery> = rule
            .config
            .targets
            .iter()
            .map(|t| {
                let body =
                    if t.input.is_none() && t.input_path.is_none() && t.input_transformer.is_none()
                    {
                        event.clone()
                    } else {
                        crate::transform::payload(t, &value, &ctx)
                    };
                target_delivery(&rule.config.arn, t, &id, body, 0)
            })
            .collect();
        let any = !deliveries.is_empty();
        let fired = self
            .inner
            .store
            .fire_schedule(&row.key, row.next_at, next, deliveries, now)
            .await?;
        if fired {
            report.fired += 1;
            report.missed += missed;
            report.lateness.push(now.since(row.next_at).as_secs_f64());
            if any {
                self.inner.deliveries_owed.notify_one();
            }
        }
        Ok(())
    }
}

impl Events {
    /// A Scheduler schedule's firing: its target gets its `Input` (`{}` when it has none).
    async fn fire_scheduled(
        &self,
        row: ScheduleRecord,
        group: &str,
        name: &str,
        now: Timestamp,
        report: &mut FiringReport,
    ) -> Result<(), EventsError> {
        let Some(s) = self
            .scheduled(group, name)
            .ok()
            .filter(|s| s.config.enabled())
        else {
            self.inner
                .store
                .fire_schedule(&row.key, row.next_at, None, Vec::new(), now)
                .await?;
            return Ok(());
        };
        let timeline = Timeline::new(row.anchor, self.inner.time_scale);
        let mut missed = 0;
        let mut due = row.next_at;
        while missed < MAX_COUNTED_MISSES {
            match s.next_after(timeline, due) {
                Some(t) if t <= now => {
                    due = t;
                    missed += 1;
                }
                _ => break,
            }
        }
        let next = s.next_after(timeline, now);
        let t = &s.config.target;
        let body = t.input.clone().unwrap_or_else(|| "{}".into());
        let id = uuid::Uuid::new_v4().to_string();
        let owed = vec![delivery(
            &s.config.arn,
            &t.arn,
            t.retry_policy.as_ref(),
            t.dead_letter_config.as_ref(),
            &id,
            body,
            0,
        )];
        let fired = self
            .inner
            .store
            .fire_schedule(&row.key, row.next_at, next, owed, now)
            .await?;
        if !fired {
            return Ok(());
        }
        report.fired += 1;
        report.missed += missed;
        report.lateness.push(now.since(row.next_at).as_secs_f64());
        self.inner.deliveries_owed.notify_one();
        if next.is_none() && s.config.delete_after_completion() {
            let _edit = self.inner.edits.lock().await;
            // Unless it was replaced meanwhile (a new write starts a new row).
            if self.inner.store.schedule(&row.key).await?.is_none() {
                self.remove_schedule(group, name).await?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeline_compresses_around_its_anchor() {
        let rate = ScheduleExpression::parse("rate(1 minute)").expect("valid");
        let real = Timeline::new(Timestamp(1_000), TimeScale::REAL);
        assert_eq!(
            real.next_after(&rate, Timestamp(1_000)),
            Some(Timestamp(61_000))
        );
        assert_eq!(
            real.next_after(&rate, Timestamp(61_000)),
            Some(Timestamp(121_000))
        );
        let fast = Timeline::new(
            Timestamp(1_000),
            TimeScale::new(0.001).expect("valid scale"),
        );
        assert_eq!(
            fast.next_after(&rate, Timestamp(1_000)),
            Some(Timestamp(1_060))
        );
        assert_eq!(
            fast.next_after(&rate, Timestamp(1_060)),
            Some(Timestamp(1_120))
        );
        assert_eq!(fast.to_schedule(Timestamp(1_060)), Timestamp(61_000));
    }
}
