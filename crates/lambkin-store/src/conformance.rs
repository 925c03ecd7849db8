//! The behaviour every storage backend must show, written against the traits only.
//! Each backend's tests call every function here with a fresh, empty store.

#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod mappings;
pub mod sqs;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use lambkin_model::{
    DestinationConfig, EventInvokeConfig, EventState, FailureCondition, FunctionConfig,
    FunctionError, FunctionName, MessageAttribute, MessageAttributes, NextState, OutcomeKind,
    Qualifier, RequestId, Runtime, Timestamp,
};

use crate::{
    AttemptFinish, AttemptRecord, ClaimRequest, DeliveryKind, DeliveryResult, DeliveryState,
    NewDelivery, NewEvent, Store, StoreError,
};

/// What the queue and catalog behaviours need: a backend that has these two parts (every
/// [`Store`], and a backend whose other parts are still being built).
pub trait QueueAndCatalog: crate::Queue + crate::Catalog + 'static {}
impl<T: crate::Queue + crate::Catalog + ?Sized + 'static> QueueAndCatalog for T {}

/// What the outbox behaviours need: a queue whose final states owe deliveries, and the outbox
/// that hands them out (retention's behaviour adds [`crate::Retention`]).
pub trait QueueAndOutbox: crate::Queue + crate::Outbox + 'static {}
impl<T: crate::Queue + crate::Outbox + ?Sized + 'static> QueueAndOutbox for T {}

pub mod dynamodb;
pub mod events;
pub mod s3;
pub mod sns;

const LEASE: i64 = 60_000;

pub fn new_event(function: &str, at: i64) -> NewEvent {
    NewEvent {
        request_id: RequestId::random(),
        function: FunctionName::parse(function).unwrap(),
        qualifier: None,
        version: None,
        payload: br#"{"n":1}"#.to_vec(),
        enqueued_at: Timestamp(at),
        chain: 1,
    }
}

fn function(name: &str) -> FunctionConfig {
    FunctionConfig {
        name: FunctionName::parse(name).unwrap(),
        runtime: Runtime::Nodejs20,
        handler: "index.handler".into(),
        role: "arn:aws:iam::000000000000:role/r".into(),
        description: String::new(),
        timeout_s: 3,
        memory_mb: 128,
        environment: Some(BTreeMap::from([("K".into(), "V".into())])),
        dead_letter_target: None,
        architecture: "x86_64".into(),
        ephemeral_storage_mb: 512,
        code_sha256: "abc=".into(),
        code_size: 10,
        revision_id: "r1".into(),
        last_modified: Timestamp(5),
        reserved_concurrency: None,
        tags: BTreeMap::new(),
        recursive_loop_allowed: true,
        policy_statements: Vec::new(),
        version: Qualifier::LATEST.into(),
        last_published: 0,
        published_from: None,
    }
}

fn finish(seq: i64, at: i64, outcome: OutcomeKind, next: NextState, inv: u32) -> AttemptFinish {
    let error = (outcome != OutcomeKind::Success).then(|| FunctionError {
        error_type: "Error".into(),
        error_message: "boom".into(),
    });
    AttemptFinish {
        seq,
        attempt: Some(AttemptRecord {
            started_at: Timestamp(at),
            ended_at: Timestamp(at + 7),
            outcome,
            error,
        }),
        next,
        invocations: inv,
        throttles: 0,
        response: Some(br#"{"ok":true}"#.to_vec()),
        function_error: None,
        decided_at: Timestamp(at + 7),
        deliveries: Vec::new(),
    }
}

pub async fn enqueue_then_claim_in_due_order<S: QueueAndCatalog + ?Sized>(store: Arc<S>) {
    let a = new_event("f", 30);
    let b = new_event("f", 10);
    let c = NewEvent {
        chain: 7,
        ..new_event("g", 20)
    };
    let ids = [
        b.request_id.clone(),
        c.request_id.clone(),
        a.request_id.clone(),
    ];
    for ev in [a, b, c] {
        store.enqueue(ev).await.unwrap();
    }
    let claimed = store
        .claim(&ClaimRequest::any(
            Timestamp(100),
            10,
            Timestamp(100 + LEASE),
        ))
        .await
        .unwrap()
        .events;
    let got: Vec<_> = claimed.iter().map(|c| c.request_id.clone()).collect();
    assert_eq!(got, ids, "claims come oldest due first");
    assert!(claimed.iter().all(|c| !c.rerun && c.invocations == 0));
    assert_eq!(claimed[0].payload, br#"{"n":1}"#.to_vec());
    let chains: Vec<u32> = claimed.iter().map(|c| c.chain).collect();
    assert_eq!(chains, [1, 7, 1], "each event keeps its place in its chain");
    let rec = store.event(&ids[0]).await.unwrap().unwrap();
    assert_eq!(rec.state, EventState::Running);
    assert_eq!(rec.due_at, Some(Timestamp(100 + LEASE)));
    // Nothing left to claim while the leases hold.
    assert!(
        store
            .claim(&ClaimRequest::any(Timestamp(200), 10, Timestamp(300)))
            .await
            .unwrap()
            .events
            .is_empty()
    );
}

pub async fn claim_respects_due_time_and_limit<S: QueueAndCatalog + ?Sized>(store: Arc<S>) {
    for t in [10, 20, 30, 40] {
        store.enqueue(new_event("f", t)).await.unwrap();
    }
    let early = store
        .claim(&ClaimRequest::any(Timestamp(5), 10, Timestamp(LEASE)))
        .await
        .unwrap();
    assert!(early.events.is_empty());
    assert_eq!(early.next_due, Some(Timestamp(10)));
    let first = store
        .claim(&ClaimRequest::any(Timestamp(25), 1, Timestamp(LEASE)))
        .await
        .unwrap()
        .events;
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].enqueued_at, Timestamp(10));
    let rest = store
        .claim(&ClaimRequest::any(Timestamp(25), 10, Timestamp(LEASE)))
        .await
        .unwrap();
    assert_eq!(rest.events.len(), 1, "only events due by t=25");
    assert_eq!(rest.next_due, Some(Timestamp(30)));
}

