//! EventBridge through `aws-sdk-eventbridge`: rules route matching events to queues, topics,
//! functions and other buses, exactly in EventBridge's envelope; input transformation; a
//! target that cannot be reached goes to its dead-letter queue with EventBridge's attributes;
//! Lambda's EventBridge destination; and the control plane's answers and errors.
//! `schedules.rs` covers scheduled rules and their crashes.

mod control;
mod scheduler;
mod schedules;

use std::time::Duration;

use aws_sdk_eventbridge::types::{
    DeadLetterConfig, InputTransformer, PutEventsRequestEntry, RetryPolicy, Target,
};
use serde_json::{Value, json};

use crate::support::{
    TestServer, create_topic, eventbridge_client, queue_with_arn, receive_n, sns_client,
    sqs_client, zip_with,
};

const WITHIN: Duration = Duration::from_secs(30);

fn entry(source: &str, detail: Value) -> PutEventsRequestEntry {
    PutEventsRequestEntry::builder()
        .source(source)
        .detail_type("Order Placed")
        .detail(detail.to_string())
        .resources("arn:aws:shop:us-east-1:000000000000:order/1")
        .build()
}

fn body(m: &aws_sdk_sqs::types::Message) -> Value {
    serde_json::from_str(m.body().unwrap()).unwrap()
}

