//! The control-plane operations through the AWS SDK, including every error case.

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{DestinationConfig, Environment, FunctionCode, OnFailure, Runtime};
use bytes::Bytes;

use crate::support::{ROLE, TestServer, aws_error, http, zip_fixture, zip_with};

async fn function_count(s: &TestServer) -> usize {
    s.lambda
        .list_functions()
        .send()
        .await
        .unwrap()
        .functions()
        .len()
}

#[tokio::test]
async fn function_lifecycle() {
    let s = TestServer::start();
    let created = s
        .lambda
        .create_function()
        .function_name("life")
        .runtime(Runtime::Nodejs20x)
        .handler("index.handler")
        .role(ROLE)
        .description("first")
        .environment(Environment::builder().variables("GREETING", "hi").build())
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(zip_fixture("node-echo-cjs")))
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        created.function_arn(),
        Some("arn:aws:lambda:us-east-1:000000000000:function:life")
    );
    assert_eq!(created.timeout(), Some(3), "AWS default timeout");
    assert_eq!(created.memory_size(), Some(128), "AWS default memory");
    // AWS answers a create with Pending (tests/it/function_states.rs follows it to Active).
    assert_eq!(created.state().map(|s| s.as_str()), Some("Pending"));
    assert_eq!(created.last_update_status(), None);
    assert_eq!(created.code_sha256().map(str::len), Some(44));
    assert!(created.code_size() > 0);
    let rev1 = created.revision_id().unwrap().to_string();
    let modified = created.last_modified().unwrap();
    assert!(
        modified.ends_with("+0000") && modified.len() == 28,
        "{modified}"
    );

    let got = s
        .lambda
        .get_function()
        .function_name("life")
        .send()
        .await
        .unwrap();
    let cfg = got.configuration().unwrap();
    assert_eq!(cfg.description(), Some("first"));
    assert_eq!(
        cfg.environment()
            .and_then(|e| e.variables())
            .and_then(|v| v.get("GREETING"))
            .map(String::as_str),
        Some("hi")
    );
    assert_eq!(got.code().and_then(|c| c.repository_type()), Some("S3"));
    // Full and partial ARNs name the same function.
    for id in [
        "arn:aws:lambda:us-east-1:000000000000:function:life",
        "000000000000:function:life",
        "life:$LATEST",
    ] {
        let c = s
            .lambda
            .get_function_configuration()
            .function_name(id)
            .send()
            .await
            .unwrap();
        assert_eq!(c.function_name(), Some("life"), "{id}");
    }

    let updated = s
        .lambda
        .update_function_configuration()
        .function_name("life")
        .timeout(30)
        .memory_size(256)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (updated.timeout(), updated.memory_size()),
        (Some(30), Some(256))
    );
    assert_ne!(
        updated.revision_id().unwrap(),
        rev1,
        "RevisionId changes on every update"
    );
    assert_eq!(
        updated.description(),
        Some("first"),
        "unmentioned settings stay"
    );

    let stale = s
        .lambda
        .update_function_configuration()
        .function_name("life")
        .timeout(5)
        .revision_id(rev1)
        .send()
        .await
        .unwrap_err();
    assert_eq!(aws_error(&stale).0, "PreconditionFailedException");

    let code = s
        .lambda
        .update_function_code()
        .function_name("life")
        .zip_file(Blob::new(zip_fixture("node-echo-esm")))
        .send()
        .await
        .unwrap();
    assert_ne!(code.code_sha256(), created.code_sha256());

    s.lambda
        .delete_function()
        .function_name("life")
        .send()
        .await
        .unwrap();
    let err = s
        .lambda
        .get_function()
        .function_name("life")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_error(&err),
        (
            "ResourceNotFoundException".into(),
            "Function not found: arn:aws:lambda:us-east-1:000000000000:function:life".into(),
            404
        )
    );
}

