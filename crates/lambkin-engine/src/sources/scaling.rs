//! How many batches a mapping runs at once: the pure rule its poller applies after each batch.
//!
//! A poller starts with one worker (a loop that gathers a batch, invokes, settles). A full
//! batch means more is waiting, so another worker starts, up to the ceiling; a worker whose
//! wait for a first message ran out (the queue stayed empty) stops, down to one. Idle workers
//! are parked on the queue's long-poll signals, so none of this polls. The ceiling is
//! `ScalingConfig.MaximumConcurrency`, else [`DEFAULT_MAXIMUM_CONCURRENCY`], and never above
//! the function's reserved concurrency (AWS's pollers likewise stop adding concurrency at the
//! function's limit rather than feed it throttles).

/// The ceiling when a mapping sets no `MaximumConcurrency`. AWS scales an SQS mapping up to
/// 1,250 concurrent invokes; a single-machine server runs far fewer at once, and ten batches
/// of up to 10,000 messages keep a core busy. Documented in docs/api-compat.md.
pub(crate) const DEFAULT_MAXIMUM_CONCURRENCY: u32 = 10;

/// How the last batch went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fill {
    /// The batch filled to its size: more may be waiting.
    Full,
    /// Some messages, fewer than the batch size.
    Partial,
    /// Nothing arrived before the wait ran out.
    Empty,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scale {
    /// Start one more worker.
    Grow,
    Keep,
    /// This worker stops.
    Shrink,
}

/// The ceiling for a mapping: its `MaximumConcurrency` (or the default), within the
/// function's reserved concurrency; at least one worker, which a reservation of 0 throttles.
pub(crate) fn ceiling(maximum_concurrency: Option<u32>, reserved: Option<u32>) -> u32 {
    let wanted = maximum_concurrency.unwrap_or(DEFAULT_MAXIMUM_CONCURRENCY);
    reserved.map_or(wanted, |r| wanted.min(r)).max(1)
}

/// What a worker does after a batch, with `workers` running (itself included).
pub(crate) fn after_batch(workers: u32, ceiling: u32, fill: Fill) -> Scale {
    match fill {
        _ if workers > ceiling => Scale::Shrink,
        Fill::Full if workers < ceiling => Scale::Grow,
        Fill::Empty if workers > 1 => Scale::Shrink,
        _ => Scale::Keep,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceilings() {
        // (MaximumConcurrency, reserved, ceiling)
        let cases = [
            (None, None, DEFAULT_MAXIMUM_CONCURRENCY),
            (Some(2), None, 2),
            (Some(1000), None, 1000),
            (Some(50), Some(3), 3),
            (None, Some(4), 4),
            (None, Some(0), 1),
            (Some(5), Some(100), 5),
        ];
        for (max, reserved, want) in cases {
            assert_eq!(ceiling(max, reserved), want, "{max:?} {reserved:?}");
        }
    }

    #[test]
    fn scaling_after_a_batch() {
        use Fill::*;
        use Scale::*;
        // (workers, ceiling, fill, decision)
        let cases = [
            (1, 10, Full, Grow),
            (9, 10, Full, Grow),
            (10, 10, Full, Keep),
            (1, 1, Full, Keep),
            (3, 10, Partial, Keep),
            (1, 10, Empty, Keep),
            (2, 10, Empty, Shrink),
            // The ceiling came down (a smaller reservation or MaximumConcurrency).
            (5, 3, Full, Shrink),
            (5, 3, Partial, Shrink),
            (4, 3, Empty, Shrink),
        ];
        for (workers, ceiling, fill, want) in cases {
            assert_eq!(
                after_batch(workers, ceiling, fill),
                want,
                "{workers} {ceiling} {fill:?}"
            );
        }
    }
}
