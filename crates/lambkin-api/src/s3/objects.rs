//! PutObject, GetObject (with Range), HeadObject, DeleteObject, ListObjectsV2.

use lambkin_s3::{ListRequest, NewObject, ObjectRecord};
use s3s::dto::{
    ChecksumMode, CommonPrefix, DeleteObjectInput, DeleteObjectOutput, ETag, EncodingType,
    GetObjectInput, GetObjectOutput, HeadObjectInput, HeadObjectOutput, ListObjectsV2Input,
    ListObjectsV2Output, Metadata, Object, PutObjectInput, PutObjectOutput, StreamingBlob,
};
use s3s::{S3Request, S3Response, S3Result, s3_error};
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio_util::io::ReaderStream;

use super::checksums::{checksum_values, integrity, set_checksum};
use super::copy::conditions;
use super::error::to_wire;
use super::{Adapter, timestamp};

/// What a PUT, a multipart upload or a REPLACE copy stores besides the bytes: the request's
/// Content-Type, the standard headers S3 keeps (`Cache-Control`, `Content-Disposition`,
/// `Content-Encoding`, `Content-Language`, in that order) and `x-amz-meta-*`, by lowercase name.
pub(super) fn new_object(
    content_type: Option<String>,
    headers: [Option<String>; 4],
    metadata: Option<Metadata>,
) -> NewObject {
    const NAMES: [&str; 4] = [
        "cache-control",
        "content-disposition",
        "content-encoding",
        "content-language",
    ];
    NewObject {
        content_type,
        headers: NAMES
            .into_iter()
            .zip(headers)
            .filter_map(|(name, value)| Some((name.to_string(), value?)))
            .collect(),
        metadata: metadata
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect(),
    }
}

fn metadata(object: &ObjectRecord) -> Option<Metadata> {
    (!object.metadata.is_empty()).then(|| {
        object
            .metadata
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    })
}

fn etag(object: &ObjectRecord) -> ETag {
    ETag::Strong(object.etag.clone())
}

/// `x-amz-checksum-mode: ENABLED`: the client wants the object's checksum.
fn checksum_mode(mode: Option<&ChecksumMode>) -> bool {
    mode.is_some_and(|m| m.as_str() == ChecksumMode::ENABLED)
}

fn header(object: &ObjectRecord, name: &str) -> Option<String> {
    object.headers.get(name).cloned()
}

impl Adapter {
    pub(super) async fn put_object_op(
        &self,
        req: S3Request<PutObjectInput>,
    ) -> S3Result<S3Response<PutObjectOutput>> {
        let mut req = req;
        let (md5, values) = (req.input.content_md5.take(), checksum_values!(req.input));
        let integrity = integrity(&req, md5, req.input.checksum_algorithm.as_ref(), values)?;
        let s3 = self.s3_for(&req);
        let mut input = req.input;
        let new = new_object(
            input.content_type.take(),
            [
                input.cache_control.take(),
                input.content_disposition.take(),
                input.content_encoding.take(),
                input.content_language.take(),
            ],
            input.metadata.take(),
        );
        let body = input
            .body
            .take()
            .unwrap_or_else(|| StreamingBlob::from(s3s::Body::empty()));
        let object = s3
            .put_object(&input.bucket, &input.key, new, integrity, body)
            .await
            .map_err(to_wire)?;
        let mut output = PutObjectOutput {
            e_tag: Some(etag(&object)),
            ..Default::default()
        };
        set_checksum!(output, object.checksum.as_ref(), with_type);
        Ok(S3Response::new(output))
    }

    pub(super) async fn get_object_op(
        &self,
        req: S3Request<GetObjectInput>,
    ) -> S3Result<S3Response<GetObjectOutput>> {
        let input = req.input;
        let found = self
            .s3
            .get_object(&input.bucket, &input.key)
            .await
            .map_err(to_wire)?;
        let (object, mut file) = (found.object, found.file);
        conditions(
            input.if_match,
            input.if_none_match,
            input.if_modified_since,
            input.if_unmodified_since,
        )
        .check(&object)
        .map_err(to_wire)?;
        let (offset, length, content_range) = match &input.range {
            None => (0, object.size, None),
            Some(r) => {
                let r = r.check(object.size).map_err(|_| {
                    s3_error!(InvalidRange, "The requested range is not satisfiable")
                })?;
                let content_range = format!("bytes {}-{}/{}", r.start, r.end - 1, object.size);
                (r.start, r.end - r.start, Some(content_range))
            }
        };
        if offset > 0 {
            file.seek(std::io::SeekFrom::Start(offset))
                .await
                .map_err(s3s::S3Error::internal_error)?;
        }
        let reader = ReaderStream::new(file.take(length));
        let mut output = GetObjectOutput {
            body: Some(StreamingBlob::wrap(reader)),
            content_length: i64::try_from(length).ok(),
            content_range: content_range.clone(),
            accept_ranges: Some("bytes".into()),
            content_type: object.content_type.clone(),
            cache_control: header(&object, "cache-control"),
            content_disposition: header(&object, "content-disposition"),
            content_encoding: header(&object, "content-encoding"),
            content_language: header(&object, "content-language"),
            e_tag: Some(etag(&object)),
            last_modified: Some(timestamp(object.last_modified)),
            metadata: metadata(&object),
            ..Default::default()
        };
        // A checksum covers the whole object, so a range gets none (as on S3).
        if checksum_mode(input.checksum_mode.as_ref()) && content_range.is_none() {
            set_checksum!(output, object.checksum.as_ref(), with_type);
        }
        let mut response = S3Response::new(output);
        if content_range.is_some() {
            response.status = Some(axum::http::StatusCode::PARTIAL_CONTENT);
        }
        Ok(response)
    }

