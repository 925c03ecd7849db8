//! Aliases: create, read, update, delete and list with AWS's errors, and weighted routing
//! between two versions.

use std::collections::HashMap;

use aws_sdk_lambda::types::AliasRoutingConfiguration;

use super::{arn, create, invoke, publish, set_env};
use crate::support::{TestServer, aws_error};

#[tokio::test]
async fn aliases_point_at_versions_and_split_their_invocations() {
    let s = TestServer::start();
    create(&s, "canary", "one").await;
    publish(&s, "canary").await;
    set_env(&s, "canary", &[("VAL", "two")]).await;
    publish(&s, "canary").await;

    let live = s
        .lambda
        .create_alias()
        .function_name("canary")
        .name("live")
        .function_version("1")
        .description("production")
        .routing_config(
            AliasRoutingConfiguration::builder()
                .additional_version_weights("2", 0.1)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        live.alias_arn(),
        Some(format!("{}:live", arn("canary")).as_str())
    );
    assert_eq!(live.function_version(), Some("1"));
    assert_eq!(live.description(), Some("production"));
    let weights = live
        .routing_config()
        .unwrap()
        .additional_version_weights()
        .unwrap();
    assert_eq!(weights.get("2"), Some(&0.1));

    // 90/10: both versions run, version 1 most. 400 runs make a miss of version 2
    // (0.9^400) or a majority for it impossible in practice.
    let mut ran: HashMap<String, u32> = HashMap::new();
    for _ in 0..400 {
        let (executed, answer) = invoke(&s, "canary:live").await;
        assert_eq!(
            answer["version"],
            executed.as_str(),
            "the header names the version that ran"
        );
        *ran.entry(executed).or_default() += 1;
    }
    let (one, two) = (
        ran.get("1").copied().unwrap_or(0),
        ran.get("2").copied().unwrap_or(0),
    );
    assert_eq!(one + two, 400, "{ran:?}");
    assert!(two > 0 && two < one, "{ran:?}");
    assert!(
        (10..=90).contains(&two),
        "about 40 of 400 expected: {ran:?}"
    );

    // Reads through the alias show the version it points at, under the alias's ARN.
    let through = s
        .lambda
        .get_function_configuration()
        .function_name("canary")
        .qualifier("live")
        .send()
        .await
        .unwrap();
    assert_eq!(through.version(), Some("1"));
    assert_eq!(through.function_arn(), live.alias_arn());

    // UpdateAlias: a new RevisionId each time; a stale one is refused.
    let moved = s
        .lambda
        .update_alias()
        .function_name("canary")
        .name("live")
        .function_version("2")
        .routing_config(AliasRoutingConfiguration::builder().build())
        .revision_id(live.revision_id().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(moved.function_version(), Some("2"));
    assert!(
        moved.routing_config().is_none(),
        "an empty map removes the routing"
    );
    assert_ne!(moved.revision_id(), live.revision_id());
    assert_eq!(
        moved.description(),
        Some("production"),
        "kept when not given"
    );
    for _ in 0..5 {
        assert_eq!(invoke(&s, "canary:live").await.0, "2");
    }
    let err = s
        .lambda
        .update_alias()
        .function_name("canary")
        .name("live")
        .description("x")
        .revision_id(live.revision_id().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(aws_error(&err).0, "PreconditionFailedException");
    assert_eq!(aws_error(&err).2, 412);

    s.lambda
        .create_alias()
        .function_name("canary")
        .name("dev")
        .function_version("$LATEST")
        .send()
        .await
        .unwrap();
    let all = s
        .lambda
        .list_aliases()
        .function_name("canary")
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = all.aliases().iter().filter_map(|a| a.name()).collect();
    assert_eq!(names, ["dev", "live"]);
    let of_two = s
        .lambda
        .list_aliases()
        .function_name("canary")
        .function_version("2")
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = of_two.aliases().iter().filter_map(|a| a.name()).collect();
    assert_eq!(names, ["live"]);
    assert_eq!(invoke(&s, "canary:dev").await.0, "$LATEST");

    s.lambda
        .delete_alias()
        .function_name("canary")
        .name("dev")
        .send()
        .await
        .unwrap();
    let err = s
        .lambda
        .get_alias()
        .function_name("canary")
        .name("dev")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_error(&err),
        (
            "ResourceNotFoundException".into(),
            format!("Cannot find alias arn: {}:dev", arn("canary")),
            404
        )
    );
    let err = s
        .lambda
        .invoke()
        .function_name("canary:dev")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_error(&err),
        (
            "ResourceNotFoundException".into(),
            format!("Function not found: {}:dev", arn("canary")),
            404
        )
    );
}

