//! The dispatcher's claimed-but-not-started events, one lane per function, and the pure rules
//! for the next claim.
//!
//! A lane holds events in due order until a slot of their function frees. The dispatcher
//! starts lane heads round-robin, one per lane per round, the lane that started least
//! recently first, so functions sharing the unreserved pool take turns.
//!
//! [`Room`] says what the next claim may take. Each function has a lane of its own size: its
//! free slots plus a prefetch (so a freed slot starts the next event at once, without waiting
//! for a claim's commit), refilled once it has run down (a reserved function's to half, a pool
//! function's, whose prefetch is larger, to an eighth), so claims come in batches. A
//! function whose slots are all busy and whose lane is full gets nothing: its backlog stays in
//! the store and costs no claims. Functions without a lane (nothing claimed yet) share a room of
//! the pool's size, so a newcomer is never stuck behind another function's lane.
//! [`LastClaim`] remembers what the last claim proved (who had nothing more due), so a claim
//! that could find nothing is not made: no claims while a backlog waits, none per event.
//! Nothing here does I/O or looks at the clock.

use std::collections::{HashMap, VecDeque};

use lambkin_model::{FunctionName, Timestamp};
use lambkin_store::{ClaimRequest, ClaimedEvent};

/// Events claimed ahead of a reserved function's free slots (or its reservation, if larger).
/// A lane is refilled at half, so half of this should outlast a claim's commit: with 16, a
/// no-op function at reserved concurrency 1 runs as fast as with 64 (~2,900 events/s, as an
/// unreserved one at concurrency 1), and a slow one holds little memory.
const RESERVED_PREFETCH: u32 = 16;
/// Events claimed ahead of the unreserved pool's free slots, per function (the dispatcher's
/// prefetch before lanes, kept for the drain figures).
const POOL_PREFETCH: u32 = 64;
/// Events of a function with reserved concurrency 0 taken per claim: they need no slot and
/// fail at once.
const ZERO_RESERVED_BATCH: u32 = 64;

/// One claimed event waiting in its lane.
#[derive(Debug)]
pub(crate) struct Waiting {
    pub ev: ClaimedEvent,
    /// When its lease was taken or last extended.
    pub leased_at: Timestamp,
    /// Set once it was found with every slot busy (`gate(Throttled)`): the latest time it may
    /// keep waiting for one.
    pub await_until: Option<Timestamp>,
}

/// One function's waiting events, oldest due first.
#[derive(Debug)]
pub(crate) struct Lane {
    pub function: FunctionName,
    pub events: VecDeque<Waiting>,
    /// Set while the head waits for a slot, for the rest of one pass of the dispatcher.
    pub blocked: bool,
    /// When (in passes' starts) its head last started; the least recent goes first.
    turn: u64,
}

/// The lanes; a lane that empties is kept until [`Lanes::prune`], so walking them allocates
/// nothing per event.
#[derive(Debug, Default)]
pub(crate) struct Lanes {
    lanes: Vec<Lane>,
    index: HashMap<FunctionName, usize>,
    /// This pass's order (indices into `lanes`), kept to reuse its allocation.
    order: Vec<usize>,
    /// Counts starts, for `Lane::turn`.
    starts: u64,
}

impl Lanes {
    pub(crate) fn push(&mut self, waiting: Waiting) {
        match self.index.get(&waiting.ev.function) {
            Some(&i) => self.lanes[i].events.push_back(waiting),
            None => {
                let function = waiting.ev.function.clone();
                self.index.insert(function.clone(), self.lanes.len());
                self.lanes.push(Lane {
                    function,
                    events: VecDeque::from([waiting]),
                    blocked: false,
                    turn: 0,
                });
            }
        }
    }

    pub(crate) fn len(&self, function: &FunctionName) -> usize {
        self.index
            .get(function)
            .map_or(0, |&i| self.lanes[i].events.len())
    }

    pub(crate) fn functions(&self) -> impl Iterator<Item = (&FunctionName, usize)> {
        self.lanes.iter().map(|l| (&l.function, l.events.len()))
    }

    /// Clears every lane's `blocked` and orders the lanes for one pass: the lane whose head
    /// started least recently first.
    pub(crate) fn begin_pass(&mut self) {
        for lane in &mut self.lanes {
            lane.blocked = false;
        }
        self.order.clear();
        self.order.extend(0..self.lanes.len());
        let lanes = &self.lanes;
        self.order.sort_by_key(|&i| lanes[i].turn);
    }

    /// The number of lanes in this pass.
    pub(crate) fn pass_len(&self) -> usize {
        self.order.len()
    }

    /// The `k`-th lane of this pass.
    pub(crate) fn in_pass(&mut self, k: usize) -> &mut Lane {
        &mut self.lanes[self.order[k]]
    }

