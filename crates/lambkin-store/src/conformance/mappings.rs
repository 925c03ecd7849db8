//! What every backend must do with event source mappings.

use std::sync::Arc;

use lambkin_model::{EventSourceMapping, FunctionName, MappingState, Timestamp};

use crate::MappingStore;

pub fn mapping(uuid: &str) -> EventSourceMapping {
    EventSourceMapping {
        uuid: uuid.to_string(),
        event_source_arn: "arn:aws:sqs:us-east-1:000000000000:orders".into(),
        function: FunctionName::parse("consumer").unwrap(),
        qualifier: None,
        enabled: true,
        batch_size: 10,
        maximum_batching_window_s: 0,
        report_batch_item_failures: false,
        maximum_concurrency: None,
        filters: Vec::new(),
        last_modified: Timestamp(1_700_000_000_123),
        state: MappingState::Creating,
    }
}

pub async fn mappings_put_replace_and_delete<S: MappingStore + ?Sized>(store: Arc<S>) {
    let uuid = "6f1c2d3e-0000-4000-8000-000000000001";
    assert_eq!(store.mapping(uuid).await.unwrap(), None);
    let mut m = mapping(uuid);
    m.filters = vec![r#"{"body":{"kind":["a"]}}"#.into()];
    m.maximum_concurrency = Some(4);
    m.qualifier = Some("$LATEST".into());
    store.put_mapping(m.clone()).await.unwrap();
    assert_eq!(store.mapping(uuid).await.unwrap(), Some(m.clone()));

    m.state = MappingState::Disabled;
    m.enabled = false;
    m.batch_size = 100;
    m.maximum_batching_window_s = 5;
    store.put_mapping(m.clone()).await.unwrap();
    assert_eq!(store.mapping(uuid).await.unwrap(), Some(m.clone()));
    assert_eq!(store.mappings().await.unwrap(), vec![m]);

    assert!(store.delete_mapping(uuid).await.unwrap());
    assert!(!store.delete_mapping(uuid).await.unwrap());
    assert_eq!(store.mapping(uuid).await.unwrap(), None);
    assert!(store.mappings().await.unwrap().is_empty());
}

pub async fn mappings_are_listed_by_uuid<S: MappingStore + ?Sized>(store: Arc<S>) {
    let uuids = [
        "c0000000-0000-4000-8000-000000000000",
        "a0000000-0000-4000-8000-000000000000",
        "b0000000-0000-4000-8000-000000000000",
    ];
    for u in uuids {
        store.put_mapping(mapping(u)).await.unwrap();
    }
    let listed: Vec<String> = store
        .mappings()
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.uuid)
        .collect();
    assert_eq!(listed, vec![uuids[1], uuids[2], uuids[0]]);
}
