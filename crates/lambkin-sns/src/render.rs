//! What a published message becomes for each subscriber: the SQS envelope (or the raw message),
//! the Lambda SNS event (reference §10.2, one record per invocation), or the HTTP(S)
//! notification POST. The deliverer in the engine performs the I/O; this only shapes it.
//!
//! lambkin cannot sign as AWS: `Signature` is the fixed [`PLACEHOLDER_SIGNATURE`] and
//! `SigningCertURL` points at `<service url>/SimpleNotificationService-lambkin.pem`, which is
//! not served, so a subscriber that verifies signatures must skip verification for lambkin.
//! `UnsubscribeURL` is `<service url>/?Action=Unsubscribe&SubscriptionArn=<arn>`, with the base
//! URL the subscription was created through (a GET there is not implemented; use Unsubscribe).

use base64::Engine as _;
use lambkin_model::MessageAttributes;
use lambkin_store::{Delivery, DeliveryKind, SubscriptionRecord};
use serde::Serialize;

use crate::message::StoredMessage;
use crate::message_attributes::MAX_RAW_SQS_ATTRIBUTES;
use crate::validate::out_of_scope;
use crate::{Sns, SnsError};

/// Base64 of "lambkin does not sign SNS messages": a well-formed, obviously fake signature.
pub const PLACEHOLDER_SIGNATURE: &str = "bGFtYmtpbiBkb2VzIG5vdCBzaWduIFNOUyBtZXNzYWdlcw==";

/// What to send for one delivery, and where.
#[derive(Debug, Clone, PartialEq)]
pub enum Rendered {
    /// SNS → SQS: the JSON envelope (Type "Notification", MessageId, TopicArn, Subject only
    /// when set, Message, Timestamp ISO-8601 ms Z, SignatureVersion "1", Signature,
    /// SigningCertURL, UnsubscribeURL, MessageAttributes {name:{Type,Value}} when present), or
    /// with RawMessageDelivery the message itself as body and the message attributes as SQS
    /// message attributes.
    Sqs {
        queue_arn: String,
        body: String,
        attributes: MessageAttributes,
    },
    /// SNS → Lambda: the event of reference §10.2 with one record, to be invoked
    /// asynchronously.
    Lambda {
        function_arn: String,
        payload: Vec<u8>,
    },
    /// SNS → HTTP(S): a POST with the `x-amz-sns-*` headers and the notification JSON body
    /// (or the raw message with RawMessageDelivery).
    Http {
        url: String,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// The subscription was removed after the publish: nothing to deliver.
    Gone,
    /// The subscription's filter policy does not match the message: nothing to deliver.
    FilteredOut,
}

impl Sns {
    /// Renders one outbox delivery for its subscription as it is now (a subscription removed
    /// since the publish gives [`Rendered::Gone`]; a changed `RawMessageDelivery` applies).
    /// The delivery's body names the message, stored once by the publish; a message that is not
    /// stored, or an SQS/Lambda endpoint outside lambkin's region and account (subscribed before
    /// Subscribe refused them), is a permanent error.
    pub async fn render(&self, delivery: &Delivery) -> Result<Rendered, SnsError> {
        // The deliverer dispatches on the kind and hands only subscription deliveries here.
        debug_assert_eq!(delivery.kind, DeliveryKind::Subscription);
        let Some(subscription) = self.inner.store.subscription(&delivery.target).await? else {
            return Ok(Rendered::Gone);
        };
        if let Some(reason) = out_of_scope(
            &subscription.protocol,
            &subscription.endpoint,
            &self.inner.scope,
        ) {
            return Err(SnsError::InvalidParameter(format!(
                "subscription {} cannot be delivered to {}: {reason}",
                subscription.arn, subscription.endpoint
            )));
        }
        let message_id = String::from_utf8_lossy(&delivery.body);
        let Some(body) = self.inner.store.sns_message(&message_id).await? else {
            return Err(SnsError::NotFound(format!(
                "delivery {} refers to SNS message {message_id}, which is not stored",
                delivery.id
            )));
        };
        let message = StoredMessage::from_bytes(&body)?;
        if !crate::filter::passes(&subscription.attributes, &message) {
            return Ok(Rendered::FilteredOut);
        }
        render_message(&subscription, &message)
    }
}

/// The notification JSON of SQS and HTTP(S) delivery, in AWS's field order.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Notification<'a> {
    r#type: &'static str,
    message_id: &'a str,
    topic_arn: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<&'a str>,
    message: &'a str,
    timestamp: String,
    signature_version: &'static str,
    signature: &'static str,
    #[serde(rename = "SigningCertURL")]
    signing_cert_url: String,
    #[serde(rename = "UnsubscribeURL")]
    unsubscribe_url: String,
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    message_attributes: serde_json::Map<String, serde_json::Value>,
}

/// The `Sns` object of the Lambda event: same facts, `...Url` spelling, `Subject` null when
/// unset and `MessageAttributes` always present.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct LambdaSns<'a> {
    r#type: &'static str,
    message_id: &'a str,
    topic_arn: &'a str,
    subject: Option<&'a str>,
    message: &'a str,
    timestamp: String,
    signature_version: &'static str,
    signature: &'static str,
    signing_cert_url: String,
    unsubscribe_url: String,
    message_attributes: serde_json::Map<String, serde_json::Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct LambdaRecord<'a> {
    event_version: &'static str,
    event_source: &'static str,
    event_subscription_arn: &'a str,
    sns: LambdaSns<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct LambdaEvent<'a> {
    records: [LambdaRecord<'a>; 1],
}

