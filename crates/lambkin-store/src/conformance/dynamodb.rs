//! What every backend's [`crate::DynamoStore`] must do.

use std::ops::Bound;
use std::sync::Arc;

use lambkin_model::Timestamp;

use crate::dynamodb::{KeyRange, Refusal};
use crate::{DynamoStore, IndexKey, ItemKey, ItemWrite, TableRecord};

fn table(name: &str) -> TableRecord {
    TableRecord {
        name: name.into(),
        description: format!(r#"{{"TableName":"{name}"}}"#),
        created_at: Timestamp(1_000),
    }
}

fn key(pk: &str, sk: &str) -> ItemKey {
    ItemKey {
        pk: pk.as_bytes().to_vec(),
        sk: sk.as_bytes().to_vec(),
    }
}

fn put(item: &str) -> ItemWrite {
    ItemWrite::Put {
        item: item.as_bytes().to_vec(),
        expires_at: None,
        indexes: Vec::new(),
    }
}

async fn put_one<S: DynamoStore + ?Sized>(store: &Arc<S>, t: &str, k: ItemKey, write: ItemWrite) {
    store
        .write_items(t, vec![k], Box::new(move |_| Ok(vec![write])))
        .await
        .unwrap()
        .unwrap();
}

fn text(items: &[crate::dynamodb::ReadItem]) -> Vec<String> {
    items
        .iter()
        .map(|r| String::from_utf8(r.stored.item.clone()).unwrap())
        .collect()
}

fn range(pk: &str, from: Bound<&str>, to: Bound<&str>, forward: bool) -> KeyRange {
    let b = |x: Bound<&str>| x.map(|s| s.as_bytes().to_vec());
    KeyRange {
        index: None,
        pk: pk.as_bytes().to_vec(),
        sk_from: b(from),
        sk_to: b(to),
        forward,
        after: None,
        limit: 100,
    }
}

pub async fn tables_are_created_once_and_deleted_with_their_items<S: DynamoStore + ?Sized>(
    store: Arc<S>,
) {
    assert!(store.create_table(table("a")).await.unwrap());
    assert!(!store.create_table(table("a")).await.unwrap());
    assert!(store.create_table(table("b")).await.unwrap());
    assert!(store.update_table("a", "{}".into()).await.unwrap());
    assert!(!store.update_table("zz", "{}".into()).await.unwrap());
    assert_eq!(store.table("a").await.unwrap().unwrap().description, "{}");
    put_one(&store, "a", key("p", ""), put("in a")).await;
    put_one(&store, "b", key("p", ""), put("in b")).await;
    assert_eq!(store.item_count("a").await.unwrap(), 1);
    let gone = store.delete_table("a").await.unwrap().unwrap();
    assert_eq!(gone.name, "a");
    assert_eq!(store.delete_table("a").await.unwrap(), None);
    let names: Vec<_> = store
        .tables()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["b"]);
    // A new table of the same name starts empty.
    store.create_table(table("a")).await.unwrap();
    assert_eq!(
        store.get_items("a", vec![key("p", "")]).await.unwrap(),
        vec![None]
    );
    assert_eq!(
        store.get_items("b", vec![key("p", "")]).await.unwrap(),
        vec![Some(b"in b".to_vec())]
    );
}

pub async fn a_refused_write_changes_nothing<S: DynamoStore + ?Sized>(store: Arc<S>) {
    store.create_table(table("t")).await.unwrap();
    put_one(&store, "t", key("p", "1"), put("first")).await;
    let refused = store
        .write_items(
            "t",
            vec![key("p", "1"), key("p", "2")],
            Box::new(|old| {
                assert_eq!(old, vec![Some(b"first".to_vec()), None]);
                Err(Refusal::from("The conditional request failed"))
            }),
        )
        .await
        .unwrap();
    assert_eq!(
        refused.unwrap_err().to_string(),
        "The conditional request failed"
    );
    assert_eq!(
        store
            .get_items("t", vec![key("p", "1"), key("p", "2")])
            .await
            .unwrap(),
        vec![Some(b"first".to_vec()), None]
    );
}

