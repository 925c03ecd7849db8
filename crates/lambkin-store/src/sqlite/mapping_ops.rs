//! [`MappingStore`] on SQLite: each mapping a JSON document keyed by its UUID.

use async_trait::async_trait;
use lambkin_model::EventSourceMapping;
use rusqlite::{Connection, OptionalExtension, params};

use super::SqliteStore;
use super::{from_json, to_json};
use crate::{MappingStore, StoreError};

pub(super) fn migrate(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS event_source_mappings (
            uuid    TEXT PRIMARY KEY,
            mapping TEXT NOT NULL
        ) WITHOUT ROWID;",
    )?;
    Ok(())
}

#[async_trait]
impl MappingStore for SqliteStore {
    async fn put_mapping(&self, mapping: EventSourceMapping) -> Result<(), StoreError> {
        let json = to_json(&mapping)?;
        self.inner
            .writer
            .write(move |conn, _| {
                conn.execute(
                    "INSERT INTO event_source_mappings (uuid, mapping) VALUES (?1, ?2)
                     ON CONFLICT (uuid) DO UPDATE SET mapping = excluded.mapping",
                    params![mapping.uuid, json],
                )?;
                Ok(())
            })
            .await
    }

    async fn mapping(&self, uuid: &str) -> Result<Option<EventSourceMapping>, StoreError> {
        let uuid = uuid.to_string();
        self.read(move |conn| {
            let json: Option<String> = conn
                .query_row(
                    "SELECT mapping FROM event_source_mappings WHERE uuid = ?1",
                    params![uuid],
                    |r| r.get(0),
                )
                .optional()?;
            json.map(|j| from_json(&j)).transpose()
        })
        .await
    }

    async fn mappings(&self) -> Result<Vec<EventSourceMapping>, StoreError> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare_cached("SELECT mapping FROM event_source_mappings ORDER BY uuid")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            rows.map(|j| from_json(&j?)).collect()
        })
        .await
    }

    async fn delete_mapping(&self, uuid: &str) -> Result<bool, StoreError> {
        let uuid = uuid.to_string();
        self.inner
            .writer
            .write(move |conn, _| {
                let n = conn.execute(
                    "DELETE FROM event_source_mappings WHERE uuid = ?1",
                    params![uuid],
                )?;
                Ok(n > 0)
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    conformance_tests!(
        crate::conformance::mappings;
        mappings_put_replace_and_delete,
        mappings_are_listed_by_uuid,
    );

    /// Mappings are durable: a reopened folder has them as they were last written.
    #[tokio::test]
    async fn mappings_survive_reopen() {
        use crate::MappingStore;
        let dir = tempfile::tempdir().expect("tempdir");
        let m = crate::conformance::mappings::mapping("0b7f9a5e-0000-4000-8000-000000000001");
        {
            let store = crate::SqliteStore::open(dir.path()).expect("open");
            store.put_mapping(m.clone()).await.expect("put");
        }
        let store = crate::SqliteStore::open(dir.path()).expect("reopen");
        assert_eq!(store.mapping(&m.uuid).await.expect("read"), Some(m));
    }
}
