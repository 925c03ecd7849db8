//! [`S3Store`] on SQLite: tables `s3_buckets` and `s3_objects` (one row per key, the body named
//! by id). Keys are compared as bytes (`BLOB` order), which is S3's UTF-8 binary order.

use async_trait::async_trait;
use lambkin_model::Timestamp;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::counts::Counts;
use super::outbox_ops::insert_delivery;
use super::schema::add_column;
use super::{SqliteStore, from_json, to_json};
use crate::{
    BucketDeleted, BucketRecord, ChecksumRecord, NewDelivery, ObjectDeleted, ObjectPut,
    ObjectRecord, PartPut, PartRecord, S3Store, StoreError, UploadCompleted, UploadRecord,
};

/// Writes the outbox rows an object event owes, in the caller's write.
fn owe(
    conn: &Connection,
    counts: &mut Counts,
    owed: &[NewDelivery],
    now: Timestamp,
) -> Result<(), StoreError> {
    for delivery in owed {
        insert_delivery(conn, counts, delivery, now)?;
    }
    Ok(())
}

pub(super) fn migrate(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "
        CREATE TABLE IF NOT EXISTS s3_buckets (
            name        TEXT PRIMARY KEY,
            region      TEXT NOT NULL,
            created_at  INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS s3_objects (
            bucket        TEXT NOT NULL,
            key           BLOB NOT NULL,
            body          TEXT NOT NULL,
            size          INTEGER NOT NULL,
            etag          TEXT NOT NULL,
            content_type  TEXT,
            headers       TEXT NOT NULL,
            metadata      TEXT NOT NULL,
            modified_at   INTEGER NOT NULL,
            PRIMARY KEY (bucket, key)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS s3_notifications (
            bucket  TEXT PRIMARY KEY,
            config  TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS s3_uploads (
            upload_id     TEXT PRIMARY KEY,
            bucket        TEXT NOT NULL,
            key           BLOB NOT NULL,
            content_type  TEXT,
            headers       TEXT NOT NULL,
            metadata      TEXT NOT NULL,
            initiated_at  INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS s3_uploads_by_bucket ON s3_uploads (bucket, key, initiated_at);
        CREATE TABLE IF NOT EXISTS s3_parts (
            upload_id    TEXT NOT NULL,
            part_number  INTEGER NOT NULL,
            body         TEXT NOT NULL,
            size         INTEGER NOT NULL,
            etag         TEXT NOT NULL,
            modified_at  INTEGER NOT NULL,
            PRIMARY KEY (upload_id, part_number)
        ) WITHOUT ROWID;
        ",
    )?;
    // Folders created before objects kept their additional checksums.
    add_column(conn, "s3_objects", "checksum", "TEXT")?;
    add_column(conn, "s3_parts", "checksum", "TEXT")?;
    add_column(conn, "s3_uploads", "checksum_algorithm", "TEXT")?;
    Ok(())
}

fn checksum_column(checksum: Option<&ChecksumRecord>) -> Option<String> {
    checksum.map(ChecksumRecord::to_column)
}

fn checksum_record(column: Option<String>) -> Result<Option<ChecksumRecord>, StoreError> {
    column
        .map(|c| {
            ChecksumRecord::from_column(&c).ok_or_else(|| StoreError::Corrupt("s3 checksum".into()))
        })
        .transpose()
}

const OBJECT_COLUMNS: &str =
    "bucket, key, body, size, etag, content_type, headers, metadata, modified_at, checksum";

type ObjectRow = (
    String,
    Vec<u8>,
    String,
    i64,
    String,
    Option<String>,
    String,
    String,
    i64,
    Option<String>,
);

fn object_row(r: &Row<'_>) -> rusqlite::Result<ObjectRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
    ))
}

fn object_record(row: ObjectRow) -> Result<ObjectRecord, StoreError> {
    let (bucket, key, body, size, etag, content_type, headers, metadata, modified, checksum) = row;
    Ok(ObjectRecord {
        bucket,
        key: String::from_utf8(key).map_err(|_| StoreError::Corrupt("s3 key".into()))?,
        body,
        size: u64::try_from(size).map_err(|_| StoreError::Corrupt("s3 size".into()))?,
        etag,
        content_type,
        headers: from_json(&headers)?,
        metadata: from_json(&metadata)?,
        last_modified: Timestamp(modified),
        checksum: checksum_record(checksum)?,
    })
}

fn bucket_exists(conn: &Connection, name: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM s3_buckets WHERE name = ?1")?
        .query_row(params![name], |_| Ok(()))
        .optional()?
        .is_some())
}