#[tokio::test]
async fn list_functions_paginates() {
    let s = TestServer::start();
    let zip = zip_fixture("node-echo-cjs");
    for i in 0..7 {
        s.create(
            &format!("fn-{i}"),
            Runtime::Nodejs20x,
            "index.handler",
            zip.clone(),
        )
        .await;
    }
    let mut names = Vec::new();
    let mut marker = None;
    let mut pages = 0;
    loop {
        let page = s
            .lambda
            .list_functions()
            .max_items(3)
            .set_marker(marker)
            .send()
            .await
            .unwrap();
        pages += 1;
        assert!(page.functions().len() <= 3);
        names.extend(
            page.functions()
                .iter()
                .map(|f| f.function_name().unwrap().to_string()),
        );
        marker = page.next_marker().map(str::to_string);
        if marker.is_none() {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(names, (0..7).map(|i| format!("fn-{i}")).collect::<Vec<_>>());
    let all = s.lambda.list_functions().send().await.unwrap();
    assert_eq!(all.functions().len(), 7);
    assert!(
        all.functions()[0].state().is_none(),
        "ListFunctions omits State"
    );
}

#[tokio::test]
async fn bad_function_definitions_are_rejected_and_change_nothing() {
    let s = TestServer::start();
    let good = zip_fixture("node-echo-cjs");
    s.create("taken", Runtime::Nodejs20x, "index.handler", good.clone())
        .await;

    let create = |name: &str, runtime: &str, zip: Vec<u8>| {
        s.lambda
            .create_function()
            .function_name(name)
            .runtime(Runtime::from(runtime))
            .handler("index.handler")
            .role(ROLE)
            .code(FunctionCode::builder().zip_file(Blob::new(zip)).build())
    };
    let unzip = "Could not unzip uploaded file. Please check your file, then try to upload again.";
    let escaping = {
        // A hand-made zip entry named "../evil.js".
        let mut buf = std::io::Cursor::new(Vec::new());
        let mut w = zip::ZipWriter::new(&mut buf);
        w.start_file("../evil.js", zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut w, b"x").unwrap();
        w.finish().unwrap();
        buf.into_inner()
    };
    let link_out = {
        let mut buf = std::io::Cursor::new(Vec::new());
        let mut w = zip::ZipWriter::new(&mut buf);
        w.add_symlink(
            "passwd",
            "/etc/passwd",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        w.finish().unwrap();
        buf.into_inner()
    };
    let cases = [
        (
            create("taken", "nodejs20.x", good.clone())
                .send()
                .await
                .unwrap_err(),
            "ResourceConflictException",
            409,
            Some("Function already exist: taken"),
        ),
        (
            create("badzip", "nodejs20.x", b"not a zip".to_vec())
                .send()
                .await
                .unwrap_err(),
            "InvalidParameterValueException",
            400,
            Some(unzip),
        ),
        (
            create("escape", "nodejs20.x", escaping)
                .send()
                .await
                .unwrap_err(),
            "InvalidParameterValueException",
            400,
            Some(unzip),
        ),
        (
            create("symlink", "nodejs20.x", link_out)
                .send()
                .await
                .unwrap_err(),
            "InvalidParameterValueException",
            400,
            Some(unzip),
        ),
        (
            create("badrt", "java99", good.clone())
                .send()
                .await
                .unwrap_err(),
            "InvalidParameterValueException",
            400,
            None,
        ),
        (
            create("slow", "nodejs20.x", good.clone())
                .timeout(901)
                .send()
                .await
                .unwrap_err(),
            "ValidationException",
            400,
            None,
        ),
        (
            create("big", "nodejs20.x", good.clone())
                .memory_size(20_000)
                .send()
                .await
                .unwrap_err(),
            "InvalidParameterValueException",
            400,
            None,
        ),
        (
            create("role", "nodejs20.x", good.clone())
                .role("not-a-role")
                .send()
                .await
                .unwrap_err(),
            "ValidationException",
            400,
            None,
        ),
        (
            create("envs", "nodejs20.x", good.clone())
                .environment(Environment::builder().variables("AWS_REGION", "x").build())
                .send()
                .await
                .unwrap_err(),
            "InvalidParameterValueException",
            400,
            None,
        ),
        (
            create("bad name!", "nodejs20.x", good.clone())
                .send()
                .await
                .unwrap_err(),
            "ValidationException",
            400,
            None,
        ),
    ];
    for (err, code, status, message) in cases {
        let (got_code, got_message, got_status) = aws_error(&err);
        assert_eq!(
            (got_code.as_str(), got_status),
            (code, status),
            "{got_message}"
        );
        if let Some(m) = message {
            assert_eq!(got_message, m);
        }
    }
    assert_eq!(
        function_count(&s).await,
        1,
        "failed creates leave nothing behind"
    );
    let mut kept: Vec<String> = std::fs::read_dir(s.data.join("code"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    kept.sort();
    assert_eq!(
        kept.len(),
        2,
        "only the good package is kept, unpacked and as uploaded: {kept:?}"
    );
    assert_eq!(format!("{}.zip", kept[0]), kept[1]);

    let e = s
        .lambda
        .update_function_configuration()
        .function_name("taken")
        .timeout(0)
        .send()
        .await;
    // The SDK checks `min` constraints itself; either way nothing changes.
    assert!(e.is_err());
    let e = s
        .lambda
        .update_function_configuration()
        .function_name("ghost")
        .timeout(5)
        .send()
        .await
        .unwrap_err();
    assert_eq!(aws_error(&e).2, 404);
    let cfg = s
        .lambda
        .get_function_configuration()
        .function_name("taken")
        .send()
        .await
        .unwrap();
    assert_eq!(cfg.timeout(), Some(3));

    // Malformed JSON bodies and unknown qualifiers.
    let (status, body) = http(
        &s.url,
        "POST",
        "/2015-03-31/functions",
        &[],
        Bytes::from_static(b"{nope"),
    )
    .await;
    assert_eq!(status, 400, "{body:?}");
    let e = s
        .lambda
        .get_function()
        .function_name("taken:7")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_error(&e).1,
        "Function not found: arn:aws:lambda:us-east-1:000000000000:function:taken:7"
    );
    let e = s
        .lambda
        .get_function()
        .function_name("taken:1")
        .qualifier("2")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_error(&e),
        (
            "InvalidParameterValueException".into(),
            "The derived qualifier from the function name does not match the specified qualifier."
                .into(),
            400
        )
    );
}

#[tokio::test]
async fn reserved_concurrency_and_account_settings() {
    let s = TestServer::start_with(&["--max-concurrency", "40"]);
    s.create(
        "c",
        Runtime::Nodejs20x,
        "index.handler",
        zip_fixture("node-echo-cjs"),
    )
    .await;
    let empty = s
        .lambda
        .get_function_concurrency()
        .function_name("c")
        .send()
        .await
        .unwrap();
    assert_eq!(empty.reserved_concurrent_executions(), None);
    let put = s
        .lambda
        .put_function_concurrency()
        .function_name("c")
        .reserved_concurrent_executions(10)
        .send()
        .await
        .unwrap();
    assert_eq!(put.reserved_concurrent_executions(), Some(10));
    let got = s
        .lambda
        .get_function_concurrency()
        .function_name("c")
        .send()
        .await
        .unwrap();
    assert_eq!(got.reserved_concurrent_executions(), Some(10));
    let f = s
        .lambda
        .get_function()
        .function_name("c")
        .send()
        .await
        .unwrap();
    assert_eq!(
        f.concurrency()
            .and_then(|c| c.reserved_concurrent_executions()),
        Some(10)
    );

    let settings = s.lambda.get_account_settings().send().await.unwrap();
    let limit = settings.account_limit().unwrap();
    assert_eq!(
        (
            limit.concurrent_executions(),
            limit.unreserved_concurrent_executions()
        ),
        (40, Some(30))
    );
    assert_eq!(settings.account_usage().unwrap().function_count(), 1);

    let too_much = s
        .lambda
        .put_function_concurrency()
        .function_name("c")
        .reserved_concurrent_executions(37)
        .send()
        .await
        .unwrap_err();
    let (code, message, status) = aws_error(&too_much);
    assert_eq!(
        (code.as_str(), status),
        ("InvalidParameterValueException", 400)
    );
    assert!(
        message.contains("below its minimum value of [4]"),
        "{message}"
    );
    let qualified = s
        .lambda
        .put_function_concurrency()
        .function_name("c:$LATEST")
        .reserved_concurrent_executions(1)
        .send()
        .await
        .unwrap_err();
    assert!(
        aws_error(&qualified)
            .1
            .starts_with("This operation is permitted on Lambda functions only.")
    );
    let missing = s
        .lambda
        .put_function_concurrency()
        .function_name("nope")
        .reserved_concurrent_executions(1)
        .send()
        .await
        .unwrap_err();
    assert_eq!(aws_error(&missing).2, 404);
    assert_eq!(
        s.lambda
            .get_function_concurrency()
            .function_name("c")
            .send()
            .await
            .unwrap()
            .reserved_concurrent_executions(),
        Some(10)
    );

    s.lambda
        .delete_function_concurrency()
        .function_name("c")
        .send()
        .await
        .unwrap();
    let got = s
        .lambda
        .get_function_concurrency()
        .function_name("c")
        .send()
        .await
        .unwrap();
    assert_eq!(got.reserved_concurrent_executions(), None);
}

#[tokio::test]
async fn event_invoke_config_put_replaces_update_merges() {
    let s = TestServer::start();
    s.create(
        "e",
        Runtime::Nodejs20x,
        "index.handler",
        zip_fixture("node-echo-cjs"),
    )
    .await;
    let dest = "arn:aws:sqs:us-east-1:000000000000:failures";
    // Destinations must exist when configured.
    crate::support::sqs_client(&s.url)
        .create_queue()
        .queue_name("failures")
        .send()
        .await
        .unwrap();
    let put = s
        .lambda
        .put_function_event_invoke_config()
        .function_name("e")
        .maximum_retry_attempts(1)
        .destination_config(
            DestinationConfig::builder()
                .on_failure(OnFailure::builder().destination(dest).build())
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        put.function_arn(),
        Some("arn:aws:lambda:us-east-1:000000000000:function:e:$LATEST")
    );
    assert_eq!(put.maximum_retry_attempts(), Some(1));
    assert_eq!(
        put.maximum_event_age_in_seconds(),
        None,
        "unset fields are omitted"
    );
    assert!(put.last_modified().is_some());

    let updated = s
        .lambda
        .update_function_event_invoke_config()
        .function_name("e")
        .maximum_event_age_in_seconds(600)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (
            updated.maximum_retry_attempts(),
            updated.maximum_event_age_in_seconds()
        ),
        (Some(1), Some(600))
    );
    assert_eq!(
        updated
            .destination_config()
            .and_then(|d| d.on_failure())
            .and_then(|f| f.destination()),
        Some(dest)
    );

    let replaced = s
        .lambda
        .put_function_event_invoke_config()
        .function_name("e")
        .maximum_event_age_in_seconds(120)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (
            replaced.maximum_retry_attempts(),
            replaced.maximum_event_age_in_seconds()
        ),
        (None, Some(120))
    );
    assert_eq!(
        replaced
            .destination_config()
            .and_then(|d| d.on_failure())
            .and_then(|f| f.destination()),
        None
    );

    let got = s
        .lambda
        .get_function_event_invoke_config()
        .function_name("e")
        .send()
        .await
        .unwrap();
    assert_eq!(got.maximum_event_age_in_seconds(), Some(120));
    let listed = s
        .lambda
        .list_function_event_invoke_configs()
        .function_name("e")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.function_event_invoke_configs().len(), 1);

    // Server-side range checks and AWS's messages; the stored config is untouched.
    let bad = [
        aws_error(
            &s.lambda
                .put_function_event_invoke_config()
                .function_name("e")
                .maximum_retry_attempts(3)
                .send()
                .await
                .unwrap_err(),
        ),
        aws_error(
            &s.lambda
                .put_function_event_invoke_config()
                .function_name("e")
                .maximum_event_age_in_seconds(21_601)
                .send()
                .await
                .unwrap_err(),
        ),
        aws_error(
            &s.lambda
                .update_function_event_invoke_config()
                .function_name("e")
                .maximum_retry_attempts(5)
                .send()
                .await
                .unwrap_err(),
        ),
    ];
    for (code, message, status) in bad {
        assert_eq!(
            (code.as_str(), status),
            ("ValidationException", 400),
            "{message}"
        );
        assert!(
            message.starts_with("1 validation error detected"),
            "{message}"
        );
    }
    let empty = s
        .lambda
        .put_function_event_invoke_config()
        .function_name("e")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_error(&empty).1,
        "You must specify at least one of error handling or destination setting."
    );
    let own = "arn:aws:lambda:us-east-1:000000000000:function:e";
    let selfdest = s
        .lambda
        .put_function_event_invoke_config()
        .function_name("e")
        .destination_config(
            DestinationConfig::builder()
                .on_failure(OnFailure::builder().destination(own).build())
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_error(&selfdest).1,
        "You can't specify the function as a destination for itself."
    );
    let missing_fn = s
        .lambda
        .put_function_event_invoke_config()
        .function_name("ghost")
        .maximum_retry_attempts(1)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_error(&missing_fn),
        (
            "ResourceNotFoundException".into(),
            "The function doesn't exist.".into(),
            404
        )
    );
    let got = s
        .lambda
        .get_function_event_invoke_config()
        .function_name("e")
        .send()
        .await
        .unwrap();
    assert_eq!(
        (
            got.maximum_retry_attempts(),
            got.maximum_event_age_in_seconds()
        ),
        (None, Some(120))
    );

    s.lambda
        .delete_function_event_invoke_config()
        .function_name("e")
        .send()
        .await
        .unwrap();
    let gone = s
        .lambda
        .get_function_event_invoke_config()
        .function_name("e")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_error(&gone),
        (
            "ResourceNotFoundException".into(),
            "The function arn:aws:lambda:us-east-1:000000000000:function:e:$LATEST doesn't have an EventInvokeConfig".into(),
            404
        )
    );
    let update_missing = s
        .lambda
        .update_function_event_invoke_config()
        .function_name("e")
        .maximum_retry_attempts(1)
        .send()
        .await
        .unwrap_err();
    assert_eq!(aws_error(&update_missing).2, 404);
}

