//! [`S3Store`] on PostgreSQL: `s3_buckets`, `s3_objects` (one row per key, its body named by
//! id), `s3_notifications`, `s3_uploads` and `s3_parts`, as on SQLite. A write to a key takes a
//! transaction-scoped advisory lock on it first, so two nodes putting the same key one after
//! the other each learn the body they replaced (none is orphaned); object writes hold their
//! bucket row `FOR SHARE`, so a bucket cannot be deleted under them.

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use lambkin_model::Timestamp;
use lambkin_store::{
    BucketDeleted, BucketRecord, ChecksumRecord, NewDelivery, ObjectDeleted, ObjectPut,
    ObjectRecord, PartPut, PartRecord, S3Store, StoreError, UploadCompleted, UploadRecord,
};

use crate::error::db;
use crate::outbox_ops::insert_deliveries;
use crate::{PgStore, from_json, to_json};

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

fn checksum_column(checksum: Option<&ChecksumRecord>) -> Option<String> {
    checksum.map(ChecksumRecord::to_column)
}

fn checksum_record(column: Option<String>) -> Result<Option<ChecksumRecord>, StoreError> {
    column
        .map(|c| ChecksumRecord::from_column(&c).ok_or_else(|| corrupt("s3 checksum")))
        .transpose()
}

const OBJECT_COLUMNS: &str =
    "bucket, key, body, size, etag, content_type, headers, metadata, modified_at, checksum";

fn object_record(r: &tokio_postgres::Row) -> Result<ObjectRecord, StoreError> {
    Ok(ObjectRecord {
        bucket: r.get(0),
        key: String::from_utf8(r.get(1)).map_err(|_| corrupt("s3 key"))?,
        body: r.get(2),
        size: u64::try_from(r.get::<_, i64>(3)).map_err(|_| corrupt("s3 size"))?,
        etag: r.get(4),
        content_type: r.get(5),
        headers: from_json(r.get(6))?,
        metadata: from_json(r.get(7))?,
        last_modified: Timestamp(r.get(8)),
        checksum: checksum_record(r.get(9))?,
    })
}

const UPLOAD_COLUMNS: &str =
    "upload_id, bucket, key, content_type, headers, metadata, initiated_at, checksum_algorithm";

fn upload_record(r: &tokio_postgres::Row) -> Result<UploadRecord, StoreError> {
    Ok(UploadRecord {
        upload_id: r.get(0),
        bucket: r.get(1),
        key: String::from_utf8(r.get(2)).map_err(|_| corrupt("s3 key"))?,
        content_type: r.get(3),
        headers: from_json(r.get(4))?,
        metadata: from_json(r.get(5))?,
        initiated: Timestamp(r.get(6)),
        checksum_algorithm: r.get(7),
    })
}

/// Whether the bucket exists, holding its row (`FOR SHARE`) until the transaction ends.
async fn hold_bucket(client: &impl GenericClient, name: &str) -> Result<bool, StoreError> {
    Ok(client
        .query_opt(
            "SELECT 1 FROM s3_buckets WHERE name = $1 FOR SHARE",
            &[&name],
        )
        .await
        .map_err(db)?
        .is_some())
}

/// Serialises writes to one key across nodes, for the rest of the transaction.
async fn lock_key(client: &impl GenericClient, bucket: &str, key: &str) -> Result<(), StoreError> {
    client
        .execute(
            "SELECT pg_advisory_xact_lock(hashtextextended('s3/' || $1 || '/' || $2, 0))",
            &[&bucket, &key],
        )
        .await
        .map_err(db)?;
    Ok(())
}

async fn upload_of(
    client: &impl GenericClient,
    upload_id: &str,
    lock: &str,
) -> Result<Option<UploadRecord>, StoreError> {
    client
        .query_opt(
            &format!("SELECT {UPLOAD_COLUMNS} FROM s3_uploads WHERE upload_id = $1 {lock}"),
            &[&upload_id],
        )
        .await
        .map_err(db)?
        .as_ref()
        .map(upload_record)
        .transpose()
}

