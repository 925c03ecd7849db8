//! Amazon SNS, query protocol (`Action=<Operation>&Version=2010-03-31`, form-encoded body)
//! with XML responses, as AWS SDKs send it. One file per resource (`topics.rs`,
//! `subscriptions.rs`, `publish.rs`); `operation.rs` names every operation of SNS's model;
//! `params.rs` holds SNS's member-naming conventions over the
//! shared form decoder (`query_protocol/`), and `error.rs` is the only place that writes SNS
//! error responses.

mod error;
mod operation;
mod params;
mod publish;
mod subscriptions;
mod topics;

use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use lambkin_engine::Engine;

use crate::operations::Lookup;
use crate::query_protocol::{Form, Xml, xml};
use crate::request_id;
use crate::trace::chain_of;
use error::SnsApiError;
use operation::{Operation, lookup};

/// The XML namespace of every SNS answer.
pub(crate) const NAMESPACE: &str = "http://sns.amazonaws.com/doc/2010-03-31/";

/// What a handler answers: the inside of its `<XResult>` element (`None` for operations
/// without output), or an error.
type Answer = Result<Option<Xml>, SnsApiError>;

/// A request whose body could not be read (larger than the endpoint accepts, or cut off).
pub(crate) fn unreadable_body(why: &str) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    SnsApiError::from(lambkin_sns::SnsError::InvalidParameter(format!(
        "Invalid parameter: the request body could not be read: {why}"
    )))
    .render(&request_id)
}

/// Runs the query-protocol request in `query`.
pub(crate) async fn dispatch(engine: Engine, headers: HeaderMap, query: Form) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let sns = engine.sns();
    let action = query.get("Action").unwrap_or_default().to_string();
    let answer: Answer = match lookup(&action) {
        Lookup::Serve(op) => match op {
            Operation::CreateTopic => topics::create_topic(sns, &query).await,
            Operation::DeleteTopic => topics::delete_topic(sns, &query).await,
            Operation::ListTopics => topics::list_topics(sns, &query).await,
            Operation::GetTopicAttributes => topics::get_topic_attributes(sns, &query).await,
            Operation::SetTopicAttributes => topics::set_topic_attributes(sns, &query).await,
            Operation::TagResource => topics::tag_resource(sns, &query).await,
            Operation::UntagResource => topics::untag_resource(sns, &query).await,
            Operation::ListTagsForResource => topics::list_tags_for_resource(sns, &query).await,
            Operation::AddPermission => topics::add_permission(sns, &query).await,
            Operation::RemovePermission => topics::remove_permission(sns, &query).await,
            Operation::Subscribe => {
                subscriptions::subscribe(sns, &query, &service_url(&headers)).await
            }
            Operation::ConfirmSubscription => {
                subscriptions::confirm_subscription(sns, &query).await
            }
            Operation::Unsubscribe => subscriptions::unsubscribe(sns, &query).await,
            Operation::ListSubscriptions => subscriptions::list_subscriptions(sns, &query).await,
            Operation::ListSubscriptionsByTopic => {
                subscriptions::list_subscriptions_by_topic(sns, &query).await
            }
            Operation::GetSubscriptionAttributes => {
                subscriptions::get_subscription_attributes(sns, &query).await
            }
            Operation::SetSubscriptionAttributes => {
                subscriptions::set_subscription_attributes(sns, &query).await
            }
            Operation::Publish => publish::publish(sns, &query, chain_of(&headers)).await,
            Operation::PublishBatch => {
                publish::publish_batch(sns, &query, chain_of(&headers)).await
            }
        },
        _ if action.is_empty() => Err(SnsApiError::missing_action()),
        // An action of SNS's model lambkin does not serve says so; an action SNS does not have
        // gets SNS's own answer.
        Lookup::NotImplemented => Err(SnsApiError::not_implemented(&action)),
        Lookup::Unknown => Err(SnsApiError::invalid_action(&action)),
    };
    let mut response = match answer {
        Ok(result) => xml::response(NAMESPACE, &action, &request_id, result),
        Err(e) => e.render(&request_id),
    };
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(request_id::HEADER, v);
    }
    response
}

/// The base URL the caller reached lambkin through, for the `UnsubscribeURL` of
/// notifications; `http://127.0.0.1` when the request names no host.
fn service_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && !h.contains(['/', ' ', '"', '<', '>']))
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}