/// A function without room is skipped (its backlog costs nothing and delays nobody); one with
/// a limit gets at most that many, oldest due first.
pub async fn claim_keeps_within_each_functions_room<S: QueueAndCatalog + ?Sized>(store: Arc<S>) {
    for t in 1..=5 {
        store.enqueue(new_event("busy", t)).await.unwrap();
    }
    store.enqueue(new_event("idle", 10)).await.unwrap();
    let busy = FunctionName::parse("busy").unwrap();
    let request = |limit: usize, others: usize| ClaimRequest {
        now: Timestamp(100),
        lease_until: Timestamp(100 + LEASE),
        others,
        limits: HashMap::from([(busy.clone(), limit)]),
    };

    let got = store.claim(&request(0, 10)).await.unwrap();
    let functions: Vec<_> = got.events.iter().map(|e| e.function.as_str()).collect();
    assert_eq!(
        functions,
        ["idle"],
        "a function without room is not claimed"
    );
    assert_eq!(
        got.next_due,
        Some(Timestamp(100 + LEASE)),
        "the next due time counts only functions with room (here: idle's lease)"
    );

    let got = store.claim(&request(2, 0)).await.unwrap();
    let times: Vec<_> = got.events.iter().map(|e| e.enqueued_at.0).collect();
    assert_eq!(times, [1, 2], "at most its limit, oldest due first");
    assert_eq!(got.next_due, None, "busy's room is used up and others is 0");

    let got = store.claim(&request(5, 0)).await.unwrap();
    let times: Vec<_> = got.events.iter().map(|e| e.enqueued_at.0).collect();
    assert_eq!(times, [3, 4, 5]);
    assert_eq!(
        got.next_due,
        Some(Timestamp(100 + LEASE)),
        "busy still has room: its earliest lease expiry"
    );
}

/// Functions sharing `others` get equal shares, so a long backlog never stands in front of
/// another function's event; the next due time skips functions without room.
pub async fn claim_shares_room_between_functions<S: QueueAndCatalog + ?Sized>(store: Arc<S>) {
    for t in 1..=10 {
        store.enqueue(new_event("backlog", t)).await.unwrap();
    }
    store.enqueue(new_event("late", 50)).await.unwrap();
    let got = store
        .claim(&ClaimRequest::any(
            Timestamp(100),
            4,
            Timestamp(100 + LEASE),
        ))
        .await
        .unwrap();
    let claimed: Vec<_> = got
        .events
        .iter()
        .map(|e| (e.function.as_str(), e.enqueued_at.0))
        .collect();
    assert_eq!(claimed, [("backlog", 1), ("backlog", 2), ("late", 50)]);

    store.enqueue(new_event("waiting", 200)).await.unwrap();
    store.enqueue(new_event("open", 300)).await.unwrap();
    let got = store
        .claim(&ClaimRequest {
            now: Timestamp(150),
            lease_until: Timestamp(150 + LEASE),
            others: 10,
            limits: HashMap::from([
                (FunctionName::parse("waiting").unwrap(), 0),
                (FunctionName::parse("backlog").unwrap(), 0),
            ]),
        })
        .await
        .unwrap();
    assert!(got.events.is_empty());
    assert_eq!(got.next_due, Some(Timestamp(300)), "waiting has no room");
}

pub async fn extend_lease_keeps_a_claim<S: QueueAndCatalog + ?Sized>(store: Arc<S>) {
    let ev = new_event("f", 0);
    let id = ev.request_id.clone();
    store.enqueue(ev).await.unwrap();
    let c = store
        .claim(&ClaimRequest::any(Timestamp(1), 1, Timestamp(1000)))
        .await
        .unwrap()
        .events
        .remove(0);
    store
        .extend_lease(vec![c.seq], Timestamp(5000))
        .await
        .unwrap();
    assert!(
        store
            .claim(&ClaimRequest::any(Timestamp(2000), 1, Timestamp(9000)))
            .await
            .unwrap()
            .events
            .is_empty(),
        "the extended lease still holds"
    );
    assert_eq!(
        store.event(&id).await.unwrap().unwrap().due_at,
        Some(Timestamp(5000))
    );
    // A finished event's lease is not revived.
    store
        .finish(finish(
            c.seq,
            2,
            OutcomeKind::Success,
            NextState::Succeeded,
            1,
        ))
        .await
        .unwrap();
    store
        .extend_lease(vec![c.seq], Timestamp(9000))
        .await
        .unwrap();
    assert_eq!(store.event(&id).await.unwrap().unwrap().due_at, None);
}