pub async fn writes_see_the_items_they_replace<S: DynamoStore + ?Sized>(store: Arc<S>) {
    store.create_table(table("t")).await.unwrap();
    put_one(&store, "t", key("p", "1"), put("v1")).await;
    let old = store
        .write_items(
            "t",
            vec![key("p", "1"), key("p", "2"), key("p", "3")],
            Box::new(|_| Ok(vec![put("v2"), put("new"), ItemWrite::Keep])),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(old, vec![Some(b"v1".to_vec()), None, None]);
    store
        .write_items(
            "t",
            vec![key("p", "2")],
            Box::new(|_| Ok(vec![ItemWrite::Delete])),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        store
            .get_items("t", vec![key("p", "1"), key("p", "2"), key("p", "3")])
            .await
            .unwrap(),
        vec![Some(b"v2".to_vec()), None, None]
    );
}

pub async fn queries_read_one_partition_in_sort_key_order<S: DynamoStore + ?Sized>(store: Arc<S>) {
    store.create_table(table("t")).await.unwrap();
    for (pk, sk) in [("a", "3"), ("a", "1"), ("a", "2"), ("a", "4"), ("b", "1")] {
        put_one(&store, "t", key(pk, sk), put(&format!("{pk}{sk}"))).await;
    }
    let all = store
        .query("t", range("a", Bound::Unbounded, Bound::Unbounded, true))
        .await
        .unwrap();
    assert_eq!(text(&all), ["a1", "a2", "a3", "a4"]);
    let between = store
        .query(
            "t",
            range("a", Bound::Included("2"), Bound::Excluded("4"), true),
        )
        .await
        .unwrap();
    assert_eq!(text(&between), ["a2", "a3"]);
    let backwards = store
        .query(
            "t",
            range("a", Bound::Excluded("1"), Bound::Unbounded, false),
        )
        .await
        .unwrap();
    assert_eq!(text(&backwards), ["a4", "a3", "a2"]);
    // Pages: two at a time, continuing after the last key.
    let mut r = range("a", Bound::Unbounded, Bound::Unbounded, false);
    r.limit = 2;
    let first = store.query("t", r.clone()).await.unwrap();
    assert_eq!(text(&first), ["a4", "a3"]);
    r.after = Some((first[1].stored.key.clone(), None));
    assert_eq!(text(&store.query("t", r).await.unwrap()), ["a2", "a1"]);
}

pub async fn indexes_follow_their_items<S: DynamoStore + ?Sized>(store: Arc<S>) {
    store.create_table(table("t")).await.unwrap();
    let indexed = |item: &str, status: &str| ItemWrite::Put {
        item: item.as_bytes().to_vec(),
        expires_at: None,
        indexes: vec![IndexKey {
            index: "by-status".into(),
            key: key(status, item),
        }],
    };
    put_one(&store, "t", key("1", ""), indexed("one", "open")).await;
    put_one(&store, "t", key("2", ""), indexed("two", "open")).await;
    put_one(&store, "t", key("3", ""), indexed("three", "done")).await;
    // Moving an item to another status moves its index entry.
    put_one(&store, "t", key("2", ""), indexed("two", "done")).await;
    // An item without the index's key attribute leaves the index.
    put_one(&store, "t", key("1", ""), put("one, unindexed")).await;
    let by = |status: &str| {
        let mut r = range(status, Bound::Unbounded, Bound::Unbounded, true);
        r.index = Some("by-status".into());
        r
    };
    assert!(store.query("t", by("open")).await.unwrap().is_empty());
    let done = store.query("t", by("done")).await.unwrap();
    assert_eq!(text(&done), ["three", "two"]);
    assert_eq!(done[0].index_key, Some(key("done", "three")));
    let mut page = by("done");
    page.limit = 1;
    page.after = Some((done[0].stored.key.clone(), done[0].index_key.clone()));
    assert_eq!(text(&store.query("t", page).await.unwrap()), ["two"]);
    let scanned = store.scan("t", Some("by-status"), None, 10).await.unwrap();
    assert_eq!(text(&scanned), ["three", "two"]);
    put_one(&store, "t", key("3", ""), ItemWrite::Delete).await;
    assert_eq!(text(&store.query("t", by("done")).await.unwrap()), ["two"]);
}

pub async fn scans_page_through_every_item<S: DynamoStore + ?Sized>(store: Arc<S>) {
    store.create_table(table("t")).await.unwrap();
    store.create_table(table("other")).await.unwrap();
    for (pk, sk) in [("b", "1"), ("a", "2"), ("a", "1"), ("c", "")] {
        put_one(&store, "t", key(pk, sk), put(&format!("{pk}{sk}"))).await;
    }
    put_one(&store, "other", key("a", "0"), put("elsewhere")).await;
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store.scan("t", None, after.clone(), 3).await.unwrap();
        if page.is_empty() {
            break;
        }
        after = page.last().map(|r| (r.stored.key.clone(), None));
        seen.extend(text(&page));
    }
    assert_eq!(seen, ["a1", "a2", "b1", "c"]);
}

pub async fn expired_items_are_found_by_their_ttl<S: DynamoStore + ?Sized>(store: Arc<S>) {
    store.create_table(table("t")).await.unwrap();
    let expiring = |at: i64| ItemWrite::Put {
        item: b"x".to_vec(),
        expires_at: Some(at),
        indexes: Vec::new(),
    };
    put_one(&store, "t", key("late", ""), expiring(300)).await;
    put_one(&store, "t", key("early", ""), expiring(100)).await;
    put_one(&store, "t", key("never", ""), put("x")).await;
    let due = store.expired_items(200, 10).await.unwrap();
    assert_eq!(due, vec![("t".to_string(), key("early", ""))]);
    let due = store.expired_items(1_000, 10).await.unwrap();
    assert_eq!(due.len(), 2);
    assert_eq!(due[0].1, key("early", ""), "oldest first");
}

pub async fn writes_across_tables_are_all_or_nothing<S: DynamoStore + ?Sized>(store: Arc<S>) {
    store.create_table(table("a")).await.unwrap();
    store.create_table(table("b")).await.unwrap();
    let keys = || {
        vec![
            ("a".to_string(), key("1", "")),
            ("b".to_string(), key("1", "")),
        ]
    };
    store
        .write_across(keys(), Box::new(|_| Ok(vec![put("in a"), put("in b")])))
        .await
        .unwrap()
        .unwrap();
    let refused = store
        .write_across(
            keys(),
            Box::new(|old| {
                assert_eq!(old, vec![Some(b"in a".to_vec()), Some(b"in b".to_vec())]);
                Err(Refusal::from("cancelled"))
            }),
        )
        .await
        .unwrap();
    assert!(refused.is_err());
    assert_eq!(
        store.get_items("a", vec![key("1", "")]).await.unwrap(),
        vec![Some(b"in a".to_vec())]
    );
}
