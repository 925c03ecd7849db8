//! Published versions and aliases with the real `aws-sdk-lambda`: PublishVersion and its
//! preconditions, ListVersionsByFunction, qualified reads, invokes and deletes, `Publish: true`,
//! aliases with weighted routing, per-alias async configuration, and an async event keeping the
//! version it was routed to across its retries. Every refusal is checked with AWS's code,
//! status and message.

mod aliases;
mod async_routing;

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{Environment, FunctionCode, FunctionVersion, Runtime};
use serde_json::Value;

use crate::support::{ROLE, TestServer, aws_error, payload_json, zip_with};

/// Says which version ran it and what its environment holds; fails when `FAIL` is set.
const HANDLER: &str = r#"exports.handler = async (event) => {
    if (process.env.FAIL === "1") throw new Error(`version ${process.env.AWS_LAMBDA_FUNCTION_VERSION} fails`);
    return { version: process.env.AWS_LAMBDA_FUNCTION_VERSION, v: process.env.VAL || null, code: "a", event };
};"#;

fn handler_zip(code: &str) -> Vec<u8> {
    zip_with(&[(
        "index.js",
        &HANDLER.replace("code: \"a\"", &format!("code: \"{code}\"")),
        0o644,
    )])
}

fn arn(name: &str) -> String {
    format!("arn:aws:lambda:us-east-1:000000000000:function:{name}")
}

/// Creates `name` with `VAL` set to `v`.
async fn create(s: &TestServer, name: &str, v: &str) {
    s.lambda
        .create_function()
        .function_name(name)
        .runtime(Runtime::Nodejs20x)
        .handler("index.handler")
        .role(ROLE)
        .environment(Environment::builder().variables("VAL", v).build())
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(handler_zip("a")))
                .build(),
        )
        .send()
        .await
        .expect("create function");
}

/// Sets `$LATEST`'s environment.
async fn set_env(s: &TestServer, name: &str, vars: &[(&str, &str)]) {
    let mut env = Environment::builder();
    for (k, v) in vars {
        env = env.variables(*k, *v);
    }
    s.lambda
        .update_function_configuration()
        .function_name(name)
        .environment(env.build())
        .send()
        .await
        .expect("update configuration");
}

async fn publish(s: &TestServer, name: &str) -> String {
    s.lambda
        .publish_version()
        .function_name(name)
        .send()
        .await
        .expect("publish version")
        .version()
        .unwrap()
        .to_string()
}

