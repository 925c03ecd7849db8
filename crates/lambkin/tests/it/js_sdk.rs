//! The AWS SDK for JavaScript v3 against the real server: `tests/js-sdk/tour.mjs` creates a
//! function from a zip, invokes it (RequestResponse and Event), sends the Event results to SQS
//! destinations, sends and receives SQS messages with attributes (`MessageAttributeNames`
//! `All`), tags a queue, and publishes through SNS to a queue, checking every answer; a second
//! SDK family guards the wire shapes the Rust SDK's tests check.
//!
//! npm installs the pinned clients (`tests/js-sdk/package-lock.json`) once per lockfile into
//! the target folder, outside the checkout; the test fails, with npm's output, if npm cannot.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::support::{TestServer, installed_once, run_client_against, run_or_fail, zip_fixture};

/// The whole tour takes a few seconds once the clients are installed.
const TOUR_WITHIN: Duration = Duration::from_secs(90);

fn source() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js-sdk")
}

#[tokio::test]
async fn the_javascript_sdk_v3_tour_passes() {
    let manifests = ["package.json", "package-lock.json"];
    let inputs: Vec<PathBuf> = manifests.iter().map(|f| source().join(f)).collect();
    let dir = installed_once("js-sdk", &inputs, |into| {
        for file in manifests {
            std::fs::copy(source().join(file), into.join(file)).expect("copy manifest");
        }
        run_or_fail(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(into),
            "npm installing the AWS SDK for JavaScript v3 (Node.js 20)",
        );
    });
    // Next to its node_modules, so its imports resolve; the same text for every run.
    std::fs::copy(source().join("tour.mjs"), dir.join("tour.mjs")).expect("copy tour");
    let work = tempfile::tempdir().expect("tempdir");
    let zip = work.path().join("node-echo-esm.zip");
    std::fs::write(&zip, zip_fixture("node-echo-esm")).expect("function zip");

    let server = TestServer::start();
    let mut node = tokio::process::Command::new("node");
    node.arg("tour.mjs")
        .current_dir(&dir)
        .env("FUNCTION_ZIP", &zip);
    run_client_against(
        &server,
        node,
        "the JavaScript SDK tour",
        "js-sdk tour: ok",
        TOUR_WITHIN,
    )
    .await;
}
