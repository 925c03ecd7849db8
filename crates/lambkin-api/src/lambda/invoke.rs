//! `Invoke` (all three invocation types) and the deprecated `InvokeAsync`.
//!
//! Everything is validated before anything is queued: the function must exist, the payload
//! must be JSON and within the limit for its invocation type (reference §1).

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use lambkin_engine::{Engine, SyncOptions};
use lambkin_model::limits::{
    ASYNC_PAYLOAD_MAX, INVOKE_ASYNC_PAYLOAD_MAX, LOG_TAIL_BYTES, SYNC_PAYLOAD_MAX,
};

use super::error::AwsError;
use super::target::{Target, UnqualifiedTarget};
use crate::request_id::HEADER as REQUEST_ID;
use lambkin_model::validation::Violations;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InvocationType {
    RequestResponse,
    Event,
    DryRun,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).map(|v| v.to_str().unwrap_or(""))
}

/// `X-Amz-Invocation-Type` and `X-Amz-Log-Type`, both checked before either fails (AWS lists
/// every broken constraint).
fn invocation_and_log_type(headers: &HeaderMap) -> Result<(InvocationType, bool), AwsError> {
    let kind = header(headers, "x-amz-invocation-type");
    let log = header(headers, "x-amz-log-type");
    let mut v = Violations::default();
    if let Some(k) = kind {
        v.one_of(k, "invocationType", &["Event", "RequestResponse", "DryRun"]);
    }
    if let Some(l) = log {
        v.one_of(l, "logType", &["None", "Tail"]);
    }
    if let Some(message) = v.message() {
        return Err(AwsError::validation(message));
    }
    let kind = match kind {
        Some("Event") => InvocationType::Event,
        Some("DryRun") => InvocationType::DryRun,
        _ => InvocationType::RequestResponse,
    };
    Ok((kind, log == Some("Tail")))
}

/// Oversized bodies are still read (and dropped) up to this size, so the client gets the 413
/// instead of a connection reset while it is still sending.
const DRAIN_MAX: usize = 32 * 1024 * 1024;

/// Reads the body, keeping at most `limit` bytes; an oversized body is read to its end (up to
/// `DRAIN_MAX`) and answered with `too_large(total size)`.
async fn read_payload(
    body: Body,
    limit: usize,
    too_large: impl Fn(usize) -> AwsError,
) -> Result<Bytes, AwsError> {
    use http_body_util::BodyExt;
    let mut body = body;
    let mut kept = bytes::BytesMut::new();
    let mut total = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame
            .map_err(|e| AwsError::invalid_content(format!("cannot read the request body: {e}")))?;
        let Some(data) = frame.data_ref() else {
            continue;
        };
        total += data.len();
        if total <= limit {
            kept.extend_from_slice(data);
        } else if total > DRAIN_MAX {
            break;
        }
    }
    if total > limit {
        return Err(too_large(total));
    }
    Ok(kept.freeze())
}

/// An absent payload is the empty JSON object; anything else must parse as JSON.
fn json_payload(bytes: Bytes) -> Result<Bytes, AwsError> {
    if bytes.is_empty() {
        return Ok(Bytes::from_static(b"{}"));
    }
    serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).map_err(|e| {
        AwsError::invalid_content(format!(
            "Could not parse request body into json: Could not parse payload into json: {e}"
        ))
    })?;
    Ok(bytes)
}

