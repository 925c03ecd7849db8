//! Tables: create (with an index, both billing modes), the SDK's waiter, describe, list, TTL,
//! delete, and DynamoDB's errors; every answer carries the body's CRC32.

use std::time::Duration;

use aws_sdk_dynamodb::client::Waiters;
use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TableStatus, TimeToLiveSpecification, TimeToLiveStatus,
};
use bytes::Bytes;

use crate::support::{TestServer, dynamodb_client, http_full};

fn attribute(name: &str, t: ScalarAttributeType) -> AttributeDefinition {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(t)
        .build()
        .unwrap()
}

fn key(name: &str, t: KeyType) -> KeySchemaElement {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(t)
        .build()
        .unwrap()
}

fn code_and_message<E: ProvideErrorMetadata>(e: &E) -> (String, String) {
    (
        e.code().unwrap_or_default().to_string(),
        e.message().unwrap_or_default().to_string(),
    )
}

#[tokio::test]
async fn tables_are_created_described_listed_and_deleted_as_dynamodb_does() {
    let mut s = TestServer::start();
    let ddb = dynamodb_client(&s.url);
    let created = ddb
        .create_table()
        .table_name("ProcessedRequests")
        .attribute_definitions(attribute("requestId", ScalarAttributeType::S))
        .key_schema(key("requestId", KeyType::Hash))
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .unwrap();
    let d = created.table_description().unwrap();
    assert_eq!(d.table_status(), Some(&TableStatus::Creating));
    assert_eq!(
        d.table_arn(),
        Some("arn:aws:dynamodb:us-east-1:000000000000:table/ProcessedRequests")
    );
    ddb.wait_until_table_exists()
        .table_name("ProcessedRequests")
        .wait(Duration::from_secs(30))
        .await
        .expect("the SDK's waiter sees the table ACTIVE");
    ddb.create_table()
        .table_name("orders")
        .attribute_definitions(attribute("pk", ScalarAttributeType::S))
        .attribute_definitions(attribute("sk", ScalarAttributeType::N))
        .attribute_definitions(attribute("status", ScalarAttributeType::S))
        .key_schema(key("pk", KeyType::Hash))
        .key_schema(key("sk", KeyType::Range))
        .global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name("by-status")
                .key_schema(key("status", KeyType::Hash))
                .key_schema(key("sk", KeyType::Range))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::KeysOnly)
                        .build(),
                )
                .build()
                .unwrap(),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .unwrap();
    let table = ddb
        .describe_table()
        .table_name("orders")
        .send()
        .await
        .unwrap()
        .table
        .unwrap();
    assert_eq!(table.table_status(), Some(&TableStatus::Active));
    assert_eq!(table.key_schema().len(), 2);
    assert_eq!(table.item_count(), Some(0));
    assert_eq!(
        table.billing_mode_summary().and_then(|b| b.billing_mode()),
        Some(&BillingMode::PayPerRequest)
    );
    let gsi = &table.global_secondary_indexes()[0];
    assert_eq!(gsi.index_name(), Some("by-status"));
    assert_eq!(
        gsi.projection().and_then(|p| p.projection_type()),
        Some(&ProjectionType::KeysOnly)
    );
    let names = ddb.list_tables().send().await.unwrap();
    assert_eq!(names.table_names(), ["ProcessedRequests", "orders"]);
    let page = ddb.list_tables().limit(1).send().await.unwrap();
    assert_eq!(page.table_names(), ["ProcessedRequests"]);
    assert_eq!(page.last_evaluated_table_name(), Some("ProcessedRequests"));

    // TTL.
    ddb.update_time_to_live()
        .table_name("ProcessedRequests")
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name("ttl")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let ttl = ddb
        .describe_time_to_live()
        .table_name("ProcessedRequests")
        .send()
        .await
        .unwrap()
        .time_to_live_description
        .unwrap();
    assert_eq!(ttl.time_to_live_status(), Some(&TimeToLiveStatus::Enabled));
    assert_eq!(ttl.attribute_name(), Some("ttl"));

    // Tables and acknowledged items survive kill -9.
    ddb.put_item()
        .table_name("ProcessedRequests")
        .item(
            "requestId",
            aws_sdk_dynamodb::types::AttributeValue::S("r-1".into()),
        )
        .send()
        .await
        .unwrap();
    s.kill9();
    let s = TestServer::start_in(&s.data, &[]);
    let ddb = dynamodb_client(&s.url);
    let deleted = ddb
        .delete_table()
        .table_name("orders")
        .send()
        .await
        .unwrap();
    assert_eq!(
        deleted.table_description().and_then(|d| d.table_status()),
        Some(&TableStatus::Deleting)
    );
    let names = ddb.list_tables().send().await.unwrap();
    assert_eq!(names.table_names(), ["ProcessedRequests"]);
    let kept = ddb
        .get_item()
        .table_name("ProcessedRequests")
        .key(
            "requestId",
            aws_sdk_dynamodb::types::AttributeValue::S("r-1".into()),
        )
        .send()
        .await
        .unwrap();
    assert!(
        kept.item().is_some(),
        "the acknowledged put survived kill -9"
    );
}

