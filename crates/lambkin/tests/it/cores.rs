//! Which cores a function process may use: one per 1,769 MB of MemorySize by default, as AWS
//! sizes CPU by memory; every core with `--env-cores all`.

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, Runtime};
use lambkin_sandbox::CoreSet;

use crate::support::{ROLE, TestServer, payload_json, zip_with};

const REPORT_CORES: &str =
    "import os\n\ndef handler(event, context):\n    return sorted(os.sched_getaffinity(0))\n";

/// Creates a Python function of `memory_mb` that answers the cores it may run on.
async fn cores_of(s: &TestServer, name: &str, memory_mb: i32) -> Vec<usize> {
    s.lambda
        .create_function()
        .function_name(name)
        .runtime(Runtime::Python312)
        .handler("lambda_function.handler")
        .memory_size(memory_mb)
        .role(ROLE)
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(zip_with(&[(
                    "lambda_function.py",
                    REPORT_CORES,
                    0o644,
                )])))
                .build(),
        )
        .send()
        .await
        .expect("create function");
    let out = s
        .lambda
        .invoke()
        .function_name(name)
        .payload(Blob::new("{}"))
        .send()
        .await
        .expect("invoke");
    assert_eq!(out.function_error(), None, "{name}");
    serde_json::from_value(payload_json(out.payload())).expect("a list of cores")
}

#[tokio::test]
async fn environments_get_cores_in_proportion_to_memory() {
    // The server inherits this process's cores.
    let machine = CoreSet::of_process().cores().to_vec();
    let s = TestServer::start();
    let small_a = cores_of(&s, "small-a", 128).await;
    let small_b = cores_of(&s, "small-b", 1769).await;
    let big = cores_of(&s, "big", 10240).await;
    assert_eq!(small_a.len(), 1, "128 MB: one core of {machine:?}");
    assert_eq!(small_b.len(), 1, "1,769 MB: one core of {machine:?}");
    assert!(machine.contains(&small_a[0]) && machine.contains(&small_b[0]));
    // Which core each gets depends on the load of the moment (busy cores are avoided); the
    // spreading itself is unit-tested in lambkin-sandbox's cores.rs.
    // 10,240 MB is six cores' worth; a smaller machine gives all it has.
    assert_eq!(big.len(), machine.len().min(6), "{big:?} of {machine:?}");
    assert!(big.iter().all(|c| machine.contains(c)));
}

#[tokio::test]
async fn env_cores_all_lets_every_function_use_every_core() {
    let machine = CoreSet::of_process().cores().to_vec();
    let s = TestServer::start_with(&["--env-cores", "all"]);
    assert_eq!(cores_of(&s, "small", 128).await, machine);
}
