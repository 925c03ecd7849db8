//! [`Catalog`] on SQLite: configs (of `$LATEST` and of each published version) and aliases are
//! stored as JSON documents keyed by name.

use async_trait::async_trait;
use lambkin_model::{Alias, EventInvokeConfig, FunctionConfig, FunctionName, Qualifier};
use rusqlite::{OptionalExtension, params};

use super::SqliteStore;
use super::{from_json, to_json};
use crate::{Catalog, StoreError};

#[async_trait]
impl Catalog for SqliteStore {
    async fn create_function(&self, config: FunctionConfig) -> Result<(), StoreError> {
        let json = to_json(&config)?;
        self.inner
            .writer
            .write(move |conn, _| {
                let n = conn.execute(
                    "INSERT INTO functions (name, config) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                    params![config.name.as_str(), json],
                )?;
                if n == 0 {
                    return Err(StoreError::FunctionExists(config.name.to_string()));
                }
                Ok(())
            })
            .await
    }

    async fn update_function(&self, config: FunctionConfig) -> Result<(), StoreError> {
        let json = to_json(&config)?;
        self.inner
            .writer
            .write(move |conn, _| {
                let n = conn.execute(
                    "UPDATE functions SET config = ?2 WHERE name = ?1",
                    params![config.name.as_str(), json],
                )?;
                if n == 0 {
                    return Err(StoreError::FunctionNotFound(config.name.to_string()));
                }
                Ok(())
            })
            .await
    }

    async fn function(&self, name: &FunctionName) -> Result<Option<FunctionConfig>, StoreError> {
        let name = name.to_string();
        self.read(move |conn| {
            let json: Option<String> = conn
                .query_row(
                    "SELECT config FROM functions WHERE name = ?1",
                    params![name],
                    |r| r.get(0),
                )
                .optional()?;
            json.map(|j| from_json(&j)).transpose()
        })
        .await
    }

