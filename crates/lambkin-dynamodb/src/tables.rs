//! CreateTable, DescribeTable, ListTables, DeleteTable, UpdateTimeToLive, DescribeTimeToLive:
//! the table's specification as DynamoDB takes it, checked with DynamoDB's messages, kept in
//! the store as JSON and described back as `TableDescription`.

use std::collections::BTreeSet;

use lambkin_model::validation::Violations;
use lambkin_store::TableRecord;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::{Dynamo, DynamoError};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct KeySchemaElement {
    pub attribute_name: String,
    pub key_type: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AttributeDefinition {
    pub attribute_name: String,
    pub attribute_type: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Projection {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub projection_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub non_key_attributes: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ProvisionedThroughput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_capacity_units: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub write_capacity_units: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct GlobalSecondaryIndex {
    pub index_name: String,
    pub key_schema: Vec<KeySchemaElement>,
    pub projection: Projection,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provisioned_throughput: Option<ProvisionedThroughput>,
}

/// A CreateTable request as the api decoded it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CreateTable {
    pub table_name: Option<String>,
    pub attribute_definitions: Vec<AttributeDefinition>,
    pub key_schema: Vec<KeySchemaElement>,
    pub global_secondary_indexes: Option<Vec<GlobalSecondaryIndex>>,
    pub local_secondary_indexes: Option<Vec<Value>>,
    pub billing_mode: Option<String>,
    pub provisioned_throughput: Option<ProvisionedThroughput>,
    pub deletion_protection_enabled: Option<bool>,
}

/// A table as lambkin keeps it (the store's `description`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableSpec {
    pub name: String,
    pub arn: String,
    pub id: String,
    pub key_schema: Vec<KeySchemaElement>,
    pub attribute_definitions: Vec<AttributeDefinition>,
    pub global_secondary_indexes: Vec<GlobalSecondaryIndex>,
    pub billing_mode: String,
    pub provisioned: ProvisionedThroughput,
    /// The TTL attribute, while TTL is enabled.
    pub ttl_attribute: Option<String>,
    pub deletion_protection: bool,
    /// Epoch seconds.
    pub created: f64,
}

impl TableSpec {
    /// The partition key's name.
    pub fn hash_key(&self) -> &str {
        key_of(&self.key_schema, "HASH").unwrap_or_default()
    }

    pub fn range_key(&self) -> Option<&str> {
        key_of(&self.key_schema, "RANGE")
    }

    /// A key attribute's type (`S`, `N` or `B`).
    pub fn attribute_type(&self, name: &str) -> Option<&str> {
        self.attribute_definitions
            .iter()
            .find(|d| d.attribute_name == name)
            .map(|d| d.attribute_type.as_str())
    }
}

fn key_of<'a>(schema: &'a [KeySchemaElement], kind: &str) -> Option<&'a str> {
    schema
        .iter()
        .find(|k| k.key_type == kind)
        .map(|k| k.attribute_name.as_str())
}

const TABLE_NAME: &str = "[a-zA-Z0-9_.-]+";

/// The table name a `TableName` member gives (a name or a table ARN), checked as DynamoDB does.
pub(crate) fn table_name(member: Option<&str>) -> Result<String, DynamoError> {
    let mut v = Violations::default();
    let Some(member) = member else {
        v.null("tableName");
        return Err(DynamoError::Validation(v.message().unwrap_or_default()));
    };
    let name = member.rsplit_once(":table/").map_or(member, |(_, n)| n);
    v.length(name, "tableName", 3, 255);
    let valid = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    if !valid {
        v.push(
            name,
            "tableName",
            &format!("Member must satisfy regular expression pattern: {TABLE_NAME}"),
        );
    }
    match v.message() {
        Some(m) => Err(DynamoError::Validation(m)),
        None => Ok(name.to_string()),
    }
}

