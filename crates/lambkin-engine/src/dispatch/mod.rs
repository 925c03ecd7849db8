//! The dispatcher: claims due events within each function's room, holds them in per-function
//! lanes, and starts each one as soon as a slot of its function is free.
//!
//! A function whose slots are all busy is not claimed for (its backlog stays in the store and
//! costs nothing) and its lane waits: the next release of one of its slots wakes the
//! dispatcher (`Limiter::acquire_or_wait`), which starts the lane's next event at once. So a
//! backlog behind reserved concurrency N drains N at a time, continuously, and never stands in
//! front of another function's events. A waiting event still ages: `gate(Throttled)` says
//! how long it may wait, and the dispatcher wakes up to fail it then.
//!
//! Completions are recorded after the slot is released, so fsync latency is paid by the
//! store's group commit, not by the function's concurrency.

mod attempt;
mod finish;
mod in_flight;
mod lanes;
mod recorder;
mod wake;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use lambkin_model::{Clock, Gate, TimeScale, Timestamp};
use lambkin_store::Store;
use tokio::sync::watch;

use crate::concurrency::Limiter;
use crate::registry::Registry;
pub(crate) use attempt::Runner;
use attempt::{Attempt, VersionGone, throttled};
use finish::Finish;
use in_flight::InFlight;
use lanes::{Lane, Lanes, LastClaim, Reserved, Room, Waiting};
use recorder::Recorder;
pub(crate) use recorder::RecorderParts;
pub(crate) use wake::Wake;

/// Claims are leases: an attempt cut off by a crash of another node runs again after this.
/// Longer than the longest run: init (10 s) plus the longest function timeout (900 s).
const LEASE: Duration = Duration::from_secs(960);
/// A waiting event's lease is extended once it is this old, so that whenever it starts, its
/// lease still covers the longest run: an event is never claimed again while it runs.
const RENEW_AFTER: Duration = Duration::from_secs(30);
const _: () = assert!(
    RENEW_AFTER.as_secs() + lambkin_model::limits::INIT_TIMEOUT_S + 900 + 15 <= LEASE.as_secs()
);
/// An idle dispatcher still claims this often, whatever it believes is due.
const CLAIM_AT_LEAST_EVERY: Duration = Duration::from_secs(10);
/// Longest idle sleep, so a clock jump or a missed wake-up costs at most this.
const MAX_IDLE: Duration = Duration::from_secs(1);

/// The dispatcher, with what it uses: the store's queue, the registry's snapshots, the
/// concurrency limits, and the runner and recorder of attempts.
#[derive(Debug)]
pub(crate) struct Dispatcher {
    pub store: Arc<dyn Store>,
    pub registry: Arc<Registry>,
    pub limiter: Arc<Limiter>,
    pub clock: Arc<dyn Clock>,
    pub wake: Arc<Wake>,
    pub runner: Runner,
    pub time_scale: TimeScale,
    /// How long running attempts get to finish at shutdown.
    pub shutdown_grace: Duration,
}

/// What became of a lane's head.
enum Head {
    /// Started on a slot.
    Started,
    /// Ended without needing one (or its whole lane did): the lane moves on.
    Gone,
    /// Every slot of its function is busy; it waits, at most until then.
    Waits(Timestamp),
}