fn client_context(headers: &HeaderMap) -> Result<Option<String>, AwsError> {
    let Some(v) = headers.get("x-amz-client-context") else {
        return Ok(None);
    };
    let invalid =
        || AwsError::invalid_content("Client context must be a valid Base64-encoded JSON object.");
    let raw = v.to_str().map_err(|_| invalid())?;
    if raw.len() > 3583 {
        return Err(AwsError::invalid_content(
            "Client context must be at most 3583 bytes.",
        ));
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(raw)
        .map_err(|_| invalid())?;
    serde_json::from_slice::<serde_json::Value>(&decoded)
        .ok()
        .filter(serde_json::Value::is_object)
        .ok_or_else(invalid)?;
    String::from_utf8(decoded).map(Some).map_err(|_| invalid())
}

fn with_request_id(mut resp: Response, id: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(id) {
        resp.headers_mut().insert(REQUEST_ID, v);
    }
    resp
}

/// The last 4 KB of the invocation's log, base64, as `X-Amz-Log-Result`.
fn log_result(log: &str) -> String {
    let mut start = log.len().saturating_sub(LOG_TAIL_BYTES);
    while !log.is_char_boundary(start) {
        start += 1;
    }
    base64::engine::general_purpose::STANDARD.encode(&log.as_bytes()[start..])
}

pub(crate) async fn invoke(
    State(engine): State<Engine>,
    Target(r): Target,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AwsError> {
    let (kind, tail) = invocation_and_log_type(&headers)?;
    let chain = crate::trace::chain_of(&headers);
    match kind {
        InvocationType::Event => {
            let bytes = read_payload(body, ASYNC_PAYLOAD_MAX, |n| {
                AwsError::too_large(format!(
                    "{n} byte payload is too large for the Event invocation type (limit {ASYNC_PAYLOAD_MAX} bytes)"
                ))
            })
            .await?;
            let payload = json_payload(bytes)?;
            let id = engine.accept().enqueue(&r, payload, chain).await?;
            Ok(with_request_id(
                StatusCode::ACCEPTED.into_response(),
                id.as_str(),
            ))
        }
        InvocationType::DryRun => {
            engine.accept().dry_run(&r)?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        InvocationType::RequestResponse => {
            let bytes = read_payload(body, SYNC_PAYLOAD_MAX, |_| {
                AwsError::too_large(format!(
                    "Request must be smaller than {SYNC_PAYLOAD_MAX} bytes for the InvokeFunction operation"
                ))
            })
            .await?;
            let payload = json_payload(bytes)?;
            let opts = SyncOptions {
                tail_log: tail,
                client_context: client_context(&headers)?,
            };
            let out = engine.accept().invoke(&r, payload, opts, chain).await?;
            let mut resp = (StatusCode::OK, out.payload).into_response();
            let h = resp.headers_mut();
            h.insert("content-type", HeaderValue::from_static("application/json"));
            if let Ok(v) = HeaderValue::from_str(&out.executed_version) {
                h.insert("x-amz-executed-version", v);
            }
            if let Some(kind) = out.function_error {
                h.insert("x-amz-function-error", HeaderValue::from_static(kind));
            }
            if let Some(log) = out.log_tail.filter(|_| tail)
                && let Ok(v) = HeaderValue::from_str(&log_result(&log))
            {
                h.insert("x-amz-log-result", v);
            }
            Ok(with_request_id(resp, out.request_id.as_str()))
        }
    }
}

/// The deprecated `InvokeAsync`: raw event body, 256 KB limit, 202 with `Status`.
pub(crate) async fn invoke_async(
    State(engine): State<Engine>,
    UnqualifiedTarget(r): UnqualifiedTarget,
    body: Body,
) -> Result<Response, AwsError> {
    let bytes = read_payload(body, INVOKE_ASYNC_PAYLOAD_MAX, |n| {
        AwsError::too_large(format!(
            "{n} byte payload is too large for the InvokeAsync operation (limit {INVOKE_ASYNC_PAYLOAD_MAX} bytes)"
        ))
    })
    .await?;
    let payload = json_payload(bytes)?;
    let id = engine.accept().enqueue(&r, payload, 0).await?;
    let resp = (
        StatusCode::ACCEPTED,
        axum::Json(serde_json::json!({"Status": 202})),
    )
        .into_response();
    Ok(with_request_id(resp, id.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_result_keeps_the_last_4kb_on_a_char_boundary() {
        let log = format!("{}é{}", "a".repeat(10), "b".repeat(LOG_TAIL_BYTES - 1));
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(log_result(&log))
            .unwrap_or_default();
        let text = String::from_utf8(decoded).unwrap_or_default();
        assert!(text.len() <= LOG_TAIL_BYTES);
        assert!(text.ends_with('b') && text.starts_with('b'));
        assert_eq!(
            log_result("short"),
            base64::engine::general_purpose::STANDARD.encode("short")
        );
    }

    #[test]
    fn payload_must_be_json() {
        assert_eq!(
            json_payload(Bytes::new()).ok(),
            Some(Bytes::from_static(b"{}"))
        );
        assert!(json_payload(Bytes::from_static(b"[1, \"x\"]")).is_ok());
        let err = json_payload(Bytes::from_static(b"not json")).err();
        assert!(
            err.is_some_and(|e| e.code == "InvalidRequestContentException"
                && e.message.starts_with(
                    "Could not parse request body into json: Could not parse payload into json: "
                ))
        );
    }
}