/// A key schema's checks: one HASH first, at most one RANGE, each defined.
fn check_key_schema(
    schema: &[KeySchemaElement],
    defined: &BTreeSet<&str>,
    all_defined: &[&str],
) -> Result<(), DynamoError> {
    if schema.is_empty() || schema.len() > 2 {
        return Err(DynamoError::Validation(
            "1 validation error detected: Value at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to 2".into(),
        ));
    }
    if schema[0].key_type != "HASH" {
        return Err(DynamoError::Validation(
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type".into(),
        ));
    }
    if schema.len() == 2 && schema[1].key_type != "RANGE" {
        return Err(DynamoError::Validation(
            "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type".into(),
        ));
    }
    if schema.len() == 2 && schema[0].attribute_name == schema[1].attribute_name {
        return Err(DynamoError::invalid(
            "Both the Hash Key and the Range Key element in the KeySchema have the same name",
        ));
    }
    let missing: Vec<&str> = schema
        .iter()
        .map(|k| k.attribute_name.as_str())
        .filter(|n| !defined.contains(n))
        .collect();
    if !missing.is_empty() {
        return Err(DynamoError::invalid(format!(
            "Some index key attributes are not defined in AttributeDefinitions. Keys: [{}], AttributeDefinitions: [{}]",
            missing.join(", "),
            all_defined.join(", ")
        )));
    }
    Ok(())
}

impl Dynamo {
    pub async fn create_table(&self, r: CreateTable) -> Result<Value, DynamoError> {
        let name = table_name(r.table_name.as_deref())?;
        if r.key_schema.is_empty() {
            return Err(DynamoError::Validation(
                "1 validation error detected: Value null at 'keySchema' failed to satisfy constraint: Member must not be null".into(),
            ));
        }
        for d in &r.attribute_definitions {
            if !matches!(d.attribute_type.as_str(), "S" | "N" | "B") {
                return Err(DynamoError::invalid(format!(
                    "Member must satisfy enum value set: [B, N, S] for AttributeType of {}",
                    d.attribute_name
                )));
            }
        }
        let all_defined: Vec<&str> = r
            .attribute_definitions
            .iter()
            .map(|d| d.attribute_name.as_str())
            .collect();
        let defined: BTreeSet<&str> = all_defined.iter().copied().collect();
        check_key_schema(&r.key_schema, &defined, &all_defined)?;
        if r.local_secondary_indexes
            .as_ref()
            .is_some_and(|l| !l.is_empty())
        {
            return Err(DynamoError::Validation(
                "lambkin does not serve local secondary indexes (see docs/api-compat.md)".into(),
            ));
        }
        let gsis = r.global_secondary_indexes.clone().unwrap_or_default();
        let mut used: BTreeSet<&str> = r
            .key_schema
            .iter()
            .map(|k| k.attribute_name.as_str())
            .collect();
        let mut index_names = BTreeSet::new();
        for g in &gsis {
            check_key_schema(&g.key_schema, &defined, &all_defined)?;
            if !index_names.insert(g.index_name.as_str()) {
                return Err(DynamoError::invalid(format!(
                    "Duplicate index name: {}",
                    g.index_name
                )));
            }
            match g.projection.projection_type.as_deref() {
                Some("ALL" | "KEYS_ONLY") | None => {}
                Some("INCLUDE") if g.projection.non_key_attributes.is_some() => {}
                Some("INCLUDE") => {
                    return Err(DynamoError::invalid(
                        "ProjectionType is INCLUDE, but NonKeyAttributes is not specified",
                    ));
                }
                Some(other) => {
                    return Err(DynamoError::invalid(format!(
                        "Unknown ProjectionType: {other}"
                    )));
                }
            }
            used.extend(g.key_schema.iter().map(|k| k.attribute_name.as_str()));
        }
        if used.len() != defined.len() {
            return Err(DynamoError::invalid(
                "Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions",
            ));
        }
        let billing = r
            .billing_mode
            .clone()
            .unwrap_or_else(|| "PROVISIONED".into());
        let provisioned = match billing.as_str() {
            "PROVISIONED" => {
                let p = r.provisioned_throughput.clone().unwrap_or_default();
                if p.read_capacity_units.is_none() || p.write_capacity_units.is_none() {
                    return Err(DynamoError::invalid(
                        "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED",
                    ));
                }
                p
            }
            "PAY_PER_REQUEST" => {
                if r.provisioned_throughput.is_some() {
                    return Err(DynamoError::invalid(
                        "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
                    ));
                }
                ProvisionedThroughput {
                    read_capacity_units: Some(0),
                    write_capacity_units: Some(0),
                }
            }
            other => {
                return Err(DynamoError::Validation(format!(
                    "1 validation error detected: Value '{other}' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]"
                )));
            }
        };
        let now = self.inner.clock.now();
        let scope = &self.inner.scope;
        let spec = TableSpec {
            arn: format!(
                "arn:aws:dynamodb:{}:{}:table/{name}",
                scope.region, scope.account
            ),
            name: name.clone(),
            id: uuid::Uuid::new_v4().to_string(),
            key_schema: r.key_schema,
            attribute_definitions: r.attribute_definitions,
            global_secondary_indexes: gsis,
            billing_mode: billing,
            provisioned,
            ttl_attribute: None,
            deletion_protection: r.deletion_protection_enabled.unwrap_or(false),
            created: now.to_epoch_seconds(),
        };
        let record = TableRecord {
            name: name.clone(),
            description: serde_json::to_string(&spec)
                .map_err(|e| DynamoError::Validation(e.to_string()))?,
            created_at: now,
        };
        if !self.inner.store.create_table(record).await? {
            return Err(DynamoError::ResourceInUse(format!(
                "Table already exists: {name}"
            )));
        }
        // A new table answers CREATING; every later DescribeTable finds it ACTIVE (it is
        // usable as soon as it is stored), which is what SDK waiters poll for.
        Ok(describe(&spec, "CREATING", 0))
    }