#[tokio::test]
async fn table_errors_are_dynamodbs() {
    let s = TestServer::start();
    let ddb = dynamodb_client(&s.url);
    let create = |name: &str| {
        ddb.create_table()
            .table_name(name)
            .attribute_definitions(attribute("id", ScalarAttributeType::S))
            .key_schema(key("id", KeyType::Hash))
            .billing_mode(BillingMode::PayPerRequest)
    };
    create("tab1").send().await.unwrap();
    let again = create("tab1")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        code_and_message(&again),
        (
            "ResourceInUseException".into(),
            "Table already exists: tab1".into()
        )
    );
    let short = create("ab").send().await.unwrap_err().into_service_error();
    assert_eq!(
        code_and_message(&short),
        (
            "ValidationException".into(),
            "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3".into()
        )
    );
    let undefined = ddb
        .create_table()
        .table_name("tab2")
        .attribute_definitions(attribute("other", ScalarAttributeType::S))
        .key_schema(key("id", KeyType::Hash))
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        code_and_message(&undefined),
        (
            "ValidationException".into(),
            "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [id], AttributeDefinitions: [other]".into()
        )
    );
    let no_capacity = ddb
        .create_table()
        .table_name("tab3")
        .attribute_definitions(attribute("id", ScalarAttributeType::S))
        .key_schema(key("id", KeyType::Hash))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        code_and_message(&no_capacity),
        (
            "ValidationException".into(),
            "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED".into()
        )
    );
    let missing = ddb
        .describe_table()
        .table_name("nope")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        code_and_message(&missing),
        (
            "ResourceNotFoundException".into(),
            "Requested resource not found: Table: nope not found".into()
        )
    );
    let twice = ddb
        .update_time_to_live()
        .table_name("tab1")
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .enabled(false)
                .attribute_name("ttl")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        code_and_message(&twice),
        (
            "ValidationException".into(),
            "TimeToLive is already disabled".into()
        )
    );
    let names = ddb.list_tables().send().await.unwrap();
    assert_eq!(
        names.table_names(),
        ["tab1"],
        "refused creates made nothing"
    );

    // Every answer, errors too, carries the CRC32 of its body.
    for target in [
        "DynamoDB_20120810.ListTables",
        "DynamoDB_20120810.DescribeTable",
    ] {
        let (status, headers, body) = http_full(
            &s.url,
            "POST",
            "/",
            &[
                ("x-amz-target", target),
                ("content-type", "application/x-amz-json-1.0"),
            ],
            Bytes::from_static(br#"{"TableName":"nope"}"#),
        )
        .await;
        let crc = crc32fast_of(&body);
        assert_eq!(
            headers.get("x-amz-crc32").and_then(|v| v.to_str().ok()),
            Some(crc.to_string().as_str()),
            "{target} answered {status}"
        );
    }
}

/// CRC32 (IEEE), computed here bit by bit so the test does not trust the server's library.
fn crc32fast_of(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
