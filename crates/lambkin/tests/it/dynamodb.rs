//! DynamoDB through `aws-sdk-dynamodb` (issue 14, in progress): tables so far.

mod tables;
