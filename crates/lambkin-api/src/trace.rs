//! The trace header on incoming requests. The AWS SDKs send `X-Amzn-Trace-Id` (a copy of
//! `_X_AMZN_TRACE_ID`) on every call made from inside a function; its `Lineage` is how many
//! invocations the calling chain has had, which what the call causes (an S3 notification, an
//! SNS delivery to a function, an invoke) continues, so recursive loops are stopped.

use axum::http::HeaderMap;

/// The caller's chain length; 0 for a request without a trace header.
pub(crate) fn chain_of(headers: &HeaderMap) -> u32 {
    headers
        .get("x-amzn-trace-id")
        .and_then(|v| v.to_str().ok())
        .map_or(0, lambkin_model::chain_length)
}
