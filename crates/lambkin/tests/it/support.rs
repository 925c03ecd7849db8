//! The test harness: a server process, an SDK client, fixtures, and waiting with a deadline.

use std::future::Future;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_lambda::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, Runtime};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use serde_json::Value;
use tempfile::TempDir;

pub const ROLE: &str = "arn:aws:iam::000000000000:role/lambkin-test";

/// A `lambkin serve` child process on 127.0.0.1:0 with its own data folder.
pub struct TestServer {
    pub child: Child,
    pub url: String,
    pub data: PathBuf,
    /// The line the server printed when ready.
    pub ready_line: String,
    _dir: Option<TempDir>,
    pub lambda: aws_sdk_lambda::Client,
    /// What the server wrote to stderr (its log, at `warn`), also passed on to the test's.
    stderr: Arc<Mutex<String>>,
}

impl TestServer {
    /// A server with the default schedule compressed 100× (1-minute retries take 0.6 s).
    pub fn start() -> Self {
        Self::start_with(&["--time-scale", "0.01"])
    }

    pub fn start_with(args: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        let mut s = Self::start_in(&data, args);
        s._dir = Some(dir);
        s
    }

    /// A fresh server with extra environment variables.
    pub fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        let mut s = Self::spawn(&data, args, env);
        s._dir = Some(dir);
        s
    }

    /// Starts on an existing data folder (restarts after a crash).
    pub fn start_in(data: &Path, args: &[&str]) -> Self {
        Self::spawn(data, args, &[])
    }

    /// A server started from `cwd` with the default data folder (`./.lambkin`, relative), as
    /// the README's first command starts it.
    pub fn start_from(cwd: &Path, args: &[&str]) -> Self {
        Self::spawn_cmd(cwd.join(".lambkin"), args, &[], |cmd| {
            cmd.current_dir(cwd);
        })
    }

    fn spawn(data: &Path, args: &[&str], env: &[(&str, &str)]) -> Self {
        Self::spawn_cmd(data.to_path_buf(), args, env, |cmd| {
            cmd.arg("--data-dir").arg(data);
        })
    }

    fn spawn_cmd(
        data: PathBuf,
        args: &[&str],
        env: &[(&str, &str)],
        setup: impl FnOnce(&mut Command),
    ) -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_lambkin"));
        cmd.arg("serve").args(["--listen", "127.0.0.1:0"]);
        setup(&mut cmd);
        let mut child = cmd
            .args(args)
            // A developer's own settings must not change what the tests see.
            .env_remove("LAMBKIN_ENV_CORES")
            .env_remove("LAMBKIN_WORKER_THREADS")
            .envs(env.iter().copied())
            .env("LAMBKIN_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn lambkin");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (pipe, kept) = (child.stderr.take().expect("stderr"), stderr.clone());
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                eprintln!("{line}");
                let mut kept = kept.lock().expect("stderr lock");
                kept.push_str(&line);
                kept.push('\n');
            }
        });
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(first)) = lines.next() {
                let _ = tx.send(first);
            }
            // Keep draining so the server never blocks on a full pipe.
            for _ in lines {}
        });
        let line = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("server printed its ready line");
        let ready_line = line.clone();
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .expect("ready line names the address")
            .to_string();
        let lambda = sdk_client(&url);
        TestServer {
            child,
            url,
            data,
            ready_line,
            _dir: None,
            lambda,
            stderr,
        }
    }

    /// The server's log so far (what it wrote to stderr).
    pub fn server_log(&self) -> String {
        self.stderr.lock().expect("stderr lock").clone()
    }

    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// POST on lambkin's own API, as JSON.
    pub async fn admin_post(&self, path: &str) -> (u16, Value) {
        let (status, body) = http(&self.url, "POST", path, &[], Bytes::new()).await;
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    /// GET on lambkin's own API, as JSON.
    pub async fn admin(&self, path: &str) -> (u16, Value) {
        let (status, body) = http(&self.url, "GET", path, &[], Bytes::new()).await;
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    pub async fn event(&self, id: &str) -> Value {
        let (status, v) = self.admin(&format!("/_lambkin/v1/events/{id}")).await;
        assert_eq!(status, 200, "event {id}: {v}");
        v
    }

    /// Waits until the event reaches a terminal state and returns it.
    pub async fn finished_event(&self, id: &str, within: Duration) -> Value {
        eventually(&format!("event {id} to finish"), within, || async {
            let v = self.event(id).await;
            matches!(v["state"].as_str(), Some("succeeded" | "failed")).then_some(v)
        })
        .await
    }

    /// The function's log once it contains `needle` (log lines reach the file asynchronously,
    /// as they reach CloudWatch on AWS).
    pub async fn log_with(&self, function: &str, needle: &str) -> String {
        eventually(
            &format!("{function}'s log to contain {needle:?}"),
            Duration::from_secs(10),
            || async {
                let log = self.log_text(function).await;
                log.contains(needle).then_some(log)
            },
        )
        .await
    }

    pub async fn log_text(&self, function: &str) -> String {
        let (_, v) = self
            .admin(&format!("/_lambkin/v1/functions/{function}/logs"))
            .await;
        v["text"].as_str().unwrap_or_default().to_string()
    }

    pub async fn create(&self, name: &str, runtime: Runtime, handler: &str, zip: Vec<u8>) {
        self.lambda
            .create_function()
            .function_name(name)
            .runtime(runtime)
            .handler(handler)
            .role(ROLE)
            .code(FunctionCode::builder().zip_file(Blob::new(zip)).build())
            .send()
            .await
            .expect("create function");
    }

    /// PutFunctionConcurrency.
    pub async fn reserve(&self, name: &str, n: i32) {
        self.lambda
            .put_function_concurrency()
            .function_name(name)
            .reserved_concurrent_executions(n)
            .send()
            .await
            .expect("put function concurrency");
    }

    /// A `provided.al2023` function whose bootstrap is the `lambda_runtime` fixture.
    pub async fn create_rust_echo(&self, name: &str) {
        self.create(name, Runtime::Providedal2023, "bootstrap", rust_echo_zip())
            .await;
    }

    pub async fn create_node(&self, name: &str, fixture: &str, handler: &str) {
        self.create(name, Runtime::Nodejs20x, handler, zip_fixture(fixture))
            .await;
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn sdk_client(url: &str) -> aws_sdk_lambda::Client {
    let conf = aws_sdk_lambda::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .endpoint_url(url)
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        // The tests observe the server; SDK-side retries (e.g. of 429s) would hide what it did.
        .retry_config(aws_sdk_lambda::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_lambda::Client::from_conf(conf)
}

pub fn sqs_client(url: &str) -> aws_sdk_sqs::Client {
    let conf = aws_sdk_sqs::Config::builder()
        .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
        .region(aws_sdk_sqs::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_sqs::config::Credentials::new(
            "AKIDTEST", "secret", None, None, "test",
        ))
        .endpoint_url(url)
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .retry_config(aws_sdk_sqs::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_sqs::Client::from_conf(conf)
}

/// An S3 client addressing buckets by path, signing with `key` (`test` is a key lambkin knows
/// and checks; any other is accepted unchecked, except for aws-chunked bodies).
pub fn s3_client_with(url: &str, key: &str) -> aws_sdk_s3::Client {
    let conf = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            key, key, None, None, "test",
        ))
        .endpoint_url(url)
        .force_path_style(true)
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .retry_config(aws_sdk_s3::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

pub fn s3_client(url: &str) -> aws_sdk_s3::Client {
    s3_client_with(url, "test")
}

pub fn sns_client(url: &str) -> aws_sdk_sns::Client {
    let conf = aws_sdk_sns::Config::builder()
        .behavior_version(aws_sdk_sns::config::BehaviorVersion::latest())
        .region(aws_sdk_sns::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_sns::config::Credentials::new(
            "AKIDTEST", "secret", None, None, "test",
        ))
        .endpoint_url(url)
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .retry_config(aws_sdk_sns::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_sns::Client::from_conf(conf)
}

/// An `Event` invoke; returns the 202's request id.
pub async fn send_event(s: &TestServer, name: &str, payload: &str) -> String {
    use aws_sdk_lambda::operation::RequestId;
    let out = s
        .lambda
        .invoke()
        .function_name(name)
        .invocation_type(aws_sdk_lambda::types::InvocationType::Event)
        .payload(Blob::new(payload.to_string()))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status_code(), 202);
    out.request_id().expect("x-amzn-RequestId").to_string()
}

/// One message from an SQS queue, long polling until the deadline, with every message and
/// system attribute.
pub async fn receive_one(sqs: &aws_sdk_sqs::Client, url: &str) -> aws_sdk_sqs::types::Message {
    eventually(
        &format!("a message in {url}"),
        Duration::from_secs(30),
        || async {
            sqs.receive_message()
                .queue_url(url)
                .wait_time_seconds(2)
                .message_attribute_names("All")
                .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::All)
                .send()
                .await
                .unwrap()
                .messages()
                .first()
                .cloned()
        },
    )
    .await
}

/// CreateTopic; returns the topic ARN.
pub async fn create_topic(sns: &aws_sdk_sns::Client, name: &str) -> String {
    sns.create_topic()
        .name(name)
        .send()
        .await
        .unwrap()
        .topic_arn()
        .unwrap()
        .to_string()
}

/// A raw HTTP request, for what the SDK cannot send (bad JSON, odd headers, raw routes).
pub async fn http(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Bytes,
) -> (u16, Bytes) {
    let (status, _, body) = http_full(base, method, path, headers, body).await;
    (status, body)
}

pub async fn http_full(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Bytes,
) -> (u16, hyper::HeaderMap, Bytes) {
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let mut req = hyper::Request::builder()
        .method(method)
        .uri(format!("{base}{path}"));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = client
        .request(req.body(Full::new(body)).unwrap())
        .await
        .expect("http request");
    let (parts, body) = resp.into_parts();
    (
        parts.status.as_u16(),
        parts.headers,
        body.collect().await.unwrap().to_bytes(),
    )
}

/// Polls `check` until it yields a value; panics with `what` after `within`.
pub async fn eventually<T, F, Fut>(what: &str, within: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A folder of installed packages (npm's, pip's) under the target folder
/// (`CARGO_TARGET_TMPDIR`, outside the checkout), made by `make` once per content of `inputs`
/// (the manifests it installs from) and reused by later runs. `make` fills a fresh folder that
/// is then renamed into place, so a failed or half-finished install is never used.
pub fn installed_once(name: &str, inputs: &[PathBuf], make: impl FnOnce(&Path)) -> PathBuf {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for input in inputs {
        hash.update(std::fs::read(input).unwrap_or_else(|e| panic!("{input:?}: {e}")));
    }
    let key: String = hash.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let dir = cache.join(format!("{name}-{key}"));
    if dir.is_dir() {
        return dir;
    }
    let staging = tempfile::Builder::new()
        .prefix(&format!("{name}-installing-"))
        .tempdir_in(cache)
        .expect("staging folder");
    make(staging.path());
    // Another test run may have finished the same install first; either copy will do.
    if std::fs::rename(staging.path(), &dir).is_err() {
        assert!(dir.is_dir(), "no install at {dir:?}");
    }
    dir
}

/// Runs `cmd` to completion, failing the test with its output if it fails: `what` says what
/// it was for (npm or pip installing a test's packages).
pub fn run_or_fail(cmd: &mut Command, what: &str) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: could not run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed (is the package registry reachable?):\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/functions")
}

pub fn zip_fixture(name: &str) -> Vec<u8> {
    lambkin_engine::zip_folder(&fixtures().join(name)).expect("zip fixture")
}

/// The `rust-echo` example binary, built by `cargo test` next to the test binary.
pub fn rust_echo_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>");
    let bin = profile_dir.join("examples/rust-echo");
    assert!(
        bin.exists(),
        "{} missing: cargo builds examples with the tests",
        bin.display()
    );
    bin
}

/// A package whose `bootstrap` execs the fixture binary (keeps uploads small); one test
/// also uploads the binary itself as `bootstrap`.
pub fn rust_echo_zip() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let script = format!("#!/bin/sh\nexec '{}'\n", rust_echo_binary().display());
    write_executable(&dir.path().join("bootstrap"), script.as_bytes());
    lambkin_engine::zip_folder(dir.path()).unwrap()
}

pub fn write_executable(path: &Path, contents: &[u8]) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, contents).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A package from a single file.
pub fn zip_with(files: &[(&str, &str, u32)]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    for (name, text, mode) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(*mode)).unwrap();
    }
    lambkin_engine::zip_folder(dir.path()).unwrap()
}

