//! What every backend's [`crate::S3Store`] must do.

use std::collections::BTreeMap;
use std::sync::Arc;

use lambkin_model::Timestamp;

use crate::{
    BucketDeleted, BucketRecord, ChecksumRecord, DeliveryKind, NewDelivery, ObjectDeleted,
    ObjectPut, ObjectRecord, PartPut, PartRecord, S3Store, Store, UploadCompleted, UploadRecord,
};

fn bucket(name: &str) -> BucketRecord {
    BucketRecord {
        name: name.into(),
        region: "us-east-1".into(),
        created_at: Timestamp(1_000),
    }
}

fn object(bucket: &str, key: &str, body: &str) -> ObjectRecord {
    ObjectRecord {
        bucket: bucket.into(),
        key: key.into(),
        body: body.into(),
        size: 3,
        etag: "900150983cd24fb0d6963f7d28e17f72".into(),
        content_type: Some("text/plain".into()),
        headers: BTreeMap::from([("cache-control".into(), "no-cache".into())]),
        metadata: BTreeMap::from([("colour".into(), "blue".into())]),
        last_modified: Timestamp(2_000),
        checksum: Some(ChecksumRecord {
            algorithm: "CRC32".into(),
            value: "NSRBwg==".into(),
        }),
    }
}

fn keys(list: Option<Vec<ObjectRecord>>) -> Vec<String> {
    list.expect("bucket exists")
        .into_iter()
        .map(|o| o.key)
        .collect()
}

pub async fn buckets_are_created_once_and_listed_by_name<S: S3Store + ?Sized>(store: Arc<S>) {
    assert!(store.create_bucket(bucket("zeta")).await.expect("create"));
    assert!(store.create_bucket(bucket("alpha")).await.expect("create"));
    let mut again = bucket("zeta");
    again.region = "eu-west-1".into();
    assert!(!store.create_bucket(again).await.expect("create again"));
    assert_eq!(
        store.bucket("zeta").await.expect("read"),
        Some(bucket("zeta")),
        "the second create changed nothing"
    );
    let names: Vec<_> = store
        .list_buckets()
        .await
        .expect("list")
        .into_iter()
        .map(|b| b.name)
        .collect();
    assert_eq!(names, ["alpha", "zeta"]);
    assert_eq!(store.bucket("nope").await.expect("read"), None);
}

pub async fn a_bucket_with_objects_is_not_deleted<S: S3Store + ?Sized>(store: Arc<S>) {
    store.create_bucket(bucket("b")).await.expect("create");
    store
        .put_object(object("b", "k", "body-1"), vec![])
        .await
        .expect("put");
    assert_eq!(
        store.delete_bucket("b").await.expect("delete"),
        BucketDeleted::NotEmpty
    );
    store
        .delete_object("b", "k", vec![], Timestamp(9_000))
        .await
        .expect("delete object");
    assert_eq!(
        store.delete_bucket("b").await.expect("delete"),
        BucketDeleted::Deleted
    );
    assert_eq!(
        store.delete_bucket("b").await.expect("delete"),
        BucketDeleted::NoSuchBucket
    );
}

pub async fn objects_replace_and_delete<S: S3Store + ?Sized>(store: Arc<S>) {
    store.create_bucket(bucket("b")).await.expect("create");
    let first = object("b", "photos/cat.jpg", "body-1");
    assert_eq!(
        store.put_object(first.clone(), vec![]).await.expect("put"),
        ObjectPut::Stored { replaced: None }
    );
    assert_eq!(
        store.object("b", "photos/cat.jpg").await.expect("read"),
        Some(first)
    );
    let mut second = object("b", "photos/cat.jpg", "body-2");
    second.size = 7;
    second.metadata.clear();
    assert_eq!(
        store.put_object(second.clone(), vec![]).await.expect("put"),
        ObjectPut::Stored {
            replaced: Some("body-1".into())
        },
        "the replaced body is handed back to be removed"
    );
    assert_eq!(
        store.object("b", "photos/cat.jpg").await.expect("read"),
        Some(second)
    );
    assert_eq!(
        store
            .delete_object("b", "photos/cat.jpg", vec![], Timestamp(9_000))
            .await
            .expect("delete"),
        ObjectDeleted::Done {
            body: Some("body-2".into())
        }
    );
    assert_eq!(
        store.object("b", "photos/cat.jpg").await.expect("read"),
        None
    );
    assert_eq!(
        store
            .delete_object("b", "photos/cat.jpg", vec![], Timestamp(9_000))
            .await
            .expect("delete"),
        ObjectDeleted::Done { body: None },
        "deleting a missing key succeeds, as on S3"
    );
}

