//! The S3 half of the storage contract: buckets and the metadata of their objects. An object's
//! bytes live in a [`crate::BodyStore`], named by the body id kept here, so the key a client
//! chose never becomes a path on disk.

use std::collections::BTreeMap;

use async_trait::async_trait;
use lambkin_model::Timestamp;

use crate::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketRecord {
    pub name: String,
    pub region: String,
    pub created_at: Timestamp,
}

/// One object's metadata: what HeadObject answers, and which body holds its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRecord {
    pub bucket: String,
    pub key: String,
    /// The [`crate::BodyStore`] id of the bytes.
    pub body: String,
    pub size: u64,
    /// Without quotes: hex MD5 for a single-part upload.
    pub etag: String,
    pub content_type: Option<String>,
    /// The other standard headers stored with the object (`Content-Encoding`, `Cache-Control`,
    /// ...), by lowercase name.
    pub headers: BTreeMap<String, String>,
    /// User metadata (`x-amz-meta-*`), by lowercase name without the prefix.
    pub metadata: BTreeMap<String, String>,
    pub last_modified: Timestamp,
}

/// What a put did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectPut {
    /// Stored; the body of the object it replaced, which the caller removes.
    Stored {
        replaced: Option<String>,
    },
    NoSuchBucket,
}

/// What a delete did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectDeleted {
    /// Removed (with its body to remove), or there was nothing under that key; S3 answers both
    /// alike.
    Done {
        body: Option<String>,
    },
    NoSuchBucket,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BucketDeleted {
    Deleted,
    NotEmpty,
    NoSuchBucket,
}

#[async_trait]
pub trait S3Store: Send + Sync + std::fmt::Debug {
    /// False if a bucket of that name exists already (nothing changes).
    async fn create_bucket(&self, bucket: BucketRecord) -> Result<bool, StoreError>;
    async fn delete_bucket(&self, name: &str) -> Result<BucketDeleted, StoreError>;
    async fn bucket(&self, name: &str) -> Result<Option<BucketRecord>, StoreError>;
    /// Every bucket, by name.
    async fn list_buckets(&self) -> Result<Vec<BucketRecord>, StoreError>;

    /// Stores `object`, replacing any under the same key, in one durable write.
    async fn put_object(&self, object: ObjectRecord) -> Result<ObjectPut, StoreError>;
    async fn object(&self, bucket: &str, key: &str) -> Result<Option<ObjectRecord>, StoreError>;
    async fn delete_object(&self, bucket: &str, key: &str) -> Result<ObjectDeleted, StoreError>;
    /// Up to `limit` objects of `bucket` whose keys start with `prefix` and sort after `after`
    /// (UTF-8 byte order, as S3 lists), in key order; `None` if the bucket does not exist.
    async fn list_objects(
        &self,
        bucket: &str,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Option<Vec<ObjectRecord>>, StoreError>;
}
