//! [`DynamoStore`] on SQLite: `ddb_tables`, `ddb_items` (one row per item, unique by table and
//! key, so a Query is a range scan of that index) and `ddb_index` (one row per item per global
//! secondary index, pointing back at the item). A conditional write reads, decides and writes
//! inside one job of the writer, so nothing comes between the check and the write.

use std::ops::Bound;

use async_trait::async_trait;
use lambkin_model::Timestamp;
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use super::SqliteStore;
use crate::dynamodb::{Decide, KeyRange, ReadItem, Refusal};
use crate::{DynamoStore, ItemKey, ItemWrite, StoreError, StoredItem, TableRecord};

pub(super) fn migrate(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "
        CREATE TABLE IF NOT EXISTS ddb_tables (
            name        TEXT PRIMARY KEY,
            description TEXT NOT NULL,
            created_at  INTEGER NOT NULL
        ) WITHOUT ROWID;
        -- A rowid table: items reach 400 KB, too large for WITHOUT ROWID's b-tree pages.
        CREATE TABLE IF NOT EXISTS ddb_items (
            id         INTEGER PRIMARY KEY,
            tbl        TEXT NOT NULL,
            pk         BLOB NOT NULL,
            sk         BLOB NOT NULL,
            item       BLOB NOT NULL,
            expires_at INTEGER,
            UNIQUE (tbl, pk, sk)
        );
        CREATE INDEX IF NOT EXISTS ddb_items_expiry ON ddb_items (expires_at)
            WHERE expires_at IS NOT NULL;
        CREATE TABLE IF NOT EXISTS ddb_index (
            tbl TEXT NOT NULL,
            idx TEXT NOT NULL,
            ipk BLOB NOT NULL,
            isk BLOB NOT NULL,
            pk  BLOB NOT NULL,
            sk  BLOB NOT NULL,
            PRIMARY KEY (tbl, idx, ipk, isk, pk, sk)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ddb_index_by_item ON ddb_index (tbl, pk, sk);
        ",
    )?;
    Ok(())
}

fn read_item(conn: &Connection, table: &str, key: &ItemKey) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT item FROM ddb_items WHERE tbl = ?1 AND pk = ?2 AND sk = ?3")?
        .query_row(params![table, key.pk, key.sk], |r| r.get(0))
        .optional()?)
}

fn apply(
    conn: &Connection,
    table: &str,
    key: &ItemKey,
    write: &ItemWrite,
) -> Result<(), StoreError> {
    if matches!(write, ItemWrite::Keep) {
        return Ok(());
    }
    conn.prepare_cached("DELETE FROM ddb_index WHERE tbl = ?1 AND pk = ?2 AND sk = ?3")?
        .execute(params![table, key.pk, key.sk])?;
    match write {
        ItemWrite::Keep => {}
        ItemWrite::Delete => {
            conn.prepare_cached("DELETE FROM ddb_items WHERE tbl = ?1 AND pk = ?2 AND sk = ?3")?
                .execute(params![table, key.pk, key.sk])?;
        }
        ItemWrite::Put {
            item,
            expires_at,
            indexes,
        } => {
            conn.prepare_cached(
                "INSERT INTO ddb_items (tbl, pk, sk, item, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (tbl, pk, sk)
                 DO UPDATE SET item = excluded.item, expires_at = excluded.expires_at",
            )?
            .execute(params![table, key.pk, key.sk, item, expires_at])?;
            let mut insert = conn.prepare_cached(
                "INSERT OR REPLACE INTO ddb_index (tbl, idx, ipk, isk, pk, sk)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for ix in indexes {
                insert.execute(params![
                    table, ix.index, ix.key.pk, ix.key.sk, key.pk, key.sk
                ])?;
            }
        }
    }
    Ok(())
}

/// `column op ?` for a bound, appended with its value.
fn bound_sql(
    sql: &mut String,
    args: &mut Vec<SqlValue>,
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
    args.push(SqlValue::Blob(v.clone()));
    sql.push_str(&format!(" AND {column} {op} ?{}", args.len()));
}

