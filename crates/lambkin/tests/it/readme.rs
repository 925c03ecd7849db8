//! The README's tour, run as printed: its server command (only `--listen` changed, to a free
//! port) in a fresh working directory, then every command of its `sh` blocks, in order, in one
//! shell, with the AWS CLI and the lambkin CLI, each step's output checked. A change to the
//! tour or to what the commands show fails here.
//!
//! Needs the AWS CLI v1 (`aws`), `zip`, `jq` and `base64` on `PATH`; `.ci/run` installs the AWS
//! CLI into a cache folder when it is missing.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::TestServer;

const TOUR: &str = "## A 5-minute tour";
const DONE: &str = "__lambkin_tour_step_done__";

fn readme() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    std::fs::read_to_string(path).expect("README.md")
}

/// The fenced `sh` blocks between the tour's heading and the next `## ` heading.
fn tour_blocks(readme: &str) -> Vec<String> {
    let start = readme.find(TOUR).expect("the README has the tour heading");
    let section = &readme[start + TOUR.len()..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in section.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```sh") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), l) => {
                block.push_str(l);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

/// A block's commands, one per step: `\` continues a line, a `for`…`done` loop (on one line
/// or several) is one step, comments and blank lines between commands are dropped.
fn steps(block: &str) -> Vec<String> {
    let mut steps = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    for line in block.lines() {
        let trimmed = line.trim();
        if current.is_empty() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        current.push_str(line);
        current.push('\n');
        if trimmed.starts_with("for ") || trimmed.starts_with("while ") {
            depth += 1;
        }
        if trimmed == "done" || trimmed.ends_with("; done") {
            depth = depth.saturating_sub(1);
        }
        if depth == 0 && !trimmed.ends_with('\\') {
            steps.push(std::mem::take(&mut current));
        }
    }
    assert!(
        current.is_empty(),
        "a tour block ends inside a command: {current}"
    );
    steps
}

/// One bash process, as one terminal: variables and aliases carry from step to step.
struct Shell {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
}

impl Shell {
    fn start(cwd: &Path, path: &str, endpoint: &str, home: &Path) -> Shell {
        let mut child = Command::new("bash")
            .args(["--noprofile", "--norc", "-s"])
            .current_dir(cwd)
            .env("PATH", path)
            .env("HOME", home)
            // The tour's own settings only, whatever the developer's AWS config says.
            .env("AWS_CONFIG_FILE", home.join("aws-config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", home.join("aws-credentials"))
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_DEFAULT_OUTPUT")
            .env_remove("AWS_ENDPOINT_URL")
            .env("LAMBKIN_ENDPOINT", endpoint)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("bash");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut stdin = child.stdin.take().expect("stdin");
        // An interactive terminal expands aliases (`awsl`); a script must ask for it.
        writeln!(stdin, "exec 2>&1\nshopt -s expand_aliases").expect("bash setup");
        Shell {
            child,
            stdin,
            lines,
        }
    }

    /// Runs one step; its exit status and everything it printed (stdout and stderr).
    fn run(&mut self, step: &str, within: Duration) -> (i32, String) {
        write!(self.stdin, "{step}\necho \"{DONE} $?\"\n").expect("write step");
        self.stdin.flush().expect("flush");
        let deadline = Instant::now() + within;
        let mut out = String::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self.lines.recv_timeout(left).unwrap_or_else(|_| {
                panic!("step did not finish within {within:?}:\n{step}\n{out}")
            });
            if let Some(code) = line.strip_prefix(DONE) {
                return (code.trim().parse().unwrap_or(-1), out);
            }
            out.push_str(&line);
            out.push('\n');
        }
    }
}

impl Drop for Shell {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a step must show. `retry`: the step only reads (or its result arrives asynchronously),
/// so it is run again until the check passes, as a user would run it again.
struct Expect {
    /// Identifies the step: how its command text begins.
    step: &'static str,
    retry: bool,
    check: fn(i32, &str, &Path) -> Result<(), String>,
}

fn ok(code: i32, out: &str) -> Result<(), String> {
    (code == 0)
        .then_some(())
        .ok_or(format!("exit status {code}"))
        .map_err(|e| format!("{e}: {out}"))
}

fn contains(out: &str, needles: &[&str]) -> Result<(), String> {
    match needles.iter().find(|n| !out.contains(**n)) {
        Some(missing) => Err(format!("missing {missing:?}")),
        None => Ok(()),
    }
}

fn json(out: &str) -> Result<Value, String> {
    serde_json::from_str(out).map_err(|e| format!("not JSON ({e})"))
}

/// Messages of a `receive-message` answer; an empty answer is no message yet.
fn messages(out: &str) -> Result<Vec<Value>, String> {
    if out.trim().is_empty() {
        return Err("no message yet".into());
    }
    let v = json(out)?;
    let list = v["Messages"].as_array().cloned().unwrap_or_default();
    if list.is_empty() {
        return Err("no message yet".into());
    }
    Ok(list)
}

fn expectations() -> Vec<Expect> {
    vec![
        Expect {
            step: "awsl lambda create-function --function-name flaky",
            retry: false,
            check: |code, out, _| {
                ok(code, out)?;
                let v = json(out)?;
                (v["FunctionName"] == "flaky" && v["Runtime"] == "nodejs20.x")
                    .then_some(())
                    .ok_or(format!("not the function's configuration: {v}"))
            },
        },
        Expect {
            step: "awsl lambda invoke --function-name flaky --payload '{\"x\":1}' --log-type Tail",
            retry: false,
            check: |code, out, cwd| {
                ok(code, out)?;
                // The decoded log tail, then the sync result in out.json.
                contains(
                    out,
                    &["START RequestId:", "END RequestId:", "REPORT RequestId:"],
                )?;
                contains(out, &["Attempt to process event:"])?;
                let result = std::fs::read_to_string(cwd.join("out.json"))
                    .map_err(|e| format!("out.json: {e}"))?;
                let v = json(&result)?;
                let succeeded = v == serde_json::json!({"success": true});
                let failed = v["errorMessage"] == "Random processing error";
                (succeeded || failed)
                    .then_some(())
                    .ok_or(format!("unexpected result {v}"))
            },
        },
        Expect {
            step: "awsl lambda invoke --function-name flaky --invocation-type Event --payload '{\"x\":2}'",
            retry: false,
            check: |code, out, _| {
                ok(code, out)?;
                (json(out)?["StatusCode"] == 202)
                    .then_some(())
                    .ok_or(format!("not a 202: {out}"))
            },
        },
        Expect {
            step: "awsl lambda put-function-event-invoke-config --function-name flaky --maximum-retry-attempts 3",
            retry: false,
            check: |code, out, _| {
                if code == 0 {
                    return Err("MaximumRetryAttempts 3 was accepted".into());
                }
                contains(
                    out,
                    &[
                        "PutFunctionEventInvokeConfig",
                        "maximumRetryAttempts",
                        "Member must have value less than or equal to 2",
                    ],
                )
            },
        },
        Expect {
            step: "awsl lambda put-function-event-invoke-config --function-name flaky \\\n  --maximum-retry-attempts 1 --maximum-event-age 3600",
            retry: false,
            check: |code, out, _| {
                ok(code, out)?;
                let v = json(out)?;
                (v["MaximumRetryAttempts"] == 1 && v["MaximumEventAgeInSeconds"] == 3600)
                    .then_some(())
                    .ok_or(format!("{v}"))
            },
        },
        Expect {
            step: "for q in my-function-dlq success-queue failure-queue",
            retry: false,
            check: |code, out, _| {
                ok(code, out)?;
                contains(
                    out,
                    &[
                        "/000000000000/my-function-dlq",
                        "/000000000000/failure-queue",
                    ],
                )
            },
        },
        Expect {
            step: "awsl lambda update-function-configuration --function-name flaky \\\n  --dead-letter-config TargetArn=$Q:my-function-dlq",
            retry: false,
            check: |code, out, _| {
                ok(code, out)?;
                (json(out)?["DeadLetterConfig"]["TargetArn"]
                    == "arn:aws:sqs:us-east-1:000000000000:my-function-dlq")
                    .then_some(())
                    .ok_or(out.to_string())
            },
        },
        Expect {
            step: "awsl lambda put-function-event-invoke-config --function-name flaky --maximum-retry-attempts 0",
            retry: false,
            check: |code, out, _| {
                ok(code, out)?;
                let v = json(out)?;
                (v["DestinationConfig"]["OnFailure"]["Destination"]
                    == "arn:aws:sqs:us-east-1:000000000000:failure-queue")
                    .then_some(())
                    .ok_or(format!("{v}"))
            },
        },
        Expect {
            step: "for i in $(seq 20)",
            retry: false,
            check: |code, out, _| {
                ok(code, out)?;
                (out.matches("\"StatusCode\": 202").count() == 20)
                    .then_some(())
                    .ok_or(format!("not 20 times 202: {out}"))
            },
        },
        Expect {
            step: "awsl sqs receive-message --queue-url http://127.0.0.1:9070/000000000000/my-function-dlq",
            retry: true,
            check: |code, out, _| {
                ok(code, out)?;
                // The earlier `{"x":2}` event may still be retrying when the DLQ is attached;
                // it then lands there too, as on AWS (the DLQ is read when an event fails for
                // good). Every message is one of the tour's failed payloads, with the three
                // attributes, and at least one is from the loop.
                let mut from_loop = 0;
                for message in messages(out)? {
                    let attributes = &message["MessageAttributes"];
                    for name in ["RequestID", "ErrorCode", "ErrorMessage"] {
                        if attributes[name]["StringValue"].as_str().is_none() {
                            return Err(format!("attribute {name} missing: {message}"));
                        }
                    }
                    let body = json(message["Body"].as_str().unwrap_or_default())?;
                    let ours = body["i"].is_u64() || body == serde_json::json!({"x": 2});
                    if !ours
                        || attributes["ErrorMessage"]["StringValue"] != "Random processing error"
                    {
                        return Err(format!("{message}"));
                    }
                    from_loop += usize::from(body["i"].is_u64());
                }
                (from_loop > 0)
                    .then_some(())
                    .ok_or(format!("no failed payload of the loop yet: {out}"))
            },
        },
        Expect {
            step: "awsl s3 ls s3://photos --recursive",
            retry: false,
            check: |code, out, _| {
                ok(code, out)?;
                // The pipeline's upload and thumbnail, the 64 MB multipart upload, the synced
                // folder.
                let want = [
                    " 64000000 big.bin",
                    " uploads/image.jpg",
                    " thumbnails/uploads/image.jpg",
                    " code/index.js",
                ];
                want.iter()
                    .all(|w| out.contains(w))
                    .then_some(())
                    .ok_or(format!("missing one of {want:?}: {out}"))
            },
        },
        Expect {
            step: "awsl sqs receive-message --queue-url http://127.0.0.1:9070/000000000000/success-queue",
            retry: true,
            check: |code, out, _| {
                ok(code, out)?;
                let message = messages(out)?.remove(0);
                let record = json(message["Body"].as_str().unwrap_or_default())?;
                for key in [
                    "requestContext",
                    "requestPayload",
                    "responseContext",
                    "responsePayload",
                ] {
                    if record[key].is_null() {
                        return Err(format!("{key} missing: {record}"));
                    }
                }
                (record["requestContext"]["condition"] == "Success"
                    && record["responsePayload"] == serde_json::json!({"success": true}))
                .then_some(())
                .ok_or(format!("{record}"))
            },
        },
        Expect {
            step: "awsl lambda create-function --function-name on-order",
            retry: false,
            check: |code, out, _| {
                ok(code, out)?;
                (json(out)?["FunctionName"] == "on-order")
                    .then_some(())
                    .ok_or(out.to_string())
            },
        },
        Expect {
            step: "awsl sns create-topic --name orders",
            retry: false,
            check: |code, out, _| {
                ok(code, out)?;
                (json(out)?["TopicArn"] == "arn:aws:sns:us-east-1:000000000000:orders")
                    .then_some(())
                    .ok_or(out.to_string())
            },
        },
        Expect {
            step: "awsl sns subscribe",
            retry: false,
            check: |code, out, _| {
                ok(code, out)?;
                json(out)?["SubscriptionArn"]
                    .as_str()
                    .filter(|a| a.starts_with("arn:aws:sns:us-east-1:000000000000:orders:"))
                    .map(|_| ())
                    .ok_or(out.to_string())
            },
        },
        Expect {
            step: "awsl sns publish",
            retry: false,
            check: |code, out, _| {
                ok(code, out)?;
                json(out)?["MessageId"]
                    .as_str()
                    .map(|_| ())
                    .ok_or(out.to_string())
            },
        },
        Expect {
            step: "awsl events put-rule --name big-orders",
            retry: false,
            check: |code, out, _| {
                ok(code, out)?;
                (json(out)?["RuleArn"] == "arn:aws:events:us-east-1:000000000000:rule/big-orders")
                    .then_some(())
                    .ok_or(out.to_string())
            },
        },
        Expect {
            step: "awsl events put-events",
            retry: false,
            check: |code, out, _| {
                ok(code, out)?;
                let v = json(out)?;
                (v["FailedEntryCount"] == 0 && v["Entries"][0]["EventId"].is_string())
                    .then_some(())
                    .ok_or(out.to_string())
            },
        },
        Expect {
            step: "awsl sqs receive-message --queue-url http://127.0.0.1:9070/000000000000/big-orders",
            retry: true,
            check: |code, out, _| {
                ok(code, out)?;
                let event: Value =
                    serde_json::from_str(messages(out)?[0]["Body"].as_str().unwrap_or_default())
                        .map_err(|e| e.to_string())?;
                (event["source"] == "shop"
                    && event["detail-type"] == "Order Placed"
                    && event["detail"] == serde_json::json!({"total": 250}))
                .then_some(())
                .ok_or(format!("{event}"))
            },
        },
        Expect {
            step: "awsl sqs receive-message --queue-url http://127.0.0.1:9070/000000000000/ticks",
            retry: true,
            check: |code, out, _| {
                ok(code, out)?;
                let event: Value =
                    serde_json::from_str(messages(out)?[0]["Body"].as_str().unwrap_or_default())
                        .map_err(|e| e.to_string())?;
                (event["detail-type"] == "Scheduled Event"
                    && event["source"] == "aws.events"
                    && event["resources"][0]
                        == "arn:aws:events:us-east-1:000000000000:rule/every-minute")
                    .then_some(())
                    .ok_or(format!("{event}"))
            },
        },
        Expect {
            step: "awsl scheduler create-schedule --name nightly",
            retry: false,
            check: |code, out, _| {
                ok(code, out)?;
                (json(out)?["ScheduleArn"]
                    == "arn:aws:scheduler:us-east-1:000000000000:schedule/default/nightly")
                    .then_some(())
                    .ok_or(out.to_string())
            },
        },
        Expect {
            step: "awsl lambda create-event-source-mapping --function-name batch",
            retry: false,
            check: |code, out, _| {
                ok(code, out)?;
                let v = json(out)?;
                (v["UUID"].is_string()
                    && v["State"] == "Creating"
                    && v["EventSourceArn"] == "arn:aws:sqs:us-east-1:000000000000:jobs")
                    .then_some(())
                    .ok_or(out.to_string())
            },
        },
        Expect {
            step: "lambkin logs batch",
            retry: true,
            check: |code, out, _| {
                ok(code, out)?;
                contains(
                    out,
                    &["BATCH {\"Records\":[", "\"body\":\"resize photo 7\""],
                )
            },
        },
        Expect {
            step: "awsl lambda create-function --function-name orders-api",
            retry: false,
            check: |code, out, _| {
                ok(code, out)?;
                let v = json(out)?;
                (v["Version"] == "1"
                    && v["FunctionArn"]
                        == "arn:aws:lambda:us-east-1:000000000000:function:orders-api:1")
                    .then_some(())
                    .ok_or(format!("not version 1: {v}"))
            },
        },
        Expect {
            step: "awsl lambda publish-version --function-name orders-api",
            retry: false,
            check: |code, out, _| {
                ok(code, out)?;
                let v = json(out)?;
                (v["Version"] == "2"
                    && v["Description"] == "release 2"
                    && v["Environment"]["Variables"]["RELEASE"] == "2")
                    .then_some(())
                    .ok_or(format!("not version 2: {v}"))
            },
        },
        Expect {
            step: "awsl lambda create-alias --function-name orders-api",
            retry: false,
            check: |code, out, _| {
                ok(code, out)?;
                let v = json(out)?;
                (v["AliasArn"] == "arn:aws:lambda:us-east-1:000000000000:function:orders-api:live"
                    && v["FunctionVersion"] == "1"
                    && v["RoutingConfig"]["AdditionalVersionWeights"]["2"] == 0.1)
                    .then_some(())
                    .ok_or(out.to_string())
            },
        },
        Expect {
            step: "awsl lambda put-function-event-invoke-config --function-name orders-api",
            retry: false,
            check: |code, out, _| {
                ok(code, out)?;
                (json(out)?["FunctionArn"]
                    == "arn:aws:lambda:us-east-1:000000000000:function:orders-api:live")
                    .then_some(())
                    .ok_or(out.to_string())
            },
        },
        Expect {
            step: "for n in $(seq 20); do awsl lambda invoke --function-name orders-api:live",
            retry: false,
            check: |code, out, _| {
                ok(code, out)?;
                let ran: Vec<&str> = out
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .collect();
                // 20 calls, each on version 1 or 2; version 1 gets nine in ten, so at least one
                // (all twenty on version 2 has a chance of 1e-20).
                (ran.len() == 20
                    && ran.iter().all(|v| *v == "1" || *v == "2")
                    && ran.contains(&"1"))
                .then_some(())
                .ok_or(format!("not twenty runs of version 1 or 2: {out}"))
            },
        },
        Expect {
            step: "awsl sqs receive-message --queue-url http://127.0.0.1:9070/000000000000/failure-queue",
            retry: true,
            check: |code, out, _| {
                ok(code, out)?;
                // The queue also holds the flaky function's records; the alias's is among them.
                let found = messages(out)?.into_iter().any(|m| {
                    let Ok(r) =
                        serde_json::from_str::<Value>(m["Body"].as_str().unwrap_or_default())
                    else {
                        return false;
                    };
                    r["requestContext"]["functionArn"]
                        == "arn:aws:lambda:us-east-1:000000000000:function:orders-api:live"
                        && r["requestContext"]["condition"] == "RetriesExhausted"
                        && matches!(
                            r["responseContext"]["executedVersion"].as_str(),
                            Some("1" | "2")
                        )
                        && r["requestPayload"]["fail"] == true
                });
                found
                    .then_some(())
                    .ok_or("no record of orders-api:live yet".to_string())
            },
        },
        Expect {
            step: "awsl dynamodb create-table --table-name Orders",
            retry: false,
            check: |code, out, _| {
                ok(code, out)?;
                let v = json(out)?;
                (v["TableDescription"]["TableName"] == "Orders"
                    && v["TableDescription"]["KeySchema"][1]["KeyType"] == "RANGE")
                    .then_some(())
                    .ok_or(out.to_string())
            },
        },
        Expect {
            step: "awsl dynamodb get-item --table-name Orders",
            retry: false,
            check: |code, out, _| {
                ok(code, out)?;
                (json(out)?["Item"]["total"] == serde_json::json!({"N": "12.5"}))
                    .then_some(())
                    .ok_or(out.to_string())
            },
        },
        Expect {
            step: "awsl dynamodb query --table-name Orders",
            retry: false,
            check: |code, out, _| {
                ok(code, out)?;
                let v = json(out)?;
                (v["Count"] == 1 && v["Items"][0]["customer"]["S"] == "ann")
                    .then_some(())
                    .ok_or(out.to_string())
            },
        },
        Expect {
            step: "lambkin deploy examples/functions/node-echo-cjs",
            retry: false,
            check: |code, out, _| ok(code, out),
        },
        Expect {
            step: "lambkin invoke echo --payload '{\"hello\":\"world\"}' --tail",
            retry: false,
            check: |code, out, _| {
                ok(code, out)?;
                contains(
                    out,
                    &[
                        "\"hello\":\"world\"",
                        "START RequestId:",
                        "REPORT RequestId:",
                    ],
                )
            },
        },
        Expect {
            step: "id=$(lambkin invoke echo --async",
            retry: false,
            check: |code, out, _| ok(code, out),
        },
        Expect {
            step: "lambkin events echo",
            retry: true,
            check: |code, out, _| {
                ok(code, out)?;
                contains(out, &["REQUEST ID", "STATE"])?;
                (out.lines().count() >= 2)
                    .then_some(())
                    .ok_or(out.to_string())
            },
        },
        Expect {
            step: "lambkin inspect \"$id\"",
            retry: false,
            check: |code, out, _| {
                ok(code, out)?;
                contains(
                    out,
                    &[
                        "request ",
                        "function    echo",
                        "payload     {\"fail\":true}",
                    ],
                )
            },
        },
        Expect {
            step: "lambkin logs echo",
            retry: true,
            check: |code, out, _| {
                ok(code, out)?;
                contains(
                    out,
                    &["START RequestId:", "END RequestId:", "REPORT RequestId:"],
                )
            },
        },
        Expect {
            step: "lambkin status",
            retry: false,
            check: |code, out, _| {
                ok(code, out)?;
                contains(
                    out,
                    &[
                        "events    queued",
                        "deliveries",
                        "environments",
                        "throttles",
                    ],
                )
            },
        },
        Expect {
            step: "lambkin events flaky --failed",
            retry: true,
            check: |code, out, _| {
                ok(code, out)?;
                contains(out, &["failed (RetriesExhausted)"])
            },
        },
        Expect {
            step: "lambkin inspect \"$(lambkin events flaky --failed",
            retry: false,
            check: |code, out, _| {
                ok(code, out)?;
                contains(
                    out,
                    &[
                        "function    flaky",
                        "Random processing error",
                        "my-function-dlq",
                    ],
                )
            },
        },
        Expect {
            step: "lambkin dlq redrive flaky",
            retry: false,
            check: |code, out, _| ok(code, out),
        },
        Expect {
            step: "lambkin logs on-order",
            retry: true,
            check: |code, out, _| {
                ok(code, out)?;
                contains(out, &["Received: New order - order 42"])
            },
        },
    ]
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_readme_tour_runs_as_printed() {
    let missing: Vec<_> = ["aws", "zip", "jq", "base64"]
        .into_iter()
        .filter(|t| !on_path(t))
        .collect();
    assert!(
        missing.is_empty(),
        "the README tour test needs {missing:?} on PATH: the AWS CLI v1 (`pip install awscli`; \
         .ci/run installs it into ~/.cache/lambkin/awscli), zip and jq (Debian packages)"
    );
    let readme = readme();
    let blocks = tour_blocks(&readme);
    assert!(blocks.len() >= 3, "the tour has its sh blocks: {blocks:?}");

    // The server, as the tour starts it, from a fresh folder; only --listen differs.
    let server_command = blocks[0].trim();
    let args: Vec<&str> = server_command
        .strip_prefix("cargo run --release -- ")
        .unwrap_or_else(|| panic!("the tour starts the server with cargo run: {server_command}"))
        .split_whitespace()
        .collect();
    assert_eq!(args.first(), Some(&"serve"), "{server_command}");
    let server_cwd = tempfile::tempdir().unwrap();
    let s = TestServer::start_from(server_cwd.path(), &args[1..]);
    let addr = s.url.trim_start_matches("http://").to_string();

    // The second terminal: in a folder where `examples/` is the repository's, with `lambkin`
    // on PATH.
    let client_cwd = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::os::unix::fs::symlink(repo.join("examples"), client_cwd.path().join("examples")).unwrap();
    let bin = client_cwd.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_lambkin"), bin.join("lambkin")).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut shell = Shell::start(client_cwd.path(), &path, &s.url, client_cwd.path());

    let expectations = expectations();
    let mut seen = vec![false; expectations.len()];
    let all_steps: Vec<String> = blocks[1..].iter().flat_map(|b| steps(b)).collect();
    for step in &all_steps {
        let text = step.replace("127.0.0.1:9070", &addr);
        let matched: Vec<usize> = expectations
            .iter()
            .enumerate()
            .filter(|(_, e)| step.starts_with(e.step))
            .map(|(i, _)| i)
            .collect();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let (code, out) = shell.run(&text, Duration::from_secs(60));
            if std::env::var_os("LAMBKIN_TOUR_TRACE").is_some() {
                eprintln!("$ {text}[exit {code}]\n{out}");
            }
            let verdict = match matched.as_slice() {
                // Setting things up (export, alias, zip): it must just work.
                [] => ok(code, &out),
                [i] => (expectations[*i].check)(code, &out, client_cwd.path()),
                many => panic!("step matches several expectations {many:?}: {step}"),
            };
            match verdict {
                Ok(()) => break,
                Err(_)
                    if matched.len() == 1
                        && expectations[matched[0]].retry
                        && Instant::now() < deadline =>
                {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(why) => {
                    let (_, status) = shell.run(
                        "echo $LAMBKIN_ENDPOINT; lambkin status --json; awsl lambda list-functions --query 'Functions[].FunctionName'; awsl sqs list-queues",
                        Duration::from_secs(30),
                    );
                    panic!(
                        "README step failed: {why}\n--- step ---\n{step}--- output ---\n{out}\n--- lambkin status ---\n{status}"
                    )
                }
            }
        }
        for i in matched {
            seen[i] = true;
        }
    }
    let unused: Vec<_> = expectations
        .iter()
        .zip(&seen)
        .filter(|(_, s)| !**s)
        .map(|(e, _)| e.step)
        .collect();
    assert!(
        unused.is_empty(),
        "the README no longer has these steps (update the tour or the test): {unused:?}"
    );
}
