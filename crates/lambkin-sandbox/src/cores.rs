//! Which CPU cores a thread or an environment process may run on (`sched_setaffinity`).
//!
//! AWS gives a function CPU in proportion to its memory: the equivalent of one vCPU at
//! 1,769 MB, six at 10,240 MB. lambkin models that with affinity: an environment may run on
//! `ceil(MemorySize / 1769)` cores (at least one), and successive environments start on
//! successive cores so they spread over the machine. Besides isolation (a busy function
//! cannot take every core from lambkin and its neighbours), it keeps a runtime's own threads
//! on one core at small sizes, where their hand-offs are cheap: measured on a 2-vCPU VM, warm
//! invoke p50 0.21 ms with environments on one core against 0.27 ms on both (BENCHMARKS.md).

use std::sync::atomic::{AtomicUsize, Ordering};

/// A set of core ids, in ascending order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreSet(Vec<usize>);

impl CoreSet {
    /// The cores the process may run on: those of its main thread, which lambkin never pins
    /// (it honours `taskset` and cgroup cpusets).
    pub fn of_process() -> CoreSet {
        CoreSet::of_thread(std::process::id())
    }

    /// The cores the calling thread may run on.
    pub fn of_this_thread() -> CoreSet {
        CoreSet::of_thread(0)
    }

    #[allow(unsafe_code)]
    fn of_thread(tid: u32) -> CoreSet {
        let Ok(tid) = libc::pid_t::try_from(tid) else {
            return CoreSet(Vec::new());
        };
        // SAFETY: `cpu_set_t` is plain data the kernel fills; `CPU_ISSET` reads within it.
        unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            if libc::sched_getaffinity(tid, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
                return CoreSet(Vec::new());
            }
            CoreSet(
                (0..libc::CPU_SETSIZE as usize)
                    .filter(|&core| libc::CPU_ISSET(core, &set))
                    .collect(),
            )
        }
    }

    pub fn single(core: usize) -> CoreSet {
        CoreSet(vec![core])
    }

    pub fn cores(&self) -> &[usize] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `n` consecutive cores of this set starting at the `start`-th, wrapping around.
    pub fn take(&self, start: usize, n: usize) -> CoreSet {
        if self.0.is_empty() {
            return self.clone();
        }
        let n = n.clamp(1, self.0.len());
        let mut cores: Vec<usize> = (0..n).map(|i| self.0[(start + i) % self.0.len()]).collect();
        cores.sort_unstable();
        CoreSet(cores)
    }

    /// Keeps the calling thread on these cores. A failure leaves it where it was: that is only
    /// slower, never wrong.
    pub fn pin_this_thread(&self) {
        if let Some(set) = self.to_cpu_set() {
            apply(&set);
        }
    }

    pub(crate) fn to_cpu_set(&self) -> Option<libc::cpu_set_t> {
        if self.0.is_empty() {
            return None;
        }
        // SAFETY: as above; `CPU_SET` writes within the set for ids below CPU_SETSIZE.
        #[allow(unsafe_code)]
        unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            for &core in &self.0 {
                if core < libc::CPU_SETSIZE as usize {
                    libc::CPU_SET(core, &mut set);
                }
            }
            Some(set)
        }
    }
}

/// Which cores an environment process may use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EnvironmentCores {
    /// One core per 1,769 MB of `MemorySize` (at least one), as AWS sizes CPU by memory.
    #[default]
    ByMemory,
    /// Every core lambkin may use; the kernel places the process.
    All,
}

/// AWS: "at 1,769 MB, a function has the equivalent of one vCPU".
const MB_PER_CORE: u32 = 1769;

/// How many cores an environment of `memory_mb` gets (before capping at what the machine has).
pub(crate) fn cores_for_memory(memory_mb: u32) -> usize {
    memory_mb.div_ceil(MB_PER_CORE).max(1) as usize
}

/// Async-signal-safe (one system call on a stack value): usable between fork and exec.
#[allow(unsafe_code)]
pub(crate) fn apply(set: &libc::cpu_set_t) {
    // SAFETY: pid 0 is the calling thread; the kernel only reads the set.
    unsafe {
        let _ = libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), set);
    }
}

/// Chooses each new environment's cores under a policy, spreading environments round-robin.
#[derive(Debug)]
pub(crate) struct CorePlanner {
    policy: EnvironmentCores,
    available: CoreSet,
    next: AtomicUsize,
}

impl CorePlanner {
    pub(crate) fn new(policy: EnvironmentCores, available: CoreSet) -> Self {
        CorePlanner {
            policy,
            available,
            next: AtomicUsize::new(0),
        }
    }

    /// The cores for a new environment of `memory_mb`; `None` leaves the process unrestricted
    /// (nothing known about the machine).
    pub(crate) fn plan(&self, memory_mb: u32) -> Option<CoreSet> {
        if self.available.is_empty() {
            return None;
        }
        match self.policy {
            EnvironmentCores::All => Some(self.available.clone()),
            EnvironmentCores::ByMemory => {
                let n = cores_for_memory(memory_mb).min(self.available.len());
                let start = self.next.fetch_add(n, Ordering::Relaxed);
                Some(self.available.take(start, n))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cores_follow_memory_like_aws() {
        for (memory_mb, cores) in [
            (128, 1),
            (1024, 1),
            (1769, 1),
            (1770, 2),
            (3008, 2),
            (3538, 2),
            (3539, 3),
            (10240, 6),
        ] {
            assert_eq!(cores_for_memory(memory_mb), cores, "{memory_mb} MB");
        }
    }

    #[test]
    fn take_wraps_around_and_caps_at_the_set() {
        let set = CoreSet(vec![0, 2, 5]);
        assert_eq!(set.take(0, 1), CoreSet(vec![0]));
        assert_eq!(set.take(4, 1), CoreSet(vec![2]));
        assert_eq!(set.take(2, 2), CoreSet(vec![0, 5]));
        assert_eq!(set.take(1, 9), CoreSet(vec![0, 2, 5]));
        assert_eq!(set.take(7, 0), CoreSet(vec![2]), "at least one core");
    }

    #[test]
    fn by_memory_spreads_environments_over_the_cores() {
        let planner = CorePlanner::new(EnvironmentCores::ByMemory, CoreSet(vec![0, 1, 2, 3]));
        let plans: Vec<_> = [128, 128, 3008, 128, 10240]
            .into_iter()
            .map(|mb| planner.plan(mb).expect("cores"))
            .collect();
        assert_eq!(
            plans,
            vec![
                CoreSet(vec![0]),
                CoreSet(vec![1]),
                CoreSet(vec![2, 3]),
                CoreSet(vec![0]),
                CoreSet(vec![0, 1, 2, 3]),
            ]
        );
    }

    #[test]
    fn all_gives_every_core_and_an_unknown_machine_gives_no_restriction() {
        let all = CorePlanner::new(EnvironmentCores::All, CoreSet(vec![0, 1]));
        assert_eq!(all.plan(128), Some(CoreSet(vec![0, 1])));
        let unknown = CorePlanner::new(EnvironmentCores::ByMemory, CoreSet(Vec::new()));
        assert_eq!(unknown.plan(128), None);
    }

    #[test]
    fn this_thread_may_run_somewhere() {
        assert!(!CoreSet::of_process().is_empty());
        assert!(!CoreSet::of_this_thread().is_empty());
    }
}