#[tokio::test]
async fn matching_events_reach_each_target_in_eventbridges_envelope() {
    let s = TestServer::start();
    let eb = eventbridge_client(&s.url);
    let sqs = sqs_client(&s.url);
    let (whole_url, whole_arn) = queue_with_arn(&sqs, "whole").await;
    let (shaped_url, shaped_arn) = queue_with_arn(&sqs, "shaped").await;
    let (path_url, path_arn) = queue_with_arn(&sqs, "path").await;
    // A topic target, seen through a queue subscribed to it.
    let sns = sns_client(&s.url);
    let (fanned_url, fanned_arn) = queue_with_arn(&sqs, "fanned").await;
    let topic = create_topic(&sns, "order-events").await;
    sns.subscribe()
        .topic_arn(&topic)
        .protocol("sqs")
        .endpoint(&fanned_arn)
        .attributes("RawMessageDelivery", "true")
        .send()
        .await
        .unwrap();
    let rule_arn = eb
        .put_rule()
        .name("big-orders")
        .event_pattern(
            json!({"source": ["shop"], "detail": {"total": [{"numeric": [">", 100]}]}}).to_string(),
        )
        .send()
        .await
        .unwrap()
        .rule_arn
        .unwrap();
    assert_eq!(
        rule_arn,
        "arn:aws:events:us-east-1:000000000000:rule/big-orders"
    );
    let out = eb
        .put_targets()
        .rule("big-orders")
        .targets(Target::builder().id("whole").arn(&whole_arn).build().unwrap())
        .targets(
            Target::builder()
                .id("shaped")
                .arn(&shaped_arn)
                .input_transformer(
                    InputTransformer::builder()
                        .input_paths_map("order", "$.detail.id")
                        .input_paths_map("total", "$.detail.total")
                        .input_template(
                            r#"{"text": "order <order> came to <total>", "total": <total>, "rule": "<aws.events.rule-name>"}"#,
                        )
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .targets(
            Target::builder()
                .id("path")
                .arn(&path_arn)
                .input_path("$.detail")
                .build()
                .unwrap(),
        )
        .targets(Target::builder().id("topic").arn(&topic).build().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(out.failed_entry_count, 0);

    let put = eb
        .put_events()
        .entries(entry("shop", json!({"id": "o-1", "total": 250})))
        .entries(entry("shop", json!({"id": "o-2", "total": 20})))
        .entries(entry("elsewhere", json!({"id": "o-3", "total": 999})))
        .send()
        .await
        .unwrap();
    assert_eq!(put.failed_entry_count, 0);
    let ids: Vec<String> = put
        .entries()
        .iter()
        .map(|e| e.event_id().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 3);

    let whole = receive_n(&sqs, &whole_url, 1, WITHIN).await;
    let event = body(&whole[0]);
    assert_eq!(
        whole[0].body().unwrap(),
        format!(
            r#"{{"version":"0","id":"{}","detail-type":"Order Placed","source":"shop","account":"000000000000","time":"{}","region":"us-east-1","resources":["arn:aws:shop:us-east-1:000000000000:order/1"],"detail":{{"id":"o-1","total":250}}}}"#,
            ids[0],
            event["time"].as_str().unwrap()
        ),
        "the envelope, member for member and in EventBridge's order"
    );
    let time = event["time"].as_str().unwrap();
    assert!(
        time.len() == 20 && time.ends_with('Z'),
        "time to the second: {time}"
    );
    let shaped = receive_n(&sqs, &shaped_url, 1, WITHIN).await;
    assert_eq!(
        body(&shaped[0]),
        json!({"text": "order o-1 came to 250", "total": 250, "rule": "big-orders"})
    );
    let path = receive_n(&sqs, &path_url, 1, WITHIN).await;
    assert_eq!(body(&path[0]), json!({"id": "o-1", "total": 250}));
    let fanned = receive_n(&sqs, &fanned_url, 1, WITHIN).await;
    assert_eq!(
        fanned[0].body(),
        whole[0].body(),
        "the topic published the event as it is"
    );

    // Only the matching event was delivered: one more put that matches arrives alone.
    eb.put_events()
        .entries(entry("shop", json!({"id": "o-4", "total": 101})))
        .send()
        .await
        .unwrap();
    let next = receive_n(&sqs, &whole_url, 1, WITHIN).await;
    assert_eq!(body(&next[0])["detail"]["id"], "o-4");
}

#[tokio::test]
async fn a_function_target_is_invoked_asynchronously_with_the_event() {
    let s = TestServer::start();
    let eb = eventbridge_client(&s.url);
    let code = r#"exports.handler = async (event) => {
        console.log("EVENT " + JSON.stringify(event));
        return {};
    };"#;
    s.create(
        "on-order",
        aws_sdk_lambda::types::Runtime::Nodejs20x,
        "index.handler",
        zip_with(&[("index.js", code, 0o644)]),
    )
    .await;
    eb.put_rule()
        .name("orders")
        .event_pattern(r#"{"detail-type": ["Order Placed"]}"#)
        .send()
        .await
        .unwrap();
    eb.put_targets()
        .rule("orders")
        .targets(
            Target::builder()
                .id("fn")
                .arn("arn:aws:lambda:us-east-1:000000000000:function:on-order")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let put = eb
        .put_events()
        .entries(entry("shop", json!({"id": "o-9"})))
        .send()
        .await
        .unwrap();
    let id = put.entries()[0].event_id().unwrap().to_string();
    let line = s.log_with("on-order", &id).await;
    let json = line
        .lines()
        .find_map(|l| l.split("EVENT ").nth(1))
        .expect("the function logged the event");
    let logged: Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(logged["id"], id.as_str());
    assert_eq!(logged["detail"], json!({"id": "o-9"}));
    assert_eq!(logged["source"], "shop");
}

#[tokio::test]
async fn an_unreachable_target_goes_to_its_dead_letter_queue_with_eventbridges_attributes() {
    let s = TestServer::start();
    let eb = eventbridge_client(&s.url);
    let sqs = sqs_client(&s.url);
    let (dlq_url, dlq_arn) = queue_with_arn(&sqs, "eb-dlq").await;
    eb.put_rule()
        .name("to-nowhere")
        .event_pattern(r#"{"source": ["shop"]}"#)
        .send()
        .await
        .unwrap();
    let missing = "arn:aws:lambda:us-east-1:000000000000:function:does-not-exist";
    eb.put_targets()
        .rule("to-nowhere")
        .targets(
            Target::builder()
                .id("gone")
                .arn(missing)
                .retry_policy(
                    RetryPolicy::builder()
                        .maximum_retry_attempts(2)
                        .maximum_event_age_in_seconds(60)
                        .build(),
                )
                .dead_letter_config(DeadLetterConfig::builder().arn(&dlq_arn).build())
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let put = eb
        .put_events()
        .entries(entry("shop", json!({"id": "o-5"})))
        .send()
        .await
        .unwrap();
    let id = put.entries()[0].event_id().unwrap();
    let got = receive_n(&sqs, &dlq_url, 1, WITHIN).await;
    let m = &got[0];
    assert_eq!(body(m)["id"], id, "the event itself");
    let attr = |name: &str| {
        m.message_attributes()
            .and_then(|a| a.get(name))
            .and_then(|v| v.string_value())
            .unwrap_or_else(|| panic!("attribute {name} in {:?}", m.message_attributes()))
            .to_string()
    };
    assert_eq!(
        attr("RULE_ARN"),
        "arn:aws:events:us-east-1:000000000000:rule/to-nowhere"
    );
    assert_eq!(attr("TARGET_ARN"), missing);
    assert_eq!(attr("ERROR_CODE"), "RESOURCE_NOT_FOUND");
    assert!(attr("ERROR_MESSAGE").contains("does-not-exist"));
    // A target that does not exist is not retried.
    assert_eq!(attr("RETRY_ATTEMPTS"), "0");
}

#[tokio::test]
async fn lambdas_eventbridge_destination_puts_the_record_on_the_bus() {
    let s = TestServer::start();
    let eb = eventbridge_client(&s.url);
    let sqs = sqs_client(&s.url);
    let (url, arn) = queue_with_arn(&sqs, "results").await;
    let bus = eb
        .create_event_bus()
        .name("results")
        .send()
        .await
        .unwrap()
        .event_bus_arn
        .unwrap();
    assert_eq!(
        bus,
        "arn:aws:events:us-east-1:000000000000:event-bus/results"
    );
    eb.put_rule()
        .name("failures")
        .event_bus_name("results")
        .event_pattern(
            r#"{"source": ["lambda"], "detail-type": ["Lambda Function Invocation Result - Failure"]}"#,
        )
        .send()
        .await
        .unwrap();
    eb.put_targets()
        .rule("failures")
        .event_bus_name(&bus)
        .targets(Target::builder().id("q").arn(&arn).build().unwrap())
        .send()
        .await
        .unwrap();
    let fails = r#"exports.handler = async (event) => { throw new Error("nope " + event.n); };"#;
    s.create(
        "fails",
        aws_sdk_lambda::types::Runtime::Nodejs20x,
        "index.handler",
        zip_with(&[("index.js", fails, 0o644)]),
    )
    .await;
    s.lambda
        .put_function_event_invoke_config()
        .function_name("fails")
        .maximum_retry_attempts(0)
        .destination_config(
            aws_sdk_lambda::types::DestinationConfig::builder()
                .on_failure(
                    aws_sdk_lambda::types::OnFailure::builder()
                        .destination(&bus)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let request_id = crate::support::send_event(&s, "fails", r#"{"n": 7}"#).await;
    let got = receive_n(&sqs, &url, 1, WITHIN).await;
    let event = body(&got[0]);
    assert_eq!(event["source"], "lambda");
    assert_eq!(
        event["detail-type"],
        "Lambda Function Invocation Result - Failure"
    );
    let function = "arn:aws:lambda:us-east-1:000000000000:function:fails";
    assert_eq!(
        event["resources"],
        json!([format!("{function}:$LATEST"), bus]),
        "the function (qualified, as in the record) and the bus"
    );
    let record = &event["detail"];
    assert_eq!(record["requestContext"]["requestId"], request_id.as_str());
    assert_eq!(record["requestContext"]["condition"], "RetriesExhausted");
    assert_eq!(record["requestPayload"], json!({"n": 7}));
    assert_eq!(record["responsePayload"]["errorMessage"], "nope 7");
}

#[tokio::test]
async fn a_rule_can_forward_to_another_bus() {
    let s = TestServer::start();
    let eb = eventbridge_client(&s.url);
    let sqs = sqs_client(&s.url);
    let (url, arn) = queue_with_arn(&sqs, "far").await;
    let far = eb
        .create_event_bus()
        .name("far")
        .send()
        .await
        .unwrap()
        .event_bus_arn
        .unwrap();
    eb.put_rule()
        .name("onward")
        .event_pattern(r#"{"source": ["shop"]}"#)
        .send()
        .await
        .unwrap();
    eb.put_targets()
        .rule("onward")
        .targets(Target::builder().id("bus").arn(&far).build().unwrap())
        .send()
        .await
        .unwrap();
    eb.put_rule()
        .name("arrivals")
        .event_bus_name("far")
        .event_pattern(r#"{"detail": {"id": [{"prefix": "o-"}]}}"#)
        .send()
        .await
        .unwrap();
    eb.put_targets()
        .rule("arrivals")
        .event_bus_name("far")
        .targets(Target::builder().id("q").arn(&arn).build().unwrap())
        .send()
        .await
        .unwrap();
    let put = eb
        .put_events()
        .entries(entry("shop", json!({"id": "o-77"})))
        .send()
        .await
        .unwrap();
    let got = receive_n(&sqs, &url, 1, WITHIN).await;
    assert_eq!(body(&got[0])["id"], put.entries()[0].event_id().unwrap());
    assert_eq!(body(&got[0])["detail"], json!({"id": "o-77"}));
}

#[tokio::test]
async fn put_events_reports_each_refused_entry_in_order() {
    let s = TestServer::start();
    let eb = eventbridge_client(&s.url);
    let out = eb
        .put_events()
        .entries(entry("shop", json!({"ok": true})))
        .entries(
            PutEventsRequestEntry::builder()
                .source("shop")
                .detail_type("x")
                .build(),
        )
        .entries(
            PutEventsRequestEntry::builder()
                .source("shop")
                .detail_type("x")
                .detail("[1, 2]")
                .build(),
        )
        .entries(
            PutEventsRequestEntry::builder()
                .detail_type("x")
                .detail("{}")
                .build(),
        )
        .entries(
            PutEventsRequestEntry::builder()
                .source("shop")
                .detail_type("x")
                .detail("{}")
                .event_bus_name("nope")
                .build(),
        )
        .entries(
            PutEventsRequestEntry::builder()
                .source("aws.s3")
                .detail_type("x")
                .detail("{}")
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(out.failed_entry_count, 5);
    let got: Vec<(Option<&str>, Option<&str>)> = out
        .entries()
        .iter()
        .map(|e| (e.error_code(), e.error_message()))
        .collect();
    assert!(out.entries()[0].event_id().is_some());
    assert_eq!(
        &got[1..],
        &[
            (
                Some("InvalidArgument"),
                Some("Parameter Detail is not valid. Reason: Detail is a required argument.")
            ),
            (Some("MalformedDetail"), Some("Detail is malformed.")),
            (
                Some("InvalidArgument"),
                Some("Parameter Source is not valid. Reason: Source is a required argument.")
            ),
            (
                Some("ResourceNotFoundException"),
                Some("Event bus nope does not exist.")
            ),
            (
                Some("NotAuthorizedForSourceException"),
                Some("Not authorized for the source.")
            ),
        ]
    );
    let too_many = eb
        .put_events()
        .set_entries(Some(
            (0..11).map(|i| entry("shop", json!({ "i": i }))).collect(),
        ))
        .send()
        .await
        .unwrap_err();
    let e = too_many.into_service_error();
    assert_eq!(
        aws_sdk_eventbridge::error::ProvideErrorMetadata::code(&e),
        Some("ValidationException")
    );
    let big = "x".repeat(300 * 1024);
    let too_big = eb
        .put_events()
        .entries(entry("shop", json!({ "big": big })))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        aws_sdk_eventbridge::error::ProvideErrorMetadata::message(&too_big),
        Some("Total size of the entries in the request is over the limit.")
    );
}

#[tokio::test]
async fn acknowledged_events_are_delivered_after_kill_9() {
    // Deliveries are held, so the put events are only in the store when the server dies.
    let mut s = TestServer::start_with(&["--hold-deliveries"]);
    let eb = eventbridge_client(&s.url);
    let sqs = sqs_client(&s.url);
    let (url, arn) = queue_with_arn(&sqs, "kept").await;
    eb.put_rule()
        .name("keep")
        .event_pattern(r#"{"source": ["shop"]}"#)
        .send()
        .await
        .unwrap();
    eb.put_targets()
        .rule("keep")
        .targets(Target::builder().id("q").arn(&arn).build().unwrap())
        .send()
        .await
        .unwrap();
    let mut ids = Vec::new();
    for n in 0..5 {
        let put = eb
            .put_events()
            .entries(entry("shop", json!({ "n": n })))
            .entries(entry("shop", json!({ "n": n + 100 })))
            .send()
            .await
            .unwrap();
        assert_eq!(put.failed_entry_count, 0);
        ids.extend(
            put.entries()
                .iter()
                .map(|e| e.event_id().unwrap().to_string()),
        );
    }
    s.kill9();
    let s = TestServer::start_in(&s.data, &[]);
    let sqs = sqs_client(&s.url);
    let got = receive_n(&sqs, &url, ids.len(), WITHIN).await;
    let mut delivered: Vec<String> = got
        .iter()
        .map(|m| body(m)["id"].as_str().unwrap().to_string())
        .collect();
    delivered.sort();
    delivered.dedup();
    ids.sort();
    assert_eq!(delivered, ids, "every acknowledged event, once");
}
