//! [`DynamoStore`] on PostgreSQL: `ddb_tables`, `ddb_items` and `ddb_index`, as on SQLite. A
//! conditional write takes a transaction-scoped advisory lock on each key it names (in key
//! order, so two writers never wait on each other in a cycle), reads, lets the caller decide
//! and writes: no other node's write to those keys, existing or not yet, can come between the
//! check and the write.

use std::ops::Bound;

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use lambkin_model::Timestamp;
use lambkin_store::{
    Decide, DynamoStore, ItemKey, ItemWrite, KeyRange, ReadItem, Refusal, StoreError, StoredItem,
    TableRecord,
};
use tokio_postgres::types::ToSql;

use crate::PgStore;
use crate::error::db;

type Param = Box<dyn ToSql + Sync + Send>;

async fn read_item(
    client: &impl GenericClient,
    table: &str,
    key: &ItemKey,
) -> Result<Option<Vec<u8>>, StoreError> {
    let row = client
        .query_opt(
            "SELECT item FROM ddb_items WHERE tbl = $1 AND pk = $2 AND sk = $3",
            &[&table, &key.pk, &key.sk],
        )
        .await
        .map_err(db)?;
    Ok(row.map(|r| r.get(0)))
}

async fn apply(
    client: &impl GenericClient,
    table: &str,
    key: &ItemKey,
    write: &ItemWrite,
) -> Result<(), StoreError> {
    if matches!(write, ItemWrite::Keep) {
        return Ok(());
    }
    client
        .execute(
            "DELETE FROM ddb_index WHERE tbl = $1 AND pk = $2 AND sk = $3",
            &[&table, &key.pk, &key.sk],
        )
        .await
        .map_err(db)?;
    match write {
        ItemWrite::Keep => {}
        ItemWrite::Delete => {
            client
                .execute(
                    "DELETE FROM ddb_items WHERE tbl = $1 AND pk = $2 AND sk = $3",
                    &[&table, &key.pk, &key.sk],
                )
                .await
                .map_err(db)?;
        }
        ItemWrite::Put {
            item,
            expires_at,
            indexes,
        } => {
            client
                .execute(
                    "INSERT INTO ddb_items (tbl, pk, sk, item, expires_at)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (tbl, pk, sk)
                     DO UPDATE SET item = excluded.item, expires_at = excluded.expires_at",
                    &[&table, &key.pk, &key.sk, item, expires_at],
                )
                .await
                .map_err(db)?;
            for ix in indexes {
                client
                    .execute(
                        "INSERT INTO ddb_index (tbl, idx, ipk, isk, pk, sk)
                         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                        &[&table, &ix.index, &ix.key.pk, &ix.key.sk, &key.pk, &key.sk],
                    )
                    .await
                    .map_err(db)?;
            }
        }
    }
    Ok(())
}

/// `column op $n` for a bound, appended with its value.
fn bound_sql(
    sql: &mut String,
    args: &mut Vec<Param>,
    column: &str,
    bound: &Bound<Vec<u8>>,
    low: bool,
) {
    let (op, v) = match (bound, low) {
        (Bound::Included(v), true) => (">=", v),
        (Bound::Excluded(v), true) => (">", v),
        (Bound::Included(v), false) => ("<=", v),
        (Bound::Excluded(v), false) => ("<", v),
        (Bound::Unbounded, _) => return,
    };
    args.push(Box::new(v.clone()));
    sql.push_str(&format!(" AND {column} {op} ${}", args.len()));
}

async fn read_rows(
    client: &impl GenericClient,
    sql: &str,
    args: Vec<Param>,
    with_index: bool,
) -> Result<Vec<ReadItem>, StoreError> {
    let refs: Vec<&(dyn ToSql + Sync)> = args
        .iter()
        .map(|a| a.as_ref() as &(dyn ToSql + Sync))
        .collect();
    let rows = client.query(sql, &refs).await.map_err(db)?;
    Ok(rows
        .iter()
        .map(|r| ReadItem {
            stored: StoredItem {
                key: ItemKey {
                    pk: r.get(0),
                    sk: r.get(1),
                },
                item: r.get(2),
                expires_at: r.get(3),
            },
            index_key: with_index.then(|| ItemKey {
                pk: r.get(4),
                sk: r.get(5),
            }),
        })
        .collect())
}

fn table_row(r: &tokio_postgres::Row) -> TableRecord {
    TableRecord {
        name: r.get(0),
        description: r.get(1),
        created_at: Timestamp(r.get(2)),
    }
}

