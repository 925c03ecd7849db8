//! DynamoDB's operations, named once: every operation of the model (`dynamodb/2012-08-10`)
//! with what lambkin runs for it.

use crate::operations::{self, Lookup};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    CreateTable,
    DescribeTable,
    ListTables,
    DeleteTable,
    UpdateTimeToLive,
    DescribeTimeToLive,
    PutItem,
    GetItem,
    DeleteItem,
    UpdateItem,
    Query,
    Scan,
    BatchWriteItem,
    BatchGetItem,
    TransactWriteItems,
    TransactGetItems,
}

const MODEL: &[(&str, Option<Operation>)] = {
    use Operation::*;
    &[
        ("BatchExecuteStatement", None),
        ("BatchGetItem", Some(BatchGetItem)),
        ("BatchWriteItem", Some(BatchWriteItem)),
        ("CreateBackup", None),
        ("CreateGlobalTable", None),
        ("CreateTable", Some(CreateTable)),
        ("DeleteBackup", None),
        ("DeleteItem", Some(DeleteItem)),
        ("DeleteResourcePolicy", None),
        ("DeleteTable", Some(DeleteTable)),
        ("DescribeBackup", None),
        ("DescribeContinuousBackups", None),
        ("DescribeContributorInsights", None),
        ("DescribeEndpoints", None),
        ("DescribeExport", None),
        ("DescribeGlobalTable", None),
        ("DescribeGlobalTableSettings", None),
        ("DescribeImport", None),
        ("DescribeKinesisStreamingDestination", None),
        ("DescribeLimits", None),
        ("DescribeTable", Some(DescribeTable)),
        ("DescribeTableReplicaAutoScaling", None),
        ("DescribeTimeToLive", Some(DescribeTimeToLive)),
        ("DisableKinesisStreamingDestination", None),
        ("EnableKinesisStreamingDestination", None),
        ("ExecuteStatement", None),
        ("ExecuteTransaction", None),
        ("ExportTableToPointInTime", None),
        ("GetItem", Some(GetItem)),
        ("GetResourcePolicy", None),
        ("ImportTable", None),
        ("ListBackups", None),
        ("ListContributorInsights", None),
        ("ListExports", None),
        ("ListGlobalTables", None),
        ("ListImports", None),
        ("ListTables", Some(ListTables)),
        ("ListTagsOfResource", None),
        ("PutItem", Some(PutItem)),
        ("PutResourcePolicy", None),
        ("Query", Some(Query)),
        ("RestoreTableFromBackup", None),
        ("RestoreTableToPointInTime", None),
        ("Scan", Some(Scan)),
        ("SearchVectors", None),
        ("TagResource", None),
        ("TransactGetItems", Some(TransactGetItems)),
        ("TransactWriteItems", Some(TransactWriteItems)),
        ("UntagResource", None),
        ("UpdateContinuousBackups", None),
        ("UpdateContributorInsights", None),
        ("UpdateGlobalTable", None),
        ("UpdateGlobalTableSettings", None),
        ("UpdateItem", Some(UpdateItem)),
        ("UpdateKinesisStreamingDestination", None),
        ("UpdateTable", None),
        ("UpdateTableReplicaAutoScaling", None),
        ("UpdateTimeToLive", Some(UpdateTimeToLive)),
    ]
};

pub(crate) fn lookup(name: &str) -> Lookup<Operation> {
    operations::lookup(MODEL, name)
}
