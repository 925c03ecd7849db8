//! Durability and process lifecycle: `kill -9` mid-stream loses nothing that got a 202,
//! SIGTERM hands running work back, and a data folder has one owner.

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_lambda::operation::RequestId;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::InvocationType;

use crate::support::{TestServer, eventually};

#[tokio::test]
async fn every_acknowledged_event_survives_kill_9() {
    let mut s = TestServer::start();
    s.create_rust_echo("durable").await;
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    // Clients send until the server is gone (the kill below comes once 200 are acknowledged,
    // however long a loaded machine takes to get there); the deadline only bounds a broken run.
    let stop_at = Instant::now() + Duration::from_secs(30);
    let clients: Vec<_> = (0..16)
        .map(|c| {
            let lambda = s.lambda.clone();
            let acked = acked.clone();
            tokio::spawn(async move {
                let mut n = 0;
                while Instant::now() < stop_at {
                    n += 1;
                    let sent = lambda
                        .invoke()
                        .function_name("durable")
                        .invocation_type(InvocationType::Event)
                        .payload(Blob::new(format!(
                            "{{\"client\":{c},\"n\":{n},\"sleep_ms\":5}}"
                        )))
                        .send()
                        .await;
                    match sent {
                        Ok(out) if out.status_code() == 202 => {
                            acked
                                .lock()
                                .unwrap()
                                .push(out.request_id().unwrap().to_string());
                        }
                        // Once the server is gone, requests fail: those were never acknowledged.
                        _ => break,
                    }
                }
            })
        })
        .collect();
    // Kill mid-stream, while clients are still sending and events are running.
    eventually(
        "some acknowledged events",
        Duration::from_secs(20),
        || async { (acked.lock().unwrap().len() >= 200).then_some(()) },
    )
    .await;
    s.kill9();
    for c in clients {
        c.await.unwrap();
    }
    let acked: Vec<String> = acked.lock().unwrap().clone();
    assert!(acked.len() >= 200);

    let restarted = TestServer::start_in(&s.data, &["--time-scale", "0.01"]);
    let mut pending: HashSet<String> = acked.iter().cloned().collect();
    let deadline = Instant::now() + Duration::from_secs(90);
    while !pending.is_empty() {
        assert!(
            Instant::now() < deadline,
            "{} acknowledged events never succeeded",
            pending.len()
        );
        let mut done = Vec::new();
        for id in pending.iter().take(64) {
            let v = restarted.event(id).await;
            assert_ne!(v["state"], "failed", "{v}");
            if v["state"] == "succeeded" {
                done.push(id.clone());
            }
        }
        if done.is_empty() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        for id in done {
            pending.remove(&id);
        }
    }
    let (_, status) = restarted.admin("/_lambkin/v1/status").await;
    eprintln!(
        "acknowledged {} events; after restart: {}",
        acked.len(),
        status["queue"]
    );
    // Events committed just before the kill may never have had their 202 delivered: at most
    // one per client can be in the store without being acknowledged.
    let stored = status["queue"]["succeeded"].as_u64().unwrap();
    assert!(
        (acked.len() as u64..=acked.len() as u64 + 16).contains(&stored),
        "{stored} events stored for {} acknowledged",
        acked.len()
    );
}