    /// Records that the `k`-th lane of this pass started its head, sending it to the back of
    /// the next pass.
    pub(crate) fn started(&mut self, k: usize) {
        self.starts += 1;
        self.lanes[self.order[k]].turn = self.starts;
    }

    /// Drops lanes that emptied.
    pub(crate) fn prune(&mut self) {
        if self.lanes.iter().all(|l| !l.events.is_empty()) {
            return;
        }
        self.lanes.retain(|l| !l.events.is_empty());
        self.order.clear();
        self.index.clear();
        for (i, lane) in self.lanes.iter().enumerate() {
            self.index.insert(lane.function.clone(), i);
        }
    }

    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = &mut Waiting> {
        self.lanes.iter_mut().flat_map(|l| l.events.iter_mut())
    }

    /// Every waiting event, emptying the lanes (shutdown).
    pub(crate) fn take_all(&mut self) -> Vec<Waiting> {
        self.index.clear();
        self.order.clear();
        self.lanes.drain(..).flat_map(|l| l.events).collect()
    }
}

/// A function with reserved concurrency, as the next claim sees it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reserved {
    pub function: FunctionName,
    pub reserved: u32,
    pub in_flight: u32,
}

/// What the next claim may take.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Room {
    /// Unreserved pool size and slots in use.
    pub pool: u32,
    pub pool_in_use: u32,
    pub reserved: Vec<Reserved>,
}

/// How many a lane of `len` events may claim to reach `size`: nothing until it has run down to
/// `1/divisor` of it, so claims come in batches.
fn refill(size: u32, len: usize, divisor: usize) -> usize {
    let size = size as usize;
    if len * divisor <= size { size - len } else { 0 }
}

impl Room {
    /// The claim to make now; `None` when no function has room.
    pub(crate) fn request(
        &self,
        lanes: &Lanes,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> Option<ClaimRequest> {
        let pool_lane = self
            .pool
            .saturating_sub(self.pool_in_use)
            .saturating_add(POOL_PREFETCH);
        let mut limits = HashMap::with_capacity(self.reserved.len() + 4);
        for r in &self.reserved {
            let size = if r.reserved == 0 {
                ZERO_RESERVED_BATCH
            } else {
                let free = r.reserved.saturating_sub(r.in_flight);
                free.saturating_add(r.reserved.max(RESERVED_PREFETCH))
            };
            limits.insert(r.function.clone(), refill(size, lanes.len(&r.function), 2));
        }
        for (function, len) in lanes.functions() {
            if !limits.contains_key(function) {
                limits.insert(function.clone(), refill(pool_lane, len, 8));
            }
        }
        let others = pool_lane as usize;
        (others > 0 || limits.values().any(|&n| n > 0)).then_some(ClaimRequest {
            now,
            lease_until,
            others,
            limits,
        })
    }
}

/// What the last claim proved. A function that was allowed some events and took fewer had no
/// more due then; until new work arrives (an enqueue, a retry scheduled, a limit changed) or
/// the claim's next due time comes, claiming for it again would find nothing. So the next claim
/// is made only if some function with room now either was allowed nothing last time or used
/// up its whole allowance (it may have more).
#[derive(Debug, Default)]
pub(crate) struct LastClaim {
    last: Option<Proof>,
}

#[derive(Debug)]
struct Proof {
    request: ClaimRequest,
    /// Events taken per listed function, and for the unlisted ones together.
    took: HashMap<FunctionName, usize>,
    others_took: usize,
    next_due: Option<Timestamp>,
}

impl Proof {
    /// Whether `function` might have due events this claim did not take.
    fn may_have_more(&self, function: &FunctionName) -> bool {
        match self.request.limits.get(function) {
            Some(&allowed) => {
                allowed == 0 || self.took.get(function).copied().unwrap_or(0) >= allowed
            }
            None => self.others_may_have_more(),
        }
    }

    fn others_may_have_more(&self) -> bool {
        self.request.others == 0 || self.others_took >= self.request.others
    }
}

impl LastClaim {
    /// Remembers a claim and what it took.
    pub(crate) fn remember(
        &mut self,
        request: ClaimRequest,
        claimed: &[ClaimedEvent],
        next_due: Option<Timestamp>,
    ) {
        let mut took: HashMap<FunctionName, usize> = HashMap::new();
        let mut others_took = 0;
        for ev in claimed {
            if request.limits.contains_key(&ev.function) {
                *took.entry(ev.function.clone()).or_default() += 1;
            } else {
                others_took += 1;
            }
        }
        self.last = Some(Proof {
            request,
            took,
            others_took,
            next_due,
        });
    }

    /// New work arrived: anything may be due.
    pub(crate) fn forget(&mut self) {
        self.last = None;
    }