fn read_rows(
    conn: &Connection,
    sql: &str,
    args: Vec<SqlValue>,
    with_index: bool,
) -> Result<Vec<ReadItem>, StoreError> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map(params_from_iter(args), |r| {
        let stored = StoredItem {
            key: ItemKey {
                pk: r.get(0)?,
                sk: r.get(1)?,
            },
            item: r.get(2)?,
            expires_at: r.get(3)?,
        };
        let index_key = if with_index {
            Some(ItemKey {
                pk: r.get(4)?,
                sk: r.get(5)?,
            })
        } else {
            None
        };
        Ok(ReadItem { stored, index_key })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

#[async_trait]
impl DynamoStore for SqliteStore {
    async fn create_table(&self, table: TableRecord) -> Result<bool, StoreError> {
        self.inner
            .writer
            .write(move |conn, _| {
                let n = conn
                    .prepare_cached(
                        "INSERT INTO ddb_tables (name, description, created_at) VALUES (?1, ?2, ?3)
                         ON CONFLICT (name) DO NOTHING",
                    )?
                    .execute(params![table.name, table.description, table.created_at.0])?;
                Ok(n == 1)
            })
            .await
    }

    async fn update_table(&self, name: &str, description: String) -> Result<bool, StoreError> {
        let name = name.to_string();
        self.inner
            .writer
            .write(move |conn, _| {
                let n = conn
                    .prepare_cached("UPDATE ddb_tables SET description = ?2 WHERE name = ?1")?
                    .execute(params![name, description])?;
                Ok(n == 1)
            })
            .await
    }

    async fn delete_table(&self, name: &str) -> Result<Option<TableRecord>, StoreError> {
        let name = name.to_string();
        self.inner
            .writer
            .write(move |conn, _| {
                let record = conn
                    .prepare_cached(
                        "SELECT name, description, created_at FROM ddb_tables WHERE name = ?1",
                    )?
                    .query_row(params![name], table_row)
                    .optional()?;
                conn.execute("DELETE FROM ddb_tables WHERE name = ?1", params![name])?;
                conn.execute("DELETE FROM ddb_items WHERE tbl = ?1", params![name])?;
                conn.execute("DELETE FROM ddb_index WHERE tbl = ?1", params![name])?;
                Ok(record)
            })
            .await
    }

    async fn table(&self, name: &str) -> Result<Option<TableRecord>, StoreError> {
        let name = name.to_string();
        self.read(move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT name, description, created_at FROM ddb_tables WHERE name = ?1",
                )?
                .query_row(params![name], table_row)
                .optional()?)
        })
        .await
    }

    async fn tables(&self) -> Result<Vec<TableRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT name, description, created_at FROM ddb_tables ORDER BY name",
            )?;
            let rows = stmt.query_map([], table_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn get_items(
        &self,
        table: &str,
        keys: Vec<ItemKey>,
    ) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        let table = table.to_string();
        self.read(move |conn| keys.iter().map(|k| read_item(conn, &table, k)).collect())
            .await
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
        self.inner
            .writer
            .write(move |conn, _| {
                let old = keys
                    .iter()
                    .map(|(table, k)| read_item(conn, table, k))
                    .collect::<Result<Vec<_>, _>>()?;
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
                    apply(conn, table, key, write)?;
                }
                Ok(Ok(old))
            })
            .await
    }

    async fn query(&self, table: &str, range: KeyRange) -> Result<Vec<ReadItem>, StoreError> {
        let table = table.to_string();
        self.read(move |conn| {
            let order = if range.forward { "ASC" } else { "DESC" };
            let next = if range.forward { ">" } else { "<" };
            let mut args = vec![SqlValue::Text(table), SqlValue::Blob(range.pk)];
            match range.index {
                None => {
                    let mut sql = "SELECT pk, sk, item, expires_at FROM ddb_items
                                   WHERE tbl = ?1 AND pk = ?2"
                        .to_string();
                    bound_sql(&mut sql, &mut args, "sk", &range.sk_from, true);
                    bound_sql(&mut sql, &mut args, "sk", &range.sk_to, false);
                    if let Some((after, _)) = range.after {
                        args.push(SqlValue::Blob(after.sk));
                        sql.push_str(&format!(" AND sk {next} ?{}", args.len()));
                    }
                    args.push(SqlValue::Integer(range.limit as i64));
                    sql.push_str(&format!(" ORDER BY sk {order} LIMIT ?{}", args.len()));
                    read_rows(conn, &sql, args, false)
                }
                Some(index) => {
                    args.push(SqlValue::Text(index));
                    let mut sql = "SELECT i.pk, i.sk, i.item, i.expires_at, x.ipk, x.isk
                                   FROM ddb_index x JOIN ddb_items i
                                     ON i.tbl = x.tbl AND i.pk = x.pk AND i.sk = x.sk
                                   WHERE x.tbl = ?1 AND x.ipk = ?2 AND x.idx = ?3"
                        .to_string();
                    bound_sql(&mut sql, &mut args, "x.isk", &range.sk_from, true);
                    bound_sql(&mut sql, &mut args, "x.isk", &range.sk_to, false);
                    if let Some((after, Some(index_key))) = range.after {
                        for v in [index_key.sk, after.pk, after.sk] {
                            args.push(SqlValue::Blob(v));
                        }
                        let n = args.len();
                        sql.push_str(&format!(
                            " AND (x.isk, x.pk, x.sk) {next} (?{}, ?{}, ?{n})",
                            n - 2,
                            n - 1
                        ));
                    }
                    args.push(SqlValue::Integer(range.limit as i64));
                    sql.push_str(&format!(
                        " ORDER BY x.isk {order}, x.pk {order}, x.sk {order} LIMIT ?{}",
                        args.len()
                    ));
                    read_rows(conn, &sql, args, true)
                }
            }
        })
        .await
    }

    async fn scan(
        &self,
        table: &str,
        index: Option<&str>,
        after: Option<(ItemKey, Option<ItemKey>)>,
        limit: usize,
    ) -> Result<Vec<ReadItem>, StoreError> {
        let (table, index) = (table.to_string(), index.map(str::to_string));
        self.read(move |conn| {
            let mut args = vec![SqlValue::Text(table)];
            match index {
                None => {
                    let mut sql =
                        "SELECT pk, sk, item, expires_at FROM ddb_items WHERE tbl = ?1".to_string();
                    if let Some((after, _)) = after {
                        args.push(SqlValue::Blob(after.pk));
                        args.push(SqlValue::Blob(after.sk));
                        sql.push_str(" AND (pk, sk) > (?2, ?3)");
                    }
                    args.push(SqlValue::Integer(limit as i64));
                    sql.push_str(&format!(" ORDER BY pk, sk LIMIT ?{}", args.len()));
                    read_rows(conn, &sql, args, false)
                }
                Some(index) => {
                    args.push(SqlValue::Text(index));
                    let mut sql = "SELECT i.pk, i.sk, i.item, i.expires_at, x.ipk, x.isk
                                   FROM ddb_index x JOIN ddb_items i
                                     ON i.tbl = x.tbl AND i.pk = x.pk AND i.sk = x.sk
                                   WHERE x.tbl = ?1 AND x.idx = ?2"
                        .to_string();
                    if let Some((after, Some(ix))) = after {
                        for v in [ix.pk, ix.sk, after.pk, after.sk] {
                            args.push(SqlValue::Blob(v));
                        }
                        sql.push_str(" AND (x.ipk, x.isk, x.pk, x.sk) > (?3, ?4, ?5, ?6)");
                    }
                    args.push(SqlValue::Integer(limit as i64));
                    sql.push_str(&format!(
                        " ORDER BY x.ipk, x.isk, x.pk, x.sk LIMIT ?{}",
                        args.len()
                    ));
                    read_rows(conn, &sql, args, true)
                }
            }
        })
        .await
    }

    async fn expired_items(
        &self,
        now_seconds: i64,
        limit: usize,
    ) -> Result<Vec<(String, ItemKey)>, StoreError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT tbl, pk, sk FROM ddb_items WHERE expires_at < ?1
                 ORDER BY expires_at LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![now_seconds, limit as i64], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    ItemKey {
                        pk: r.get(1)?,
                        sk: r.get(2)?,
                    },
                ))
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn item_count(&self, table: &str) -> Result<u64, StoreError> {
        let table = table.to_string();
        self.read(move |conn| {
            let n: i64 = conn
                .prepare_cached("SELECT COUNT(*) FROM ddb_items WHERE tbl = ?1")?
                .query_row(params![table], |r| r.get(0))?;
            Ok(n as u64)
        })
        .await
    }
}

fn table_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TableRecord> {
    Ok(TableRecord {
        name: r.get(0)?,
        description: r.get(1)?,
        created_at: Timestamp(r.get(2)?),
    })
}

#[cfg(test)]
mod tests {
    conformance_tests!(
        crate::conformance::dynamodb;
        tables_are_created_once_and_deleted_with_their_items,
        a_refused_write_changes_nothing,
        writes_see_the_items_they_replace,
        queries_read_one_partition_in_sort_key_order,
        indexes_follow_their_items,
        scans_page_through_every_item,
        expired_items_are_found_by_their_ttl,
        writes_across_tables_are_all_or_nothing,
    );
}
