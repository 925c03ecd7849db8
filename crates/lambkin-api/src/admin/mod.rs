//! lambkin's own HTTP API under `/_lambkin/v1`, behind the CLI's `inspect`, `events`, `logs`
//! and `status`. JSON in camelCase; kept apart from the AWS paths on purpose.

use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use lambkin_engine::{DeliveryView, Engine, EventView};
use lambkin_model::{FunctionName, FunctionRef, RequestId, Timestamp};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AwsError;

pub(crate) fn routes() -> Router<Engine> {
    Router::new()
        .route("/_lambkin/v1/status", get(status))
        .route("/_lambkin/v1/events/{id}", get(event))
        .route("/_lambkin/v1/functions/{name}/events", get(events))
        .route("/_lambkin/v1/functions/{name}/logs", get(logs))
        .route("/_lambkin/v1/functions/{name}/redrive", post(redrive))
        .route("/_lambkin/v1/code/{file}", get(code))
}

#[derive(Debug, Deserialize)]
struct CodeQuery {
    #[serde(rename = "Expires")]
    expires: Option<i64>,
    #[serde(rename = "Signature")]
    signature: Option<String>,
}

/// A function's zip behind GetFunction's `Code.Location`; refusals answer as S3 does for a
/// presigned URL.
async fn code(
    State(engine): State<Engine>,
    Path(file): Path<String>,
    Query(q): Query<CodeQuery>,
) -> Result<Response, AwsError> {
    use lambkin_engine::{CodeLink, CodeLinkRefused};
    let link = CodeLink {
        file,
        expires: q.expires.unwrap_or(0),
        signature: q.signature.unwrap_or_default(),
    };
    let s3_error = |status: StatusCode, code: &str, message: &str| {
        (
            status,
            [(axum::http::header::CONTENT_TYPE, "application/xml")],
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>"
            ),
        )
            .into_response()
    };
    Ok(match engine.control().code_zip(&link).await? {
        Ok(zip) => (
            StatusCode::OK,
            [(axum::http::header::CONTENT_TYPE, "application/zip")],
            zip,
        )
            .into_response(),
        Err(CodeLinkRefused::Expired) => {
            s3_error(StatusCode::FORBIDDEN, "AccessDenied", "Request has expired")
        }
        Err(CodeLinkRefused::BadSignature) => s3_error(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        ),
        Err(CodeLinkRefused::NoSuchPackage) => s3_error(
            StatusCode::NOT_FOUND,
            "NoSuchKey",
            "The specified key does not exist.",
        ),
    })
}

fn ms(t: Timestamp) -> Value {
    json!({"ms": t.millis(), "iso": t.to_iso_millis()})
}

/// Payloads are JSON by construction; anything else is shown as text.
fn payload(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|_| Value::from(String::from_utf8_lossy(bytes).into_owned()))
}

fn function_name(name: &str) -> Result<FunctionName, AwsError> {
    FunctionName::parse(name).map_err(|e| AwsError::invalid_parameter(e.to_string()))
}

fn delivery_json(d: &DeliveryView) -> Value {
    json!({
        "kind": d.kind,
        "target": d.target,
        "state": d.state,
        "attempts": d.attempts,
        "createdAt": ms(d.created_at),
        "updatedAt": ms(d.updated_at),
        "lastError": d.last_error,
    })
}

fn event_json(e: &EventView) -> Value {
    let attempts: Vec<Value> = e
        .attempts
        .iter()
        .map(|a| {
            json!({
                "startedAt": ms(a.started_at),
                "endedAt": ms(a.ended_at),
                "durationMs": a.duration_ms,
                "outcome": a.outcome.as_str(),
                "errorType": a.error.as_ref().map(|e| e.error_type.clone()),
                "errorMessage": a.error.as_ref().map(|e| e.error_message.clone()),
            })
        })
        .collect();
    json!({
        "requestId": e.request_id.as_str(),
        "function": e.function.as_str(),
        "qualifier": e.qualifier,
        "version": e.version,
        // AWS's `Resource` dimension: the function, or `function:qualifier`.
        "resource": match &e.qualifier {
            Some(q) => format!("{}:{q}", e.function),
            None => e.function.to_string(),
        },
        "state": e.state.name(),
        "condition": e.state.condition().map(|c| c.as_str()),
        "enqueuedAt": ms(e.enqueued_at),
        "updatedAt": ms(e.updated_at),
        "dueAt": e.due_at.map(ms),
        "invocations": e.invocations,
        "throttles": e.throttles,
        "interrupted": e.interrupted,
        "payload": payload(&e.payload),
        "response": e.response.as_deref().map(payload),
        "functionError": e.function_error,
        "attempts": attempts,
        "deliveries": e.deliveries.iter().map(delivery_json).collect::<Vec<_>>(),
    })
}

