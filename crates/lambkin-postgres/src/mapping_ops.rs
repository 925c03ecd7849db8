//! [`MappingStore`] on PostgreSQL: each event source mapping a JSON document keyed by its UUID.

use async_trait::async_trait;
use lambkin_model::EventSourceMapping;
use lambkin_store::{MappingStore, StoreError};

use crate::error::db;
use crate::{PgStore, from_json, to_json};

#[async_trait]
impl MappingStore for PgStore {
    async fn put_mapping(&self, mapping: EventSourceMapping) -> Result<(), StoreError> {
        let json = to_json(&mapping)?;
        self.client()
            .await?
            .execute(
                "INSERT INTO event_source_mappings (uuid, mapping) VALUES ($1, $2)
                 ON CONFLICT (uuid) DO UPDATE SET mapping = excluded.mapping",
                &[&mapping.uuid, &json],
            )
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn mapping(&self, uuid: &str) -> Result<Option<EventSourceMapping>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT mapping FROM event_source_mappings WHERE uuid = $1",
                &[&uuid],
            )
            .await
            .map_err(db)?;
        row.map(|r| from_json(r.get(0))).transpose()
    }

    async fn mappings(&self) -> Result<Vec<EventSourceMapping>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT mapping FROM event_source_mappings ORDER BY uuid COLLATE \"C\"",
                &[],
            )
            .await
            .map_err(db)?;
        rows.iter().map(|r| from_json(r.get(0))).collect()
    }

    async fn delete_mapping(&self, uuid: &str) -> Result<bool, StoreError> {
        let n = self
            .client()
            .await?
            .execute(
                "DELETE FROM event_source_mappings WHERE uuid = $1",
                &[&uuid],
            )
            .await
            .map_err(db)?;
        Ok(n > 0)
    }
}
