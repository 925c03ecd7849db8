//! What every backend's [`crate::EventsStore`] must do.

use std::sync::Arc;

use lambkin_model::{MessageAttributes, Timestamp};

use crate::{
    BusRecord, DeliveryKind, NewDelivery, RuleRecord, ScheduleChange, ScheduleGroupRecord,
    ScheduleRecord, SchedulerRecord, Store, TargetRetry,
};

fn bus(name: &str) -> BusRecord {
    BusRecord {
        name: name.into(),
        arn: format!("arn:aws:events:us-east-1:000000000000:event-bus/{name}"),
        description: Some("orders".into()),
        created_at: Timestamp(1_000),
    }
}

fn rule(bus: &str, name: &str, config: &str) -> RuleRecord {
    RuleRecord {
        bus: bus.into(),
        name: name.into(),
        config: config.into(),
    }
}

fn schedule(key: &str, next_at: i64) -> ScheduleRecord {
    ScheduleRecord {
        key: key.into(),
        anchor: Timestamp(500),
        next_at: Timestamp(next_at),
    }
}

fn target_delivery(source: &str) -> NewDelivery {
    NewDelivery {
        kind: DeliveryKind::RuleTarget,
        source: source.into(),
        target: "arn:aws:sqs:us-east-1:000000000000:q".into(),
        body: br#"{"detail":{}}"#.to_vec(),
        attributes: MessageAttributes::new(),
        chain: 2,
        retry: Some(TargetRetry {
            rule_arn: "arn:aws:events:us-east-1:000000000000:rule/r".into(),
            maximum_retry_attempts: 3,
            maximum_event_age_seconds: 60,
            dead_letter_arn: Some("arn:aws:sqs:us-east-1:000000000000:dlq".into()),
        }),
    }
}

pub async fn buses_are_created_once_and_deleted_with_their_rules<S: crate::EventsStore + ?Sized>(
    store: Arc<S>,
) {
    assert!(store.create_bus(bus("orders")).await.unwrap());
    let mut again = bus("orders");
    again.description = None;
    assert!(
        !store.create_bus(again).await.unwrap(),
        "a second create is refused"
    );
    assert_eq!(store.buses().await.unwrap(), vec![bus("orders")]);
    store
        .put_rule(rule("orders", "r1", "{}"), ScheduleChange::Keep)
        .await
        .unwrap();
    store
        .put_rule(rule("default", "r2", "{}"), ScheduleChange::Keep)
        .await
        .unwrap();
    assert!(store.delete_bus("orders").await.unwrap());
    assert!(!store.delete_bus("orders").await.unwrap());
    assert!(store.buses().await.unwrap().is_empty());
    assert_eq!(
        store.rules().await.unwrap(),
        vec![rule("default", "r2", "{}")],
        "the bus's rules went with it, others stayed"
    );
}