async fn event(State(engine): State<Engine>, Path(id): Path<String>) -> Result<Response, AwsError> {
    let not_found = || AwsError::not_found(format!("Event not found: {id}"));
    let rid = RequestId::parse(&id).ok_or_else(not_found)?;
    let Some(rec) = engine.inspect().event(&rid).await? else {
        // An id issued before the retention's last cutoff may have been removed by it.
        return match (rid.issued_at(), engine.inspect().pruned_before().await?) {
            (Some(issued), Some(cutoff)) if issued < cutoff => Err(AwsError::not_found(format!(
                "Event not found: {id}. It was accepted at {}, and events that ended before {} have been removed by retention (--retention)",
                issued.to_iso_millis(),
                cutoff.to_iso_millis()
            ))),
            _ => Err(not_found()),
        };
    };
    Ok(Json(event_json(&rec)).into_response())
}

#[derive(Debug, Deserialize)]
struct EventsQuery {
    limit: Option<usize>,
    /// `failed` lists only events that ended Failed.
    state: Option<String>,
}

async fn events(
    State(engine): State<Engine>,
    Path(name): Path<String>,
    Query(q): Query<EventsQuery>,
) -> Result<Response, AwsError> {
    let name = function_name(&name)?;
    let limit = q.limit.unwrap_or(20).clamp(1, 1000);
    let list = match q.state.as_deref() {
        None => engine.inspect().events(&name, limit).await?,
        Some("failed") => engine.inspect().failed_events(&name, limit).await?,
        Some(other) => {
            return Err(AwsError::invalid_parameter(format!(
                "state must be 'failed', not '{other}'"
            )));
        }
    };
    let items: Vec<Value> = list
        .iter()
        .map(|e| {
            json!({
                "requestId": e.request_id.as_str(),
                "state": e.state.name(),
                "condition": e.state.condition().map(|c| c.as_str()),
                "enqueuedAt": ms(e.enqueued_at),
                "updatedAt": ms(e.updated_at),
                "invocations": e.invocations,
            })
        })
        .collect();
    Ok(Json(json!({"function": name.as_str(), "events": items})).into_response())
}

#[derive(Debug, Deserialize)]
struct LogQuery {
    offset: Option<u64>,
    /// Long-poll: wait up to this long for new lines when there are none.
    wait_ms: Option<u64>,
}

async fn logs(
    State(engine): State<Engine>,
    Path(name): Path<String>,
    Query(q): Query<LogQuery>,
) -> Result<Response, AwsError> {
    let name = function_name(&name)?;
    let offset = q.offset.unwrap_or(0);
    let logs = engine.logs();
    // Subscribe before reading so a line written in between still wakes us.
    let mut grew = logs.subscribe();
    let read = |offset| {
        logs.read(&name, offset, 1 << 20)
            .map_err(|e| AwsError::service(e.to_string()))
    };
    let mut chunk = read(offset)?;
    if chunk.text.is_empty() && q.wait_ms.unwrap_or(0) > 0 {
        let deadline =
            tokio::time::Instant::now() + Duration::from_millis(q.wait_ms.unwrap_or(0).min(30_000));
        while chunk.text.is_empty() {
            match tokio::time::timeout_at(deadline, grew.recv()).await {
                Ok(Ok(f)) if f != name => continue,
                Ok(_) => chunk = read(offset)?,
                Err(_) => break,
            }
        }
    }
    Ok(Json(
        json!({"function": name.as_str(), "text": chunk.text, "nextOffset": chunk.next_offset}),
    )
    .into_response())
}

#[derive(Debug, Deserialize)]
struct RedriveQuery {
    /// Most messages to move (default 1,000).
    max: Option<usize>,
}

async fn redrive(
    State(engine): State<Engine>,
    Path(name): Path<String>,
    Query(q): Query<RedriveQuery>,
) -> Result<Response, AwsError> {
    let target =
        FunctionRef::parse(&name, None).map_err(|e| AwsError::invalid_parameter(e.to_string()))?;
    let report = engine
        .redrive()
        .run(&target, q.max.unwrap_or(1000).clamp(1, 100_000))
        .await?;
    Ok(Json(json!({
        "function": target.name.as_str(),
        "queueArn": report.queue_arn,
        "requeued": report.requeued,
        "skipped": report.skipped,
    }))
    .into_response())
}

async fn status(State(engine): State<Engine>) -> Result<Response, AwsError> {
    let s = engine.inspect().status().await?;
    let body = json!({
        "version": env!("CARGO_PKG_VERSION"),
        "functions": s.functions,
        "queue": {
            "queued": s.events.queued,
            "running": s.events.running,
            "retryScheduled": s.events.retry_scheduled,
            "succeeded": s.events.succeeded,
            "failed": s.events.failed,
            "reruns": s.events.reruns,
        },
        "deliveries": {
            "pending": s.deliveries.pending,
            "delivered": s.deliveries.delivered,
            "deadLetterErrors": s.deliveries.dead_letter_errors,
            "destinationDeliveryFailures": s.deliveries.destination_delivery_failures,
            "subscriptionFailures": s.deliveries.subscription_failures,
            "notificationFailures": s.deliveries.notification_failures,
        },
        "throttles": s.throttles,
        "environments": {
            "coldStarts": s.environments.cold_starts,
            "warmStarts": s.environments.warm_starts,
            "idle": s.environments.idle,
        },
    });
    Ok((StatusCode::OK, Json(body)).into_response())
}
