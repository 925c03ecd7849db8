//! The S3 half of the storage contract: buckets and the metadata of their objects. An object's
//! bytes live in a [`crate::BodyStore`], named by the body id kept here, so the key a client
//! chose never becomes a path on disk.

use std::collections::BTreeMap;

use async_trait::async_trait;
use lambkin_model::Timestamp;

use crate::{NewDelivery, StoreError};

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
    /// The additional checksum the client sent (or asked for) with the bytes.
    pub checksum: Option<ChecksumRecord>,
}

/// An additional checksum as S3 stores it: the algorithm's S3 name (`CRC32`, `CRC32C`,
/// `CRC64NVME`, `SHA1`, `SHA256`) and the base64 digest; a multipart object's composite
/// checksum ends in `-<parts>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecksumRecord {
    pub algorithm: String,
    pub value: String,
}

impl ChecksumRecord {
    /// The checksum in one column, as every backend stores it: `<algorithm> <base64>` (base64
    /// holds no space).
    pub fn to_column(&self) -> String {
        format!("{} {}", self.algorithm, self.value)
    }

    /// A column written by [`ChecksumRecord::to_column`]; `None` if it is not one.
    pub fn from_column(column: &str) -> Option<Self> {
        let (algorithm, value) = column.split_once(' ')?;
        Some(ChecksumRecord {
            algorithm: algorithm.to_string(),
            value: value.to_string(),
        })
    }
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
    /// It holds objects or uploads in progress.
    NotEmpty,
    NoSuchBucket,
}

/// A multipart upload in progress: what the object will be stored with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadRecord {
    pub upload_id: String,
    pub bucket: String,
    pub key: String,
    pub content_type: Option<String>,
    pub headers: BTreeMap<String, String>,
    pub metadata: BTreeMap<String, String>,
    pub initiated: Timestamp,
    /// The checksum algorithm named at creation, which every part then carries.
    pub checksum_algorithm: Option<String>,
}

/// One uploaded part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartRecord {
    pub part_number: u32,
    /// The [`crate::BodyStore`] id of its bytes.
    pub body: String,
    pub size: u64,
    /// Hex MD5 of the part, without quotes.
    pub etag: String,
    pub last_modified: Timestamp,
    pub checksum: Option<ChecksumRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartPut {
    /// Stored; the body of the part it replaced (same number), which the caller removes.
    Stored {
        replaced: Option<String>,
    },
    NoSuchUpload,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadCompleted {
    /// The object is stored and the upload gone; the bodies no longer referenced (the parts,
    /// and the object it replaced), which the caller removes.
    Stored {
        unreferenced: Vec<String>,
    },
    NoSuchUpload,
}

#[async_trait]
pub trait S3Store: Send + Sync + std::fmt::Debug {
    /// False if a bucket of that name exists already (nothing changes).
    async fn create_bucket(&self, bucket: BucketRecord) -> Result<bool, StoreError>;
    async fn delete_bucket(&self, name: &str) -> Result<BucketDeleted, StoreError>;
    async fn bucket(&self, name: &str) -> Result<Option<BucketRecord>, StoreError>;
    /// Every bucket, by name.
    async fn list_buckets(&self) -> Result<Vec<BucketRecord>, StoreError>;
    /// Replaces the bucket's notification configuration (an opaque document the S3 service
    /// writes; empty turns notifications off); false if the bucket does not exist.
    /// Stores the bucket's notification configuration with the deliveries it owes at once (S3's
    /// `s3:TestEvent` to its queues and topics), in one write; false if there is no bucket.
    async fn set_notifications(
        &self,
        bucket: &str,
        config: String,
        owed: Vec<NewDelivery>,
        now: Timestamp,
    ) -> Result<bool, StoreError>;
    /// The bucket's notification configuration, if one was set.
    async fn notifications(&self, bucket: &str) -> Result<Option<String>, StoreError>;

    /// Stores `object`, replacing any under the same key, with the notifications it owes
    /// (outbox rows, due at once), in one durable write.
    async fn put_object(
        &self,
        object: ObjectRecord,
        owed: Vec<NewDelivery>,
    ) -> Result<ObjectPut, StoreError>;
    async fn object(&self, bucket: &str, key: &str) -> Result<Option<ObjectRecord>, StoreError>;
    /// Deletes `key`; if an object was there, the notifications `owed` are written with it.
    async fn delete_object(
        &self,
        bucket: &str,
        key: &str,
        owed: Vec<NewDelivery>,
        now: Timestamp,
    ) -> Result<ObjectDeleted, StoreError>;
    /// Up to `limit` objects of `bucket` whose keys start with `prefix` and sort after `after`
    /// (UTF-8 byte order, as S3 lists), in key order; `None` if the bucket does not exist.
    async fn list_objects(
        &self,
        bucket: &str,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Option<Vec<ObjectRecord>>, StoreError>;

    /// Starts an upload; false if its bucket does not exist.
    async fn create_upload(&self, upload: UploadRecord) -> Result<bool, StoreError>;
    async fn upload(&self, upload_id: &str) -> Result<Option<UploadRecord>, StoreError>;
    /// Stores a part, replacing one with the same number.
    async fn put_part(&self, upload_id: &str, part: PartRecord) -> Result<PartPut, StoreError>;
    /// The upload's parts, by number.
    async fn parts(&self, upload_id: &str) -> Result<Vec<PartRecord>, StoreError>;
    /// Stores `object` (whose body the caller assembled from the parts) and ends the upload,
    /// in one write.
    async fn complete_upload(
        &self,
        upload_id: &str,
        object: ObjectRecord,
        owed: Vec<NewDelivery>,
    ) -> Result<UploadCompleted, StoreError>;
    /// Ends the upload without an object; the bodies of its parts, or `None` if there was no
    /// such upload.
    async fn abort_upload(&self, upload_id: &str) -> Result<Option<Vec<String>>, StoreError>;
    /// The bucket's uploads in progress, by key then start; `None` if the bucket does not exist.
    async fn list_uploads(&self, bucket: &str) -> Result<Option<Vec<UploadRecord>>, StoreError>;
}
