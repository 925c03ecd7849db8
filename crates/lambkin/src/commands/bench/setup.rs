//! Deploying benchmark functions and starting servers for the self-contained scenarios.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use anyhow::{Context, bail};

use super::TargetArgs;
use crate::client::Client;
use crate::commands::deploy::create_or_update;

/// A zip whose `bootstrap` is the given executable (stored, not compressed).
pub fn binary_zip(bootstrap: &Path) -> anyhow::Result<Vec<u8>> {
    use std::io::Write;
    let bin = std::fs::read(bootstrap).with_context(|| {
        format!(
            "{} missing: cargo build --release --example rust-echo",
            bootstrap.display()
        )
    })?;
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buf);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .unix_permissions(0o755)
        .large_file(true);
    zip.start_file("bootstrap", opts)?;
    zip.write_all(&bin)?;
    zip.finish()?;
    Ok(buf.into_inner())
}

/// Creates the function, or replaces its code (and timeout) if it exists.
pub async fn deploy(
    client: &Client,
    name: &str,
    runtime: &str,
    handler: &str,
    zip: &[u8],
    timeout: u32,
) -> anyhow::Result<()> {
    let mut settings = serde_json::Map::new();
    settings.insert("Runtime".into(), runtime.into());
    settings.insert("Handler".into(), handler.into());
    settings.insert("Timeout".into(), timeout.into());
    settings.insert("Role".into(), "arn:aws:iam::000000000000:role/bench".into());
    create_or_update(client, name, settings, zip).await?;
    Ok(())
}

/// Deploys the no-op `lambda_runtime` function named by `target` and returns a client for it.
pub async fn noop_function(target: &TargetArgs, timeout: u32) -> anyhow::Result<Client> {
    let client = Client::new(&target.endpoint);
    let zip = binary_zip(&target.functions.bootstrap)?;
    deploy(
        &client,
        &target.function,
        "provided.al2023",
        "bootstrap",
        &zip,
        timeout,
    )
    .await?;
    Ok(client)
}

pub struct Server {
    pub child: Child,
    pub url: String,
}

impl Server {
    /// Starts `lambkin serve` (this executable) on 127.0.0.1:0 and waits for its ready line.
    pub fn start(data_dir: &Path, extra: &[&str]) -> anyhow::Result<Server> {
        let exe = std::env::current_exe()?;
        let mut child = Command::new(exe)
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(extra)
            .env("LAMBKIN_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdout = child.stdout.take().context("stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let Some(Ok(line)) = lines.next() else {
            bail!("the server did not start")
        };
        std::thread::spawn(move || for _ in lines {});
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .context("ready line without address")?
            .to_string();
        Ok(Server { child, url })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM and wait, so the data folder is released cleanly.
    pub fn stop(mut self) -> anyhow::Result<()> {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()?;
        self.child.wait()?;
        Ok(())
    }
}

/// Resident set size of a process in MB (VmRSS).
pub fn rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("VmRSS:")
                    .map(|v| v.trim().trim_end_matches("kB").trim().to_string())
            })
        })
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// CPU seconds (user + system) a process has used so far.
pub fn cpu_seconds(pid: u32) -> f64 {
    let ticks = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some(f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?)
        });
    ticks.unwrap_or(0.0) / 100.0
}

/// Busy CPU seconds of the whole machine so far (all cores), from /proc/stat.
pub fn machine_busy_seconds() -> f64 {
    let line = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let Some(cpu) = line.lines().next() else {
        return 0.0;
    };
    let v: Vec<f64> = cpu
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal
    let busy: f64 = v
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 3 && *i != 4)
        .map(|(_, x)| x)
        .sum();
    busy / 100.0
}