const UPLOAD_COLUMNS: &str =
    "upload_id, bucket, key, content_type, headers, metadata, initiated_at, checksum_algorithm";

type UploadRow = (
    String,
    String,
    Vec<u8>,
    Option<String>,
    String,
    String,
    i64,
    Option<String>,
);

fn upload_row(r: &Row<'_>) -> rusqlite::Result<UploadRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
    ))
}

fn upload_record(row: UploadRow) -> Result<UploadRecord, StoreError> {
    let (upload_id, bucket, key, content_type, headers, metadata, initiated, checksum_algorithm) =
        row;
    Ok(UploadRecord {
        upload_id,
        bucket,
        key: String::from_utf8(key).map_err(|_| StoreError::Corrupt("s3 key".into()))?,
        content_type,
        headers: from_json(&headers)?,
        metadata: from_json(&metadata)?,
        initiated: Timestamp(initiated),
        checksum_algorithm,
    })
}

fn read_upload(conn: &Connection, upload_id: &str) -> Result<Option<UploadRecord>, StoreError> {
    conn.prepare_cached(&format!(
        "SELECT {UPLOAD_COLUMNS} FROM s3_uploads WHERE upload_id = ?1"
    ))?
    .query_row(params![upload_id], upload_row)
    .optional()?
    .map(upload_record)
    .transpose()
}

fn part_bodies(conn: &Connection, upload_id: &str) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT body FROM s3_parts WHERE upload_id = ?1")?;
    let rows = stmt.query_map(params![upload_id], |r| r.get(0))?;
    Ok(rows.collect::<Result<Vec<String>, _>>()?)
}

/// Ends an upload: its rows go, and the bodies of its parts are returned.
fn end_upload(conn: &Connection, upload_id: &str) -> Result<Vec<String>, StoreError> {
    let bodies = part_bodies(conn, upload_id)?;
    conn.prepare_cached("DELETE FROM s3_parts WHERE upload_id = ?1")?
        .execute(params![upload_id])?;
    conn.prepare_cached("DELETE FROM s3_uploads WHERE upload_id = ?1")?
        .execute(params![upload_id])?;
    Ok(bodies)
}

/// Stores an object row, returning the body of the one it replaced.
fn write_object(conn: &Connection, object: &ObjectRecord) -> Result<Option<String>, StoreError> {
    let replaced = body_of(conn, &object.bucket, &object.key)?;
    conn.prepare_cached(
        "INSERT OR REPLACE INTO s3_objects
         (bucket, key, body, size, etag, content_type, headers, metadata, modified_at, checksum)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        object.bucket,
        object.key.as_bytes(),
        object.body,
        i64::try_from(object.size).unwrap_or(i64::MAX),
        object.etag,
        object.content_type,
        to_json(&object.headers)?,
        to_json(&object.metadata)?,
        object.last_modified.0,
        checksum_column(object.checksum.as_ref())
    ])?;
    Ok(replaced)
}

fn body_of(conn: &Connection, bucket: &str, key: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT body FROM s3_objects WHERE bucket = ?1 AND key = ?2")?
        .query_row(params![bucket, key.as_bytes()], |r| r.get(0))
        .optional()?)
}

