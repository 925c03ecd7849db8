//! `lambkin serve --store postgres://…` (issue 16, first part): the async contract end to end
//! on PostgreSQL with the real SDKs: a failing event retried and dead-lettered into lambkin's
//! SQS, SNS fan-out, DynamoDB, everything still there after `kill -9` and a restart, and a
//! second node on the same database refused until clustering lands. Needs PostgreSQL on
//! 127.0.0.1:5432 with trust auth (`LAMBKIN_TEST_POSTGRES` overrides), as `.ci/run` provides.

use std::process::{Command, Stdio};
use std::time::Duration;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType,
};
use aws_sdk_lambda::types::DeadLetterConfig;

use crate::support::{
    TestServer, dynamodb_client, eventually, queue_with_arn, receive_one, send_event, sns_client,
    sqs_client, zip_with,
};

const WITHIN: Duration = Duration::from_secs(30);
const FAILS: &str = r#"exports.handler = async (event) => {
    throw new Error(`intentional failure ${event.n}`);
};"#;

/// A fresh database for one test, and the URL lambkin is given.
async fn database() -> String {
    let admin = std::env::var("LAMBKIN_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let (client, conn) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
        .await
        .expect("PostgreSQL is not reachable (set LAMBKIN_TEST_POSTGRES, or start it)");
    tokio::spawn(conn);
    // Databases of earlier runs whose test process is gone are dropped, so they do not pile up.
    let old = client
        .query(
            "SELECT datname FROM pg_database WHERE datname LIKE 'lambkin_it_%'",
            &[],
        )
        .await
        .expect("list databases");
    for row in old {
        let name: String = row.get(0);
        let pid = name
            .trim_start_matches("lambkin_it_")
            .split('_')
            .next()
            .unwrap_or_default();
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let _ = client
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
        }
    }
    let name = format!("lambkin_it_{}", uuid_like());
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create database");
    let mut url: tokio_postgres::Config = admin.parse().expect("URL");
    url.dbname(&name);
    let user = url.get_user().unwrap_or("postgres").to_string();
    let host = match url.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
        _ => "127.0.0.1".into(),
    };
    let port = url.get_ports().first().copied().unwrap_or(5432);
    format!("postgres://{user}@{host}:{port}/{name}")
}

/// Unique enough for a database name: the process and the time.
fn uuid_like() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{}_{nanos}", std::process::id())
}