#[tokio::test]
async fn unsigned_requests_are_accepted_and_carry_request_ids() {
    let s = TestServer::start();
    let (status, headers, body) =
        crate::support::http_full(&s.url, "GET", "/2015-03-31/functions", &[], Bytes::new()).await;
    assert_eq!(status, 200, "{body:?}");
    assert!(headers.contains_key("x-amzn-requestid"));
    let _ = zip_with(&[("a", "b", 0o644)]);
}

/// TagResource, UntagResource and ListTags on a function, as the SDK calls them (the ARN in
/// the path), with CreateFunction's tags, GetFunction's view and AWS's errors.
#[tokio::test]
async fn function_tags_round_trip() {
    let s = TestServer::start();
    s.lambda
        .create_function()
        .function_name("tagged")
        .runtime(Runtime::Nodejs20x)
        .handler("index.handler")
        .role(ROLE)
        .tags("team", "orders")
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(zip_with(&[(
                    "index.js",
                    "exports.handler = async () => ({})",
                    0o644,
                )])))
                .build(),
        )
        .send()
        .await
        .unwrap();
    let arn = "arn:aws:lambda:us-east-1:000000000000:function:tagged";
    s.lambda
        .tag_resource()
        .resource(arn)
        .tags("env", "dev")
        .tags("cost-center", "42")
        .send()
        .await
        .unwrap();
    let tags = s.lambda.list_tags().resource(arn).send().await.unwrap();
    let tags = tags.tags().unwrap();
    assert_eq!(tags.len(), 3);
    assert_eq!(tags.get("env").map(String::as_str), Some("dev"));
    s.lambda
        .untag_resource()
        .resource(arn)
        .tag_keys("env")
        .tag_keys("absent")
        .send()
        .await
        .unwrap();
    let got = s
        .lambda
        .get_function()
        .function_name("tagged")
        .send()
        .await
        .unwrap();
    let mut keys: Vec<&String> = got.tags().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["cost-center", "team"]);

    let missing = s
        .lambda
        .list_tags()
        .resource("arn:aws:lambda:us-east-1:000000000000:function:nope")
        .send()
        .await
        .unwrap_err();
    let (code, _, status) = aws_error(&missing);
    assert_eq!((code.as_str(), status), ("ResourceNotFoundException", 404));
    let qualified = s
        .lambda
        .tag_resource()
        .resource(format!("{arn}:1"))
        .tags("a", "b")
        .send()
        .await
        .unwrap_err();
    let (code, message, status) = aws_error(&qualified);
    assert_eq!(
        (code.as_str(), status),
        ("InvalidParameterValueException", 400)
    );
    assert!(
        message.contains("Aliases and versions do not support this operation"),
        "{message}"
    );
    let not_an_arn = s
        .lambda
        .list_tags()
        .resource("tagged")
        .send()
        .await
        .unwrap_err();
    let (code, message, _) = aws_error(&not_an_arn);
    assert_eq!(code, "ValidationException");
    assert!(
        message.starts_with("1 validation error detected: Value 'tagged' at 'resource' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*):lambda:"),
        "{message}"
    );
}

