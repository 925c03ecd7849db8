//! EventBridge's JSON 1.1 protocol on `POST /` (`X-Amz-Target: AWSEvents.<Operation>`):
//! `operation.rs` names the model's operations, `handlers.rs` serves them through
//! `lambkin_events::Events`, `wire.rs` holds the shapes and `error.rs` writes every error.

mod error;
mod handlers;
mod operation;
mod wire;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use lambkin_engine::Engine;
use lambkin_events::Events;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::operations::Lookup;
use error::EventsFailure;
use operation::{Operation, lookup};

pub(crate) const CONTENT_TYPE: &str = "application/x-amz-json-1.1";
const TARGET_PREFIX: &str = "AWSEvents.";

pub(crate) struct Call {
    events: Events,
    /// The caller's chain of invocations (its trace header), which the events it puts continue.
    chain: u32,
    body: Bytes,
}

impl Call {
    fn request<T: DeserializeOwned + Default>(&self) -> Result<T, EventsFailure> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(T::default());
        }
        serde_json::from_slice(&self.body).map_err(|e| EventsFailure::Serialization(e.to_string()))
    }
}

fn ok<T: Serialize>(value: &T) -> Result<Response, EventsFailure> {
    let mut body = serde_json::to_value(value)
        .map_err(|e| EventsFailure::Serialization(format!("response: {e}")))?;
    // Members without a value are left out, as AWS does.
    if let Some(map) = body.as_object_mut() {
        map.retain(|_, v| !v.is_null());
    }
    let mut resp = (StatusCode::OK, body.to_string()).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    Ok(resp)
}

fn empty() -> Result<Response, EventsFailure> {
    ok(&serde_json::Map::new())
}

/// The operation an `X-Amz-Target` header names for EventBridge, if it does.
pub(crate) fn target(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.strip_prefix(TARGET_PREFIX))
        .map(str::to_owned)
}

pub(crate) async fn dispatch(
    engine: Engine,
    operation: &str,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let call = Call {
        events: engine.events().clone(),
        chain: crate::trace::chain_of(&headers),
        body,
    };
    let result = match lookup(operation) {
        Lookup::Serve(op) => match op {
            Operation::CreateEventBus => handlers::create_event_bus(&call).await,
            Operation::DeleteEventBus => handlers::delete_event_bus(&call).await,
            Operation::DescribeEventBus => handlers::describe_event_bus(&call).await,
            Operation::ListEventBuses => handlers::list_event_buses(&call).await,
            Operation::PutRule => handlers::put_rule(&call).await,
            Operation::DescribeRule => handlers::describe_rule(&call).await,
            Operation::ListRules => handlers::list_rules(&call).await,
            Operation::DeleteRule => handlers::delete_rule(&call).await,
            Operation::EnableRule => handlers::set_rule_state(&call, true).await,
            Operation::DisableRule => handlers::set_rule_state(&call, false).await,
            Operation::ListRuleNamesByTarget => handlers::list_rule_names_by_target(&call).await,
            Operation::PutTargets => handlers::put_targets(&call).await,
            Operation::RemoveTargets => handlers::remove_targets(&call).await,
            Operation::ListTargetsByRule => handlers::list_targets_by_rule(&call).await,
            Operation::PutEvents => handlers::put_events(&call).await,
            Operation::TestEventPattern => handlers::test_event_pattern(&call).await,
        },
        Lookup::NotImplemented => Err(EventsFailure::NotImplemented(operation.to_string())),
        Lookup::Unknown => Err(EventsFailure::UnknownOperation(operation.to_string())),
    };
    result.unwrap_or_else(IntoResponse::into_response)
}

/// A body that could not be read (too large, cut off).
pub(crate) fn unreadable_body(why: &str) -> Response {
    error::render(
        StatusCode::BAD_REQUEST,
        "SerializationException",
        &format!("the request body could not be read: {why}"),
    )
}