#[async_trait]
impl S3Store for SqliteStore {
    async fn create_bucket(&self, bucket: BucketRecord) -> Result<bool, StoreError> {
        self.inner
            .writer
            .write(move |conn, _| {
                let n = conn
                    .prepare_cached(
                        "INSERT OR IGNORE INTO s3_buckets (name, region, created_at)
                         VALUES (?1, ?2, ?3)",
                    )?
                    .execute(params![bucket.name, bucket.region, bucket.created_at.0])?;
                Ok(n > 0)
            })
            .await
    }

    async fn delete_bucket(&self, name: &str) -> Result<BucketDeleted, StoreError> {
        let name = name.to_string();
        self.inner
            .writer
            .write(move |conn, _| {
                if !bucket_exists(conn, &name)? {
                    return Ok(BucketDeleted::NoSuchBucket);
                }
                let any = conn
                    .prepare_cached(
                        "SELECT 1 FROM s3_objects WHERE bucket = ?1
                         UNION ALL SELECT 1 FROM s3_uploads WHERE bucket = ?1 LIMIT 1",
                    )?
                    .query_row(params![name], |_| Ok(()))
                    .optional()?;
                if any.is_some() {
                    return Ok(BucketDeleted::NotEmpty);
                }
                conn.prepare_cached("DELETE FROM s3_buckets WHERE name = ?1")?
                    .execute(params![name])?;
                conn.prepare_cached("DELETE FROM s3_notifications WHERE bucket = ?1")?
                    .execute(params![name])?;
                Ok(BucketDeleted::Deleted)
            })
            .await
    }

    async fn bucket(&self, name: &str) -> Result<Option<BucketRecord>, StoreError> {
        let name = name.to_string();
        self.read(move |conn| {
            Ok(conn
                .prepare_cached("SELECT name, region, created_at FROM s3_buckets WHERE name = ?1")?
                .query_row(params![name], |r| {
                    Ok(BucketRecord {
                        name: r.get(0)?,
                        region: r.get(1)?,
                        created_at: Timestamp(r.get(2)?),
                    })
                })
                .optional()?)
        })
        .await
    }