/// A Lambda operation lambkin does not serve is named in the answer, not its route.
#[tokio::test]
async fn unserved_lambda_operations_are_named() {
    let s = TestServer::start();
    let e = s.lambda.list_layers().send().await.unwrap_err();
    let (code, message, status) = aws_error(&e);
    assert_eq!(
        (code.as_str(), message.as_str(), status),
        (
            "UnknownOperationException",
            "lambkin does not implement Lambda ListLayers (see docs/api-compat.md)",
            404
        )
    );
    let (status, body) = http(&s.url, "GET", "/2015-03-31/nothing-here", &[], Bytes::new()).await;
    assert_eq!(status, 404);
    assert!(
        String::from_utf8_lossy(&body)
            .contains("lambkin does not implement GET /2015-03-31/nothing-here"),
        "a route of no operation is named as a route"
    );
}

/// AddPermission, GetPolicy and RemovePermission keep the statements AWS would (never enforced).
#[tokio::test]
async fn resource_policies_are_kept_as_aws_returns_them() {
    let s = TestServer::start();
    let code = zip_with(&[("index.js", "exports.handler = async () => ({})", 0o644)]);
    s.create("guarded", Runtime::Nodejs20x, "index.handler", code)
        .await;
    let none = s
        .lambda
        .get_policy()
        .function_name("guarded")
        .send()
        .await
        .unwrap_err();
    let (code, message, status) = aws_error(&none);
    assert_eq!(
        (code.as_str(), message.as_str(), status),
        (
            "ResourceNotFoundException",
            "The resource you requested does not exist.",
            404
        )
    );
    let added = s
        .lambda
        .add_permission()
        .function_name("guarded")
        .statement_id("s3-invoke")
        .action("lambda:InvokeFunction")
        .principal("s3.amazonaws.com")
        .source_arn("arn:aws:s3:::photos")
        .source_account("000000000000")
        .send()
        .await
        .unwrap();
    let statement: serde_json::Value = serde_json::from_str(added.statement().unwrap()).unwrap();
    assert_eq!(
        statement,
        serde_json::json!({
            "Sid": "s3-invoke", "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "lambda:InvokeFunction",
            "Resource": "arn:aws:lambda:us-east-1:000000000000:function:guarded",
            "Condition": {
                "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::photos"},
                "StringEquals": {"AWS:SourceAccount": "000000000000"}
            }
        })
    );
    let again = s
        .lambda
        .add_permission()
        .function_name("guarded")
        .statement_id("s3-invoke")
        .action("lambda:InvokeFunction")
        .principal("s3.amazonaws.com")
        .send()
        .await
        .unwrap_err();
    let (code, _, status) = aws_error(&again);
    assert_eq!((code.as_str(), status), ("ResourceConflictException", 409));
    let policy = s
        .lambda
        .get_policy()
        .function_name("guarded")
        .send()
        .await
        .unwrap();
    let doc: serde_json::Value = serde_json::from_str(policy.policy().unwrap()).unwrap();
    assert_eq!(doc["Version"], "2012-10-17");
    assert_eq!(doc["Statement"][0]["Sid"], "s3-invoke");
    assert!(policy.revision_id().is_some());
    s.lambda
        .remove_permission()
        .function_name("guarded")
        .statement_id("s3-invoke")
        .send()
        .await
        .unwrap();
    let gone = s
        .lambda
        .remove_permission()
        .function_name("guarded")
        .statement_id("s3-invoke")
        .send()
        .await
        .unwrap_err();
    let (code, message, status) = aws_error(&gone);
    assert_eq!(
        (code.as_str(), message.as_str(), status),
        (
            "ResourceNotFoundException",
            "Statement s3-invoke is not found in resource policy.",
            404
        )
    );
}