pub async fn finish_moves_to_next_state_and_records_attempts<S: QueueAndCatalog + ?Sized>(
    store: Arc<S>,
) {
    let ev = new_event("f", 0);
    let id = ev.request_id.clone();
    store.enqueue(ev).await.unwrap();
    let c = store
        .claim(&ClaimRequest::any(Timestamp(1), 1, Timestamp(LEASE)))
        .await
        .unwrap()
        .events
        .remove(0);
    store
        .finish(finish(
            c.seq,
            1,
            OutcomeKind::FunctionError,
            NextState::RetryAt(Timestamp(5000)),
            1,
        ))
        .await
        .unwrap();
    let rec = store.event(&id).await.unwrap().unwrap();
    assert_eq!(rec.state, EventState::RetryScheduled);
    assert_eq!(rec.due_at, Some(Timestamp(5000)));
    assert_eq!(rec.invocations, 1);
    assert!(
        store
            .claim(&ClaimRequest::any(Timestamp(4999), 1, Timestamp(LEASE)))
            .await
            .unwrap()
            .events
            .is_empty()
    );

    let c = store
        .claim(&ClaimRequest::any(
            Timestamp(5000),
            1,
            Timestamp(5000 + LEASE),
        ))
        .await
        .unwrap()
        .events
        .remove(0);
    assert_eq!(
        c.invocations, 1,
        "the claim carries the attempts made so far"
    );
    store
        .finish(finish(
            c.seq,
            5000,
            OutcomeKind::Timeout,
            NextState::Failed(FailureCondition::RetriesExhausted),
            2,
        ))
        .await
        .unwrap();
    let rec = store.event(&id).await.unwrap().unwrap();
    assert_eq!(
        rec.state,
        EventState::Failed(FailureCondition::RetriesExhausted)
    );
    assert_eq!(rec.due_at, None);
    assert_eq!(rec.attempts.len(), 2);
    assert_eq!(rec.attempts[0].outcome, OutcomeKind::FunctionError);
    assert_eq!(rec.attempts[1].outcome, OutcomeKind::Timeout);
    assert_eq!(rec.attempts[1].duration_ms(), 7);
    assert_eq!(
        rec.attempts[1].error.as_ref().unwrap().error_message,
        "boom"
    );
    assert_eq!(rec.response.as_deref(), Some(&br#"{"ok":true}"#[..]));
    assert_eq!(
        store
            .claim(&ClaimRequest::any(
                Timestamp(100 * LEASE),
                1,
                Timestamp(LEASE)
            ))
            .await
            .unwrap()
            .next_due,
        None,
        "terminal events are never due"
    );

    let ev = new_event("f", 0);
    let id = ev.request_id.clone();
    store.enqueue(ev).await.unwrap();
    let c = store
        .claim(&ClaimRequest::any(Timestamp(1), 1, Timestamp(LEASE)))
        .await
        .unwrap()
        .events
        .remove(0);
    store
        .finish(finish(
            c.seq,
            1,
            OutcomeKind::Success,
            NextState::Succeeded,
            1,
        ))
        .await
        .unwrap();
    let stats = store.stats().await.unwrap();
    assert_eq!((stats.succeeded, stats.failed, stats.queued), (1, 1, 0));
    assert_eq!(
        store.event(&id).await.unwrap().unwrap().state,
        EventState::Succeeded
    );
}

pub async fn expired_lease_is_reclaimed_as_rerun<S: QueueAndCatalog + ?Sized>(store: Arc<S>) {
    let ev = new_event("f", 0);
    store.enqueue(ev).await.unwrap();
    let first = store
        .claim(&ClaimRequest::any(Timestamp(1), 1, Timestamp(1000)))
        .await
        .unwrap()
        .events;
    assert!(!first[0].rerun);
    assert!(
        store
            .claim(&ClaimRequest::any(Timestamp(999), 1, Timestamp(2000)))
            .await
            .unwrap()
            .events
            .is_empty()
    );
    let again = store
        .claim(&ClaimRequest::any(Timestamp(1000), 1, Timestamp(2000)))
        .await
        .unwrap()
        .events;
    assert_eq!(again.len(), 1);
    assert!(
        again[0].rerun,
        "a reclaimed lease is flagged as a possible duplicate"
    );
    assert_eq!(store.stats().await.unwrap().reruns, 1);
}

pub async fn release_hands_events_back<S: QueueAndCatalog + ?Sized>(store: Arc<S>) {
    let ev = new_event("f", 0);
    let id = ev.request_id.clone();
    store.enqueue(ev).await.unwrap();
    let c = store
        .claim(&ClaimRequest::any(Timestamp(1), 1, Timestamp(LEASE)))
        .await
        .unwrap()
        .events
        .remove(0);
    store.release(vec![c.seq], Timestamp(2)).await.unwrap();
    let rec = store.event(&id).await.unwrap().unwrap();
    assert_eq!(rec.state, EventState::Queued);
    let again = store
        .claim(&ClaimRequest::any(Timestamp(2), 1, Timestamp(LEASE)))
        .await
        .unwrap()
        .events;
    assert_eq!(again.len(), 1);
    assert!(
        !again[0].rerun,
        "a released event never ran, so it is not a rerun"
    );
}

pub async fn recover_requeues_running_events<S: QueueAndCatalog + ?Sized>(store: Arc<S>) {
    for t in [1, 2] {
        store.enqueue(new_event("f", t)).await.unwrap();
    }
    store
        .claim(&ClaimRequest::any(Timestamp(5), 10, Timestamp(LEASE)))
        .await
        .unwrap();
    assert_eq!(store.recover(Timestamp(6)).await.unwrap(), 2);
    let again = store
        .claim(&ClaimRequest::any(Timestamp(6), 10, Timestamp(LEASE)))
        .await
        .unwrap()
        .events;
    assert_eq!(
        again.len(),
        2,
        "recovered events are due at once, not after the lease"
    );
    assert_eq!(store.stats().await.unwrap().reruns, 2);
}

pub async fn duplicate_request_id_is_rejected<S: QueueAndCatalog + ?Sized>(store: Arc<S>) {
    let ev = new_event("f", 0);
    store.enqueue(ev.clone()).await.unwrap();
    let err = store.enqueue(ev).await.unwrap_err();
    assert!(matches!(err, StoreError::DuplicateEvent(_)), "{err:?}");
    assert_eq!(store.stats().await.unwrap().queued, 1);
}

pub async fn events_lists_newest_first<S: QueueAndCatalog + ?Sized>(store: Arc<S>) {
    let mut ids = Vec::new();
    for t in 0..5 {
        let ev = new_event("f", t);
        ids.push(ev.request_id.clone());
        store.enqueue(ev).await.unwrap();
    }
    store.enqueue(new_event("other", 9)).await.unwrap();
    let f = FunctionName::parse("f").unwrap();
    let listed = store.events(&f, 3).await.unwrap();
    let got: Vec<_> = listed.iter().map(|e| e.request_id.clone()).collect();
    assert_eq!(got, vec![ids[4].clone(), ids[3].clone(), ids[2].clone()]);
    assert!(listed.iter().all(|e| e.state == EventState::Queued));
}

pub async fn discard_drops_unfinished_events<S: QueueAndCatalog + ?Sized>(store: Arc<S>) {
    let done = new_event("f", 0);
    let done_id = done.request_id.clone();
    store.enqueue(done).await.unwrap();
    let c = store
        .claim(&ClaimRequest::any(Timestamp(1), 1, Timestamp(LEASE)))
        .await
        .unwrap()
        .events
        .remove(0);
    store
        .finish(finish(
            c.seq,
            1,
            OutcomeKind::Success,
            NextState::Succeeded,
            1,
        ))
        .await
        .unwrap();
    store.enqueue(new_event("f", 2)).await.unwrap();
    store.enqueue(new_event("g", 2)).await.unwrap();
    let f = FunctionName::parse("f").unwrap();
    assert_eq!(store.discard_events(&f, None).await.unwrap(), 1);
    assert!(
        store.event(&done_id).await.unwrap().is_some(),
        "history is kept"
    );
    assert_eq!(
        store.stats().await.unwrap().queued,
        1,
        "other functions untouched"
    );
}

pub async fn catalog_crud<S: QueueAndCatalog + ?Sized>(store: Arc<S>) {
    let f = function("alpha");
    store.create_function(f.clone()).await.unwrap();
    let err = store.create_function(f.clone()).await.unwrap_err();
    assert!(matches!(err, StoreError::FunctionExists(_)), "{err:?}");
    store.create_function(function("beta")).await.unwrap();
    assert_eq!(store.function(&f.name).await.unwrap(), Some(f.clone()));

    let mut changed = f.clone();
    changed.timeout_s = 30;
    changed.reserved_concurrency = Some(0);
    store.update_function(changed.clone()).await.unwrap();
    assert_eq!(store.function(&f.name).await.unwrap(), Some(changed));
    let missing = function("gamma");
    let err = store.update_function(missing.clone()).await.unwrap_err();
    assert!(matches!(err, StoreError::FunctionNotFound(_)), "{err:?}");

    let names: Vec<_> = store
        .functions()
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.name.to_string())
        .collect();
    assert_eq!(names, ["alpha", "beta"]);
    assert!(store.delete_function(&f.name).await.unwrap());
    assert!(!store.delete_function(&f.name).await.unwrap());
    assert_eq!(store.function(&f.name).await.unwrap(), None);
}

/// Published versions and aliases: a publish stores the snapshot and `$LATEST`'s counter in one
/// commit; deleting a version or alias takes its event-invoke config with it; deleting the
/// function takes everything.
pub async fn versions_and_aliases<S: QueueAndCatalog + ?Sized>(store: Arc<S>) {
    let f = function("alpha");
    store.create_function(f.clone()).await.unwrap();
    store.create_function(function("beta")).await.unwrap();
    for n in [1u32, 2] {
        let latest = FunctionConfig {
            last_published: n,
            ..f.clone()
        };
        let version = FunctionConfig {
            version: n.to_string(),
            published_from: Some(format!("r{n}")),
            code_sha256: format!("sha{n}="),
            ..f.clone()
        };
        store.publish_version(latest, version).await.unwrap();
    }
    let beta_v1 = FunctionConfig {
        version: "1".into(),
        ..function("beta")
    };
    store
        .publish_version(function("beta"), beta_v1)
        .await
        .unwrap();
    let err = store
        .publish_version(
            function("gamma"),
            FunctionConfig {
                version: "1".into(),
                ..function("gamma")
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::FunctionNotFound(_)), "{err:?}");
    assert_eq!(
        store
            .function(&f.name)
            .await
            .unwrap()
            .unwrap()
            .last_published,
        2
    );
    let listed: Vec<(String, String, String)> = store
        .function_versions()
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.name.to_string(), c.version, c.code_sha256))
        .collect();
    assert_eq!(
        listed,
        [
            ("alpha".into(), "1".into(), "sha1=".into()),
            ("alpha".into(), "2".into(), "sha2=".into()),
            ("beta".into(), "1".into(), "abc=".into()),
        ]
    );

    let live = lambkin_model::Alias {
        name: "live".into(),
        function_version: "1".into(),
        description: "d".into(),
        additional_weights: BTreeMap::from([("2".into(), 0.1)]),
        revision_id: "a1".into(),
    };
    store.put_alias(&f.name, live.clone()).await.unwrap();
    let moved = lambkin_model::Alias {
        function_version: "2".into(),
        additional_weights: BTreeMap::new(),
        ..live.clone()
    };
    store.put_alias(&f.name, moved.clone()).await.unwrap();
    store
        .put_alias(&function("beta").name, live.clone())
        .await
        .unwrap();
    let aliases = store.aliases().await.unwrap();
    assert_eq!(
        aliases,
        vec![
            (f.name.clone(), moved),
            (function("beta").name, live.clone())
        ]
    );

    let q = |s: &str| Qualifier::parse(s).unwrap();
    let cfg = EventInvokeConfig {
        maximum_retry_attempts: Some(0),
        ..Default::default()
    };
    for qualifier in ["1", "2", "live"] {
        store
            .put_event_invoke_config(&f.name, &q(qualifier), cfg.clone())
            .await
            .unwrap();
    }
    assert!(store.delete_function_version(&f.name, 1).await.unwrap());
    assert!(!store.delete_function_version(&f.name, 1).await.unwrap());
    assert!(store.delete_alias(&f.name, "live").await.unwrap());
    assert!(!store.delete_alias(&f.name, "live").await.unwrap());
    let left: Vec<String> = store
        .event_invoke_configs(&f.name)
        .await
        .unwrap()
        .into_iter()
        .map(|(q, _)| q.to_string())
        .collect();
    assert_eq!(
        left,
        ["2"],
        "a deleted version's and alias's configs go with them"
    );

    // The version an event was routed to comes back with its claim and its record.
    let routed = NewEvent {
        qualifier: Some("live".into()),
        version: Some("2".into()),
        ..new_event("alpha", 10)
    };
    let id = routed.request_id.clone();
    store.enqueue(routed).await.unwrap();
    let other = NewEvent {
        version: Some("3".into()),
        ..new_event("alpha", 10)
    };
    let other_id = other.request_id.clone();
    store.enqueue(other).await.unwrap();
    let claimed = store
        .claim(&ClaimRequest::any(Timestamp(10), 10, Timestamp(10 + LEASE)))
        .await
        .unwrap();
    assert_eq!(claimed.events.len(), 2);
    let routed = claimed.events.iter().find(|e| e.request_id == id).unwrap();
    assert_eq!(routed.version.as_deref(), Some("2"));
    assert_eq!(routed.qualifier.as_deref(), Some("live"));
    let record = store.event(&id).await.unwrap().unwrap();
    assert_eq!(record.version.as_deref(), Some("2"));
    // Discarding one deleted version's events leaves the others.
    assert_eq!(store.discard_events(&f.name, Some("3")).await.unwrap(), 1);
    assert!(store.event(&other_id).await.unwrap().is_none());
    assert!(store.event(&id).await.unwrap().is_some());

    assert!(store.delete_function(&f.name).await.unwrap());
    assert_eq!(
        store
            .function_versions()
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.name.to_string())
            .collect::<Vec<_>>(),
        ["beta"]
    );
    assert_eq!(store.aliases().await.unwrap().len(), 1);
    assert!(
        store
            .event_invoke_configs(&f.name)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn event_invoke_config_crud<S: QueueAndCatalog + ?Sized>(store: Arc<S>) {
    let f = function("alpha");
    store.create_function(f.clone()).await.unwrap();
    let latest = Qualifier::latest();
    let cfg = EventInvokeConfig {
        maximum_retry_attempts: Some(1),
        maximum_event_age_s: None,
        destinations: DestinationConfig {
            on_success: None,
            on_failure: Some("arn:aws:sqs:us-east-1:000000000000:dlq".into()),
        },
        last_modified: Timestamp(77),
    };
    assert_eq!(
        store.event_invoke_config(&f.name, &latest).await.unwrap(),
        None
    );
    store
        .put_event_invoke_config(&f.name, &latest, cfg.clone())
        .await
        .unwrap();
    assert_eq!(
        store.event_invoke_config(&f.name, &latest).await.unwrap(),
        Some(cfg.clone())
    );
    let replaced = EventInvokeConfig {
        maximum_retry_attempts: Some(0),
        ..Default::default()
    };
    store
        .put_event_invoke_config(&f.name, &latest, replaced.clone())
        .await
        .unwrap();
    let listed = store.event_invoke_configs(&f.name).await.unwrap();
    assert_eq!(listed, vec![(latest.clone(), replaced)]);
    assert!(
        store
            .delete_event_invoke_config(&f.name, &latest)
            .await
            .unwrap()
    );
    assert!(
        !store
            .delete_event_invoke_config(&f.name, &latest)
            .await
            .unwrap()
    );
    store
        .put_event_invoke_config(&f.name, &latest, cfg)
        .await
        .unwrap();
    store.delete_function(&f.name).await.unwrap();
    assert!(
        store
            .event_invoke_configs(&f.name)
            .await
            .unwrap()
            .is_empty(),
        "deleted with the function"
    );
}

pub async fn finish_batch_records_every_event<S: QueueAndCatalog + ?Sized>(store: Arc<S>) {
    for t in 0..3 {
        store.enqueue(new_event("f", t)).await.unwrap();
    }
    let claimed = store
        .claim(&ClaimRequest::any(Timestamp(10), 10, Timestamp(LEASE)))
        .await
        .unwrap()
        .events;
    let finishes = claimed
        .iter()
        .map(|c| finish(c.seq, 10, OutcomeKind::Success, NextState::Succeeded, 1))
        .collect();
    store.finish_batch(finishes).await.unwrap();
    let stats = store.stats().await.unwrap();
    assert_eq!((stats.succeeded, stats.running), (3, 0));
    for c in &claimed {
        assert_eq!(
            store
                .event(&c.request_id)
                .await
                .unwrap()
                .unwrap()
                .attempts
                .len(),
            1
        );
    }
}

pub async fn finishing_an_event_that_is_not_running_changes_nothing<S: QueueAndCatalog + ?Sized>(
    store: Arc<S>,
) {
    let ev = new_event("f", 0);
    let id = ev.request_id.clone();
    store.enqueue(ev).await.unwrap();
    let c = store
        .claim(&ClaimRequest::any(Timestamp(1), 1, Timestamp(LEASE)))
        .await
        .unwrap()
        .events
        .remove(0);
    store.release(vec![c.seq], Timestamp(2)).await.unwrap();
    // A late completion for a run that was handed back must not overwrite the queued event.
    store
        .finish(finish(
            c.seq,
            3,
            OutcomeKind::Success,
            NextState::Succeeded,
            1,
        ))
        .await
        .unwrap();
    let rec = store.event(&id).await.unwrap().unwrap();
    assert_eq!(rec.state, EventState::Queued);
    assert!(rec.attempts.is_empty());
    let stats = store.stats().await.unwrap();
    assert_eq!((stats.queued, stats.succeeded, stats.running), (1, 0, 0));
}

/// Enqueues, claims, retries, failures, successes, releases and a discard; used by backends
/// to check their bookkeeping.
pub async fn mixed_workload(store: Arc<dyn Store>) {
    for t in 0..20 {
        store
            .enqueue(new_event(if t % 5 == 0 { "gone" } else { "f" }, t))
            .await
            .unwrap();
    }
    let claimed = store
        .claim(&ClaimRequest::any(
            Timestamp(100),
            12,
            Timestamp(100 + LEASE),
        ))
        .await
        .unwrap()
        .events;
    for (i, c) in claimed.iter().enumerate() {
        let next = match i % 4 {
            0 => NextState::Succeeded,
            1 => NextState::RetryAt(Timestamp(10_000)),
            2 => NextState::Failed(FailureCondition::RetriesExhausted),
            _ => continue,
        };
        let outcome = if next == NextState::Succeeded {
            OutcomeKind::Success
        } else {
            OutcomeKind::FunctionError
        };
        store
            .finish(finish(c.seq, 100, outcome, next, 1))
            .await
            .unwrap();
    }
    let leftover: Vec<i64> = claimed
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 4 == 3)
        .map(|(_, c)| c.seq)
        .take(1)
        .collect();
    store.release(leftover, Timestamp(101)).await.unwrap();
    store
        .discard_events(&FunctionName::parse("gone").unwrap(), None)
        .await
        .unwrap();
    store
        .claim(&ClaimRequest::any(
            Timestamp(102),
            2,
            Timestamp(102 + LEASE),
        ))
        .await
        .unwrap();
}