#[async_trait]
impl DynamoStore for PgStore {
    async fn create_table(&self, table: TableRecord) -> Result<bool, StoreError> {
        let n = self
            .client()
            .await?
            .execute(
                "INSERT INTO ddb_tables (name, description, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (name) DO NOTHING",
                &[&table.name, &table.description, &table.created_at.0],
            )
            .await
            .map_err(db)?;
        Ok(n == 1)
    }

    async fn update_table(&self, name: &str, description: String) -> Result<bool, StoreError> {
        let n = self
            .client()
            .await?
            .execute(
                "UPDATE ddb_tables SET description = $2 WHERE name = $1",
                &[&name, &description],
            )
            .await
            .map_err(db)?;
        Ok(n == 1)
    }

    async fn delete_table(&self, name: &str) -> Result<Option<TableRecord>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let record = tx
            .query_opt(
                "DELETE FROM ddb_tables WHERE name = $1 RETURNING name, description, created_at",
                &[&name],
            )
            .await
            .map_err(db)?
            .as_ref()
            .map(table_row);
        tx.execute("DELETE FROM ddb_items WHERE tbl = $1", &[&name])
            .await
            .map_err(db)?;
        tx.execute("DELETE FROM ddb_index WHERE tbl = $1", &[&name])
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(record)
    }

    async fn table(&self, name: &str) -> Result<Option<TableRecord>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT name, description, created_at FROM ddb_tables WHERE name = $1",
                &[&name],
            )
            .await
            .map_err(db)?;
        Ok(row.as_ref().map(table_row))
    }

    async fn tables(&self) -> Result<Vec<TableRecord>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT name, description, created_at FROM ddb_tables ORDER BY name",
                &[],
            )
            .await
            .map_err(db)?;
        Ok(rows.iter().map(table_row).collect())
    }

    async fn get_items(
        &self,
        table: &str,
        keys: Vec<ItemKey>,
    ) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        let client = self.client().await?;
        let mut items = Vec::with_capacity(keys.len());
        for k in &keys {
            items.push(read_item(&client, table, k).await?);
        }
        Ok(items)
    }

    async fn write_items(
        &self,
        table: &str,
        keys: Vec<ItemKey>,
        decide: Decide,
    ) -> Result<Result<Vec<Option<Vec<u8>>>, Refusal>, StoreError> {
        let keys = keys.into_iter().map(|k| (table.to_string(), k)).collect();
        self.write_across(keys, decide).await
    }

    async fn write_across(
        &self,
        keys: Vec<(String, ItemKey)>,
        decide: Decide,
    ) -> Result<Result<Vec<Option<Vec<u8>>>, Refusal>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        // Lock every key named, existing or not, in one order.
        let mut locks: Vec<&(String, ItemKey)> = keys.iter().collect();
        locks.sort();
        locks.dedup();
        for (table, key) in locks {
            tx.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended($1 || encode($2, 'hex') || '/' || encode($3, 'hex'), 0))",
                &[table, &key.pk, &key.sk],
            )
            .await
            .map_err(db)?;
        }
        let mut old = Vec::with_capacity(keys.len());
        for (table, key) in &keys {
            old.push(read_item(&tx, table, key).await?);
        }
        let writes = match decide(old.clone()) {
            Ok(w) => w,
            Err(refusal) => return Ok(Err(refusal)),
        };
        if writes.len() != keys.len() {
            return Err(StoreError::Corrupt(format!(
                "{} writes decided for {} keys",
                writes.len(),
                keys.len()
            )));
        }
        for ((table, key), write) in keys.iter().zip(&writes) {
            apply(&tx, table, key, write).await?;
        }
        tx.commit().await.map_err(db)?;
        Ok(Ok(old))
    }

    async fn query(&self, table: &str, range: KeyRange) -> Result<Vec<ReadItem>, StoreError> {
        let order = if range.forward { "ASC" } else { "DESC" };
        let next = if range.forward { ">" } else { "<" };
        let mut args: Vec<Param> = vec![Box::new(table.to_string()), Box::new(range.pk)];
        let client = self.client().await?;
        match range.index {
            None => {
                let mut sql = "SELECT pk, sk, item, expires_at FROM ddb_items
                               WHERE tbl = $1 AND pk = $2"
                    .to_string();
                bound_sql(&mut sql, &mut args, "sk", &range.sk_from, true);
                bound_sql(&mut sql, &mut args, "sk", &range.sk_to, false);
                if let Some((after, _)) = range.after {
                    args.push(Box::new(after.sk));
                    sql.push_str(&format!(" AND sk {next} ${}", args.len()));
                }
                args.push(Box::new(range.limit as i64));
                sql.push_str(&format!(" ORDER BY sk {order} LIMIT ${}", args.len()));
                read_rows(&client, &sql, args, false).await
            }
            Some(index) => {
                args.push(Box::new(index));
                let mut sql = "SELECT i.pk, i.sk, i.item, i.expires_at, x.ipk, x.isk
                               FROM ddb_index x JOIN ddb_items i
                                 ON i.tbl = x.tbl AND i.pk = x.pk AND i.sk = x.sk
                               WHERE x.tbl = $1 AND x.ipk = $2 AND x.idx = $3"
                    .to_string();
                bound_sql(&mut sql, &mut args, "x.isk", &range.sk_from, true);
                bound_sql(&mut sql, &mut args, "x.isk", &range.sk_to, false);
                if let Some((after, Some(index_key))) = range.after {
                    for v in [index_key.sk, after.pk, after.sk] {
                        args.push(Box::new(v));
                    }
                    let n = args.len();
                    sql.push_str(&format!(
                        " AND (x.isk, x.pk, x.sk) {next} (${}, ${}, ${n})",
                        n - 2,
                        n - 1
                    ));
                }
                args.push(Box::new(range.limit as i64));
                sql.push_str(&format!(
                    " ORDER BY x.isk {order}, x.pk {order}, x.sk {order} LIMIT ${}",
                    args.len()
                ));
                read_rows(&client, &sql, args, true).await
            }
        }
    }

    async fn scan(
        &self,
        table: &str,
        index: Option<&str>,
        after: Option<(ItemKey, Option<ItemKey>)>,
        limit: usize,
    ) -> Result<Vec<ReadItem>, StoreError> {
        let mut args: Vec<Param> = vec![Box::new(table.to_string())];
        let client = self.client().await?;
        match index {
            None => {
                let mut sql =
                    "SELECT pk, sk, item, expires_at FROM ddb_items WHERE tbl = $1".to_string();
                if let Some((after, _)) = after {
                    args.push(Box::new(after.pk));
                    args.push(Box::new(after.sk));
                    sql.push_str(" AND (pk, sk) > ($2, $3)");
                }
                args.push(Box::new(limit as i64));
                sql.push_str(&format!(" ORDER BY pk, sk LIMIT ${}", args.len()));
                read_rows(&client, &sql, args, false).await
            }
            Some(index) => {
                args.push(Box::new(index.to_string()));
                let mut sql = "SELECT i.pk, i.sk, i.item, i.expires_at, x.ipk, x.isk
                               FROM ddb_index x JOIN ddb_items i
                                 ON i.tbl = x.tbl AND i.pk = x.pk AND i.sk = x.sk
                               WHERE x.tbl = $1 AND x.idx = $2"
                    .to_string();
                if let Some((after, Some(ix))) = after {
                    for v in [ix.pk, ix.sk, after.pk, after.sk] {
                        args.push(Box::new(v));
                    }
                    sql.push_str(" AND (x.ipk, x.isk, x.pk, x.sk) > ($3, $4, $5, $6)");
                }
                args.push(Box::new(limit as i64));
                sql.push_str(&format!(
                    " ORDER BY x.ipk, x.isk, x.pk, x.sk LIMIT ${}",
                    args.len()
                ));
                read_rows(&client, &sql, args, true).await
            }
        }
    }

    async fn expired_items(
        &self,
        now_seconds: i64,
        limit: usize,
    ) -> Result<Vec<(String, ItemKey)>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT tbl, pk, sk FROM ddb_items WHERE expires_at < $1
                 ORDER BY expires_at LIMIT $2",
                &[&now_seconds, &(limit as i64)],
            )
            .await
            .map_err(db)?;
        Ok(rows
            .iter()
            .map(|r| {
                (
                    r.get(0),
                    ItemKey {
                        pk: r.get(1),
                        sk: r.get(2),
                    },
                )
            })
            .collect())
    }

    async fn item_count(&self, table: &str) -> Result<u64, StoreError> {
        let n: i64 = self
            .client()
            .await?
            .query_one("SELECT count(*) FROM ddb_items WHERE tbl = $1", &[&table])
            .await
            .map_err(db)?
            .get(0);
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
