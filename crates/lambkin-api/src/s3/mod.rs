//! Amazon S3 (REST-XML), served through `s3s`, which implements S3's wire protocol: routing by
//! path and host, the XML shapes, SigV4 and aws-chunked bodies. This folder is the adapter from
//! s3s's operations to [`lambkin_s3::S3`]: `objects.rs`, `copy.rs`, `multipart.rs`, `notifications.rs` and
//! `buckets.rs`
//! hold one handler per operation, `error.rs` is the one place S3 errors are written, `auth.rs` decides which
//! signatures are checked, and `routing.rs` tells an S3 request apart from the other services
//! on the shared endpoint.
//!
//! Operations not listed here answer S3's `NotImplemented` (501) from s3s.

mod auth;
mod buckets;
mod checksums;
mod copy;
mod error;
mod multipart;
mod notifications;
mod objects;
pub(crate) mod routing;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use lambkin_engine::Engine;
use s3s::access::{S3Access, S3AccessContext};
use s3s::host::{S3Host, VirtualHost};
use s3s::service::{S3Service, S3ServiceBuilder};
use s3s::{S3Result, dto};

/// The S3 operations lambkin serves, over its S3 semantics.
#[derive(Debug, Clone)]
struct Adapter {
    s3: lambkin_s3::S3,
}

impl Adapter {
    /// The service for a write that may notify: the notifications continue the caller's chain
    /// of invocations, read from the trace header the AWS SDKs send from inside a function.
    fn s3_for<T>(&self, req: &s3s::S3Request<T>) -> lambkin_s3::S3 {
        self.s3.in_chain(crate::trace::chain_of(&req.headers))
    }
}

/// Anonymous requests are served, as by lambkin's other services (authentication comes later).
struct AllowAll;

#[async_trait::async_trait]
impl S3Access for AllowAll {
    async fn check(&self, _cx: &mut S3AccessContext<'_>) -> S3Result<()> {
        Ok(())
    }
}

/// `<bucket>.localhost[:port]` is virtual-hosted style (the SDKs' default); any other host
/// addresses buckets by path.
struct Hosts;

impl S3Host for Hosts {
    fn parse_host_header<'a>(&'a self, host: &'a str) -> S3Result<VirtualHost<'a>> {
        Ok(match routing::virtual_host_bucket(host) {
            Some(bucket) => VirtualHost::new("localhost").with_bucket(bucket),
            None => VirtualHost::new(host),
        })
    }
}

/// Any bucket name reaches the operation: CreateBucket checks it with S3's message
/// (`lambkin_s3`), and every other operation answers NoSuchBucket for a name never created.
struct AnyName;

impl s3s::validation::NameValidation for AnyName {
    fn validate_bucket_name(&self, name: &str) -> bool {
        !name.is_empty()
    }
}

pub(crate) fn service(engine: &Engine) -> S3Service {
    let mut builder = S3ServiceBuilder::new(Adapter {
        s3: engine.s3().clone(),
    });
    builder.set_auth(auth::KnownKeys);
    builder.set_access(AllowAll);
    builder.set_host(Hosts);
    builder.set_validation(AnyName);
    builder.build()
}