/// (name, version, weights, code, message, status)
type Refused = (
    &'static str,
    &'static str,
    Option<AliasRoutingConfiguration>,
    &'static str,
    String,
    u16,
);

#[tokio::test]
async fn alias_requests_are_checked_as_aws_checks_them() {
    let s = TestServer::start();
    create(&s, "checked", "one").await;
    publish(&s, "checked").await;
    publish_changed(&s, "checked").await;
    s.lambda
        .create_alias()
        .function_name("checked")
        .name("live")
        .function_version("1")
        .send()
        .await
        .unwrap();

    let weights = |pairs: &[(&str, f64)]| {
        let mut b = AliasRoutingConfiguration::builder();
        for (v, w) in pairs {
            b = b.additional_version_weights(*v, *w);
        }
        b.build()
    };
    let f = arn("checked");
    let cases: Vec<Refused> = vec![
        (
            "live",
            "1",
            None,
            "ResourceConflictException",
            format!("Alias already exists: {f}:live"),
            409,
        ),
        (
            "123",
            "1",
            None,
            "ValidationException",
            "1 validation error detected: Value '123' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)".into(),
            400,
        ),
        (
            "next",
            "9",
            None,
            "ResourceNotFoundException",
            format!("Function not found: {f}:9"),
            404,
        ),
        (
            "next",
            "1",
            Some(weights(&[("2", 0.1), ("3", 0.1)])),
            "InvalidParameterValueException",
            "Number of items in AdditionalVersionWeights cannot be greater than 1".into(),
            400,
        ),
        (
            "next",
            "1",
            Some(weights(&[("2", 2.0)])),
            "ValidationException",
            "1 validation error detected: Value '{2=2.0}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]".into(),
            400,
        ),
        (
            "next",
            "1",
            Some(weights(&[("1", 0.5)])),
            "InvalidParameterValueException",
            "Invalid function version 1. Function version 1 is already included in routing configuration.".into(),
            400,
        ),
        (
            "next",
            "$LATEST",
            Some(weights(&[("2", 0.5)])),
            "InvalidParameterValueException",
            "$LATEST is not supported for an alias pointing to more than 1 version".into(),
            400,
        ),
        (
            "next",
            "1",
            Some(weights(&[("$LATEST", 0.5)])),
            "ValidationException",
            "1 validation error detected: Value '{$LATEST=0.5}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+]".into(),
            400,
        ),
        (
            "next",
            "1",
            Some(weights(&[("7", 0.5)])),
            "ResourceNotFoundException",
            format!("Function not found: {f}:7"),
            404,
        ),
    ];
    for (name, version, routing, code, message, status) in cases {
        let err = s
            .lambda
            .create_alias()
            .function_name("checked")
            .name(name)
            .function_version(version)
            .set_routing_config(routing)
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            aws_error(&err),
            (code.into(), message, status),
            "{name} -> {version}"
        );
    }
    let listed = s
        .lambda
        .list_aliases()
        .function_name("checked")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.aliases().len(), 1, "nothing refused was stored");

    let err = s
        .lambda
        .update_alias()
        .function_name("checked")
        .name("missing")
        .function_version("1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_error(&err),
        (
            "ResourceNotFoundException".into(),
            format!("Alias not found: {f}:missing"),
            404
        )
    );
    let err = s
        .lambda
        .delete_function()
        .function_name("checked")
        .qualifier("live")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_error(&err),
        (
            "InvalidParameterValueException".into(),
            "Deletion of aliases is not currently supported.".into(),
            400
        )
    );
    // DeleteAlias of one that does not exist succeeds, as on AWS.
    s.lambda
        .delete_alias()
        .function_name("checked")
        .name("missing")
        .send()
        .await
        .unwrap();
    let err = s
        .lambda
        .create_alias()
        .function_name("nothing-here")
        .name("live")
        .function_version("1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(aws_error(&err).2, 404);
}

/// Publishes a second version after a change of `$LATEST`.
async fn publish_changed(s: &TestServer, name: &str) -> String {
    set_env(s, name, &[("VAL", "changed")]).await;
    publish(s, name).await
}
