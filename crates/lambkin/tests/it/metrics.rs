//! `GET /metrics` after known work: exact counts, the same numbers `lambkin status` shows, and
//! both encodings.

use std::time::Duration;

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{DeadLetterConfig, FunctionCode, Runtime};
use bytes::Bytes;

use crate::support::{
    ROLE, TestServer, eventually, http_full, rust_echo_zip, send_event, sqs_client,
};

const WITHIN: Duration = Duration::from_secs(30);

/// The value of the sample with exactly this name and label set.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no sample {series} in\n{text}"))
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("{series}: {e}"))
}

async fn scrape(s: &TestServer, accept: Option<&str>) -> (String, String) {
    let headers: Vec<(&str, &str)> = accept.map(|a| ("accept", a)).into_iter().collect();
    let (status, h, body) = http_full(&s.url, "GET", "/metrics", &headers, Bytes::new()).await;
    assert_eq!(status, 200);
    let content_type = h
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (content_type, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn metrics_count_known_work_exactly() {
    let s = TestServer::start();
    let sqs = sqs_client(&s.url);
    // A dead-letter queue deleted after it was configured: both failures fail to reach it.
    let dlq = sqs
        .create_queue()
        .queue_name("gone")
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    s.lambda
        .create_function()
        .function_name("work")
        .runtime(Runtime::Providedal2023)
        .handler("bootstrap")
        .role(ROLE)
        .dead_letter_config(
            DeadLetterConfig::builder()
                .target_arn("arn:aws:sqs:us-east-1:000000000000:gone")
                .build(),
        )
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(rust_echo_zip()))
                .build(),
        )
        .send()
        .await
        .unwrap();
    sqs.delete_queue().queue_url(&dlq).send().await.unwrap();
    s.create_rust_echo("narrow").await;
    s.reserve("narrow", 1).await;

    // 3 successes; 2 failures, each run 3 times (2 retries); one event that waits for the
    // only slot of `narrow` (one throttle).
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(send_event(&s, "work", "{}").await);
    }
    for _ in 0..2 {
        ids.push(send_event(&s, "work", r#"{"fail":true}"#).await);
    }
    let hold = send_event(&s, "narrow", r#"{"sleep_ms":2000}"#).await;
    eventually("narrow's slot to be taken", WITHIN, || async {
        s.log_text("narrow")
            .await
            .contains(&format!("START RequestId: {hold}"))
            .then_some(())
    })
    .await;
    ids.push(hold);
    ids.push(send_event(&s, "narrow", "{}").await);
    for id in &ids {
        s.finished_event(id, WITHIN).await;
    }
    // The dead-letter deliveries are given up after the events end.
    eventually(
        "both dead-letter deliveries to be given up",
        WITHIN,
        || async {
            let (_, status) = s.admin("/_lambkin/v1/status").await;
            (status["deliveries"]["deadLetterErrors"] == 2).then_some(())
        },
    )
    .await;

    let (content_type, text) = scrape(&s, None).await;
    assert_eq!(content_type, "text/plain; version=0.0.4; charset=utf-8");
    let work = |name: &str| sample(&text, &format!("{name}{{function_name=\"work\"}}"));
    let narrow = |name: &str| sample(&text, &format!("{name}{{function_name=\"narrow\"}}"));
    assert_eq!(work("lambkin_invocations_total"), 9.0, "3 + 2 × 3 runs");
    assert_eq!(work("lambkin_errors_total"), 6.0);
    assert_eq!(work("lambkin_throttles_total"), 0.0);
    assert_eq!(work("lambkin_async_events_received_total"), 5.0);
    assert_eq!(work("lambkin_duration_seconds_count"), 9.0);
    assert_eq!(work("lambkin_async_event_age_seconds_count"), 9.0);
    assert_eq!(work("lambkin_dead_letter_errors_total"), 2.0);
    assert_eq!(work("lambkin_destination_delivery_failures_total"), 0.0);
    assert_eq!(work("lambkin_concurrent_executions"), 0.0);
    assert_eq!(
        sample(
            &text,
            "lambkin_async_events_dropped_total{function_name=\"work\",reason=\"retries_exhausted\"}"
        ),
        2.0
    );
    assert_eq!(
        sample(
            &text,
            "lambkin_async_events_dropped_total{function_name=\"work\",reason=\"event_age_exceeded\"}"
        ),
        0.0
    );
    assert_eq!(narrow("lambkin_invocations_total"), 2.0);
    assert_eq!(narrow("lambkin_throttles_total"), 1.0);
    assert_eq!(narrow("lambkin_errors_total"), 0.0);
    assert_eq!(sample(&text, "lambkin_events{state=\"succeeded\"}"), 5.0);
    assert_eq!(sample(&text, "lambkin_events{state=\"failed\"}"), 2.0);
    assert_eq!(sample(&text, "lambkin_events{state=\"queued\"}"), 0.0);
    assert_eq!(
        sample(&text, "lambkin_delivery_failures{kind=\"dead_letter\"}"),
        2.0
    );
    let cold = sample(&text, "lambkin_cold_starts_total");
    assert!(cold >= 2.0, "each function started at least once");
    assert_eq!(
        sample(&text, "lambkin_init_duration_seconds_count"),
        cold,
        "every new environment reports its init once"
    );
    assert_eq!(sample(&text, "lambkin_environments{state=\"busy\"}"), 0.0);
    assert_eq!(
        sample(&text, "lambkin_environments{state=\"starting\"}"),
        0.0
    );
    assert!(sample(&text, "lambkin_store_commit_seconds_count") > 0.0);

    // `lambkin status` reads the same sources.
    let (_, status) = s.admin("/_lambkin/v1/status").await;
    assert_eq!(status["throttles"], 1);
    assert_eq!(status["queue"]["succeeded"], 5);
    assert_eq!(status["queue"]["failed"], 2);
    assert_eq!(status["environments"]["coldStarts"].as_f64(), Some(cold));

    // OpenMetrics when asked, as Prometheus asks.
    let (content_type, open) = scrape(
        &s,
        Some("application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"),
    )
    .await;
    assert_eq!(
        content_type,
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    assert!(open.trim_end().ends_with("# EOF"), "{open}");
    assert!(
        open.contains("# TYPE lambkin_invocations counter"),
        "{open}"
    );
    assert_eq!(
        sample(&open, "lambkin_invocations_total{function_name=\"work\"}"),
        9.0
    );
}

/// A queue's depth is a gauge per queue; a deleted queue leaves the output.
#[tokio::test]
async fn sqs_depths_per_queue() {
    let s = TestServer::start();
    let sqs = sqs_client(&s.url);
    let url = sqs
        .create_queue()
        .queue_name("depth")
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    for n in 0..3 {
        sqs.send_message()
            .queue_url(&url)
            .message_body(format!("m{n}"))
            .send()
            .await
            .unwrap();
    }
    sqs.receive_message()
        .queue_url(&url)
        .max_number_of_messages(1)
        .send()
        .await
        .unwrap();
    let (_, text) = scrape(&s, None).await;
    assert_eq!(
        sample(
            &text,
            "lambkin_sqs_messages{queue=\"depth\",state=\"visible\"}"
        ),
        2.0
    );
    assert_eq!(
        sample(
            &text,
            "lambkin_sqs_messages{queue=\"depth\",state=\"in_flight\"}"
        ),
        1.0
    );
    sqs.delete_queue().queue_url(&url).send().await.unwrap();
    let (_, text) = scrape(&s, None).await;
    assert!(!text.contains("queue=\"depth\""), "{text}");
}