    async fn list_buckets(&self) -> Result<Vec<BucketRecord>, StoreError> {
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached("SELECT name, region, created_at FROM s3_buckets ORDER BY name")?;
            let rows = stmt.query_map([], |r| {
                Ok(BucketRecord {
                    name: r.get(0)?,
                    region: r.get(1)?,
                    created_at: Timestamp(r.get(2)?),
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn set_notifications(
        &self,
        bucket: &str,
        config: String,
        owed: Vec<NewDelivery>,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let bucket = bucket.to_string();
        self.inner
            .writer
            .write(move |conn, counts| {
                if !bucket_exists(conn, &bucket)? {
                    return Ok(false);
                }
                conn.prepare_cached(
                    "INSERT OR REPLACE INTO s3_notifications (bucket, config) VALUES (?1, ?2)",
                )?
                .execute(params![bucket, config])?;
                owe(conn, counts, &owed, now)?;
                Ok(true)
            })
            .await
    }

    async fn notifications(&self, bucket: &str) -> Result<Option<String>, StoreError> {
        let bucket = bucket.to_string();
        self.read(move |conn| {
            Ok(conn
                .prepare_cached("SELECT config FROM s3_notifications WHERE bucket = ?1")?
                .query_row(params![bucket], |r| r.get(0))
                .optional()?)
        })
        .await
    }

    async fn put_object(
        &self,
        object: ObjectRecord,
        owed: Vec<NewDelivery>,
    ) -> Result<ObjectPut, StoreError> {
        self.inner
            .writer
            .write(move |conn, counts| {
                if !bucket_exists(conn, &object.bucket)? {
                    return Ok(ObjectPut::NoSuchBucket);
                }
                let replaced = write_object(conn, &object)?;
                owe(conn, counts, &owed, object.last_modified)?;
                Ok(ObjectPut::Stored { replaced })
            })
            .await
    }

    async fn object(&self, bucket: &str, key: &str) -> Result<Option<ObjectRecord>, StoreError> {
        let (bucket, key) = (bucket.to_string(), key.to_string());
        self.read(move |conn| {
            conn.prepare_cached(&format!(
                "SELECT {OBJECT_COLUMNS} FROM s3_objects WHERE bucket = ?1 AND key = ?2"
            ))?
            .query_row(params![bucket, key.as_bytes()], object_row)
            .optional()?
            .map(object_record)
            .transpose()
        })
        .await
    }

    async fn delete_object(
        &self,
        bucket: &str,
        key: &str,
        owed: Vec<NewDelivery>,
        now: Timestamp,
    ) -> Result<ObjectDeleted, StoreError> {
        let (bucket, key) = (bucket.to_string(), key.to_string());
        self.inner
            .writer
            .write(move |conn, counts| {
                if !bucket_exists(conn, &bucket)? {
                    return Ok(ObjectDeleted::NoSuchBucket);
                }
                let body = body_of(conn, &bucket, &key)?;
                if body.is_some() {
                    owe(conn, counts, &owed, now)?;
                }
                conn.prepare_cached("DELETE FROM s3_objects WHERE bucket = ?1 AND key = ?2")?
                    .execute(params![bucket, key.as_bytes()])?;
                Ok(ObjectDeleted::Done { body })
            })
            .await
    }

    async fn list_objects(
        &self,
        bucket: &str,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Option<Vec<ObjectRecord>>, StoreError> {
        let (bucket, prefix) = (bucket.to_string(), prefix.to_string());
        let after = after.map(str::to_string);
        self.read(move |conn| {
            if !bucket_exists(conn, &bucket)? {
                return Ok(None);
            }
            // Start at the later of the prefix and `after`; stop at the first key past the
            // prefix (checked per row, so no upper bound has to be computed).
            let from = match &after {
                Some(a) if a.as_str() >= prefix.as_str() => a.clone(),
                _ => prefix.clone(),
            };
            let inclusive = after.as_deref().is_none_or(|a| a < prefix.as_str());
            let op = if inclusive { ">=" } else { ">" };
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {OBJECT_COLUMNS} FROM s3_objects
                 WHERE bucket = ?1 AND key {op} ?2 ORDER BY key LIMIT ?3"
            ))?;
            let mut out = Vec::new();
            let mut rows = stmt.query(params![
                bucket,
                from.as_bytes(),
                i64::try_from(limit).unwrap_or(i64::MAX)
            ])?;
            while let Some(row) = rows.next()? {
                let record = object_record(object_row(row)?)?;
                if !record.key.starts_with(prefix.as_str()) {
                    break;
                }
                out.push(record);
            }
            Ok(Some(out))
        })
        .await
    }
    async fn create_upload(&self, upload: UploadRecord) -> Result<bool, StoreError> {
        self.inner
            .writer
            .write(move |conn, _| {
                if !bucket_exists(conn, &upload.bucket)? {
                    return Ok(false);
                }
                conn.prepare_cached(
                    "INSERT INTO s3_uploads
                     (upload_id, bucket, key, content_type, headers, metadata, initiated_at,
                      checksum_algorithm)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?
                .execute(params![
                    upload.upload_id,
                    upload.bucket,
                    upload.key.as_bytes(),
                    upload.content_type,
                    to_json(&upload.headers)?,
                    to_json(&upload.metadata)?,
                    upload.initiated.0,
                    upload.checksum_algorithm
                ])?;
                Ok(true)
            })
            .await
    }

    async fn upload(&self, upload_id: &str) -> Result<Option<UploadRecord>, StoreError> {
        let upload_id = upload_id.to_string();
        self.read(move |conn| read_upload(conn, &upload_id)).await
    }

    async fn put_part(&self, upload_id: &str, part: PartRecord) -> Result<PartPut, StoreError> {
        let upload_id = upload_id.to_string();
        self.inner
            .writer
            .write(move |conn, _| {
                if read_upload(conn, &upload_id)?.is_none() {
                    return Ok(PartPut::NoSuchUpload);
                }
                let replaced: Option<String> = conn
                    .prepare_cached(
                        "SELECT body FROM s3_parts WHERE upload_id = ?1 AND part_number = ?2",
                    )?
                    .query_row(params![upload_id, part.part_number], |r| r.get(0))
                    .optional()?;
                conn.prepare_cached(
                    "INSERT OR REPLACE INTO s3_parts
                     (upload_id, part_number, body, size, etag, modified_at, checksum)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![
                    upload_id,
                    part.part_number,
                    part.body,
                    i64::try_from(part.size).unwrap_or(i64::MAX),
                    part.etag,
                    part.last_modified.0,
                    checksum_column(part.checksum.as_ref())
                ])?;
                Ok(PartPut::Stored { replaced })
            })
            .await
    }

    async fn parts(&self, upload_id: &str) -> Result<Vec<PartRecord>, StoreError> {
        let upload_id = upload_id.to_string();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT part_number, body, size, etag, modified_at, checksum FROM s3_parts
                 WHERE upload_id = ?1 ORDER BY part_number",
            )?;
            let rows = stmt.query_map(params![upload_id], |r| {
                Ok((
                    r.get::<_, u32>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            })?;
            let mut parts = Vec::new();
            for row in rows {
                let (part_number, body, size, etag, modified, checksum) = row?;
                parts.push(PartRecord {
                    part_number,
                    body,
                    size: u64::try_from(size)
                        .map_err(|_| StoreError::Corrupt("part size".into()))?,
                    etag,
                    last_modified: Timestamp(modified),
                    checksum: checksum_record(checksum)?,
                });
            }
            Ok(parts)
        })
        .await
    }

    async fn complete_upload(
        &self,
        upload_id: &str,
        object: ObjectRecord,
        owed: Vec<NewDelivery>,
    ) -> Result<UploadCompleted, StoreError> {
        let upload_id = upload_id.to_string();
        self.inner
            .writer
            .write(move |conn, counts| {
                if read_upload(conn, &upload_id)?.is_none() {
                    return Ok(UploadCompleted::NoSuchUpload);
                }
                let mut unreferenced = end_upload(conn, &upload_id)?;
                unreferenced.extend(write_object(conn, &object)?);
                owe(conn, counts, &owed, object.last_modified)?;
                Ok(UploadCompleted::Stored { unreferenced })
            })
            .await
    }

    async fn abort_upload(&self, upload_id: &str) -> Result<Option<Vec<String>>, StoreError> {
        let upload_id = upload_id.to_string();
        self.inner
            .writer
            .write(move |conn, _| {
                if read_upload(conn, &upload_id)?.is_none() {
                    return Ok(None);
                }
                Ok(Some(end_upload(conn, &upload_id)?))
            })
            .await
    }

    async fn list_uploads(&self, bucket: &str) -> Result<Option<Vec<UploadRecord>>, StoreError> {
        let bucket = bucket.to_string();
        self.read(move |conn| {
            if !bucket_exists(conn, &bucket)? {
                return Ok(None);
            }
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {UPLOAD_COLUMNS} FROM s3_uploads WHERE bucket = ?1
                 ORDER BY key, initiated_at, upload_id"
            ))?;
            let rows = stmt.query_map(params![bucket], upload_row)?;
            let mut out = Vec::new();
            for row in rows {
                out.push(upload_record(row?)?);
            }
            Ok(Some(out))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    conformance_tests!(
        crate::conformance::s3;
        buckets_are_created_once_and_listed_by_name,
        a_bucket_with_objects_is_not_deleted,
        objects_replace_and_delete,
        listing_by_prefix_and_after_in_byte_order,
        objects_need_their_bucket,
        multipart_uploads_complete_and_abort,
        notifications_commit_with_the_object_write,
    );
}