pub async fn concurrent_enqueues_are_all_durable<S: QueueAndCatalog + ?Sized>(store: Arc<S>) {
    let mut tasks = Vec::new();
    for i in 0..64 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for j in 0..20 {
                let ev = new_event("f", i * 100 + j);
                ids.push(ev.request_id.clone());
                store.enqueue(ev).await.unwrap();
            }
            ids
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    assert_eq!(store.stats().await.unwrap().queued, 1280);
    for id in all.iter().step_by(97) {
        assert!(store.event(id).await.unwrap().is_some());
    }
}

fn delivery(source: &str, target: &str) -> NewDelivery {
    NewDelivery {
        kind: DeliveryKind::DeadLetter,
        source: source.to_string(),
        target: target.to_string(),
        body: br#"{"n":1}"#.to_vec(),
        attributes: MessageAttributes::from([(
            "RequestID".to_string(),
            MessageAttribute::string(source),
        )]),
        chain: 0,
        retry: None,
    }
}

/// The final state and the deliveries it owes commit together, and only if the state change
/// applies: a stale completion owes nothing.
pub async fn final_state_records_its_deliveries<S: QueueAndOutbox + ?Sized>(store: Arc<S>) {
    let ev = new_event("f", 0);
    let id = ev.request_id.to_string();
    store.enqueue(ev).await.unwrap();
    let c = store
        .claim(&ClaimRequest::any(Timestamp(1), 1, Timestamp(LEASE)))
        .await
        .unwrap()
        .events
        .remove(0);
    let mut f = finish(
        c.seq,
        1,
        OutcomeKind::FunctionError,
        NextState::Failed(FailureCondition::RetriesExhausted),
        3,
    );
    f.deliveries = vec![
        delivery(&id, "arn:aws:sqs:us-east-1:000000000000:dlq"),
        NewDelivery {
            kind: DeliveryKind::OnFailure,
            chain: 4,
            retry: None,
            ..delivery(&id, "arn:aws:sqs:us-east-1:000000000000:failures")
        },
    ];
    store.finish(f.clone()).await.unwrap();
    // The same completion again (a stale duplicate) must not owe anything more.
    store.finish(f).await.unwrap();

    let owed = store.deliveries(&id).await.unwrap();
    assert_eq!(owed.len(), 2, "{owed:?}");
    assert_eq!(owed[0].kind, DeliveryKind::DeadLetter);
    assert_eq!(owed[1].kind, DeliveryKind::OnFailure);
    assert!(owed.iter().all(|d| d.state == DeliveryState::Pending));
    assert_eq!(
        store.next_delivery_due().await.unwrap(),
        Some(Timestamp(8)),
        "due when decided (attempt end)"
    );

    let claimed = store
        .claim_deliveries(Timestamp(10), 10, Timestamp(10 + LEASE))
        .await
        .unwrap();
    assert_eq!(claimed.len(), 2);
    assert_eq!(claimed[0].body, br#"{"n":1}"#.to_vec());
    assert_eq!(
        (claimed[0].chain, claimed[1].chain),
        (0, 4),
        "a delivery keeps the chain that owes it"
    );
    assert_eq!(
        claimed[0].attributes["RequestID"],
        MessageAttribute::string(&id)
    );
    assert!(
        store
            .claim_deliveries(Timestamp(11), 10, Timestamp(11 + LEASE))
            .await
            .unwrap()
            .is_empty(),
        "leased deliveries are not handed out twice"
    );
}

/// Retention removes what finished before the cutoff, with its attempts and finished
/// deliveries, in steps of at most `limit`; never an unfinished event, one owed a pending
/// delivery, or anything that finished after the cutoff. Counts follow.
pub async fn prune_removes_only_what_finished_before_the_cutoff<
    S: QueueAndOutbox + crate::Retention + ?Sized,
>(
    store: Arc<S>,
) {
    use crate::{DeliveryLease, DeliveryResult};
    // (name, final state at ms, owes: None | Some(delivered?))
    let mut ids = Vec::new();
    for _ in 0..6 {
        let ev = new_event("f", 0);
        ids.push(ev.request_id.clone());
        store.enqueue(ev).await.unwrap();
    }
    let claimed = store
        .claim(&ClaimRequest::any(Timestamp(1), 6, Timestamp(LEASE)))
        .await
        .unwrap()
        .events;
    let seq = |i: usize| claimed.iter().find(|c| c.request_id == ids[i]).unwrap().seq;
    // 0: succeeded at 100; 1: failed at 100 owing a delivery still pending;
    // 2: failed at 100, its delivery done at 150; 3: retry scheduled; 4: succeeded at 500;
    // 5: still running.
    store
        .finish(finish(
            seq(0),
            93,
            OutcomeKind::Success,
            NextState::Succeeded,
            1,
        ))
        .await
        .unwrap();
    let failed = NextState::Failed(FailureCondition::RetriesExhausted);
    let mut f1 = finish(seq(1), 93, OutcomeKind::FunctionError, failed, 3);
    f1.deliveries = vec![delivery(ids[1].as_str(), "dlq")];
    store.finish(f1).await.unwrap();
    let mut f2 = finish(seq(2), 93, OutcomeKind::FunctionError, failed, 3);
    f2.deliveries = vec![delivery(ids[2].as_str(), "dlq")];
    store.finish(f2).await.unwrap();
    store
        .finish(finish(
            seq(3),
            93,
            OutcomeKind::FunctionError,
            NextState::RetryAt(Timestamp(9_000)),
            1,
        ))
        .await
        .unwrap();
    store
        .finish(finish(
            seq(4),
            493,
            OutcomeKind::Success,
            NextState::Succeeded,
            1,
        ))
        .await
        .unwrap();
    let leased = store
        .claim_deliveries(Timestamp(140), 10, Timestamp(140 + LEASE))
        .await
        .unwrap();
    let done: Vec<(DeliveryLease, DeliveryResult)> = leased
        .iter()
        .map(|d| {
            let result = if d.source == ids[2].as_str() {
                DeliveryResult::Delivered
            } else {
                DeliveryResult::RetryAt(Timestamp(9_000), "busy".into())
            };
            (d.lease, result)
        })
        .collect();
    store
        .complete_deliveries(done, Timestamp(150))
        .await
        .unwrap();
    let before = store.stats().await.unwrap();
    assert_eq!((before.succeeded, before.failed), (2, 2));
    assert_eq!(store.pruned_before().await.unwrap(), None);

    let first = store.prune(Timestamp(300), 1).await.unwrap();
    assert_eq!(
        (first.events, first.deliveries),
        (1, 1),
        "at most the limit per table"
    );
    let rest = store.prune(Timestamp(300), 10).await.unwrap();
    assert_eq!((rest.events, rest.deliveries), (1, 0));
    assert_eq!(store.prune(Timestamp(300), 10).await.unwrap().total(), 0);

    let present = |i: usize| {
        let store = store.clone();
        let id = ids[i].clone();
        async move { store.event(&id).await.unwrap().is_some() }
    };
    assert!(!present(0).await, "succeeded before the cutoff");
    assert!(present(1).await, "owes a pending delivery");
    assert!(
        !present(2).await,
        "failed before the cutoff, its delivery done"
    );
    assert!(present(3).await, "scheduled for a retry, however old");
    assert!(present(4).await, "finished after the cutoff");
    assert!(present(5).await, "running, however old");
    assert!(store.deliveries(ids[2].as_str()).await.unwrap().is_empty());
    assert_eq!(store.deliveries(ids[1].as_str()).await.unwrap().len(), 1);
    let after = store.stats().await.unwrap();
    assert_eq!((after.succeeded, after.failed), (1, 1), "counts follow");
    assert_eq!(after.running, 1);
    assert_eq!(after.retry_scheduled, 1);
    assert_eq!(store.delivery_stats().await.unwrap().delivered, 0);
    assert_eq!(store.pruned_before().await.unwrap(), Some(Timestamp(300)));
    store.prune(Timestamp(200), 10).await.unwrap();
    assert_eq!(
        store.pruned_before().await.unwrap(),
        Some(Timestamp(300)),
        "the latest cutoff is kept"
    );
}

/// Delivered and failed are final; a retry comes back when due; stats count failures by kind.
pub async fn deliveries_complete_retry_and_fail<S: QueueAndOutbox + ?Sized>(store: Arc<S>) {
    let ev = new_event("f", 0);
    let id = ev.request_id.to_string();
    store.enqueue(ev).await.unwrap();
    let c = store
        .claim(&ClaimRequest::any(Timestamp(1), 1, Timestamp(LEASE)))
        .await
        .unwrap()
        .events
        .remove(0);
    let mut f = finish(
        c.seq,
        1,
        OutcomeKind::FunctionError,
        NextState::Failed(FailureCondition::RetriesExhausted),
        3,
    );
    f.deliveries = vec![
        delivery(&id, "a"),
        NewDelivery {
            kind: DeliveryKind::OnFailure,
            ..delivery(&id, "b")
        },
        NewDelivery {
            kind: DeliveryKind::OnFailure,
            ..delivery(&id, "c")
        },
    ];
    store.finish(f).await.unwrap();
    let claimed = store
        .claim_deliveries(Timestamp(10), 10, Timestamp(10 + LEASE))
        .await
        .unwrap();
    let by_target = |t: &str| claimed.iter().find(|d| d.target == t).unwrap().lease;
    store
        .complete_deliveries(
            vec![
                (by_target("a"), DeliveryResult::Failed("gone".into())),
                (by_target("b"), DeliveryResult::Delivered),
                (
                    by_target("c"),
                    DeliveryResult::RetryAt(Timestamp(500), "busy".into()),
                ),
            ],
            Timestamp(20),
        )
        .await
        .unwrap();
    let stats = store.delivery_stats().await.unwrap();
    assert_eq!(
        (
            stats.pending,
            stats.delivered,
            stats.dead_letter_errors,
            stats.destination_delivery_failures
        ),
        (1, 1, 1, 0)
    );
    assert_eq!(
        store.next_delivery_due().await.unwrap(),
        Some(Timestamp(500))
    );
    assert!(
        store
            .claim_deliveries(Timestamp(499), 10, Timestamp(499 + LEASE))
            .await
            .unwrap()
            .is_empty()
    );
    let again = store
        .claim_deliveries(Timestamp(500), 10, Timestamp(500 + LEASE))
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!((again[0].target.as_str(), again[0].attempts), ("c", 1));
    // A late result from the first claim of "c" does not touch the second claim.
    store
        .complete_deliveries(
            vec![(by_target("c"), DeliveryResult::Failed("stale".into()))],
            Timestamp(501),
        )
        .await
        .unwrap();
    assert_eq!(store.delivery_stats().await.unwrap().pending, 1);
    store
        .complete_deliveries(
            vec![(again[0].lease, DeliveryResult::Delivered)],
            Timestamp(502),
        )
        .await
        .unwrap();
    assert_eq!(store.delivery_stats().await.unwrap().pending, 0);
    // A completion for a delivery already final changes nothing.
    store
        .complete_deliveries(
            vec![(by_target("b"), DeliveryResult::Failed("late".into()))],
            Timestamp(600),
        )
        .await
        .unwrap();
    let records = store.deliveries(&id).await.unwrap();
    let b = records.iter().find(|d| d.target == "b").unwrap();
    assert_eq!(b.state, DeliveryState::Delivered);
    let a = records.iter().find(|d| d.target == "a").unwrap();
    assert_eq!(
        (a.state, a.last_error.as_deref(), a.attempts),
        (DeliveryState::Failed, Some("gone"), 1)
    );
}

/// After a crash, deliveries a dead deliverer held are due at once; scheduled retries are not.
pub async fn recover_makes_leased_deliveries_due<S: QueueAndOutbox + ?Sized>(store: Arc<S>) {
    let ev = new_event("f", 0);
    let id = ev.request_id.to_string();
    store.enqueue(ev).await.unwrap();
    let c = store
        .claim(&ClaimRequest::any(Timestamp(1), 1, Timestamp(LEASE)))
        .await
        .unwrap()
        .events
        .remove(0);
    let mut f = finish(
        c.seq,
        1,
        OutcomeKind::FunctionError,
        NextState::Failed(FailureCondition::RetriesExhausted),
        3,
    );
    f.deliveries = vec![delivery(&id, "leased"), delivery(&id, "retrying")];
    store.finish(f).await.unwrap();
    let claimed = store
        .claim_deliveries(Timestamp(10), 10, Timestamp(10 + LEASE))
        .await
        .unwrap();
    let retrying = claimed
        .iter()
        .find(|d| d.target == "retrying")
        .unwrap()
        .lease;
    store
        .complete_deliveries(
            vec![(
                retrying,
                DeliveryResult::RetryAt(Timestamp(90_000), "busy".into()),
            )],
            Timestamp(11),
        )
        .await
        .unwrap();
    assert_eq!(store.recover_deliveries(Timestamp(12)).await.unwrap(), 1);
    let due = store
        .claim_deliveries(Timestamp(12), 10, Timestamp(12 + LEASE))
        .await
        .unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].target, "leased");
}

