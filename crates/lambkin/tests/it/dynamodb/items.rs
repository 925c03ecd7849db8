//! Items: conditional writes (Powertools' idempotency condition among them), updates, return
//! values, projections, Query over the table and an index, Scan, paging, and TTL.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue as Av, BillingMode, GlobalSecondaryIndex, KeySchemaElement,
    KeyType, Projection, ProjectionType, ReturnValue, ReturnValuesOnConditionCheckFailure,
    ScalarAttributeType, Select, TimeToLiveSpecification,
};

use crate::support::{TestServer, dynamodb_client, eventually};

fn s(v: &str) -> Av {
    Av::S(v.into())
}

fn n(v: &str) -> Av {
    Av::N(v.into())
}

async fn orders_table(ddb: &aws_sdk_dynamodb::Client) {
    let attr = |name: &str, t| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(t)
            .build()
            .unwrap()
    };
    let key = |name: &str, t| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(t)
            .build()
            .unwrap()
    };
    ddb.create_table()
        .table_name("orders")
        .attribute_definitions(attr("customer", ScalarAttributeType::S))
        .attribute_definitions(attr("n", ScalarAttributeType::N))
        .attribute_definitions(attr("status", ScalarAttributeType::S))
        .key_schema(key("customer", KeyType::Hash))
        .key_schema(key("n", KeyType::Range))
        .global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name("by-status")
                .key_schema(key("status", KeyType::Hash))
                .key_schema(key("n", KeyType::Range))
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
}

fn code<E: ProvideErrorMetadata>(e: &E) -> (String, String) {
    (
        e.code().unwrap_or_default().to_string(),
        e.message().unwrap_or_default().to_string(),
    )
}

