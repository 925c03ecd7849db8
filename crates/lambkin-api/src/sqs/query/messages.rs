//! Message actions: SendMessage(Batch), ReceiveMessage, DeleteMessage(Batch),
//! ChangeMessageVisibility(Batch). Element names follow the query-era model: flattened
//! `<Message>`, `<Attribute>`, `<MessageAttribute>`, `<…BatchResultEntry>` and
//! `<BatchResultErrorEntry>` lists.

use lambkin_sqs::{BatchEntry, OutgoingMessage, ReceiveOptions, SqsError};

use super::params::SqsParams;
use super::{Answer, QueryCall};
use crate::query_protocol::{Form, Xml};
use crate::sqs::convert;
use crate::sqs::messages::receipt_handle;
use crate::sqs::wire;

/// A message to send from `form` (the request, or one batch entry) and the request's
/// `X-Amzn-Trace-Id`.
fn outgoing(form: &Form, trace_header: Option<&str>) -> Result<OutgoingMessage, SqsError> {
    Ok(OutgoingMessage {
        body: form.owned("MessageBody").unwrap_or_default(),
        delay_seconds: form.int("DelaySeconds")?,
        attributes: form.message_attributes()?,
        system_attributes: form.message_system_attributes()?,
        trace_header: trace_header.map(str::to_string),
        message_group_id: form.owned("MessageGroupId"),
        message_deduplication_id: form.owned("MessageDeduplicationId"),
    })
}

/// The members of a send result; the MD5s are what SDKs check the message against.
fn sent(x: &mut Xml, s: &wire::SendMessageResult) {
    x.leaf("MessageId", &s.message_id)
        .leaf("MD5OfMessageBody", &s.md5_of_message_body);
    if let Some(md5) = &s.md5_of_message_attributes {
        x.leaf("MD5OfMessageAttributes", md5);
    }
    if let Some(md5) = &s.md5_of_message_system_attributes {
        x.leaf("MD5OfMessageSystemAttributes", md5);
    }
}

pub(super) async fn send_message(call: &QueryCall) -> Answer {
    let q = call.queue()?;
    let message = outgoing(&call.form, call.trace_header.as_deref())?;
    let s = call.sqs.send_message(&q, message).await?;
    let mut x = Xml::default();
    sent(&mut x, &convert::sent(s));
    Ok(Some(x))
}

pub(super) async fn send_message_batch(call: &QueryCall) -> Answer {
    let q = call.queue()?;
    // An undecodable attribute fails the whole request, as on the JSON surface.
    let entries = call
        .form
        .structs("SendMessageBatchRequestEntry")
        .iter()
        .map(|e| {
            Ok(BatchEntry {
                id: e.owned("Id").unwrap_or_default(),
                entry: outgoing(e, call.trace_header.as_deref())?,
            })
        })
        .collect::<Result<Vec<_>, SqsError>>()?;
    let results = call.sqs.send_message_batch(&q, entries).await?;
    let result = convert::batch_result(results, |id, s| (id, convert::sent(s)));
    let mut x = Xml::default();
    for (id, s) in &result.successful {
        x.open("SendMessageBatchResultEntry").leaf("Id", id);
        sent(&mut x, s);
        x.close("SendMessageBatchResultEntry");
    }
    failed(&mut x, &result.failed);
    Ok(Some(x))
}

fn failed(x: &mut Xml, entries: &[wire::BatchResultErrorEntry]) {
    for f in entries {
        x.open("BatchResultErrorEntry")
            .leaf("Id", &f.id)
            .leaf("SenderFault", if f.sender_fault { "true" } else { "false" })
            .leaf("Code", &f.code)
            .leaf("Message", &f.message)
            .close("BatchResultErrorEntry");
    }
}

/// The answer of the batches whose successes carry only their id.
fn ids_result(success_tag: &str, result: &wire::BatchResult<wire::IdOnly>) -> Xml {
    let mut x = Xml::default();
    for s in &result.successful {
        x.open(success_tag).leaf("Id", &s.id).close(success_tag);
    }
    failed(&mut x, &result.failed);
    x
}

