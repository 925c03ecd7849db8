//! A mapping across its life: disabled and enabled, across a restart and `kill -9`, a chain of
//! invocations through its messages, and throttling.

use super::*;

#[tokio::test]
async fn esm_disabling_stops_delivery_and_enabling_resumes_it() {
    let (s, sqs, url) = setup("toggle", "toggle-q", &[]).await;
    let uuid = map(&s, "toggle-q", "toggle", 10, 0).await;
    let first = send_all(&sqs, &url, &["before"]).await;
    eventually("the first message", Duration::from_secs(20), || async {
        deliveries(&records(&s, "toggle").await)
            .contains_key(&first[0])
            .then_some(())
    })
    .await;
    s.lambda
        .update_event_source_mapping()
        .uuid(&uuid)
        .enabled(false)
        .send()
        .await
        .unwrap();
    wait_state(&s, &uuid, "Disabled").await;
    let second = send_all(&sqs, &url, &["while disabled"]).await;
    // Absence over a window: the message stays visible, untouched, while disabled.
    let until = Instant::now() + Duration::from_millis(1500);
    while Instant::now() < until {
        assert_eq!(
            counts(&sqs, &url).await,
            (1, 0),
            "not received while disabled"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!deliveries(&records(&s, "toggle").await).contains_key(&second[0]));
    s.lambda
        .update_event_source_mapping()
        .uuid(&uuid)
        .enabled(true)
        .send()
        .await
        .unwrap();
    wait_state(&s, &uuid, "Enabled").await;
    eventually("the second message", Duration::from_secs(20), || async {
        deliveries(&records(&s, "toggle").await)
            .contains_key(&second[0])
            .then_some(())
    })
    .await;
    wait_empty(&sqs, &url).await;
}

#[tokio::test]
async fn esm_a_mapping_survives_a_restart() {
    let (mut s, _, _) = setup("kept", "kept-q", &[]).await;
    let uuid = map(&s, "kept-q", "kept", 20, 3).await;
    s.kill9();
    let s = TestServer::start_in(&s.data, &["--time-scale", "0.01"]);
    let got = s
        .lambda
        .get_event_source_mapping()
        .uuid(&uuid)
        .send()
        .await
        .unwrap();
    assert_eq!(got.batch_size(), Some(20));
    assert_eq!(got.maximum_batching_window_in_seconds(), Some(3));
    assert_eq!(got.state(), Some("Enabled"));
    let sqs = sqs_client(&s.url);
    let url = sqs
        .get_queue_url()
        .queue_name("kept-q")
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_string();
    let ids = send_all(&sqs, &url, &["after the restart"]).await;
    eventually(
        "delivery after the restart",
        Duration::from_secs(20),
        || async {
            deliveries(&records(&s, "kept").await)
                .contains_key(&ids[0])
                .then_some(())
        },
    )
    .await;
    wait_empty(&sqs, &url).await;
}

/// A batch in flight when the server is killed is neither lost nor counted done: its message
/// comes back after the visibility timeout and runs again after the restart.
#[tokio::test]
async fn esm_an_in_flight_batch_runs_again_after_kill_9() {
    let (mut s, sqs, url) = setup(
        "inflight",
        "inflight-q",
        &[(QueueAttributeName::VisibilityTimeout, "4")],
    )
    .await;
    s.lambda
        .update_function_configuration()
        .function_name("inflight")
        .timeout(30)
        .send()
        .await
        .unwrap();
    map(&s, "inflight-q", "inflight", 10, 0).await;
    let ids = send_all(&sqs, &url, &["sleep:3000 important"]).await;
    eventually("the batch to start", Duration::from_secs(20), || async {
        (!records(&s, "inflight").await.is_empty()).then_some(())
    })
    .await;
    s.kill9();
    let s = TestServer::start_in(&s.data, &["--time-scale", "0.01"]);
    let again = eventually(
        "the batch to run again",
        Duration::from_secs(30),
        || async {
            let r = records(&s, "inflight").await;
            (r.len() >= 2).then_some(r)
        },
    )
    .await;
    assert_eq!(again[1]["messageId"], ids[0].as_str());
    assert_eq!(again[1]["attributes"]["ApproximateReceiveCount"], "2");
    let sqs = sqs_client(&s.url);
    wait_empty(&sqs, &url).await;
}

/// The chain of invocations travels in the messages' `AWSTraceHeader`: a batch continues it,
/// and one that would be invocation 17 of its chain is not run.
#[tokio::test]
async fn esm_batches_continue_the_chain_of_their_messages() {
    let (s, sqs, url, dlq) = setup_with_dlq("chain", "chain-q", 1).await;
    let send = |lineage: u32| {
        sqs.send_message()
            .queue_url(&url)
            .message_body(format!("lineage {lineage}"))
            .message_system_attributes(
                MessageSystemAttributeNameForSends::AwsTraceHeader,
                MessageSystemAttributeValue::builder()
                    .data_type("String")
                    .string_value(format!(
                        "Root=1-6553f100-c2a6f2ae1234400080000000;Lineage=a87bd80c:{lineage}"
                    ))
                    .build()
                    .unwrap(),
            )
            .send()
    };
    map(&s, "chain-q", "chain", 1, 0).await;
    send(15).await.unwrap();
    let log = s.log_with("chain", "TRACE ").await;
    assert!(
        log.contains(":16"),
        "the 16th invocation of the chain runs: {log}"
    );
    let looped = send(16).await.unwrap();
    // Stopped, never run: it returns to the queue and its redrive takes it.
    assert_eq!(
        ids_in(&sqs, &dlq, 1).await,
        vec![looped.message_id().unwrap().to_string()]
    );
    let seen = deliveries(&records(&s, "chain").await);
    assert!(!seen.contains_key(looped.message_id().unwrap()), "{seen:?}");
}

/// A throttled invoke hands its batch back at once (not after the visibility timeout), and the
/// poller backs off; each hand-back is a receive, so redrive still applies.
#[tokio::test]
async fn esm_a_throttled_batch_goes_back_to_the_queue_at_once() {
    let s = TestServer::start();
    s.create_node("held", "node-sqs-batch", "index.handler")
        .await;
    s.reserve("held", 0).await;
    let sqs = sqs_client(&s.url);
    let dlq = create_queue(&sqs, "held-dlq", &[]).await;
    let url = create_queue(
        &sqs,
        "held-q",
        &[
            (QueueAttributeName::VisibilityTimeout, "60"),
            (
                QueueAttributeName::RedrivePolicy,
                &redrive_to("held-dlq", 3),
            ),
        ],
    )
    .await;
    let ids = send_all(&sqs, &url, &["throttled"]).await;
    map(&s, "held-q", "held", 10, 0).await;
    // Three receives within the test's deadline: each throttle released the message at once
    // (a 60 s visibility timeout would have held it for minutes).
    assert_eq!(ids_in(&sqs, &dlq, 1).await, ids);
    assert!(
        records(&s, "held").await.is_empty(),
        "the function never ran"
    );
}