    pub(crate) fn worth_trying(&self, request: &ClaimRequest, now: Timestamp) -> bool {
        let Some(last) = &self.last else {
            return true;
        };
        if last.next_due.is_some_and(|t| now >= t) {
            return true;
        }
        let listed = request
            .limits
            .iter()
            .any(|(f, &n)| n > 0 && last.may_have_more(f));
        let others = request.others > 0
            && (last.others_may_have_more()
                || last
                    .request
                    .limits
                    .keys()
                    .any(|f| !request.limits.contains_key(f) && last.may_have_more(f)));
        listed || others
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> FunctionName {
        FunctionName::parse(s).expect("valid name")
    }

    fn waiting(function: &str) -> Waiting {
        Waiting {
            ev: ClaimedEvent {
                seq: 0,
                request_id: lambkin_model::RequestId::random(),
                function: name(function),
                qualifier: None,
                version: None,
                payload: Vec::new(),
                enqueued_at: Timestamp(0),
                invocations: 0,
                throttles: 0,
                rerun: false,
                chain: 1,
            },
            leased_at: Timestamp(0),
            await_until: None,
        }
    }

    fn reserved(function: &str, reserved: u32, in_flight: u32) -> Reserved {
        Reserved {
            function: name(function),
            reserved,
            in_flight,
        }
    }

    fn lanes_with(held: &[(&str, usize)]) -> Lanes {
        let mut lanes = Lanes::default();
        for (function, n) in held {
            for _ in 0..*n {
                lanes.push(waiting(function));
            }
        }
        lanes
    }

    fn limits(pairs: &[(&str, usize)]) -> HashMap<FunctionName, usize> {
        pairs.iter().map(|(f, n)| (name(f), *n)).collect()
    }

    /// (case, room, events waiting per function, expected others, expected limits)
    #[test]
    fn room_table() {
        type Case<'a> = (
            &'a str,
            Room,
            &'a [(&'a str, usize)],
            Option<(usize, &'a [(&'a str, usize)])>,
        );
        let pool = |pool, pool_in_use, reserved: Vec<Reserved>| Room {
            pool,
            pool_in_use,
            reserved,
        };
        let cases: &[Case] = &[
            (
                "idle server: newcomers get the pool's free slots plus prefetch",
                pool(8, 0, vec![]),
                &[],
                Some((72, &[])),
            ),
            (
                "a pool lane above an eighth of its size claims nothing",
                pool(8, 8, vec![]),
                &[("a", 40)],
                Some((64, &[("a", 0)])),
            ),
            (
                "a pool lane down to an eighth refills; newcomers keep their own room",
                pool(8, 8, vec![]),
                &[("a", 8)],
                Some((64, &[("a", 56)])),
            ),
            (
                "reserved 2, idle: two free slots plus 16 ahead",
                pool(8, 8, vec![reserved("r", 2, 0)]),
                &[],
                Some((64, &[("r", 18)])),
            ),
            (
                "reserved 2, both busy, 16 waiting: nothing for it",
                pool(8, 8, vec![reserved("r", 2, 2)]),
                &[("r", 16)],
                Some((64, &[("r", 0)])),
            ),
            (
                "reserved 2, both busy, run down to half: refill",
                pool(8, 8, vec![reserved("r", 2, 2)]),
                &[("r", 8)],
                Some((64, &[("r", 8)])),
            ),
            (
                "reserved 2, one slot freed, above half: wait for the lane",
                pool(8, 8, vec![reserved("r", 2, 1)]),
                &[("r", 15)],
                Some((64, &[("r", 0)])),
            ),
            (
                "a reservation above the prefetch prefetches itself",
                pool(8, 0, vec![reserved("big", 40, 40)]),
                &[],
                Some((72, &[("big", 40)])),
            ),
            (
                "reserved 0: claimed to fail at once, no slot needed",
                pool(8, 8, vec![reserved("off", 0, 0)]),
                &[("off", 4)],
                Some((64, &[("off", 60)])),
            ),
            (
                "a reserved function's lane is not a pool lane",
                pool(8, 0, vec![reserved("r", 1, 1)]),
                &[("r", 16), ("a", 9)],
                Some((72, &[("r", 0), ("a", 63)])),
            ),
            (
                "an unreserved pool of 0 still holds a lane of prefetch",
                pool(0, 0, vec![]),
                &[("a", 64)],
                Some((64, &[("a", 0)])),
            ),
        ];
        for (case, room, held, want) in cases {
            let got = room
                .request(&lanes_with(held), Timestamp(1), Timestamp(2))
                .map(|r| (r.others, r.limits));
            let want = want.map(|(others, l)| (others, limits(l)));
            assert_eq!(got, want, "{case}");
        }
    }

    /// (case, last claim, what it took per function ("*" for the unlisted), its next due,
    /// new claim, now, worth trying)
    #[test]
    fn a_claim_that_can_find_nothing_is_not_made() {
        let req = |others: usize, l: &[(&str, usize)]| ClaimRequest {
            now: Timestamp(0),
            lease_until: Timestamp(0),
            others,
            limits: limits(l),
        };
        type Case<'a> = (
            &'a str,
            ClaimRequest,
            &'a [(&'a str, usize)],
            Option<i64>,
            ClaimRequest,
            i64,
            bool,
        );
        let cases: &[Case] = &[
            (
                "the same empty claim again: nothing new to find",
                req(72, &[("r", 0)]),
                &[],
                None,
                req(72, &[("r", 0)]),
                5,
                false,
            ),
            (
                "a function that had no room now has some",
                req(72, &[("r", 0)]),
                &[],
                None,
                req(72, &[("r", 17)]),
                5,
                true,
            ),
            (
                "more room for a function that took less than it could: nothing more",
                req(72, &[("r", 3)]),
                &[("r", 1)],
                None,
                req(72, &[("r", 17)]),
                5,
                false,
            ),
            (
                "a function that took all it could may have more",
                req(72, &[("r", 3)]),
                &[("r", 3)],
                None,
                req(72, &[("r", 17)]),
                5,
                true,
            ),
            (
                "a lane refilled in full, still above half: nothing to claim for anyone",
                req(72, &[("a", 36)]),
                &[("a", 36)],
                None,
                req(72, &[("a", 0)]),
                5,
                false,
            ),
            (
                "a function listed with room it did not use, now a newcomer: nothing",
                req(72, &[("a", 10)]),
                &[],
                None,
                req(72, &[]),
                5,
                false,
            ),
            (
                "a function listed without room, now a newcomer with room",
                req(72, &[("a", 0)]),
                &[],
                None,
                req(72, &[]),
                5,
                true,
            ),
            (
                "newcomers had no room, now they have",
                req(0, &[]),
                &[],
                None,
                req(64, &[]),
                5,
                true,
            ),
            (
                "newcomers took all they could: there may be more",
                req(4, &[]),
                &[("*", 4)],
                None,
                req(64, &[]),
                5,
                true,
            ),
            (
                "a newcomer listed with room it already had as a newcomer",
                req(72, &[]),
                &[("*", 3)],
                None,
                req(72, &[("b", 30)]),
                5,
                false,
            ),
            (
                "its next due time has come",
                req(72, &[("r", 0)]),
                &[],
                Some(5),
                req(72, &[("r", 0)]),
                5,
                true,
            ),
            (
                "before its next due time",
                req(72, &[("r", 0)]),
                &[],
                Some(6),
                req(72, &[("r", 0)]),
                5,
                false,
            ),
        ];
        for (case, last, took, next_due, request, now, want) in cases {
            let claimed: Vec<ClaimedEvent> = took
                .iter()
                .flat_map(|(f, n)| {
                    let f = if *f == "*" { "newcomer" } else { f };
                    (0..*n).map(move |_| waiting(f).ev)
                })
                .collect();
            let mut memo = LastClaim::default();
            memo.remember(last.clone(), &claimed, next_due.map(Timestamp));
            assert_eq!(memo.worth_trying(request, Timestamp(*now)), *want, "{case}");
            memo.forget();
            assert!(
                memo.worth_trying(request, Timestamp(*now)),
                "{case}: forgotten"
            );
        }
    }

    #[test]
    fn the_lane_that_started_least_recently_goes_first() {
        let mut lanes = lanes_with(&[("a", 2), ("b", 1), ("c", 1)]);
        let order = |lanes: &mut Lanes| {
            lanes.begin_pass();
            (0..lanes.pass_len())
                .map(|k| lanes.in_pass(k).function.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(order(&mut lanes), ["a", "b", "c"]);
        lanes.begin_pass();
        lanes.started(0); // a
        assert_eq!(order(&mut lanes), ["b", "c", "a"]);
        lanes.started(1); // c
        assert_eq!(order(&mut lanes), ["b", "a", "c"]);
        // "b" empties; it goes at the next prune, and the others keep their events.
        lanes.in_pass(0).events.pop_front();
        lanes.prune();
        assert_eq!(order(&mut lanes), ["a", "c"]);
        assert_eq!(lanes.len(&name("b")), 0);
        assert_eq!(lanes.len(&name("a")), 2);
        lanes.push(waiting("b"));
        assert_eq!(lanes.len(&name("b")), 1);
        assert_eq!(lanes.take_all().len(), 4);
        assert_eq!(lanes.functions().count(), 0);
    }
}
