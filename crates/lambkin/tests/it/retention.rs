//! `--retention`: what finished longer ago goes, with its log lines; what is running or owed a
//! delivery stays, however old; a removed event says so.

use std::time::Duration;

use aws_sdk_lambda::types::DeadLetterConfig;

use crate::support::{TestServer, eventually, send_event, sqs_client};

const WITHIN: Duration = Duration::from_secs(30);

async fn is_gone(s: &TestServer, id: &str) -> Option<String> {
    let (status, v) = s.admin(&format!("/_lambkin/v1/events/{id}")).await;
    (status == 404).then(|| v["Message"].as_str().unwrap_or_default().to_string())
}

#[tokio::test]
async fn finished_events_and_their_log_lines_go_running_ones_stay() {
    let s = TestServer::start_with(&["--retention", "3s", "--time-scale", "1"]);
    s.create_rust_echo("kept").await;
    s.lambda
        .update_function_configuration()
        .function_name("kept")
        .timeout(15)
        .send()
        .await
        .unwrap();
    // Long enough that the quick event is surely removed while it runs (3 s retention, 1 s
    // rounds).
    let long = send_event(&s, "kept", r#"{"sleep_ms":10000}"#).await;
    let quick = send_event(&s, "kept", r#"{"log":"quick line"}"#).await;
    assert_eq!(s.finished_event(&quick, WITHIN).await["state"], "succeeded");
    s.log_with("kept", "quick line").await;

    let message = eventually("the quick event to be removed", WITHIN, || async {
        is_gone(&s, &quick).await
    })
    .await;
    assert!(
        message.contains("removed by retention"),
        "a removed event says so: {message}"
    );
    let running = s.event(&long).await;
    assert_eq!(
        running["state"], "running",
        "accepted before the cutoff but running: it stays"
    );
    eventually("the quick event's log lines to go", WITHIN, || async {
        let log = s.log_text("kept").await;
        (!log.contains("quick line")).then_some(())
    })
    .await;

    // The long one ends, is kept for the retention, then goes too; its lines are readable
    // until then, across log segments.
    assert_eq!(s.finished_event(&long, WITHIN).await["state"], "succeeded");
    s.log_with("kept", &format!("END RequestId: {long}")).await;
    eventually("the long event to be removed", WITHIN, || async {
        is_gone(&s, &long).await
    })
    .await;
    let (_, status) = s.admin("/_lambkin/v1/status").await;
    assert_eq!(status["queue"]["succeeded"], 0, "{status}");

    // An unknown id issued before the cutoff may have been removed, and the answer says so;
    // one that is not lambkin's (not a UUIDv7) is just not found.
    let (code, v) = s
        .admin("/_lambkin/v1/events/01a25000-0000-7000-8000-000000000000")
        .await;
    assert_eq!(code, 404);
    assert!(
        v["Message"]
            .as_str()
            .unwrap()
            .contains("removed by retention")
    );
    let (code, v) = s
        .admin("/_lambkin/v1/events/c2a6f2ae-1234-4000-8000-00000000abcd")
        .await;
    assert_eq!(code, 404);
    assert_eq!(
        v["Message"],
        "Event not found: c2a6f2ae-1234-4000-8000-00000000abcd"
    );
}

/// An event that failed and still owes its dead-letter delivery stays, however old.
#[tokio::test]
async fn an_event_owed_a_delivery_stays() {
    // Deliveries held: the dead-letter message stays owed.
    let s = TestServer::start_with(&[
        "--retention",
        "2s",
        "--time-scale",
        "1",
        "--hold-deliveries",
    ]);
    let sqs = sqs_client(&s.url);
    sqs.create_queue().queue_name("dlq").send().await.unwrap();
    s.create_rust_echo("owes").await;
    s.lambda
        .update_function_configuration()
        .function_name("owes")
        .dead_letter_config(
            DeadLetterConfig::builder()
                .target_arn("arn:aws:sqs:us-east-1:000000000000:dlq")
                .build(),
        )
        .send()
        .await
        .unwrap();
    s.lambda
        .put_function_event_invoke_config()
        .function_name("owes")
        .maximum_retry_attempts(0)
        .send()
        .await
        .unwrap();
    let owed = send_event(&s, "owes", r#"{"fail":true}"#).await;
    assert_eq!(s.finished_event(&owed, WITHIN).await["state"], "failed");
    let later = send_event(&s, "owes", "{}").await;
    assert_eq!(s.finished_event(&later, WITHIN).await["state"], "succeeded");
    // Once an event that finished later is gone, the cutoff has passed the owed one.
    eventually("the later event to be removed", WITHIN, || async {
        is_gone(&s, &later).await
    })
    .await;
    let v = s.event(&owed).await;
    assert_eq!(v["state"], "failed");
    assert_eq!(v["deliveries"][0]["state"], "pending", "{v}");
}
