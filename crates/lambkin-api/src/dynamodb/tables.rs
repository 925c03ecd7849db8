//! The table operations: decode, call [`lambkin_dynamodb::Dynamo`], encode.

use serde::Deserialize;
use serde_json::json;

use super::{Answer, Call, ok};
use lambkin_dynamodb::CreateTable;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct TableRequest {
    table_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct ListTablesRequest {
    exclusive_start_table_name: Option<String>,
    limit: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct TimeToLiveSpecification {
    enabled: bool,
    attribute_name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct UpdateTimeToLiveRequest {
    table_name: Option<String>,
    time_to_live_specification: Option<TimeToLiveSpecification>,
}

pub(super) async fn create_table(call: &Call) -> Answer {
    let r: CreateTable = call.request()?;
    let d = call.dynamo.create_table(r).await?;
    ok(&json!({ "TableDescription": d }))
}

pub(super) async fn describe_table(call: &Call) -> Answer {
    let r: TableRequest = call.request()?;
    let d = call.dynamo.describe_table(r.table_name.as_deref()).await?;
    ok(&json!({ "Table": d }))
}

pub(super) async fn delete_table(call: &Call) -> Answer {
    let r: TableRequest = call.request()?;
    let d = call.dynamo.delete_table(r.table_name.as_deref()).await?;
    ok(&json!({ "TableDescription": d }))
}

pub(super) async fn list_tables(call: &Call) -> Answer {
    let r: ListTablesRequest = call.request()?;
    let (names, last) = call
        .dynamo
        .list_tables(r.exclusive_start_table_name.as_deref(), r.limit)
        .await?;
    let mut answer = json!({ "TableNames": names });
    if let Some(last) = last {
        answer["LastEvaluatedTableName"] = json!(last);
    }
    ok(&answer)
}

pub(super) async fn update_time_to_live(call: &Call) -> Answer {
    let r: UpdateTimeToLiveRequest = call.request()?;
    let Some(spec) = r.time_to_live_specification else {
        return Err(lambkin_dynamodb::DynamoError::Validation(
            "1 validation error detected: Value null at 'timeToLiveSpecification' failed to satisfy constraint: Member must not be null".into(),
        )
        .into());
    };
    call.dynamo
        .update_time_to_live(r.table_name.as_deref(), spec.enabled, &spec.attribute_name)
        .await?;
    ok(&json!({
        "TimeToLiveSpecification": {
            "Enabled": spec.enabled,
            "AttributeName": spec.attribute_name,
        }
    }))
}

pub(super) async fn describe_time_to_live(call: &Call) -> Answer {
    let r: TableRequest = call.request()?;
    let d = call
        .dynamo
        .describe_time_to_live(r.table_name.as_deref())
        .await?;
    ok(&json!({ "TimeToLiveDescription": d }))
}
