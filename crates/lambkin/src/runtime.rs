//! The tokio runtime the binary runs on, and how many workers `serve` gives it.
//!
//! A synchronous invoke at concurrency 1 is a chain of wake-ups through three processes
//! (client → lambkin → function → lambkin → client), and on a VM most of its time goes to
//! those wake-ups, not to code: each hand-off between threads on different cores costs the
//! waker an inter-processor interrupt (BENCHMARKS.md, "Concurrency 1"). Every extra lambkin
//! worker is another thread a request can bounce through. Measured on 2 vCPUs with functions on
//! one core each (`lambkin_engine::EnvironmentCores`): one worker gave p50 0.181–0.188 ms,
//! two 0.242–0.260 ms, and concurrency 16 and the accept path did not lose (in another run,
//! 9,491 against 7,325 sync invokes/s and 31,009–33,263 against 32,766–33,174 accepts/s).
//! lambkin shares the machine with its functions, so `serve` takes half the cores by default.

use tokio::runtime::{Builder, Runtime};

/// A multi-threaded runtime with `workers` worker threads (tokio's default, one per core,
/// when `None`).
pub fn build(workers: Option<usize>) -> std::io::Result<Runtime> {
    let mut builder = Builder::new_multi_thread();
    builder.enable_all();
    if let Some(n) = workers {
        builder.worker_threads(n.max(1));
    }
    builder.build()
}

/// `serve`'s default: half the cores the process may use (std's `available_parallelism`, which
/// honours affinity and a cgroup CPU quota), at least one.
pub fn default_server_workers() -> usize {
    half_of(std::thread::available_parallelism().map_or(1, |n| n.get()))
}

fn half_of(cores: usize) -> usize {
    (cores / 2).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_takes_half_the_cores() {
        for (cores, workers) in [(1, 1), (2, 1), (3, 1), (4, 2), (16, 8)] {
            assert_eq!(half_of(cores), workers, "{cores} cores");
        }
    }

    #[test]
    fn the_runtime_runs_work_with_the_workers_asked_for() {
        let runtime = build(Some(3)).expect("runtime");
        assert_eq!(runtime.metrics().num_workers(), 3);
        assert_eq!(
            runtime
                .block_on(async { tokio::spawn(async { 7 }).await })
                .ok(),
            Some(7)
        );
    }
}