/// An event failed owing `n` dead-letter deliveries to targets `t0`, `t1`, …; its request id.
async fn owe_deliveries<S: QueueAndOutbox + ?Sized>(store: &Arc<S>, n: usize) -> String {
    let ev = new_event("f", 0);
    let id = ev.request_id.to_string();
    store.enqueue(ev).await.unwrap();
    let c = store
        .claim(&ClaimRequest::any(Timestamp(1), 1, Timestamp(LEASE)))
        .await
        .unwrap()
        .events
        .remove(0);
    let mut f = finish(
        c.seq,
        1,
        OutcomeKind::FunctionError,
        NextState::Failed(FailureCondition::RetriesExhausted),
        3,
    );
    f.deliveries = (0..n).map(|i| delivery(&id, &format!("t{i}"))).collect();
    store.finish(f).await.unwrap();
    id
}

/// Deliverers claiming at once (several nodes on one database) never take the same delivery,
/// and between them take every one.
pub async fn concurrent_delivery_claims_never_share_a_delivery<S: QueueAndOutbox + ?Sized>(
    store: Arc<S>,
) {
    owe_deliveries(&store, 200).await;
    let start = Arc::new(tokio::sync::Barrier::new(8));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (store, start) = (store.clone(), start.clone());
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            let mut mine = Vec::new();
            // Empty only when every due delivery is taken (a row another claim holds is
            // skipped, and that claim takes it).
            loop {
                let got = store
                    .claim_deliveries(Timestamp(10), 7, Timestamp(10 + LEASE))
                    .await
                    .unwrap();
                if got.is_empty() {
                    return mine;
                }
                mine.extend(got.into_iter().map(|d| d.id));
            }
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let distinct: std::collections::HashSet<i64> = all.iter().copied().collect();
    assert_eq!(distinct.len(), all.len(), "a delivery was handed out twice");
    assert_eq!(all.len(), 200, "every due delivery is taken");
}

