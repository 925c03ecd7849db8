//! Scheduled rules: firings in the Scheduled Event shape at the rule's rate (compressed by
//! `--time-scale`), and across a `kill -9` a firing due during the outage fires once.

use std::time::{Duration, Instant};

use aws_sdk_eventbridge::types::Target;
use serde_json::{Value, json};

use super::body;
use crate::support::{
    TestServer, eventbridge_client, eventually, queue_with_arn, receive_n, sqs_client,
};

const WITHIN: Duration = Duration::from_secs(30);

/// Event time (`2026-12-07T19:46:31Z`) in seconds since the epoch.
fn seconds(time: &Value) -> i64 {
    chrono::DateTime::parse_from_rfc3339(time.as_str().unwrap())
        .unwrap()
        .timestamp()
}

async fn schedule_to_queue(s: &TestServer, rule: &str, expression: &str) -> String {
    let eb = eventbridge_client(&s.url);
    let sqs = sqs_client(&s.url);
    let (url, arn) = queue_with_arn(&sqs, rule).await;
    eb.put_rule()
        .name(rule)
        .schedule_expression(expression)
        .send()
        .await
        .unwrap();
    eb.put_targets()
        .rule(rule)
        .targets(Target::builder().id("q").arn(&arn).build().unwrap())
        .send()
        .await
        .unwrap();
    url
}

#[tokio::test]
async fn a_rate_schedule_fires_scheduled_events_at_its_rate() {
    // 1 minute of schedule time is 60 ms.
    let s = TestServer::start_with(&["--time-scale", "0.001"]);
    let sqs = sqs_client(&s.url);
    let url = schedule_to_queue(&s, "tick", "rate(1 minute)").await;
    let got = receive_n(&sqs, &url, 4, WITHIN).await;
    let mut times: Vec<i64> = Vec::new();
    for m in &got {
        let event = body(m);
        assert_eq!(event["detail-type"], "Scheduled Event");
        assert_eq!(event["source"], "aws.events");
        assert_eq!(event["account"], "000000000000");
        assert_eq!(event["region"], "us-east-1");
        assert_eq!(
            event["resources"],
            json!(["arn:aws:events:us-east-1:000000000000:rule/tick"])
        );
        assert_eq!(event["detail"], json!({}));
        assert_eq!(event["version"], "0");
        times.push(seconds(&event["time"]));
    }
    times.sort_unstable();
    for pair in times.windows(2) {
        assert_eq!(
            pair[1] - pair[0],
            60,
            "one minute apart in schedule time: {times:?}"
        );
    }
    // Disabled, it stops: what was committed before the disable drains, then nothing more
    // comes while many periods pass.
    let eb = eventbridge_client(&s.url);
    eb.disable_rule().name("tick").send().await.unwrap();
    let quiet = |wait: i32| {
        let (sqs, url) = (sqs.clone(), url.clone());
        async move {
            let out = sqs
                .receive_message()
                .queue_url(&url)
                .max_number_of_messages(10)
                .wait_time_seconds(wait)
                .send()
                .await
                .unwrap();
            for m in out.messages() {
                sqs.delete_message()
                    .queue_url(&url)
                    .receipt_handle(m.receipt_handle().unwrap())
                    .send()
                    .await
                    .unwrap();
            }
            out.messages().is_empty()
        }
    };
    let mut drained = false;
    for _ in 0..20 {
        if quiet(1).await {
            drained = true;
            break;
        }
    }
    assert!(drained, "firings kept coming after the rule was disabled");
    assert!(
        quiet(2).await,
        "a disabled rule fires no more (over 30 periods passed)"
    );
}

#[tokio::test]
async fn a_firing_due_during_an_outage_fires_once_after_restart() {
    // 1 minute of schedule time is 600 ms.
    let mut s = TestServer::start_with(&["--time-scale", "0.01"]);
    let sqs = sqs_client(&s.url);
    let url = schedule_to_queue(&s, "nightly", "rate(1 minute)").await;
    let before = receive_n(&sqs, &url, 1, WITHIN).await;
    let last_before = seconds(&body(&before[0])["time"]);
    s.kill9();
    // The outage spans several periods: wait for the wall clock, not for the server.
    let down = Instant::now();
    eventually("an outage of five periods", WITHIN, || async {
        (down.elapsed() >= Duration::from_millis(3_000)).then_some(())
    })
    .await;
    let s = TestServer::start_in(&s.data, &["--time-scale", "0.01"]);
    let sqs = sqs_client(&s.url);
    let after = receive_n(&sqs, &url, 3, WITHIN).await;
    let mut times: Vec<i64> = after.iter().map(|m| seconds(&body(m)["time"])).collect();
    let mut unique = times.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), times.len(), "no firing twice: {times:?}");
    times.sort_unstable();
    // The first firing after the restart stands for every one missed: the next after it is
    // one period later, not a burst of the missed ones.
    assert!(times[0] > last_before + 60, "{last_before} then {times:?}");
    assert_eq!(times[1] - times[0], 60, "{times:?}");
    let (_, metrics) =
        crate::support::http(&s.url, "GET", "/metrics", &[], bytes::Bytes::new()).await;
    let metrics = String::from_utf8_lossy(&metrics).into_owned();
    let missed = metrics
        .lines()
        .find(|l| l.starts_with("lambkin_schedule_firings_missed_total"))
        .and_then(|l| l.split_whitespace().last())
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0);
    assert!(missed >= 3.0, "missed firings counted: {missed}");
}
