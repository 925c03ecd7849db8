//! Concurrency limits: an account-wide pool shared by functions without a reservation, and
//! per-function reservations carved out of it (reference §11).
//!
//! A [`Permit`] is one in-flight invocation (one busy environment); dropping it frees the
//! slot. Acquiring never waits: the caller decides what a refusal
//! means (429 for sync invokes, a throttle with backoff for async events).

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

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

/// Per-function counters, owned by the function's registry entry.
#[derive(Debug, Default)]
pub(crate) struct FunctionSlots {
    pub in_flight: AtomicU32,
}

#[derive(Debug)]
pub(crate) struct Limiter {
    account: u32,
    /// Sum of all reservations; the unreserved pool is `account - reserved`.
    reserved: AtomicU32,
    unreserved_in_use: AtomicU32,
}

#[derive(Debug)]
pub(crate) struct Permit {
    function: Arc<FunctionSlots>,
    unreserved: Option<Arc<Limiter>>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.function.in_flight.fetch_sub(1, Ordering::AcqRel);
        if let Some(l) = &self.unreserved {
            l.unreserved_in_use.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

/// Increments `counter` if it stays at or below `limit`.
fn try_increment(counter: &AtomicU32, limit: u32) -> bool {
    counter
        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
            (n < limit).then_some(n + 1)
        })
        .is_ok()
}

impl Limiter {
    pub(crate) fn new(account: u32) -> Arc<Self> {
        Arc::new(Limiter {
            account,
            reserved: AtomicU32::new(0),
            unreserved_in_use: AtomicU32::new(0),
        })
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
                        unreserved: None,
                    })
                } else {
                    Err(ThrottleReason::ReservedFunctionConcurrentInvocationLimitExceeded)
                }
            }
            None => {
                if !try_increment(&self.unreserved_in_use, self.unreserved_pool()) {
                    return Err(ThrottleReason::ConcurrentInvocationLimitExceeded);
                }
                function.in_flight.fetch_add(1, Ordering::AcqRel);
                Ok(Permit {
                    function: function.clone(),
                    unreserved: Some(self.clone()),
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
        let limiter = Limiter::new(4);
        limiter.set_reserved_total(1);
        let reserved = Arc::new(FunctionSlots::default());
        let open = Arc::new(FunctionSlots::default());

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
}
