//! CreateBucket, DeleteBucket, HeadBucket, ListBuckets.

use lambkin_store::{BucketDeleted, BucketRecord};

use crate::{S3, S3Error, bucket_name};

impl S3 {
    /// Creates `name` in `region` (this server's when the request names none).
    pub async fn create_bucket(
        &self,
        name: &str,
        region: Option<&str>,
    ) -> Result<BucketRecord, S3Error> {
        bucket_name::check(name)?;
        let bucket = BucketRecord {
            name: name.to_string(),
            region: region.unwrap_or(&self.scope.region).to_string(),
            created_at: self.clock.now(),
        };
        if self.store.create_bucket(bucket.clone()).await? {
            Ok(bucket)
        } else {
            Err(S3Error::BucketAlreadyOwnedByYou(name.to_string()))
        }
    }

    pub async fn delete_bucket(&self, name: &str) -> Result<(), S3Error> {
        match self.store.delete_bucket(name).await? {
            BucketDeleted::Deleted => Ok(()),
            BucketDeleted::NotEmpty => Err(S3Error::BucketNotEmpty(name.to_string())),
            BucketDeleted::NoSuchBucket => Err(S3Error::NoSuchBucket(name.to_string())),
        }
    }

    pub async fn head_bucket(&self, name: &str) -> Result<BucketRecord, S3Error> {
        self.store
            .bucket(name)
            .await?
            .ok_or_else(|| S3Error::NoSuchBucket(name.to_string()))
    }

    pub async fn list_buckets(&self) -> Result<Vec<BucketRecord>, S3Error> {
        Ok(self.store.list_buckets().await?)
    }
}
