//! CreateBucket, DeleteBucket, HeadBucket, ListBuckets.

use s3s::dto::{
    Bucket, CreateBucketInput, CreateBucketOutput, DeleteBucketInput, DeleteBucketOutput,
    HeadBucketInput, HeadBucketOutput, ListBucketsInput, ListBucketsOutput, Owner,
};
use s3s::{S3Request, S3Response, S3Result};

use super::error::to_wire;
use super::{Adapter, timestamp};

impl Adapter {
    pub(super) async fn create_bucket_op(
        &self,
        req: S3Request<CreateBucketInput>,
    ) -> S3Result<S3Response<CreateBucketOutput>> {
        let input = req.input;
        let region = input
            .create_bucket_configuration
            .as_ref()
            .and_then(|c| c.location_constraint.as_ref())
            .map(|l| l.as_str().to_string());
        self.s3
            .create_bucket(&input.bucket, region.as_deref())
            .await
            .map_err(to_wire)?;
        Ok(S3Response::new(CreateBucketOutput {
            location: Some(format!("/{}", input.bucket)),
        }))
    }

    pub(super) async fn delete_bucket_op(
        &self,
        req: S3Request<DeleteBucketInput>,
    ) -> S3Result<S3Response<DeleteBucketOutput>> {
        self.s3
            .delete_bucket(&req.input.bucket)
            .await
            .map_err(to_wire)?;
        Ok(S3Response::new(DeleteBucketOutput::default()))
    }

    pub(super) async fn head_bucket_op(
        &self,
        req: S3Request<HeadBucketInput>,
    ) -> S3Result<S3Response<HeadBucketOutput>> {
        let bucket = self
            .s3
            .head_bucket(&req.input.bucket)
            .await
            .map_err(to_wire)?;
        Ok(S3Response::new(HeadBucketOutput {
            bucket_region: Some(bucket.region),
            ..Default::default()
        }))
    }

    pub(super) async fn list_buckets_op(
        &self,
        _req: S3Request<ListBucketsInput>,
    ) -> S3Result<S3Response<ListBucketsOutput>> {
        let buckets = self.s3.list_buckets().await.map_err(to_wire)?;
        Ok(S3Response::new(ListBucketsOutput {
            buckets: Some(
                buckets
                    .into_iter()
                    .map(|b| Bucket {
                        name: Some(b.name),
                        creation_date: Some(timestamp(b.created_at)),
                        bucket_region: Some(b.region),
                    })
                    .collect(),
            ),
            owner: Some(Owner {
                display_name: Some("lambkin".into()),
                id: Some(self.s3.scope().account.clone()),
            }),
            ..Default::default()
        }))
    }
}
