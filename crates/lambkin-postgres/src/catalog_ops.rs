//! [`Catalog`] on PostgreSQL: configs (of `$LATEST` and of each published version) and aliases
//! as JSON documents keyed by name, as on SQLite.

use async_trait::async_trait;
use lambkin_model::{Alias, EventInvokeConfig, FunctionConfig, FunctionName, Qualifier};
use lambkin_store::{Catalog, StoreError};

use crate::error::db;
use crate::{PgStore, from_json, to_json};

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

#[async_trait]
impl Catalog for PgStore {
    async fn create_function(&self, config: FunctionConfig) -> Result<(), StoreError> {
        let json = to_json(&config)?;
        let n = self
            .client()
            .await?
            .execute(
                "INSERT INTO functions (name, config) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&config.name.as_str(), &json],
            )
            .await
            .map_err(db)?;
        if n == 0 {
            return Err(StoreError::FunctionExists(config.name.to_string()));
        }
        Ok(())
    }

    async fn update_function(&self, config: FunctionConfig) -> Result<(), StoreError> {
        let json = to_json(&config)?;
        let n = self
            .client()
            .await?
            .execute(
                "UPDATE functions SET config = $2 WHERE name = $1",
                &[&config.name.as_str(), &json],
            )
            .await
            .map_err(db)?;
        if n == 0 {
            return Err(StoreError::FunctionNotFound(config.name.to_string()));
        }
        Ok(())
    }

    async fn function(&self, name: &FunctionName) -> Result<Option<FunctionConfig>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT config FROM functions WHERE name = $1",
                &[&name.as_str()],
            )
            .await
            .map_err(db)?;
        row.map(|r| from_json(r.get(0))).transpose()
    }

    async fn functions(&self) -> Result<Vec<FunctionConfig>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT config FROM functions ORDER BY name COLLATE \"C\"",
                &[],
            )
            .await
            .map_err(db)?;
        rows.iter().map(|r| from_json(r.get(0))).collect()
    }

    async fn delete_function(&self, name: &FunctionName) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        for table in [
            "event_invoke_configs",
            "function_versions",
            "function_aliases",
        ] {
            tx.execute(
                &format!("DELETE FROM {table} WHERE function = $1"),
                &[&name.as_str()],
            )
            .await
            .map_err(db)?;
        }
        let n = tx
            .execute("DELETE FROM functions WHERE name = $1", &[&name.as_str()])
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(n > 0)
    }

    async fn publish_version(
        &self,
        latest: FunctionConfig,
        version: FunctionConfig,
    ) -> Result<(), StoreError> {
        let number: i64 = version
            .version
            .parse()
            .map_err(|_| corrupt(format!("version {:?}", version.version)))?;
        let (latest_json, version_json) = (to_json(&latest)?, to_json(&version)?);
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let n = tx
            .execute(
                "UPDATE functions SET config = $2 WHERE name = $1",
                &[&latest.name.as_str(), &latest_json],
            )
            .await
            .map_err(db)?;
        if n == 0 {
            return Err(StoreError::FunctionNotFound(latest.name.to_string()));
        }
        tx.execute(
            "INSERT INTO function_versions (function, version, config) VALUES ($1, $2, $3)",
            &[&latest.name.as_str(), &number, &version_json],
        )
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn function_versions(&self) -> Result<Vec<FunctionConfig>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT config FROM function_versions ORDER BY function COLLATE \"C\", version",
                &[],
            )
            .await
            .map_err(db)?;
        rows.iter().map(|r| from_json(r.get(0))).collect()
    }

    async fn delete_function_version(
        &self,
        name: &FunctionName,
        version: u32,
    ) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        tx.execute(
            "DELETE FROM event_invoke_configs WHERE function = $1 AND qualifier = $2",
            &[&name.as_str(), &version.to_string()],
        )
        .await
        .map_err(db)?;
        let n = tx
            .execute(
                "DELETE FROM function_versions WHERE function = $1 AND version = $2",
                &[&name.as_str(), &i64::from(version)],
            )
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(n > 0)
    }

    async fn put_alias(&self, function: &FunctionName, alias: Alias) -> Result<(), StoreError> {
        let json = to_json(&alias)?;
        self.client()
            .await?
            .execute(
                "INSERT INTO function_aliases (function, name, config) VALUES ($1, $2, $3)
                 ON CONFLICT (function, name) DO UPDATE SET config = excluded.config",
                &[&function.as_str(), &alias.name, &json],
            )
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn aliases(&self) -> Result<Vec<(FunctionName, Alias)>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT function, config FROM function_aliases ORDER BY function COLLATE \"C\", name COLLATE \"C\"",
                &[],
            )
            .await
            .map_err(db)?;
        rows.iter()
            .map(|r| {
                let f = FunctionName::parse(r.get(0)).map_err(corrupt)?;
                Ok((f, from_json(r.get(1))?))
            })
            .collect()
    }

    async fn delete_alias(&self, function: &FunctionName, name: &str) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        tx.execute(
            "DELETE FROM event_invoke_configs WHERE function = $1 AND qualifier = $2",
            &[&function.as_str(), &name],
        )
        .await
        .map_err(db)?;
        let n = tx
            .execute(
                "DELETE FROM function_aliases WHERE function = $1 AND name = $2",
                &[&function.as_str(), &name],
            )
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(n > 0)
    }

    async fn put_event_invoke_config(
        &self,
        function: &FunctionName,
        qualifier: &Qualifier,
        config: EventInvokeConfig,
    ) -> Result<(), StoreError> {
        let json = to_json(&config)?;
        self.client()
            .await?
            .execute(
                "INSERT INTO event_invoke_configs (function, qualifier, config) VALUES ($1, $2, $3)
                 ON CONFLICT (function, qualifier) DO UPDATE SET config = excluded.config",
                &[&function.as_str(), &qualifier.as_str(), &json],
            )
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn event_invoke_config(
        &self,
        function: &FunctionName,
        qualifier: &Qualifier,
    ) -> Result<Option<EventInvokeConfig>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT config FROM event_invoke_configs WHERE function = $1 AND qualifier = $2",
                &[&function.as_str(), &qualifier.as_str()],
            )
            .await
            .map_err(db)?;
        row.map(|r| from_json(r.get(0))).transpose()
    }

    async fn event_invoke_configs(
        &self,
        function: &FunctionName,
    ) -> Result<Vec<(Qualifier, EventInvokeConfig)>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT qualifier, config FROM event_invoke_configs WHERE function = $1
                 ORDER BY qualifier COLLATE \"C\"",
                &[&function.as_str()],
            )
            .await
            .map_err(db)?;
        rows.iter()
            .map(|r| {
                let q = Qualifier::parse(r.get(0)).map_err(corrupt)?;
                Ok((q, from_json(r.get(1))?))
            })
            .collect()
    }

    async fn delete_event_invoke_config(
        &self,
        function: &FunctionName,
        qualifier: &Qualifier,
    ) -> Result<bool, StoreError> {
        let n = self
            .client()
            .await?
            .execute(
                "DELETE FROM event_invoke_configs WHERE function = $1 AND qualifier = $2",
                &[&function.as_str(), &qualifier.as_str()],
            )
            .await
            .map_err(db)?;
        Ok(n > 0)
    }
}
