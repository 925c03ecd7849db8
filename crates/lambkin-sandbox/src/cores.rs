//! Which CPU cores an environment process may run on (`sched_setaffinity`).
//!
//! AWS gives a function CPU in proportion to its memory: the equivalent of one vCPU at
//! 1,769 MB, six at 10,240 MB. lambkin models that with affinity: an environment may run on
//! `ceil(MemorySize / 1769)` cores (at least one). New environments go round-robin to the
//! least loaded cores, so they spread over the machine and stay off a core something keeps
//! busy (a pinned process could not move away from it). Besides isolation (a small function
//! cannot take every core from its neighbours), it keeps a runtime's own threads on one core
//! at small sizes, where their hand-offs are cheap: measured on a 2-vCPU VM, warm invoke p50
//! 0.18–0.19 ms with environments on one core against 0.24–0.29 ms on both (BENCHMARKS.md).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

/// A set of core ids, in ascending order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreSet(Vec<usize>);

impl CoreSet {
    /// The cores the process may run on, as its main thread's affinity says (it honours
    /// `taskset` and cgroup cpusets).
    #[allow(unsafe_code)]
    pub fn of_process() -> CoreSet {
        let Ok(tid) = libc::pid_t::try_from(std::process::id()) else {
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
    pub(crate) fn take(&self, start: usize, n: usize) -> CoreSet {
        if self.0.is_empty() {
            return self.clone();
        }
        let len = self.0.len();
        let n = n.clamp(1, len);
        let start = start % len;
        let mut cores: Vec<usize> = (0..n).map(|i| self.0[(start + i) % len]).collect();
        cores.sort_unstable();
        CoreSet(cores)
    }

    /// The set as the kernel takes it; `None` when no core of it fits in a `cpu_set_t`.
    pub(crate) fn to_cpu_set(&self) -> Option<libc::cpu_set_t> {
        let fits: Vec<usize> = self
            .0
            .iter()
            .copied()
            .filter(|&core| core < libc::CPU_SETSIZE as usize)
            .collect();
        if fits.is_empty() {
            return None;
        }
        // SAFETY: as above; `CPU_SET` writes within the set for ids below CPU_SETSIZE.
        #[allow(unsafe_code)]
        unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            for core in fits {
                libc::CPU_SET(core, &mut set);
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
    /// No restriction: the process inherits lambkin's cores and the kernel places it.
    All,
}

/// AWS: "at 1,769 MB, a function has the equivalent of one vCPU".
const MB_PER_CORE: u32 = 1769;

/// How many cores an environment of `memory_mb` gets (before capping at what the machine has).
pub(crate) fn cores_for_memory(memory_mb: u32) -> usize {
    memory_mb.div_ceil(MB_PER_CORE).max(1) as usize
}

/// Async-signal-safe (one system call on a stack value): usable between fork and exec. A
/// refusal (the cpuset shrank since it was read) leaves the process on lambkin's cores.
#[allow(unsafe_code)]
pub(crate) fn apply(set: &libc::cpu_set_t) {
    // SAFETY: pid 0 is the calling thread; the kernel only reads the set.
    unsafe {
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), set);
    }
}

/// A new environment goes to a core whose load is within this of the least loaded one: a
/// process pinned to a core that something else keeps busy could not move away from it.
const MARGIN: f32 = 0.25;
/// How often core loads are read from `/proc/stat` (about 20 µs a reading).
const LOAD_SAMPLE: Duration = Duration::from_millis(250);
/// Weight of each new sample in the moving average: about the last two seconds count, so a
/// short burst (a deploy unpacking a zip) does not look like a core kept busy.
const SMOOTHING: f32 = 0.12;

/// Each core's busy fraction, a moving average over the last seconds, indexed by core id
/// (empty before the first sample).
#[derive(Debug, Default)]
pub(crate) struct CoreLoads(Mutex<Vec<f32>>);

impl CoreLoads {
    fn get(&self) -> Vec<f32> {
        self.0.lock().map(|l| l.clone()).unwrap_or_default()
    }

    #[cfg(test)]
    fn set(&self, loads: Vec<f32>) {
        if let Ok(mut l) = self.0.lock() {
            *l = loads;
        }
    }

    /// Folds one sample into the averages.
    fn add_sample(&self, sample: &[f32]) {
        if let Ok(mut l) = self.0.lock() {
            *l = smoothed(&l, sample);
        }
    }
}

/// The moving averages after `sample` (a core seen for the first time starts at its sample).
fn smoothed(average: &[f32], sample: &[f32]) -> Vec<f32> {
    sample
        .iter()
        .enumerate()
        .map(|(i, &s)| average.get(i).map_or(s, |&a| a + SMOOTHING * (s - a)))
        .collect()
}

/// Cumulative (busy, total) jiffies of each core, indexed by core id, from `/proc/stat` text.
fn parse_proc_stat(text: &str) -> Vec<(u64, u64)> {
    let mut cores = Vec::new();
    for line in text.lines() {
        let mut fields = line.split_ascii_whitespace();
        let Some(id) = fields
            .next()
            .and_then(|name| name.strip_prefix("cpu"))
            .and_then(|id| id.parse::<usize>().ok())
        else {
            continue;
        };
        // user nice system idle iowait irq softirq steal ...: idle and iowait are not busy.
        let values: Vec<u64> = fields.filter_map(|v| v.parse().ok()).collect();
        let total: u64 = values.iter().take(8).sum();
        let idle = values.get(3).copied().unwrap_or(0) + values.get(4).copied().unwrap_or(0);
        if cores.len() <= id {
            cores.resize(id + 1, (0, 0));
        }
        cores[id] = (total.saturating_sub(idle), total);
    }
    cores
}

/// Busy fraction of each core between two readings.
fn busy_fractions(before: &[(u64, u64)], after: &[(u64, u64)]) -> Vec<f32> {
    after
        .iter()
        .enumerate()
        .map(|(id, &(busy, total))| {
            let (b0, t0) = before.get(id).copied().unwrap_or((busy, total));
            let dt = total.saturating_sub(t0);
            if dt == 0 {
                0.0
            } else {
                busy.saturating_sub(b0) as f32 / dt as f32
            }
        })
        .collect()
}

/// Samples core loads until the planner that owns `loads` is gone.
async fn sample_loads(loads: Weak<CoreLoads>) {
    // Off the async workers: on a many-core host `/proc/stat` is long.
    let read = || async {
        tokio::task::spawn_blocking(|| {
            std::fs::read_to_string("/proc/stat").map(|t| parse_proc_stat(&t))
        })
        .await
        .ok()
        .and_then(Result::ok)
    };
    let Some(mut before) = read().await else {
        return;
    };
    let mut tick = tokio::time::interval(LOAD_SAMPLE);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tick.tick().await;
        let Some(loads) = loads.upgrade() else { return };
        let Some(after) = read().await else { return };
        loads.add_sample(&busy_fractions(&before, &after));
        before = after;
    }
}

/// Chooses each new environment's cores under a policy: round-robin among the least loaded
/// cores, so environments spread over the machine and stay off cores something keeps busy.
#[derive(Debug)]
pub(crate) struct CorePlanner {
    policy: EnvironmentCores,
    available: CoreSet,
    next: AtomicUsize,
    loads: Arc<CoreLoads>,
}

impl CorePlanner {
    /// Starts sampling core loads when called within a tokio runtime.
    pub(crate) fn new(policy: EnvironmentCores, available: CoreSet) -> Self {
        let loads = Arc::new(CoreLoads::default());
        if policy == EnvironmentCores::ByMemory
            && available.len() > 1
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn(sample_loads(Arc::downgrade(&loads)));
        }
        CorePlanner {
            policy,
            available,
            next: AtomicUsize::new(0),
            loads,
        }
    }

