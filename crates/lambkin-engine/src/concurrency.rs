//! Concurrency limits: an account-wide pool shared by functions without a reservation, and
//! per-function reservations carved out of it (reference §11).
//!
//! A [`Permit`] is one in-flight invocation (one busy environment); dropping it frees the
//! slot. Acquiring never waits: the caller decides what a refusal means (429 for sync
//! invokes; for async events, the dispatcher holds the event until a slot frees). The
//! dispatcher asks with [`Limiter::acquire_or_wait`], which on refusal arranges for the next
//! slot that function could use to wake it, so a waiting backlog costs nothing until then.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use tokio::sync::Notify;

use crate::metrics::FunctionMetrics;

/// `TooManyRequestsException.Reason` values lambkin produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThrottleReason {
    /// The unreserved account pool is exhausted.
    ConcurrentInvocationLimitExceeded,
    /// The function's reserved concurrency is in use (or is 0).
    ReservedFunctionConcurrentInvocationLimitExceeded,
}

impl ThrottleReason {
    pub fn as_str(self) -> &'static str {
        match self {
            ThrottleReason::ConcurrentInvocationLimitExceeded => {
                "ConcurrentInvocationLimitExceeded"
            }
            ThrottleReason::ReservedFunctionConcurrentInvocationLimitExceeded => {
                "ReservedFunctionConcurrentInvocationLimitExceeded"
            }
        }
    }
}

/// Per-function counters, owned by the function's registry entry and shared by its
/// snapshots.
#[derive(Debug)]
pub(crate) struct FunctionSlots {
    pub in_flight: AtomicU32,
    /// Set by the dispatcher when it holds an event of this function for a slot; the next
    /// release of one of its reserved slots takes it and wakes the dispatcher.
    waiting: AtomicBool,
    /// Its metrics; `metrics.throttles` is AWS's `Throttles`: sync invokes refused with 429,
    /// and async events that were due while every slot was busy (once each).
    pub metrics: FunctionMetrics,
}

impl FunctionSlots {
    pub(crate) fn new(metrics: FunctionMetrics) -> Arc<Self> {
        Arc::new(FunctionSlots {
            in_flight: AtomicU32::new(0),
            waiting: AtomicBool::new(false),
            metrics,
        })
    }
}

// The waiting flags and the slot counters are a Dekker pair (the dispatcher sets a flag, then
// looks at a counter; a release changes the counter, then looks at the flag), so all of those
// accesses are SeqCst: one side or the other always sees the other's write, and a free slot
// is never missed.
const ORDER: Ordering = Ordering::SeqCst;

#[derive(Debug)]
pub(crate) struct Limiter {
    account: u32,
    /// Sum of all reservations; the unreserved pool is `account - reserved`.
    reserved: AtomicU32,
    unreserved_in_use: AtomicU32,
    /// `FunctionSlots::waiting` for the unreserved pool.
    pool_waiting: AtomicBool,
    /// The dispatcher's wake-up.
    wake: Arc<Notify>,
}

#[derive(Debug)]
pub(crate) struct Permit {
    function: Arc<FunctionSlots>,
    limiter: Arc<Limiter>,
    unreserved: bool,
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.function.in_flight.fetch_sub(1, ORDER);
        // The function's own flag too for a pool permit: its reservation may have been set
        // since, and then its waiter counts `in_flight` against it.
        let mut waited = self.function.waiting.swap(false, ORDER);
        if self.unreserved {
            self.limiter.unreserved_in_use.fetch_sub(1, ORDER);
            waited |= self.limiter.pool_waiting.swap(false, ORDER);
        }
        if waited {
            self.limiter.wake.notify_one();
        }
    }
}

/// Increments `counter` if it stays at or below `limit`.
fn try_increment(counter: &AtomicU32, limit: u32) -> bool {
    counter
        .fetch_update(ORDER, ORDER, |n| (n < limit).then_some(n + 1))
        .is_ok()
}

impl Limiter {
    /// `wake` is notified when a slot frees that a waiting event could take.
    pub(crate) fn new(account: u32, wake: Arc<Notify>) -> Arc<Self> {
        Arc::new(Limiter {
            account,
            reserved: AtomicU32::new(0),
            unreserved_in_use: AtomicU32::new(0),
            pool_waiting: AtomicBool::new(false),
            wake,
        })
    }

    /// Slots of the unreserved pool in use.
    pub(crate) fn unreserved_in_use(&self) -> u32 {
        self.unreserved_in_use.load(ORDER)
    }

    /// [`Limiter::acquire`]; on refusal, the next release of a slot this function could use
    /// wakes the dispatcher (once).
    pub(crate) fn acquire_or_wait(
        self: &Arc<Self>,
        function: &Arc<FunctionSlots>,
        reservation: Option<u32>,
    ) -> Result<Permit, ThrottleReason> {
        if let Ok(permit) = self.acquire(function, reservation) {
            return Ok(permit);
        }
        match reservation {
            Some(_) => function.waiting.store(true, ORDER),
            None => self.pool_waiting.store(true, ORDER),
        }
        // A release between the refusal and the flag did not see the flag: look again.
        self.acquire(function, reservation)
    }

