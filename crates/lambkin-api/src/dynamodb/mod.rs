//! DynamoDB's JSON 1.0 protocol on `POST /` (`X-Amz-Target: DynamoDB_20120810.<Operation>`):
//! `operation.rs` names the model's operations, `tables.rs` and `items.rs` serve the table and item operations through
//! `lambkin_dynamodb::Dynamo`, `error.rs` writes every error. Every answer carries
//! `x-amz-crc32`, the CRC32 of its body, which the SDKs verify.

mod error;
mod items;
mod operation;
mod tables;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use lambkin_dynamodb::Dynamo;
use lambkin_engine::Engine;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::operations::Lookup;
use error::DynamoFailure;
use operation::{Operation, lookup};

const CONTENT_TYPE: &str = "application/x-amz-json-1.0";
const TARGET_PREFIX: &str = "DynamoDB_20120810.";

type Answer = Result<Response, DynamoFailure>;

pub(crate) struct Call {
    dynamo: Dynamo,
    body: Bytes,
}

impl Call {
    fn request<T: DeserializeOwned + Default>(&self) -> Result<T, DynamoFailure> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(T::default());
        }
        serde_json::from_slice(&self.body).map_err(|e| DynamoFailure::Serialization(e.to_string()))
    }
}

/// A response with DynamoDB's content type and the body's CRC32.
fn respond(status: StatusCode, body: String) -> Response {
    let crc = crc_fast::checksum(crc_fast::CrcAlgorithm::Crc32IsoHdlc, body.as_bytes());
    let mut resp = (status, body).into_response();
    let headers = resp.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    if let Ok(v) = HeaderValue::from_str(&crc.to_string()) {
        headers.insert("x-amz-crc32", v);
    }
    resp
}

fn ok<T: Serialize>(value: &T) -> Answer {
    let body = serde_json::to_string(value)
        .map_err(|e| DynamoFailure::Serialization(format!("response: {e}")))?;
    Ok(respond(StatusCode::OK, body))
}

/// The operation an `X-Amz-Target` header names for DynamoDB, if it does.
pub(crate) fn target(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.strip_prefix(TARGET_PREFIX))
        .map(str::to_owned)
}

pub(crate) async fn dispatch(engine: Engine, operation: &str, body: Bytes) -> Response {
    let call = Call {
        dynamo: engine.dynamo().clone(),
        body,
    };
    let result = match lookup(operation) {
        Lookup::Serve(op) => match op {
            Operation::CreateTable => tables::create_table(&call).await,
            Operation::DescribeTable => tables::describe_table(&call).await,
            Operation::ListTables => tables::list_tables(&call).await,
            Operation::DeleteTable => tables::delete_table(&call).await,
            Operation::UpdateTimeToLive => tables::update_time_to_live(&call).await,
            Operation::DescribeTimeToLive => tables::describe_time_to_live(&call).await,
            Operation::PutItem => items::put_item(&call).await,
            Operation::GetItem => items::get_item(&call).await,
            Operation::DeleteItem => items::delete_item(&call).await,
            Operation::UpdateItem => items::update_item(&call).await,
            Operation::Query => items::query(&call).await,
            Operation::Scan => items::scan(&call).await,
            Operation::BatchWriteItem => items::batch_write_item(&call).await,
            Operation::BatchGetItem => items::batch_get_item(&call).await,
            Operation::TransactWriteItems => items::transact_write_items(&call).await,
            Operation::TransactGetItems => items::transact_get_items(&call).await,
        },
        Lookup::NotImplemented => Err(DynamoFailure::NotImplemented(operation.to_string())),
        Lookup::Unknown => Err(DynamoFailure::UnknownOperation(operation.to_string())),
    };
    result.unwrap_or_else(IntoResponse::into_response)
}

pub(crate) fn unreadable_body(why: &str) -> Response {
    error::render(
        StatusCode::BAD_REQUEST,
        "SerializationException",
        &format!("the request body could not be read: {why}"),
    )
}
