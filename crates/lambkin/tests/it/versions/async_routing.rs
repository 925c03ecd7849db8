//! Asynchronous invocations of versions and aliases: the qualifier's own event-invoke config
//! and destinations, records carrying the qualified `functionArn` and the executed version, an
//! event keeping the version it was routed to across its retries, and the version and alias in
//! `inspect` and `/metrics`.

use std::time::Duration;

use aws_sdk_lambda::types::{DestinationConfig, OnFailure, OnSuccess};
use serde_json::Value;

use super::{arn, create, publish, set_env};
use crate::support::{
    TestServer, eventually, http, queue_with_arn, receive_one, send_event, sqs_client,
};

const WITHIN: Duration = Duration::from_secs(30);

fn body(m: &aws_sdk_sqs::types::Message) -> Value {
    serde_json::from_str(m.body().unwrap()).unwrap()
}

#[tokio::test]
async fn an_alias_has_its_own_async_config_and_its_events_keep_their_version() {
    // Retries one scaled minute apart: 3 s, time enough to move the alias in between.
    let s = TestServer::start_with(&["--time-scale", "0.05"]);
    let sqs = sqs_client(&s.url);
    let (failures, failures_arn) = queue_with_arn(&sqs, "live-failures").await;
    let (successes, successes_arn) = queue_with_arn(&sqs, "live-successes").await;

    // Version 1 fails, version 2 succeeds; the alias starts on 1.
    create(&s, "routed", "one").await;
    set_env(&s, "routed", &[("VAL", "one"), ("FAIL", "1")]).await;
    assert_eq!(publish(&s, "routed").await, "1");
    set_env(&s, "routed", &[("VAL", "two")]).await;
    assert_eq!(publish(&s, "routed").await, "2");
    s.lambda
        .create_alias()
        .function_name("routed")
        .name("live")
        .function_version("1")
        .send()
        .await
        .unwrap();
    s.lambda
        .put_function_event_invoke_config()
        .function_name("routed")
        .qualifier("live")
        .maximum_retry_attempts(1)
        .destination_config(
            DestinationConfig::builder()
                .on_failure(OnFailure::builder().destination(&failures_arn).build())
                .on_success(OnSuccess::builder().destination(&successes_arn).build())
                .build(),
        )
        .send()
        .await
        .unwrap();
    let got = s
        .lambda
        .get_function_event_invoke_config()
        .function_name("routed")
        .qualifier("live")
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.function_arn(),
        Some(format!("{}:live", arn("routed")).as_str())
    );
    // The alias's config is its own: $LATEST has none.
    let err = s
        .lambda
        .get_function_event_invoke_config()
        .function_name("routed")
        .send()
        .await
        .unwrap_err();
    assert_eq!(crate::support::aws_error(&err).2, 404);

    // The first attempt runs version 1 and fails; the alias then moves to version 2, but the
    // event's retry still runs version 1, the version it was routed to.
    let id = send_event(&s, "routed:live", r#"{"n":1}"#).await;
    eventually("the first attempt", WITHIN, || async {
        let v = s.event(&id).await;
        (v["invocations"] == 1).then_some(())
    })
    .await;
    s.lambda
        .update_alias()
        .function_name("routed")
        .name("live")
        .function_version("2")
        .send()
        .await
        .unwrap();
    let ended = s.finished_event(&id, WITHIN).await;
    assert_eq!(ended["state"], "failed", "{ended}");
    assert_eq!(ended["invocations"], 2);
    assert_eq!(ended["version"], "1", "{ended}");
    assert_eq!(ended["qualifier"], "live");
    assert_eq!(ended["resource"], "routed:live");

    let record = body(&receive_one(&sqs, &failures).await);
    assert_eq!(record["requestContext"]["requestId"], id.as_str());
    assert_eq!(
        record["requestContext"]["functionArn"],
        format!("{}:live", arn("routed")),
        "{record}"
    );
    assert_eq!(record["requestContext"]["approximateInvokeCount"], 2);
    assert_eq!(
        record["responseContext"]["executedVersion"], "1",
        "{record}"
    );
    assert_eq!(record["responsePayload"]["errorMessage"], "version 1 fails");

    // A new event is routed to version 2 and succeeds.
    let id = send_event(&s, "routed:live", r#"{"n":2}"#).await;
    let ended = s.finished_event(&id, WITHIN).await;
    assert_eq!(ended["state"], "succeeded", "{ended}");
    assert_eq!(ended["version"], "2");
    let record = body(&receive_one(&sqs, &successes).await);
    assert_eq!(
        record["requestContext"]["functionArn"],
        format!("{}:live", arn("routed"))
    );
    assert_eq!(record["responseContext"]["executedVersion"], "2");
    assert_eq!(record["responsePayload"]["v"], "two");

    // Unqualified events use $LATEST's (absent) config: no destinations, no records.
    let id = send_event(&s, "routed", r#"{"n":3}"#).await;
    let ended = s.finished_event(&id, WITHIN).await;
    assert_eq!(ended["version"], "$LATEST");
    assert_eq!(ended["resource"], "routed");
    assert!(
        ended["deliveries"].as_array().unwrap().is_empty(),
        "{ended}"
    );

    // /metrics: AWS's Resource and ExecutedVersion dimensions.
    let (_, metrics) = http(&s.url, "GET", "/metrics", &[], bytes::Bytes::new()).await;
    let metrics = String::from_utf8_lossy(&metrics);
    for line in [
        r#"lambkin_resource_invocations_total{function_name="routed",resource="routed:live",executed_version="1"} 2"#,
        r#"lambkin_resource_invocations_total{function_name="routed",resource="routed:live",executed_version="2"} 1"#,
        r#"lambkin_resource_errors_total{function_name="routed",resource="routed:live",executed_version="1"} 2"#,
    ] {
        assert!(metrics.contains(line), "{line} in\n{metrics}");
    }

    // `lambkin inspect` shows the alias and the version.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lambkin"))
        .args(["inspect", &id])
        .env("LAMBKIN_ENDPOINT", &s.url)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("resource    routed  version $LATEST"),
        "{text}"
    );
}
