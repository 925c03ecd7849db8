//! kombu's SQS transport, Celery's SQS broker, against the real server
//! (`tests/kombu/broker.py`): CreateQueue with kombu's `queue_tags`, a task message with a
//! message attribute put and got back with `fetch_message_attributes` naming `all`, which kombu
//! sends as `ALL` (issue 15 §2), and the acknowledgement deleting it.
//!
//! pip installs kombu (`tests/kombu/requirements.txt`) once into a virtual environment in the
//! target folder that sees the system's boto3; the test fails, with pip's output, if it cannot.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::support::{TestServer, installed_once, run_client_against, run_or_fail};

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
    let mut python = tokio::process::Command::new(venv.join("bin/python"));
    python.arg(source().join("broker.py"));
    run_client_against(&server, python, "kombu", "kombu: ok", BROKER_WITHIN).await;
}
