//! The mapping control plane: CRUD, state transitions, and every refusal with AWS's code and
//! message.

use super::*;

#[tokio::test]
async fn esm_crud_answers_as_aws_and_states_settle() {
    let (s, _sqs, _) = setup("crud", "crud-q", &[]).await;
    let out = s
        .lambda
        .create_event_source_mapping()
        .event_source_arn(queue_arn("crud-q"))
        .function_name("crud")
        .send()
        .await
        .unwrap();
    let uuid = out.uuid().unwrap().to_string();
    assert_eq!(uuid.len(), 36);
    assert_eq!(out.state(), Some("Creating"));
    assert_eq!(out.state_transition_reason(), Some("USER_INITIATED"));
    assert_eq!(out.batch_size(), Some(10));
    assert_eq!(out.maximum_batching_window_in_seconds(), Some(0));
    assert_eq!(out.event_source_arn(), Some(queue_arn("crud-q").as_str()));
    assert_eq!(
        out.function_arn(),
        Some(format!("arn:aws:lambda:us-east-1:{ACCOUNT}:function:crud").as_str())
    );
    assert_eq!(
        out.event_source_mapping_arn(),
        Some(format!("arn:aws:lambda:us-east-1:{ACCOUNT}:event-source-mapping:{uuid}").as_str())
    );
    assert!(out.function_response_types().is_empty());
    assert!(out.filter_criteria().is_none() && out.scaling_config().is_none());
    let created = out.last_modified().unwrap().as_secs_f64();
    assert!(created > 1.7e9, "epoch seconds: {created}");

    // The raw body: a 202, epoch-seconds LastModified, the response types always listed.
    let (status, body) = http(
        &s.url,
        "GET",
        &format!("/2015-03-31/event-source-mappings/{uuid}"),
        &[],
        Bytes::new(),
    )
    .await;
    assert_eq!(status, 200);
    let raw: Value = serde_json::from_slice(&body).unwrap();
    assert!(
        raw["LastModified"].is_f64() || raw["LastModified"].is_u64(),
        "{raw}"
    );
    assert_eq!(raw["FunctionResponseTypes"], serde_json::json!([]));
    assert!(
        raw.get("Enabled").is_none(),
        "not a member of the answer: {raw}"
    );

    wait_state(&s, &uuid, "Enabled").await;

    // Update: settings merge; the answer is Updating, then Enabled again.
    let up = s
        .lambda
        .update_event_source_mapping()
        .uuid(&uuid)
        .batch_size(50)
        .maximum_batching_window_in_seconds(2)
        .function_response_types(FunctionResponseType::ReportBatchItemFailures)
        .scaling_config(ScalingConfig::builder().maximum_concurrency(3).build())
        .filter_criteria(
            FilterCriteria::builder()
                .filters(
                    Filter::builder()
                        .pattern(r#"{"body":{"kind":["a"]}}"#)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(up.state(), Some("Updating"));
    assert_eq!(up.batch_size(), Some(50));
    assert_eq!(up.maximum_batching_window_in_seconds(), Some(2));
    assert_eq!(
        up.function_response_types(),
        &[FunctionResponseType::ReportBatchItemFailures]
    );
    assert_eq!(up.scaling_config().unwrap().maximum_concurrency(), Some(3));
    assert_eq!(
        up.filter_criteria().unwrap().filters()[0].pattern(),
        Some(r#"{"body":{"kind":["a"]}}"#)
    );
    wait_state(&s, &uuid, "Enabled").await;
    let got = s
        .lambda
        .get_event_source_mapping()
        .uuid(&uuid)
        .send()
        .await
        .unwrap();
    assert_eq!(got.batch_size(), Some(50), "updates are kept");
    assert!(got.last_modified().unwrap().as_secs_f64() >= created);

    // Disable and enable: Disabling → Disabled, Enabling → Enabled.
    let off = s
        .lambda
        .update_event_source_mapping()
        .uuid(&uuid)
        .enabled(false)
        .send()
        .await
        .unwrap();
    assert_eq!(off.state(), Some("Disabling"));
    wait_state(&s, &uuid, "Disabled").await;
    let on = s
        .lambda
        .update_event_source_mapping()
        .uuid(&uuid)
        .enabled(true)
        .send()
        .await
        .unwrap();
    assert_eq!(on.state(), Some("Enabling"));
    wait_state(&s, &uuid, "Enabled").await;

    // Created disabled: Creating, then Disabled.
    s.create_node("other", "node-sqs-batch", "index.handler")
        .await;
    let second = s
        .lambda
        .create_event_source_mapping()
        .event_source_arn(queue_arn("crud-q"))
        .function_name(format!("arn:aws:lambda:us-east-1:{ACCOUNT}:function:other"))
        .enabled(false)
        .send()
        .await
        .unwrap();
    assert_eq!(second.state(), Some("Creating"));
    let second_uuid = second.uuid().unwrap().to_string();
    wait_state(&s, &second_uuid, "Disabled").await;

    // List: all, by queue, by function (name or ARN), paged.
    let all = s.lambda.list_event_source_mappings().send().await.unwrap();
    assert_eq!(all.event_source_mappings().len(), 2);
    let by_fn = s
        .lambda
        .list_event_source_mappings()
        .function_name("other")
        .send()
        .await
        .unwrap();
    let uuids: Vec<_> = by_fn
        .event_source_mappings()
        .iter()
        .map(|m| m.uuid().unwrap())
        .collect();
    assert_eq!(uuids, vec![second_uuid.as_str()]);
    let by_arn = s
        .lambda
        .list_event_source_mappings()
        .event_source_arn(queue_arn("crud-q"))
        .function_name(format!("arn:aws:lambda:us-east-1:{ACCOUNT}:function:crud"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        by_arn.event_source_mappings()[0].uuid(),
        Some(uuid.as_str())
    );
    let none = s
        .lambda
        .list_event_source_mappings()
        .function_name("doesnotexist")
        .send()
        .await
        .unwrap();
    assert!(none.event_source_mappings().is_empty());
    let first_page = s
        .lambda
        .list_event_source_mappings()
        .max_items(1)
        .send()
        .await
        .unwrap();
    assert_eq!(first_page.event_source_mappings().len(), 1);
    let marker = first_page.next_marker().expect("a second page").to_string();
    let second_page = s
        .lambda
        .list_event_source_mappings()
        .max_items(1)
        .marker(marker)
        .send()
        .await
        .unwrap();
    assert_eq!(second_page.event_source_mappings().len(), 1);
    assert!(second_page.next_marker().is_none());
    assert_ne!(
        first_page.event_source_mappings()[0].uuid(),
        second_page.event_source_mappings()[0].uuid()
    );

    // Delete: 202 Deleting, then gone.
    let del = s
        .lambda
        .delete_event_source_mapping()
        .uuid(&uuid)
        .send()
        .await
        .unwrap();
    assert_eq!(del.state(), Some("Deleting"));
    assert_eq!(del.uuid(), Some(uuid.as_str()));
    eventually(
        "the mapping to be gone",
        Duration::from_secs(10),
        || async {
            let e = s
                .lambda
                .get_event_source_mapping()
                .uuid(&uuid)
                .send()
                .await
                .err()?;
            Some(aws_error(&e))
        },
    )
    .await;
    let e = s
        .lambda
        .get_event_source_mapping()
        .uuid(&uuid)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_error(&e),
        ("ResourceNotFoundException".into(), NOT_FOUND.into(), 404)
    );
}

#[tokio::test]
async fn esm_refusals_carry_aws_codes_and_messages() {
    let (s, _sqs, _) = setup("v", "vq", &[]).await;
    let create = || {
        s.lambda
            .create_event_source_mapping()
            .event_source_arn(queue_arn("vq"))
            .function_name("v")
    };
    let invalid = |m: &str| {
        (
            "InvalidParameterValueException".to_string(),
            m.to_string(),
            400,
        )
    };
    let validation = |m: &str| ("ValidationException".to_string(), m.to_string(), 400);
    let filter = |p: &str| {
        FilterCriteria::builder()
            .filters(Filter::builder().pattern(p).build())
            .build()
    };
    let mut six = FilterCriteria::builder();
    for i in 0..6 {
        six = six.filters(
            Filter::builder()
                .pattern(format!(r#"{{"body":["{i}"]}}"#))
                .build(),
        );
    }
    let cases = vec![
        (
            "no EventSourceArn",
            s.lambda.create_event_source_mapping().function_name("v"),
            invalid("Unrecognized event source."),
        ),
        (
            "a source lambkin cannot read",
            create().event_source_arn(format!("arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/s")),
            invalid("Unrecognized event source."),
        ),
        (
            "no such function",
            create().function_name("doesnotexist"),
            invalid("Function does not exist"),
        ),
        (
            "no such queue",
            create().event_source_arn(queue_arn("nowhere")),
            invalid(
                "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist.",
            ),
        ),
        (
            "a queue of another account",
            create().event_source_arn("arn:aws:sqs:us-east-1:111111111111:vq"),
            invalid(
                "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist.",
            ),
        ),
        (
            "more than 10 without a window",
            create().batch_size(11),
            invalid(
                "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10",
            ),
        ),
        (
            "a FIFO queue with a window",
            create()
                .event_source_arn(queue_arn("vq.fifo"))
                .batch_size(5)
                .maximum_batching_window_in_seconds(2),
            invalid("Batching window is not supported for FIFO queues"),
        ),
        (
            "a FIFO queue with more than 10",
            create()
                .event_source_arn(queue_arn("vq.fifo"))
                .batch_size(11)
                .maximum_batching_window_in_seconds(1),
            invalid("Batching window is not supported for FIFO queues"),
        ),
        (
            "a pattern that is not one",
            create().filter_criteria(filter("simple string")),
            invalid("Invalid filter pattern definition."),
        ),
        (
            "a pattern whose leaves are not arrays",
            create().filter_criteria(filter(r#"{"body":"x"}"#)),
            invalid("Invalid filter pattern definition."),
        ),
        (
            "a filter without a pattern",
            create().filter_criteria(
                FilterCriteria::builder()
                    .filters(Filter::builder().build())
                    .build(),
            ),
            invalid("Invalid filter pattern definition."),
        ),
        (
            "six filters",
            create().filter_criteria(six.build()),
            invalid("The FilterCriteria of an event source mapping can have at most 5 filters."),
        ),
        (
            "batch size 0",
            create().batch_size(0),
            validation(
                "1 validation error detected: Value '0' at 'batchSize' failed to satisfy constraint: Member must have value greater than or equal to 1",
            ),
        ),
        (
            "batch size 10001",
            create()
                .batch_size(10_001)
                .maximum_batching_window_in_seconds(1),
            validation(
                "1 validation error detected: Value '10001' at 'batchSize' failed to satisfy constraint: Member must have value less than or equal to 10000",
            ),
        ),
        (
            "a window of 301 s",
            create().maximum_batching_window_in_seconds(301),
            validation(
                "1 validation error detected: Value '301' at 'maximumBatchingWindowInSeconds' failed to satisfy constraint: Member must have value less than or equal to 300",
            ),
        ),
        (
            "MaximumConcurrency 1",
            create().scaling_config(ScalingConfig::builder().maximum_concurrency(1).build()),
            validation(
                "1 validation error detected: Value '1' at 'scalingConfig.maximumConcurrency' failed to satisfy constraint: Member must have value greater than or equal to 2",
            ),
        ),
        (
            "MaximumConcurrency 1001",
            create().scaling_config(ScalingConfig::builder().maximum_concurrency(1001).build()),
            validation(
                "1 validation error detected: Value '1001' at 'scalingConfig.maximumConcurrency' failed to satisfy constraint: Member must have value less than or equal to 1000",
            ),
        ),
        (
            "an unknown response type",
            create().function_response_types(FunctionResponseType::from("Partial")),
            validation(
                "1 validation error detected: Value '[Partial]' at 'functionResponseTypes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]",
            ),
        ),
    ];
    for (case, req, want) in cases {
        let e = req.send().await.expect_err(case);
        assert_eq!(aws_error(&e), want, "{case}");
    }
    assert!(
        s.lambda
            .list_event_source_mappings()
            .send()
            .await
            .unwrap()
            .event_source_mappings()
            .is_empty(),
        "no refused create left a mapping"
    );

    // One mapping per queue and function.
    let first = create().send().await.unwrap();
    let uuid = first.uuid().unwrap();
    let e = create().send().await.unwrap_err();
    assert_eq!(
        aws_error(&e),
        (
            "ResourceConflictException".into(),
            format!(
                "An event source mapping with SQS arn (\" {} \") and function (\" v \") already exists. Please update or delete the existing mapping with UUID {uuid}",
                queue_arn("vq")
            ),
            409
        )
    );
    // The same rules hold for an update, on the mapping as it would be.
    let e = s
        .lambda
        .update_event_source_mapping()
        .uuid(uuid)
        .batch_size(100)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_error(&e),
        invalid(
            "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10"
        )
    );
    let e = s
        .lambda
        .update_event_source_mapping()
        .uuid(uuid)
        .function_name("doesnotexist")
        .send()
        .await
        .unwrap_err();
    assert_eq!(aws_error(&e), invalid("Function does not exist"));

    // Unknown UUIDs.
    let unknown = "6a4f1b9e-1111-4222-8333-444455556666";
    let not_found = (
        "ResourceNotFoundException".to_string(),
        NOT_FOUND.to_string(),
        404,
    );
    let e = s
        .lambda
        .get_event_source_mapping()
        .uuid(unknown)
        .send()
        .await
        .unwrap_err();
    assert_eq!(aws_error(&e), not_found);
    let e = s
        .lambda
        .update_event_source_mapping()
        .uuid(unknown)
        .enabled(false)
        .send()
        .await
        .unwrap_err();
    assert_eq!(aws_error(&e), not_found);
    let e = s
        .lambda
        .delete_event_source_mapping()
        .uuid(unknown)
        .send()
        .await
        .unwrap_err();
    assert_eq!(aws_error(&e), not_found);

    // List parameters.
    let e = s
        .lambda
        .list_event_source_mappings()
        .max_items(0)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_error(&e),
        validation(
            "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"
        )
    );

    // What the SDK will not send: no FunctionName, and a body that is not JSON.
    let (status, body) = http(
        &s.url,
        "POST",
        "/2015-03-31/event-source-mappings",
        &[("content-type", "application/json")],
        Bytes::from(format!(r#"{{"EventSourceArn":"{}"}}"#, queue_arn("vq"))),
    )
    .await;
    assert_eq!(status, 400);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        v["message"],
        "1 validation error detected: Value null at 'functionName' failed to satisfy constraint: Member must not be null"
    );
    let (status, _) = http(
        &s.url,
        "POST",
        "/2015-03-31/event-source-mappings",
        &[("content-type", "application/json")],
        Bytes::from_static(b"{not json"),
    )
    .await;
    assert_eq!(status, 400);
}
