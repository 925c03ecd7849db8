//! kombu's SQS transport, Celery's SQS broker, against the real server
//! (`tests/kombu/broker.py`): CreateQueue with kombu's `queue_tags`, a task message with a
//! message attribute put and got back with `fetch_message_attributes` naming `all`, which kombu
//! sends as `ALL` (issue 15 §2), and the acknowledgement deleting it.
//!
//! pip installs kombu (`tests/kombu/requirements.txt`) once into a virtual environment in the
//! target folder that sees the system's boto3; the test fails, with pip's output, if it cannot.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::{TestServer, installed_once, run_or_fail};

const BROKER_WITHIN: Duration = Duration::from_secs(60);

fn source() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kombu")
}

#[tokio::test]
async fn kombu_gets_every_attribute_with_all_in_capitals() {
    let requirements = source().join("requirements.txt");
    let venv = installed_once("kombu", std::slice::from_ref(&requirements), |into| {
        run_or_fail(
            Command::new("python3")
                .args(["-m", "venv", "--system-site-packages"])
                .arg(into),
            "making a Python virtual environment for kombu",
        );
        run_or_fail(
            Command::new(into.join("bin/python"))
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "-r",
                ])
                .arg(&requirements),
            "pip installing kombu",
        );
    });

    let server = TestServer::start();
    let run = tokio::process::Command::new(venv.join("bin/python"))
        .arg(source().join("broker.py"))
        .env("LAMBKIN_URL", &server.url)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(BROKER_WITHIN, run)
        .await
        .unwrap_or_else(|_| panic!("kombu did not finish within {BROKER_WITHIN:?}"))
        .expect("run python");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        out.status.success() && stdout.trim_end().ends_with("kombu: ok"),
        "kombu against lambkin failed ({}):\n{stdout}\n{stderr}\nserver log:\n{}",
        out.status,
        server.server_log()
    );
}
