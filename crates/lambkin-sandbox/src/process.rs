//! Starting and stopping a runtime process, and reading what the kernel knows about it.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;

use lambkin_model::{RuntimeFamily, Timestamp};
use tokio::process::{Child, Command};

use crate::shims::{NODE_PATH, PYTHON_PATH};
use crate::{CoreSet, EnvironmentSpec, SandboxConfig, SpawnError};

/// Host variables passed through so runtimes installed by version managers still start.
const PASSTHROUGH: &[&str] = &[
    "PATH",
    "HOME",
    "PYENV_ROOT",
    "PYENV_VERSION",
    "LD_LIBRARY_PATH",
];

pub(crate) fn spawn(
    spec: &EnvironmentSpec,
    config: &SandboxConfig,
    runtime_api: &str,
    now: Timestamp,
    cores: Option<&CoreSet>,
) -> Result<Child, SpawnError> {
    let (program, args): (String, Vec<String>) = match spec.runtime.family() {
        RuntimeFamily::Provided => {
            let bootstrap = spec.code_dir.join("bootstrap");
            let executable = std::fs::metadata(&bootstrap)
                .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
                .unwrap_or(false);
            if !executable {
                return Err(SpawnError::NoBootstrap(bootstrap));
            }
            (bootstrap.display().to_string(), Vec::new())
        }
        RuntimeFamily::Node => (
            config.node.clone(),
            vec![config.runtimes_dir.join(NODE_PATH).display().to_string()],
        ),
        RuntimeFamily::Python => (
            config.python.clone(),
            vec![config.runtimes_dir.join(PYTHON_PATH).display().to_string()],
        ),
    };
    let mut cmd = Command::new(&program);
    cmd.args(&args)
        .current_dir(&spec.code_dir)
        .env_clear()
        .envs(environment(spec, config, runtime_api, now))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Own process group, so a timeout kills whatever the runtime started too.
        .process_group(0)
        .kill_on_drop(true);
    let cpu_set = cores.and_then(CoreSet::to_cpu_set);
    let server = std::process::id();
    // SAFETY: the closure runs between fork and exec and only makes system calls (prctl,
    // getppid, sched_setaffinity) on values copied into it, which is async-signal-safe; it
    // allocates nothing, not even its errors.
    #[allow(unsafe_code)]
    unsafe {
        cmd.pre_exec(move || {
            // Dies with the server (see `reaper.rs`).
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // The server may have died between fork and prctl: then nobody would send it.
            if u32::try_from(libc::getppid()).ok() != Some(server) {
                return Err(std::io::Error::from_raw_os_error(libc::ESRCH));
            }
            if let Some(set) = &cpu_set {
                crate::cores::apply(set);
            }
            Ok(())
        });
    }
    cmd.spawn()
        .map_err(|source| SpawnError::Exec { program, source })
}

/// The variables AWS sets (reference §7), over the function's own; reserved keys win.
fn environment(
    spec: &EnvironmentSpec,
    config: &SandboxConfig,
    runtime_api: &str,
    now: Timestamp,
) -> BTreeMap<String, String> {
    let mut env: BTreeMap<String, String> = PASSTHROUGH
        .iter()
        .filter_map(|k| std::env::var(k).ok().map(|v| (k.to_string(), v)))
        .collect();
    env.extend(spec.variables.clone());
    let stream = format!("{}/[{}]{}", now.to_log_date(), spec.version, uuid_hex(now));
    let code_root = spec.code_dir.display().to_string();
    let platform = [
        ("AWS_LAMBDA_RUNTIME_API", runtime_api.to_string()),
        ("_HANDLER", spec.handler.clone()),
        ("LAMBDA_TASK_ROOT", code_root),
        (
            "LAMBDA_RUNTIME_DIR",
            config.runtimes_dir.display().to_string(),
        ),
        ("AWS_LAMBDA_FUNCTION_NAME", spec.function_name.to_string()),
        (
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            spec.memory_mb.to_string(),
        ),
        ("AWS_LAMBDA_FUNCTION_VERSION", spec.version.clone()),
        ("AWS_LAMBDA_LOG_GROUP_NAME", spec.log_group()),
        ("AWS_LAMBDA_LOG_STREAM_NAME", stream),
        ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand".into()),
        ("AWS_REGION", config.region.clone()),
        ("AWS_DEFAULT_REGION", config.region.clone()),
        ("AWS_ACCESS_KEY_ID", config.access_key_id.clone()),
        ("AWS_SECRET_ACCESS_KEY", config.secret_access_key.clone()),
        ("AWS_SESSION_TOKEN", config.session_token.clone()),
        ("TZ", ":UTC".into()),
        ("LANG", "en_US.UTF-8".into()),
    ];
    env.extend(platform.into_iter().map(|(k, v)| (k.to_string(), v)));
    // The SDKs' standard variable: boto3, the AWS SDK for JavaScript v3 and the AWS SDK for
    // Rust send every service call to lambkin. A function's own value wins.
    if let Some(endpoint) = &config.endpoint {
        env.entry("AWS_ENDPOINT_URL".into())
            .or_insert_with(|| endpoint.clone());
    }
    if spec.runtime.family() != RuntimeFamily::Provided {
        // AWS sets AWS_EXECUTION_ENV for managed runtimes only.
        env.insert(
            "AWS_EXECUTION_ENV".into(),
            format!("AWS_Lambda_{}", spec.runtime),
        );
    }
    env
}

/// 32 hex digits, unique enough for a log stream name.
fn uuid_hex(now: Timestamp) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let seq = SEQ.fetch_add(1, Ordering::Relaxed);
    format!("{:016x}{:08x}{:08x}", now.0, std::process::id(), seq as u32)
}

/// SIGKILL to the whole process group of `pid`.
#[allow(unsafe_code)]
pub(crate) fn kill_group(pid: u32) {
    let Ok(pid) = i32::try_from(pid) else { return };
    // SAFETY: kill(2) with a negative pid signals that process group; no memory is touched.
    unsafe {
        libc::kill(-pid, libc::SIGKILL);
    }
}

/// Bytes waiting in a pipe, so log capture can tell whether it has read everything.
#[allow(unsafe_code)]
pub(crate) fn pending_bytes(fd: i32) -> usize {
    let mut n: libc::c_int = 0;
    // SAFETY: FIONREAD writes one c_int through the pointer, which points at `n`.
    let rc = unsafe { libc::ioctl(fd, libc::FIONREAD, &mut n) };
    if rc == 0 {
        usize::try_from(n).unwrap_or(0)
    } else {
        0
    }
}

/// Peak resident set size of `pid` in MB (`VmHWM`), as AWS's `Max Memory Used`.
pub(crate) fn max_memory_mb(pid: u32) -> u64 {
    let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
        return 0;
    };
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb.div_ceil(1024))
        .unwrap_or(0)
}