/// A synchronous invoke of `target` (a name with or without qualifier): the executed version
/// header and the answer.
async fn invoke(s: &TestServer, target: &str) -> (String, Value) {
    let out = s
        .lambda
        .invoke()
        .function_name(target)
        .payload(Blob::new(r#"{"n":1}"#))
        .send()
        .await
        .expect("invoke");
    assert_eq!(
        out.function_error(),
        None,
        "{target}: {:?}",
        payload_json(out.payload())
    );
    (
        out.executed_version().unwrap_or_default().to_string(),
        payload_json(out.payload()),
    )
}

#[tokio::test]
async fn published_versions_are_immutable_snapshots_with_their_own_environments() {
    let s = TestServer::start();
    create(&s, "vers", "one").await;

    let v1 = s
        .lambda
        .publish_version()
        .function_name("vers")
        .description("first")
        .send()
        .await
        .unwrap();
    assert_eq!(v1.version(), Some("1"));
    assert_eq!(
        v1.function_arn(),
        Some(format!("{}:1", arn("vers")).as_str())
    );
    assert_eq!(v1.description(), Some("first"));
    // Nothing changed since: publishing again answers with version 1, not a new one.
    assert_eq!(publish(&s, "vers").await, "1");

    // Preconditions, with AWS's errors.
    let err = s
        .lambda
        .publish_version()
        .function_name("vers")
        .code_sha256("somenonexistentsha256")
        .send()
        .await
        .unwrap_err();
    let latest_sha = v1.code_sha256().unwrap().to_string();
    assert_eq!(
        aws_error(&err),
        (
            "InvalidParameterValueException".into(),
            format!(
                "CodeSHA256 (somenonexistentsha256) is different from current CodeSHA256 in $LATEST ({latest_sha}). Please try again with the CodeSHA256 in $LATEST."
            ),
            400
        )
    );
    let err = s
        .lambda
        .publish_version()
        .function_name("vers")
        .revision_id("stale")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_error(&err),
        (
            "PreconditionFailedException".into(),
            "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id".into(),
            412
        )
    );
    let latest = s
        .lambda
        .get_function_configuration()
        .function_name("vers")
        .send()
        .await
        .unwrap();
    let with_preconditions = s
        .lambda
        .publish_version()
        .function_name("vers")
        .code_sha256(latest.code_sha256().unwrap())
        .revision_id(latest.revision_id().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(with_preconditions.version(), Some("1"), "still unchanged");

    // $LATEST moves on; version 1 keeps its snapshot.
    set_env(&s, "vers", &[("VAL", "two")]).await;
    assert_eq!(publish(&s, "vers").await, "2");
    let listed = s
        .lambda
        .list_versions_by_function()
        .function_name("vers")
        .send()
        .await
        .unwrap();
    let listed: Vec<(String, String)> = listed
        .versions()
        .iter()
        .map(|c| {
            (
                c.version().unwrap().to_string(),
                c.function_arn().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("$LATEST".into(), format!("{}:$LATEST", arn("vers"))),
            ("1".into(), format!("{}:1", arn("vers"))),
            ("2".into(), format!("{}:2", arn("vers"))),
        ]
    );
    // ListFunctions lists $LATEST only, or with FunctionVersion=ALL every version, paged.
    let plain = s.lambda.list_functions().send().await.unwrap();
    let arns: Vec<&str> = plain
        .functions()
        .iter()
        .filter_map(|f| f.function_arn())
        .collect();
    assert_eq!(arns, [arn("vers")]);
    let first = s
        .lambda
        .list_functions()
        .function_version(FunctionVersion::All)
        .max_items(2)
        .send()
        .await
        .unwrap();
    let rest = s
        .lambda
        .list_functions()
        .function_version(FunctionVersion::All)
        .marker(first.next_marker().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(rest.next_marker(), None);
    let arns: Vec<&str> = first
        .functions()
        .iter()
        .chain(rest.functions())
        .filter_map(|f| f.function_arn())
        .collect();
    assert_eq!(
        arns,
        [
            format!("{}:$LATEST", arn("vers")),
            format!("{}:1", arn("vers")),
            format!("{}:2", arn("vers")),
        ]
    );

    let one = s
        .lambda
        .get_function_configuration()
        .function_name("vers")
        .qualifier("1")
        .send()
        .await
        .unwrap();
    assert_eq!(one.version(), Some("1"));
    assert_eq!(
        one.function_arn(),
        Some(format!("{}:1", arn("vers")).as_str())
    );
    assert_eq!(
        one.environment()
            .unwrap()
            .variables()
            .unwrap()
            .get("VAL")
            .map(String::as_str),
        Some("one")
    );
    let got = s
        .lambda
        .get_function()
        .function_name(format!("{}:2", arn("vers")))
        .send()
        .await
        .unwrap();
    assert_eq!(got.configuration().unwrap().version(), Some("2"));

    // Each version runs its own snapshot, in its own environment; the header says which ran.
    for (target, version, v) in [
        ("vers", "$LATEST", "two"),
        ("vers:1", "1", "one"),
        ("vers:2", "2", "two"),
        ("vers:$LATEST", "$LATEST", "two"),
    ] {
        let (executed, answer) = invoke(&s, target).await;
        assert_eq!(executed, version, "{target}");
        assert_eq!(
            answer["version"], version,
            "{target}: AWS_LAMBDA_FUNCTION_VERSION"
        );
        assert_eq!(answer["v"], v, "{target}");
    }
    // The Qualifier parameter and a partial ARN name the same version.
    let out = s
        .lambda
        .invoke()
        .function_name("000000000000:function:vers")
        .qualifier("1")
        .send()
        .await
        .unwrap();
    assert_eq!(out.executed_version(), Some("1"));
    // New code on $LATEST does not reach version 1.
    s.lambda
        .update_function_code()
        .function_name("vers")
        .zip_file(Blob::new(handler_zip("b")))
        .send()
        .await
        .unwrap();
    assert_eq!(invoke(&s, "vers:1").await.1["code"], "a");
    assert_eq!(invoke(&s, "vers").await.1["code"], "b");
    let log = s.log_with("vers", "Version: 1").await;
    assert!(log.contains("START RequestId:"), "{log}");

    // Missing versions, and the deletes AWS refuses.
    let err = s
        .lambda
        .invoke()
        .function_name("vers:9")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_error(&err),
        (
            "ResourceNotFoundException".into(),
            format!("Function not found: {}:9", arn("vers")),
            404
        )
    );
    let err = s
        .lambda
        .get_function_configuration()
        .function_name("vers")
        .qualifier("9")
        .send()
        .await
        .unwrap_err();
    assert_eq!(aws_error(&err).2, 404);
    let err = s
        .lambda
        .delete_function()
        .function_name("vers")
        .qualifier("$LATEST")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_error(&err),
        (
            "InvalidParameterValueException".into(),
            "$LATEST version cannot be deleted without deleting the function.".into(),
            400
        )
    );
    s.lambda
        .delete_function()
        .function_name("vers")
        .qualifier("1")
        .send()
        .await
        .unwrap();
    let err = s
        .lambda
        .invoke()
        .function_name("vers:1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(aws_error(&err).2, 404);
    assert_eq!(invoke(&s, "vers:2").await.0, "2", "the others stay");
    // Numbers are never reused: the next version after 2 is 3, though 1 is gone.
    s.lambda
        .update_function_code()
        .function_name("vers")
        .zip_file(Blob::new(handler_zip("c")))
        .publish(true)
        .send()
        .await
        .map(|out| {
            assert_eq!(
                out.version(),
                Some("3"),
                "UpdateFunctionCode answers with the version it published"
            )
        })
        .unwrap();
    assert_eq!(invoke(&s, "vers:3").await.1["code"], "c");

    // CreateFunction with Publish answers with version 1.
    let created = s
        .lambda
        .create_function()
        .function_name("published")
        .runtime(Runtime::Nodejs20x)
        .handler("index.handler")
        .role(ROLE)
        .publish(true)
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(handler_zip("p")))
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.version(), Some("1"));
    assert_eq!(
        created.function_arn(),
        Some(format!("{}:1", arn("published")).as_str())
    );
    assert_eq!(invoke(&s, "published:1").await.0, "1");
}

#[tokio::test]
async fn versions_and_aliases_survive_a_crash() {
    let mut s = TestServer::start();
    create(&s, "kept", "one").await;
    publish(&s, "kept").await;
    set_env(&s, "kept", &[("VAL", "two")]).await;
    publish(&s, "kept").await;
    s.lambda
        .create_alias()
        .function_name("kept")
        .name("live")
        .function_version("1")
        .send()
        .await
        .unwrap();
    s.kill9();
    let s = TestServer::start_in(&s.data, &["--time-scale", "0.01"]);
    assert_eq!(
        invoke(&s, "kept:live").await,
        ("1".into(), invoke(&s, "kept:1").await.1)
    );
    assert_eq!(invoke(&s, "kept:live").await.1["v"], "one");
    assert_eq!(invoke(&s, "kept:2").await.1["v"], "two");
    // The counter survived too: the next version is 3.
    set_env(&s, "kept", &[("VAL", "three")]).await;
    assert_eq!(publish(&s, "kept").await, "3");
}