    pub(crate) fn account(&self) -> u32 {
        self.account
    }

    pub(crate) fn set_reserved_total(&self, total: u32) {
        self.reserved.store(total, Ordering::Release);
    }

    pub(crate) fn unreserved_pool(&self) -> u32 {
        self.account
            .saturating_sub(self.reserved.load(Ordering::Acquire))
    }

    pub(crate) fn acquire(
        self: &Arc<Self>,
        function: &Arc<FunctionSlots>,
        reservation: Option<u32>,
    ) -> Result<Permit, ThrottleReason> {
        match reservation {
            Some(limit) => {
                if try_increment(&function.in_flight, limit) {
                    Ok(Permit {
                        function: function.clone(),
                        limiter: self.clone(),
                        unreserved: false,
                    })
                } else {
                    Err(ThrottleReason::ReservedFunctionConcurrentInvocationLimitExceeded)
                }
            }
            None => {
                if !try_increment(&self.unreserved_in_use, self.unreserved_pool()) {
                    return Err(ThrottleReason::ConcurrentInvocationLimitExceeded);
                }
                function.in_flight.fetch_add(1, ORDER);
                Ok(Permit {
                    function: function.clone(),
                    limiter: self.clone(),
                    unreserved: true,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_and_unreserved_pools() {
        let limiter = Limiter::new(4, Arc::new(Notify::new()));
        limiter.set_reserved_total(1);
        let metrics = crate::Metrics::new();
        let slots = |n: &str| {
            FunctionSlots::new(
                metrics.function(&lambkin_model::FunctionName::parse(n).expect("name")),
            )
        };
        let reserved = slots("reserved");
        let open = slots("open");

        let r1 = limiter.acquire(&reserved, Some(1)).expect("reserved slot");
        assert_eq!(
            limiter.acquire(&reserved, Some(1)).map(|_| ()),
            Err(ThrottleReason::ReservedFunctionConcurrentInvocationLimitExceeded)
        );
        let held: Vec<_> = (0..3)
            .map(|_| limiter.acquire(&open, None).expect("unreserved slot"))
            .collect();
        assert_eq!(
            limiter.acquire(&open, None).map(|_| ()),
            Err(ThrottleReason::ConcurrentInvocationLimitExceeded),
            "the reservation is carved out of the account pool"
        );
        assert_eq!(open.in_flight.load(Ordering::Acquire), 3);
        drop(held);
        drop(r1);
        assert_eq!(open.in_flight.load(Ordering::Acquire), 0);
        assert!(limiter.acquire(&open, None).is_ok());
        assert_eq!(
            limiter.acquire(&reserved, Some(0)).map(|_| ()),
            Err(ThrottleReason::ReservedFunctionConcurrentInvocationLimitExceeded)
        );
    }

    /// A refused waiter is woken by the next release of a slot it could use, and only then.
    #[tokio::test]
    async fn a_release_wakes_the_waiting_dispatcher() {
        use std::time::Duration;
        let wake = Arc::new(Notify::new());
        let limiter = Limiter::new(4, wake.clone());
        limiter.set_reserved_total(1);
        let metrics = crate::Metrics::new();
        let slots = |n: &str| {
            FunctionSlots::new(
                metrics.function(&lambkin_model::FunctionName::parse(n).expect("name")),
            )
        };
        let narrow = slots("narrow");
        let open = slots("open");
        let woken = || async {
            tokio::time::timeout(Duration::from_millis(50), wake.notified())
                .await
                .is_ok()
        };

        let held = limiter
            .acquire_or_wait(&narrow, Some(1))
            .expect("free slot");
        assert!(limiter.acquire_or_wait(&narrow, Some(1)).is_err());
        // Another function's release does not wake a reserved waiter.
        drop(limiter.acquire(&open, None).expect("pool slot"));
        assert!(
            !woken().await,
            "no wake-up for a slot the waiter cannot use"
        );
        drop(held);
        assert!(
            woken().await,
            "the freed reserved slot wakes the dispatcher"
        );
        let again = limiter.acquire(&narrow, Some(1)).expect("slot is free");
        drop(again);
        assert!(
            !woken().await,
            "the flag is taken by the first release only"
        );

        let pool: Vec<_> = (0..3)
            .map(|_| limiter.acquire(&open, None).expect("pool slot"))
            .collect();
        assert_eq!(
            limiter.acquire_or_wait(&open, None).map(|_| ()),
            Err(ThrottleReason::ConcurrentInvocationLimitExceeded)
        );
        drop(pool);
        assert!(woken().await, "a freed pool slot wakes a pool waiter");
    }
}