impl Dispatcher {
    /// Runs until `stop` is set, then hands unfinished work back (`drain`). `recorder` says
    /// where the results go.
    pub(crate) async fn run(self, recorder: RecorderParts, mut stop: watch::Receiver<bool>) {
        let in_flight = recorder.in_flight.clone();
        let recorder = Recorder::spawn(recorder);
        let mut lanes = Lanes::default();
        let mut last = LastClaim::default();
        let mut last_claim = tokio::time::Instant::now();
        loop {
            if *stop.borrow() {
                break;
            }
            if self.wake.take_work() || last_claim.elapsed() >= CLAIM_AT_LEAST_EVERY {
                last.forget();
            }
            let now = self.clock.now();
            let waits_until = self.start_lanes(&mut lanes, &in_flight, &recorder, now);
            self.renew_leases(&mut lanes, now).await;
            // A waiting head is looked at again just after the time it may wait until.
            let mut idle = waits_until.map(|t| t.since(now) + Duration::from_millis(1));
            let request = self
                .room()
                .request(&lanes, now, now.plus(LEASE))
                .filter(|r| last.worth_trying(r, now));
            if let Some(request) = request {
                last_claim = tokio::time::Instant::now();
                match self.store.claim(&request).await {
                    Ok(claimed) => {
                        last.remember(request, &claimed.events, claimed.next_due);
                        if !claimed.events.is_empty() {
                            for ev in claimed.events {
                                lanes.push(Waiting {
                                    ev,
                                    leased_at: now,
                                    await_until: None,
                                });
                            }
                            continue;
                        }
                        if let Some(due) = claimed.next_due {
                            let until_due = due.since(self.clock.now());
                            idle = Some(idle.map_or(until_due, |d| d.min(until_due)));
                        }
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "claim failed");
                        idle = Some(Duration::from_millis(100));
                    }
                }
            }
            let idle = idle
                .unwrap_or(MAX_IDLE)
                .clamp(Duration::from_millis(1), MAX_IDLE);
            tokio::select! {
                _ = self.wake.notify.notified() => {}
                _ = tokio::time::sleep(idle) => {}
                _ = stop.changed() => {}
            }
        }
        self.drain(lanes, &in_flight).await;
    }

    /// What the next claim may take, from the limiter's counters and the registry.
    fn room(&self) -> Room {
        Room {
            pool: self.limiter.unreserved_pool(),
            pool_in_use: self.limiter.unreserved_in_use(),
            reserved: self
                .registry
                .reserved()
                .into_iter()
                .map(|(function, reserved, slots)| Reserved {
                    function,
                    reserved,
                    in_flight: slots.in_flight.load(Ordering::SeqCst),
                })
                .collect(),
        }
    }

    /// Starts lane heads round-robin, one per lane per round, the lane that started least
    /// recently first, until every lane is empty or waiting. Returns the earliest time a
    /// waiting head must be looked at again.
    fn start_lanes(
        &self,
        lanes: &mut Lanes,
        in_flight: &Arc<InFlight>,
        recorder: &Recorder,
        now: Timestamp,
    ) -> Option<Timestamp> {
        let mut waits_until: Option<Timestamp> = None;
        lanes.begin_pass();
        let mut moved = true;
        while moved {
            moved = false;
            for k in 0..lanes.pass_len() {
                let lane = lanes.in_pass(k);
                if lane.blocked || lane.events.is_empty() {
                    continue;
                }
                match self.start_head(lane, in_flight, recorder, now) {
                    Head::Started => {
                        lanes.started(k);
                        moved = true;
                    }
                    Head::Gone => moved = true,
                    Head::Waits(until) => {
                        waits_until = Some(waits_until.map_or(until, |t| t.min(until)));
                        lane.blocked = true;
                    }
                }
            }
        }
        lanes.prune();
        waits_until
    }

    /// Starts or ends the lane's head, or leaves it waiting for a slot.
    fn start_head(
        &self,
        lane: &mut Lane,
        in_flight: &Arc<InFlight>,
        recorder: &Recorder,
        now: Timestamp,
    ) -> Head {
        let scale = self.time_scale;
        let Some(entry) = self.registry.get(&lane.function) else {
            // The function was deleted: one discard drops all its unfinished events.
            let seq = lane.events.front().map(|w| w.ev.seq);
            lane.events.clear();
            if let Some(seq) = seq {
                let function = lane.function.clone();
                self.spawn_finish(seq, in_flight, recorder, async move {
                    Finish::Discard(function, None)
                });
            }
            return Head::Gone;
        };
        let reservation = entry.config.reserved_concurrency;
        let permit = if reservation == Some(0) {
            // Needs no slot: the gate fails it at once.
            None
        } else {
            match self.limiter.acquire_or_wait(&entry.slots, reservation) {
                Ok(permit) => Some(permit),
                Err(_) => {
                    let Some(head) = lane.events.front_mut() else {
                        return Head::Gone;
                    };
                    if let Some(until) = head.await_until
                        && now <= until
                    {
                        return Head::Waits(until);
                    }
                    match throttled(&head.ev, &entry, scale, now) {
                        Gate::AwaitSlot { until } => {
                            if head.await_until.is_none() {
                                head.ev.throttles += 1;
                                entry.slots.metrics.throttles.inc();
                            }
                            head.await_until = Some(until);
                            return Head::Waits(until);
                        }
                        // Its age ran out while it waited.
                        gate => {
                            if let Some(head) = lane.events.pop_front() {
                                match Attempt::new(head.ev, entry, scale) {
                                    Ok(attempt) => {
                                        self.end(attempt, gate, now, in_flight, recorder)
                                    }
                                    Err(ev) => self.discard_version(ev, in_flight, recorder),
                                }
                            }
                            return Head::Gone;
                        }
                    }
                }
            }
        };
        let Some(head) = lane.events.pop_front() else {
            return Head::Gone;
        };
        let attempt = match Attempt::new(head.ev, entry, scale) {
            Ok(attempt) => attempt,
            Err(ev) => {
                self.discard_version(ev, in_flight, recorder);
                return Head::Gone;
            }
        };
        match (attempt.gate(now), permit) {
            (Gate::Run, Some(permit)) => {
                let runner = self.runner.clone();
                self.spawn_finish(attempt.seq(), in_flight, recorder, async move {
                    runner.run(attempt, permit).await
                });
                Head::Started
            }
            (gate, _) => {
                self.end(attempt, gate, now, in_flight, recorder);
                Head::Gone
            }
        }
    }

    /// An event routed to a version deleted since: that version's events are discarded, as a
    /// deleted function's are.
    fn discard_version(&self, gone: VersionGone, in_flight: &Arc<InFlight>, recorder: &Recorder) {
        let VersionGone {
            seq,
            function,
            version,
        } = gone;
        self.spawn_finish(seq, in_flight, recorder, async move {
            Finish::Discard(function, version)
        });
    }

    /// Ends an event that does not run: `gate` is a failure from `Attempt::gate` or
    /// `throttled`.
    fn end(
        &self,
        attempt: Attempt,
        gate: Gate,
        now: Timestamp,
        in_flight: &Arc<InFlight>,
        recorder: &Recorder,
    ) {
        let runner = self.runner.clone();
        self.spawn_finish(attempt.seq(), in_flight, recorder, async move {
            match gate {
                Gate::Fail(condition) => runner.end_without_run(attempt, condition, now).await,
                other => {
                    // `gate` and `throttled` only ever fail an event they do not run or hold.
                    tracing::error!(?other, "unexpected gate for an event that does not run");
                    Finish::Abandon
                }
            }
        });
    }

    fn spawn_finish(
        &self,
        seq: i64,
        in_flight: &Arc<InFlight>,
        recorder: &Recorder,
        finish: impl Future<Output = Finish> + Send + 'static,
    ) {
        in_flight.add(seq);
        let (wake, recorder) = (self.wake.clone(), recorder.clone());
        tokio::spawn(async move {
            let finish = finish.await;
            wake.poke();
            recorder.record(seq, finish);
        });
    }

    /// Extends the leases of events that have waited long in their lanes, so no other claim
    /// takes them while they wait for a slot.
    async fn renew_leases(&self, lanes: &mut Lanes, now: Timestamp) {
        let stale = Timestamp(now.0 - RENEW_AFTER.as_millis() as i64);
        let old: Vec<&mut Waiting> = lanes.iter_mut().filter(|w| w.leased_at < stale).collect();
        if old.is_empty() {
            return;
        }
        let seqs: Vec<i64> = old.iter().map(|w| w.ev.seq).collect();
        match self.store.extend_lease(seqs, now.plus(LEASE)).await {
            Ok(()) => old.into_iter().for_each(|w| w.leased_at = now),
            Err(e) => tracing::error!(error = %e, "cannot extend the leases of waiting events"),
        }
    }

    /// Shutdown: unstarted events go back to the queue at once; running attempts get the
    /// grace period to finish, and whatever is still running after it is handed back too.
    async fn drain(&self, mut lanes: Lanes, in_flight: &InFlight) {
        let now = self.clock.now();
        let unstarted: Vec<i64> = lanes.take_all().iter().map(|w| w.ev.seq).collect();
        if !unstarted.is_empty()
            && let Err(e) = self.store.release(unstarted, now).await
        {
            tracing::error!(error = %e, "cannot hand back unstarted events");
        }
        let deadline = tokio::time::Instant::now() + self.shutdown_grace;
        while !in_flight.is_empty() && tokio::time::Instant::now() < deadline {
            tokio::select! {
                _ = self.wake.notify.notified() => {}
                _ = tokio::time::sleep(Duration::from_millis(20)) => {}
            }
        }
        let cut_off = in_flight.all();
        if !cut_off.is_empty() {
            tracing::warn!(
                count = cut_off.len(),
                "handing running invocations back to the queue"
            );
            if let Err(e) = self.store.release(cut_off, self.clock.now()).await {
                tracing::error!(error = %e, "cannot hand back running events");
            }
        }
    }
}
