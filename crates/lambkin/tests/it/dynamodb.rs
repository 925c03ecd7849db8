//! DynamoDB through `aws-sdk-dynamodb` (issue 14, in progress): tables, items, Query and Scan,
//! TTL.

mod items;
mod powertools;
mod tables;
