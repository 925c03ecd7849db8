//! The item operations (PutItem, GetItem, DeleteItem, UpdateItem, Query, Scan): decode, call
//! [`lambkin_dynamodb::Dynamo`], encode.

use lambkin_dynamodb::{ItemRequest, ReadRequest};

use super::{Answer, Call, ok};

pub(super) async fn put_item(call: &Call) -> Answer {
    let r: ItemRequest = call.request()?;
    ok(&call.dynamo.put_item(r).await?)
}

pub(super) async fn get_item(call: &Call) -> Answer {
    let r: ItemRequest = call.request()?;
    ok(&call.dynamo.get_item(r).await?)
}

pub(super) async fn delete_item(call: &Call) -> Answer {
    let r: ItemRequest = call.request()?;
    ok(&call.dynamo.delete_item(r).await?)
}

pub(super) async fn update_item(call: &Call) -> Answer {
    let r: ItemRequest = call.request()?;
    ok(&call.dynamo.update_item(r).await?)
}

pub(super) async fn query(call: &Call) -> Answer {
    let r: ReadRequest = call.request()?;
    ok(&call.dynamo.query(r).await?)
}

pub(super) async fn scan(call: &Call) -> Answer {
    let r: ReadRequest = call.request()?;
    ok(&call.dynamo.scan(r).await?)
}

pub(super) async fn batch_write_item(call: &Call) -> Answer {
    let r: lambkin_dynamodb::BatchWriteRequest = call.request()?;
    ok(&call.dynamo.batch_write_item(r).await?)
}

pub(super) async fn batch_get_item(call: &Call) -> Answer {
    let r: lambkin_dynamodb::BatchGetRequest = call.request()?;
    ok(&call.dynamo.batch_get_item(r).await?)
}

pub(super) async fn transact_write_items(call: &Call) -> Answer {
    let r: lambkin_dynamodb::TransactWriteRequest = call.request()?;
    ok(&call.dynamo.transact_write_items(r).await?)
}

pub(super) async fn transact_get_items(call: &Call) -> Answer {
    let r: lambkin_dynamodb::TransactGetRequest = call.request()?;
    ok(&call.dynamo.transact_get_items(r).await?)
}