#[tokio::test]
async fn sigterm_hands_running_invocations_back() {
    let s = TestServer::start_with(&["--time-scale", "0.01", "--shutdown-grace", "1"]);
    s.create_rust_echo("long").await;
    s.lambda
        .update_function_configuration()
        .function_name("long")
        .timeout(30)
        .send()
        .await
        .unwrap();
    let out = s
        .lambda
        .invoke()
        .function_name("long")
        .invocation_type(InvocationType::Event)
        .payload(Blob::new(r#"{"sleep_ms":4000}"#))
        .send()
        .await
        .unwrap();
    let id = out.request_id().unwrap().to_string();
    eventually("the event to start", Duration::from_secs(20), || async {
        (s.event(&id).await["state"] == "running").then_some(())
    })
    .await;
    let pid = s.child.id().to_string();
    let signalled = Instant::now();
    let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(status.success());
    let mut s = s;
    let exit = tokio::task::spawn_blocking(move || {
        let st = s.child.wait().unwrap();
        (s, st)
    })
    .await
    .unwrap();
    let (s, exit_status) = exit;
    assert!(
        exit_status.success(),
        "clean exit on SIGTERM: {exit_status:?}"
    );
    assert!(
        signalled.elapsed() < Duration::from_millis(3500),
        "the 1 s grace ended the wait for the 4 s invocation"
    );

    let restarted = TestServer::start_in(&s.data, &["--time-scale", "0.01"]);
    let done = restarted.finished_event(&id, Duration::from_secs(30)).await;
    assert_eq!(
        done["state"], "succeeded",
        "handed back and run again: {done}"
    );
    assert_eq!(
        done["invocations"], 1,
        "the cut-off run is not counted as an attempt"
    );
    assert_eq!(done["interrupted"], 0, "a hand-back is not a crash");
}

#[tokio::test]
async fn a_second_server_on_the_same_folder_is_refused() {
    let s = TestServer::start();
    let out = Command::new(env!("CARGO_BIN_EXE_lambkin"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&s.data)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("is in use by another lambkin server"),
        "{stderr}"
    );
}

/// Processes whose working directory is inside `dir` (function processes run in their code
/// folder under the data folder), zombies excluded.
fn processes_under(dir: &std::path::Path) -> Vec<(u32, String)> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let cwd = std::fs::read_link(format!("/proc/{pid}/cwd")).ok()?;
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let state = stat.rsplit_once(')')?.1.split_whitespace().next()?;
            let cmdline = std::fs::read_to_string(format!("/proc/{pid}/cmdline")).ok()?;
            (cwd.starts_with(dir) && state != "Z").then(|| (pid, cmdline.replace('\0', " ")))
        })
        .collect()
}

/// `kill -9` of the server takes its function processes with it, and what they started: a
/// bootstrap that leaves a background process behind, and the runtime it execs.
#[tokio::test]
async fn function_processes_die_with_the_server() {
    let mut s = TestServer::start();
    let bootstrap = format!(
        "#!/bin/sh\nsleep 300 &\nexec '{}'\n",
        crate::support::rust_echo_binary().display()
    );
    s.create(
        "held",
        aws_sdk_lambda::types::Runtime::Providedal2023,
        "bootstrap",
        crate::support::zip_with(&[("bootstrap", &bootstrap, 0o755)]),
    )
    .await;
    let id = crate::support::send_event(&s, "held", r#"{"sleep_ms":60000}"#).await;
    let data = s.data.canonicalize().unwrap();
    let before = eventually(
        "the runtime and its background process to run",
        Duration::from_secs(20),
        || async {
            let log = s.log_text("held").await;
            let procs = processes_under(&data);
            (log.contains(&format!("START RequestId: {id}")) && procs.len() >= 2).then_some(procs)
        },
    )
    .await;
    assert!(
        before.iter().any(|(_, cmd)| cmd.starts_with("sleep 300")),
        "{before:?}"
    );
    let server = s.child.id();
    let reaper = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .find(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| c.contains("reap-environments"))
                && std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|st| {
                    st.rsplit_once(')')
                        .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                        == Some(&server.to_string())
                })
        })
        .expect("the server's reaper process");

    s.kill9();
    let gone = Instant::now();
    eventually(
        "every function process of the data folder to die",
        Duration::from_secs(1),
        || async { processes_under(&data).is_empty().then_some(()) },
    )
    .await;
    eventually("the reaper to exit", Duration::from_secs(1), || async {
        let stat = std::fs::read_to_string(format!("/proc/{reaper}/stat"));
        stat.map_or(true, |st| st.contains(") Z ")).then_some(())
    })
    .await;
    eprintln!(
        "function processes gone {} ms after kill -9",
        gone.elapsed().as_millis()
    );
}