/// A batch of results carrying the same lease twice applies the first, once.
pub async fn a_lease_answered_twice_in_one_batch_counts_once<S: QueueAndOutbox + ?Sized>(
    store: Arc<S>,
) {
    let id = owe_deliveries(&store, 2).await;
    let claimed = store
        .claim_deliveries(Timestamp(10), 10, Timestamp(10 + LEASE))
        .await
        .unwrap();
    let lease = |t: &str| claimed.iter().find(|d| d.target == t).unwrap().lease;
    let (t0, t1) = (lease("t0"), lease("t1"));
    store
        .complete_deliveries(
            vec![
                (t0, DeliveryResult::Delivered),
                (t1, DeliveryResult::RetryAt(Timestamp(90), "busy".into())),
                (t0, DeliveryResult::Failed("late".into())),
                (t1, DeliveryResult::Delivered),
            ],
            Timestamp(20),
        )
        .await
        .unwrap();
    let records = store.deliveries(&id).await.unwrap();
    let summary: Vec<_> = records
        .iter()
        .map(|d| {
            (
                d.target.as_str(),
                d.state,
                d.attempts,
                d.last_error.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("t0", DeliveryState::Delivered, 1, None),
            ("t1", DeliveryState::Pending, 1, Some("busy")),
        ]
    );
    let stats = store.delivery_stats().await.unwrap();
    assert_eq!((stats.pending, stats.delivered), (1, 1));
    assert_eq!(
        store.next_delivery_due().await.unwrap(),
        Some(Timestamp(90))
    );
}

/// Prune steps taken at once (by several nodes) remove each row once and count only what they
/// removed: between them, every finished event and delivery, each counted once.
pub async fn concurrent_prunes_count_each_row_once<
    S: QueueAndOutbox + crate::Retention + ?Sized,
>(
    store: Arc<S>,
) {
    for _ in 0..40 {
        store.enqueue(new_event("f", 0)).await.unwrap();
    }
    let claimed = store
        .claim(&ClaimRequest::any(Timestamp(1), 40, Timestamp(LEASE)))
        .await
        .unwrap()
        .events;
    let failed = NextState::Failed(FailureCondition::RetriesExhausted);
    let finishes = claimed
        .iter()
        .map(|c| {
            let mut f = finish(c.seq, 1, OutcomeKind::FunctionError, failed, 3);
            f.deliveries = vec![delivery(c.request_id.as_str(), "dlq")];
            f
        })
        .collect();
    store.finish_batch(finishes).await.unwrap();
    let leased = store
        .claim_deliveries(Timestamp(10), 40, Timestamp(10 + LEASE))
        .await
        .unwrap();
    let done = leased
        .iter()
        .map(|d| (d.lease, DeliveryResult::Delivered))
        .collect();
    store
        .complete_deliveries(done, Timestamp(20))
        .await
        .unwrap();

    let start = Arc::new(tokio::sync::Barrier::new(4));
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let (store, start) = (store.clone(), start.clone());
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            let mut removed = crate::Pruned::default();
            loop {
                let step = store.prune(Timestamp(100), 3).await.unwrap();
                assert!(step.events <= 3 && step.deliveries <= 3, "{step:?}");
                if step.total() == 0 {
                    return removed;
                }
                removed.events += step.events;
                removed.deliveries += step.deliveries;
            }
        }));
    }
    let (mut events, mut deliveries) = (0, 0);
    for t in tasks {
        let removed = t.await.unwrap();
        events += removed.events;
        deliveries += removed.deliveries;
    }
    assert_eq!((events, deliveries), (40, 40));
    // A step found nothing only when every remaining row was another step's to remove.
    assert_eq!(store.prune(Timestamp(100), 100).await.unwrap().total(), 0);
    let stats = store.stats().await.unwrap();
    assert_eq!(stats.failed, 0);
    assert_eq!(store.delivery_stats().await.unwrap().delivered, 0);
}