/// Ends an upload: its rows go, and the bodies of its parts are returned.
async fn end_upload(
    client: &impl GenericClient,
    upload_id: &str,
) -> Result<Vec<String>, StoreError> {
    let bodies = client
        .query(
            "DELETE FROM s3_parts WHERE upload_id = $1 RETURNING body",
            &[&upload_id],
        )
        .await
        .map_err(db)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    client
        .execute("DELETE FROM s3_uploads WHERE upload_id = $1", &[&upload_id])
        .await
        .map_err(db)?;
    Ok(bodies)
}

/// Stores an object row (its key locked by the caller), returning the body it replaced.
async fn write_object(
    client: &impl GenericClient,
    object: &ObjectRecord,
) -> Result<Option<String>, StoreError> {
    let key = object.key.as_bytes();
    let replaced: Option<String> = client
        .query_opt(
            "SELECT body FROM s3_objects WHERE bucket = $1 AND key = $2",
            &[&object.bucket, &key],
        )
        .await
        .map_err(db)?
        .map(|r| r.get(0));
    client
        .execute(
            "INSERT INTO s3_objects
             (bucket, key, body, size, etag, content_type, headers, metadata, modified_at, checksum)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (bucket, key) DO UPDATE SET body = excluded.body,
                 size = excluded.size, etag = excluded.etag,
                 content_type = excluded.content_type, headers = excluded.headers,
                 metadata = excluded.metadata, modified_at = excluded.modified_at,
                 checksum = excluded.checksum",
            &[
                &object.bucket,
                &key,
                &object.body,
                &i64::try_from(object.size).unwrap_or(i64::MAX),
                &object.etag,
                &object.content_type,
                &to_json(&object.headers)?,
                &to_json(&object.metadata)?,
                &object.last_modified.0,
                &checksum_column(object.checksum.as_ref()),
            ],
        )
        .await
        .map_err(db)?;
    Ok(replaced)
}

async fn owe(
    client: &impl GenericClient,
    owed: &[NewDelivery],
    now: Timestamp,
) -> Result<(), StoreError> {
    insert_deliveries(client, owed, now).await
}

fn bucket_record(r: &tokio_postgres::Row) -> BucketRecord {
    BucketRecord {
        name: r.get(0),
        region: r.get(1),
        created_at: Timestamp(r.get(2)),
    }
}

#[async_trait]
impl S3Store for PgStore {
    async fn create_bucket(&self, bucket: BucketRecord) -> Result<bool, StoreError> {
        let n = self
            .client()
            .await?
            .execute(
                "INSERT INTO s3_buckets (name, region, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (name) DO NOTHING",
                &[&bucket.name, &bucket.region, &bucket.created_at.0],
            )
            .await
            .map_err(db)?;
        Ok(n > 0)
    }