pub async fn listing_by_prefix_and_after_in_byte_order<S: S3Store + ?Sized>(store: Arc<S>) {
    store.create_bucket(bucket("b")).await.expect("create");
    store.create_bucket(bucket("other")).await.expect("create");
    for key in ["a/1", "a/2", "a/b/3", "a0", "b", "A", "é", "a/\u{10FFFF}"] {
        store
            .put_object(object("b", key, key), vec![])
            .await
            .expect("put");
    }
    store
        .put_object(object("other", "a/9", "x"), vec![])
        .await
        .expect("put");
    assert_eq!(
        keys(store.list_objects("b", "", None, 100).await.expect("list")),
        ["A", "a/1", "a/2", "a/b/3", "a/\u{10FFFF}", "a0", "b", "é"],
        "UTF-8 byte order: uppercase first, multi-byte characters last"
    );
    assert_eq!(
        keys(
            store
                .list_objects("b", "a/", None, 100)
                .await
                .expect("list")
        ),
        ["a/1", "a/2", "a/b/3", "a/\u{10FFFF}"]
    );
    assert_eq!(
        keys(
            store
                .list_objects("b", "a/", Some("a/1"), 2)
                .await
                .expect("list")
        ),
        ["a/2", "a/b/3"]
    );
    assert_eq!(
        keys(
            store
                .list_objects("b", "a/", Some("0"), 1)
                .await
                .expect("list")
        ),
        ["a/1"],
        "an `after` before the prefix starts at the prefix"
    );
    assert_eq!(
        keys(
            store
                .list_objects("b", "a/", Some("z"), 10)
                .await
                .expect("list")
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        store
            .list_objects("nope", "", None, 10)
            .await
            .expect("list"),
        None
    );
}

pub async fn objects_need_their_bucket<S: S3Store + ?Sized>(store: Arc<S>) {
    assert_eq!(
        store
            .put_object(object("nope", "k", "body"), vec![])
            .await
            .expect("put"),
        ObjectPut::NoSuchBucket
    );
    assert_eq!(
        store
            .delete_object("nope", "k", vec![], Timestamp(9_000))
            .await
            .expect("delete"),
        ObjectDeleted::NoSuchBucket
    );
    assert_eq!(store.object("nope", "k").await.expect("read"), None);
}

fn upload(id: &str, key: &str) -> UploadRecord {
    UploadRecord {
        upload_id: id.into(),
        bucket: "b".into(),
        key: key.into(),
        content_type: Some("image/jpeg".into()),
        headers: BTreeMap::new(),
        metadata: BTreeMap::from([("k".into(), "v".into())]),
        initiated: Timestamp(5_000),
        checksum_algorithm: Some("SHA256".into()),
    }
}

fn part(n: u32, body: &str) -> PartRecord {
    PartRecord {
        part_number: n,
        body: body.into(),
        size: 5,
        etag: format!("etag{n}"),
        last_modified: Timestamp(6_000),
        checksum: (n % 2 == 1).then(|| ChecksumRecord {
            algorithm: "SHA256".into(),
            value: format!("sum{n}"),
        }),
    }
}

pub async fn multipart_uploads_complete_and_abort<S: S3Store + ?Sized>(store: Arc<S>) {
    assert!(
        !store
            .create_upload(upload("u0", "k"))
            .await
            .expect("create"),
        "no bucket yet"
    );
    store.create_bucket(bucket("b")).await.expect("bucket");
    assert!(
        store
            .create_upload(upload("u1", "big.jpg"))
            .await
            .expect("create")
    );
    assert!(
        store
            .create_upload(upload("u2", "a.jpg"))
            .await
            .expect("create")
    );
    assert_eq!(
        store.upload("u1").await.expect("read"),
        Some(upload("u1", "big.jpg"))
    );
    assert_eq!(store.upload("nope").await.expect("read"), None);
    let ids: Vec<_> = store
        .list_uploads("b")
        .await
        .expect("list")
        .expect("bucket")
        .into_iter()
        .map(|u| u.upload_id)
        .collect();
    assert_eq!(ids, ["u2", "u1"], "by key");
    assert_eq!(
        store.delete_bucket("b").await.expect("delete"),
        BucketDeleted::NotEmpty,
        "uploads in progress keep the bucket"
    );

    for (n, body) in [(2, "p2"), (1, "p1-old")] {
        assert_eq!(
            store.put_part("u1", part(n, body)).await.expect("part"),
            PartPut::Stored { replaced: None }
        );
    }
    assert_eq!(
        store.put_part("u1", part(1, "p1")).await.expect("part"),
        PartPut::Stored {
            replaced: Some("p1-old".into())
        }
    );
    assert_eq!(
        store.put_part("nope", part(1, "x")).await.expect("part"),
        PartPut::NoSuchUpload
    );
    assert_eq!(
        store.parts("u1").await.expect("parts"),
        [part(1, "p1"), part(2, "p2")],
        "in number order, each with its checksum or none"
    );

    store
        .put_object(object("b", "big.jpg", "old-object"), vec![])
        .await
        .expect("put");
    let done = store
        .complete_upload("u1", object("b", "big.jpg", "assembled"), vec![])
        .await
        .expect("complete");
    let UploadCompleted::Stored { mut unreferenced } = done else {
        panic!("completed: {done:?}")
    };
    unreferenced.sort();
    assert_eq!(unreferenced, ["old-object", "p1", "p2"]);
    assert_eq!(
        store
            .object("b", "big.jpg")
            .await
            .expect("read")
            .map(|o| o.body),
        Some("assembled".into())
    );
    assert_eq!(store.upload("u1").await.expect("read"), None);
    assert!(store.parts("u1").await.expect("parts").is_empty());
    assert_eq!(
        store
            .complete_upload("u1", object("b", "big.jpg", "again"), vec![])
            .await
            .expect("complete"),
        UploadCompleted::NoSuchUpload
    );

    store.put_part("u2", part(1, "q1")).await.expect("part");
    assert_eq!(
        store.abort_upload("u2").await.expect("abort"),
        Some(vec!["q1".to_string()])
    );
    assert_eq!(store.abort_upload("u2").await.expect("abort"), None);
    assert_eq!(store.list_uploads("nope").await.expect("list"), None);
}

fn notice(target: &str) -> NewDelivery {
    NewDelivery {
        kind: DeliveryKind::BucketNotification,
        source: "s3-request".into(),
        target: target.into(),
        body: b"{\"Records\":[]}".to_vec(),
        attributes: Default::default(),
        chain: 3,
        retry: None,
    }
}

pub async fn notifications_commit_with_the_object_write(store: Arc<dyn Store>) {
    assert!(
        !store
            .set_notifications("b", "{}".into(), vec![notice("q")], Timestamp(1))
            .await
            .expect("set"),
        "no bucket"
    );
    store.create_bucket(bucket("b")).await.expect("bucket");
    assert_eq!(store.notifications("b").await.expect("read"), None);
    assert!(
        store
            .set_notifications("b", "config-1".into(), vec![], Timestamp(1))
            .await
            .expect("set")
    );
    assert!(
        store
            .set_notifications(
                "b",
                "config-2".into(),
                vec![notice("arn:aws:sqs:us-east-1:000000000000:q")],
                Timestamp(1)
            )
            .await
            .expect("set")
    );
    assert_eq!(
        store.notifications("b").await.expect("read"),
        Some("config-2".into())
    );
    assert_eq!(
        store.delivery_stats().await.expect("stats").pending,
        1,
        "the configuration's test event commits with it (none for a missing bucket)"
    );
    let test_event = store
        .claim_deliveries(Timestamp(2), 10, Timestamp(100))
        .await
        .expect("claim");
    assert_eq!(test_event.len(), 1);
    store
        .complete_deliveries(
            vec![(test_event[0].lease, crate::DeliveryResult::Delivered)],
            Timestamp(3),
        )
        .await
        .expect("complete");

    let pending =
        |store: Arc<dyn Store>| async move { store.delivery_stats().await.expect("stats").pending };
    store
        .put_object(
            object("b", "k", "body-1"),
            vec![notice("arn:aws:lambda:us-east-1:000000000000:function:f")],
        )
        .await
        .expect("put");
    assert_eq!(pending(store.clone()).await, 1);
    // A put that fails (no bucket) owes nothing.
    store
        .put_object(object("nope", "k", "x"), vec![notice("t")])
        .await
        .expect("put");
    assert_eq!(pending(store.clone()).await, 1);
    // Deleting a key that holds nothing owes nothing; deleting the object owes its notice.
    store
        .delete_object("b", "missing", vec![notice("t")], Timestamp(9_000))
        .await
        .expect("delete");
    assert_eq!(pending(store.clone()).await, 1);
    store
        .delete_object("b", "k", vec![notice("t"), notice("u")], Timestamp(9_000))
        .await
        .expect("delete");
    assert_eq!(pending(store.clone()).await, 3);
    let claimed = store
        .claim_deliveries(Timestamp(10_000), 10, Timestamp(70_000))
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 3);
    assert!(
        claimed
            .iter()
            .all(|d| d.kind == DeliveryKind::BucketNotification)
    );

    store.delete_bucket("b").await.expect("delete bucket");
    store.create_bucket(bucket("b")).await.expect("again");
    assert_eq!(
        store.notifications("b").await.expect("read"),
        None,
        "a new bucket starts without"
    );
}
