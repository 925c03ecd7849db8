//! Integration tests: the real `lambkin` binary on 127.0.0.1:0 with a temporary data folder,
//! driven by the AWS SDK for Rust and by real function runtimes (lambda_runtime, Node, Python).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod cli;
mod control_api;
mod cores;
mod crash;
mod destinations;
mod dynamodb;
mod event_source_mappings;
mod eventbridge;
mod function_states;
mod idempotency;
mod invoke;
mod js_sdk;
mod kombu;
mod lambda_validation;
mod metrics;
mod postgres_store;
mod readme;
mod recursion;
mod retention;
mod retries;
mod runtime_api;
mod runtimes;
mod s3;
mod sdk_in_functions;
mod sns;
mod sns_delivery;
mod sqs;
mod throttling;
mod thumbnail_pipeline;
mod versions;
