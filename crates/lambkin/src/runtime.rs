//! The tokio runtime the binary runs on, and why `serve` pins its workers to cores.
//!
//! A synchronous invoke at concurrency 1 is a chain of wake-ups through three processes
//! (client → lambkin → function → lambkin → client). Measured on a 2-vCPU VM (BENCHMARKS.md),
//! the time goes to those wake-ups far more than to code: when the kernel is free to move
//! lambkin's workers, each hop tends to wake a worker on the other, idle core, and the warm
//! round trip p50 was 0.26 ms; with each worker kept on its own core (and each small
//! function on one core, see `lambkin_sandbox::EnvironmentCores`) it is ~0.21 ms, and
//! throughput at concurrency 16 does not drop (work stealing still spreads load over all
//! workers). Only the workers are pinned: the store writer, the log writer and the blocking
//! pool stay wherever the kernel puts them, and function processes get their own cores.

use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use lambkin_sandbox::CoreSet;
use tokio::runtime::{Builder, Runtime};

/// A multi-threaded runtime; with `pin_workers`, one worker per allowed core, each pinned to
/// its own core (when more than one core is allowed).
pub fn build(pin_workers: bool) -> std::io::Result<Runtime> {
    let mut builder = Builder::new_multi_thread();
    builder.enable_all();
    if pin_workers {
        // As many workers as tokio would start (which also honours a cgroup CPU quota), each
        // on one of the cores the process may use.
        let cpus = CoreSet::of_process();
        let workers = std::thread::available_parallelism()
            .map_or(cpus.len(), |n| n.get())
            .min(cpus.len());
        if workers > 1 {
            builder.worker_threads(workers);
            let cpus: Arc<[usize]> = cpus.cores()[..workers].into();
            let next = Arc::new(AtomicUsize::new(0));
            // Park hooks run on worker threads only (not the blocking pool), and every worker
            // parks as soon as it first runs out of work, so this pins each worker once.
            builder.on_thread_park(move || pin_once(&cpus, &next));
        }
    }
    builder.build()
}

thread_local! {
    static PINNED: Cell<bool> = const { Cell::new(false) };
}

fn pin_once(cpus: &[usize], next: &AtomicUsize) {
    if PINNED.with(Cell::get) {
        return;
    }
    PINNED.with(|p| p.set(true));
    if let Some(&cpu) = cpus.get(next.fetch_add(1, Ordering::Relaxed)) {
        CoreSet::single(cpu).pin_this_thread();
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    /// The cores of each thread of this process that may run on exactly one core.
    fn single_core_threads() -> Vec<usize> {
        let mut cores = Vec::new();
        for task in std::fs::read_dir("/proc/self/task").expect("/proc") {
            let status = std::fs::read_to_string(task.expect("task").path().join("status"));
            let Ok(status) = status else { continue };
            let list = status
                .lines()
                .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
                .map(str::trim)
                .unwrap_or_default();
            if let Ok(core) = list.parse::<usize>() {
                cores.push(core);
            }
        }
        cores.sort_unstable();
        cores
    }

    #[test]
    fn each_worker_is_pinned_to_its_own_allowed_core() {
        let mut cpus = CoreSet::of_process().cores().to_vec();
        assert!(!cpus.is_empty(), "this process may run somewhere");
        let quota = std::thread::available_parallelism().map_or(cpus.len(), |n| n.get());
        cpus.truncate(quota);
        let before = single_core_threads();
        let runtime = build(true).expect("runtime");
        // Workers pin themselves when they first park, which idle workers do at once.
        let deadline = Instant::now() + Duration::from_secs(10);
        let expected = if cpus.len() > 1 {
            cpus.clone()
        } else {
            Vec::new()
        };
        let mut pinned = Vec::new();
        while Instant::now() < deadline {
            pinned = single_core_threads();
            for core in &before {
                if let Some(i) = pinned.iter().position(|c| c == core) {
                    pinned.remove(i);
                }
            }
            if pinned == expected {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(
            pinned, expected,
            "one worker per allowed core, each on its own"
        );
        // And the runtime still runs work.
        assert_eq!(
            runtime
                .block_on(async { tokio::spawn(async { 7 }).await })
                .ok(),
            Some(7)
        );
    }
}