/// `{name: {"Type": ..., "Value": ...}}`, binary values in base64, as SNS writes them.
fn attributes_json(attributes: &MessageAttributes) -> serde_json::Map<String, serde_json::Value> {
    attributes
        .iter()
        .map(|(name, a)| {
            let value = match (&a.string_value, &a.binary_value) {
                (Some(s), _) => s.clone(),
                (None, Some(b)) => base64::engine::general_purpose::STANDARD.encode(b),
                (None, None) => String::new(),
            };
            (
                name.clone(),
                serde_json::json!({"Type": a.data_type, "Value": value}),
            )
        })
        .collect()
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value)
        .expect("the notification structs hold only strings and string-keyed JSON maps")
}

fn signing_cert_url(sub: &SubscriptionRecord) -> String {
    format!("{}/SimpleNotificationService-lambkin.pem", base_url(sub))
}

fn unsubscribe_url(sub: &SubscriptionRecord) -> String {
    format!(
        "{}/?Action=Unsubscribe&SubscriptionArn={}",
        base_url(sub),
        sub.arn
    )
}

fn base_url(sub: &SubscriptionRecord) -> &str {
    sub.service_url.trim_end_matches('/')
}

fn notification(sub: &SubscriptionRecord, m: &StoredMessage) -> String {
    to_json(&Notification {
        r#type: "Notification",
        message_id: &m.message_id,
        topic_arn: &m.topic_arn,
        subject: m.subject.as_deref(),
        message: m.message_for(&sub.protocol),
        timestamp: m.timestamp().to_iso_millis(),
        signature_version: "1",
        signature: PLACEHOLDER_SIGNATURE,
        signing_cert_url: signing_cert_url(sub),
        unsubscribe_url: unsubscribe_url(sub),
        message_attributes: attributes_json(&m.attributes),
    })
}

fn raw(sub: &SubscriptionRecord) -> bool {
    sub.attributes
        .get("RawMessageDelivery")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// The pure half of [`Sns::render`].
pub(crate) fn render_message(
    sub: &SubscriptionRecord,
    m: &StoredMessage,
) -> Result<Rendered, SnsError> {
    match sub.protocol.as_str() {
        // AWS discards such a message for a raw SQS subscription as a client-side error: SQS
        // takes at most ten attributes (the envelope carries any number).
        "sqs" if raw(sub) && m.attributes.len() > MAX_RAW_SQS_ATTRIBUTES => {
            Err(SnsError::ParameterValueInvalid(format!(
                "message {} has {} message attributes; raw delivery to SQS takes at most {MAX_RAW_SQS_ATTRIBUTES}",
                m.message_id,
                m.attributes.len()
            )))
        }
        "sqs" => Ok(if raw(sub) {
            Rendered::Sqs {
                queue_arn: sub.endpoint.clone(),
                body: m.message_for("sqs").to_string(),
                attributes: m.attributes.clone(),
            }
        } else {
            Rendered::Sqs {
                queue_arn: sub.endpoint.clone(),
                body: notification(sub, m),
                attributes: MessageAttributes::new(),
            }
        }),
        "lambda" => {
            let event = LambdaEvent {
                records: [LambdaRecord {
                    event_version: "1.0",
                    event_source: "aws:sns",
                    event_subscription_arn: &sub.arn,
                    sns: LambdaSns {
                        r#type: "Notification",
                        message_id: &m.message_id,
                        topic_arn: &m.topic_arn,
                        subject: m.subject.as_deref(),
                        message: m.message_for("lambda"),
                        timestamp: m.timestamp().to_iso_millis(),
                        signature_version: "1",
                        signature: PLACEHOLDER_SIGNATURE,
                        signing_cert_url: signing_cert_url(sub),
                        unsubscribe_url: unsubscribe_url(sub),
                        message_attributes: attributes_json(&m.attributes),
                    },
                }],
            };
            Ok(Rendered::Lambda {
                function_arn: sub.endpoint.clone(),
                payload: to_json(&event).into_bytes(),
            })
        }
        "http" | "https" => {
            let mut headers = vec![
                (
                    "x-amz-sns-message-type".to_string(),
                    "Notification".to_string(),
                ),
                ("x-amz-sns-message-id".to_string(), m.message_id.clone()),
                ("x-amz-sns-topic-arn".to_string(), m.topic_arn.clone()),
                ("x-amz-sns-subscription-arn".to_string(), sub.arn.clone()),
                (
                    "Content-Type".to_string(),
                    "text/plain; charset=UTF-8".to_string(),
                ),
                (
                    "User-Agent".to_string(),
                    "Amazon Simple Notification Service Agent".to_string(),
                ),
            ];
            let body = if raw(sub) {
                headers.push(("x-amz-sns-rawdelivery".to_string(), "true".to_string()));
                m.message_for(&sub.protocol).to_string()
            } else {
                notification(sub, m)
            };
            Ok(Rendered::Http {
                url: sub.endpoint.clone(),
                headers,
                body,
            })
        }
        other => Err(SnsError::InvalidParameter(format!(
            "subscription {} has protocol {other}, which lambkin does not deliver to",
            sub.arn
        ))),
    }
}

#[cfg(test)]
mod tests;
