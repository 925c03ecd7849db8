//! A backlog behind reserved concurrency, at real time (`--time-scale 1`): it drains N at a
//! time, continuously; it never delays another function; it costs nothing while it waits; and
//! its events still age.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{TestServer, eventually, send_event};

/// (start, end) in ms of every attempt of the events.
fn runs(events: &[Value]) -> Vec<(i64, i64)> {
    events
        .iter()
        .flat_map(|e| e["attempts"].as_array().cloned().unwrap_or_default())
        .map(|a| {
            (
                a["startedAt"]["ms"].as_i64().unwrap(),
                a["endedAt"]["ms"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// The most runs in progress at any instant.
fn max_overlap(runs: &[(i64, i64)]) -> usize {
    let mut edges: Vec<(i64, i32)> = runs
        .iter()
        .flat_map(|&(start, end)| [(start, 1), (end, -1)])
        .collect();
    // An end at the same millisecond as a start frees the slot first.
    edges.sort();
    let mut now = 0i32;
    let mut most = 0i32;
    for (_, d) in edges {
        now += d;
        most = most.max(now);
    }
    most as usize
}

async fn counts(s: &TestServer) -> Value {
    s.admin("/_lambkin/v1/status").await.1
}

/// The issue's reproduction: 40 events of a 200 ms function at reserved concurrency 2. The
/// lockstep throttle backoff this replaces had run 12 of them after 60 s.
#[tokio::test]
async fn reserved_backlog_drains_at_its_concurrency() {
    let s = TestServer::start_with(&["--time-scale", "1"]);
    s.create_rust_echo("narrow").await;
    s.reserve("narrow", 2).await;
    let mut ids = Vec::new();
    for _ in 0..40 {
        ids.push(send_event(&s, "narrow", r#"{"sleep_ms":200}"#).await);
    }
    let mut events = Vec::new();
    for id in &ids {
        events.push(s.finished_event(id, Duration::from_secs(40)).await);
    }
    for e in &events {
        assert_eq!(e["state"], "succeeded", "{e}");
        let outcomes: Vec<_> = e["attempts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["outcome"].as_str().unwrap())
            .collect();
        assert_eq!(outcomes, ["success"], "waiting is not an attempt: {e}");
    }
    let runs = runs(&events);
    assert_eq!(max_overlap(&runs), 2, "never more than the reservation");
    let first = runs.iter().map(|r| r.0).min().unwrap();
    let last = runs.iter().map(|r| r.1).max().unwrap();
    // 20 rounds of 200 ms: 4 s when every freed slot starts the next event at once.
    assert!(
        last - first < 8_000,
        "40 × 200 ms at concurrency 2 took {} ms",
        last - first
    );
    // An event counts one throttle if it found both slots busy when it came up: at least one
    // per round of two (the second of a pair may find the slot its twin freed), at most every
    // event but the first two.
    let waited: u64 = events
        .iter()
        .map(|e| e["throttles"].as_u64().unwrap())
        .sum();
    assert!(
        (19..=38).contains(&waited),
        "events that waited for a slot: {waited}"
    );
    assert!(events.iter().all(|e| e["throttles"].as_u64() <= Some(1)));
    assert_eq!(counts(&s).await["throttles"], waited, "status counts them");
}

/// A deep backlog of one function behind reserved concurrency 1 does not delay another
/// function's event, and costs no CPU while its only slot is busy.
#[tokio::test]
async fn a_waiting_backlog_delays_no_one_and_costs_nothing() {
    let s = TestServer::start_with(&["--time-scale", "1"]);
    s.create_rust_echo("serial").await;
    s.create_rust_echo("other").await;
    s.reserve("serial", 1).await;
    // The hold lasts long enough that the setup below (300 sends, a cold start of `other`) fits
    // inside it on a loaded CI machine, and within the function's timeout.
    s.lambda
        .update_function_configuration()
        .function_name("serial")
        .timeout(30)
        .send()
        .await
        .expect("timeout");
    let hold = send_event(&s, "serial", r#"{"sleep_ms":8000}"#).await;
    let mut backlog = Vec::new();
    for _ in 0..300 {
        backlog.push(send_event(&s, "serial", r#"{"sleep_ms":1}"#).await);
    }
    eventually(
        "the long event to hold the only slot",
        Duration::from_secs(10),
        || async {
            (s.event(&hold).await["state"] == "running"
                && s.log_text("serial")
                    .await
                    .contains(&format!("START RequestId: {hold}")))
            .then_some(())
        },
    )
    .await;

    // While the slot is busy the dispatcher has nothing to do: no claims, no wake-ups. A steady
    // cost (polling) shows in every second; one-off work the 300 enqueues left behind (a WAL
    // checkpoint) may fall in one, so the quieter of two consecutive seconds is what counts.
    let pid = s.child.id();
    let mut seconds = Vec::new();
    for _ in 0..2 {
        let cpu_before = cpu_ms(pid);
        let wall = Instant::now();
        eventually("1 s to pass", Duration::from_secs(5), || async {
            (wall.elapsed() >= Duration::from_secs(1)).then_some(())
        })
        .await;
        seconds.push(cpu_ms(pid) - cpu_before);
    }
    let spent = seconds.iter().min().copied().unwrap_or(i64::MAX);
    assert!(
        spent < 100,
        "the server used {seconds:?} ms of CPU in two seconds with only a waiting backlog"
    );

    let id = send_event(&s, "other", "{}").await;
    let other = s.finished_event(&id, Duration::from_secs(10)).await;
    assert_eq!(other["state"], "succeeded");
    assert_eq!(
        s.event(&hold).await["state"],
        "running",
        "the other function ran while the backlog's only slot was still busy"
    );
    let waiting = counts(&s).await["queue"]["queued"].as_u64().unwrap();
    assert!(waiting >= 250, "the backlog was still there: {waiting}");

    // And the backlog then drains, one at a time.
    for id in &backlog {
        assert_eq!(
            s.finished_event(id, Duration::from_secs(60)).await["state"],
            "succeeded"
        );
    }
}

/// Functions sharing the unreserved pool take turns: an event of another function starts at
/// one of the next freed slots, not after a backlog that was claimed first.
#[tokio::test]
async fn functions_sharing_the_pool_take_turns() {
    let s = TestServer::start_with(&["--time-scale", "1", "--max-concurrency", "2"]);
    s.create_rust_echo("busy").await;
    s.create_rust_echo("other").await;
    let mut backlog = Vec::new();
    for _ in 0..40 {
        backlog.push(send_event(&s, "busy", r#"{"sleep_ms":300}"#).await);
    }
    // 40 × 300 ms on 2 slots is 6 s of work.
    eventually("busy to be running", Duration::from_secs(10), || async {
        s.log_text("busy")
            .await
            .contains("START RequestId")
            .then_some(())
    })
    .await;
    let id = send_event(&s, "other", "{}").await;
    let other = s.finished_event(&id, Duration::from_secs(10)).await;
    assert_eq!(other["state"], "succeeded");
    let mut unfinished = 0;
    for id in &backlog {
        if !matches!(s.event(id).await["state"].as_str(), Some("succeeded")) {
            unfinished += 1;
        }
    }
    assert!(
        unfinished >= 20,
        "the other function ran behind most of the backlog ({unfinished} of 40 left)"
    );
}

/// An event waiting for a slot still ages: it fails with `EventAgeExceeded` when its maximum
/// age runs out, while the event ahead of it is still running.
#[tokio::test]
async fn a_waiting_event_still_ages() {
    // 100× compressed: MaximumEventAgeInSeconds 60 is 0.6 s.
    let s = TestServer::start_with(&["--time-scale", "0.01"]);
    s.create_rust_echo("slow").await;
    s.reserve("slow", 1).await;
    s.lambda
        .put_function_event_invoke_config()
        .function_name("slow")
        .maximum_event_age_in_seconds(60)
        .send()
        .await
        .unwrap();
    let ahead = send_event(&s, "slow", r#"{"sleep_ms":2000}"#).await;
    eventually(
        "the first event to start",
        Duration::from_secs(10),
        || async {
            s.log_text("slow")
                .await
                .contains(&format!("START RequestId: {ahead}"))
                .then_some(())
        },
    )
    .await;
    let behind = send_event(&s, "slow", "{}").await;
    let aged = s.finished_event(&behind, Duration::from_secs(10)).await;
    assert_eq!(aged["state"], "failed", "{aged}");
    assert_eq!(aged["condition"], "EventAgeExceeded");
    assert_eq!(aged["invocations"], 0);
    assert_eq!(aged["throttles"], 1);
    assert_eq!(
        s.event(&ahead).await["state"],
        "running",
        "it aged out while waiting, not when the slot freed"
    );
    assert_eq!(
        s.finished_event(&ahead, Duration::from_secs(10)).await["state"],
        "succeeded"
    );
}

/// User plus system CPU time of a process, in ms.
fn cpu_ms(pid: u32) -> i64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("stat");
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let fields: Vec<&str> = stat[stat.rfind(')').expect("comm") + 2..]
        .split_whitespace()
        .collect();
    let ticks: i64 = fields[11].parse::<i64>().unwrap() + fields[12].parse::<i64>().unwrap();
    // SAFETY: sysconf only reads a configuration value.
    #[allow(unsafe_code)]
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    ticks * 1000 / hz
}
