//! Function processes die with the server, however it dies.
//!
//! Two mechanisms, because one is not enough:
//! - Each runtime process gets `PR_SET_PDEATHSIG` = SIGKILL between fork and exec
//!   (`process.rs`): the kernel kills it the moment the server exits, even by SIGKILL. It does
//!   not reach what the runtime started itself (a `bootstrap` shell script's child, a worker
//!   process), and the signal is tied to the thread that forked, which is why environments are
//!   only spawned from the runtime's long-lived worker threads, never from `spawn_blocking`.
//! - The [`Reaper`]: a small child process of the server, in a process group of its own (so a
//!   terminal's Ctrl-C does not reach it), told over a pipe each environment's process group
//!   as it starts and ends. When the pipe closes, which the kernel does when the server
//!   exits however it exits, the reaper kills every group still listed, then exits.
//!
//! It does not follow processes that leave their group (`setsid`, `setpgid`).

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;

#[derive(Debug)]
pub struct Reaper {
    pipe: Mutex<Option<ChildStdin>>,
    child: Mutex<Child>,
}

impl Reaper {
    /// Starts `program args`, which must call [`run_reaper`] on its standard input (lambkin
    /// starts its own binary with a hidden subcommand).
    pub fn start(program: &Path, args: &[&str]) -> std::io::Result<Reaper> {
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .process_group(0)
            .spawn()?;
        let pipe = child.stdin.take();
        if let Some(p) = &pipe {
            set_nonblocking(p)?;
        }
        Ok(Reaper {
            pipe: Mutex::new(pipe),
            child: Mutex::new(child),
        })
    }

    /// The reaper's pid (tests look for it).
    pub fn pid(&self) -> Option<u32> {
        self.child.lock().ok().map(|c| c.id())
    }

    /// The process group `pgid` is to be killed if the server dies.
    pub(crate) fn watch(&self, pgid: u32) {
        self.send(&format!("+{pgid}\n"));
    }

    /// The process group `pgid` is gone (or killed by the server itself).
    pub(crate) fn forget(&self, pgid: u32) {
        self.send(&format!("-{pgid}\n"));
    }

    fn send(&self, line: &str) {
        let Ok(mut pipe) = self.pipe.lock() else {
            return;
        };
        let Some(p) = pipe.as_mut() else { return };
        // A few bytes into a pipe the reaper keeps reading. The pipe does not block: should the
        // reaper stop reading, a line is lost (that group then dies only by its runtime's
        // PR_SET_PDEATHSIG) rather than an async worker stalled.
        if let Err(e) = p.write_all(line.as_bytes()) {
            if e.kind() == std::io::ErrorKind::WouldBlock {
                tracing::warn!(
                    "the environment reaper is not reading; a process group was not passed on"
                );
                return;
            }
            tracing::warn!(error = %e, "the environment reaper is gone; runtime processes still die with the server, what they started may not");
            *pipe = None;
        }
    }
}

/// The reaper process: reads `+<pgid>` and `-<pgid>` lines until its input ends (or fails),
/// then sends SIGKILL to every process group still listed. A group listed twice (its id
/// reused by a new environment before the old one was forgotten) is kept until forgotten
/// twice.
pub fn run_reaper(input: impl BufRead) -> std::io::Result<()> {
    let mut groups: HashMap<u32, u32> = HashMap::new();
    for line in input.lines() {
        let Ok(line) = line else {
            // The server is gone or unreadable: kill what is listed rather than nothing.
            break;
        };
        let (op, pgid) = line.split_at(line.len().min(1));
        let Ok(pgid) = pgid.trim().parse::<u32>() else {
            continue;
        };
        match op {
            "+" => *groups.entry(pgid).or_default() += 1,
            "-" => {
                if let Some(n) = groups.get_mut(&pgid) {
                    *n -= 1;
                    if *n == 0 {
                        groups.remove(&pgid);
                    }
                }
            }
            _ => {}
        }
    }
    for pgid in groups.into_keys() {
        crate::process::kill_group(pgid);
    }
    Ok(())
}

#[allow(unsafe_code)]
fn set_nonblocking(pipe: &ChildStdin) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let fd = pipe.as_raw_fd();
    // SAFETY: fcntl on a file descriptor this process owns; no memory is passed.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    // SAFETY: as above.
    if flags < 0 || unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) } < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A listed group is killed at end of input; a forgotten one is left alone.
    #[test]
    fn kills_the_groups_still_listed_at_end_of_input() {
        let spawn_group = || {
            Command::new("sleep")
                .arg("30")
                .process_group(0)
                .spawn()
                .expect("spawn sleep")
        };
        let mut listed = spawn_group();
        let mut forgotten = spawn_group();
        // `listed` is listed twice and forgotten once: still listed.
        let input = format!(
            "+{l}\n+{l}\n+{f}\n-{f}\n-{l}\n",
            l = listed.id(),
            f = forgotten.id(),
        );
        run_reaper(input.as_bytes()).expect("reaper");
        let status = listed.wait().expect("wait");
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(libc::SIGKILL));
        assert!(
            forgotten.try_wait().expect("try_wait").is_none(),
            "a forgotten group is not killed"
        );
        forgotten.kill().expect("kill");
        forgotten.wait().expect("wait");
    }
}