    /// The table's specification, or DynamoDB's ResourceNotFoundException.
    pub async fn table(&self, name: &str) -> Result<TableSpec, DynamoError> {
        let record = self
            .inner
            .store
            .table(name)
            .await?
            .ok_or_else(|| DynamoError::table_not_found(name))?;
        serde_json::from_str(&record.description)
            .map_err(|e| DynamoError::Store(lambkin_store::StoreError::Corrupt(e.to_string())))
    }

    pub async fn describe_table(&self, member: Option<&str>) -> Result<Value, DynamoError> {
        let name = table_name(member)?;
        let spec = self.table(&name).await?;
        let count = self.inner.store.item_count(&name).await?;
        Ok(describe(&spec, "ACTIVE", count))
    }

    pub async fn delete_table(&self, member: Option<&str>) -> Result<Value, DynamoError> {
        let name = table_name(member)?;
        let spec = self.table(&name).await?;
        if spec.deletion_protection {
            return Err(DynamoError::Validation(
                "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.".into(),
            ));
        }
        self.inner
            .store
            .delete_table(&name)
            .await?
            .ok_or_else(|| DynamoError::table_not_found(&name))?;
        Ok(describe(&spec, "DELETING", 0))
    }

    /// ListTables: names in order, after `exclusive_start`, at most `limit` (1–100, default 100).
    pub async fn list_tables(
        &self,
        exclusive_start: Option<&str>,
        limit: Option<i64>,
    ) -> Result<(Vec<String>, Option<String>), DynamoError> {
        if let Some(l) = limit {
            let mut v = Violations::default();
            v.range(l, "limit", Some(1), Some(100));
            if let Some(m) = v.message() {
                return Err(DynamoError::Validation(m));
            }
        }
        let limit = limit.unwrap_or(100) as usize;
        let names: Vec<String> = self
            .inner
            .store
            .tables()
            .await?
            .into_iter()
            .map(|t| t.name)
            .filter(|n| exclusive_start.is_none_or(|s| n.as_str() > s))
            .collect();
        let more = names.len() > limit;
        let page: Vec<String> = names.into_iter().take(limit).collect();
        let last = more.then(|| page.last().cloned()).flatten();
        Ok((page, last))
    }