pub async fn rules_keep_their_config_and_schedule<S: crate::EventsStore + ?Sized>(store: Arc<S>) {
    store
        .put_rule(
            rule("default", "tick", r#"{"v":1}"#),
            ScheduleChange::Set(schedule("rule/default/tick", 60_000)),
        )
        .await
        .unwrap();
    // Replacing the config and keeping the schedule leaves its next firing alone.
    store
        .put_rule(rule("default", "tick", r#"{"v":2}"#), ScheduleChange::Keep)
        .await
        .unwrap();
    assert_eq!(
        store.rules().await.unwrap(),
        vec![rule("default", "tick", r#"{"v":2}"#)]
    );
    assert_eq!(
        store.schedule("rule/default/tick").await.unwrap(),
        Some(schedule("rule/default/tick", 60_000))
    );
    assert_eq!(
        store.next_schedule_due().await.unwrap(),
        Some(Timestamp(60_000))
    );
    store
        .put_rule(
            rule("default", "tick", r#"{"v":3}"#),
            ScheduleChange::Remove("rule/default/tick".into()),
        )
        .await
        .unwrap();
    assert_eq!(store.schedule("rule/default/tick").await.unwrap(), None);
    store
        .put_rule(
            rule("default", "tick", r#"{"v":4}"#),
            ScheduleChange::Set(schedule("rule/default/tick", 120_000)),
        )
        .await
        .unwrap();
    assert!(
        store
            .delete_rule("default", "tick", "rule/default/tick")
            .await
            .unwrap()
    );
    assert!(
        !store
            .delete_rule("default", "tick", "rule/default/tick")
            .await
            .unwrap()
    );
    assert!(store.rules().await.unwrap().is_empty());
    assert_eq!(store.next_schedule_due().await.unwrap(), None);
}

pub async fn a_firing_happens_once(store: Arc<dyn Store>) {
    for (key, at) in [("a", 3_000), ("b", 1_000), ("c", 9_000)] {
        store
            .put_rule(
                rule("default", key, "{}"),
                ScheduleChange::Set(schedule(key, at)),
            )
            .await
            .unwrap();
    }
    let due = store.due_schedules(Timestamp(5_000), 10).await.unwrap();
    assert_eq!(due, vec![schedule("b", 1_000), schedule("a", 3_000)]);
    assert_eq!(
        store.due_schedules(Timestamp(5_000), 1).await.unwrap(),
        vec![schedule("b", 1_000)]
    );
    let fire = |due: i64| {
        let store = store.clone();
        async move {
            store
                .fire_schedule(
                    "b",
                    Timestamp(due),
                    Some(Timestamp(61_000)),
                    vec![target_delivery("b-1")],
                    Timestamp(5_000),
                )
                .await
                .unwrap()
        }
    };
    assert!(fire(1_000).await, "the first firing wins");
    assert!(!fire(1_000).await, "the same firing again changes nothing");
    assert_eq!(
        store.schedule("b").await.unwrap(),
        Some(schedule("b", 61_000))
    );
    let owed = store
        .claim_deliveries(Timestamp(5_000), 10, Timestamp(70_000))
        .await
        .unwrap();
    assert_eq!(owed.len(), 1, "one firing, one delivery");
    assert_eq!(owed[0].source, "b-1");
    assert_eq!(owed[0].retry, target_delivery("b-1").retry);
    assert_eq!(owed[0].chain, 2);
}

pub async fn a_finished_schedule_is_removed<S: crate::EventsStore + ?Sized>(store: Arc<S>) {
    store
        .put_rule(
            rule("default", "once", "{}"),
            ScheduleChange::Set(schedule("once", 1_000)),
        )
        .await
        .unwrap();
    assert!(
        store
            .fire_schedule("once", Timestamp(1_000), None, vec![], Timestamp(1_000))
            .await
            .unwrap()
    );
    assert_eq!(store.schedule("once").await.unwrap(), None);
    assert!(
        !store
            .fire_schedule("once", Timestamp(1_000), None, vec![], Timestamp(1_000))
            .await
            .unwrap()
    );
}

pub async fn recorded_deliveries_are_claimable(store: Arc<dyn Store>) {
    store
        .record_deliveries(
            vec![target_delivery("e-1"), target_delivery("e-2")],
            Timestamp(1_000),
        )
        .await
        .unwrap();
    let owed = store
        .claim_deliveries(Timestamp(1_000), 10, Timestamp(61_000))
        .await
        .unwrap();
    let sources: Vec<_> = owed.iter().map(|d| d.source.as_str()).collect();
    assert_eq!(sources, ["e-1", "e-2"]);
    assert!(owed.iter().all(|d| d.kind == DeliveryKind::RuleTarget));
    assert_eq!(store.delivery_stats().await.unwrap().pending, 2);
}

pub async fn scheduler_groups_take_their_schedules_with_them<S: crate::EventsStore + ?Sized>(
    store: Arc<S>,
) {
    let group = ScheduleGroupRecord {
        name: "jobs".into(),
        arn: "arn:aws:scheduler:us-east-1:000000000000:schedule-group/jobs".into(),
        created_at: Timestamp(1_000),
    };
    assert!(store.create_schedule_group(group.clone()).await.unwrap());
    assert!(!store.create_schedule_group(group.clone()).await.unwrap());
    assert_eq!(store.schedule_groups().await.unwrap(), vec![group]);
    let record = |grp: &str, name: &str| SchedulerRecord {
        group: grp.into(),
        name: name.into(),
        config: format!(r#"{{"n":"{name}"}}"#),
    };
    for (grp, name) in [
        ("jobs", "a"),
        ("jobs", "b"),
        ("default", "c"),
        ("jobs0", "d"),
    ] {
        store
            .put_schedule(
                record(grp, name),
                ScheduleChange::Set(schedule(&format!("schedule/{grp}/{name}"), 5_000)),
            )
            .await
            .unwrap();
    }
    assert!(
        store
            .delete_schedule("jobs", "a", "schedule/jobs/a")
            .await
            .unwrap()
    );
    assert!(
        !store
            .delete_schedule("jobs", "a", "schedule/jobs/a")
            .await
            .unwrap()
    );
    assert_eq!(store.schedule("schedule/jobs/a").await.unwrap(), None);
    store.delete_schedule_group("jobs").await.unwrap();
    assert!(store.schedule_groups().await.unwrap().is_empty());
    assert_eq!(
        store.scheduler_schedules().await.unwrap(),
        vec![record("default", "c"), record("jobs0", "d")],
        "the group's schedules went with it, a group with a longer name kept its own"
    );
    let due: Vec<String> = store
        .due_schedules(Timestamp(10_000), 10)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.key)
        .collect();
    assert_eq!(due, ["schedule/default/c", "schedule/jobs0/d"]);
}