    async fn functions(&self) -> Result<Vec<FunctionConfig>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached("SELECT config FROM functions ORDER BY name")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            rows.map(|j| from_json(&j?)).collect()
        })
        .await
    }

    async fn delete_function(&self, name: &FunctionName) -> Result<bool, StoreError> {
        let name = name.to_string();
        self.inner
            .writer
            .write(move |conn, _| {
                for table in [
                    "event_invoke_configs",
                    "function_versions",
                    "function_aliases",
                ] {
                    conn.execute(
                        &format!("DELETE FROM {table} WHERE function = ?1"),
                        params![name],
                    )?;
                }
                let n = conn.execute("DELETE FROM functions WHERE name = ?1", params![name])?;
                Ok(n > 0)
            })
            .await
    }

    async fn publish_version(
        &self,
        latest: FunctionConfig,
        version: FunctionConfig,
    ) -> Result<(), StoreError> {
        let number: u32 = version
            .version
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("version {:?}", version.version)))?;
        let (latest_json, version_json) = (to_json(&latest)?, to_json(&version)?);
        self.inner
            .writer
            .write(move |conn, _| {
                let n = conn.execute(
                    "UPDATE functions SET config = ?2 WHERE name = ?1",
                    params![latest.name.as_str(), latest_json],
                )?;
                if n == 0 {
                    return Err(StoreError::FunctionNotFound(latest.name.to_string()));
                }
                conn.execute(
                    "INSERT INTO function_versions (function, version, config) VALUES (?1, ?2, ?3)",
                    params![latest.name.as_str(), number, version_json],
                )?;
                Ok(())
            })
            .await
    }

    async fn function_versions(&self) -> Result<Vec<FunctionConfig>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT config FROM function_versions ORDER BY function, version",
            )?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            rows.map(|j| from_json(&j?)).collect()
        })
        .await
    }

    async fn delete_function_version(
        &self,
        name: &FunctionName,
        version: u32,
    ) -> Result<bool, StoreError> {
        let name = name.to_string();
        self.inner
            .writer
            .write(move |conn, _| {
                conn.execute(
                    "DELETE FROM event_invoke_configs WHERE function = ?1 AND qualifier = ?2",
                    params![name, version.to_string()],
                )?;
                let n = conn.execute(
                    "DELETE FROM function_versions WHERE function = ?1 AND version = ?2",
                    params![name, version],
                )?;
                Ok(n > 0)
            })
            .await
    }

    async fn put_alias(&self, function: &FunctionName, alias: Alias) -> Result<(), StoreError> {
        let (f, json) = (function.to_string(), to_json(&alias)?);
        self.inner
            .writer
            .write(move |conn, _| {
                conn.execute(
                    "INSERT INTO function_aliases (function, name, config) VALUES (?1, ?2, ?3)
                     ON CONFLICT (function, name) DO UPDATE SET config = excluded.config",
                    params![f, alias.name, json],
                )?;
                Ok(())
            })
            .await
    }

    async fn aliases(&self) -> Result<Vec<(FunctionName, Alias)>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT function, config FROM function_aliases ORDER BY function, name",
            )?;
            let rows =
                stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            rows.map(|row| {
                let (f, json) = row?;
                let f = FunctionName::parse(&f).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                Ok((f, from_json(&json)?))
            })
            .collect()
        })
        .await
    }

    async fn delete_alias(&self, function: &FunctionName, name: &str) -> Result<bool, StoreError> {
        let (f, name) = (function.to_string(), name.to_string());
        self.inner
            .writer
            .write(move |conn, _| {
                conn.execute(
                    "DELETE FROM event_invoke_configs WHERE function = ?1 AND qualifier = ?2",
                    params![f, name],
                )?;
                let n = conn.execute(
                    "DELETE FROM function_aliases WHERE function = ?1 AND name = ?2",
                    params![f, name],
                )?;
                Ok(n > 0)
            })
            .await
    }

    async fn put_event_invoke_config(
        &self,
        function: &FunctionName,
        qualifier: &Qualifier,
        config: EventInvokeConfig,
    ) -> Result<(), StoreError> {
        let (f, q, json) = (
            function.to_string(),
            qualifier.to_string(),
            to_json(&config)?,
        );
        self.inner
            .writer
            .write(move |conn, _| {
                conn.execute(
                    "INSERT INTO event_invoke_configs (function, qualifier, config) VALUES (?1, ?2, ?3)
                     ON CONFLICT (function, qualifier) DO UPDATE SET config = excluded.config",
                    params![f, q, json],
                )?;
                Ok(())
            })
            .await
    }

    async fn event_invoke_config(
        &self,
        function: &FunctionName,
        qualifier: &Qualifier,
    ) -> Result<Option<EventInvokeConfig>, StoreError> {
        let (f, q) = (function.to_string(), qualifier.to_string());
        self.read(move |conn| {
            let json: Option<String> = conn
                .query_row(
                    "SELECT config FROM event_invoke_configs WHERE function = ?1 AND qualifier = ?2",
                    params![f, q],
                    |r| r.get(0),
                )
                .optional()?;
            json.map(|j| from_json(&j)).transpose()
        })
        .await
    }

    async fn event_invoke_configs(
        &self,
        function: &FunctionName,
    ) -> Result<Vec<(Qualifier, EventInvokeConfig)>, StoreError> {
        let f = function.to_string();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT qualifier, config FROM event_invoke_configs WHERE function = ?1 ORDER BY qualifier",
            )?;
            let rows = stmt.query_map(params![f], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?;
            rows.map(|row| {
                let (q, json) = row?;
                let q = Qualifier::parse(&q).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                Ok((q, from_json(&json)?))
            })
            .collect()
        })
        .await
    }

    async fn delete_event_invoke_config(
        &self,
        function: &FunctionName,
        qualifier: &Qualifier,
    ) -> Result<bool, StoreError> {
        let (f, q) = (function.to_string(), qualifier.to_string());
        self.inner
            .writer
            .write(move |conn, _| {
                let n = conn.execute(
                    "DELETE FROM event_invoke_configs WHERE function = ?1 AND qualifier = ?2",
                    params![f, q],
                )?;
                Ok(n > 0)
            })
            .await
    }
}
