//! Versioned migrations, applied at start. Several nodes may start at once: each takes the
//! same session advisory lock first, so one migrates and the others then find the work done.
//! A database whose recorded version is newer than [`SCHEMA_VERSION`] was migrated by a newer
//! lambkin; this one refuses it rather than misread it.

use lambkin_store::StoreError;

use crate::error::db;

/// The migrations, in order; the schema's version is how many have been applied.
const MIGRATIONS: &[(&str, &str)] = &[
    (
        "catalog and queue",
        include_str!("../migrations/0001_catalog_and_queue.sql"),
    ),
    (
        "event source mappings",
        include_str!("../migrations/0002_event_source_mappings.sql"),
    ),
    (
        "eventbridge",
        include_str!("../migrations/0003_eventbridge.sql"),
    ),
    ("dynamodb", include_str!("../migrations/0004_dynamodb.sql")),
    ("sns", include_str!("../migrations/0005_sns.sql")),
    ("s3", include_str!("../migrations/0006_s3.sql")),
    (
        "outbox claim order",
        include_str!("../migrations/0007_outbox_claim_order.sql"),
    ),
    (
        "retention",
        include_str!("../migrations/0008_retention.sql"),
    ),
    ("sqs", include_str!("../migrations/0009_sqs.sql")),
    (
        "sns retention",
        include_str!("../migrations/0010_sns_retention.sql"),
    ),
    ("nodes", include_str!("../migrations/0011_nodes.sql")),
];

/// The schema version this lambkin writes and reads.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Any constant both nodes agree on: "lambkin" in ASCII.
const LOCK_KEY: i64 = 0x006c_616d_626b_696e;

pub(crate) async fn migrate(client: &mut deadpool_postgres::Object) -> Result<(), StoreError> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&LOCK_KEY])
        .await
        .map_err(db)?;
    let result = apply(client).await;
    // Released also when applying failed, so another node can try.
    let unlocked = client
        .execute("SELECT pg_advisory_unlock($1)", &[&LOCK_KEY])
        .await
        .map_err(db);
    result.and(unlocked.map(|_| ()))
}

async fn apply(client: &mut deadpool_postgres::Object) -> Result<(), StoreError> {
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS lambkin_schema (
                 version    BIGINT PRIMARY KEY,
                 name       TEXT NOT NULL,
                 applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
             )",
        )
        .await
        .map_err(db)?;
    let found: i64 = client
        .query_one("SELECT coalesce(max(version), 0) FROM lambkin_schema", &[])
        .await
        .map_err(db)?
        .get(0);
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            found,
            known: SCHEMA_VERSION,
        });
    }
    for (i, (name, sql)) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let version = i as i64 + 1;
        let tx = client.transaction().await.map_err(db)?;
        tx.batch_execute(sql).await.map_err(db)?;
        tx.execute(
            "INSERT INTO lambkin_schema (version, name) VALUES ($1, $2)",
            &[&version, name],
        )
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        tracing::info!(version, name, "PostgreSQL schema migrated");
    }
    Ok(())
}