    pub(super) async fn head_object_op(
        &self,
        req: S3Request<HeadObjectInput>,
    ) -> S3Result<S3Response<HeadObjectOutput>> {
        let input = req.input;
        let object = self
            .s3
            .head_object(&input.bucket, &input.key)
            .await
            .map_err(to_wire)?;
        conditions(
            input.if_match,
            input.if_none_match,
            input.if_modified_since,
            input.if_unmodified_since,
        )
        .check(&object)
        .map_err(to_wire)?;
        let mut output = HeadObjectOutput {
            content_length: i64::try_from(object.size).ok(),
            accept_ranges: Some("bytes".into()),
            content_type: object.content_type.clone(),
            cache_control: header(&object, "cache-control"),
            content_disposition: header(&object, "content-disposition"),
            content_encoding: header(&object, "content-encoding"),
            content_language: header(&object, "content-language"),
            e_tag: Some(etag(&object)),
            last_modified: Some(timestamp(object.last_modified)),
            metadata: metadata(&object),
            ..Default::default()
        };
        if checksum_mode(input.checksum_mode.as_ref()) {
            set_checksum!(output, object.checksum.as_ref(), with_type);
        }
        Ok(S3Response::new(output))
    }

    pub(super) async fn delete_object_op(
        &self,
        req: S3Request<DeleteObjectInput>,
    ) -> S3Result<S3Response<DeleteObjectOutput>> {
        self.s3_for(&req)
            .delete_object(&req.input.bucket, &req.input.key)
            .await
            .map_err(to_wire)?;
        let mut response = S3Response::new(DeleteObjectOutput::default());
        response.status = Some(axum::http::StatusCode::NO_CONTENT);
        Ok(response)
    }

    pub(super) async fn list_objects_v2_op(
        &self,
        req: S3Request<ListObjectsV2Input>,
    ) -> S3Result<S3Response<ListObjectsV2Output>> {
        let input = req.input;
        let max_keys = input.max_keys.unwrap_or(1000);
        let request = ListRequest {
            prefix: input.prefix.clone().unwrap_or_default(),
            delimiter: input.delimiter.clone(),
            max_keys: usize::try_from(max_keys).unwrap_or(0),
            start_after: input.start_after.clone(),
            continuation_token: input.continuation_token.clone(),
        };
        let listing = self
            .s3
            .list_objects_v2(&input.bucket, &request)
            .await
            .map_err(to_wire)?;
        let key_count = i32::try_from(listing.key_count()).unwrap_or(i32::MAX);
        // `encoding-type=url`: keys may hold characters XML 1.0 cannot carry (NUL, most
        // controls), so clients ask for every key and prefix URL-encoded (botocore always does).
        let url = input
            .encoding_type
            .as_ref()
            .is_some_and(|e| e.as_str() == EncodingType::URL);
        let enc = |text: String| -> String {
            if url {
                form_urlencoded::byte_serialize(text.as_bytes()).collect()
            } else {
                text
            }
        };
        Ok(S3Response::new(ListObjectsV2Output {
            name: Some(input.bucket),
            prefix: Some(enc(request.prefix)),
            delimiter: input.delimiter.map(enc),
            max_keys: Some(max_keys),
            key_count: Some(key_count),
            is_truncated: Some(listing.next_continuation_token.is_some()),
            continuation_token: input.continuation_token,
            next_continuation_token: listing.next_continuation_token,
            start_after: input.start_after.map(enc),
            encoding_type: input.encoding_type,
            contents: Some(
                listing
                    .objects
                    .iter()
                    .map(|o| Object {
                        key: Some(enc(o.key.clone())),
                        size: i64::try_from(o.size).ok(),
                        e_tag: Some(etag(o)),
                        last_modified: Some(timestamp(o.last_modified)),
                        storage_class: Some(String::from("STANDARD").into()),
                        ..Default::default()
                    })
                    .collect(),
            ),
            common_prefixes: Some(
                listing
                    .common_prefixes
                    .into_iter()
                    .map(|p| CommonPrefix {
                        prefix: Some(enc(p)),
                    })
                    .collect(),
            ),
            ..Default::default()
        }))
    }
}
