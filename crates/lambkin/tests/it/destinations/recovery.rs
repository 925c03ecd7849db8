//! Getting failed events back: `kill -9` between the final attempt and its delivery, and
//! `lambkin dlq redrive` after the function is fixed.

use super::*;

#[tokio::test]
async fn redrive_requeues_dead_letters_once_the_function_is_fixed() {
    let s = TestServer::start();
    let sqs = sqs_client(&s.url);
    let dlq = create_queue(&sqs, "redrive-dlq").await;
    create_js(
        &s,
        "svc",
        BROKEN_UNLESS_FIXED,
        Some(&queue_arn("redrive-dlq")),
    )
    .await;
    s.lambda
        .update_function_configuration()
        .function_name("svc")
        .environment(Environment::builder().variables("BROKEN", "1").build())
        .send()
        .await
        .unwrap();
    s.lambda
        .put_function_event_invoke_config()
        .function_name("svc")
        .maximum_retry_attempts(0)
        .send()
        .await
        .unwrap();
    let mut failed = Vec::new();
    for n in 0..3 {
        failed.push(send_event(&s, "svc", &format!(r#"{{"n":{n}}}"#)).await);
    }
    for id in &failed {
        delivered_event(&s, id).await;
    }
    let visible = |sqs: aws_sdk_sqs::Client, url: String| async move {
        let a = sqs
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::All)
            .send()
            .await
            .unwrap();
        let get = |n: QueueAttributeName| {
            a.attributes()
                .and_then(|m| m.get(&n))
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(u64::MAX)
        };
        (
            get(QueueAttributeName::ApproximateNumberOfMessages),
            get(QueueAttributeName::ApproximateNumberOfMessagesNotVisible),
        )
    };
    assert_eq!(visible(sqs.clone(), dlq.clone()).await, (3, 0));

    // Without a fix the redriven events would fail again; fix first, as users do.
    s.lambda
        .update_function_configuration()
        .function_name("svc")
        .environment(Environment::builder().variables("BROKEN", "0").build())
        .send()
        .await
        .unwrap();
    let (status, report) = s.admin_post("/_lambkin/v1/functions/svc/redrive").await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["queueArn"], queue_arn("redrive-dlq"));
    let requeued: Vec<String> = report["requeued"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(requeued.len(), 3, "{report}");
    assert_eq!(
        visible(sqs.clone(), dlq.clone()).await,
        (0, 0),
        "each message is deleted once its new event is queued"
    );
    let mut fixed = Vec::new();
    for id in &requeued {
        assert!(!failed.contains(id), "a redriven event is a new event");
        let v = s.finished_event(id, WITHIN).await;
        assert_eq!(v["state"], "succeeded", "{v}");
        fixed.push(v["payload"]["n"].as_u64().unwrap());
    }
    fixed.sort_unstable();
    assert_eq!(fixed, vec![0, 1, 2], "the original payloads ran again");

    // A function with nothing to redrive from says so.
    create_js(&s, "plain", ECHOES, None).await;
    let (status, err) = s.admin_post("/_lambkin/v1/functions/plain/redrive").await;
    assert_eq!(status, 400, "{err}");
}

/// `kill -9` after the final attempt, before its delivery: the outbox row committed with the
/// final state is delivered after the restart.
#[tokio::test]
async fn kill_9_between_final_attempt_and_delivery_still_delivers() {
    let mut s = TestServer::start_with(&["--time-scale", "0.01", "--hold-deliveries"]);
    let sqs = sqs_client(&s.url);
    let ko = create_queue(&sqs, "crash-ko").await;
    let dlq = create_queue(&sqs, "crash-dlq").await;
    create_js(&s, "f", FAILS, Some(&queue_arn("crash-dlq"))).await;
    set_destinations(&s, "f", 0, None, Some(&queue_arn("crash-ko"))).await;
    let id = send_event(&s, "f", r#"{"n":9}"#).await;
    let v = s.finished_event(&id, WITHIN).await;
    assert_eq!(v["state"], "failed");
    let states: Vec<&str> = v["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["state"].as_str())
        .collect();
    assert_eq!(states, ["pending", "pending"], "owed, not yet delivered");

    s.kill9();
    let s = TestServer::start_in(&s.data.clone(), &["--time-scale", "0.01"]);
    let sqs = sqs_client(&s.url);
    let record = body_json(&receive_one(&sqs, &on_server(&ko, &s.url)).await);
    assert_eq!(record["requestContext"]["requestId"], id.as_str());
    let m = receive_one(&sqs, &on_server(&dlq, &s.url)).await;
    assert_eq!(m.body(), Some(r#"{"n":9}"#));
    let v = delivered_event(&s, &id).await;
    assert!(
        v["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["state"] == "delivered"),
        "{v}"
    );
}

/// The same queue's URL on a restarted server (queue URLs name the address they came from).
fn on_server(queue_url: &str, base: &str) -> String {
    let path = queue_url
        .splitn(4, '/')
        .nth(3)
        .expect("queue URL has a path");
    format!("{base}/{path}")
}