#[tokio::test]
async fn the_async_contract_holds_on_postgres_across_a_crash() {
    let url = database().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let args = ["--time-scale", "0.01", "--store", url.as_str()];
    let mut s = TestServer::start_in(&data, &args);
    assert!(
        s.ready_line.contains("store PostgreSQL"),
        "{}",
        s.ready_line
    );

    // A failing function with a dead-letter queue on lambkin's SQS (both in PostgreSQL).
    let sqs = sqs_client(&s.url);
    let (dlq, dlq_arn) = queue_with_arn(&sqs, "pg-dlq").await;
    s.create(
        "pg-fails",
        aws_sdk_lambda::types::Runtime::Nodejs20x,
        "index.handler",
        zip_with(&[("index.js", FAILS, 0o644)]),
    )
    .await;
    s.lambda
        .update_function_configuration()
        .function_name("pg-fails")
        .dead_letter_config(DeadLetterConfig::builder().target_arn(&dlq_arn).build())
        .send()
        .await
        .expect("set the DLQ");
    let id = send_event(&s, "pg-fails", r#"{"n":7}"#).await;
    let ended = s.finished_event(&id, WITHIN).await;
    assert_eq!(ended["state"], "failed", "{ended}");
    assert_eq!(ended["invocations"], 3, "two retries, as AWS: {ended}");
    let dead = receive_one(&sqs, &dlq).await;
    assert_eq!(dead.body(), Some(r#"{"n":7}"#));

    // SNS fan-out to a queue, through the outbox.
    let sns = sns_client(&s.url);
    let (fanout, fanout_arn) = queue_with_arn(&sqs, "pg-fanout").await;
    let topic = sns
        .create_topic()
        .name("pg-topic")
        .send()
        .await
        .expect("topic")
        .topic_arn()
        .expect("arn")
        .to_string();
    sns.subscribe()
        .topic_arn(&topic)
        .protocol("sqs")
        .endpoint(&fanout_arn)
        .send()
        .await
        .expect("subscribe");
    sns.publish()
        .topic_arn(&topic)
        .message("hello from postgres")
        .send()
        .await
        .expect("publish");
    let envelope: serde_json::Value =
        serde_json::from_str(receive_one(&sqs, &fanout).await.body().expect("body"))
            .expect("envelope");
    assert_eq!(envelope["Message"], "hello from postgres");

    // DynamoDB: a conditional put and a get.
    let ddb = dynamodb_client(&s.url);
    ddb.create_table()
        .table_name("pg-items")
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("id")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .expect("definition"),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("id")
                .key_type(KeyType::Hash)
                .build()
                .expect("key"),
        )
        .send()
        .await
        .expect("create table");
    ddb.put_item()
        .table_name("pg-items")
        .item("id", AttributeValue::S("a".into()))
        .item("n", AttributeValue::N("1".into()))
        .condition_expression("attribute_not_exists(id)")
        .send()
        .await
        .expect("put");
    let again = ddb
        .put_item()
        .table_name("pg-items")
        .item("id", AttributeValue::S("a".into()))
        .condition_expression("attribute_not_exists(id)")
        .send()
        .await;
    assert!(again.is_err(), "the condition holds on PostgreSQL");

    // A second node on the same database is refused, and says why.
    let other = tempfile::tempdir().expect("tempdir");
    let refused = Command::new(env!("CARGO_BIN_EXE_lambkin"))
        .args(["serve", "--listen", "127.0.0.1:0", "--store", url.as_str()])
        .arg("--data-dir")
        .arg(other.path())
        .env("LAMBKIN_LOG", "warn")
        .stdout(Stdio::null())
        .output()
        .expect("run a second node");
    assert!(!refused.status.success());
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(
        why.contains("another lambkin node is serving this database"),
        "{why}"
    );

    // kill -9, then a restart on the same database: everything acknowledged is there.
    s.kill9();
    let s = TestServer::start_in(&data, &args);
    let ended = s.event(&id).await;
    assert_eq!(ended["state"], "failed", "{ended}");
    let function = s
        .lambda
        .get_function_configuration()
        .function_name("pg-fails")
        .send()
        .await
        .expect("the function survived");
    assert_eq!(
        function.dead_letter_config().and_then(|d| d.target_arn()),
        Some(dlq_arn.as_str())
    );
    let id = send_event(&s, "pg-fails", r#"{"n":8}"#).await;
    let sqs = sqs_client(&s.url);
    let dead = receive_one(&sqs, &dlq).await;
    assert_eq!(dead.body(), Some(r#"{"n":8}"#));
    eventually("the second event to end", WITHIN, || async {
        (s.event(&id).await["state"] == "failed").then_some(())
    })
    .await;
    let item = dynamodb_client(&s.url)
        .get_item()
        .table_name("pg-items")
        .key("id", AttributeValue::S("a".into()))
        .send()
        .await
        .expect("get");
    assert_eq!(
        item.item().and_then(|i| i.get("n")),
        Some(&AttributeValue::N("1".into()))
    );
}

#[tokio::test]
async fn a_store_that_is_not_postgres_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_lambkin"))
        .args(["serve", "--listen", "127.0.0.1:0", "--store", "mysql://x"])
        .arg("--data-dir")
        .arg(dir.path())
        .stdout(Stdio::null())
        .output()
        .expect("run");
    assert!(!out.status.success());
    let why = String::from_utf8_lossy(&out.stderr);
    assert!(why.contains("--store must be a PostgreSQL URL"), "{why}");
}

/// PostgreSQL unreachable mid-load (its sessions cut and new ones refused, for this test's
/// database only, so other tests' databases are untouched): invokes get a 503
/// `ServiceException` and nothing is acknowledged; once it is back, lambkin reconnects by
/// itself and every event acknowledged before, during and after the outage runs.
#[tokio::test]
async fn a_database_outage_answers_503_and_loses_nothing() {
    let url = database().await;
    let name = url.rsplit('/').next().expect("database name").to_string();
    let admin = std::env::var("LAMBKIN_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let (admin, conn) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
        .await
        .expect("admin connection");
    tokio::spawn(conn);
    let s = TestServer::start_with(&["--time-scale", "0.01", "--store", url.as_str()]);
    s.create_node("pg-echo", "node-echo-cjs", "index.handler")
        .await;
    let mut acknowledged = Vec::new();
    for n in 0..20 {
        acknowledged.push(send_event(&s, "pg-echo", &format!(r#"{{"n":{n}}}"#)).await);
    }

    // The outage.
    admin
        .batch_execute(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"))
        .await
        .expect("refuse connections");
    admin
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
            &[&name],
        )
        .await
        .expect("cut sessions");
    let invoke = || async {
        crate::support::http_full(
            &s.url,
            "POST",
            "/2015-03-31/functions/pg-echo/invocations",
            &[("x-amz-invocation-type", "Event")],
            bytes::Bytes::from_static(br#"{"during":true}"#),
        )
        .await
    };
    // The first calls may meet a pooled session being found dead; every answer during the
    // outage is a 503 ServiceException, never a 202.
    let (status, headers, body) = eventually("a 503 during the outage", WITHIN, || async {
        let (status, headers, body) = invoke().await;
        assert_ne!(
            status, 202,
            "nothing is acknowledged while the store is down"
        );
        (status == 503).then_some((status, headers, body))
    })
    .await;
    assert_eq!(status, 503);
    assert_eq!(
        headers
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok()),
        Some("ServiceException")
    );
    let body: serde_json::Value = serde_json::from_slice(&body).expect("JSON error");
    assert!(
        body["Message"]
            .as_str()
            .is_some_and(|m| m.contains("store cannot be reached")),
        "{body}"
    );

    // Back: lambkin reconnects by itself.
    admin
        .batch_execute(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
        .await
        .expect("allow connections");
    let after = eventually("a 202 after the outage", WITHIN, || async {
        let (status, headers, _) = invoke().await;
        (status == 202).then(|| {
            headers
                .get("x-amzn-requestid")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        })
    })
    .await
    .expect("request id");
    acknowledged.push(after);
    for id in &acknowledged {
        let ended = s.finished_event(id, WITHIN).await;
        assert_eq!(ended["state"], "succeeded", "{id}: {ended}");
    }
}