pub(super) async fn receive_message(call: &QueryCall) -> Answer {
    let q = call.queue()?;
    let options = ReceiveOptions {
        max_number_of_messages: call.form.int("MaxNumberOfMessages")?,
        visibility_timeout: call.form.int("VisibilityTimeout")?,
        wait_time_seconds: call.form.int("WaitTimeSeconds")?,
        attribute_names: call.form.attribute_names(),
        message_attribute_names: call.form.strings("MessageAttributeName"),
    };
    let messages = call.sqs.receive_message(&q, &options).await?;
    let mut x = Xml::default();
    for m in messages.into_iter().map(convert::message) {
        message(&mut x, &m);
    }
    Ok(Some(x))
}

fn message(x: &mut Xml, m: &wire::Message) {
    x.open("Message")
        .leaf("MessageId", &m.message_id)
        .leaf("ReceiptHandle", &m.receipt_handle)
        .leaf("MD5OfBody", &m.md5_of_body)
        .leaf("Body", &m.body);
    for (name, value) in &m.attributes {
        x.open("Attribute")
            .leaf("Name", name)
            .leaf("Value", value)
            .close("Attribute");
    }
    if let Some(md5) = &m.md5_of_message_attributes {
        x.leaf("MD5OfMessageAttributes", md5);
    }
    for (name, value) in &m.message_attributes {
        x.open("MessageAttribute").leaf("Name", name).open("Value");
        if let Some(s) = &value.string_value {
            x.leaf("StringValue", s);
        }
        if let Some(b) = &value.binary_value {
            x.leaf("BinaryValue", b);
        }
        x.leaf("DataType", &value.data_type)
            .close("Value")
            .close("MessageAttribute");
    }
    x.close("Message");
}

pub(super) async fn delete_message(call: &QueryCall) -> Answer {
    let q = call.queue()?;
    let handle = receipt_handle(call.form.owned("ReceiptHandle"))?;
    call.sqs.delete_message(&q, &handle).await?;
    Ok(None)
}

pub(super) async fn delete_message_batch(call: &QueryCall) -> Answer {
    let q = call.queue()?;
    let entries = call
        .form
        .structs("DeleteMessageBatchRequestEntry")
        .iter()
        .map(|e| BatchEntry {
            id: e.owned("Id").unwrap_or_default(),
            entry: e.owned("ReceiptHandle").unwrap_or_default(),
        })
        .collect();
    let results = call.sqs.delete_message_batch(&q, entries).await?;
    let result = convert::batch_result(results, |id, ()| wire::IdOnly { id });
    Ok(Some(ids_result("DeleteMessageBatchResultEntry", &result)))
}

pub(super) async fn change_message_visibility(call: &QueryCall) -> Answer {
    let q = call.queue()?;
    let handle = receipt_handle(call.form.owned("ReceiptHandle"))?;
    let timeout = call
        .form
        .int("VisibilityTimeout")?
        .ok_or(SqsError::MissingParameter("VisibilityTimeout"))?;
    call.sqs
        .change_message_visibility(&q, &handle, timeout)
        .await?;
    Ok(None)
}

pub(super) async fn change_message_visibility_batch(call: &QueryCall) -> Answer {
    let q = call.queue()?;
    let entries = call
        .form
        .structs("ChangeMessageVisibilityBatchRequestEntry")
        .iter()
        .map(|e| {
            Ok(BatchEntry {
                id: e.owned("Id").unwrap_or_default(),
                entry: (
                    e.owned("ReceiptHandle").unwrap_or_default(),
                    e.int("VisibilityTimeout")?.unwrap_or(0),
                ),
            })
        })
        .collect::<Result<Vec<_>, SqsError>>()?;
    let results = call
        .sqs
        .change_message_visibility_batch(&q, entries)
        .await?;
    let result = convert::batch_result(results, |id, ()| wire::IdOnly { id });
    Ok(Some(ids_result(
        "ChangeMessageVisibilityBatchResultEntry",
        &result,
    )))
}