    /// The cores for a new environment of `memory_mb`; `None` leaves the process unrestricted
    /// (nothing known about the machine).
    pub(crate) fn plan(&self, memory_mb: u32) -> Option<CoreSet> {
        if self.available.is_empty() {
            return None;
        }
        match self.policy {
            EnvironmentCores::All => None,
            EnvironmentCores::ByMemory => {
                let n = cores_for_memory(memory_mb).min(self.available.len());
                let start = self.next.fetch_add(n, Ordering::Relaxed);
                Some(quiet_cores(&self.available, &self.loads.get(), n).take(start, n))
            }
        }
    }
}

/// The cores of `available` loaded less than [`MARGIN`] above the least loaded one, or the `n`
/// least loaded when fewer than `n` are. Without readings every core counts as idle; once
/// there are readings, a core without one (gone offline) counts as busy.
fn quiet_cores(available: &CoreSet, loads: &[f32], n: usize) -> CoreSet {
    let unknown = if loads.is_empty() { 0.0 } else { 1.0 };
    let load = |core: usize| loads.get(core).copied().unwrap_or(unknown);
    let least = available
        .cores()
        .iter()
        .map(|&core| load(core))
        .fold(f32::INFINITY, f32::min);
    let quiet: Vec<usize> = available
        .cores()
        .iter()
        .copied()
        .filter(|&core| load(core) < least + MARGIN)
        .collect();
    if quiet.len() >= n.max(1) {
        return CoreSet(quiet);
    }
    let mut by_load = available.cores().to_vec();
    by_load.sort_by(|a, b| load(*a).total_cmp(&load(*b)));
    by_load.truncate(n.max(1));
    by_load.sort_unstable();
    CoreSet(by_load)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_stat_gives_busy_and_total_jiffies_per_core() {
        let text = "cpu  30 0 10 100 5 0 0 0 0 0\n\
                    cpu0 20 0 5 40 5 0 0 0 0 0\n\
                    cpu1 10 0 5 60 0 1 1 2 0 0\n\
                    intr 12345\n\
                    ctxt 999\n";
        assert_eq!(parse_proc_stat(text), vec![(25, 70), (19, 79)]);
        let later = vec![(25 + 30, 70 + 40), (19 + 1, 79 + 40)];
        assert_eq!(
            busy_fractions(&parse_proc_stat(text), &later),
            vec![0.75, 0.025]
        );
        assert_eq!(
            busy_fractions(&later, &later),
            vec![0.0, 0.0],
            "no time passed"
        );
    }

    #[test]
    fn loads_are_averaged_over_the_last_seconds() {
        let first = smoothed(&[], &[1.0, 0.0]);
        assert_eq!(first, vec![1.0, 0.0], "a first reading is taken as it is");
        // One busy sample moves an idle core by SMOOTHING only: a burst is not a busy core.
        let burst = smoothed(&first, &[1.0, 1.0]);
        assert_eq!(burst, vec![1.0, SMOOTHING]);
        // Kept busy, it converges.
        let mut kept = burst;
        for _ in 0..40 {
            kept = smoothed(&kept, &[1.0, 1.0]);
        }
        assert!(kept[1] > 0.99, "{kept:?}");
    }

    #[test]
    fn new_environments_avoid_busy_cores_unless_all_are() {
        let four = CoreSet(vec![0, 1, 2, 3]);
        // (loads by core id, cores wanted, the cores to choose from)
        for (loads, n, quiet) in [
            (vec![], 1, vec![0, 1, 2, 3]),
            (vec![0.1, 0.2, 0.3, 0.34], 1, vec![0, 1, 2, 3]),
            (vec![0.1, 0.2, 0.3, 0.4], 1, vec![0, 1, 2]),
            (vec![1.0, 0.2, 0.9, 0.4], 1, vec![1, 3]),
            (vec![1.0, 0.2, 0.9, 0.4], 2, vec![1, 3]),
            (vec![1.0, 0.2, 0.9, 0.4], 3, vec![1, 2, 3]),
            (vec![1.0, 1.0, 1.0, 1.0], 1, vec![0, 1, 2, 3]),
            (vec![0.0, 0.9, 0.1], 1, vec![0, 2]),
        ] {
            assert_eq!(
                quiet_cores(&four, &loads, n),
                CoreSet(quiet),
                "{loads:?}, {n}"
            );
        }
    }

    #[test]
    fn a_busy_core_gets_no_new_environment() {
        let planner = CorePlanner::new(EnvironmentCores::ByMemory, CoreSet(vec![0, 1]));
        planner.loads.set(vec![0.95, 0.1]);
        for _ in 0..3 {
            assert_eq!(planner.plan(128), Some(CoreSet(vec![1])));
        }
        planner.loads.set(vec![0.95, 0.95]);
        let spread: Vec<_> = (0..2).map(|_| planner.plan(128)).collect();
        assert_eq!(spread, vec![Some(CoreSet(vec![1])), Some(CoreSet(vec![0]))]);
    }

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
        assert_eq!(set.take(usize::MAX, 2), CoreSet(vec![0, 2]), "no overflow");
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
    fn all_and_an_unknown_machine_give_no_restriction() {
        let all = CorePlanner::new(EnvironmentCores::All, CoreSet(vec![0, 1]));
        assert_eq!(all.plan(128), None);
        let unknown = CorePlanner::new(EnvironmentCores::ByMemory, CoreSet(Vec::new()));
        assert_eq!(unknown.plan(128), None);
    }

    #[test]
    fn this_process_may_run_somewhere() {
        assert!(!CoreSet::of_process().is_empty());
    }

    #[tokio::test]
    async fn the_sampler_reads_every_core() {
        let cores = CoreSet::of_process();
        if cores.len() < 2 {
            return; // nothing to place, so nothing is sampled
        }
        let planner = CorePlanner::new(EnvironmentCores::ByMemory, cores.clone());
        let highest = cores.cores().iter().copied().max().unwrap_or(0);
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let loads = planner.loads.get();
            if loads.len() > highest {
                assert!(loads.iter().all(|l| (0.0..=1.0).contains(l)), "{loads:?}");
                break;
            }
            assert!(std::time::Instant::now() < deadline, "no sample: {loads:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