    /// UpdateTimeToLive: enables TTL on an attribute, or disables it.
    pub async fn update_time_to_live(
        &self,
        member: Option<&str>,
        enabled: bool,
        attribute: &str,
    ) -> Result<(), DynamoError> {
        let name = table_name(member)?;
        let mut spec = self.table(&name).await?;
        match (&spec.ttl_attribute, enabled) {
            (Some(_), true) => {
                return Err(DynamoError::Validation(
                    "TimeToLive is already enabled".into(),
                ));
            }
            (None, false) => {
                return Err(DynamoError::Validation(
                    "TimeToLive is already disabled".into(),
                ));
            }
            _ => {}
        }
        spec.ttl_attribute = enabled.then(|| attribute.to_string());
        let description =
            serde_json::to_string(&spec).map_err(|e| DynamoError::Validation(e.to_string()))?;
        if !self.inner.store.update_table(&name, description).await? {
            return Err(DynamoError::table_not_found(&name));
        }
        // Items written before TTL was enabled (or after it was disabled) get their expiry now.
        self.refresh_expiry(&spec).await?;
        Ok(())
    }

    /// DescribeTimeToLive's `TimeToLiveDescription`.
    pub async fn describe_time_to_live(&self, member: Option<&str>) -> Result<Value, DynamoError> {
        let name = table_name(member)?;
        let spec = self.table(&name).await?;
        Ok(match spec.ttl_attribute {
            Some(a) => json!({ "TimeToLiveStatus": "ENABLED", "AttributeName": a }),
            None => json!({ "TimeToLiveStatus": "DISABLED" }),
        })
    }
}

/// `TableDescription` as DynamoDB writes it.
pub fn describe(spec: &TableSpec, status: &str, item_count: u64) -> Value {
    let throughput = |p: &ProvisionedThroughput| {
        json!({
            "NumberOfDecreasesToday": 0,
            "ReadCapacityUnits": p.read_capacity_units.unwrap_or(0),
            "WriteCapacityUnits": p.write_capacity_units.unwrap_or(0),
        })
    };
    let mut d = json!({
        "AttributeDefinitions": spec.attribute_definitions,
        "TableName": spec.name,
        "KeySchema": spec.key_schema,
        "TableStatus": status,
        "CreationDateTime": spec.created,
        "ProvisionedThroughput": throughput(&spec.provisioned),
        "TableSizeBytes": 0,
        "ItemCount": item_count,
        "TableArn": spec.arn,
        "TableId": spec.id,
        "DeletionProtectionEnabled": spec.deletion_protection,
    });
    if spec.billing_mode == "PAY_PER_REQUEST" {
        d["BillingModeSummary"] = json!({
            "BillingMode": "PAY_PER_REQUEST",
            "LastUpdateToPayPerRequestDateTime": spec.created,
        });
    }
    if !spec.global_secondary_indexes.is_empty() {
        let gsis: Vec<Value> = spec
            .global_secondary_indexes
            .iter()
            .map(|g| {
                json!({
                    "IndexName": g.index_name,
                    "KeySchema": g.key_schema,
                    "Projection": g.projection,
                    "IndexStatus": "ACTIVE",
                    "ProvisionedThroughput": throughput(
                        g.provisioned_throughput.as_ref().unwrap_or(&spec.provisioned)
                    ),
                    "IndexSizeBytes": 0,
                    "ItemCount": 0,
                    "IndexArn": format!("{}/index/{}", spec.arn, g.index_name),
                })
            })
            .collect();
        d["GlobalSecondaryIndexes"] = json!(gsis);
    }
    d
}