pub fn payload_json(p: Option<&Blob>) -> Value {
    serde_json::from_slice(p.map(Blob::as_ref).unwrap_or_default()).unwrap_or(Value::Null)
}

/// The AWS error code, message and HTTP status of a failed SDK call.
pub fn aws_error<E>(
    err: &aws_sdk_lambda::error::SdkError<E, aws_sdk_lambda::config::http::HttpResponse>,
) -> (String, String, u16)
where
    E: aws_sdk_lambda::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    use aws_sdk_lambda::error::ProvideErrorMetadata;
    let status = err.raw_response().map(|r| r.status().as_u16()).unwrap_or(0);
    (
        err.code().unwrap_or_default().to_string(),
        err.message().unwrap_or_default().to_string(),
        status,
    )
}

pub fn eventbridge_client(url: &str) -> aws_sdk_eventbridge::Client {
    let conf = aws_sdk_eventbridge::Config::builder()
        .behavior_version(aws_sdk_eventbridge::config::BehaviorVersion::latest())
        .region(aws_sdk_eventbridge::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_eventbridge::config::Credentials::new(
            "AKIDTEST", "secret", None, None, "test",
        ))
        .endpoint_url(url)
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .retry_config(aws_sdk_eventbridge::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_eventbridge::Client::from_conf(conf)
}

/// A queue's URL and ARN, created.
pub async fn queue_with_arn(sqs: &aws_sdk_sqs::Client, name: &str) -> (String, String) {
    let url = sqs
        .create_queue()
        .queue_name(name)
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_string();
    (url, format!("arn:aws:sqs:us-east-1:000000000000:{name}"))
}

/// Every message a queue holds now or receives within `within`, until `count` arrived;
/// each deleted once received.
pub async fn receive_n(
    sqs: &aws_sdk_sqs::Client,
    url: &str,
    count: usize,
    within: Duration,
) -> Vec<aws_sdk_sqs::types::Message> {
    let mut got = Vec::new();
    let deadline = Instant::now() + within;
    while got.len() < count {
        assert!(
            Instant::now() < deadline,
            "timed out: {} of {count} messages arrived",
            got.len()
        );
        let out = sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .message_attribute_names("All")
            .send()
            .await
            .unwrap();
        for m in out.messages.unwrap_or_default() {
            sqs.delete_message()
                .queue_url(url)
                .receipt_handle(m.receipt_handle().unwrap())
                .send()
                .await
                .unwrap();
            got.push(m);
        }
    }
    got
}

pub fn scheduler_client(url: &str) -> aws_sdk_scheduler::Client {
    let conf = aws_sdk_scheduler::Config::builder()
        .behavior_version(aws_sdk_scheduler::config::BehaviorVersion::latest())
        .region(aws_sdk_scheduler::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_scheduler::config::Credentials::new(
            "AKIDTEST", "secret", None, None, "test",
        ))
        .endpoint_url(url)
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .retry_config(aws_sdk_scheduler::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_scheduler::Client::from_conf(conf)
}

pub fn dynamodb_client(url: &str) -> aws_sdk_dynamodb::Client {
    let conf = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "AKIDTEST", "secret", None, None, "test",
        ))
        .endpoint_url(url)
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .retry_config(aws_sdk_dynamodb::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_dynamodb::Client::from_conf(conf)
}

/// A PAY_PER_REQUEST table keyed by one string attribute, with TTL on `ttl_attribute`.
pub async fn dynamodb_table_with_ttl(
    ddb: &aws_sdk_dynamodb::Client,
    table: &str,
    key: &str,
    ttl_attribute: &str,
) {
    use aws_sdk_dynamodb::types::{
        AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
        TimeToLiveSpecification,
    };
    ddb.create_table()
        .table_name(table)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(key)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name(key)
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .unwrap();
    ddb.update_time_to_live()
        .table_name(table)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name(ttl_attribute)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
}

/// Runs a client program of another SDK family against `server` (its URL in `LAMBKIN_URL`,
/// test credentials, no profile or endpoint of the developer's), and fails with its output and
/// the server's log unless it exits 0 and its last line is `ok_line`, within `within`.
pub async fn run_client_against(
    server: &TestServer,
    mut cmd: tokio::process::Command,
    what: &str,
    ok_line: &str,
    within: Duration,
) {
    let run = cmd
        .env("LAMBKIN_URL", &server.url)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(within, run)
        .await
        .unwrap_or_else(|_| panic!("{what} did not finish within {within:?}"))
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        out.status.success() && stdout.trim_end().ends_with(ok_line),
        "{what} against lambkin failed ({}):\n{stdout}\n{stderr}\nserver log:\n{}",
        out.status,
        server.server_log()
    );
}
