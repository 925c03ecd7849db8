//! Asynchronous retries end to end on a compressed clock (`--time-scale 0.01`: the 1-minute
//! retry comes after 0.6 s, the 2-minute one after 1.2 s, the 6-hour age is 216 s).

use std::time::Duration;

use aws_sdk_lambda::primitives::Blob;
use serde_json::Value;

use crate::support::{TestServer, aws_error, eventually, send_event};

const WITHIN: Duration = Duration::from_secs(30);

fn attempts(v: &Value) -> Vec<&Value> {
    v["attempts"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

fn started_ms(a: &Value) -> i64 {
    a["startedAt"]["ms"].as_i64().unwrap()
}

fn outcomes(v: &Value) -> Vec<&str> {
    attempts(v)
        .iter()
        .map(|a| a["outcome"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn fails_twice_then_succeeds_on_the_aws_schedule() {
    let s = TestServer::start();
    s.create_rust_echo("flaky").await;
    let state = tempfile::tempdir().unwrap();
    let payload = format!(
        r#"{{"fail_until_attempt":3,"state_dir":"{}"}}"#,
        state.path().display()
    );
    let id = send_event(&s, "flaky", &payload).await;
    let done = s.finished_event(&id, WITHIN).await;
    assert_eq!(done["state"], "succeeded", "{done}");
    assert_eq!(done["invocations"], 3);
    assert_eq!(
        outcomes(&done),
        ["function_error", "function_error", "success"]
    );
    let a = attempts(&done);
    let gap1 = started_ms(a[1]) - started_ms(a[0]);
    let gap2 = started_ms(a[2]) - started_ms(a[1]);
    // ~1 min then ~2 min, scaled by 0.01 (the retry is timed from the end of the attempt).
    assert!((600..1_500).contains(&gap1), "first retry after {gap1} ms");
    assert!(
        (1_200..2_500).contains(&gap2),
        "second retry after {gap2} ms"
    );
    // Every attempt saw the request id of the 202.
    let counter = std::fs::read_to_string(state.path().join(&id)).unwrap();
    assert_eq!(counter, "3");
    let start = format!("START RequestId: {id} ");
    let log = eventually("three START lines", WITHIN, || async {
        let log = s.log_text("flaky").await;
        (log.matches(&format!("REPORT RequestId: {id}")).count() == 3).then_some(log)
    })
    .await;
    assert_eq!(log.matches(&start).count(), 3, "{log}");
}

#[tokio::test]
async fn maximum_retry_attempts_zero_and_one() {
    let s = TestServer::start();
    s.create_rust_echo("r0").await;
    s.create_rust_echo("r1").await;
    s.lambda
        .put_function_event_invoke_config()
        .function_name("r0")
        .maximum_retry_attempts(0)
        .send()
        .await
        .unwrap();
    s.lambda
        .put_function_event_invoke_config()
        .function_name("r1")
        .maximum_retry_attempts(1)
        .send()
        .await
        .unwrap();
    let id0 = send_event(&s, "r0", r#"{"fail":true}"#).await;
    let id1 = send_event(&s, "r1", r#"{"fail":true}"#).await;
    let d0 = s.finished_event(&id0, WITHIN).await;
    let d1 = s.finished_event(&id1, WITHIN).await;
    assert_eq!(
        (
            d0["state"].as_str(),
            d0["condition"].as_str(),
            d0["invocations"].as_u64()
        ),
        (Some("failed"), Some("RetriesExhausted"), Some(1))
    );
    assert_eq!(
        (
            d1["state"].as_str(),
            d1["condition"].as_str(),
            d1["invocations"].as_u64()
        ),
        (Some("failed"), Some("RetriesExhausted"), Some(2))
    );
    // The failure record keeps what destinations will need: the payload and the last error.
    assert_eq!(d1["payload"], serde_json::json!({"fail": true}));
    assert_eq!(d1["response"]["errorMessage"], "intentional failure");
    assert_eq!(d1["functionError"], "Unhandled");
    assert_eq!(attempts(&d1)[1]["errorMessage"], "intentional failure");
}

#[tokio::test]
async fn default_retries_are_two() {
    let s = TestServer::start();
    s.create_rust_echo("always").await;
    let id = send_event(&s, "always", r#"{"fail":true}"#).await;
    let d = s.finished_event(&id, WITHIN).await;
    assert_eq!(
        (d["condition"].as_str(), d["invocations"].as_u64()),
        (Some("RetriesExhausted"), Some(3))
    );
}

#[tokio::test]
async fn event_age_is_checked_ahead_of_the_next_retry() {
    let s = TestServer::start();
    s.create_rust_echo("aged").await;
    // 60 s (0.6 s scaled) is shorter than the 1-minute retry wait: fail right after attempt 1.
    s.lambda
        .put_function_event_invoke_config()
        .function_name("aged")
        .maximum_event_age_in_seconds(60)
        .send()
        .await
        .unwrap();
    let id = send_event(&s, "aged", r#"{"fail":true}"#).await;
    let d = s.finished_event(&id, WITHIN).await;
    assert_eq!(
        (d["condition"].as_str(), d["invocations"].as_u64()),
        (Some("EventAgeExceeded"), Some(1)),
        "{d}"
    );

    // 100 s allows the first retry (at ~60 s) but not the second (at ~180 s).
    s.lambda
        .put_function_event_invoke_config()
        .function_name("aged")
        .maximum_event_age_in_seconds(100)
        .send()
        .await
        .unwrap();
    let id = send_event(&s, "aged", r#"{"fail":true}"#).await;
    let d = s.finished_event(&id, WITHIN).await;
    assert_eq!(
        (d["condition"].as_str(), d["invocations"].as_u64()),
        (Some("EventAgeExceeded"), Some(2)),
        "{d}"
    );
}

#[tokio::test]
async fn timeouts_and_crashes_are_function_errors() {
    let s = TestServer::start();
    s.create_rust_echo("bad").await;
    s.lambda
        .update_function_configuration()
        .function_name("bad")
        .timeout(1)
        .send()
        .await
        .unwrap();
    s.lambda
        .put_function_event_invoke_config()
        .function_name("bad")
        .maximum_retry_attempts(1)
        .send()
        .await
        .unwrap();
    let slow = send_event(&s, "bad", r#"{"sleep_ms":3000}"#).await;
    let crash = send_event(&s, "bad", r#"{"exit":7}"#).await;
    let d = s.finished_event(&slow, WITHIN).await;
    assert_eq!(outcomes(&d), ["timeout", "timeout"]);
    assert_eq!(attempts(&d)[0]["errorType"], "Sandbox.Timedout");
    assert_eq!(d["condition"], "RetriesExhausted");
    let d = s.finished_event(&crash, WITHIN).await;
    assert_eq!(outcomes(&d), ["runtime_exit", "runtime_exit"]);
    assert_eq!(attempts(&d)[0]["errorType"], "Runtime.ExitError");
}

#[tokio::test]
async fn throttled_events_wait_and_then_run() {
    let s = TestServer::start();
    s.create_rust_echo("narrow").await;
    s.reserve("narrow", 1).await;
    let mut ids = Vec::new();
    for _ in 0..4 {
        ids.push(send_event(&s, "narrow", r#"{"sleep_ms":400}"#).await);
    }
    let mut waited = 0;
    for id in &ids {
        let d = s.finished_event(id, WITHIN).await;
        assert_eq!(d["state"], "succeeded", "{d}");
        assert_eq!(d["invocations"], 1, "throttles do not use up retries: {d}");
        assert_eq!(
            outcomes(&d),
            ["success"],
            "waiting for a slot is not an attempt"
        );
        waited += d["throttles"].as_u64().unwrap();
    }
    assert!(
        waited >= 3,
        "with one slot, the last 3 of 4 concurrent events waited for it: {waited}"
    );

    // Sync invokes over the reservation get 429 with the reason (no queueing).
    let busy = send_event(&s, "narrow", r#"{"sleep_ms":2000}"#).await;
    eventually("the long event to hold the only slot", WITHIN, || async {
        (s.event(&busy).await["state"] == "running"
            && s.log_text("narrow")
                .await
                .contains(&format!("START RequestId: {busy}")))
        .then_some(())
    })
    .await;
    let err = s
        .lambda
        .invoke()
        .function_name("narrow")
        .send()
        .await
        .unwrap_err();
    let (code, message, status) = aws_error(&err);
    assert_eq!(
        (code.as_str(), message.as_str(), status),
        ("TooManyRequestsException", "Rate Exceeded.", 429)
    );
    let reason = match err.into_service_error() {
        aws_sdk_lambda::operation::invoke::InvokeError::TooManyRequestsException(e) => {
            e.reason().map(|r| r.as_str().to_string())
        }
        other => panic!("unexpected {other:?}"),
    };
    assert_eq!(
        reason.as_deref(),
        Some("ReservedFunctionConcurrentInvocationLimitExceeded")
    );
    assert_eq!(s.finished_event(&busy, WITHIN).await["state"], "succeeded");
    let (_, status) = s.admin("/_lambkin/v1/status").await;
    assert_eq!(
        status["throttles"].as_u64(),
        Some(waited + 1),
        "status counts the events that waited and the sync 429"
    );
}

#[tokio::test]
async fn reserved_concurrency_zero_fails_events_at_once() {
    let s = TestServer::start();
    s.create_rust_echo("off").await;
    s.reserve("off", 0).await;
    let id = send_event(&s, "off", "{}").await;
    let d = s.finished_event(&id, WITHIN).await;
    assert_eq!(
        (d["condition"].as_str(), d["invocations"].as_u64()),
        (Some("ZeroReservedConcurrency"), Some(0))
    );
    assert!(attempts(&d).is_empty());
    assert!(d["response"].is_null());
    let err = s
        .lambda
        .invoke()
        .function_name("off")
        .send()
        .await
        .unwrap_err();
    assert_eq!(aws_error(&err).2, 429);
}

#[tokio::test]
async fn queued_events_run_the_code_current_when_they_start() {
    let s = TestServer::start();
    s.create_node("evolving", "node-echo-cjs", "index.handler")
        .await;
    // Version 1 always fails; a retry after the code update runs version 2.
    let failing = crate::support::zip_with(&[(
        "index.js",
        "exports.handler = async () => { throw new Error('v1'); };",
        0o644,
    )]);
    s.lambda
        .update_function_code()
        .function_name("evolving")
        .zip_file(Blob::new(failing))
        .send()
        .await
        .unwrap();
    let id = send_event(&s, "evolving", r#"{"v":2}"#).await;
    eventually("the first attempt", WITHIN, || async {
        let v = s.event(&id).await;
        (v["invocations"] == 1 && v["state"] == "retry_scheduled").then_some(())
    })
    .await;
    s.lambda
        .update_function_code()
        .function_name("evolving")
        .zip_file(Blob::new(crate::support::zip_fixture("node-echo-cjs")))
        .send()
        .await
        .unwrap();
    let d = s.finished_event(&id, WITHIN).await;
    assert_eq!(
        (d["state"].as_str(), d["invocations"].as_u64()),
        (Some("succeeded"), Some(2)),
        "{d}"
    );
}
