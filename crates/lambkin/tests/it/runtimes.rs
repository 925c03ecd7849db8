//! Real runtimes in real environments: the `lambda_runtime` crate, Node (CommonJS, ESM,
//! callback, the seed's handlers) and Python; warm reuse, timeouts, crashes, init errors.

use std::time::Duration;

use aws_sdk_lambda::operation::RequestId;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{Environment, Runtime};

use crate::support::{TestServer, payload_json, rust_echo_binary, zip_fixture, zip_with};

async fn invoke(s: &TestServer, name: &str, payload: &str) -> (Option<String>, serde_json::Value) {
    let out = s
        .lambda
        .invoke()
        .function_name(name)
        .payload(Blob::new(payload))
        .send()
        .await
        .unwrap();
    (
        out.function_error().map(str::to_string),
        payload_json(out.payload()),
    )
}

#[tokio::test]
async fn lambda_runtime_crate_function_runs_unchanged() {
    let s = TestServer::start();
    s.create_rust_echo("rust").await;
    s.lambda
        .update_function_configuration()
        .function_name("rust")
        .memory_size(256)
        .environment(
            Environment::builder()
                .variables("GREETING", "hello")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let (err, echo) = invoke(&s, "rust", r#"{"n":42}"#).await;
    assert_eq!((err, echo), (None, serde_json::json!({"n": 42})));
    let (err, ctx) = invoke(&s, "rust", r#"{"context":true}"#).await;
    assert_eq!(err, None);
    assert_eq!(ctx["functionName"], "rust");
    assert_eq!(
        ctx["invokedFunctionArn"],
        "arn:aws:lambda:us-east-1:000000000000:function:rust"
    );
    assert_eq!(ctx["env"]["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "256");
    assert_eq!(ctx["env"]["AWS_LAMBDA_FUNCTION_VERSION"], "$LATEST");
    assert_eq!(ctx["env"]["AWS_REGION"], "us-east-1");
    assert_eq!(ctx["env"]["_HANDLER"], "bootstrap");
    assert_eq!(ctx["env"]["TZ"], ":UTC");
    assert_eq!(ctx["env"]["GREETING"], "hello");
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let deadline = ctx["deadlineMs"].as_u64().unwrap();
    assert!(
        deadline > now_ms && deadline <= now_ms + 3_500,
        "deadline {deadline} vs now {now_ms}"
    );
    let (err, body) = invoke(&s, "rust", r#"{"fail":true}"#).await;
    assert_eq!(err.as_deref(), Some("Unhandled"));
    assert_eq!(body["errorMessage"], "intentional failure");
}

#[tokio::test]
async fn the_binary_itself_as_bootstrap() {
    let s = TestServer::start();
    let bin = std::fs::read(rust_echo_binary()).unwrap();
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .unix_permissions(0o755)
            .large_file(true);
        w.start_file("bootstrap", opts).unwrap();
        std::io::Write::write_all(&mut w, &bin).unwrap();
        w.finish().unwrap();
    }
    s.create("bin", Runtime::Providedal2, "anything", buf.into_inner())
        .await;
    assert_eq!(
        invoke(&s, "bin", r#"{"ok":true}"#).await,
        (None, serde_json::json!({"ok": true}))
    );
}

#[tokio::test]
async fn node_module_styles() {
    let s = TestServer::start();
    s.create_node("cjs", "node-echo-cjs", "index.handler").await;
    s.create_node("esm", "node-echo-esm", "index.handler").await;
    s.create_node("cb", "node-echo-callback", "index.handler")
        .await;
    for name in ["cjs", "esm", "cb"] {
        assert_eq!(
            invoke(&s, name, r#"{"v":1}"#).await,
            (None, serde_json::json!({"v": 1})),
            "{name}"
        );
        let (err, body) = invoke(&s, name, r#"{"fail":true}"#).await;
        assert_eq!(err.as_deref(), Some("Unhandled"), "{name}");
        assert_eq!(
            (body["errorType"].as_str(), body["errorMessage"].as_str()),
            (Some("Error"), Some("intentional failure")),
            "{name}"
        );
        let (_, ctx) = invoke(&s, name, r#"{"context":true}"#).await;
        assert_eq!(ctx["functionName"], name);
        assert_eq!(ctx["memoryLimitInMB"], "128");
        let remaining = ctx["remaining"].as_i64().unwrap();
        assert!(
            remaining > 2_000 && remaining <= 3_000,
            "{name}: getRemainingTimeInMillis {remaining}"
        );
    }
}

#[tokio::test]
async fn python_function() {
    let s = TestServer::start();
    s.create(
        "py",
        Runtime::Python312,
        "lambda_function.lambda_handler",
        zip_fixture("python-echo"),
    )
    .await;
    assert_eq!(
        invoke(&s, "py", r#"{"v":[1,2]}"#).await,
        (None, serde_json::json!({"v": [1, 2]}))
    );
    let (err, body) = invoke(&s, "py", r#"{"fail":true}"#).await;
    assert_eq!(err.as_deref(), Some("Unhandled"));
    assert_eq!(body["errorType"], "Exception");
    assert_eq!(body["errorMessage"], "intentional failure");
    assert!(body["requestId"].as_str().is_some_and(|r| r.len() == 36));
    assert!(body["stackTrace"].as_array().is_some_and(|t| !t.is_empty()));
    let (_, ctx) = invoke(&s, "py", r#"{"context":true}"#).await;
    assert_eq!(ctx["functionName"], "py");
    assert!(
        ctx["remaining"]
            .as_i64()
            .is_some_and(|r| r > 2_000 && r <= 3_000)
    );
}

#[tokio::test]
async fn seed_handlers_run_as_written() {
    let s = TestServer::start();
    s.create_node("seed-async", "seed-async", "index.handler")
        .await;
    s.lambda
        .update_function_configuration()
        .function_name("seed-async")
        .timeout(10)
        .send()
        .await
        .unwrap();
    let (err, out) = invoke(&s, "seed-async", r#"{"name":"John","age":30}"#).await;
    assert_eq!(err, None);
    assert_eq!(out["statusCode"], 200);
    let body: serde_json::Value = serde_json::from_str(out["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["message"], "Processed user John, age 30");

    s.create_node("seed-monitoring", "seed-monitoring", "index.handler")
        .await;
    s.lambda
        .update_function_configuration()
        .function_name("seed-monitoring")
        .timeout(10)
        .send()
        .await
        .unwrap();
    let out = s
        .lambda
        .invoke()
        .function_name("seed-monitoring")
        .send()
        .await
        .unwrap();
    let body = payload_json(out.payload());
    assert_eq!(body["processed"], true);
    assert_eq!(
        body["correlationId"].as_str(),
        out.request_id(),
        "awsRequestId is the invocation's request id"
    );
    let log = s.log_with("seed-monitoring", "PROCESSING_COMPLETE").await;
    assert!(
        log.contains("LAMBDA_START")
            && log.contains("remainingTime")
            && log.contains("PROCESSING_COMPLETE"),
        "{log}"
    );

    s.create_node("seed-flaky", "seed-flaky", "index.handler")
        .await;
    for _ in 0..5 {
        let (err, body) = invoke(&s, "seed-flaky", "{}").await;
        match err {
            None => assert_eq!(body, serde_json::json!({"success": true})),
            Some(_) => assert_eq!(body["errorMessage"], "Random processing error"),
        }
    }
}

#[tokio::test]
async fn environments_are_reused_and_scale_out() {
    let s = TestServer::start();
    s.create_rust_echo("warm").await;
    for i in 0..3 {
        invoke(&s, "warm", &format!("{{\"i\":{i}}}")).await;
    }
    let (_, st) = s.admin("/_lambkin/v1/status").await;
    assert_eq!(
        (
            st["environments"]["coldStarts"].as_u64(),
            st["environments"]["warmStarts"].as_u64()
        ),
        (Some(1), Some(2))
    );

    // 20 parallel invokes of a 300 ms function: all answered, on several environments.
    let started = std::time::Instant::now();
    let calls = (0..20).map(|i| {
        let lambda = s.lambda.clone();
        tokio::spawn(async move {
            lambda
                .invoke()
                .function_name("warm")
                .payload(Blob::new(format!("{{\"sleep_ms\":300,\"i\":{i}}}")))
                .send()
                .await
        })
    });
    for call in calls.collect::<Vec<_>>() {
        let out = call.await.unwrap().unwrap();
        assert_eq!(out.function_error(), None);
    }
    assert!(started.elapsed() < Duration::from_secs(20));
    let (_, st) = s.admin("/_lambkin/v1/status").await;
    assert!(
        st["environments"]["coldStarts"].as_u64().unwrap() >= 10,
        "{st}"
    );
}

#[tokio::test]
async fn a_caller_hanging_up_does_not_cut_the_function_off() {
    let s = TestServer::start();
    s.create_rust_echo("patient").await;
    let hung_up = tokio::time::timeout(
        Duration::from_millis(200),
        crate::support::http(
            &s.url,
            "POST",
            "/2015-03-31/functions/patient/invocations",
            &[],
            bytes::Bytes::from_static(br#"{"sleep_ms":800}"#),
        ),
    )
    .await;
    assert!(
        hung_up.is_err(),
        "the caller gave up before the function finished"
    );
    // The invocation still runs to its end, and its environment stays warm for the next one.
    crate::support::eventually(
        "the abandoned invocation to finish",
        Duration::from_secs(10),
        || async {
            s.log_text("patient")
                .await
                .contains("REPORT RequestId: ")
                .then_some(())
        },
    )
    .await;
    let log = s.log_text("patient").await;
    assert!(!log.contains("Status: "), "it ended normally: {log}");
    assert_eq!(invoke(&s, "patient", "{}").await.0, None);
    let (_, st) = s.admin("/_lambkin/v1/status").await;
    assert_eq!(st["environments"]["coldStarts"], 1, "{st}");
}

#[tokio::test]
async fn idle_environments_stop_after_the_keep_alive() {
    let s = TestServer::start_with(&["--keep-alive", "1"]);
    s.create_rust_echo("brief").await;
    invoke(&s, "brief", "{}").await;
    let (_, st) = s.admin("/_lambkin/v1/status").await;
    assert_eq!(st["environments"]["idle"], 1);
    crate::support::eventually(
        "the idle environment to be stopped",
        Duration::from_secs(10),
        || async {
            let (_, st) = s.admin("/_lambkin/v1/status").await;
            (st["environments"]["idle"] == 0).then_some(())
        },
    )
    .await;
    // The next invoke starts a new environment and works.
    assert_eq!(
        invoke(&s, "brief", r#"{"k":2}"#).await,
        (None, serde_json::json!({"k": 2}))
    );
    let (_, st) = s.admin("/_lambkin/v1/status").await;
    assert_eq!(st["environments"]["coldStarts"], 2);
}

#[tokio::test]
async fn timeouts_kill_and_replace_the_environment() {
    let s = TestServer::start();
    s.create_rust_echo("slow").await;
    s.lambda
        .update_function_configuration()
        .function_name("slow")
        .timeout(1)
        .send()
        .await
        .unwrap();
    let out = s
        .lambda
        .invoke()
        .function_name("slow")
        .payload(Blob::new(r#"{"sleep_ms":5000}"#))
        .send()
        .await
        .unwrap();
    let rid = out.request_id().unwrap().to_string();
    assert_eq!(out.function_error(), Some("Unhandled"));
    let body = payload_json(out.payload());
    assert_eq!(body["errorType"], "Sandbox.Timedout");
    assert_eq!(
        body["errorMessage"],
        format!("RequestId: {rid} Error: Task timed out after 1.00 seconds")
    );
    let log = s.log_with("slow", "Status: timeout").await;
    assert!(
        log.contains(&format!("{rid} Task timed out after 1.00 seconds")),
        "{log}"
    );
    assert!(log.contains("\tStatus: timeout\t"), "{log}");
    // The next invoke gets a fresh environment (Init Duration again) and works.
    let (err, _) = invoke(&s, "slow", "{}").await;
    assert_eq!(err, None);
    let (_, st) = s.admin("/_lambkin/v1/status").await;
    assert_eq!(st["environments"]["coldStarts"], 2);
}

#[tokio::test]
async fn crashes_report_runtime_exit_error() {
    let s = TestServer::start();
    s.create_rust_echo("crash").await;
    let out = s
        .lambda
        .invoke()
        .function_name("crash")
        .payload(Blob::new(r#"{"exit":3}"#))
        .send()
        .await
        .unwrap();
    let rid = out.request_id().unwrap().to_string();
    let body = payload_json(out.payload());
    assert_eq!(body["errorType"], "Runtime.ExitError");
    assert_eq!(
        body["errorMessage"],
        format!("RequestId: {rid} Error: Runtime exited with error: exit status 3")
    );
    let out = s
        .lambda
        .invoke()
        .function_name("crash")
        .payload(Blob::new(r#"{"exit":0}"#))
        .send()
        .await
        .unwrap();
    let body = payload_json(out.payload());
    assert!(
        body["errorMessage"]
            .as_str()
            .unwrap()
            .ends_with("Runtime exited without providing a reason"),
        "{body}"
    );
    assert_eq!(
        invoke(&s, "crash", "{\"after\":1}").await,
        (None, serde_json::json!({"after": 1}))
    );
}

#[tokio::test]
async fn a_runtime_killed_by_a_signal_is_reported_as_such() {
    let s = TestServer::start();
    s.create(
        "killed",
        Runtime::Providedal2023,
        "x",
        zip_with(&[("bootstrap", "#!/bin/sh\nkill -9 $$\n", 0o755)]),
    )
    .await;
    let out = s
        .lambda
        .invoke()
        .function_name("killed")
        .send()
        .await
        .unwrap();
    let rid = out.request_id().unwrap().to_string();
    let body = payload_json(out.payload());
    assert_eq!(body["errorType"], "Runtime.ExitError");
    assert_eq!(
        body["errorMessage"],
        format!("RequestId: {rid} Error: Runtime exited with error: signal: killed")
    );
}

#[tokio::test]
async fn startup_failures_are_function_errors() {
    let s = TestServer::start();
    s.create(
        "nobootstrap",
        Runtime::Providedal2023,
        "x",
        zip_with(&[("README", "nothing here", 0o644)]),
    )
    .await;
    let (err, body) = invoke(&s, "nobootstrap", "{}").await;
    assert_eq!(err.as_deref(), Some("Unhandled"));
    assert_eq!(body["errorType"], "Runtime.InvalidEntrypoint");

    s.create_node("nomodule", "node-echo-cjs", "missing.handler")
        .await;
    let (err, body) = invoke(&s, "nomodule", "{}").await;
    assert_eq!(err.as_deref(), Some("Unhandled"));
    assert_eq!(body["errorType"], "Runtime.ImportModuleError");

    s.create_node("noexport", "node-echo-cjs", "index.nothing")
        .await;
    let (_, body) = invoke(&s, "noexport", "{}").await;
    assert_eq!(body["errorType"], "Runtime.HandlerNotFound");

    s.create(
        "pymissing",
        Runtime::Python311,
        "nope.handler",
        zip_fixture("python-echo"),
    )
    .await;
    let (_, body) = invoke(&s, "pymissing", "{}").await;
    assert_eq!(body["errorType"], "Runtime.ImportModuleError");
}

/// The README's first command uses the default data folder, `./.lambkin`: relative. Every
/// runtime must still find its bootstrap and code, whatever folder the server started in.
#[tokio::test]
async fn a_relative_data_folder_works_for_every_runtime() {
    let cwd = tempfile::tempdir().unwrap();
    let s = TestServer::start_from(cwd.path(), &[]);
    let absolute = cwd.path().join(".lambkin");
    assert!(
        s.ready_line
            .contains(&format!("(data {},", absolute.display())),
        "the ready line names the absolute data folder: {}",
        s.ready_line
    );
    s.create_node("node", "node-echo-cjs", "index.handler")
        .await;
    s.create(
        "python",
        Runtime::Python312,
        "lambda_function.lambda_handler",
        zip_fixture("python-echo"),
    )
    .await;
    s.create_rust_echo("provided").await;
    for name in ["node", "python", "provided"] {
        assert_eq!(
            invoke(&s, name, r#"{"n":1}"#).await,
            (None, serde_json::json!({"n": 1})),
            "{name}"
        );
    }
    assert!(absolute.join("queue.db").exists());
}