/// Serves one S3 request.
pub(crate) async fn serve(service: &S3Service, request: Request<Body>) -> Response {
    let (mut parts, body) = request.into_parts();
    auth::strip_unknown_signature(&mut parts.headers);
    let request = Request::from_parts(parts, s3s::Body::http_body_unsync(body));
    match service.call(request).await {
        Ok(response) => response.map(Body::new),
        Err(e) => {
            tracing::error!(error = ?e, "s3: request failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// lambkin's milliseconds as s3s's timestamps.
fn timestamp(t: lambkin_model::Timestamp) -> dto::Timestamp {
    let nanos = i128::from(t.0) * 1_000_000;
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .into()
}

#[async_trait::async_trait]
impl s3s::S3 for Adapter {
    async fn create_bucket(
        &self,
        req: s3s::S3Request<dto::CreateBucketInput>,
    ) -> S3Result<s3s::S3Response<dto::CreateBucketOutput>> {
        self.create_bucket_op(req).await
    }

    async fn delete_bucket(
        &self,
        req: s3s::S3Request<dto::DeleteBucketInput>,
    ) -> S3Result<s3s::S3Response<dto::DeleteBucketOutput>> {
        self.delete_bucket_op(req).await
    }

    async fn head_bucket(
        &self,
        req: s3s::S3Request<dto::HeadBucketInput>,
    ) -> S3Result<s3s::S3Response<dto::HeadBucketOutput>> {
        self.head_bucket_op(req).await
    }

    async fn list_buckets(
        &self,
        req: s3s::S3Request<dto::ListBucketsInput>,
    ) -> S3Result<s3s::S3Response<dto::ListBucketsOutput>> {
        self.list_buckets_op(req).await
    }

    async fn put_object(
        &self,
        req: s3s::S3Request<dto::PutObjectInput>,
    ) -> S3Result<s3s::S3Response<dto::PutObjectOutput>> {
        self.put_object_op(req).await
    }

    async fn get_object(
        &self,
        req: s3s::S3Request<dto::GetObjectInput>,
    ) -> S3Result<s3s::S3Response<dto::GetObjectOutput>> {
        self.get_object_op(req).await
    }

    async fn head_object(
        &self,
        req: s3s::S3Request<dto::HeadObjectInput>,
    ) -> S3Result<s3s::S3Response<dto::HeadObjectOutput>> {
        self.head_object_op(req).await
    }

    async fn delete_object(
        &self,
        req: s3s::S3Request<dto::DeleteObjectInput>,
    ) -> S3Result<s3s::S3Response<dto::DeleteObjectOutput>> {
        self.delete_object_op(req).await
    }

    async fn list_objects_v2(
        &self,
        req: s3s::S3Request<dto::ListObjectsV2Input>,
    ) -> S3Result<s3s::S3Response<dto::ListObjectsV2Output>> {
        self.list_objects_v2_op(req).await
    }

    async fn create_multipart_upload(
        &self,
        req: s3s::S3Request<dto::CreateMultipartUploadInput>,
    ) -> S3Result<s3s::S3Response<dto::CreateMultipartUploadOutput>> {
        self.create_multipart_upload_op(req).await
    }

    async fn upload_part(
        &self,
        req: s3s::S3Request<dto::UploadPartInput>,
    ) -> S3Result<s3s::S3Response<dto::UploadPartOutput>> {
        self.upload_part_op(req).await
    }

    async fn complete_multipart_upload(
        &self,
        req: s3s::S3Request<dto::CompleteMultipartUploadInput>,
    ) -> S3Result<s3s::S3Response<dto::CompleteMultipartUploadOutput>> {
        self.complete_multipart_upload_op(req).await
    }

    async fn abort_multipart_upload(
        &self,
        req: s3s::S3Request<dto::AbortMultipartUploadInput>,
    ) -> S3Result<s3s::S3Response<dto::AbortMultipartUploadOutput>> {
        self.abort_multipart_upload_op(req).await
    }

    async fn list_parts(
        &self,
        req: s3s::S3Request<dto::ListPartsInput>,
    ) -> S3Result<s3s::S3Response<dto::ListPartsOutput>> {
        self.list_parts_op(req).await
    }

    async fn list_multipart_uploads(
        &self,
        req: s3s::S3Request<dto::ListMultipartUploadsInput>,
    ) -> S3Result<s3s::S3Response<dto::ListMultipartUploadsOutput>> {
        self.list_multipart_uploads_op(req).await
    }

    async fn copy_object(
        &self,
        req: s3s::S3Request<dto::CopyObjectInput>,
    ) -> S3Result<s3s::S3Response<dto::CopyObjectOutput>> {
        self.copy_object_op(req).await
    }

    async fn upload_part_copy(
        &self,
        req: s3s::S3Request<dto::UploadPartCopyInput>,
    ) -> S3Result<s3s::S3Response<dto::UploadPartCopyOutput>> {
        self.upload_part_copy_op(req).await
    }

    async fn delete_objects(
        &self,
        req: s3s::S3Request<dto::DeleteObjectsInput>,
    ) -> S3Result<s3s::S3Response<dto::DeleteObjectsOutput>> {
        self.delete_objects_op(req).await
    }

    async fn put_bucket_notification_configuration(
        &self,
        req: s3s::S3Request<dto::PutBucketNotificationConfigurationInput>,
    ) -> S3Result<s3s::S3Response<dto::PutBucketNotificationConfigurationOutput>> {
        self.put_bucket_notification_configuration_op(req).await
    }

    async fn get_bucket_notification_configuration(
        &self,
        req: s3s::S3Request<dto::GetBucketNotificationConfigurationInput>,
    ) -> S3Result<s3s::S3Response<dto::GetBucketNotificationConfigurationOutput>> {
        self.get_bucket_notification_configuration_op(req).await
    }
}