    async fn delete_bucket(&self, name: &str) -> Result<BucketDeleted, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        // FOR UPDATE waits for object writes holding the bucket FOR SHARE.
        let exists = tx
            .query_opt(
                "SELECT 1 FROM s3_buckets WHERE name = $1 FOR UPDATE",
                &[&name],
            )
            .await
            .map_err(db)?
            .is_some();
        if !exists {
            return Ok(BucketDeleted::NoSuchBucket);
        }
        let any = tx
            .query_opt(
                "SELECT 1 FROM s3_objects WHERE bucket = $1
                 UNION ALL SELECT 1 FROM s3_uploads WHERE bucket = $1 LIMIT 1",
                &[&name],
            )
            .await
            .map_err(db)?;
        if any.is_some() {
            return Ok(BucketDeleted::NotEmpty);
        }
        tx.execute("DELETE FROM s3_buckets WHERE name = $1", &[&name])
            .await
            .map_err(db)?;
        tx.execute("DELETE FROM s3_notifications WHERE bucket = $1", &[&name])
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(BucketDeleted::Deleted)
    }

    async fn bucket(&self, name: &str) -> Result<Option<BucketRecord>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT name, region, created_at FROM s3_buckets WHERE name = $1",
                &[&name],
            )
            .await
            .map_err(db)?;
        Ok(row.as_ref().map(bucket_record))
    }

    async fn list_buckets(&self) -> Result<Vec<BucketRecord>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT name, region, created_at FROM s3_buckets ORDER BY name",
                &[],
            )
            .await
            .map_err(db)?;
        Ok(rows.iter().map(bucket_record).collect())
    }

    async fn set_notifications(
        &self,
        bucket: &str,
        config: String,
        owed: Vec<NewDelivery>,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        if !hold_bucket(&tx, bucket).await? {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO s3_notifications (bucket, config) VALUES ($1, $2)
             ON CONFLICT (bucket) DO UPDATE SET config = excluded.config",
            &[&bucket, &config],
        )
        .await
        .map_err(db)?;
        owe(&tx, &owed, now).await?;
        tx.commit().await.map_err(db)?;
        Ok(true)
    }

    async fn notifications(&self, bucket: &str) -> Result<Option<String>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT config FROM s3_notifications WHERE bucket = $1",
                &[&bucket],
            )
            .await
            .map_err(db)?;
        Ok(row.map(|r| r.get(0)))
    }

    async fn put_object(
        &self,
        object: ObjectRecord,
        owed: Vec<NewDelivery>,
    ) -> Result<ObjectPut, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        if !hold_bucket(&tx, &object.bucket).await? {
            return Ok(ObjectPut::NoSuchBucket);
        }
        lock_key(&tx, &object.bucket, &object.key).await?;
        let replaced = write_object(&tx, &object).await?;
        owe(&tx, &owed, object.last_modified).await?;
        tx.commit().await.map_err(db)?;
        Ok(ObjectPut::Stored { replaced })
    }

    async fn object(&self, bucket: &str, key: &str) -> Result<Option<ObjectRecord>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt(
                &format!("SELECT {OBJECT_COLUMNS} FROM s3_objects WHERE bucket = $1 AND key = $2"),
                &[&bucket, &key.as_bytes()],
            )
            .await
            .map_err(db)?;
        row.as_ref().map(object_record).transpose()
    }

    async fn delete_object(
        &self,
        bucket: &str,
        key: &str,
        owed: Vec<NewDelivery>,
        now: Timestamp,
    ) -> Result<ObjectDeleted, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        if !hold_bucket(&tx, bucket).await? {
            return Ok(ObjectDeleted::NoSuchBucket);
        }
        lock_key(&tx, bucket, key).await?;
        let body: Option<String> = tx
            .query_opt(
                "DELETE FROM s3_objects WHERE bucket = $1 AND key = $2 RETURNING body",
                &[&bucket, &key.as_bytes()],
            )
            .await
            .map_err(db)?
            .map(|r| r.get(0));
        if body.is_some() {
            owe(&tx, &owed, now).await?;
        }
        tx.commit().await.map_err(db)?;
        Ok(ObjectDeleted::Done { body })
    }

    async fn list_objects(
        &self,
        bucket: &str,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Option<Vec<ObjectRecord>>, StoreError> {
        let client = self.client().await?;
        let exists = client
            .query_opt("SELECT 1 FROM s3_buckets WHERE name = $1", &[&bucket])
            .await
            .map_err(db)?
            .is_some();
        if !exists {
            return Ok(None);
        }
        // Start at the later of the prefix and `after`; stop at the first key past the prefix.
        let from = match after {
            Some(a) if a >= prefix => a,
            _ => prefix,
        };
        let inclusive = after.is_none_or(|a| a < prefix);
        let op = if inclusive { ">=" } else { ">" };
        let rows = client
            .query(
                &format!(
                    "SELECT {OBJECT_COLUMNS} FROM s3_objects
                     WHERE bucket = $1 AND key {op} $2 ORDER BY key LIMIT $3"
                ),
                &[
                    &bucket,
                    &from.as_bytes(),
                    &i64::try_from(limit).unwrap_or(i64::MAX),
                ],
            )
            .await
            .map_err(db)?;
        let mut out = Vec::new();
        for row in &rows {
            let record = object_record(row)?;
            if !record.key.starts_with(prefix) {
                break;
            }
            out.push(record);
        }
        Ok(Some(out))
    }

    async fn create_upload(&self, upload: UploadRecord) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        if !hold_bucket(&tx, &upload.bucket).await? {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO s3_uploads
             (upload_id, bucket, key, content_type, headers, metadata, initiated_at,
              checksum_algorithm)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &upload.upload_id,
                &upload.bucket,
                &upload.key.as_bytes(),
                &upload.content_type,
                &to_json(&upload.headers)?,
                &to_json(&upload.metadata)?,
                &upload.initiated.0,
                &upload.checksum_algorithm,
            ],
        )
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(true)
    }

    async fn upload(&self, upload_id: &str) -> Result<Option<UploadRecord>, StoreError> {
        upload_of(&self.client().await?, upload_id, "").await
    }

    async fn put_part(&self, upload_id: &str, part: PartRecord) -> Result<PartPut, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        // Held FOR SHARE: a completion or abort (FOR UPDATE) waits for this part.
        if upload_of(&tx, upload_id, "FOR SHARE").await?.is_none() {
            return Ok(PartPut::NoSuchUpload);
        }
        let number = i32::try_from(part.part_number).unwrap_or(i32::MAX);
        let replaced: Option<String> = tx
            .query_opt(
                "SELECT body FROM s3_parts WHERE upload_id = $1 AND part_number = $2 FOR UPDATE",
                &[&upload_id, &number],
            )
            .await
            .map_err(db)?
            .map(|r| r.get(0));
        tx.execute(
            "INSERT INTO s3_parts (upload_id, part_number, body, size, etag, modified_at, checksum)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (upload_id, part_number) DO UPDATE SET body = excluded.body,
                 size = excluded.size, etag = excluded.etag,
                 modified_at = excluded.modified_at, checksum = excluded.checksum",
            &[
                &upload_id,
                &number,
                &part.body,
                &i64::try_from(part.size).unwrap_or(i64::MAX),
                &part.etag,
                &part.last_modified.0,
                &checksum_column(part.checksum.as_ref()),
            ],
        )
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(PartPut::Stored { replaced })
    }

    async fn parts(&self, upload_id: &str) -> Result<Vec<PartRecord>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT part_number, body, size, etag, modified_at, checksum FROM s3_parts
                 WHERE upload_id = $1 ORDER BY part_number",
                &[&upload_id],
            )
            .await
            .map_err(db)?;
        rows.iter()
            .map(|r| {
                Ok(PartRecord {
                    part_number: u32::try_from(r.get::<_, i32>(0))
                        .map_err(|_| corrupt("part number"))?,
                    body: r.get(1),
                    size: u64::try_from(r.get::<_, i64>(2)).map_err(|_| corrupt("part size"))?,
                    etag: r.get(3),
                    last_modified: Timestamp(r.get(4)),
                    checksum: checksum_record(r.get(5))?,
                })
            })
            .collect()
    }

    async fn complete_upload(
        &self,
        upload_id: &str,
        object: ObjectRecord,
        owed: Vec<NewDelivery>,
    ) -> Result<UploadCompleted, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        if upload_of(&tx, upload_id, "FOR UPDATE").await?.is_none() {
            return Ok(UploadCompleted::NoSuchUpload);
        }
        lock_key(&tx, &object.bucket, &object.key).await?;
        let mut unreferenced = end_upload(&tx, upload_id).await?;
        unreferenced.extend(write_object(&tx, &object).await?);
        owe(&tx, &owed, object.last_modified).await?;
        tx.commit().await.map_err(db)?;
        Ok(UploadCompleted::Stored { unreferenced })
    }

    async fn abort_upload(&self, upload_id: &str) -> Result<Option<Vec<String>>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        if upload_of(&tx, upload_id, "FOR UPDATE").await?.is_none() {
            return Ok(None);
        }
        let bodies = end_upload(&tx, upload_id).await?;
        tx.commit().await.map_err(db)?;
        Ok(Some(bodies))
    }

    async fn list_uploads(&self, bucket: &str) -> Result<Option<Vec<UploadRecord>>, StoreError> {
        let client = self.client().await?;
        let exists = client
            .query_opt("SELECT 1 FROM s3_buckets WHERE name = $1", &[&bucket])
            .await
            .map_err(db)?
            .is_some();
        if !exists {
            return Ok(None);
        }
        let rows = client
            .query(
                &format!(
                    "SELECT {UPLOAD_COLUMNS} FROM s3_uploads WHERE bucket = $1
                     ORDER BY key, initiated_at, upload_id"
                ),
                &[&bucket],
            )
            .await
            .map_err(db)?;
        rows.iter()
            .map(upload_record)
            .collect::<Result<_, _>>()
            .map(Some)
    }
}