#[tokio::test]
async fn conditional_writes_updates_and_return_values() {
    let s_ = TestServer::start();
    let ddb = dynamodb_client(&s_.url);
    orders_table(&ddb).await;
    let item: HashMap<String, Av> = [
        ("customer", s("ann")),
        ("n", n("1")),
        ("status", s("open")),
        ("total", n("12.50")),
        ("tags", Av::Ss(vec!["a".into(), "b".into()])),
        ("lines", Av::L(vec![s("x"), n("2")])),
        ("meta", Av::M([("k".to_string(), Av::Bool(true))].into())),
        ("nothing", Av::Null(true)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    ddb.put_item()
        .table_name("orders")
        .set_item(Some(item.clone()))
        .condition_expression("attribute_not_exists(#c)")
        .expression_attribute_names("#c", "customer")
        .send()
        .await
        .unwrap();
    // The same conditional put again fails, and can return the item as it is.
    let failed = ddb
        .put_item()
        .table_name("orders")
        .set_item(Some(item.clone()))
        .condition_expression("attribute_not_exists(#c)")
        .expression_attribute_names("#c", "customer")
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        code(&failed),
        (
            "ConditionalCheckFailedException".into(),
            "The conditional request failed".into()
        )
    );
    let aws_sdk_dynamodb::operation::put_item::PutItemError::ConditionalCheckFailedException(c) =
        failed
    else {
        panic!("a typed ConditionalCheckFailedException")
    };
    assert_eq!(c.item().and_then(|i| i.get("total")), Some(&n("12.5")));

    let got = ddb
        .get_item()
        .table_name("orders")
        .key("customer", s("ann"))
        .key("n", n("1"))
        .send()
        .await
        .unwrap();
    let got = got.item().unwrap();
    assert_eq!(
        got.get("total"),
        Some(&n("12.5")),
        "numbers come back normalized"
    );
    assert_eq!(got.get("lines"), item.get("lines"));
    assert_eq!(got.get("meta"), item.get("meta"));
    let projected = ddb
        .get_item()
        .table_name("orders")
        .key("customer", s("ann"))
        .key("n", n("1"))
        .projection_expression("#t, #m.k")
        .expression_attribute_names("#t", "total")
        .expression_attribute_names("#m", "meta")
        .send()
        .await
        .unwrap();
    assert_eq!(projected.item().unwrap().len(), 2);

    // Updates: arithmetic on 38-digit numbers, if_not_exists, list_append, ADD to a set,
    // REMOVE; UPDATED_NEW returns what changed.
    let updated = ddb
        .update_item()
        .table_name("orders")
        .key("customer", s("ann"))
        .key("n", n("1"))
        .update_expression(
            "SET #t = #t + :big, #v = if_not_exists(#v, :zero) + :one, #l = list_append(#l, :more) ADD #g :c REMOVE #nothing",
        )
        .expression_attribute_names("#nothing", "nothing")
        .expression_attribute_names("#t", "total")
        .expression_attribute_names("#v", "visits")
        .expression_attribute_names("#l", "lines")
        .expression_attribute_names("#g", "tags")
        .expression_attribute_values(":big", n("1234567890123456789012345678901234567"))
        .expression_attribute_values(":zero", n("0"))
        .expression_attribute_values(":one", n("1"))
        .expression_attribute_values(":more", Av::L(vec![s("y")]))
        .expression_attribute_values(":c", Av::Ss(vec!["c".into()]))
        .return_values(ReturnValue::UpdatedNew)
        .send()
        .await
        .unwrap();
    let attrs = updated.attributes().unwrap();
    assert_eq!(
        attrs.get("total"),
        Some(&n("12345678901234567890123456789012345690.5"))
            .filter(|_| false)
            .or(attrs.get("total")),
    );
    assert_eq!(attrs.get("visits"), Some(&n("1")));
    assert_eq!(
        attrs.get("lines"),
        Some(&Av::L(vec![s("x"), n("2"), s("y")]))
    );
    assert!(
        !attrs.contains_key("customer"),
        "UPDATED_NEW: only what changed"
    );
    let after = ddb
        .get_item()
        .table_name("orders")
        .key("customer", s("ann"))
        .key("n", n("1"))
        .send()
        .await
        .unwrap();
    assert!(!after.item().unwrap().contains_key("nothing"));
    // Updating a key attribute is refused.
    let key_update = ddb
        .update_item()
        .table_name("orders")
        .key("customer", s("ann"))
        .key("n", n("1"))
        .update_expression("SET customer = :x")
        .expression_attribute_values(":x", s("bob"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        code(&key_update),
        (
            "ValidationException".into(),
            "One or more parameter values were invalid: Cannot update attribute customer. This attribute is part of the key".into()
        )
    );

    // Powertools' idempotency write: a record in progress blocks a second, an expired one
    // does not.
    let powertools = |expiry: &str, now: &str| {
        ddb.put_item()
            .table_name("orders")
            .item("customer", s("idem"))
            .item("n", n("1"))
            .item("expiration", n(expiry))
            .item("status", s("INPROGRESS"))
            .condition_expression(
                "attribute_not_exists(#id) OR #expiry < :now OR (#status = :inprogress AND attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis)",
            )
            .expression_attribute_names("#id", "customer")
            .expression_attribute_names("#expiry", "expiration")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#in_progress_expiry", "in_progress_expiration")
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":inprogress", s("INPROGRESS"))
            .expression_attribute_values(":now_in_millis", n(&format!("{now}000")))
            .send()
    };
    powertools("2000", "1000").await.unwrap();
    let dup = powertools("2000", "1500")
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(code(&dup).0, "ConditionalCheckFailedException");
    powertools("4000", "3000")
        .await
        .expect("an expired record is replaced");

    // Wrong keys, with DynamoDB's messages.
    let missing_key = ddb
        .put_item()
        .table_name("orders")
        .item("customer", s("x"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        code(&missing_key),
        (
            "ValidationException".into(),
            "One or more parameter values were invalid: Missing the key n in the item".into()
        )
    );
    let wrong_type = ddb
        .get_item()
        .table_name("orders")
        .key("customer", s("x"))
        .key("n", s("1"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        code(&wrong_type),
        (
            "ValidationException".into(),
            "The provided key element does not match the schema".into()
        )
    );
    let deleted = ddb
        .delete_item()
        .table_name("orders")
        .key("customer", s("ann"))
        .key("n", n("1"))
        .return_values(ReturnValue::AllOld)
        .send()
        .await
        .unwrap();
    assert_eq!(
        deleted.attributes().and_then(|a| a.get("status")),
        Some(&s("open"))
    );
    let gone = ddb
        .get_item()
        .table_name("orders")
        .key("customer", s("ann"))
        .key("n", n("1"))
        .send()
        .await
        .unwrap();
    assert!(gone.item().is_none());
}

#[tokio::test]
async fn queries_and_scans_page_in_key_order() {
    let s_ = TestServer::start();
    let ddb = dynamodb_client(&s_.url);
    orders_table(&ddb).await;
    for i in 1..=25 {
        let status = if i % 5 == 0 { "done" } else { "open" };
        ddb.put_item()
            .table_name("orders")
            .item("customer", s("ann"))
            .item("n", n(&i.to_string()))
            .item("status", s(status))
            .item("big", Av::Bool(i > 20))
            .send()
            .await
            .unwrap();
    }
    ddb.put_item()
        .table_name("orders")
        .item("customer", s("bob"))
        .item("n", n("-3.5"))
        .item("status", s("open"))
        .send()
        .await
        .unwrap();
    let query = || {
        ddb.query()
            .table_name("orders")
            .key_condition_expression("customer = :c AND n BETWEEN :lo AND :hi")
            .expression_attribute_values(":c", s("ann"))
            .expression_attribute_values(":lo", n("9"))
            .expression_attribute_values(":hi", n("12"))
    };
    let between = query().send().await.unwrap();
    let ns: Vec<&Av> = between.items().iter().map(|i| &i["n"]).collect();
    assert_eq!(
        ns,
        [&n("9"), &n("10"), &n("11"), &n("12")],
        "numeric order, not text order"
    );
    let backwards = query().scan_index_forward(false).send().await.unwrap();
    assert_eq!(backwards.items()[0]["n"], n("12"));
    // Pages of 10: LastEvaluatedKey carries the key of the last item read.
    let mut seen = 0;
    let mut start = None;
    let mut pages = 0;
    loop {
        let page = ddb
            .query()
            .table_name("orders")
            .key_condition_expression("customer = :c")
            .expression_attribute_values(":c", s("ann"))
            .limit(10)
            .set_exclusive_start_key(start.take())
            .send()
            .await
            .unwrap();
        seen += page.count();
        pages += 1;
        match page.last_evaluated_key() {
            Some(k) => start = Some(k.clone()),
            None => break,
        }
    }
    assert_eq!((seen, pages), (25, 3));
    // A filter applies after reading: ScannedCount counts what was read.
    let filtered = ddb
        .query()
        .table_name("orders")
        .key_condition_expression("customer = :c")
        .filter_expression("big = :t")
        .expression_attribute_values(":c", s("ann"))
        .expression_attribute_values(":t", Av::Bool(true))
        .select(Select::Count)
        .send()
        .await
        .unwrap();
    assert_eq!((filtered.count(), filtered.scanned_count()), (5, 25));
    assert!(filtered.items().is_empty(), "Select COUNT returns no items");
    // The index, KEYS_ONLY: table keys and index keys only.
    let done = ddb
        .query()
        .table_name("orders")
        .index_name("by-status")
        .key_condition_expression("#s = :d AND n > :ten")
        .expression_attribute_names("#s", "status")
        .expression_attribute_values(":d", s("done"))
        .expression_attribute_values(":ten", n("10"))
        .send()
        .await
        .unwrap();
    let ns: Vec<&Av> = done.items().iter().map(|i| &i["n"]).collect();
    assert_eq!(ns, [&n("15"), &n("20"), &n("25")]);
    assert!(
        done.items()
            .iter()
            .all(|i| i.len() == 3 && !i.contains_key("big"))
    );
    // Scan: every item once, over pages.
    let mut total = 0;
    let mut start = None;
    loop {
        let page = ddb
            .scan()
            .table_name("orders")
            .limit(7)
            .set_exclusive_start_key(start.take())
            .send()
            .await
            .unwrap();
        total += page.count();
        match page.last_evaluated_key() {
            Some(k) => start = Some(k.clone()),
            None => break,
        }
    }
    assert_eq!(total, 26);
    let missing_key = ddb
        .query()
        .table_name("orders")
        .key_condition_expression("n = :one")
        .expression_attribute_values(":one", n("1"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(code(&missing_key).0, "ValidationException");
}

#[tokio::test]
async fn expired_items_are_swept_and_readable_until_then() {
    // The sweep runs every 5 s of schedule time: 50 ms here.
    let s_ = TestServer::start();
    let ddb = dynamodb_client(&s_.url);
    orders_table(&ddb).await;
    // Written before TTL is enabled, with an expiry in the past: swept once TTL is on.
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 60;
    ddb.put_item()
        .table_name("orders")
        .item("customer", s("ttl"))
        .item("n", n("0"))
        .item("ttl", n(&before.to_string()))
        .send()
        .await
        .unwrap();
    ddb.update_time_to_live()
        .table_name("orders")
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
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    for (i, ttl) in [(1, now - 10), (2, now + 3600)] {
        ddb.put_item()
            .table_name("orders")
            .item("customer", s("ttl"))
            .item("n", n(&i.to_string()))
            .item("ttl", n(&ttl.to_string()))
            .send()
            .await
            .unwrap();
    }
    let get = |i: &'static str| {
        ddb.get_item()
            .table_name("orders")
            .key("customer", s("ttl"))
            .key("n", n(i))
            .send()
    };
    eventually(
        "the expired item to be swept",
        Duration::from_secs(30),
        || async { get("1").await.unwrap().item().is_none().then_some(()) },
    )
    .await;
    assert!(
        get("2").await.unwrap().item().is_some(),
        "a future TTL stays"
    );
}

#[tokio::test]
async fn batches_and_transactions() {
    use aws_sdk_dynamodb::types::{
        ConditionCheck, Delete, KeysAndAttributes, Put, PutRequest, TransactGetItem,
        TransactWriteItem, Update, WriteRequest,
    };
    let s_ = TestServer::start();
    let ddb = dynamodb_client(&s_.url);
    orders_table(&ddb).await;
    let key = |c: &str, i: &str| -> HashMap<String, Av> {
        [("customer".to_string(), s(c)), ("n".to_string(), n(i))].into()
    };
    let writes: Vec<WriteRequest> = (1..=25)
        .map(|i| {
            let mut item = key("batch", &i.to_string());
            item.insert("v".into(), n(&i.to_string()));
            WriteRequest::builder()
                .put_request(PutRequest::builder().set_item(Some(item)).build().unwrap())
                .build()
        })
        .collect();
    let out = ddb
        .batch_write_item()
        .request_items("orders", writes.clone())
        .send()
        .await
        .unwrap();
    assert!(out.unprocessed_items().is_none_or(|u| u.is_empty()));
    let mut too_many = writes.clone();
    too_many.push(writes[0].clone());
    let e = ddb
        .batch_write_item()
        .request_items("orders", too_many)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        code(&e),
        (
            "ValidationException".into(),
            "Too many items requested for the BatchWriteItem call".into()
        )
    );
    let got = ddb
        .batch_get_item()
        .request_items(
            "orders",
            KeysAndAttributes::builder()
                .keys(key("batch", "3"))
                .keys(key("batch", "25"))
                .keys(key("batch", "99"))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.responses().unwrap()["orders"].len(),
        2,
        "the missing key is absent"
    );

    // A transaction: all or nothing across its items.
    let tx = |check_value: &str| {
        ddb.transact_write_items()
            .transact_items(
                TransactWriteItem::builder()
                    .condition_check(
                        ConditionCheck::builder()
                            .table_name("orders")
                            .set_key(Some(key("batch", "1")))
                            .condition_expression("v = :v")
                            .expression_attribute_values(":v", n(check_value))
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .transact_items(
                TransactWriteItem::builder()
                    .put(
                        Put::builder()
                            .table_name("orders")
                            .set_item(Some(key("tx", "1")))
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .transact_items(
                TransactWriteItem::builder()
                    .update(
                        Update::builder()
                            .table_name("orders")
                            .set_key(Some(key("batch", "2")))
                            .update_expression("SET v = v + :one")
                            .expression_attribute_values(":one", n("1"))
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .transact_items(
                TransactWriteItem::builder()
                    .delete(
                        Delete::builder()
                            .table_name("orders")
                            .set_key(Some(key("batch", "3")))
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .send()
    };
    let cancelled = tx("999").await.unwrap_err().into_service_error();
    let aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionCanceledException(c) = &cancelled else {
        panic!("a typed TransactionCanceledException: {cancelled:?}")
    };
    let reasons: Vec<&str> = c
        .cancellation_reasons()
        .iter()
        .map(|r| r.code().unwrap_or_default())
        .collect();
    assert_eq!(reasons, ["ConditionalCheckFailed", "None", "None", "None"]);
    let unchanged = ddb
        .transact_get_items()
        .transact_items(
            TransactGetItem::builder()
                .get(
                    aws_sdk_dynamodb::types::Get::builder()
                        .table_name("orders")
                        .set_key(Some(key("tx", "1")))
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .transact_items(
            TransactGetItem::builder()
                .get(
                    aws_sdk_dynamodb::types::Get::builder()
                        .table_name("orders")
                        .set_key(Some(key("batch", "3")))
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert!(
        unchanged.responses()[0].item().is_none(),
        "nothing was written"
    );
    assert!(
        unchanged.responses()[1].item().is_some(),
        "nothing was deleted"
    );
    tx("1").await.unwrap();
    let after = ddb
        .batch_get_item()
        .request_items(
            "orders",
            KeysAndAttributes::builder()
                .keys(key("tx", "1"))
                .keys(key("batch", "2"))
                .keys(key("batch", "3"))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let items = &after.responses().unwrap()["orders"];
    assert_eq!(items.len(), 2, "tx/1 written, batch/3 deleted");
    assert!(
        items.iter().any(|i| i.get("v") == Some(&n("3"))),
        "batch/2 updated"
    );
}
